"""A person's notification preferences (the seed's "E-mailinstellingen").

Per category: by e-mail, by SMS, both or neither; one language for every notice; and a
digest window in which notices of new messages are bundled into one mail. Someone without
an account, or who never chose, gets the defaults: every category by e-mail, no SMS, the
language the event names, no digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from notifications.domain.model import MANDATORY_CATEGORIES, Category, Channel

#: The longest digest window a person may choose: a day.
MAX_DIGEST_WINDOW_MINUTES = 24 * 60


@dataclass(frozen=True)
class ChannelChoice:
    email: bool
    sms: bool

    def wants(self, channel: Channel) -> bool:
        return self.email if channel is Channel.EMAIL else self.sms


DEFAULT_CHOICE = ChannelChoice(email=True, sms=False)


@dataclass
class Preferences:
    account_id: str
    #: "" = the language each notice's event names.
    language: str = ""
    #: 0 = every new-message notice is its own mail.
    digest_window_minutes: int = 0
    categories: dict[Category, ChannelChoice] = field(default_factory=dict)
    updated_at: datetime | None = None

    @staticmethod
    def is_mandatory(category: Category) -> bool:
        return category in MANDATORY_CATEGORIES

    def choice(self, category: Category) -> ChannelChoice:
        """The channels for ``category``; a mandatory category always includes e-mail."""
        chosen = self.categories.get(category, DEFAULT_CHOICE)
        if self.is_mandatory(category):
            return ChannelChoice(email=True, sms=chosen.sms)
        return chosen

    def all_choices(self) -> dict[Category, ChannelChoice]:
        """Every category with its effective choice, in the catalogue's order."""
        return {category: self.choice(category) for category in Category}
