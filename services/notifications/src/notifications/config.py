"""Settings of the notifications service (env prefix ``ZORGPOST_NOTIFICATIONS_``)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from zorgpost_kit.settings import Environment, InsecureSettingsError, ServiceSettings


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class SmsProviderKind(StrEnum):
    #: Posts to the development outbox (make run).
    OUTBOX = "outbox"
    #: A real SMS gateway spoken to over HTTP.
    HTTP = "http"


class SmsBodyFormat(StrEnum):
    JSON = "json"
    FORM = "form"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ZORGPOST_NOTIFICATIONS_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "notifications"

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/zorgpost_notifications"
    grpc_address: str = "127.0.0.1:50054"
    #: Links in mails point here and nowhere else.
    public_url: str = "http://127.0.0.1:8080"
    mail_from: str = "Zorgpost <no-reply@zorgpost.example>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: SmtpSecurity = SmtpSecurity.NONE
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    #: PEM file of the CA(s) that signed the SMTP server's certificate, when it is not one
    #: the system trusts (a private CA). The certificate and host name are always verified.
    smtp_ca_file: str = ""
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    sms_provider: SmsProviderKind = SmsProviderKind.OUTBOX
    sms_outbox_url: str = "http://127.0.0.1:8025/api/sms"
    #: The generic HTTP provider (``sms_provider=http``): where and how to post one SMS.
    sms_http_url: str = ""
    #: e.g. "Authorization" with value "Bearer …", or "X-CM-PRODUCTTOKEN" with the token.
    sms_http_auth_header: str = "Authorization"
    sms_http_auth_value: SecretStr = SecretStr("")
    sms_http_body_format: SmsBodyFormat = SmsBodyFormat.JSON
    #: A JSON document whose strings may hold {to}, {text}, {sender} and {reference}; each
    #: is replaced by its value (JSON-escaped as a whole string, never spliced as text).
    sms_http_body_template: str = '{"to": "{to}", "text": "{text}", "sender": "{sender}", "reference": "{reference}"}'
    #: The provider accepted the SMS when it answers one of these statuses …
    sms_http_success_statuses: list[int] = Field(default_factory=lambda: [200, 201, 202])
    #: … and, when set, its answer contains this text (for providers that answer 200 to
    #: everything and put the verdict in the body).
    sms_http_success_body_contains: str = ""
    #: The sender name the recipient sees (alphanumeric, at most 11 characters).
    sms_sender: str = Field(default="Zorgpost", max_length=11)
    sms_timeout_seconds: float = Field(default=10.0, gt=0)

    #: Attempts per delivery before it becomes a dead letter; waits grow exponentially.
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_retry_base_seconds: float = Field(default=2.0, gt=0)
    delivery_retry_max_seconds: float = Field(default=600.0, gt=0)
    #: A dead letter keeps the code or link token it would carry this long after it was
    #: queued, so an operator can re-drive it; then it forgets them and can no longer be
    #: re-driven. (Sent and undeliverable notices forget them at once.)
    dead_letter_retention_seconds: float = Field(default=7 * 24 * 3600.0, gt=0)

    @model_validator(mode="after")
    def _refuse_credentials_in_the_clear(self) -> Settings:
        if self.environment is Environment.DEVELOPMENT:
            return self
        if self.smtp_username and self.smtp_security is SmtpSecurity.NONE:
            raise InsecureSettingsError(
                "ZORGPOST_NOTIFICATIONS_SMTP_USERNAME is set but SMTP_SECURITY is none: use starttls or tls"
            )
        if self.sms_provider is SmsProviderKind.HTTP and not self.sms_http_url.startswith("https://"):
            raise InsecureSettingsError("ZORGPOST_NOTIFICATIONS_SMS_HTTP_URL must be an https:// address")
        return self
