"""Access to a secure e-mail for its outside recipient, who has no account (seed 2).

The notice's "Bericht lezen" link carries a token that messaging issued; it says which
mail (thread) and which outside recipient (guest participant) it opens. Whoever holds the
link asks for an access code, which goes to the address or number the sender gave (SMS
when there is a mobile number, e-mail otherwise), and types it in. The right code, once,
opens the mail with a guest token: it reaches that one thread, as that recipient, for at
most :data:`GUEST_TOKEN_LIFETIME`, and nothing else anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.domain.accounts import Organisation
from identity.domain.codes import CodeChannel
from identity.domain.errors import ReadLinkNotFound
from identity.domain.notices import Recipient
from identity.domain.registrations import mask_mobile
from zorgpost_kit.errors import FieldErrors

#: How long an access code works (seed 2: "De toegangscode is 15 minuten geldig").
ACCESS_CODE_LIFETIME = timedelta(minutes=15)
#: The longest a guest token lives; the recipient asks a new code for a later visit.
GUEST_TOKEN_LIFETIME = timedelta(minutes=15)
#: Longer than any token messaging issues: anything longer is not worth a lookup.
MAX_READ_TOKEN_LENGTH = 200
MAX_CODE_LENGTH = 32


@dataclass(frozen=True)
class ReadLink:
    """What a "Bericht lezen" link opens, as messaging resolves it."""

    thread_id: str
    #: Messaging's guest participant: the ``sub`` of the guest token.
    participant_id: str
    email: str
    #: E.164, empty when the sender gave none.
    mobile: str
    organisation_id: str
    organisation_name: str
    language: str
    #: When the link stops working (None when messaging did not say).
    expires_at: datetime | None = None

    @property
    def channel(self) -> CodeChannel:
        """Seed 2: by SMS when the mobile number is known, otherwise by e-mail."""
        return CodeChannel.SMS if self.mobile else CodeChannel.EMAIL

    @property
    def recipient(self) -> Recipient:
        """The outside recipient as a notice addresses them (no account)."""
        return Recipient(account_id="", email=self.email, mobile=self.mobile, language=self.language or "nl")

    @property
    def organisation(self) -> Organisation | None:
        """The sending organisation, in whose name the code is sent."""
        return Organisation(self.organisation_id, self.organisation_name) if self.organisation_id else None

    @property
    def masked_destination(self) -> str:
        """Where the code goes, as the page may show it."""
        return mask_mobile(self.mobile) if self.channel is CodeChannel.SMS else mask_email(self.email)

    def guest_token_expiry(self, now: datetime) -> datetime:
        """A guest token never outlives :data:`GUEST_TOKEN_LIFETIME`, nor the link it came from."""
        latest = now + GUEST_TOKEN_LIFETIME
        return min(latest, self.expires_at) if self.expires_at is not None and self.expires_at > now else latest


def mask_email(email: str) -> str:
    """ "a***@example.org": enough for the recipient to recognise, not to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def check_read_token(token: str) -> str:
    """A link token worth looking up; anything else is an unknown link (404), never a 422
    that would tell a prober more than "this link does not work"."""
    token = token.strip()
    if not token or len(token) > MAX_READ_TOKEN_LENGTH:
        raise ReadLinkNotFound()
    return token


def check_access_code(code: str) -> str:
    """A code was typed (its value is judged by the redemption)."""
    errors = FieldErrors()
    if not code.strip():
        errors.add("code", "is required")
    elif len(code) > MAX_CODE_LENGTH:
        errors.add("code", f"is at most {MAX_CODE_LENGTH} characters")
    errors.raise_if_any()
    return code


@dataclass(frozen=True)
class AccessCodeSent:
    """Where the code went and until when it works (the code itself only travels in the
    event that sends it)."""

    channel: CodeChannel
    destination: str
    expires_at: datetime


@dataclass(frozen=True)
class GuestAccess:
    """A guest token for one thread and how long it lives."""

    access_token: str
    thread_id: str
    expires_in: int
