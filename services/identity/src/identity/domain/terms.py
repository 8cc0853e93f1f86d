"""The terms of use and privacy statement a new account accepts, and the record of who
accepted which version when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from zorgpost_kit.errors import FieldErrors


class Document(StrEnum):
    TERMS = "terms"
    PRIVACY = "privacy"


#: The versions a new account must accept now. A new version is a new constant value
#: (and a migration-free change): acceptances of older versions stay on record.
CURRENT_VERSIONS: dict[Document, str] = {Document.TERMS: "2026-01", Document.PRIVACY: "2026-01"}


@dataclass(frozen=True)
class Acceptance:
    account_id: str
    document: Document
    version: str
    accepted_at: datetime


def check_accepted_current_versions(terms_version: str, privacy_version: str, errors: FieldErrors) -> None:
    """Records a problem unless the caller accepted exactly the current versions (an empty
    version means "not accepted")."""
    for field, given, document in (
        ("terms_version", terms_version, Document.TERMS),
        ("privacy_version", privacy_version, Document.PRIVACY),
    ):
        if not given:
            errors.add(field, "must be accepted")
        elif given != CURRENT_VERSIONS[document]:
            errors.add(field, f"is not the current version ({CURRENT_VERSIONS[document]})")


def acceptances(account_id: str, now: datetime) -> list[Acceptance]:
    """The acceptance records of the current versions by ``account_id`` at ``now``."""
    return [Acceptance(account_id, document, version, now) for document, version in CURRENT_VERSIONS.items()]
