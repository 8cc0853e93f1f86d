"""The diary (seed 4, "Dagboek"): notes kept in someone's portal, private or shared with the
practitioner.

A note is its author's: in a child's portal, the child's notes and a parent's notes are
each visible to their own author only, and to the practice when shared. So a youth's
private diary stays private from the parents who may act for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_BODY_LENGTH = 20_000


@dataclass
class DiaryEntry:
    id: str
    person_id: str
    organisation_id: str
    author_id: str
    body: str
    shared: bool
    written_at: datetime
    updated_at: datetime

    def visible_to(self, account_id: str) -> bool:
        return self.author_id == account_id
