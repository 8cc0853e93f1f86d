"""Whom a new message is announced to (``messaging.message.sent``), without its content."""

from __future__ import annotations

from messaging.domain.events import MessageRecipient
from messaging.domain.threads import Participant, ParticipantKind, Thread


def notice_recipients(
    thread: Thread, participants: list[Participant], sender: Participant, *, opens_secure_mail: bool
) -> list[MessageRecipient | Participant]:
    """Everyone to tell, the sender excepted. Guests come back as their :class:`Participant`
    (their notice needs a fresh read link, made by the caller); the first message of a
    secure mail leaves the guest out (``messaging.secure_mail.sent`` announces it).

    - an organisation taking part is told as a shared inbox unless its own staff wrote;
    - staff who joined through the sender's own organisation are colleagues, not told;
    - a reply by a guest names the staff member who sent the mail (``original_sender``);
    - the colleague the thread is assigned to is told even before they took part.
    """
    recipients: list[MessageRecipient | Participant] = []
    told_accounts: set[str] = set()
    for participant in participants:
        if participant.id == sender.id:
            continue
        if participant.kind is ParticipantKind.ORGANISATION:
            if participant.organisation_id != sender.via_organisation_id:
                recipients.append(
                    MessageRecipient(
                        kind="organisation",
                        reason="shared_inbox",
                        participant_id=participant.id,
                        organisation_id=participant.organisation_id or "",
                        display_name=participant.display_name,
                    )
                )
        elif participant.kind is ParticipantKind.GUEST:
            if not opens_secure_mail:
                recipients.append(participant)
        elif participant.account_id:
            if sender.via_organisation_id is not None and participant.organisation_id == sender.via_organisation_id:
                continue
            original = sender.is_guest and participant.account_id == thread.created_by_account_id
            recipients.append(
                MessageRecipient(
                    kind="account",
                    reason="original_sender" if original else "participant",
                    participant_id=participant.id,
                    account_id=participant.account_id,
                    organisation_id=participant.organisation_id or "",
                    display_name=participant.display_name,
                )
            )
            told_accounts.add(participant.account_id)
    assignee = thread.assigned_to_account_id
    if assignee and assignee not in told_accounts and assignee != sender.account_id:
        recipients.append(
            MessageRecipient(
                kind="account",
                reason="assignee",
                account_id=assignee,
                organisation_id=thread.organisation_id or "",
                display_name=thread.assigned_to_name or "",
            )
        )
    return recipients
