"""Messaging's use cases on the shared fakes: secure mail and its events, a guest's reach,
withdrawing, sending limits, invitations, forwarding, attachments and the virus scan."""

from __future__ import annotations

from typing import TypeVar

import pytest
from messaging_fakes import FakeScanner, FakeUnitOfWork, Store, make_services

from messaging.domain.errors import (
    AlreadyOpened,
    AttachmentNotFound,
    AttachmentQuarantined,
    AttachmentTooLarge,
    AttachmentTypeRefused,
    NotAllowedForKind,
    OnlySenderMayWithdraw,
    PersonsOnly,
    ReadLinkNotFound,
    SendingLimitReached,
    ThreadNotFound,
    ThreadNotOpen,
)
from messaging.domain.events import MessageSent, SecureMailSent
from messaging.domain.secure_mail import hash_read_token
from messaging.domain.threads import ThreadKind
from messaging.service import attachments, conversations, secure_mail
from messaging.service.common import Caller, Services
from messaging.service.invitations import JoinByInvitation, do_join_by_invitation
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.errors import InvalidArgument
from zorgpost_kit.events import DomainEvent

PDF = b"%PDF-1.7\n%%EOF\n"
E = TypeVar("E", bound=DomainEvent)


def staff(account: str = "jan", org: str = "org-x") -> Caller:
    return Caller(Principal(account, account, "s", org, f"Gemeente {org}", frozenset({"staff"})))


def person(account: str = "anna", org: str | None = "org-x") -> Caller:
    return Caller(Principal(account, account, "s", org, f"Gemeente {org}" if org else None, frozenset({"person"})))


def guest(participant_id: str, thread_id: str) -> Caller:
    return Caller(
        Principal(participant_id, participant_id, "s", None, None, frozenset({"guest"}), thread_scope=thread_id)
    )


async def send_mail(services: Services, to: str = "anna@example.nl") -> secure_mail.SentSecureMail:
    caller = staff()
    command = secure_mail.check_send_secure_mail(
        caller, secure_mail.SecureMailDraft(to, "06 12345678", "Uitslag aanvraag Wmo", "Uw aanvraag is toegekend.")
    )
    return await secure_mail.do_send_secure_mail(services, caller, command)


def events_of(store: Store, kind: type[E]) -> list[E]:
    return [event for event in store.events if isinstance(event, kind)]


async def test_a_secure_mail_stores_one_thread_and_its_events_carry_no_content() -> None:
    services, store, _ = make_services()
    sent = await send_mail(services)
    [mail_event] = events_of(store, SecureMailSent)
    [message_event] = events_of(store, MessageSent)
    assert mail_event.thread_id == sent.thread.id and mail_event.recipient_mobile == "+31612345678"
    assert store.read_links[hash_read_token(mail_event.read_token)].participant_id == sent.guest.id
    assert mail_event.read_token not in str(store.read_links)
    assert message_event.recipients == ()  # the guest's first notice is secure_mail.sent's
    for event in (mail_event, message_event):
        assert "Uitslag" not in repr(event) and "toegekend" not in repr(event)


async def test_a_guest_reads_and_replies_in_their_thread_only_and_staff_are_told() -> None:
    services, store, _ = make_services()
    sent = await send_mail(services)
    other = await send_mail(services, "kees@example.nl")
    anna = guest(sent.guest.id, sent.thread.id)

    view = await conversations.do_open_thread(services, anna, sent.thread.id, 50)
    assert [m.body for m in view.messages] == ["Uw aanvraag is toegekend."]
    reply = await conversations.do_post_message(services, anna, sent.thread.id, "Dank u", [])
    [event] = [e for e in events_of(store, MessageSent) if e.message_id == reply.id]
    assert event.sent_by_guest
    assert {(r.kind, r.reason) for r in event.recipients} == {
        ("account", "original_sender"),
        ("organisation", "shared_inbox"),
    }

    for thread_id in (other.thread.id, "00000000-0000-0000-0000-000000000000", "rommel"):
        with pytest.raises(ThreadNotFound):
            await conversations.do_open_thread(services, guest(sent.guest.id, thread_id), thread_id, 50)
    with pytest.raises(ThreadNotFound):  # a token for thread A used on thread B
        await conversations.do_post_message(services, anna, other.thread.id, "hallo", [])


