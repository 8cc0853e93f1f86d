"""Settings of the notifications service (env prefix ``ZORGPOST_NOTIFICATIONS_``)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from zorgpost_kit.settings import ServiceSettings


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class SmsProviderKind(StrEnum):
    #: Posts to the development outbox (make run).
    OUTBOX = "outbox"
    #: A real SMS gateway spoken to over HTTP.
    HTTP = "http"


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
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    sms_provider: SmsProviderKind = SmsProviderKind.OUTBOX
    sms_outbox_url: str = "http://127.0.0.1:8025/api/sms"
    #: Attempts per delivery before it becomes a dead letter; waits grow exponentially.
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_retry_base_seconds: float = Field(default=2.0, gt=0)
    delivery_retry_max_seconds: float = Field(default=600.0, gt=0)
