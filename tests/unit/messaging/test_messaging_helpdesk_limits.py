"""The helpdesk's caps on the fakes: a question mails the address the asker types, so an
asker and an address each get only so many an hour; a refused question leaves no ticket,
and the asker takes part as themself while the shared inbox receives it unread."""

from __future__ import annotations

from dataclasses import replace

import pytest
from messaging_fakes import make_services

from messaging.domain.errors import HelpdeskLimitReached
from messaging.domain.helpdesk import HelpdeskQuestionAsked
from messaging.service.common import Caller
from messaging.service.helpdesk import do_ask_helpdesk
from zorgpost_kit.auth import Principal


def staff(account: str = "jan", org: str = "org-x") -> Caller:
    return Caller(Principal(account, account, "s", org, f"Gemeente {org}", frozenset({"staff"})))


async def test_an_asker_gets_only_so_many_questions_an_hour() -> None:
    services, store, _ = make_services()
    services = replace(services, helpdesk_questions_per_account_per_hour=2)
    for n in range(2):
        await do_ask_helpdesk(services, staff(), email=f"jan{n}@example.nl", question="Waar?", language="")
    with pytest.raises(HelpdeskLimitReached) as refused:
        await do_ask_helpdesk(services, staff(), email="jan9@example.nl", question="Waar?", language="")
    assert refused.value.retry_after_seconds and refused.value.retry_after_seconds > 0
    assert len(store.threads) == 2
    assert len([e for e in store.events if isinstance(e, HelpdeskQuestionAsked)]) == 2
    # a colleague is not held back by another's questions
    await do_ask_helpdesk(services, staff("piet"), email="piet@example.nl", question="Hoe?", language="")


async def test_one_address_gets_only_so_many_confirmations_whoever_asks() -> None:
    services, store, _ = make_services()
    services = replace(services, helpdesk_questions_per_address_per_hour=1)
    await do_ask_helpdesk(services, staff("jan"), email="anna@example.nl", question="Waar?", language="")
    with pytest.raises(HelpdeskLimitReached):
        await do_ask_helpdesk(services, staff("piet"), email="ANNA+x@example.nl", question="Waar?", language="")
    assert len(store.threads) == 1


async def test_the_asker_takes_part_as_themself_and_the_shared_inbox_receives_it() -> None:
    services, store, _ = make_services()
    ticket = await do_ask_helpdesk(services, staff(), email="jan@example.nl", question="Waar?", language="")
    participants = [p for p in store.participants.values() if p.thread_id == ticket.thread_id]
    [asker] = [p for p in participants if p.account_id == "jan"]
    [inbox] = [p for p in participants if p.account_id is None]
    assert asker.via_organisation_id is None
    assert inbox.unread_count == 1