async def test_staff_reply_gives_the_guest_a_fresh_link_in_the_notice() -> None:
    services, store, _ = make_services()
    sent = await send_mail(services)
    await conversations.do_post_message(services, staff(), sent.thread.id, "Nog een vraag", [])
    [guest_notice] = [r for e in events_of(store, MessageSent) for r in e.recipients if r.kind == "guest"]
    assert guest_notice.email == "anna@example.nl" and guest_notice.mobile == "+31612345678"
    assert hash_read_token(guest_notice.read_token) in store.read_links


async def test_withdraw_only_before_the_recipient_opened_it_and_then_the_link_is_dead() -> None:
    services, store, _ = make_services()
    opened = await send_mail(services)
    await conversations.do_open_thread(services, guest(opened.guest.id, opened.thread.id), opened.thread.id, 50)
    with pytest.raises(AlreadyOpened):
        await secure_mail.do_withdraw(services, staff(), opened.thread.id)

    unopened = await send_mail(services, "kees@example.nl")
    [event] = [e for e in events_of(store, SecureMailSent) if e.thread_id == unopened.thread.id]
    with pytest.raises(OnlySenderMayWithdraw):  # a colleague is not the sender
        await secure_mail.do_withdraw(services, staff("piet"), unopened.thread.id)
    summary = await secure_mail.do_withdraw(services, staff("jan"), unopened.thread.id)
    assert summary.thread.state == "withdrawn"
    with pytest.raises(ReadLinkNotFound):
        await secure_mail.resolve_read_link(services, event.read_token)
    with pytest.raises(ThreadNotFound):
        await conversations.do_open_thread(
            services, guest(unopened.guest.id, unopened.thread.id), unopened.thread.id, 50
        )
    with pytest.raises(ThreadNotFound):  # staff of another organisation
        await secure_mail.do_withdraw(services, staff("kees", "org-y"), opened.thread.id)


async def test_sending_limit_per_address_counts_only_what_was_sent() -> None:
    services, store, _ = make_services(per_recipient=2)
    await send_mail(services)
    await send_mail(services, "ANNA@example.nl")
    with pytest.raises(SendingLimitReached) as refused:
        await send_mail(services)
    assert refused.value.retry_after_seconds and refused.value.retry_after_seconds <= 3601
    assert len(store.threads) == 2


async def test_only_staff_send_secure_mail_and_only_persons_write_to_their_organisation() -> None:
    services, _store, _ = make_services()
    with pytest.raises(NotPermitted):
        secure_mail.check_send_secure_mail(person(), secure_mail.SecureMailDraft("a@example.nl", "", "s", "b"))
    with pytest.raises(PersonsOnly):
        secure_mail.check_write_to_organisation(staff(), "s", "b")
    subject, body = secure_mail.check_write_to_organisation(person(), "Kopie paspoort", "Zie bijlage")
    view = await secure_mail.do_write_to_organisation(services, person(), subject, body)
    inbox, _, unread = await secure_mail.list_inbox(services, staff("piet"), "received", "", 20, assigned_to_me=False)
    assert [item.thread.id for item in inbox] == [view.summary.thread.id]
    assert unread == 1
    assert (await secure_mail.list_inbox(services, staff("kees", "org-y"), "received", "", 20, assigned_to_me=False))[
        0
    ] == []


