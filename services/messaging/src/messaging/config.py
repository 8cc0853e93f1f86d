"""Settings of the messaging service (env prefix ``ZORGPOST_MESSAGING_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from zorgpost_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ZORGPOST_MESSAGING_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "messaging"

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/zorgpost_messaging"
    grpc_address: str = "127.0.0.1:50052"
    #: The contacts service: the e-counter's themes and contact persons.
    contacts_address: str = "127.0.0.1:50053"
    #: The service's own files (attachments with the filesystem blob store).
    data_dir: Path = Path(".data/messaging")

    #: Where attachment bytes go: "filesystem" (under data_dir/attachments) or "s3".
    blob_store: Literal["filesystem", "s3"] = "filesystem"
    s3_endpoint_url: str = ""
    s3_bucket: str = "zorgpost-attachments"
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: SecretStr = SecretStr("")
    #: Create the bucket at start when it does not exist (development, tests).
    s3_create_bucket: bool = False

    #: clamd's address for the virus scan ("" = no scanner: files are not scanned).
    clamd_host: str = ""
    clamd_port: int = Field(default=3310, ge=1, le=65535)

    max_attachment_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_files_per_message: int = Field(default=10, ge=1, le=50)
    secure_mails_per_recipient_per_hour: int = Field(default=20, ge=1)
    secure_mails_per_account_per_hour: int = Field(default=200, ge=1)
    helpdesk_questions_per_account_per_hour: int = Field(default=5, ge=1)
    helpdesk_questions_per_address_per_hour: int = Field(default=5, ge=1)
    #: How long the live feed keeps its rows (a client away longer reloads instead).
    activity_retention_days: int = Field(default=7, ge=1)
    #: The live feed is read at least this often, notifications or not.
    activity_poll_seconds: float = Field(default=5.0, gt=0)
    #: Open live-update streams per account and per session (per process), beyond which a
    #: new one is refused (429).
    max_streams_per_account: int = Field(default=10, ge=1)
    max_streams_per_session: int = Field(default=4, ge=1)
