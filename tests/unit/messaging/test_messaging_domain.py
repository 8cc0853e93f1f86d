"""Messaging's rules without any infrastructure: who reaches a thread (guests only their
own), read state after a message, whom a message is announced to, which files pass."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from messaging.domain.attachments import check_file_name, check_file_type, content_disposition
from messaging.domain.errors import NotAllowedForKind, ThreadNotFound, ThreadNotOpen
from messaging.domain.events import MessageRecipient
from messaging.domain.notices import notice_recipients
from messaging.domain.secure_mail import SendingLimit
from messaging.domain.threads import (
    POLICIES,
    Participant,
    Thread,
    ThreadKind,
    ThreadState,
    account_participant,
    apply_new_message,
    guest_participant,
    organisation_participant,
    resolve_access,
)
from zorgpost_kit.auth import Principal

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def principal(subject: str, *, org: str | None = None, staff: bool = False, thread: str | None = None) -> Principal:
    roles = {"guest"} if thread else ({"staff"} if staff else {"person"})
    return Principal(subject, subject, "s", org, org, frozenset(roles), thread_scope=thread)


def secure_mail() -> tuple[Thread, list[Participant]]:
    thread = Thread("t-1", ThreadKind.SECURE_MAIL, "Uw aanvraag", "org-x", "Gemeente X", "jan", NOW)
    organisation = organisation_participant(thread.id, "org-x", "Gemeente X", NOW)
    jan = account_participant(thread.id, "jan", "Jan", NOW, via_organisation_id="org-x")
    anna = guest_participant(thread.id, "anna@example.nl", "+31612345678", "nl", NOW)
    return thread, [organisation, jan, anna]


# ----------------------------------------------------------------------------- access
def test_a_guest_reaches_only_the_thread_its_token_names_as_its_own_participant() -> None:
    thread, people = secure_mail()
    anna = people[2]
    assert resolve_access(thread, people, principal(anna.id, thread="t-1"), "", NOW).participant is anna
    with pytest.raises(ThreadNotFound):
        resolve_access(thread, people, principal(anna.id, thread="t-2"), "", NOW)
    with pytest.raises(ThreadNotFound):  # another guest id with this thread's scope
        resolve_access(thread, people, principal("someone-else", thread="t-1"), "", NOW)
    thread.state = ThreadState.WITHDRAWN
    with pytest.raises(ThreadNotFound):
        resolve_access(thread, people, principal(anna.id, thread="t-1"), "", NOW)


def test_staff_reach_their_organisations_threads_with_a_row_of_their_own_others_get_404() -> None:
    thread, people = secure_mail()
    colleague = resolve_access(thread, people, principal("piet", org="org-x", staff=True), "Piet", NOW)
    assert colleague.is_new
    assert (colleague.participant.account_id, colleague.participant.via_organisation_id) == ("piet", "org-x")
    assert colleague.organisation is people[0]
    for outsider in (principal("kees", org="org-y", staff=True), principal("piet", org="org-x")):
        with pytest.raises(ThreadNotFound):
            resolve_access(thread, people, outsider, "", NOW)
    with pytest.raises(ThreadNotFound):
        resolve_access(None, [], principal("jan", org="org-x", staff=True), "", NOW)


def test_kinds_differ_by_policy_not_by_model() -> None:
    assert set(POLICIES) == set(ThreadKind)
    assert POLICIES[ThreadKind.CHAT].likes and not POLICIES[ThreadKind.SECURE_MAIL].likes
    assert POLICIES[ThreadKind.SECURE_MAIL].guests and not POLICIES[ThreadKind.CHAT].guests
    assert POLICIES[ThreadKind.ECONSULT].startable_by_person and not POLICIES[ThreadKind.ECONSULT].startable_by_staff
    assert POLICIES[ThreadKind.ECONSULT].closes_on_organisation_answer
    thread, _ = secure_mail()
    with pytest.raises(NotAllowedForKind):
        thread.require(thread.policy.likes)
    thread.state = ThreadState.CLOSED
    with pytest.raises(ThreadNotOpen):
        thread.require_open()


# ----------------------------------------------------------------------------- read state
def test_a_message_is_unread_for_everyone_else_and_filed_by_the_organisation() -> None:
    _thread, people = secure_mail()
    organisation, jan, anna = people
    apply_new_message(people, jan, 1, NOW)
    assert (jan.unread_count, anna.unread_count, organisation.unread_count) == (0, 1, 0)
    assert organisation.last_sent_at == NOW and organisation.last_received_at is None
    later = NOW + timedelta(minutes=5)
    apply_new_message(people, anna, 2, later)
    assert (jan.unread_count, anna.unread_count, organisation.unread_count) == (1, 0, 1)
    assert organisation.last_received_at == later
    assert all(p.last_activity_at == later for p in people)


# ----------------------------------------------------------------------------- notices
def test_a_guest_reply_tells_the_staff_member_who_sent_the_mail_and_the_inbox() -> None:
    thread, people = secure_mail()
    _organisation, _jan, anna = people
    recipients = notice_recipients(thread, people, anna, opens_secure_mail=False)
    assert all(isinstance(r, MessageRecipient) for r in recipients)
    described = {
        (r.kind, r.reason, r.account_id or r.organisation_id) for r in recipients if isinstance(r, MessageRecipient)
    }
    assert described == {("account", "original_sender", "jan"), ("organisation", "shared_inbox", "org-x")}


def test_a_staff_message_tells_the_guest_but_not_the_colleagues_and_the_first_one_leaves_the_guest_out() -> None:
    thread, people = secure_mail()
    _organisation, jan, anna = people
    piet = account_participant(thread.id, "piet", "Piet", NOW, via_organisation_id="org-x")
    people.append(piet)
    assert notice_recipients(thread, people, jan, opens_secure_mail=True) == []
    assert notice_recipients(thread, people, jan, opens_secure_mail=False) == [anna]
    thread.assigned_to_account_id, thread.assigned_to_name = "els", "Els"
    recipients = notice_recipients(thread, people, anna, opens_secure_mail=False)
    assert {r.reason for r in recipients if isinstance(r, MessageRecipient)} == {
        "original_sender",
        "participant",
        "shared_inbox",
        "assignee",
    }


# ----------------------------------------------------------------------------- files
def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "claimed", "name", "accepted"),
    [
        (b"%PDF-1.7\n...", "application/pdf", "brief.pdf", "pdf"),
        (b"\x89PNG\r\n\x1a\n\0\0", "image/png", "foto.png", "png"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", "image/jpg", "foto.jpeg", "jpeg"),
        (b"\0\0\0\x18ftypheic\0\0\0\0", "image/heic", "foto.heic", "heic"),
        (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "brief.docx", "docx"),
        ("Beste mevrouw,\n\tgroet — Jan".encode(), "text/plain; charset=utf-8", "brief.txt", "txt"),
        (b"%PDF-1.7\n...", "application/octet-stream", "brief.pdf", "pdf"),
        (b"%PDF-1.7\n...", "image/png", "brief.pdf", None),
        (b"\x89PNG\r\n\x1a\n\0\0", "image/png", "foto.pdf", None),
        (b"MZ\x90\0\x03", "application/pdf", "setup.pdf", None),
        (b"PK\x03\x04garbage", "application/zip", "archief.zip", None),
        (b"hallo\x00wereld", "text/plain", "a.txt", None),
        (b"<svg onload=alert(1)>", "image/svg+xml", "a.svg", None),
        # Text passes as txt, but the name is what the recipient's computer opens it by.
        (b"<svg onload=alert(1)>", "application/octet-stream", "x.svg", None),
        (b"<svg onload=alert(1)>", "", "x.svg", None),
        (b"<script>new ActiveXObject('WScript.Shell')</script>", "", "factuur.hta", None),
        (b"[InternetShortcut]\r\nURL=file://evil/x.exe", "", "link.url", None),
        (b"@echo off\r\ndel *", "", "Uitslag_fdp.bat", None),
        (b"%PDF-1.7\n<script>...</script>", "application/octet-stream", "uitslag.hta", None),
        (b"%PDF-1.7\n...", "application/pdf", "uitslag", None),
        (b"%PDF-1.7\n...", "application/pdf", "uitslag.pdf.", None),
        (b"Beste mevrouw", "text/plain", "brief.TXT", "txt"),
    ],
)
def test_files_are_judged_on_their_content(data: bytes, claimed: str, name: str, accepted: str | None) -> None:
    file_type, problem = check_file_type(io.BytesIO(data), claimed, name)
    assert (file_type.name if file_type else None) == accepted
    assert (problem is None) == (accepted is not None)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\boot.ini",
        "a/b.pdf",
        "..",
        ".htaccess",
        "",
        "  ",
        "a\x00.pdf",
        "x" * 256,
        "Uitslag_\u202efdp.bat",  # right-to-left override: shows as "Uitslag_tab.pdf"
        "brief\u200b.pdf",  # zero-width space
        "brief\u2028.pdf",  # line separator
        "brief\u2029.pdf",  # paragraph separator
        "brief\u0085.pdf",  # next line (C1 control)
        "brief\ue000.pdf",  # private use
        "a\tb.pdf",
    ],
)
def test_file_names_with_paths_or_tricks_are_refused(name: str) -> None:
    assert check_file_name(name)


def test_content_disposition_always_downloads_and_cannot_be_broken_out_of() -> None:
    header = content_disposition('verslag "über"\r\n; x.pdf')
    assert header.startswith('attachment; filename="verslag __ber__')
    assert "\r" not in header and "\n" not in header
    assert header.endswith("filename*=UTF-8''verslag%20%22%C3%BCber%22%0D%0A%3B%20x.pdf")


def test_sending_limit_windows_and_retry_after() -> None:
    limit = SendingLimit("recipient", 3, timedelta(hours=1))
    moment = datetime(2026, 3, 2, 9, 59, 30, tzinfo=UTC)
    assert limit.window_start(moment) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert limit.retry_after_seconds(moment) == 31
