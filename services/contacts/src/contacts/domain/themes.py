"""The theme catalogue of the e-counter (seed 3): the subjects a department handles
("Erkenning", "Subsidies"), each with the team of the department that answers it.

A theme's id is a lower-case slug: identity's supervision links name themes by it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    name_en: str
    department_organisation_id: str
    department_name: str
    team_name: str

    def kept_by(self, organisation_id: str | None) -> bool:
        return organisation_id is not None and organisation_id == self.department_organisation_id
