"""Who calls the portal, and for whom.

A person's portal is theirs: every call about it is about the token's ``sub`` (the
person), also when someone else acts for them with an act-as token (a parent for a child,
a proxy for a patient; ``act.sub`` is then the actor, and identity confirms on every use
that the delegation behind the token still holds). Whatever is changed records both: the
person it is about and the one who did it.

Who works in a practice's back office is decided in one place, :func:`is_practitioner`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.domain.errors import PractitionersOnly
from zorgpost_kit.auth import Principal


def new_id() -> str:
    return str(uuid.uuid4())


def is_practitioner(principal: Principal) -> bool:
    """May this caller use the practice's back office (practitioners and assistants)?

    Staff of the organisation today; when identity's roles name practitioners and
    assistants, this is the one line that changes."""
    return principal.works_for_organisation and not principal.acts_on_behalf


@dataclass(frozen=True)
class PersonCaller:
    """A call in someone's portal: ``person_id`` is whose portal, ``actor_id`` who acts."""

    person_id: str
    actor_id: str
    organisation_id: str
    organisation_name: str = ""

    @property
    def on_behalf(self) -> bool:
        return self.person_id != self.actor_id


@dataclass(frozen=True)
class PracticeCaller:
    """A practitioner or assistant working for ``organisation_id``."""

    account_id: str
    organisation_id: str
    organisation_name: str
    #: How the practitioner signs what they publish.
    name: str = ""


def person_caller(principal: Principal) -> PersonCaller:
    """The portal of the token's person. Someone without an organisation has no practice and
    so no portal data: their calls find nothing (an empty organisation matches no row)."""
    return PersonCaller(
        principal.subject_id, principal.actor_id, principal.organisation_id or "", principal.organisation_name or ""
    )


def practice_caller(principal: Principal, name: str = "") -> PracticeCaller:
    if not is_practitioner(principal) or principal.organisation_id is None:
        raise PractitionersOnly()
    return PracticeCaller(principal.subject_id, principal.organisation_id, principal.organisation_name or "", name)
