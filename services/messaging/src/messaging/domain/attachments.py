"""Attachments: which files may be attached is the kit's one set of file rules
(:mod:`zorgpost_kit.files`: content judged on magic bytes, names without paths, a safe
``Content-Disposition``); what is messaging's own is the virus-scan state of a stored file."""

from __future__ import annotations

from enum import StrEnum

from zorgpost_kit.files import (
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
    "ALLOWED_TYPES",
    "HEAD_BYTES",
    "MAX_FILE_NAME_LENGTH",
    "FileType",
    "ScanStatus",
    "check_file_name",
    "check_file_type",
    "claimed_type",
    "content_disposition",
    "detect_type",
    "extension_type",
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
