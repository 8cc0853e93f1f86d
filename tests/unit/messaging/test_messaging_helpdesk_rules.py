"""The technical helpdesk's rules without infrastructure: a question needs a well-formed
address and a text, the confirmation's language is Dutch unless English is asked for, and a
ticket's subject is the question's first line, kept short."""

from __future__ import annotations

import pytest

from messaging.domain.helpdesk import MAX_SUBJECT, ticket_subject
from messaging.service.helpdesk import check_question
from zorgpost_kit.errors import InvalidArgument


def test_a_question_needs_an_address_and_a_text_and_names_every_problem() -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_question("mila@", "  ", "de")
    assert set(refused.value.fields) == {"email", "question", "language"}


def test_the_confirmation_is_dutch_unless_english_is_asked_for() -> None:
    assert check_question("mila@hetanker.example", "Waar vind ik de bijlagen?", "")[2] == "nl"
    assert check_question("mila@hetanker.example", "Where are the attachments?", "en")[2] == "en"


def test_a_tickets_subject_is_the_first_line_kept_short() -> None:
    assert ticket_subject("\n  Ik kan niet inloggen\nDetails volgen.") == "Ik kan niet inloggen"
    long = ticket_subject("x" * 200)
    assert len(long) == MAX_SUBJECT and long.endswith("…")
