"""Contacts' events on the wire: the subject and protobuf of each domain event."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from contacts.domain.contact_persons import (
    ContactPersonAdded,
    ContactPersonChanged,
    ContactPersonConfirmed,
    ContactPersonRemoved,
)
from zorgpost.events.v1 import contacts_events_pb2
from zorgpost_kit.events import EventCodec

CONTACT_PERSON_ADDED = "contacts.contact_person.added"
CONTACT_PERSON_CHANGED = "contacts.contact_person.changed"
CONTACT_PERSON_CONFIRMED = "contacts.contact_person.confirmed"
CONTACT_PERSON_REMOVED = "contacts.contact_person.removed"


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def event_codec() -> EventCodec:
    codec = EventCodec()
    codec.register(
        ContactPersonAdded,
        CONTACT_PERSON_ADDED,
        lambda e: contacts_events_pb2.ContactPersonAdded(
            contact_person_id=e.contact_person_id,
            organisation_id=e.organisation_id,
            organisation_name=e.organisation_name,
            email=e.email,
            display_name=e.display_name,
            token=e.token,
            expires_at=timestamp(e.expires_at),
            theme_names=list(e.theme_names),
        ),
    )
    codec.register(
        ContactPersonChanged,
        CONTACT_PERSON_CHANGED,
        lambda e: contacts_events_pb2.ContactPersonChanged(
            contact_person_id=e.contact_person_id,
            organisation_id=e.organisation_id,
            organisation_name=e.organisation_name,
            email=e.email,
            display_name=e.display_name,
            changed_fields=list(e.changed_fields),
            previous_email=e.previous_email,
            token=e.token,
            expires_at=timestamp(e.expires_at),
        ),
    )
    codec.register(
        ContactPersonConfirmed,
        CONTACT_PERSON_CONFIRMED,
        lambda e: contacts_events_pb2.ContactPersonConfirmed(
            contact_person_id=e.contact_person_id, organisation_id=e.organisation_id
        ),
    )
    codec.register(
        ContactPersonRemoved,
        CONTACT_PERSON_REMOVED,
        lambda e: contacts_events_pb2.ContactPersonRemoved(
            contact_person_id=e.contact_person_id,
            organisation_id=e.organisation_id,
            organisation_name=e.organisation_name,
            email=e.email,
            display_name=e.display_name,
        ),
    )
    return codec
