"""Settings of the portal service (env prefix ``ZORGPOST_PORTAL_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from zorgpost_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ZORGPOST_PORTAL_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "portal"

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/zorgpost_portal"
    grpc_address: str = "127.0.0.1:50055"
