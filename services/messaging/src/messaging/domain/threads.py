"""One thread model for every conversation Zorgpost has: a chat (seed 1), a secure e-mail
(seed 2), an e-counter case, an e-consult, care messages. A kind adds rules through its
:class:`KindPolicy`, never a model of its own.

Participants are accounts (people and staff members), guests known only by e-mail and
mobile number (the outside recipient of a secure mail), and organisations taking part as a
shared inbox: every staff member of such an organisation may read and answer; the first
time one does, they get a participant row of their own (``via_organisation_id``), which
carries their read state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from messaging.domain.errors import NotAllowedForKind, ThreadNotFound, ThreadNotOpen
from zorgpost_kit.auth import Principal
from zorgpost_kit.roles import Capability


class ThreadKind(StrEnum):
    CHAT = "chat"
    SECURE_MAIL = "secure_mail"
    ORG_CASE = "org_case"
    ECONSULT = "econsult"
    CARE = "care"
    #: A question to the organisation's technical helpdesk (a ticket its staff answer).
    HELPDESK = "helpdesk"


class ThreadState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    #: A secure mail its sender took back before the recipient opened it.
    WITHDRAWN = "withdrawn"


class ParticipantKind(StrEnum):
    ACCOUNT = "account"
    GUEST = "guest"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class KindPolicy:
    """What a kind of thread allows. New kinds (the e-counter, the portal) add a policy."""

    kind: ThreadKind
    #: The organisation takes part as a shared inbox (all its staff read it).
    shared_inbox: bool
    startable_by_staff: bool
    startable_by_person: bool
    #: Started through CreateThread (a secure mail has its own way in).
    started_by_create_thread: bool
    #: Outside recipients without an account may take part.
    guests: bool
    #: People may be invited into it (identity's invitations).
    invitations: bool
    likes: bool
    #: The starter may take it back while the outside recipient has not opened it.
    withdrawable_until_opened: bool
    #: A case number is required when starting one.
    reference_required: bool = False
    #: The organisation's answer closes the thread for good: a reaction is a new thread
    #: (seed 5: "Een reactie op het antwoord kan alleen via een nieuw e-consult").
    closes_on_organisation_answer: bool = False
    #: Whom staff may put in when they start one (StartThread): at most this many people
    #: (citizens, clients, patients) and this many other organisations (as shared inboxes).
    start_with_persons: int = 0
    start_with_organisations: int = 0
    #: Someone acting for the person (a parent in a child's portal, identity's delegation)
    #: reaches it: only the portal's conversations with the practice, never the person's
    #: own chats, secure mail, e-counter cases or helpdesk questions.
    reachable_by_delegate: bool = False
    #: Working the shared inbox reaches it only with this capability too, on either side
    #: (a helpdesk ticket: the helpdesk role's, see :func:`inbox_capability`).
    inbox_needs: Capability | None = None
    #: ... and on a government department's side only with this one (an e-counter case:
    #: the department's case handlers; the organisation's side stays every staff member's).
    department_inbox_needs: Capability | None = None

    @property
    def restricted_inbox(self) -> bool:
        """Not every staff member of an organisation taking part reaches it."""
        return self.inbox_needs is not None or self.department_inbox_needs is not None


POLICIES: dict[ThreadKind, KindPolicy] = {
    policy.kind: policy
    for policy in (
        KindPolicy(
            ThreadKind.CHAT,
            shared_inbox=False,
            startable_by_staff=True,
            startable_by_person=True,
            started_by_create_thread=True,
            guests=False,
            invitations=True,
            likes=True,
            withdrawable_until_opened=False,
        ),
        KindPolicy(
            ThreadKind.SECURE_MAIL,
            shared_inbox=True,
            startable_by_staff=True,
            startable_by_person=True,
            started_by_create_thread=False,
            guests=True,
            invitations=False,
            likes=False,
            withdrawable_until_opened=True,
        ),
        KindPolicy(
            ThreadKind.ORG_CASE,
            shared_inbox=True,
            startable_by_staff=True,
            startable_by_person=True,
            started_by_create_thread=True,
            guests=False,
            invitations=False,
            likes=False,
            withdrawable_until_opened=False,
            # A case between two organisations: the other one's counter, as its shared inbox.
            start_with_organisations=1,
            department_inbox_needs=Capability.HANDLE_CASES,
        ),
        # Seed 5: the patient asks (with photos, perhaps), the practice answers once.
        KindPolicy(
            ThreadKind.ECONSULT,
            shared_inbox=True,
            startable_by_staff=False,
            startable_by_person=True,
            started_by_create_thread=True,
            guests=False,
            invitations=False,
            likes=False,
            withdrawable_until_opened=False,
            # Only the patient asks: an e-consult staff started would close with its own
            # first message. Staff who write to a patient first start a care conversation.
            closes_on_organisation_answer=True,
            reachable_by_delegate=True,
        ),
        KindPolicy(
            ThreadKind.CARE,
            shared_inbox=True,
            startable_by_staff=True,
            startable_by_person=True,
            started_by_create_thread=True,
            guests=False,
            invitations=False,
            likes=False,
            withdrawable_until_opened=False,
            # The client and, say, a parent or a partner who is a client too.
            start_with_persons=5,
            reachable_by_delegate=True,
        ),
        KindPolicy(
            # Started only by asking the helpdesk (AskHelpdesk): the asker and the
            # organisation as its shared inbox, where the helpdesk answers.
            ThreadKind.HELPDESK,
            shared_inbox=True,
            startable_by_staff=False,
            startable_by_person=False,
            started_by_create_thread=False,
            guests=False,
            invitations=False,
            likes=False,
            withdrawable_until_opened=False,
            inbox_needs=Capability.ANSWER_HELPDESK,
        ),
    )
}


def policy_for(kind: ThreadKind) -> KindPolicy:
    return POLICIES[kind]


#: The kinds someone acting for another person reaches (see ``reachable_by_delegate``).
DELEGATE_KINDS = frozenset(policy.kind.value for policy in POLICIES.values() if policy.reachable_by_delegate)


@dataclass
class Thread:
    id: str
    kind: ThreadKind
    subject: str
    #: The organisation the thread belongs to (None for a chat between people without one).
    organisation_id: str | None
    organisation_name: str
    created_by_account_id: str | None
    created_at: datetime
    state: ThreadState = ThreadState.OPEN
    reference: str | None = None
    last_seq: int = 0
    last_activity_at: datetime | None = None
    last_message_id: str | None = None
    assigned_to_account_id: str | None = None
    assigned_to_name: str | None = None

    @property
    def policy(self) -> KindPolicy:
        return policy_for(self.kind)

    def require_open(self) -> None:
        if self.state is not ThreadState.OPEN:
            raise ThreadNotOpen()

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise NotAllowedForKind()

    def close_if_answered(self, sender: Participant) -> bool:
        """True when this message, by the organisation's own staff, closed the thread."""
        answered = sender.via_organisation_id is not None and sender.via_organisation_id == self.organisation_id
        if self.policy.closes_on_organisation_answer and answered and self.state is ThreadState.OPEN:
            self.state = ThreadState.CLOSED
            return True
        return False

    def record_message(self, message_id: str, at: datetime) -> int:
        """The next sequence number; the thread's activity moves to ``at``."""
        self.last_seq += 1
        self.last_message_id = message_id
        self.last_activity_at = at
        return self.last_seq


