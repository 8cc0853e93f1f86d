"""Settings of the messaging service (env prefix ``ZORGPOST_MESSAGING_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from zorgpost_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ZORGPOST_MESSAGING_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "messaging"

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/zorgpost_messaging"
    grpc_address: str = "127.0.0.1:50052"
