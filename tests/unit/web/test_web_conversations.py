"""The conversation pages' own rules: times and sizes as people say them, search results
marked without letting a message become markup, a refused file named next to the file
field, the live events relayed for the session's person only, and the secure-mail guest
token kept on the server, under its own link, for as long as it lives."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fakes import Call, FakeStore, FakeStream, ScriptedGateway, csrf_token

from web.domain.moments import describe_moment, describe_size
from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for
from web.entrypoints.conversation import MESSAGE_FIELDS, refusal_on_form
from web.entrypoints.notice_links import page_for_thread
from web.entrypoints.rendering import highlight
from web.forms import Form
from web.service.ports import FieldProblem, GatewayError

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 13:00 in Amsterdam


# --------------------------------------------------------------------------- words and numbers


@pytest.mark.parametrize(
    ("ago", "language", "expected"),
    [
        (timedelta(seconds=20), "nl", "een paar seconden geleden"),
        (timedelta(seconds=20), "en", "a few seconds ago"),
        (timedelta(seconds=90), "nl", "een minuut geleden"),
        (timedelta(minutes=25), "nl", "25 minuten geleden"),
        (timedelta(hours=3), "nl", "vandaag om 10:00"),
        (timedelta(hours=20), "en", "yesterday at 17:00"),
        (timedelta(days=3), "nl", "7 mrt om 13:00"),
        (timedelta(days=400), "en", "3 Feb 2025 at 13:00"),
    ],
)
def test_a_moment_is_said_as_people_say_it_on_the_dutch_clock(ago: timedelta, language: str, expected: str) -> None:
    assert describe_moment(NOW - ago, NOW, language) == expected


def test_the_day_changes_at_midnight_in_amsterdam_not_in_utc() -> None:
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 on 11 March in Amsterdam
    assert describe_moment(datetime(2026, 3, 10, 22, 0, tzinfo=UTC), late, "nl") == "gisteren om 23:00"


def test_a_file_size_in_kilobytes_or_megabytes_with_the_dutch_decimal_comma() -> None:
    assert describe_size(512, "nl") == "512 B"
    assert describe_size(34_000, "nl") == "34 kB"
    assert describe_size(1_250_000, "nl") == "1,2 MB"
    assert describe_size(1_250_000, "en") == "1.2 MB"


def test_a_search_result_marks_the_words_and_escapes_the_message() -> None:
    marked = highlight("<b>Hoi</b> allemaal, hoi!", ["hoi"])
    assert str(marked) == "&lt;b&gt;<mark>Hoi</mark>&lt;/b&gt; allemaal, <mark>hoi</mark>!"


def test_a_long_message_shows_the_part_around_the_word_found() -> None:
    text = "a" * 1000 + " afspraak " + "b" * 1000
    marked = str(highlight(text, ["afspraak"]))
    assert "<mark>afspraak</mark>" in marked
    assert marked.startswith("…") and marked.endswith("…")
    assert len(marked) < 400


def test_a_refused_file_is_named_next_to_the_file_field() -> None:
    with_field = Form("nl", MESSAGE_FIELDS)
    refusal_on_form(with_field, GatewayError(415, "unsupported_attachment_type", "", [FieldProblem("files[1]", "x")]))
    assert with_field.errors == {"files": ["x"]}
    without_field = Form("nl", MESSAGE_FIELDS)
    refusal_on_form(without_field, GatewayError(413, "attachment_too_large", ""))
    assert without_field.errors == {"files": ["Dit bestand is te groot (hoogstens 20 MB)."]}


def test_a_file_too_large_reads_in_dutch() -> None:
    form = Form("nl", MESSAGE_FIELDS)
    form.take(
        GatewayError(413, "attachment_too_large", "", [FieldProblem("files[0]", "scan.pdf is larger than 20 MiB")])
    )
    assert form.errors == {"files": ["scan.pdf is groter dan 20 MiB."]}


# --------------------------------------------------------------------------- the app with fakes

THREAD: dict[str, Any] = {
    "id": "th1",
    "kind": "secure_mail",
    "subject": "Uw aanvraag",
    "state": "open",
    "reference": None,
    "organisation": {"id": "o1", "name": "Gemeente Haarlemmermeer"},
    "other_party_name": "Gemeente Haarlemmermeer",
    "last_message": None,
    "last_activity_at": "2026-03-10T11:00:00Z",
    "unread_count": 0,
    "assigned_to": None,
    "created_at": "2026-03-10T11:00:00Z",
    "opened_by_recipient": True,
    "message_count": 1,
    "participants": [],
    "older_cursor": None,
    "withdrawable_by_me": False,
    "messages": [
        {
            "id": "m1",
            "thread_id": "th1",
            "seq": 1,
            "body": "Uw aanvraag is toegekend.",
            "sender": {
                "id": "p1",
                "kind": "account",
                "display_name": "Mila",
                "account_id": "s1",
                "organisation_id": "o1",
            },
            "sent_at": "2026-03-10T11:00:00Z",
            "attachments": [],
            "like_count": 0,
            "liked_by_me": False,
            "seen_by_count": 0,
            "forwarded_from": None,
        }
    ],
}
GUEST_TOKEN = "guest-token-that-must-stay-on-the-server"


def _sign_in(client: TestClient, store: FakeStore) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("a1", "Anna", "anna@example.org", "", ["person"], "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def test_the_live_events_are_relayed_with_the_persons_token_and_resume_where_they_left_off(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    assert client.get("/messages/events").status_code == 204, "nobody signed in: the browser stops asking"
    _sign_in(client, store)
    events = b'id: 42\nevent: message.sent\ndata: {"thread_id": "th1"}\n\n'
    gateway.answers[("GET", "/events")] = lambda call: FakeStream([b"retry: 3000\n\n", events])

    answer = client.get("/messages/events", headers={"Last-Event-ID": "41"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.content == b"retry: 3000\n\n" + events
    assert gateway.calls[-1] == Call("GET", "/events", "access-1", None, {"Last-Event-ID": "41"})

    client.get("/messages/events?after=7")
    assert gateway.calls[-1].headers == {"Last-Event-ID": "7"}
    client.get("/messages/events", headers={"Last-Event-ID": "not a position"})
    assert gateway.calls[-1].headers == {}


def _open_mail(client: TestClient, gateway: ScriptedGateway, link: str = "link-1") -> str:
    gateway.answers[("POST", f"/secure-mail-access/{link}/code")] = {
        "channel": "sms",
        "destination": "+316******78",
        "expires_at": "2026-03-10T12:15:00Z",
    }
    gateway.answers[("POST", f"/secure-mail-access/{link}/open")] = lambda call: (
        {"access_token": GUEST_TOKEN, "token_type": "Bearer", "expires_in": 900, "thread": THREAD}
        if call.json == {"code": "123456"}
        else GatewayError(401, "incorrect_access_code", "")
    )
    gateway.answers[("GET", "/threads/th1")] = lambda call: (
        THREAD if call.token == GUEST_TOKEN else GatewayError(404, "thread_not_found", "")
    )
    start = client.get(f"/secure-mail/{link}")
    assert "Toegangscode aanvragen" in start.text
    token = csrf_token(start.text)
    asked = client.post(f"/secure-mail/{link}/code", data={"csrf_token": token}, follow_redirects=True)
    assert "per sms gestuurd naar +316******78" in asked.text
    return token


def test_the_guest_token_stays_on_the_server_and_works_only_under_its_own_link(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    csrf = _open_mail(client, gateway)
    wrong = client.post("/secure-mail/link-1/open", data={"csrf_token": csrf, "code": "654321"})
    assert wrong.status_code == 401
    assert "Deze code klopt niet" in wrong.text

    opened = client.post(
        "/secure-mail/link-1/open", data={"csrf_token": csrf, "code": "123 456"}, follow_redirects=True
    )
    assert "Uw aanvraag is toegekend." in opened.text
    for answer in [wrong, opened, *opened.history]:
        assert GUEST_TOKEN not in answer.text
        assert GUEST_TOKEN not in str(answer.headers)
    assert GUEST_TOKEN not in str(dict(client.cookies))

    other = client.get("/secure-mail/link-2")
    assert "Toegangscode aanvragen" in other.text, "another link asks for its own code"
    assert all(call.token != GUEST_TOKEN for call in gateway.calls if "link-2" in call.path)


def test_a_guest_whose_access_ran_out_asks_for_a_new_code(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    csrf = _open_mail(client, gateway)
    client.post("/secure-mail/link-1/open", data={"csrf_token": csrf, "code": "123456"})
    [state] = store.rows.values()
    for link in state["pending"]["secure_mail"].values():
        link["expires_at"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()

    before = len(gateway.calls)
    later = client.get("/secure-mail/link-1")
    assert "Uw toegang is verlopen" in later.text
    assert "Toegangscode aanvragen" in later.text
    assert not any(call.token == GUEST_TOKEN for call in gateway.calls[before:]), "an ended token is not used"


def test_a_link_that_no_longer_works_says_so(client: TestClient, gateway: ScriptedGateway) -> None:
    gateway.answers[("POST", "/secure-mail-access/gone/code")] = GatewayError(404, "read_link_not_found", "")
    csrf = csrf_token(client.get("/secure-mail/gone").text)
    answer = client.post("/secure-mail/gone/code", data={"csrf_token": csrf})
    assert answer.status_code == 404
    assert "Deze link werkt niet (meer)" in answer.text


def test_a_link_whose_codes_are_used_up_asks_for_a_new_link_and_a_busy_one_to_wait(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("POST", "/secure-mail-access/op/code")] = GatewayError(429, "access_codes_used_up", "")
    csrf = csrf_token(client.get("/secure-mail/op").text)
    answer = client.post("/secure-mail/op/code", data={"csrf_token": csrf})
    assert answer.status_code == 429
    assert "Vraag de afzender om een nieuwe link." in answer.text

    gateway.answers[("POST", "/secure-mail-access/op/code")] = GatewayError(429, "too_many_requests", "")
    answer = client.post("/secure-mail/op/code", data={"csrf_token": csrf})
    assert "Wacht even en probeer het daarna opnieuw." in answer.text


def test_a_forms_address_opened_as_a_page_leads_to_its_page_not_to_itself(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    for path, page in (
        ("/messages/th1/send", "/messages/th1"),
        ("/messages/th1/like/m1", "/messages/th1"),
        ("/staff/inbox/th1/reply", "/staff/inbox/th1"),
    ):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, page)


def test_a_form_sent_after_the_session_ended_comes_back_to_its_page_after_signing_in(client: TestClient) -> None:
    answer = client.post("/messages/th1/send", data={"body": "Hallo"}, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=%2Fmessages%2Fth1")


def test_the_link_of_a_new_message_notice_signs_in_first_then_opens_the_right_page(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    answer = client.get("/threads/th1", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=%2Fthreads%2Fth1")

    _sign_in(client, store)
    me = {"id": "p2", "kind": "account", "display_name": "Anna", "account_id": "a1", "organisation_id": None}
    gateway.answers[("GET", "/threads/th1")] = {**THREAD, "kind": "chat", "participants": [me]}
    answer = client.get("/threads/th1", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/messages/th1")


def test_a_staff_member_lands_in_the_shared_inbox_for_a_thread_of_their_organisation() -> None:
    inbox = {"id": "p0", "kind": "organisation", "display_name": "Org", "account_id": None, "organisation_id": "o1"}
    mine = {"id": "p2", "kind": "account", "display_name": "Mila", "account_id": "s1", "organisation_id": "o1"}
    assert page_for_thread({**THREAD, "participants": [inbox, mine]}, "s1", True) == "/staff/inbox/th1"
    # A chat of their own (no shared inbox in it), or a person: the messenger.
    assert page_for_thread({**THREAD, "kind": "chat", "participants": [mine]}, "s1", True) == "/messages/th1"
    assert page_for_thread({**THREAD, "participants": [inbox, mine]}, "s1", False) == "/messages/th1"


def test_a_value_from_the_address_is_one_quoted_segment_of_the_gateway_path(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    csrf = csrf_token(client.get("/secure-mail/x%3Fy%23z").text)
    client.post("/secure-mail/x%3Fy%23z/code", data={"csrf_token": csrf})
    _sign_in(client, store)
    client.get("/messages/th1%3Flimit=1")
    client.get("/messages/%2E%2E")
    paths = [call.path for call in gateway.calls]
    assert "/secure-mail-access/x%3Fy%23z/code" in paths
    assert "/threads/th1%3Flimit%3D1" in paths
    assert "/threads/%2E%2E" in paths
    assert not any("?" in path or "#" in path or "/../" in path or path.endswith("/..") for path in paths), paths


def test_opening_the_mail_gives_the_session_a_new_cookie_and_closing_forgets_the_access(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    csrf = _open_mail(client, gateway)
    before = client.cookies.get("zorgpost_session")
    opened = client.post("/secure-mail/link-1/open", data={"csrf_token": csrf, "code": "123456"}, follow_redirects=True)
    assert "Uw aanvraag is toegekend." in opened.text
    after = client.cookies.get("zorgpost_session")
    assert before and after and after != before
    assert session_id_for(before) not in store.rows, "the cookie known before opening reaches nothing"

    closed = client.post(
        "/secure-mail/link-1/close", data={"csrf_token": csrf_token(opened.text)}, follow_redirects=True
    )
    assert "Het bericht is gesloten." in closed.text
    assert "Toegangscode aanvragen" in closed.text
    calls = len(gateway.calls)
    again = client.get("/secure-mail/link-1")
    assert "Toegangscode aanvragen" in again.text
    assert not any(call.token == GUEST_TOKEN for call in gateway.calls[calls:])


def _sign_in_staff(client: TestClient, store: FakeStore, roles: list[str], organisation_kind: str) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("s1", "Mila", "mila@dep.example", "Departement", roles, "nl", False, organisation_kind)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


@pytest.mark.parametrize(
    ("kind", "organisation_kind", "offered"),
    [
        ("org_case", "government_department", {"s1", "c-handler"}),
        ("helpdesk", "government_department", {"s1", "c-helpdesk"}),
        ("org_case", "care_organisation", {"s1", "c-handler", "c-helpdesk", "c-staff"}),
        ("secure_mail", "government_department", {"s1", "c-handler", "c-helpdesk", "c-staff"}),
    ],
)
def test_a_thread_is_offered_for_handing_only_to_colleagues_who_read_its_kind(
    client: TestClient,
    gateway: ScriptedGateway,
    store: FakeStore,
    kind: str,
    organisation_kind: str,
    offered: set[str],
) -> None:
    _sign_in_staff(client, store, ["case_handler", "helpdesk"], organisation_kind)
    colleagues = [
        {"account_id": account, "display_name": f"Naam {account}", "roles": roles, "status": "active"}
        for account, roles in (("c-handler", ["case_handler"]), ("c-helpdesk", ["helpdesk"]), ("c-staff", ["staff"]))
    ]
    staff_participant = {
        "id": "p9",
        "kind": "account",
        "display_name": "Naam c-staff",
        "account_id": "c-staff",
        "organisation_id": "o1",
    }
    gateway.answers[("GET", "/threads/th1")] = {**THREAD, "kind": kind, "participants": [staff_participant]}
    gateway.answers[("GET", "/organisation/staff")] = colleagues
    gateway.answers[("GET", "/secure-mails/th1/deliveries")] = []
    page = client.get("/staff/inbox/th1")
    assert page.status_code == 200
    options = set(re.findall(r'<option value="([^"]+)"', page.text))
    assert options - {""} == offered