async def test_invitation_adds_the_account_once_and_never_to_another_organisations_thread() -> None:
    services, store, _ = make_services()
    chat = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "IT Vlaardingen", "Hallo", None)
    command = JoinByInvitation("inv-1", chat.summary.thread.id, "anna", "Persoon X", "org-x", "jan")
    async with FakeUnitOfWork(store) as uow:
        assert await do_join_by_invitation(uow, command, services.clock())
        await uow.commit()
    async with FakeUnitOfWork(store) as uow:
        assert not await do_join_by_invitation(uow, command, services.clock())
    threads, _ = await conversations.list_threads(services, person("anna", None), "", 20)
    assert [(t.thread.id, t.unread_count, t.other_party_name) for t in threads] == [
        (chat.summary.thread.id, 1, "Naam van jan")
    ]
    foreign = JoinByInvitation("inv-2", chat.summary.thread.id, "kees", "Kees", "org-y", "someone")
    async with FakeUnitOfWork(store) as uow:
        with pytest.raises(ThreadNotFound):
            await do_join_by_invitation(uow, foreign, services.clock())
    # A colleague of the same organisation who is not in the chat cannot open it to anyone.
    colleague = JoinByInvitation("inv-3", chat.summary.thread.id, "piet-2", "Piet", "org-x", "piet")
    async with FakeUnitOfWork(store) as uow:
        with pytest.raises(ThreadNotFound):
            await do_join_by_invitation(uow, colleague, services.clock())
    mail = await send_mail(services)
    async with FakeUnitOfWork(store) as uow:
        with pytest.raises(ThreadNotFound):  # secure mail takes no invitations
            await do_join_by_invitation(
                uow, JoinByInvitation("i", mail.thread.id, "b", "B", "org-x", "jan"), services.clock()
            )


async def test_forward_only_into_a_thread_of_ones_own_and_likes_only_where_the_kind_has_them() -> None:
    services, _store, _ = make_services()
    first = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Een", "Hallo", None)
    second = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Twee", "", None)
    foreign = await conversations.do_create_thread(services, staff("kees", "org-y"), ThreadKind.CHAT, "Drie", "", None)
    hello = first.messages[0]
    copied = await conversations.do_forward(services, staff(), hello.id, second.summary.thread.id)
    assert (copied.thread_id, copied.body, copied.forwarded_from.sender_name if copied.forwarded_from else "") == (
        second.summary.thread.id,
        "Hallo",
        "Naam van jan",
    )
    with pytest.raises(ThreadNotFound):
        await conversations.do_forward(services, staff(), hello.id, foreign.summary.thread.id)
    assert (await conversations.do_set_like(services, staff(), hello.id, True))[1] == 1
    mail = await send_mail(services)
    with pytest.raises(NotAllowedForKind):
        await conversations.do_set_like(services, staff(), mail.message.id, True)
    with pytest.raises(NotAllowedForKind):
        conversations.check_create_thread(staff(), "secure_mail", "s", "", "")
    with pytest.raises(NotAllowedForKind):
        conversations.check_create_thread(staff(), "econsult", "s", "", "")


async def test_attachments_are_checked_before_storage_and_quarantined_until_scanned_clean() -> None:
    services, _store, blobs = make_services(scanning=True, max_bytes=1000)
    chat = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Bijlagen", "", None)
    receiver = attachments.FileReceiver(services)
    receiver.start("brief.pdf", "application/pdf")
    receiver.write(PDF)
    stored = await attachments.store_files(services, receiver.finish())
    message = await conversations.do_post_message(services, staff(), chat.summary.thread.id, "", stored)
    [attachment] = message.attachments
    assert attachment.scan_status == "pending" and attachment.file_name == "brief.pdf"
    assert list(blobs.blobs) == [attachment.storage_key] and "brief" not in attachment.storage_key
    with pytest.raises(AttachmentQuarantined):
        await attachments.open_download(services, staff(), chat.summary.thread.id, attachment.id)
    await attachments.scan_pending(services, FakeScanner())
    found, chunks = await attachments.open_download(services, staff(), chat.summary.thread.id, attachment.id)
    assert found.scan_status == "clean" and b"".join([c async for c in chunks]) == PDF
    with pytest.raises(AttachmentNotFound):
        await attachments.open_download(services, staff("kees", "org-y"), chat.summary.thread.id, attachment.id)

    too_big = attachments.FileReceiver(services)
    too_big.start("groot.pdf", "application/pdf")
    with pytest.raises(AttachmentTooLarge):
        too_big.write(PDF + b"0" * 1000)
    wrong = attachments.FileReceiver(services)
    wrong.start("foto.png", "image/png")
    wrong.write(PDF)
    with pytest.raises(AttachmentTypeRefused):
        wrong.finish()
    with pytest.raises(InvalidArgument):
        attachments.FileReceiver(services).start("../x.pdf", "application/pdf")
    with pytest.raises(InvalidArgument):
        conversations.check_message_body("  ", has_files=False)
    assert len(blobs.blobs) == 1


