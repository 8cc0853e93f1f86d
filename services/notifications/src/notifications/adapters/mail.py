"""Sending mail over SMTP (aiosmtplib), and telling transient from permanent failures."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from notifications.adapters.templates import RenderedMail
from notifications.config import Settings, SmtpSecurity


class DeliveryFailed(Exception):
    """A channel refused or could not take a notice. ``permanent`` means: do not retry."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def build_message(
    *, sender: str, to: str, mail: RenderedMail, message_id: str, unsubscribe_url: str | None
) -> EmailMessage:
    """A multipart/alternative mail (plain text first, HTML second)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    # Stable per delivery: a retry after an unclear failure carries the same id, so
    # receiving systems can recognise a duplicate.
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        settings = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password.get_secret_value() or None,
                use_tls=settings.smtp_security is SmtpSecurity.TLS,
                start_tls=True if settings.smtp_security is SmtpSecurity.STARTTLS else False,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refusal.code for refusal in error.recipients]
            raise DeliveryFailed(
                f"recipient refused ({', '.join(map(str, codes))})", permanent=all(code >= 500 for code in codes)
            ) from None
        except aiosmtplib.SMTPResponseException as error:
            raise DeliveryFailed(f"SMTP {error.code}: {error.message[:200]}", permanent=error.code >= 500) from None
        except ValueError as error:
            # aiosmtplib refuses a message it cannot address (no or malformed recipient):
            # no retry will change that, and it must not hold up the other notices.
            raise DeliveryFailed(f"unaddressable message: {error}"[:200], permanent=True) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise DeliveryFailed(f"SMTP unavailable: {type(error).__name__}", permanent=False) from None
