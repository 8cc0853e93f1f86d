"""Use cases of contact persons per theme (seed 3, 2.1.2): add, change, remove, confirm, and
the start page's tasks. ``check_*`` validates and authorises, ``do_*`` changes state in one
unit of work with its event; the notices follow from the events (notifications).

An organisation is offered only the themes it works with (:func:`offered_themes`): its
own, and those a department supervises it in, as identity's links say when asked. A
contact person keeps a theme whose supervision ended (the history of who was named), but
no theme outside the offer is chosen anew.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from contacts.domain.contact_persons import (
    ContactDetails,
    ContactPerson,
    ContactPersonAdded,
    ContactPersonChanged,
    ContactPersonConfirmed,
    ContactPersonRemoved,
    hash_token,
    new_confirmation,
    new_contact_person,
    themes_without_confirmed_contact,
)
from contacts.domain.errors import ConfirmationLinkNotValid, ContactPersonNotFound, ThemeNotFound
from contacts.domain.themes import Theme, offered_themes
from contacts.service.ports import Clock, ContactsUnitOfWork, StaffDirectory, UnitOfWorkFactory
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import DomainError, FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email, check_name, check_phone

logger = logging.getLogger(__name__)

MAX_THEMES = 50
EMAIL_TAKEN = "is already a contact person of your organisation"
NOT_A_THEME = "is not a theme"
NOT_OFFERED = "is not a theme a department supervises your organisation in"


@dataclass(frozen=True)
class ContactDraft:
    first_name: str
    last_name: str
    email: str
    phone: str
    theme_ids: list[str]


def _organisation(principal: Principal) -> str:
    """The caller's organisation: its contact persons are kept by the staff who work its
    shared inbox and e-counter."""
    principal.require(Capability.WORK_SHARED_INBOX)
    assert principal.organisation_id is not None
    return principal.organisation_id


def check_details(
    draft: ContactDraft,
    themes: list[Theme],
    taken_emails: set[str],
    *,
    offered: list[Theme],
    kept: tuple[str, ...] = (),
) -> ContactDetails:
    """Every field is required and named when missing or malformed (nothing is saved then);
    the address must not be another contact person's of the organisation already
    (``taken_emails``, lower-cased). A theme is one of the catalogue (``themes``) the
    organisation is ``offered``, or one the person had already (``kept``: a theme whose
    supervision ended stays on the person until it is taken off)."""
    errors = FieldErrors()
    first_name = check_name(draft.first_name, "first_name", errors)
    last_name = check_name(draft.last_name, "last_name", errors)
    email = check_email(draft.email, "email", errors)
    if not draft.phone.strip():
        errors.add("phone", "is required")
    phone = check_phone(draft.phone, "phone", errors)
    known = {theme.id for theme in themes}
    choosable = {theme.id for theme in offered} | (set(kept) & known)
    theme_ids: list[str] = []
    if not draft.theme_ids:
        errors.add("theme_ids", "choose at least one theme")
    elif len(draft.theme_ids) > MAX_THEMES:
        errors.add("theme_ids", f"at most {MAX_THEMES} themes")
    for index, theme_id in enumerate(draft.theme_ids):
        if theme_id not in known:
            errors.add(f"theme_ids[{index}]", NOT_A_THEME)
        elif theme_id not in choosable:
            errors.add(f"theme_ids[{index}]", NOT_OFFERED)
        elif theme_id not in theme_ids:
            theme_ids.append(theme_id)
    if email and email.lower() in taken_emails:
        errors.add("email", EMAIL_TAKEN)
    errors.raise_if_any()
    return ContactDetails(first_name, last_name, email, phone, tuple(theme_ids))


async def _supervisors(directory: StaffDirectory, access_token: str) -> dict[str, tuple[str, ...]]:
    """Identity's links, asked before any unit of work opens (no transaction waits on it);
    an outage is an error, never "no themes"."""
    return await directory.supervisors(access_token)


async def list_themes(
    uow_factory: UnitOfWorkFactory, principal: Principal, *, directory: StaffDirectory, access_token: str
) -> list[Theme]:
    """The themes the caller's organisation works with (signed-in staff): a department's
    own, and those a department supervises the organisation in."""
    principal.require(Capability.VIEW_ORGANISATION)
    supervisors = await _supervisors(directory, access_token)
    async with uow_factory() as uow:
        catalogue = await uow.themes.all()
    return offered_themes(catalogue, principal.organisation_id or "", supervisors)


async def list_contact_persons(uow_factory: UnitOfWorkFactory, principal: Principal) -> list[ContactPerson]:
    organisation_id = _organisation(principal)
    async with uow_factory() as uow:
        return await uow.contact_persons.of_organisation(organisation_id)


async def ecounter_access(
    directory: StaffDirectory, principal: Principal, access_token: str, persons: list[ContactPerson]
) -> dict[str, bool]:
    """Per contact person of the caller's own organisation (by id): whether they can read the
    e-counter's messages, i.e. an active colleague with a role that works the shared inbox
    (seed 3: a contact person needs e-counter access; the page says when one lacks it).
    Someone else's contact persons are left out: whose accounts those are is not the
    caller's to know."""
    own = [person for person in persons if person.organisation_id == principal.organisation_id]
    if not own:
        return {}
    found = await directory.inbox_staff(access_token, [person.details.email for person in own])
    return {person.id: person.details.email.lower() in found for person in own}