@dataclass
class Participant:
    id: str
    thread_id: str
    kind: ParticipantKind
    display_name: str
    joined_at: datetime
    account_id: str | None = None
    #: For an organisation: itself; for a staff member: the organisation they act for.
    organisation_id: str | None = None
    email: str | None = None
    mobile: str | None = None
    language: str = "nl"
    last_read_seq: int = 0
    last_read_at: datetime | None = None
    unread_count: int = 0
    #: A guest: when they first opened the thread.
    opened_at: datetime | None = None
    last_activity_at: datetime | None = None
    #: Organisation rows: when the last message from outside / from its staff came.
    last_received_at: datetime | None = None
    last_sent_at: datetime | None = None

    @property
    def is_guest(self) -> bool:
        return self.kind is ParticipantKind.GUEST

    @property
    def via_organisation_id(self) -> str | None:
        return self.organisation_id if self.kind is ParticipantKind.ACCOUNT else None


def new_id() -> str:
    return str(uuid.uuid4())


def account_participant(
    thread_id: str, account_id: str, name: str, at: datetime, *, via_organisation_id: str | None = None
) -> Participant:
    return Participant(
        id=new_id(),
        thread_id=thread_id,
        kind=ParticipantKind.ACCOUNT,
        display_name=name,
        joined_at=at,
        account_id=account_id,
        organisation_id=via_organisation_id,
        last_activity_at=at,
    )


def organisation_participant(thread_id: str, organisation_id: str, name: str, at: datetime) -> Participant:
    return Participant(
        id=new_id(),
        thread_id=thread_id,
        kind=ParticipantKind.ORGANISATION,
        display_name=name,
        joined_at=at,
        organisation_id=organisation_id,
        last_activity_at=at,
    )


