"""Who calls the portal, and for whom.

A person's portal is theirs: every call about it is about the token's ``sub`` (the
person), also when someone else acts for them with an act-as token (a parent for a child,
a proxy for a patient; ``act.sub`` is then the actor, and identity confirms on every use
that the delegation behind the token still holds). Whatever is changed records both: the
person it is about and the one who did it.

Who may do what is the kit's one table (:mod:`zorgpost_kit.roles`), asked here only: a
person's portal is for whoever may use it (``use_portal``: the person, or someone acting for
them with the person's token), the practice's back office for its practitioners
(``practise_care``, given by the ``practitioner`` role). Anyone else is refused with
:class:`~zorgpost_kit.auth.NotPermitted` (403 ``not_permitted``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.roles import Capability


def new_id() -> str:
    return str(uuid.uuid4())


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
    """A practitioner working for ``organisation_id``."""

    account_id: str
    organisation_id: str
    organisation_name: str
    #: How the practitioner signs what they publish.
    name: str = ""


def person_caller(principal: Principal) -> PersonCaller:
    """The portal of the token's person, for whoever may use a portal (403 for staff and
    guests)."""
    principal.require(Capability.USE_PORTAL)
    return portal_of(principal)


def portal_of(principal: Principal) -> PersonCaller:
    """The portal of the token's person, whoever the caller is: the caller checks first.
    Someone without an organisation has no practice and so no portal data: their calls find
    nothing (an empty organisation matches no row)."""
    return PersonCaller(
        principal.subject_id, principal.actor_id, principal.organisation_id or "", principal.organisation_name or ""
    )


def practice_caller(principal: Principal, name: str = "") -> PracticeCaller:
    """A practitioner of the organisation the token names (403 for anyone else, also for a
    token that acts for someone: the back office is never worked on another's behalf)."""
    principal.require(Capability.PRACTISE_CARE)
    if principal.acts_on_behalf or principal.organisation_id is None:
        raise NotPermitted(Capability.PRACTISE_CARE)
    return PracticeCaller(principal.subject_id, principal.organisation_id, principal.organisation_name or "", name)
