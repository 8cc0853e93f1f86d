"""The e-counter's rules (seed 3) without infrastructure: reference numbers, each side's
entries of a message, who is told, the rule of at least one contact for the theme, and the
checks of a message's contacts and of a list's filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from messaging.domain.ecounter import (
    Box,
    EcounterCase,
    EntryStatus,
    MessageContact,
    NoContactForTheme,
    StandardContact,
    entries_for_message,
    format_reference,
    who_is_told,
)
from messaging.service.ecounter import (
    ContactChanges,
    ContactInput,
    ListRequest,
    check_contact_changes,
    check_list_request,
    require_a_contact,
)
from messaging.service.ports import ThemeContacts
from zorgpost_kit.errors import FieldErrors, InvalidArgument

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CASE = EcounterCase(
    "thread-1", "2026-000007", "erkenning", "Erkenning", "org-anker", "Het Anker", "org-dep", "Departement Zorg",
    "Team Erkenningen", NOW,
)  # fmt: skip
JAN = StandardContact("p-jan", "Jan", "Janssens", "jan@anker.be", "+3225533500", confirmed=True)
ELS = StandardContact("p-els", "Els", "Peeters", "els@anker.be", "+3225533501", confirmed=False)
OWN = MessageContact("c-1", "thread-1", "Piet", "Eigen", "piet@anker.be", "+3225533502")


def theme(*persons: StandardContact, emails: set[str] | None = None) -> ThemeContacts:
    return ThemeContacts(
        "erkenning", "Erkenning", "org-dep", "Departement Zorg", "Team Erkenningen", list(persons),
        emails if emails is not None else {p.email for p in persons},
    )  # fmt: skip


def test_a_reference_is_the_year_and_a_six_digit_number() -> None:
    assert format_reference(2026, 123) == "2026-000123"


def test_a_message_is_sent_for_its_sender_and_received_for_the_other_side() -> None:
    sent, received = entries_for_message(
        CASE, sender_organisation_id="org-anker", message_id="m-1", title="Vraag", sender_name="Anke", sent_at=NOW
    )

    assert (sent.organisation_id, sent.box, sent.status, sent.counterpart_name) == (
        "org-anker", Box.SENT, EntryStatus.SENT, "Departement Zorg",
    )  # fmt: skip
    assert (received.organisation_id, received.box, received.status) == ("org-dep", Box.RECEIVED, EntryStatus.NEW)
    assert sent.reference == received.reference == "2026-000007"
    assert CASE.received_by == "Team Erkenningen (Departement Zorg)"


def test_told_are_confirmed_contacts_not_taken_off_and_the_messages_own() -> None:
    told = who_is_told([JAN, ELS], set(), [OWN])
    assert [t.email for t in told] == ["jan@anker.be", "piet@anker.be"]
    assert [t.email for t in who_is_told([JAN, ELS], {"p-jan"}, [OWN])] == ["piet@anker.be"]


def test_an_organisation_needs_a_contact_for_the_theme() -> None:
    with pytest.raises(NoContactForTheme):
        require_a_contact(theme(ELS), set(), [], [])
    with pytest.raises(NoContactForTheme):
        require_a_contact(theme(JAN), {"p-jan"}, [], [])
    require_a_contact(theme(JAN), set(), [], [])
    require_a_contact(theme(ELS), set(), [OWN], [])
    require_a_contact(theme(), set(), [], [ContactInput("A", "B", "a@anker.be", "+3225533503")])


def test_a_messages_contacts_are_checked_field_by_field() -> None:
    errors = FieldErrors()
    changes = ContactChanges(
        add=(ContactInput("", "B", "els@anker.be", ""), ContactInput("C", "D", "c@", "+3225533503")),
        remove=("p-jan", "c-1", "unknown"),
    )

    added, excluded, dropped = check_contact_changes(changes, theme(JAN, ELS), [OWN], errors)

    with pytest.raises(InvalidArgument) as refused:
        errors.raise_if_any()
    assert set(refused.value.fields) == {
        "contacts[0].first_name", "contacts[0].email", "contacts[0].phone", "contacts[1].email",
        "removed_contact_ids[2]",
    }  # fmt: skip
    assert excluded == {"p-jan"} and dropped == {"c-1"} and len(added) == 2


def test_a_contact_changed_for_this_message_only_keeps_their_address_but_not_as_a_new_standard_one() -> None:
    """Changing a contact for this message is taking them off it and adding the new details
    as the message's own: the address is free for that, not for a second standard contact."""
    changed = ContactChanges(
        add=(ContactInput("Jan", "Janssens", "JAN@anker.be", "+3225533599"),
             ContactInput("Piet", "Eigen", "piet@anker.be", "+3225533598")),
        remove=("p-jan", "c-1"),
    )  # fmt: skip
    errors = FieldErrors()
    added, excluded, dropped = check_contact_changes(changed, theme(JAN), [OWN], errors)
    errors.raise_if_any()
    assert [c.phone for c in added] == ["+3225533599", "+3225533598"]
    assert excluded == {"p-jan"} and dropped == {"c-1"}

    for kept in (
        ContactChanges(add=(ContactInput("Jan", "Janssens", "jan@anker.be", "+3225533599"),)),
        ContactChanges(add=(ContactInput("Jan", "Janssens", "jan@anker.be", "+3225533599", True),), remove=("p-jan",)),
    ):
        errors = FieldErrors()
        check_contact_changes(kept, theme(JAN), [], errors)
        with pytest.raises(InvalidArgument) as refused:
            errors.raise_if_any()
        assert set(refused.value.fields) == {"contacts[0].email"}


def test_list_filters_are_checked_and_the_page_is_five_by_default() -> None:
    narrowed, cursor, limit = check_list_request(ListRequest(box="received", sent_from="2026-03-01"))
    assert limit == 5 and cursor is None and narrowed.box is Box.RECEIVED and narrowed.sent_from is not None

    with pytest.raises(InvalidArgument) as refused:
        check_list_request(
            ListRequest(box="out", status="x", sent_from="2026-03-02", sent_until="2026-03-01", cursor="??")
        )
    assert set(refused.value.fields) == {"box", "status", "sent_until", "cursor"}