def guest_participant(thread_id: str, email: str, mobile: str | None, language: str, at: datetime) -> Participant:
    return Participant(
        id=new_id(),
        thread_id=thread_id,
        kind=ParticipantKind.GUEST,
        display_name=email,
        joined_at=at,
        email=email,
        mobile=mobile,
        language=language,
        last_activity_at=at,
    )


@dataclass
class Access:
    """How the caller reaches a thread: as which participant, and whether that participant
    row is new (a staff member's first visit to their organisation's thread)."""

    thread: Thread
    participant: Participant
    participants: list[Participant]
    is_new: bool = False
    #: The organisation row the caller acts through (staff in a shared inbox).
    organisation: Participant | None = None
    #: Who asked (what they may do here beyond reading depends on it).
    caller: Principal | None = None

    @property
    def others(self) -> list[Participant]:
        return [p for p in self.participants if p.id != self.participant.id and p is not self.organisation]


def staff_organisation(principal: Principal) -> str | None:
    """The one organisation whose via-organisation participant rows count for the caller.

    A row a staff member got as staff of an organisation (their visit to its shared inbox, a
    thread they started or sent for it) ends with that membership or with the roles that let
    them work its shared inbox: their token says whom they work for now and what they may do,
    and only that organisation's rows count (none for a person, a guest or an administrator
    without an inbox role). Which kinds of thread they reach there is
    :func:`reaches_through_inbox`'s. Every way into a thread applies both: opening it
    (:func:`resolve_access`), the lists, the shared inbox, its unread count and search (in
    SQL, given :func:`kinds_beyond_inbox`) and the live feed (:func:`participant_reader_key`
    and :func:`reader_keys` in ``domain.activity``).
    """
    return principal.organisation_id if principal.can(Capability.WORK_SHARED_INBOX) else None


#: Identity's kind of organisation that supervises others and runs their e-counter.
GOVERNMENT_DEPARTMENT = "government_department"


def on_department_side(principal: Principal) -> bool:
    """Whether the caller works for a government department, as their token says (the
    ``org.kind`` claim identity signs at every login and token refresh).

    The token rather than the thread: on the e-counter either side starts a case, so who
    started it does not tell the department from the organisation; an organisation's kind is
    fixed when it is created and a department is never supervised itself (identity's
    supervision rules), so a department is always the department's side of its cases; and a
    rule of the caller alone is one the lists, search and the live feed can apply in SQL or
    by key, the same way opening a thread does, without a look-up per thread."""
    return principal.organisation_kind == GOVERNMENT_DEPARTMENT


def inbox_capability(kind: ThreadKind, principal: Principal) -> Capability | None:
    """What the caller needs, besides working the shared inbox, to reach threads of ``kind``
    through their organisation's shared inbox (None: nothing more).

    An e-counter case reaches the department's case handlers only (every staff member of the
    organisation on the other side still reads every case of theirs, as seed 3 says), and a
    helpdesk ticket only the helpdesk role of the department answering it; every other kind
    every staff member who works the shared inbox."""
    policy = policy_for(kind)
    if policy.department_inbox_needs is not None and on_department_side(principal):
        return policy.department_inbox_needs
    return policy.inbox_needs


def reaches_through_inbox(principal: Principal, kind: ThreadKind) -> bool:
    """The one rule of whether the caller reaches a thread of ``kind`` as staff of their
    organisation: through its shared inbox, or through a row they got as its staff (see
    :func:`staff_organisation` and :func:`inbox_capability`)."""
    if staff_organisation(principal) is None:
        return False
    needed = inbox_capability(kind, principal)
    return needed is None or principal.can(needed)


def kinds_beyond_inbox(principal: Principal) -> frozenset[str]:
    """The kinds :func:`reaches_through_inbox` refuses the caller, for the queries: their
    organisation's rows and their rows as its staff of these kinds are left out (empty for
    anyone without an organisation's shared inbox, whose queries read no such rows)."""
    if staff_organisation(principal) is None:
        return frozenset()
    return frozenset(kind.value for kind in ThreadKind if not reaches_through_inbox(principal, kind))


def require_inbox_kind(principal: Principal, kind: ThreadKind) -> None:
    """Raises :class:`NotPermitted` (403, naming the capability) unless the caller reaches
    threads of ``kind`` through their organisation's shared inbox: for a page of such
    threads only (the e-counter's lists), never for one thread, which is simply not found."""
    principal.require(Capability.WORK_SHARED_INBOX)
    needed = inbox_capability(kind, principal)
    if needed is not None:
        principal.require(needed)


def row_counts_for(participant: Participant, principal: Principal, kind: ThreadKind) -> bool:
    """Whether an account participant row of the caller still reaches its thread of
    ``kind`` (see :func:`staff_organisation`)."""
    via = participant.via_organisation_id
    return via is None or (via == staff_organisation(principal) and reaches_through_inbox(principal, kind))