async def ecounter_access_after_change(
    directory: StaffDirectory, principal: Principal, access_token: str, person: ContactPerson
) -> dict[str, bool]:
    """:func:`ecounter_access` for the answer to an addition or a change that is already saved
    and mailed: when identity cannot answer, the answer leaves the access unsaid rather than
    report an error (a retry would then find the address in use)."""
    try:
        return await ecounter_access(directory, principal, access_token, [person])
    except DomainError as error:
        logger.warning("e-counter access of contact person %s left unsaid: identity answered %s", person.id, error.code)
        return {}


def _theme_names(themes: list[Theme], theme_ids: tuple[str, ...]) -> tuple[str, ...]:
    names = {theme.id: theme.name for theme in themes}
    return tuple(names[theme_id] for theme_id in theme_ids if theme_id in names)


async def do_add_contact_person(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    draft: ContactDraft,
    clock: Clock,
    *,
    directory: StaffDirectory,
    access_token: str,
) -> ContactPerson:
    """Checks the draft (see :func:`check_details`: only themes the organisation is
    offered) and stores the unconfirmed person with the event that mails them the
    confirmation link."""
    organisation_id = _organisation(principal)
    supervisors = await _supervisors(directory, access_token)
    async with uow_factory() as uow:
        themes = await uow.themes.all()
        existing = await uow.contact_persons.of_organisation(organisation_id)
        details = check_details(
            draft,
            themes,
            {p.details.email.lower() for p in existing},
            offered=offered_themes(themes, organisation_id, supervisors),
        )
        now = clock()
        person, token = new_contact_person(organisation_id, details, now)
        await uow.contact_persons.add(person)
        assert person.confirmation_expires_at is not None
        uow.emit(
            ContactPersonAdded(
                contact_person_id=person.id,
                organisation_id=organisation_id,
                organisation_name=principal.organisation_name or "",
                email=details.email,
                display_name=person.display_name,
                token=token,
                expires_at=person.confirmation_expires_at,
                theme_names=_theme_names(themes, details.theme_ids),
                occurred_at=now,
            )
        )
        await uow.commit()
    return person


async def _own(uow: ContactsUnitOfWork, organisation_id: str, contact_person_id: str) -> ContactPerson:
    person = await uow.contact_persons.get(organisation_id, contact_person_id, lock=True)
    if person is None:
        raise ContactPersonNotFound()
    return person


async def do_update_contact_person(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    contact_person_id: str,
    draft: ContactDraft,
    clock: Clock,
    *,
    directory: StaffDirectory,
    access_token: str,
) -> ContactPerson:
    """Replaces the details. The person is told which fields changed; a new address makes
    them unconfirmed again, with a confirmation to the new address and a notice to the old.
    Saving the same details changes (and mails) nothing. A theme is added only when offered;
    one the person had stays allowed after its supervision ended."""
    organisation_id = _organisation(principal)
    supervisors = await _supervisors(directory, access_token)
    async with uow_factory() as uow:
        person = await _own(uow, organisation_id, contact_person_id)
        themes = await uow.themes.all()
        others = {p.details.email.lower() for p in await uow.contact_persons.of_organisation(organisation_id)}
        others.discard(person.details.email.lower())
        details = check_details(
            draft,
            themes,
            others,
            offered=offered_themes(themes, organisation_id, supervisors),
            kept=person.details.theme_ids,
        )
        changed = person.changed_fields(details)
        if not changed:
            return person
        now = clock()
        updated = person.with_details(details, now)
        token = ""
        previous_email = ""
        if "email" in changed:
            token, token_hash, expires_at = new_confirmation(now)
            updated = updated.unconfirmed(token_hash, expires_at)
            previous_email = person.details.email
        await uow.contact_persons.save(updated)
        uow.emit(
            ContactPersonChanged(
                contact_person_id=person.id,
                organisation_id=organisation_id,
                organisation_name=principal.organisation_name or "",
                email=details.email,
                display_name=updated.display_name,
                changed_fields=tuple(changed),
                previous_email=previous_email,
                token=token,
                expires_at=updated.confirmation_expires_at if token else None,
                occurred_at=now,
            )
        )
        await uow.commit()
    return updated


