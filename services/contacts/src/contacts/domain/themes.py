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


def offered_themes(
    catalogue: list[Theme], organisation_id: str, supervisors: dict[str, tuple[str, ...]]
) -> list[Theme]:
    """The themes an organisation works with, in the catalogue's order: those it keeps
    itself (a department's own), and those a department supervises it in — the theme kept
    by that department and named in the link (``supervisors``: each supervising
    department's theme codes). A theme of a department that does not supervise the
    organisation in it reaches nobody who may read what is written in it."""
    return [
        theme
        for theme in catalogue
        if theme.kept_by(organisation_id) or theme.id in supervisors.get(theme.department_organisation_id, ())
    ]
