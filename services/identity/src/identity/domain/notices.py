"""Person records without a login, and how any account is addressed in a notice."""

from __future__ import annotations

from identity.domain.events import Recipient
from identity.domain.model import Account

#: The e-mail domain of person records without a login of their own (a child under 12
#: whose parent acts for it). ``.invalid`` is reserved (RFC 2606): nothing can be sent there.
NO_LOGIN_EMAIL_DOMAIN = "no-login.invalid"


def no_login_email(account_id: str) -> str:
    """The placeholder address of a person record without login (accounts need a unique address)."""
    return f"{account_id}@{NO_LOGIN_EMAIL_DOMAIN}"


def has_real_email(email: str) -> bool:
    return not email.endswith("@" + NO_LOGIN_EMAIL_DOMAIN)


def recipient_of(account: Account) -> Recipient:
    """The account as a notice's recipient; a record without login has no address to mail."""
    recipient = Recipient.of(account)
    if has_real_email(account.email):
        return recipient
    return Recipient(account.id, "", recipient.mobile, recipient.display_name, recipient.language)
