"""What every journey that makes an account checks before it does: the address, username
and mobile number belong to nobody else (seed 5: every person needs their own e-mail
address and mobile number; ``jansen+kind1@gmail.com`` is an address of its own)."""

from __future__ import annotations

from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.errors import EmailInUse, MobileInUse, UsernameInUse


async def check_contact_details_free(
    uow: IdentityUnitOfWork,
    *,
    email: str | None = None,
    username: str | None = None,
    mobile: str | None = None,
    except_account_id: str | None = None,
) -> None:
    """Raises the first of :class:`EmailInUse`, :class:`UsernameInUse`, :class:`MobileInUse`
    that applies (an account's own details do not count against it)."""
    if email:
        holder = await uow.accounts.find_for_login(email)
        if holder is not None and holder.id != except_account_id:
            raise EmailInUse(fields={"email": "is already in use"})
    if username:
        holder = await uow.accounts.find_for_login(username)
        if holder is not None and holder.id != except_account_id:
            raise UsernameInUse(fields={"username": "is already taken"})
    if mobile and await uow.account_changes.mobile_in_use(mobile, except_account_id=except_account_id):
        raise MobileInUse(fields={"mobile": "is used by another account"})
