"""Notifications' use cases on the shared fakes: queueing a notice, sending it (and what a
crash between the mail server's acceptance and the commit does), retries, re-drives, the
secrets of old dead letters, preferences and who may see deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from notifications_fakes import (
    NOW,
    Clock,
    FakeUnitOfWork,
    ProcessKilled,
    RecordingMailer,
    RecordingSmsSender,
    Store,
)

from notifications.adapters.templates import TemplateCatalogue
from notifications.domain.address_book import AddressBookEntry
from notifications.domain.errors import CannotRedrive, InvalidPreferences
from notifications.domain.model import Category, Channel, Delivery, DeliveryStatus, RetryPolicy
from notifications.domain.notices import (
    NEW_MESSAGE,
    ONE_TIME_CODE,
    PASSWORD_CHANGED,
    SECURE_MAIL_NOTICE,
    Addressee,
    Notice,
)
from notifications.domain.preferences import ChannelChoice, Preferences
from notifications.service.address_book import do_record
from notifications.service.deliveries import DeadLetterSecrets, DeliveryWorker, do_redrive, list_deliveries
from notifications.service.notices import AddresseeNotKnownYet, NoticeQueue
from notifications.service.ports import DeliveryFailed
from notifications.service.preferences import PreferencesChange, do_update_preferences, get_preferences
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import PermissionDenied

PUBLIC_URL = "https://zorgpost.example"
ORGANISATION = "Huisartsenpraktijk De Linde"
ANNA = Addressee(account_id="acc-anna", email="anna@example.nl", mobile="+31612345678", language="nl")
POLICY = RetryPolicy(max_attempts=3, base=timedelta(seconds=2), cap=timedelta(seconds=10))
RETENTION = timedelta(days=7)


class Service:
    """Notifications' parts on the fakes: one store, the real templates, recording channels."""

    def __init__(self) -> None:
        self.store = Store()
        self.clock = Clock()
        self.mailer = RecordingMailer()
        self.sms = RecordingSmsSender()
        self.queue = NoticeQueue(clock=self.clock)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def worker(self) -> DeliveryWorker:
        """A worker as a freshly started process builds it."""
        return DeliveryWorker(
            uow=self.uow,
            templates=TemplateCatalogue(PUBLIC_URL),
            mailer=self.mailer,
            sms=self.sms,
            policy=POLICY,
            clock=self.clock,
        )

    async def queue_notice(self, notice: Notice) -> list[Delivery]:
        async with self.uow() as uow:
            queued = await self.queue.do_queue(uow, [notice])
            await uow.commit()
        return queued


def secure_mail(read_token: str = "leestoken-abc123", to: Addressee = ANNA) -> Notice:
    return Notice(
        kind=SECURE_MAIL_NOTICE,
        addressee=to,
        source_id="mail-1",
        organisation_id="org-linde",
        organisation_name=ORGANISATION,
        params={"read_token": read_token},
    )


def code_by_sms(code: str = "482913") -> Notice:
    return Notice(
        kind=ONE_TIME_CODE,
        addressee=ANNA,
        source_id="challenge-1",
        organisation_id="org-linde",
        organisation_name=ORGANISATION,
        params={"code": code, "purpose": "login", "expires_at": (NOW + timedelta(minutes=15)).isoformat()},
        channel=Channel.SMS,
    )


@pytest.fixture
def service() -> Service:
    return Service()


# --------------------------------------------------------------------------- sending
async def test_a_queued_notice_is_mailed_in_the_readers_language_with_its_link_and_then_forgets_the_token(
    service: Service,
) -> None:
    [queued] = await service.queue_notice(secure_mail())

    assert await service.worker().send_due() == 1

    [mail] = service.mailer.sent
    assert mail.to == "anna@example.nl"
    assert mail.message_id == queued.message_id
    assert mail.mail.subject == f"Zorgpost Secure e-mail – Nieuw bericht van {ORGANISATION}"
    assert f"{PUBLIC_URL}/secure-mail/leestoken-abc123" in mail.mail.text
    assert f"{PUBLIC_URL}/secure-mail/leestoken-abc123" in mail.mail.html
    # A new-message notice is optional, so it says where to switch it off.
    assert mail.unsubscribe_url == f"{PUBLIC_URL}/me/notification-preferences"
    stored = service.store.delivery(queued.id)
    assert (stored.status, stored.attempts, stored.sent_at) == (DeliveryStatus.SENT, 1, NOW)
    assert "read_token" not in stored.params


async def test_a_crash_after_the_mail_server_accepted_sends_the_notice_again_with_the_same_message_id(
    service: Service,
) -> None:
    [queued] = await service.queue_notice(secure_mail())
    service.mailer.die_after_accepting = True

    with pytest.raises(ProcessKilled):
        await service.worker().send_due()

    # The server has the mail, but "sent" was never committed: the delivery is still queued.
    assert len(service.mailer.sent) == 1
    assert service.store.delivery(queued.id).status is DeliveryStatus.QUEUED

    assert await service.worker().send_due() == 1  # the restarted process
    first, again = service.mailer.sent
    assert again == first
    assert again.message_id == queued.message_id
    assert service.store.delivery(queued.id).status is DeliveryStatus.SENT


