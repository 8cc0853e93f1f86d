"""Typed settings shared by every service.

Each service subclasses :class:`ServiceSettings` with its own env prefix
(``ZORGPOST_IDENTITY_``, ``ZORGPOST_MESSAGING_`` …). Defaults work on a developer's machine;
outside development, settings that still hold a development secret are refused at start.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zorgpost_kit.consumer import DEFAULT_ACK_WAIT_SECONDS, DEFAULT_MAX_DELIVER, redelivery_horizon_seconds
from zorgpost_kit.jetstream import DEFAULT_STREAM_MAX_AGE_SECONDS

#: Marks a default that is only acceptable on a developer's machine.
DEV_SECRET_PREFIX = "dev-only-"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(ValueError):
    """A development secret is configured outside development."""


class ServiceSettings(BaseSettings):
    """What every service process needs: where its database, NATS and gRPC are."""

    # hide_input_in_errors: a refused setting must not print the others (a database URL
    # holds a password) into the operator's terminal or logs.
    # env_ignore_empty: an empty variable means "not set" (Compose passes `${VAR:-}` for
    # optional settings), so the default applies rather than an empty value.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True, env_ignore_empty=True)

    #: The service's own name, used for the NATS stream, durable names and logs.
    service_name: ClassVar[str]

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = Field(description="SQLAlchemy async URL of the service's own database")
    nats_url: str = "nats://127.0.0.1:4222"
    grpc_address: str = Field(description="host:port the gRPC server binds")
    log_level: str = "INFO"
    log_json: bool = False
    #: Where identity serves the JWKS that verifies access tokens.
    identity_address: str = "127.0.0.1:50051"
    token_issuer: str = "zorgpost-identity"
    token_audience: str = "zorgpost"
    #: Deadline for calls this service makes to other services.
    rpc_timeout_seconds: float = 5.0
    #: JetStream stream replicas: 1 on one machine, 3 on a NATS cluster.
    stream_replicas: int = Field(default=1, ge=1, le=5)

    # Secrets do not outlive their use: events carry codes and link tokens to the notices,
    # so neither the outbox nor the streams keep them longer than these settings say.
    #: Published outbox rows are deleted this long after they were published.
    outbox_retention_seconds: float = Field(default=7 * 24 * 3600.0, gt=0)
    #: JetStream deletes a message this long after it was stored (this service's own stream,
    #: and the streams it consumes and dead-letters into when it creates them). Must be
    #: longer than the consumers' redelivery horizon; the rest is how long a consumer may
    #: be down without losing events.
    stream_max_age_seconds: float = Field(default=DEFAULT_STREAM_MAX_AGE_SECONDS, gt=0)
    #: Deliveries of one event to a consumer before it is dead-lettered.
    consumer_max_deliveries: int = Field(default=DEFAULT_MAX_DELIVER, ge=1, le=100)
    #: How long a delivery may stay unacknowledged before JetStream delivers it again.
    consumer_ack_wait_seconds: float = Field(default=DEFAULT_ACK_WAIT_SECONDS, gt=0)
    #: How far back the process reads identity's revocations at start, and how long it keeps
    #: each: at least the access-token lifetime (identity allows at most an hour).
    revocation_lookback_seconds: float = Field(default=3600.0, ge=60)
    #: How long a starting process waits to have read them before it reports SERVING.
    revocation_catch_up_seconds: float = Field(default=10.0, gt=0)

    @property
    def inbox_retention_seconds(self) -> float:
        """How long a consumer remembers an event it handled. No message lives in a stream
        longer than its max age, so no redelivery can come later than that; the
        redelivery horizon on top is a margin for clocks that disagree."""
        return self.stream_max_age_seconds + self.redelivery_horizon_seconds

    @property
    def redelivery_horizon_seconds(self) -> float:
        return redelivery_horizon_seconds(self.consumer_max_deliveries, self.consumer_ack_wait_seconds)

    @model_validator(mode="after")
    def _streams_outlive_redelivery(self) -> ServiceSettings:
        if self.stream_max_age_seconds <= self.redelivery_horizon_seconds:
            prefix = str(self.model_config.get("env_prefix", "")).upper()
            raise ValueError(
                f"{prefix}STREAM_MAX_AGE_SECONDS must be longer than the consumers' redelivery horizon "
                f"({self.redelivery_horizon_seconds:.0f} s with {self.consumer_max_deliveries} deliveries "
                f"and an ack wait of {self.consumer_ack_wait_seconds:g} s)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_development(self) -> ServiceSettings:
        if self.environment is Environment.DEVELOPMENT:
            return self
        insecure = [name for name, value in self._secret_values().items() if value.startswith(DEV_SECRET_PREFIX)]
        if insecure:
            prefix = str(self.model_config.get("env_prefix", ""))
            names = ", ".join(prefix.upper() + name.upper() for name in insecure)
            raise InsecureSettingsError(f"set a real secret for {names} (environment is {self.environment})")
        return self

    def _secret_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in type(self).model_fields:
            value: Any = getattr(self, name)
            secret = getattr(value, "get_secret_value", None)
            if secret is not None:
                values[name] = str(secret())
        return values
