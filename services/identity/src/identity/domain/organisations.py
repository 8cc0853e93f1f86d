"""Organisations as an operator sets them up: a kind, a name, a security policy, and a first
administrator who is invited by mail; renamed and deactivated by the operator later.

Deactivating an organisation ends its staff's access (their logins and every session) and
keeps everything else: its conversations, its clients' accounts and its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity.domain.accounts import OrganisationKind
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.events import DomainEvent

#: Longest organisation name (it heads every notice sent on the organisation's behalf).
ORGANISATION_NAME_MAX_LENGTH = 200


def check_kind(value: str, errors: FieldErrors, field: str = "kind") -> OrganisationKind | None:
    try:
        return OrganisationKind(value)
    except ValueError:
        errors.add(field, "must be one of " + ", ".join(kind.value for kind in OrganisationKind))
        return None


@dataclass(frozen=True, kw_only=True)
class OrganisationCreated(DomainEvent):
    organisation_id: str
    name: str
    kind: OrganisationKind
    password_preset: str
    second_factor: str


@dataclass(frozen=True, kw_only=True)
class OrganisationRenamed(DomainEvent):
    organisation_id: str
    previous_name: str
    name: str


@dataclass(frozen=True, kw_only=True)
class OrganisationDeactivated(DomainEvent):
    organisation_id: str
    name: str
    #: How many staff accounts lost their access with it.
    staff_deactivated: int
