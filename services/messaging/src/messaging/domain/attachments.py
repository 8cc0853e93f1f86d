"""Attachments: which files may be attached is the kit's one set of file rules
(:mod:`zorgpost_kit.files`: content judged on magic bytes, names without paths, a safe
``Content-Disposition``); what is messaging's own is the virus-scan state of a stored file
and the back-off after a failed scan."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from zorgpost_kit.files import (
    ALLOWED_NAMES,
    ALLOWED_TYPES,
    HEAD_BYTES,
    MAX_FILE_NAME_LENGTH,
    FileType,
    check_file_name,
    check_file_type,
    claimed_type,
    content_disposition,
    detect_type,
    extension_type,
)

__all__ = [
    "ALLOWED_NAMES",
    "ALLOWED_TYPES",
    "FIRST_SCAN_RETRY",
    "HEAD_BYTES",
    "MAX_FILE_NAME_LENGTH",
    "MAX_SCAN_RETRY",
    "FileType",
    "ScanStatus",
    "check_file_name",
    "check_file_type",
    "claimed_type",
    "content_disposition",
    "detect_type",
    "extension_type",
    "scan_retry_delay",
]


class ScanStatus(StrEnum):
    #: No scanner is configured: the file is downloadable, and the docs say it is not scanned.
    NOT_SCANNED = "not_scanned"
    #: Waiting for the scanner: quarantined, not downloadable.
    PENDING = "pending"
    CLEAN = "clean"
    #: The scanner found something: stays quarantined for good.
    INFECTED = "infected"

    @property
    def downloadable(self) -> bool:
        return self in (ScanStatus.NOT_SCANNED, ScanStatus.CLEAN)


#: After a failed scan a file waits this long, doubling per failure up to the maximum; the
#: other files are scanned meanwhile.
FIRST_SCAN_RETRY = timedelta(seconds=30)
MAX_SCAN_RETRY = timedelta(hours=1)


def scan_retry_delay(failed_attempts: int) -> timedelta:
    """How long a file waits before its next scan after ``failed_attempts`` failures."""
    return min(FIRST_SCAN_RETRY * (1 << min(max(failed_attempts - 1, 0), 16)), MAX_SCAN_RETRY)
