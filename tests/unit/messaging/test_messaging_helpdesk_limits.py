"""The helpdesk on the fakes: a question mails the address the asker types, so an asker and
an address each get only so many an hour; a refused question leaves no ticket; the asker
takes part as themself while the supervising department's shared inbox receives it unread
(not the asker's own organisation's); an organisation nobody supervises has no helpdesk."""

from __future__ import annotations

from dataclasses import replace

import pytest
from messaging_fakes import FakeDirectory, make_services

from messaging.domain.errors import HelpdeskLimitReached, NoHelpdesk
from messaging.domain.helpdesk import HelpdeskQuestionAsked
from messaging.service.common import Caller
from messaging.service.helpdesk import do_ask_helpdesk
from zorgpost_kit.auth import Principal


def staff(account: str = "jan", org: str = "org-x", kind: str = "care_organisation") -> Caller:
    # The fake directory answers supervision for the organisation whose id is the token.
    principal = Principal(account, account, "s", org, f"Zorg {org}", frozenset({"staff"}), organisation_kind=kind)
    return Caller(principal, org)


def supervised() -> FakeDirectory:
    """``org-dep`` supervises ``org-x``."""
    return FakeDirectory(organisations={"org-dep": "Departement Zorg"}, supervision={"org-dep": {"org-x": ("a",)}})


async def test_an_asker_gets_only_so_many_questions_an_hour() -> None:
    services, store, _ = make_services(directory=supervised())
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
    services, store, _ = make_services(directory=supervised())
    services = replace(services, helpdesk_questions_per_address_per_hour=1)
    await do_ask_helpdesk(services, staff("jan"), email="anna@example.nl", question="Waar?", language="")
    with pytest.raises(HelpdeskLimitReached):
        await do_ask_helpdesk(services, staff("piet"), email="ANNA+x@example.nl", question="Waar?", language="")
    assert len(store.threads) == 1


async def test_the_asker_takes_part_as_themself_and_the_shared_inbox_receives_it() -> None:
    services, store, _ = make_services(directory=supervised())
    ticket = await do_ask_helpdesk(services, staff(), email="jan@example.nl", question="Waar?", language="")
    participants = [p for p in store.participants.values() if p.thread_id == ticket.thread_id]
    [asker] = [p for p in participants if p.account_id == "jan"]
    [inbox] = [p for p in participants if p.account_id is None]
    assert asker.via_organisation_id is None
    assert inbox.organisation_id == "org-dep" and inbox.unread_count == 1
    assert ticket.organisation_name == "Departement Zorg"


async def test_a_department_asks_its_own_helpdesk_and_an_unsupervised_organisation_has_none() -> None:
    services, store, _ = make_services(directory=supervised())
    own = await do_ask_helpdesk(
        services, staff("dora", "org-dep", "government_department"), email="d@example.nl", question="?", language=""
    )
    [inbox] = [p for p in store.participants.values() if p.thread_id == own.thread_id and p.account_id is None]
    assert inbox.organisation_id == "org-dep"

    with pytest.raises(NoHelpdesk):
        await do_ask_helpdesk(services, staff("els", "org-alone"), email="e@example.nl", question="?", language="")
    assert len(store.threads) == 1