async def test_an_infected_file_stays_quarantined() -> None:
    services, _store, blobs = make_services(scanning=True)
    chat = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Bijlagen", "", None)
    receiver = attachments.FileReceiver(services)
    receiver.start("eicar.txt", "text/plain")
    receiver.write(b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
    stored = await attachments.store_files(services, receiver.finish())
    message = await conversations.do_post_message(services, staff(), chat.summary.thread.id, "kijk", stored)
    await attachments.scan_pending(services, FakeScanner(infected={blobs.blobs[stored[0].storage_key]}))
    with pytest.raises(AttachmentQuarantined):
        await attachments.open_download(services, staff(), chat.summary.thread.id, message.attachments[0].id)


async def test_an_econsult_is_asked_by_a_patient_with_photos_and_closes_with_the_practices_answer() -> None:
    services, store, _ = make_services()
    patient = person("petra", org="praktijk")
    kind, subject, _, reference = conversations.check_start_thread(patient, "econsult", "Uitslag huid", "", "", [])
    receiver = attachments.FileReceiver(services)
    receiver.start("plekje.pdf", "application/pdf")
    receiver.write(PDF)
    photos = await attachments.store_files(services, receiver.finish())
    asked = await conversations.do_create_thread(
        services, patient, kind, subject, "Wat is dit plekje?", reference, files=photos
    )
    thread_id = asked.summary.thread.id
    assert [len(m.attachments) for m in asked.messages] == [1]

    # Until the answer the patient may add to the question; the inbox lists it as an e-consult.
    await conversations.do_post_message(services, patient, thread_id, "Het jeukt ook.", [])
    inbox, _, _ = await secure_mail.list_inbox(
        services, staff("dokter", org="praktijk"), "received", "", 20, assigned_to_me=False, kinds=["econsult"]
    )
    assert [item.thread.id for item in inbox] == [thread_id]
    assert await secure_mail.list_inbox(
        services, staff("dokter", org="praktijk"), "received", "", 20, assigned_to_me=False, kinds=["care"]
    ) == ([], "", 1)

    doctor = staff("dokter", org="praktijk")
    answer = await conversations.do_post_message(services, doctor, thread_id, "Onschuldig.", [])
    assert store.threads[thread_id].state.value == "closed"
    with pytest.raises(ThreadNotOpen):
        await conversations.do_post_message(services, patient, thread_id, "Dank, en nog een vraag", [])
    assert events_of(store, MessageSent)[-1].message_id == answer.id


async def test_a_message_written_for_someone_names_the_one_who_acted() -> None:
    services, store, _ = make_services()
    parent_for_child = Caller(Principal("kind", "ouder", "s", "praktijk", "Kind & meer", frozenset({"person"})))
    view = await conversations.do_create_thread(
        services, parent_for_child, ThreadKind.CARE, "Vraag", "Hoe gaat het verder?", None
    )
    [event] = events_of(store, MessageSent)
    assert (event.sender_account_id, event.acting_account_id) == ("kind", "ouder")
    mine, _ = await conversations.list_threads(services, person("kind", org="praktijk"), "", 20, ["care"])
    assert [item.thread.id for item in mine] == [view.summary.thread.id]
    assert await conversations.list_threads(services, person("kind", org="praktijk"), "", 20, ["econsult"]) == ([], "")
    with pytest.raises(InvalidArgument):
        await conversations.list_threads(services, person("kind", org="praktijk"), "", 20, ["nonsense"])
