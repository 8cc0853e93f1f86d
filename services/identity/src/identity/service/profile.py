"""One's own profile: names, language and country change at once; a new e-mail address
is confirmed by a link sent to it (with a notice to the old one), a new mobile number by
an SMS code sent to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from identity.domain.accounts import Account
from identity.domain.codes import CodeChannel, CodePurpose
from identity.domain.errors import ContactChangeNotFound, WrongPassword
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.people import check_country, check_language, display_name
from identity.domain.profile import EMAIL_CHANGE_LIFETIME, ContactChange, ContactKind, EmailChangeRequested
from identity.service.accounts import check_contact_details_free
from identity.service.callers import organisation_of, own_account
from identity.service.one_time_codes import OneTimeCodes
from identity.service.ports import PasswordHasher, UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_email, check_mobile, check_name


@dataclass(frozen=True)
class Profile:
    account: Account
    #: Changes asked for and not yet confirmed (None: none pending).
    pending_email: str | None
    pending_mobile: str | None


@dataclass(frozen=True)
class ProfileChanges:
    """A partial update: None leaves a field as it is."""

    first_name: str | None = None
    last_name: str | None = None
    language: str | None = None
    country: str | None = None
    email: str | None = None
    mobile: str | None = None
    #: Needed only when the e-mail address or mobile number changes.
    current_password: str | None = None


@dataclass(frozen=True)
class ProfileUpdate:
    """Checked and normalised changes (None: unchanged)."""

    first_name: str | None
    last_name: str | None
    language: str | None
    country: str | None
    email: str | None
    mobile: str | None
    current_password: str


def check_profile_changes(changes: ProfileChanges) -> ProfileUpdate:
    """Every bad field named at once; a mobile number can be changed, not removed."""
    errors = FieldErrors()
    first = check_name(changes.first_name, "first_name", errors) if changes.first_name is not None else None
    last = check_name(changes.last_name, "last_name", errors) if changes.last_name is not None else None
    language = check_language(changes.language, errors) if changes.language is not None else None
    country = check_country(changes.country, errors) if changes.country is not None else None
    email = check_email(changes.email, "email", errors).lower() if changes.email is not None else None
    mobile = check_mobile(changes.mobile, "mobile", errors) if changes.mobile is not None else None
    if changes.mobile is not None and not changes.mobile.strip():
        errors.add("mobile", "is required (a number can be changed, not removed)")
    errors.raise_if_any()
    return ProfileUpdate(first, last, language, country, email, mobile, changes.current_password or "")


@dataclass
class Profiles:
    uow: Callable[[], UnitOfWork]
    codes: OneTimeCodes
    hasher: PasswordHasher
    clock: Clock = utcnow

    async def get(self, principal: Principal) -> Profile:
        now = self.clock()
        async with self.uow() as uow:
            account = await own_account(uow, principal, now)
            return await self._profile(uow, account, now)

    async def do_update(self, principal: Principal, changes: ProfileChanges) -> Profile:
        """Applies names, language and country at once; a different e-mail address or
        mobile number becomes a pending change confirmed at the new address or number, and
        needs the current password.
        Every bad field is named at once and then nothing changes."""
        update = check_profile_changes(changes)
        first, last, language, country = update.first_name, update.last_name, update.language, update.country
        email, mobile = update.email, update.mobile
        now = self.clock()
        async with self.uow() as uow:
            account = await own_account(uow, principal, now)
            new_email = email if email and email != account.email else None
            new_mobile = mobile if mobile and mobile != account.mobile else None
            # Codes and reset links go to these: moving them takes the password, not only
            # a session (which may be stolen).
            if (new_email or new_mobile) and not self.hasher.verify(
                account.password_hash, update.current_password
            ):
                raise WrongPassword(fields={"current_password": "is not correct"})
            await check_contact_details_free(uow, email=new_email, mobile=new_mobile, except_account_id=account.id)
            updated = replace(
                account,
                first_name=first if first is not None else account.first_name,
                last_name=last if last is not None else account.last_name,
                language=language or account.language,
                country=country or account.country,
            )
            if first is not None or last is not None:
                updated = replace(updated, display_name=display_name(updated.first_name, updated.last_name))
            await uow.accounts.save_profile(updated)
            organisation = await organisation_of(uow, account)
            if new_email is not None:
                token = new_link_token()
                change = ContactChange(
                    account.id, ContactKind.EMAIL, new_email, hash_link_token(token), now, now + EMAIL_CHANGE_LIFETIME
                )
                await uow.contact_changes.replace(change)
                uow.emit(
                    EmailChangeRequested(
                        **OrganisationNotice.sender(organisation),
                        recipient=Recipient.of(updated),
                        new_email=new_email,
                        token=token,
                        expires_at=change.expires_at,
                    )
                )
            if new_mobile is not None:
                policy = await uow.security_policies.get(account.organisation_id)
                issued = await self.codes.do_issue(
                    uow,
                    purpose=CodePurpose.MOBILE_CHANGE,
                    subject=account.id,
                    channel=CodeChannel.SMS,
                    # The code goes to the NEW number: it proves the person holds it.
                    recipient=replace(Recipient.of(updated), mobile=new_mobile),
                    organisation=organisation,
                    lifetime=policy.code_lifetime,
                )
                await uow.contact_changes.replace(
                    ContactChange(account.id, ContactKind.MOBILE, new_mobile, None, now, issued.expires_at)
                )
            profile = await self._profile(uow, updated, now)
            await uow.commit()
        return profile

    async def do_confirm_email(self, principal: Principal, token: str) -> Profile:
        """Makes the confirmed address the caller's; the link works once, for its owner only."""
        now = self.clock()
        async with self.uow() as uow:
            account = await own_account(uow, principal, now)
            change = await uow.contact_changes.take_by_token_hash(hash_link_token(token))
            if change is None or change.account_id != account.id:
                raise ContactChangeNotFound()
            change.check_usable(now)
            await check_contact_details_free(uow, email=change.new_value, except_account_id=account.id)
            updated = replace(account, email=change.new_value)
            await uow.accounts.save_profile(updated)
            profile = await self._profile(uow, updated, now)
            await uow.commit()
        return profile

    async def do_confirm_mobile(self, principal: Principal, code: str) -> Profile:
        """Makes the pending number the caller's once the code sent to it is typed back."""
        now = self.clock()
        async with self.uow() as uow:
            account = await own_account(uow, principal, now)
            change = await uow.contact_changes.take(account.id, ContactKind.MOBILE)
            if change is None:
                raise ContactChangeNotFound()
            await self.codes.do_redeem(uow, purpose=CodePurpose.MOBILE_CHANGE, subject=account.id, code=code)
            await check_contact_details_free(uow, mobile=change.new_value, except_account_id=account.id)
            updated = replace(account, mobile=change.new_value)
            await uow.accounts.save_profile(updated)
            profile = await self._profile(uow, updated, now)
            await uow.commit()
        return profile

    @staticmethod
    async def _profile(uow: UnitOfWork, account: Account, now: datetime) -> Profile:
        pending = {
            change.kind: change.new_value
            for change in await uow.contact_changes.list_for_account(account.id)
            if change.expires_at > now
        }
        return Profile(account, pending.get(ContactKind.EMAIL), pending.get(ContactKind.MOBILE))
