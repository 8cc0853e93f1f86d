"""What every use case of the portal shares: the services they run with, ids, paging,
file checks, the action log and the notices."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from portal.domain.activity import Action
from portal.domain.documents import StoredFile
from portal.domain.dossier import ClientRecord
from portal.domain.errors import FileTooLarge, FileTypeRefused
from portal.domain.notices import Recipient, notice_recipients
from portal.domain.people import new_id
from portal.domain.results import LabResult
from portal.service.ports import AccountSecurity, Keyset, NameKeyset, PortalUnitOfWork, UnitOfWorkFactory
from zorgpost_kit.calendar import Clock, local_date
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.files import check_file_name, check_file_type

DEFAULT_PAGE = 20
MAX_PAGE = 100


class ResultExporter(Protocol):
    """Renders a result as a file to keep."""

    def csv(self, result: LabResult) -> bytes: ...

    def pdf(self, result: LabResult, record: ClientRecord | None, organisation_name: str) -> bytes: ...


@dataclass
class Services:
    """Everything the use cases need, built once by the bootstrap."""

    uow: UnitOfWorkFactory
    clock: Clock
    identity: AccountSecurity
    exporter: ResultExporter
    #: The largest file a client uploads or the practice publishes.
    max_file_bytes: int = 20 * 1024 * 1024

    def today(self) -> date:
        return local_date(self.clock())


# ----------------------------------------------------------------------------- ids, paging
def parse_id(value: str) -> str | None:
    """A canonical uuid, or None (an id that cannot exist is simply not found)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


def page_size(limit: int) -> int:
    return DEFAULT_PAGE if limit <= 0 else min(limit, MAX_PAGE)


def _encode(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(value: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(fields={"cursor": "is not a cursor this list gave"}) from None
    first, separator, identifier = raw.rpartition("|")
    if not separator or parse_id(identifier) is None:
        raise InvalidArgument(fields={"cursor": "is not a cursor this list gave"})
    return first, identifier


def encode_keyset(at: datetime, identifier: str) -> str:
    return _encode(f"{at.isoformat()}|{identifier}")


def decode_keyset(value: str) -> Keyset | None:
    if not value:
        return None
    first, identifier = _decode(value)
    try:
        moment = datetime.fromisoformat(first)
    except ValueError:
        raise InvalidArgument(fields={"cursor": "is not a cursor this list gave"}) from None
    if moment.tzinfo is None:
        raise InvalidArgument(fields={"cursor": "is not a cursor this list gave"})
    return Keyset(moment, identifier)


def encode_name_keyset(name: str, identifier: str) -> str:
    return _encode(f"{name}|{identifier}")


def decode_name_keyset(value: str) -> NameKeyset | None:
    if not value:
        return None
    name, identifier = _decode(value)
    return NameKeyset(name, identifier)


def encode_day_keyset(day: date, identifier: str) -> str:
    return _encode(f"{day.isoformat()}|{identifier}")


def decode_day_keyset(value: str) -> tuple[date, str] | None:
    if not value:
        return None
    first, identifier = _decode(value)
    try:
        return date.fromisoformat(first), identifier
    except ValueError:
        raise InvalidArgument(fields={"cursor": "is not a cursor this list gave"}) from None


def parse_day(value: str, field: str, errors: FieldErrors, *, required: bool = True) -> date | None:
    if not value.strip():
        if required:
            errors.add(field, "is required (YYYY-MM-DD)")
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.add(field, "is not a date (YYYY-MM-DD)")
        return None


# ----------------------------------------------------------------------------- files
def check_upload(
    file_name: str, content_type: str, data: bytes, max_bytes: int, *, field: str = "file"
) -> tuple[StoredFile, str]:
    """The stored file's metadata and its normalised type, by the kit's file rules: a name
    without a path, at most ``max_bytes``, content of an allowed type that is what it claims."""
    problem = check_file_name(file_name)
    if problem is not None:
        raise InvalidArgument(fields={field: problem})
    if not data:
        raise InvalidArgument(fields={field: "is empty"})
    if len(data) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):g} MiB"
        raise FileTooLarge(f"{file_name} is larger than {limit}.", fields={field: f"is larger than {limit}"})
    file_type, problem = check_file_type(io.BytesIO(data), content_type, file_name)
    if file_type is None:
        raise FileTypeRefused(fields={field: problem or "is not an allowed type"})
    return StoredFile(file_name, file_type.mime, len(data), hashlib.sha256(data).hexdigest()), file_type.mime


# ----------------------------------------------------------------------------- log and notices
async def record_action(
    uow: PortalUnitOfWork,
    person_id: str,
    organisation_id: str,
    actor_id: str,
    action: str,
    object_id: str,
    at: datetime,
) -> None:
    """Every change in a person's portal names the person and who did it."""
    await uow.actions.add(Action(new_id(), person_id, organisation_id, actor_id, action, object_id, at))


async def recipients_of(uow: PortalUnitOfWork, person_id: str, organisation_id: str) -> tuple[Recipient, ...]:
    record = await uow.clients.get(person_id, organisation_id)
    return notice_recipients(record, await uow.delegates.active_for(person_id, organisation_id))
