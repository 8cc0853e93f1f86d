"""Attachments for every thread kind: receiving a file (name, size and content checked
before anything is stored), storing it under a generated name, downloading it (participants
only, clean files only), and the virus scan that releases or keeps it in quarantine."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO

from messaging.domain.activity import ActivityChange, ActivityKind
from messaging.domain.attachments import ScanStatus, check_file_name, check_file_type, scan_retry_delay
from messaging.domain.errors import (
    AttachmentNotFound,
    AttachmentQuarantined,
    AttachmentTooLarge,
    AttachmentTypeRefused,
    ThreadNotFound,
)
from messaging.domain.threads import AttachmentInfo
from messaging.service.common import Caller, Services, open_thread, parse_id, publish
from messaging.service.conversations import StoredFile
from messaging.service.ports import VirusScanner
from zorgpost_kit.errors import InvalidArgument
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)

#: Files up to this size stay in memory while they are checked; larger ones spill to disk.
SPOOL_IN_MEMORY_BYTES = 1024 * 1024


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


@dataclass
class IncomingFile:
    """One file as it streams in; checked when complete."""

    index: int
    file_name: str
    claimed_type: str
    max_bytes: int
    spool: IO[bytes] = field(default_factory=lambda: tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY_BYTES))
    size: int = 0
    _hash: hashlib._Hash = field(default_factory=hashlib.sha256)

    @property
    def field(self) -> str:
        return f"files[{self.index}]"

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise AttachmentTooLarge(
                f"{self.file_name} is larger than {_mebibytes(self.max_bytes)}.",
                fields={self.field: f"{self.file_name} is larger than {_mebibytes(self.max_bytes)}"},
            )
        self._hash.update(data)
        self.spool.write(data)

    def close(self) -> None:
        self.spool.close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


@dataclass(frozen=True)
class AcceptedFile:
    incoming: IncomingFile
    content_type: str


class FileReceiver:
    """Takes the files of one message as they stream in, refusing the first bad one with a
    field error that names it (``files[i]``). Nothing is stored until every file passed."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._files: list[IncomingFile] = []

    def start(self, file_name: str, claimed_type: str) -> None:
        index = len(self._files)
        if index >= self._services.max_files_per_message:
            raise InvalidArgument(fields={"files": f"at most {self._services.max_files_per_message} files per message"})
        problem = check_file_name(file_name)
        if problem is not None:
            raise InvalidArgument(f"files[{index}]: {problem}.", fields={f"files[{index}]": problem})
        self._files.append(IncomingFile(index, file_name, claimed_type, self._services.max_attachment_bytes))

    def write(self, data: bytes) -> None:
        if not self._files:
            raise InvalidArgument(fields={"files": "file data came before the file's name"})
        self._files[-1].write(data)

    def finish(self) -> list[AcceptedFile]:
        """Checks every file's content against its claimed type."""
        accepted = []
        for incoming in self._files:
            if incoming.size == 0:
                raise InvalidArgument(
                    f"{incoming.field}: {incoming.file_name} is empty.",
                    fields={incoming.field: f"{incoming.file_name} is empty"},
                )
            file_type, problem = check_file_type(incoming.spool, incoming.claimed_type, incoming.file_name)
            if file_type is None:
                assert problem is not None
                raise AttachmentTypeRefused(
                    f"{incoming.field}: {incoming.file_name}: {problem}.",
                    fields={incoming.field: f"{incoming.file_name}: {problem}"},
                )
            accepted.append(AcceptedFile(incoming, file_type.mime))
        return accepted

    @property
    def has_files(self) -> bool:
        return bool(self._files)

    def close(self) -> None:
        for incoming in self._files:
            incoming.close()


async def store_files(services: Services, files: list[AcceptedFile]) -> list[StoredFile]:
    """Puts each file in the blob store under a generated name (never the sender's name).
    On a failure, what was already stored is removed."""
    stored: list[StoredFile] = []
    status = ScanStatus.PENDING if services.scanning else ScanStatus.NOT_SCANNED
    try:
        for accepted in files:
            incoming = accepted.incoming
            key = uuid.uuid4().hex
            incoming.spool.seek(0)
            await services.blobs.put(key, incoming.spool, incoming.size)
            stored.append(
                StoredFile(incoming.file_name, accepted.content_type, incoming.size, incoming.sha256, key, status)
            )
    except BaseException:
        await discard_files(services, stored)
        raise
    return stored


async def discard_files(services: Services, stored: list[StoredFile]) -> None:
    for file in stored:
        try:
            await services.blobs.delete(file.storage_key)
        except Exception as error:  # noqa: BLE001 - an orphan blob is harmless; the refusal matters
            log.warning("blob_delete_failed", error=type(error).__name__)


async def open_download(
    services: Services, caller: Caller, thread_id: str, attachment_id: str
) -> tuple[AttachmentInfo, AsyncIterator[bytes]]:
    """The attachment and its bytes, for a participant of its thread, once it is not in
    quarantine. Anyone else: 404."""
    identifier = parse_id(attachment_id)
    if identifier is None:
        raise AttachmentNotFound()
    async with services.uow() as uow:
        try:
            access = await open_thread(uow, caller, thread_id, name="", now=services.clock(), lock=False)
        except ThreadNotFound:
            raise AttachmentNotFound() from None
        attachment = await uow.attachments.get(identifier)
    if attachment is None or attachment.thread_id != access.thread.id:
        raise AttachmentNotFound()
    if not ScanStatus(attachment.scan_status).downloadable:
        raise AttachmentQuarantined()
    return attachment, services.blobs.read(attachment.storage_key)


async def scan_pending(services: Services, scanner: VirusScanner, *, batch: int = 10) -> bool:
    """Scans a batch of quarantined files; clean ones become downloadable, infected ones stay
    quarantined for good. True when the batch was full (there may be more)."""
    async with services.uow() as uow:
        pending = await uow.attachments.claim_pending(batch, services.clock())
        done: set[str] = set()
        # Published after every scan: the feed's rows are written last, just before commit.
        changes: list[tuple[str, ActivityChange]] = []
        for attachment in pending:
            if attachment.storage_key in done:
                continue
            done.add(attachment.storage_key)
            try:
                verdict = await scanner.scan(services.blobs.read(attachment.storage_key))
            except Exception as error:  # noqa: BLE001 - one file the scanner fails on must not hold up the rest
                # It stays in quarantine and waits its back-off; the others go on.
                attempts = attachment.scan_attempts + 1
                retry_at = services.clock() + scan_retry_delay(attempts)
                await uow.attachments.postpone_scan(attachment.storage_key, attempts, retry_at)
                log.warning(
                    "attachment_scan_failed", attachment_id=attachment.id, error=type(error).__name__, attempt=attempts
                )
                continue
            status = ScanStatus.CLEAN if verdict.clean else ScanStatus.INFECTED
            if not verdict.clean:
                log.warning("attachment_infected", attachment_id=attachment.id, finding=verdict.finding)
            for updated in await uow.attachments.set_scan_status(attachment.storage_key, status):
                change = ActivityChange(
                    ActivityKind.ATTACHMENT_SCANNED,
                    updated.thread_id,
                    services.clock(),
                    message_id=updated.message_id,
                    actor_name=status.value,
                )
                changes.append((updated.thread_id, change))
        for thread_id, change in changes:
            thread = await uow.threads.get(thread_id, lock=False)
            if thread is not None:
                await publish(uow, thread, await uow.participants.of_thread(thread_id), change)
        await uow.commit()
    return len(pending) == batch