async def test_a_code_goes_by_sms_and_is_forgotten_once_sent(service: Service) -> None:
    [queued] = await service.queue_notice(code_by_sms("482913"))

    await service.worker().send_due()

    [sms] = service.sms.sent
    assert (sms.to, sms.reference) == ("+31612345678", queued.id)
    assert sms.text.startswith("Uw Zorgpost-code is 482913.")
    assert service.mailer.sent == []
    assert "code" not in service.store.delivery(queued.id).params


async def test_a_transient_failure_is_retried_when_due_and_not_before(service: Service) -> None:
    [queued] = await service.queue_notice(secure_mail())
    service.mailer.failures.append(DeliveryFailed("SMTP unavailable: ConnectionRefusedError", permanent=False))
    worker = service.worker()

    await worker.send_due()
    waiting = service.store.delivery(queued.id)
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == (
        DeliveryStatus.QUEUED,
        1,
        NOW + POLICY.base,
    )
    assert await worker.send_due() == 0

    service.clock.advance(POLICY.base)
    assert await worker.send_due() == 1
    assert len(service.mailer.sent) == 1
    assert service.store.delivery(queued.id).status is DeliveryStatus.SENT


# --------------------------------------------------------------------------- dead letters
async def _dead_letter(service: Service, notice: Notice) -> Delivery:
    [queued] = await service.queue_notice(notice)
    if queued.channel is Channel.SMS:
        service.sms.failures.append(DeliveryFailed("SMS provider answered 400", permanent=True))
    else:
        service.mailer.failures.append(DeliveryFailed("recipient refused (550)", permanent=True))
    await service.worker().send_due()
    dead = service.store.delivery(queued.id)
    assert dead.status is DeliveryStatus.FAILED
    return dead


async def test_a_dead_letter_keeps_its_secret_for_the_retention_so_it_can_be_redriven(service: Service) -> None:
    dead = await _dead_letter(service, secure_mail())
    secrets = DeadLetterSecrets(service.uow, RETENTION, clock=service.clock)

    service.clock.advance(RETENTION - timedelta(seconds=1))
    assert await secrets.do_forget_expired() == 0
    assert service.store.delivery(dead.id).params["read_token"] == "leestoken-abc123"

    await do_redrive(service.uow, dead.id, now=service.clock())
    await service.worker().send_due()
    assert "/secure-mail/leestoken-abc123" in service.mailer.sent[-1].mail.text


async def test_after_the_retention_a_dead_letter_forgets_its_secret_and_can_no_longer_be_redriven(
    service: Service,
) -> None:
    with_token = await _dead_letter(service, secure_mail())
    with_code = await _dead_letter(service, code_by_sms())
    without_secret = await _dead_letter(
        service,
        Notice(
            kind=PASSWORD_CHANGED,
            addressee=ANNA,
            source_id="acc-anna",
            organisation_id="org-linde",
            organisation_name=ORGANISATION,
            params={"changed_at": NOW.isoformat()},
        ),
    )
    sent = (await service.queue_notice(secure_mail("ander-token")))[0]
    await service.worker().send_due()
    secrets = DeadLetterSecrets(service.uow, RETENTION, batch_size=1, clock=service.clock)

    service.clock.advance(RETENTION + timedelta(seconds=1))
    assert await secrets.do_forget_expired() == 1  # one batch at a time …
    assert await secrets.do_forget_expired() == 1
    assert await secrets.do_forget_expired() == 0  # … until none is left

    for forgotten in (service.store.delivery(with_token.id), service.store.delivery(with_code.id)):
        assert not forgotten.holds_secrets
        assert forgotten.params["organisation_name"] == ORGANISATION
        assert forgotten.expires_at == service.clock()
        with pytest.raises(CannotRedrive):
            await do_redrive(service.uow, forgotten.id, now=service.clock())
    # A dead letter without a secret stays as it was and can still be re-driven.
    assert service.store.delivery(without_secret.id).expires_at is None
    await do_redrive(service.uow, without_secret.id, now=service.clock())
    assert service.store.delivery(sent.id).status is DeliveryStatus.SENT


# --------------------------------------------------------------------------- preferences
STAFF = Principal("acc-jan", "acc-jan", "s-1", "org-linde", ORGANISATION, frozenset({"staff"}))
PERSON = Principal("acc-anna", "acc-anna", "s-2", None, None, frozenset({"person"}))


async def test_a_person_who_chose_english_and_sms_for_messages_gets_both_in_english(service: Service) -> None:
    change = PreferencesChange(
        language="en", categories={"messages": ChannelChoice(email=True, sms=True)}, digest_window_minutes=0
    )
    saved = await do_update_preferences(service.uow, PERSON, change, now=NOW)
    assert await get_preferences(service.uow, PERSON) == saved

    await service.queue_notice(secure_mail())
    await service.worker().send_due()

    [mail] = service.mailer.sent
    assert mail.mail.subject == f"Zorgpost Secure e-mail – New message from {ORGANISATION}"
    [sms] = service.sms.sent
    assert sms.to == "+31612345678"


