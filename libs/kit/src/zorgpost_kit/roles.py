"""Who may do what: the roles people hold and the capabilities each role gives, in one place.

Every service asks the same question of a verified caller — "may this principal <capability>?"
(:meth:`zorgpost_kit.auth.Principal.can` / ``require``) — and this table answers it. A route
or use case names the capability it needs, never a role, so a role's reach changes here only.

Roles within an organisation (a staff member holds one or more):

- ``admin`` manages the organisation: its staff, teams, settings and security policy, and
  (for a government department) the organisations it supervises. Reading care
  conversations is not part of it: an administrator who also answers mail holds ``staff`` too.
- ``staff`` sends secure mail and answers the organisation's conversations.
- ``practitioner`` works in the client and patient portals (documents, e-consults, agenda)
  and with the practice's clients.
- ``case_handler`` handles the e-counter's cases on a department's side.
- ``helpdesk`` answers questions in the shared inbox and looks up whether a notice arrived.

Outside an organisation: ``person`` (a citizen, client or patient, in the organisation the
token names) and ``guest`` (a secure-mail recipient without an account, one thread only).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    PRACTITIONER = "practitioner"
    CASE_HANDLER = "case_handler"
    HELPDESK = "helpdesk"
    #: A citizen, client or patient.
    PERSON = "person"
    #: A secure-mail recipient without an account (see :mod:`zorgpost_kit.auth`).
    GUEST = "guest"


#: The roles a member of an organisation's staff can hold; an administrator assigns them.
STAFF_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.STAFF, Role.PRACTITIONER, Role.CASE_HANDLER, Role.HELPDESK)


class Capability(StrEnum):
    """Something a caller may do. The value is the machine name errors and the API use."""

    # --- running the organisation (admin)
    MANAGE_STAFF = "manage_staff"
    MANAGE_TEAMS = "manage_teams"
    MANAGE_ORGANISATION_SETTINGS = "manage_organisation_settings"
    MANAGE_SECURITY_POLICY = "manage_security_policy"
    MANAGE_SUPERVISION = "manage_supervision"
    # --- working for the organisation
    #: Read the organisation's profile, settings and teams.
    VIEW_ORGANISATION = "view_organisation"
    SEND_SECURE_MAIL = "send_secure_mail"
    #: Read and answer the organisation's shared inbox and conversations, assign threads,
    #: start conversations on the organisation's behalf.
    WORK_SHARED_INBOX = "work_shared_inbox"
    INVITE_TO_CONVERSATION = "invite_to_conversation"
    #: Practice-made accounts, self-registrations and delegations of the organisation's clients.
    MANAGE_CLIENTS = "manage_clients"
    #: Portal care work: publish documents, answer e-consults, manage the agenda.
    PRACTISE_CARE = "practise_care"
    #: The e-counter's cases on a department's side.
    HANDLE_CASES = "handle_cases"
    #: The technical helpdesk's tickets in the shared inbox of the department running the
    #: e-counter (its other staff do not read them).
    ANSWER_HELPDESK = "answer_helpdesk"
    #: Whether a notice (mail, SMS) of the organisation was delivered.
    VIEW_DELIVERIES = "view_deliveries"
    # --- a person served by an organisation
    USE_PORTAL = "use_portal"
    WRITE_TO_ORGANISATION = "write_to_organisation"


#: What each capability means, in the words an error or an administrator's page shows.
DESCRIPTIONS: dict[Capability, str] = {
    Capability.MANAGE_STAFF: "manage the organisation's staff and their roles",
    Capability.MANAGE_TEAMS: "manage the organisation's teams",
    Capability.MANAGE_ORGANISATION_SETTINGS: "change the organisation's settings",
    Capability.MANAGE_SECURITY_POLICY: "manage the organisation's security policy",
    Capability.MANAGE_SUPERVISION: "manage the organisations a department supervises",
    Capability.VIEW_ORGANISATION: "see the organisation's profile, settings and teams",
    Capability.SEND_SECURE_MAIL: "send secure mail",
    Capability.WORK_SHARED_INBOX: "work in the organisation's shared inbox and conversations",
    Capability.INVITE_TO_CONVERSATION: "invite people into a conversation",
    Capability.MANAGE_CLIENTS: "manage the organisation's clients and their access",
    Capability.PRACTISE_CARE: "work in the portal as a care provider",
    Capability.HANDLE_CASES: "handle e-counter cases",
    Capability.ANSWER_HELPDESK: "answer the technical helpdesk's questions",
    Capability.VIEW_DELIVERIES: "see whether the organisation's notices were delivered",
    Capability.USE_PORTAL: "use the client or patient portal",
    Capability.WRITE_TO_ORGANISATION: "write to an organisation",
}

_ALL_STAFF = frozenset(STAFF_ROLES)

#: The one table: which roles give each capability.
GRANTED_BY: dict[Capability, frozenset[Role]] = {
    Capability.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Capability.MANAGE_TEAMS: frozenset({Role.ADMIN}),
    Capability.MANAGE_ORGANISATION_SETTINGS: frozenset({Role.ADMIN}),
    Capability.MANAGE_SECURITY_POLICY: frozenset({Role.ADMIN}),
    Capability.MANAGE_SUPERVISION: frozenset({Role.ADMIN}),
    Capability.VIEW_ORGANISATION: _ALL_STAFF,
    Capability.SEND_SECURE_MAIL: frozenset({Role.STAFF}),
    Capability.WORK_SHARED_INBOX: frozenset({Role.STAFF, Role.PRACTITIONER, Role.CASE_HANDLER, Role.HELPDESK}),
    Capability.INVITE_TO_CONVERSATION: frozenset({Role.STAFF, Role.PRACTITIONER}),
    Capability.MANAGE_CLIENTS: frozenset({Role.STAFF, Role.PRACTITIONER}),
    Capability.PRACTISE_CARE: frozenset({Role.PRACTITIONER}),
    Capability.HANDLE_CASES: frozenset({Role.CASE_HANDLER}),
    Capability.ANSWER_HELPDESK: frozenset({Role.HELPDESK}),
    Capability.VIEW_DELIVERIES: frozenset({Role.STAFF, Role.PRACTITIONER, Role.HELPDESK}),
    Capability.USE_PORTAL: frozenset({Role.PERSON}),
    Capability.WRITE_TO_ORGANISATION: frozenset({Role.PERSON}),
}

#: Capabilities that act on an organisation's behalf: only a token that names the
#: organisation gives them, whatever its roles say.
ORGANISATION_CAPABILITIES = frozenset(
    capability for capability, roles in GRANTED_BY.items() if roles & _ALL_STAFF
)


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """The known roles among ``names`` (a name this version does not know gives nothing)."""
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if name in known)


def capabilities_of(roles: Iterable[str], *, in_organisation: bool) -> frozenset[Capability]:
    """Everything ``roles`` allow; staff capabilities only ``in_organisation``."""
    held = parse_roles(roles)
    if Role.GUEST in held:
        return frozenset()
    return frozenset(
        capability
        for capability, granting in GRANTED_BY.items()
        if held & granting and (in_organisation or capability not in ORGANISATION_CAPABILITIES)
    )


def is_staff_role(name: str) -> bool:
    return name in {role.value for role in STAFF_ROLES}


def check_staff_roles(names: Iterable[str]) -> tuple[frozenset[Role], list[str]]:
    """(the staff roles among ``names``, the names that are not staff roles)."""
    valid: set[Role] = set()
    unknown: list[str] = []
    for name in names:
        if is_staff_role(name):
            valid.add(Role(name))
        else:
            unknown.append(name)
    return frozenset(valid), unknown
