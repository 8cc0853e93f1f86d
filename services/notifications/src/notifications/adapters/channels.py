"""What the delivery worker needs from a channel: hand over one notice, or say why not."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class DeliveryFailed(Exception):
    """A channel refused or could not take a notice. ``permanent`` means: do not retry.

    ``reason`` is shown to senders and operators: it never holds the notice's text.
    """

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Returns once the mail server accepted the message; raises :class:`DeliveryFailed`."""


class SmsSender(Protocol):
    async def send(self, to: str, text: str, *, reference: str) -> None:
        """Returns once the provider accepted the SMS to ``to`` (E.164); raises
        :class:`DeliveryFailed`. ``reference`` is the delivery id, for the provider's logs."""
