"""Reports and documents in the dossier (seed 4, "Verslagen" and "Documenten").

The practitioner publishes reports and documents for a person; some ask for approval ("ik ga
akkoord"), which each person who approves gives once, with its time, never taken back or
overwritten. The person (or whoever acts for them) uploads documents of their own; files
are taken by the kit's one set of file rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class DocumentKind(StrEnum):
    REPORT = "report"
    DOCUMENT = "document"
    #: "De overeenkomst" of a care trajectory: every party must approve it.
    AGREEMENT = "agreement"


class DocumentSource(StrEnum):
    PRACTICE = "practice"
    CLIENT = "client"


@dataclass(frozen=True)
class StoredFile:
    file_name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Approval:
    document_id: str
    person_id: str
    #: Who approved (the person, or a parent acting for them).
    approved_by: str
    approved_by_name: str
    approved_at: datetime


@dataclass
class Document:
    id: str
    person_id: str
    organisation_id: str
    kind: DocumentKind
    source: DocumentSource
    title: str
    file: StoredFile
    created_at: datetime
    created_by: str
    created_by_name: str
    requires_approval: bool = False
    trajectory_id: str | None = None
    approvals: list[Approval] = field(default_factory=list)

    def approved_by(self, account_id: str) -> Approval | None:
        return next((a for a in self.approvals if a.approved_by == account_id), None)

    def pending_for(self, account_id: str) -> bool:
        """Marked "?" in the list: approval asked and not yet given by this account."""
        return self.requires_approval and self.approved_by(account_id) is None


#: The longest title of a document.
MAX_TITLE_LENGTH = 200
