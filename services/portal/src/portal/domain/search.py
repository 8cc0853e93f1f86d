"""Searching one's own dossier (seed 4, "Mijn Dossier" with a magnifying glass): the
reports, documents, results, medication and one's own diary notes whose title, name or text
holds what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: What is searched for, once trimmed: long enough to mean something, short enough to be a
#: search and not a text.
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100


class HitKind(StrEnum):
    REPORT = "report"
    DOCUMENT = "document"
    RESULT = "result"
    MEDICATION = "medication"
    DIARY = "diary"


@dataclass(frozen=True)
class DossierHit:
    kind: HitKind
    id: str
    #: A document's or result's title, a medicine's name, the start of a diary note.
    title: str
    #: When it came into the dossier: newest first.
    at: datetime
