"""What the portal learns from other services' events, as use cases its consumers run
inside the consumer's unit of work (the runner commits with the inbox record)."""

from __future__ import annotations

from portal.domain.activity import Action, MessageActivity
from portal.domain.delegations import DelegateLink
from portal.domain.people import new_id
from portal.service.ports import PortalUnitOfWork

#: The kinds of conversation that belong to the portal (seed 4's care messages, seed 5's e-consults).
PORTAL_THREAD_KINDS = frozenset({"care", "econsult"})


async def do_learn_delegation(uow: PortalUnitOfWork, link: DelegateLink) -> None:
    if link.active:
        await uow.delegates.record_granted(link)
    else:
        await uow.delegates.record_ended(link)


async def do_learn_message(uow: PortalUnitOfWork, activities: list[MessageActivity]) -> None:
    """A message in a care or e-consult conversation, once per person it concerns. One sent
    by someone acting for the person (a parent for a child) enters the person's action log
    with both names, like every other change made on their behalf."""
    for activity in activities:
        if activity.thread_kind not in PORTAL_THREAD_KINDS or not activity.person_id:
            continue
        await uow.message_activity.add(activity)
        if activity.direction == "sent" and activity.acted_by:
            await uow.actions.add(
                Action(
                    new_id(),
                    activity.person_id,
                    activity.organisation_id,
                    activity.acted_by,
                    "message.sent",
                    activity.message_id,
                    activity.sent_at,
                )
            )
