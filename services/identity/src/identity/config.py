"""Settings of the identity service (env prefix ``ZORGPOST_IDENTITY_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from zorgpost_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ZORGPOST_IDENTITY_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "identity"

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/zorgpost_identity"
    grpc_address: str = "127.0.0.1:50051"
    #: Messaging: invitations go into its conversations; a secure mail's read link is its.
    messaging_address: str = "127.0.0.1:50052"
    #: Encrypts the private signing keys at rest (any string; a key is derived from it).
    signing_key_encryption_key: SecretStr = SecretStr("dev-only-identity-signing-key-encryption")
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    #: A session unused this long ends; a session never lives longer than the absolute limit.
    session_idle_ttl_seconds: int = Field(default=60 * 60 * 24 * 7, ge=300)
    session_absolute_ttl_seconds: int = Field(default=60 * 60 * 24 * 30, ge=3600)
    #: Keys the hashes of one-time codes (HMAC-SHA256): a 6-digit code needs a keyed hash.
    code_hash_key: SecretStr = SecretStr("dev-only-identity-one-time-code-hash-key")
    #: Encrypts TOTP secrets at rest (any string; a key is derived from it).
    second_factor_encryption_key: SecretStr = SecretStr("dev-only-identity-second-factor-encryption")
    #: How long a mailed password reset link works.
    password_reset_ttl_seconds: int = Field(default=60 * 60, ge=300, le=60 * 60 * 24)
    #: The issuer name an authenticator app shows next to a TOTP code.
    totp_issuer: str = "Zorgpost"
    #: Audience of the tokens of an account that must change its password first: no other
    #: service accepts it, so such a token opens nothing but the password change.
    password_change_token_audience: str = "zorgpost-password-change"
    #: How often parental delegations are checked for a 16th birthday (and at every start).
    delegation_check_interval_seconds: float = Field(default=3600.0, gt=0)
