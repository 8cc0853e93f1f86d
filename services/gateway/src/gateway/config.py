"""Settings of the gateway (env prefix ``ZORGPOST_GATEWAY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from zorgpost_kit.settings import Environment


class Settings(BaseSettings):
    """The gateway owns no database and publishes no events: it needs addresses only."""

    model_config = SettingsConfigDict(
        env_prefix="ZORGPOST_GATEWAY_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    environment: Environment = Environment.DEVELOPMENT
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    log_level: str = "INFO"
    log_json: bool = False
    identity_address: str = "127.0.0.1:50051"
    messaging_address: str = "127.0.0.1:50052"
    contacts_address: str = "127.0.0.1:50053"
    notifications_address: str = "127.0.0.1:50054"
    portal_address: str = "127.0.0.1:50055"
    token_issuer: str = "zorgpost-identity"
    token_audience: str = "zorgpost"
    rpc_timeout_seconds: float = Field(default=5.0, gt=0)
    #: Audience of the tokens of an account that must change its password (identity's
    #: setting of the same name): accepted only by GET /me, GET /me/password-rules,
    #: POST /me/password and logout.
    password_change_token_audience: str = "zorgpost-password-change"
    #: Per client IP on /api/v1/auth/* and the other routes that take a password or an access code (see
    #: gateway.rate_limit): a token bucket of this many requests, refilled at
    #: ``auth_rate_per_minute``. Guards against guessing passwords across many accounts.
    auth_rate_burst: int = Field(default=30, ge=1)
    #: Proxies whose X-Forwarded-For names the client (addresses or networks, comma
    #: separated): the web front end passes each person's own address on, so the login
    #: limit and the device list see the person, not the web server.
    forwarded_allow_ips: str = "127.0.0.1"
    auth_rate_per_minute: float = Field(default=30.0, gt=0)
    #: Per client IP on POST /api/v1/helpdesk/questions, a bucket apart from the logins'
    #: (messaging caps questions per account and per mailed address too).
    helpdesk_rate_burst: int = Field(default=30, ge=1)
    helpdesk_rate_per_minute: float = Field(default=30.0, gt=0)
    #: Request bodies are refused (413) past this many bytes, counted as they stream in;
    #: messages with files (multipart) past the upload cap: messaging's files per message
    #: times its largest file (10 × 20 MiB by default), plus room for the form itself.
    max_request_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_upload_request_bytes: int = Field(default=201 * 1024 * 1024, ge=1024)
