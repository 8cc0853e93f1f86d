"""Settings of the portal service (env prefix ``ZORGPOST_PORTAL_``)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from zorgpost_kit.settings import Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ZORGPOST_PORTAL_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "portal"

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/zorgpost_portal"
    grpc_address: str = "127.0.0.1:50055"
    #: The largest document a client uploads or the practice publishes.
    max_file_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=30 * 1024 * 1024)
    #: Development and tests only: the service's clock starts at this moment (ISO 8601 with
    #: a zone) and runs on from there, so time rules (the noon cut-off on a Friday, the
    #: 24-hour cancellation line) can be shown at any hour. Refused in production.
    clock_start: datetime | None = None

    @model_validator(mode="after")
    def _no_clock_games_in_production(self) -> Settings:
        if self.clock_start is not None:
            if self.environment is Environment.PRODUCTION:
                raise ValueError("ZORGPOST_PORTAL_CLOCK_START is for development and tests only")
            if self.clock_start.tzinfo is None:
                raise ValueError("ZORGPOST_PORTAL_CLOCK_START needs a time zone (e.g. +01:00)")
        return self