async def do_remove_contact_person(
    uow_factory: UnitOfWorkFactory, principal: Principal, contact_person_id: str, clock: Clock
) -> None:
    """Removes the person; they are mailed that they no longer are a contact person."""
    organisation_id = _organisation(principal)
    async with uow_factory() as uow:
        person = await _own(uow, organisation_id, contact_person_id)
        await uow.contact_persons.remove(person)
        uow.emit(
            ContactPersonRemoved(
                contact_person_id=person.id,
                organisation_id=organisation_id,
                organisation_name=principal.organisation_name or "",
                email=person.details.email,
                display_name=person.display_name,
                occurred_at=clock(),
            )
        )
        await uow.commit()


async def do_confirm_contact_person(uow_factory: UnitOfWorkFactory, token: str, clock: Clock) -> ContactPerson:
    """Follows the link of a confirmation mail: the person counts for their themes from now
    on. The link works once, until it expires, and only for the address it was sent to."""
    if not token or len(token) > 200:
        raise ConfirmationLinkNotValid()
    async with uow_factory() as uow:
        person = await uow.contact_persons.by_confirmation(hash_token(token), lock=True)
        now = clock()
        if person is None or person.confirmation_expires_at is None or person.confirmation_expires_at <= now:
            raise ConfirmationLinkNotValid()
        confirmed = person.confirm(now)
        await uow.contact_persons.save(confirmed)
        uow.emit(ContactPersonConfirmed(contact_person_id=person.id, organisation_id=person.organisation_id))
        await uow.commit()
    return confirmed


@dataclass(frozen=True)
class Task:
    kind: str
    theme: Theme


CONFIRM_CONTACT_FOR_THEME = "confirm_contact_for_theme"


async def list_tasks(
    uow_factory: UnitOfWorkFactory, principal: Principal, *, directory: StaffDirectory, access_token: str
) -> list[Task]:
    """One task per theme the organisation is supervised in that has no confirmed contact
    person (a department's own themes are not its tasks, nor is a theme nobody supervises
    it in)."""
    organisation_id = _organisation(principal)
    supervisors = await _supervisors(directory, access_token)
    async with uow_factory() as uow:
        catalogue = await uow.themes.all()
        persons = await uow.contact_persons.of_organisation(organisation_id)
    themes = [t for t in offered_themes(catalogue, organisation_id, supervisors) if not t.kept_by(organisation_id)]
    by_id = {theme.id: theme for theme in themes}
    missing = themes_without_confirmed_contact([t.id for t in themes], persons)
    return [Task(CONFIRM_CONTACT_FOR_THEME, by_id[theme_id]) for theme_id in missing]


@dataclass(frozen=True)
class ThemeContactsView:
    theme: Theme
    contact_persons: list[ContactPerson]
    organisation_emails: list[str]


async def theme_contacts(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    organisation_id: str,
    theme_id: str,
    *,
    directory: StaffDirectory,
    access_token: str,
) -> ThemeContactsView:
    """An organisation's contact persons for a theme, for its own staff and for the case
    handlers of the department keeping the theme while it supervises the organisation in
    that theme (who see whom their answers reach; the department's other staff read none
    of its cases, and so none of these names and addresses: 403); 404 otherwise, the same
    as for an organisation that does not exist."""
    principal.require(Capability.WORK_SHARED_INBOX)
    async with uow_factory() as uow:
        theme = await uow.themes.get(theme_id)
    if theme is None:
        raise ThemeNotFound()
    if principal.organisation_id != organisation_id:
        if not theme.kept_by(principal.organisation_id):
            raise ContactPersonNotFound()
        principal.require(Capability.HANDLE_CASES)
        # Identity keeps the links; asked afresh, so a link that ended counts at once.
        supervised = await directory.supervised(access_token)
        if theme_id not in supervised.get(organisation_id, ()):
            raise ContactPersonNotFound()
    async with uow_factory() as uow:
        persons = await uow.contact_persons.of_organisation(organisation_id)
    return ThemeContactsView(
        theme,
        [p for p in persons if theme_id in p.details.theme_ids],
        [p.details.email for p in persons],
    )
