"""Which files people may send or upload, judged on their content (magic bytes), never on
the name or the type the sender's device claims; which file names are acceptable; and the
``Content-Disposition`` that downloads a file safely. One set of rules for every service
that takes files (messaging's attachments, the portal's documents).
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from zorgpost_kit.validation import has_control_characters

#: How many bytes the type check reads from the start of a file.
HEAD_BYTES = 4096
MAX_FILE_NAME_LENGTH = 255


@dataclass(frozen=True)
class FileType:
    name: str
    mime: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "application/pdf", (".pdf",))
PNG = FileType("png", "image/png", (".png",))
JPEG = FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"))
HEIC = FileType("heic", "image/heic", (".heic", ".heif"))
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
TXT = FileType("txt", "text/plain", (".txt",))

ALLOWED_TYPES = (PDF, PNG, JPEG, HEIC, DOCX, XLSX, TXT)
ALLOWED_NAMES = ", ".join(file_type.name for file_type in ALLOWED_TYPES)
_BY_MIME = {file_type.mime: file_type for file_type in ALLOWED_TYPES}
_BY_MIME.update({"image/jpg": JPEG, "image/pjpeg": JPEG, "image/heif": HEIC})
_BY_EXTENSION = {extension: file_type for file_type in ALLOWED_TYPES for extension in file_type.extensions}
#: What devices send when they do not know the type: then the name's extension is the claim.
_NO_CLAIM = {"", "application/octet-stream", "binary/octet-stream"}
#: Unicode categories never allowed in a file name: control (Cc), format (Cf: bidi
#: overrides, zero-width characters), line and paragraph separators (Zl, Zp), and the
#: unassigned and private-use code points no font shows the same way (Cn, Co, Cs).
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def check_file_name(name: str) -> str | None:
    """The problem with a file name (for the field error), or None when it is acceptable.

    Names are refused rather than cleaned up: a name with a path in it is a trick or a bug,
    and the sender should know their file was not taken.
    """
    if not name or not name.strip():
        return "has no file name"
    if len(name) > MAX_FILE_NAME_LENGTH:
        return f"file name is longer than {MAX_FILE_NAME_LENGTH} characters"
    if "/" in name or "\\" in name or name.strip() in (".", "..") or ".." in name.split("."):
        return "file name must not contain a path (/, \\ or ..)"
    if any(unicodedata.category(character) in _HIDDEN_CATEGORIES for character in name):
        # Control characters, and the invisible ones that change how a name is shown: a
        # right-to-left override makes "Uitslag_\u202efdp.bat" look like "Uitslag_tab.pdf".
        return "file name contains characters that are not allowed (control or invisible formatting characters)"
    if name.startswith("."):
        return "file name must not start with a dot"
    return None


def detect_type(file: IO[bytes]) -> FileType | None:
    """The allowed type the content is, or None. Reads from the start of ``file``."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04"):
        return _office_type(file)
    if _is_text(file):
        return TXT
    return None


def _office_type(file: IO[bytes]) -> FileType | None:
    """A docx or an xlsx is a ZIP with a content-types part and its main folder."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _is_text(file: IO[bytes]) -> bool:
    """UTF-8 text without control characters (tabs, line breaks and form feeds allowed)."""
    decoder_input = file.read()
    file.seek(0)
    if not decoder_input:
        return False
    try:
        text = decoder_input.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not has_control_characters(text.replace("\f", ""))


def claimed_type(content_type: str, file_name: str) -> FileType | str | None:
    """What the sender claims: an allowed type, None (no claim), or the unknown claim itself."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in _NO_CLAIM:
        return extension_type(file_name)
    return _BY_MIME.get(mime, mime)


def extension_type(file_name: str) -> FileType | None:
    _, dot, extension = file_name.rpartition(".")
    return _BY_EXTENSION.get(f".{extension.lower()}") if dot else None


def check_file_type(file: IO[bytes], content_type: str, file_name: str) -> tuple[FileType | None, str | None]:
    """(the file's type, None) when it is allowed and what it claims to be; else (None, the
    problem).

    The name must end in an extension of the allow-list that matches the content: the name
    is what the recipient's computer opens the file by, so ``factuur.hta`` with text in it,
    ``link.url`` or a ``%PDF-`` polyglot named ``.hta`` is refused, not stored as harmless.
    """
    actual = detect_type(file)
    if actual is None:
        return None, f"content is not an allowed type ({ALLOWED_NAMES})"
    claim = claimed_type(content_type, file_name)
    if isinstance(claim, str):
        return None, f"type {claim} is not allowed"
    if claim is not None and claim != actual:
        return None, f"content is {actual.name}, not the {claim.name} it claims to be"
    by_name = extension_type(file_name)
    if by_name is None:
        return None, f"file name must end in {' or '.join(actual.extensions)} (the content is {actual.name})"
    if by_name != actual:
        return None, f"content is {actual.name}, but the file name says {by_name.name}"
    return actual, None


def content_disposition(file_name: str) -> str:
    """A ``Content-Disposition`` that always downloads and cannot be broken out of: an ASCII
    fallback without quotes or backslashes, and the real name percent-encoded (RFC 6266)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in file_name) or "bijlage"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
