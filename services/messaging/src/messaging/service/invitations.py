"""Joining a conversation by invitation (seed 1): identity tells, messaging adds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from messaging.domain.activity import ActivityChange, ActivityKind
from messaging.domain.errors import ThreadNotFound
from messaging.domain.threads import ParticipantKind, account_participant
from messaging.service.common import parse_id, publish
from messaging.service.ports import MessagingUnitOfWork
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class JoinByInvitation:
    """Command from ``identity.invitation.accepted``."""

    invitation_id: str
    thread_id: str
    account_id: str
    display_name: str
    organisation_id: str
    inviter_account_id: str


async def do_join_by_invitation(uow: MessagingUnitOfWork, command: JoinByInvitation, now: datetime) -> bool:
    """Makes the invitee a participant of the thread the invitation was for; False when they
    already are (a redelivery, or a second invitation). Runs inside the consumer's unit of
    work, which commits.

    Refused (:class:`ThreadNotFound`, the event goes to the dead letters) when the thread is
    unknown, is not of a kind people are invited into, or the inviter does not take part in
    it. Belonging to the thread's organisation is not enough: a chat is private to its
    participants, and a colleague who is not in it cannot open it to anyone (themselves
    included, by inviting their own second account).
    """
    identifier = parse_id(command.thread_id)
    thread = await uow.threads.get(identifier, lock=True) if identifier else None
    if thread is None or not thread.policy.invitations:
        raise ThreadNotFound()
    participants = await uow.participants.of_thread(thread.id)
    accounts = {p.account_id for p in participants if p.kind is ParticipantKind.ACCOUNT}
    if not command.inviter_account_id or command.inviter_account_id not in accounts:
        raise ThreadNotFound()
    if command.account_id in accounts:
        return False
    newcomer = account_participant(thread.id, command.account_id, command.display_name, now)
    newcomer.last_activity_at = thread.last_activity_at or now
    # Everything said before they joined is new to them.
    newcomer.unread_count = thread.last_seq
    await uow.participants.add(newcomer)
    change = ActivityChange(
        ActivityKind.PARTICIPANT_JOINED,
        thread.id,
        now,
        actor_participant_id=newcomer.id,
        actor_name=newcomer.display_name,
    )
    await publish(uow, thread, [*participants, newcomer], change)
    log.info("participant_joined_by_invitation", thread_id=thread.id, invitation_id=command.invitation_id)
    return True