def resolve_access(
    thread: Thread | None, participants: list[Participant], principal: Principal, name: str, now: datetime
) -> Access:
    """The caller's way into ``thread``, or :class:`ThreadNotFound` when there is none.

    A guest reaches only the thread its token names, as the guest participant it names. An
    account holder reaches a thread they take part in; a staff member also every thread
    where their organisation takes part, of a kind they reach through its shared inbox
    (:func:`reaches_through_inbox`; ``name`` is then their display name for the row made
    for them).
    """
    if thread is None:
        raise ThreadNotFound()
    if principal.is_guest:
        # A withdrawn mail is gone for its recipient.
        if principal.thread_scope != thread.id or thread.state is ThreadState.WITHDRAWN:
            raise ThreadNotFound()
        for participant in participants:
            if participant.is_guest and participant.id == principal.subject_id:
                return Access(thread, participant, participants, caller=principal)
        raise ThreadNotFound()
    if principal.acts_on_behalf and not policy_for(thread.kind).reachable_by_delegate:
        raise ThreadNotFound()
    organisation = None
    if reaches_through_inbox(principal, thread.kind):
        organisation = next(
            (
                p
                for p in participants
                if p.kind is ParticipantKind.ORGANISATION and p.organisation_id == principal.organisation_id
            ),
            None,
        )
    for participant in participants:
        if participant.kind is ParticipantKind.ACCOUNT and participant.account_id == principal.subject_id:
            if not row_counts_for(participant, principal, thread.kind):
                raise ThreadNotFound()
            return Access(thread, participant, participants, organisation=organisation, caller=principal)
    if organisation is not None:
        own = account_participant(
            thread.id, principal.subject_id, name, now, via_organisation_id=principal.organisation_id
        )
        own.last_activity_at = thread.last_activity_at or now
        return Access(thread, own, [*participants, own], is_new=True, organisation=organisation, caller=principal)
    raise ThreadNotFound()


def other_party_name(participants: list[Participant], me: Participant) -> str:
    """How a conversation list names a thread for ``me``: the others, organisations first;
    a staff member's colleagues who joined through the shared inbox are not "the other
    party"."""
    mine = me.organisation_id
    names: list[str] = []
    for participant in sorted(participants, key=lambda p: (p.kind is not ParticipantKind.ORGANISATION, p.joined_at)):
        if participant.id == me.id:
            continue
        if mine is not None and participant.organisation_id == mine:
            continue
        if participant.display_name not in names:
            names.append(participant.display_name)
    return ", ".join(names)


@dataclass(frozen=True)
class Sender:
    participant_id: str
    kind: ParticipantKind
    display_name: str
    account_id: str | None = None
    #: The organisation a staff sender acted for.
    organisation_id: str | None = None


@dataclass(frozen=True)
class Forwarded:
    sender_name: str
    sent_at: datetime


@dataclass
class Message:
    id: str
    thread_id: str
    seq: int
    sender: Sender
    body: str
    sent_at: datetime
    forwarded_from: Forwarded | None = None
    like_count: int = 0
    attachments: list[AttachmentInfo] = field(default_factory=list)


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment's metadata; its bytes live in the blob store under ``storage_key``."""

    id: str
    message_id: str
    thread_id: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    scan_status: str
    created_at: datetime
    #: Scans that failed (the scanner erred or timed out on this file), for the back-off.
    scan_attempts: int = 0


def apply_new_message(participants: list[Participant], sender: Participant, seq: int, at: datetime) -> None:
    """Read state and list order after a message: the sender has read up to it, everyone
    else has one more unread; an organisation row files it under sent (its own staff wrote)
    or received (someone from outside wrote)."""
    for participant in participants:
        participant.last_activity_at = at
        if participant.id == sender.id:
            participant.last_read_seq = seq
            participant.last_read_at = at
            participant.unread_count = 0
        elif participant.kind is ParticipantKind.ORGANISATION:
            if sender.via_organisation_id == participant.organisation_id:
                participant.last_sent_at = at
                participant.last_read_seq = seq
                participant.last_read_at = at
                participant.unread_count = 0
            else:
                participant.last_received_at = at
                participant.unread_count += 1
        else:
            participant.unread_count += 1


def seen_by_count(message: Message, participants: list[Participant]) -> int:
    """People (not organisation rows) other than the sender who have read up to it."""
    return sum(
        1
        for p in participants
        if p.kind is not ParticipantKind.ORGANISATION
        and p.id != message.sender.participant_id
        and p.last_read_seq >= message.seq
    )