async def test_a_change_with_a_bad_field_saves_nothing(service: Service) -> None:
    change = PreferencesChange(
        language="fr", categories={"security": ChannelChoice(email=False, sms=True)}, digest_window_minutes=0
    )

    with pytest.raises(InvalidPreferences):
        await do_update_preferences(service.uow, PERSON, change, now=NOW)

    assert service.store.preferences == {}
    assert (await get_preferences(service.uow, PERSON)).choice(Category.SECURITY) == ChannelChoice(True, False)


async def test_staff_see_their_own_organisations_deliveries_only(service: Service) -> None:
    [queued] = await service.queue_notice(secure_mail())
    other_organisation = Principal("acc-x", "acc-x", "s-3", "org-other", "Gemeente X", frozenset({"staff"}))

    assert [d.id for d in await list_deliveries(service.uow, STAFF, "mail-1")] == [queued.id]
    assert await list_deliveries(service.uow, other_organisation, "mail-1") == []
    with pytest.raises(PermissionDenied):
        await list_deliveries(service.uow, PERSON, "mail-1")


async def test_stored_preferences_decide_how_a_notice_is_queued(service: Service) -> None:
    service.store.preferences["acc-anna"] = Preferences(
        "acc-anna", categories={Category.MESSAGES: ChannelChoice(email=False, sms=True)}
    )

    queued = await service.queue_notice(secure_mail())

    assert [(d.channel, d.recipient) for d in queued] == [(Channel.SMS, "+31612345678")]


# --------------------------------------------------------------------------- the address book
def anna_in_the_book(*, status: str = "active", email: str = "anna@example.nl", at: datetime = NOW) -> AddressBookEntry:
    return AddressBookEntry(
        account_id="acc-anna",
        email=email,
        mobile="+31612345678",
        language="nl",
        display_name="Anna de Vries",
        organisation_id="",
        organisation_name="",
        roles=frozenset({"person"}),
        status=status,
        changed_at=at,
    )


def new_message(account_id: str = "acc-anna") -> Notice:
    return Notice(
        kind=NEW_MESSAGE,
        addressee=Addressee.of_account(account_id),
        source_id="thread-1",
        organisation_id="org-linde",
        organisation_name=ORGANISATION,
        params={"sender_name": "Dokter Linde", "thread_id": "thread-1"},
    )


async def record(service: Service, entry: AddressBookEntry) -> bool:
    async with service.uow() as uow:
        stored = await do_record(uow, entry)
        await uow.commit()
    return stored


async def test_a_notice_to_an_account_goes_where_the_address_book_says_without_the_content(
    service: Service,
) -> None:
    await record(service, anna_in_the_book())

    [queued] = await service.queue_notice(new_message())
    await service.worker().send_due()

    assert (queued.recipient, queued.account_id) == ("anna@example.nl", "acc-anna")
    [mail] = service.mailer.sent
    assert mail.mail.subject == "Zorgpost – Nieuw bericht van Dokter Linde"
    assert mail.mail.text.startswith("Beste Anna de Vries,")
    assert f"{PUBLIC_URL}/threads/thread-1" in mail.mail.text


async def test_a_late_older_announcement_does_not_undo_a_newer_address(service: Service) -> None:
    assert await record(service, anna_in_the_book(email="nieuw@example.nl", at=NOW))
    assert not await record(service, anna_in_the_book(email="oud@example.nl", at=NOW - timedelta(minutes=1)))

    [queued] = await service.queue_notice(new_message())

    assert queued.recipient == "nieuw@example.nl"


async def test_an_account_not_in_the_book_yet_is_waited_for_then_left_out(service: Service) -> None:
    async with service.uow() as uow:
        with pytest.raises(AddresseeNotKnownYet):
            await service.queue.do_queue(uow, [new_message("acc-new")], may_wait=True)

    assert await service.queue_notice(new_message("acc-new")) == []
    assert service.store.deliveries == {}


async def test_a_disabled_account_is_not_told(service: Service) -> None:
    await record(service, anna_in_the_book(status="disabled"))

    assert await service.queue_notice(new_message()) == []


async def test_several_new_messages_within_the_digest_window_are_one_mail(service: Service) -> None:
    await record(service, anna_in_the_book())
    service.store.preferences["acc-anna"] = Preferences("acc-anna", digest_window_minutes=10)

    for _ in range(10):
        await service.queue_notice(new_message())
    assert await service.worker().send_due() == 0, "nothing before the window closes"
    service.clock.advance(timedelta(minutes=10))
    await service.worker().send_due()

    [mail] = service.mailer.sent
    assert mail.mail.subject == "Zorgpost Secure e-mail – 10 nieuwe berichten"
    assert mail.mail.text.count(f"{PUBLIC_URL}/threads/thread-1") == 10
