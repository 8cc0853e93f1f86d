"""Use cases of preferences: a person reads and changes how they are told."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from notifications.domain.errors import AccountHoldersOnly, InvalidPreferences
from notifications.domain.model import Category
from notifications.domain.notices import LANGUAGES
from notifications.domain.preferences import MAX_DIGEST_WINDOW_MINUTES, ChannelChoice, Preferences
from notifications.service.ports import UnitOfWorkFactory
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import STAFF_ROLES, Role

#: Roles of people with an account; a guest's token carries none of them.
ACCOUNT_ROLES = frozenset({*(role.value for role in STAFF_ROLES), Role.PERSON.value})
_CATEGORY_NAMES = {category.value: category for category in Category}


@dataclass(frozen=True)
class PreferencesChange:
    """What a person asks for, as sent (category names not yet checked)."""

    language: str
    categories: Mapping[str, ChannelChoice]
    digest_window_minutes: int


def _own_account(principal: Principal) -> str:
    """Preferences are the acting person's own: someone acting on another's behalf
    changes their own notices, never the other person's."""
    if not principal.roles & ACCOUNT_ROLES:
        raise AccountHoldersOnly()
    return principal.actor_id


def check_preferences_change(change: PreferencesChange) -> dict[Category, ChannelChoice]:
    """The chosen channels per category, or :class:`InvalidPreferences` naming every bad
    field (``language``, ``categories.<name>``, ``categories.<name>.email``,
    ``digest_window_minutes``)."""
    errors = FieldErrors()
    if change.language not in ("", *LANGUAGES):
        errors.add("language", f"must be one of {', '.join(LANGUAGES)}, or empty for the language of each notice")
    chosen: dict[Category, ChannelChoice] = {}
    for name, choice in change.categories.items():
        category = _CATEGORY_NAMES.get(name)
        if category is None:
            errors.add(f"categories.{name}", f"is not a category; known are {', '.join(_CATEGORY_NAMES)}")
        elif Preferences.is_mandatory(category) and not choice.email:
            errors.add(f"categories.{name}.email", f"{name} notices cannot be switched off: e-mail stays on")
        else:
            chosen[category] = choice
    if not 0 <= change.digest_window_minutes <= MAX_DIGEST_WINDOW_MINUTES:
        errors.add("digest_window_minutes", f"must be between 0 (no digest) and {MAX_DIGEST_WINDOW_MINUTES}")
    errors.raise_if_any(InvalidPreferences)
    return chosen


async def get_preferences(uow_factory: UnitOfWorkFactory, principal: Principal) -> Preferences:
    """The caller's preferences; the defaults (never saved) when they never chose."""
    account_id = _own_account(principal)
    async with uow_factory() as uow:
        return await uow.preferences.get(account_id) or Preferences(account_id)


async def do_update_preferences(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    change: PreferencesChange,
    *,
    now: datetime | None = None,
) -> Preferences:
    """Saves the caller's preferences after :func:`check_preferences_change`; all or nothing.

    Categories the change does not name keep their current choice. The new choice applies
    to notices queued from now on.
    """
    account_id = _own_account(principal)
    chosen = check_preferences_change(change)
    async with uow_factory() as uow:
        preferences = await uow.preferences.get(account_id) or Preferences(account_id)
        preferences.language = change.language
        preferences.digest_window_minutes = change.digest_window_minutes
        preferences.categories = {**preferences.categories, **chosen}
        preferences.updated_at = now or datetime.now(UTC)
        await uow.preferences.save(preferences)
        await uow.commit()
    return preferences
