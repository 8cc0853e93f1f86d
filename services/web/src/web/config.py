"""Settings of the web front end (env prefix ``ZORGPOST_WEB_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zorgpost_kit.settings import DEV_SECRET_PREFIX, Environment, InsecureSettingsError


class Settings(BaseSettings):
    """The web front end talks to the gateway over HTTP and keeps browser sessions in its
    own database; it needs the gateway's address, its database and one secret."""

    model_config = SettingsConfigDict(
        env_prefix="ZORGPOST_WEB_", extra="ignore", frozen=True, hide_input_in_errors=True, env_ignore_empty=True
    )

    environment: Environment = Environment.DEVELOPMENT
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    log_json: bool = False
    #: Where the gateway's public API answers (``{gateway_url}/api/v1``).
    gateway_url: str = "http://127.0.0.1:8080"
    gateway_timeout_seconds: float = Field(default=10.0, gt=0)
    #: The browser sessions (tokens encrypted at rest), shared by every web replica.
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/zorgpost_web"
    #: The address people reach this site on; with https the cookies are ``Secure`` and
    #: ``__Host-`` prefixed.
    public_url: str = "http://127.0.0.1:8000"
    #: Encrypts the tokens kept in a browser session and signs the CSRF tokens. Keep it the
    #: same across restarts and replicas, or everybody is logged out.
    session_secret: SecretStr = SecretStr(DEV_SECRET_PREFIX + "web-session-secret")
    #: A session unused this long ends (the identity session behind it has its own limits).
    session_idle_minutes: int = Field(default=60 * 12, ge=5)
    #: Reverse proxies (TLS termination) whose X-Forwarded-For names the person.
    forwarded_allow_ips: str = "127.0.0.1"
    #: Tokens are refreshed when they have less than this left.
    refresh_margin_seconds: int = Field(default=60, ge=5)

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_development(self) -> Settings:
        if self.environment is not Environment.DEVELOPMENT and self.session_secret.get_secret_value().startswith(
            DEV_SECRET_PREFIX
        ):
            raise InsecureSettingsError(
                f"set a real secret for ZORGPOST_WEB_SESSION_SECRET (environment is {self.environment})"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")
