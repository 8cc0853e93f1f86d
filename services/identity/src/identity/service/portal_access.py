"""Portal access ends with care (seed 4: "Zodra de behandeling is beëindigd, vervalt uw
toegang tot de Portal")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from identity.domain.accounts import AccountStatus
from identity.domain.delegations import EndReason
from identity.domain.sessions import AccessRevoked, RevocationReason
from identity.service.delegations import do_end_delegations
from identity.service.ports import UnitOfWork
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


async def do_end_portal_access(uow: UnitOfWork, person_account_id: str, clock: Callable[[], datetime]) -> bool:
    """Disables the person's login, revokes every session (refresh tokens stop at once)
    and ends every delegation to or from the person ("access_ended"), inside the caller's
    unit of work. Staff accounts and unknown ids are left alone (False). Repeating it
    changes nothing more."""
    account = await uow.accounts.get_for_update(person_account_id)
    # The revocation time is taken under the account's row lock, which every token-minting
    # flow takes too (see AuthenticationService.do_refresh).
    now = clock()
    if account is None or account.works_for_organisation:
        log.info("portal_access_not_ended", account_known=account is not None)
        return False
    await uow.accounts.set_status(account.id, AccountStatus.DISABLED)
    await uow.sessions.revoke_all_except(account.id, None, now)
    uow.emit(AccessRevoked(account_id=account.id, revoked_at=now, reason=RevocationReason.PORTAL_ACCESS_ENDED))
    open_delegations = await uow.delegations.list_open_involving_for_update(account.id)
    await do_end_delegations(uow, open_delegations, EndReason.ACCESS_ENDED, now)
    return True
