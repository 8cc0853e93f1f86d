"""The web front end's language, texts and form errors: Dutch by default, English on
request, every text in both languages, a refused save mapped onto the form's fields."""

from __future__ import annotations

import io
import re
from importlib.resources import files
from pathlib import Path

import pytest

from messaging.domain.attachments import check_file_name, check_file_type
from messaging.service.common import Caller, check_line, decode_cursor
from messaging.service.conversations import ParticipantRef, check_start_thread
from web.entrypoints.context import safe_next
from web.entrypoints.rendering import rule_attributes
from web.forms import Form
from web.i18n import field_message, negotiate, translate
from web.service.ports import FieldProblem, GatewayError
from web.texts import TEXTS
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import FieldErrors, InvalidArgument


@pytest.mark.parametrize(
    ("chosen", "accept", "expected"),
    [
        (None, None, "nl"),
        (None, "de-DE,de;q=0.9", "nl"),
        (None, "en-GB,en;q=0.9,nl;q=0.8", "en"),
        (None, "nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        (None, "de;q=1.0, en;q=0.5, nl;q=0.7", "nl"),
        (None, "en;q=0", "nl"),
        ("en", "nl-NL", "en"),
        ("nl", "en-US", "nl"),
        ("fr", "en-US", "en"),
    ],
)
def test_the_language_is_the_choice_then_the_browsers_then_dutch(
    chosen: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(chosen, accept) == expected


def test_every_text_is_there_in_dutch_and_english() -> None:
    for key, (dutch, english) in TEXTS.items():
        assert dutch.strip() and english.strip(), key
        assert set(re.findall(r"\{(\w+)\}", dutch)) == set(re.findall(r"\{(\w+)\}", english)), key


def _used_keys() -> tuple[set[str], set[str]]:
    """Keys used literally, and prefixes of keys put together (``'state.' ~ state``)."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    root = Path(str(files("web")))
    sources = [path.read_text(encoding="utf-8") for path in (root / "templates").rglob("*.j2")]
    sources += [path.read_text(encoding="utf-8") for path in (root / "entrypoints").rglob("*.py")]
    for source in sources:
        literal |= set(re.findall(r"""t\(\s*'([a-z_][\w.-]*[\w-])'""", source))
        groups = "flash|form|error|problem|password|login|terms|reset"
        literal |= set(re.findall(r"""["']((?:""" + groups + r""")\.[\w.-]*[\w-])["']""", source))
        prefixes |= set(re.findall(r"""t\(\s*'([a-z_][\w.-]*\.)'\s*~""", source))
    return literal, prefixes


def test_every_text_a_page_asks_for_exists() -> None:
    literal, prefixes = _used_keys()
    assert literal and prefixes
    assert sorted(key for key in literal if key not in TEXTS) == []
    assert sorted(prefix for prefix in prefixes if not any(key.startswith(prefix) for key in TEXTS)) == []


def test_a_service_field_message_reads_as_a_sentence_in_the_pages_language() -> None:
    assert field_message("nl", "is required") == "Vul dit veld in."
    assert field_message("en", "is required") == "Fill in this field."
    assert field_message("nl", "is longer than 200 characters") == "Gebruik hoogstens 200 tekens."
    assert field_message("nl", "does not match; 2 attempt(s) left") == "Dit klopt niet. U heeft nog 2 poging(en)."
    assert field_message("nl", "cannot read this kind of conversation").startswith("Deze collega kan")
    assert field_message("en", "is not a theme a department supervises your organisation in") == (
        "No department supervises your organisation in this theme."
    )
    assert field_message("nl", "something new") == "something new"


def test_a_refusal_lands_next_to_its_fields_with_the_password_rules_in_words() -> None:
    form = Form("nl", {"first_name": "person.first_name", "password": "password.password"})
    rules = [{"code": "min_length", "nl": "Gebruik tenminste 8 karakters", "en": "Use at least 8 characters"}]
    error = GatewayError(
        422,
        "invalid_argument",
        "Invalid fields",
        [
            FieldProblem("first_name", "is required"),
            FieldProblem("password.min_length", "use at least 8 characters"),
            FieldProblem("terms_version", "must be accepted"),
        ],
    )

    form.take(error, rules=rules)

    assert form.errors == {"first_name": ["Vul dit veld in."], "password": ["Gebruik tenminste 8 karakters"]}
    assert form.general == ["terms_version: Ga akkoord om verder te gaan."]
    anchors = [item.anchor for item in form.summary()]
    assert anchors == ["#form-errors", "#field-first-name", "#field-password"]


def test_a_refusal_without_fields_is_told_in_words_not_codes() -> None:
    form = Form("en", {"username": "login.username"})
    form.take(GatewayError(401, "invalid_credentials", "Wrong credentials"))
    assert form.general == [translate("en", "problem.invalid_credentials")]
    other = Form("nl", {})
    other.take(GatewayError(409, "something_unforeseen", ""))
    assert other.general == [translate("nl", "problem.status.409")]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", ""])
def test_a_next_address_elsewhere_is_never_followed(target: str) -> None:
    assert safe_next(target) == "/"


def test_a_next_address_on_the_site_is_kept() -> None:
    assert safe_next("/delegations/abc?x=1") == "/delegations/abc?x=1"


def test_the_checklist_knows_each_rules_number_and_allowed_characters() -> None:
    assert rule_attributes({"code": "min_length", "nl": "…", "en": "Use at least 12 characters"}) == {
        "data-rule": "min_length",
        "data-count": "12",
    }
    special = rule_attributes({"code": "special", "nl": "…", "en": "Use at least 1 special character from: ! # %"})
    assert special["data-allowed"] == "!#%"


def _messages_the_services_produce() -> list[str]:
    """Field messages as messaging and identity word them, made by their own code where it
    can be called on its own (file checks, one-line fields, cursors, participants)."""
    pdf = b"%PDF-1.7\n%%EOF\n"
    made = [
        check_file_name("a" * 300 + ".pdf"),
        check_file_name("Uitslag_\u202efdp.bat"),
        check_file_name(".verborgen.pdf"),
        "brief: " + str(check_file_type(io.BytesIO(pdf), "application/octet-stream", "brief")[1]),
        "foto.png: " + str(check_file_type(io.BytesIO(pdf), "application/pdf", "foto.png")[1]),
    ]
    errors = FieldErrors()
    check_line("twee\nregels", "subject", errors, max_length=200)
    with pytest.raises(InvalidArgument) as one_line:
        errors.raise_if_any()
    staff = Caller(Principal("jan", "jan", "s", "org-x", "Gemeente", frozenset({"staff"})))
    client = "00000000-0000-4000-8000-000000000002"
    with pytest.raises(InvalidArgument) as participants:
        refs = [ParticipantRef(), ParticipantRef(client), ParticipantRef(client)]
        check_start_thread(staff, "care", "Zorg", "", "", refs)
    with pytest.raises(InvalidArgument) as cursor:
        decode_cursor("rommel")
    for refused in (one_line, participants, cursor):
        made.extend(refused.value.fields.values())
    # Raised deep inside use cases that need a whole service around them; worded there so.
    made += [
        "is not a conversation you take part in",
        "nobody can be invited into this kind of conversation",
        "is not a staff member of your organisation",
    ]
    return [message for message in made if message]


def test_every_field_message_of_files_conversations_and_lists_reads_in_dutch_and_english() -> None:
    messages = _messages_the_services_produce()
    assert len(messages) == 12
    for message in messages:
        dutch, english = field_message("nl", message), field_message("en", message)
        assert dutch != message, f"no Dutch for {message!r}"
        assert english != message and english.endswith("."), f"no English sentence for {message!r}"


def test_every_action_the_portal_records_reads_in_words() -> None:
    """ "Wie deed wat": each action name the portal's use cases record (``<what>.<how>``
    literals in its service layer) has Dutch and English words, never the code itself."""
    service = files("portal") / "service"
    recorded: set[str] = set()
    for source in service.iterdir():
        if source.name.endswith(".py"):
            recorded |= set(re.findall(r'"([a-z]+\.[a-z_]+)"', source.read_text(encoding="utf-8")))
    assert {"appointment.booked", "record.change_accepted", "medication.stopped"} <= recorded
    assert sorted(name for name in recorded if f"portal.actions.action.{name}" not in TEXTS) == []
