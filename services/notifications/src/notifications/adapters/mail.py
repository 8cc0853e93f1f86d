"""Sending mail over SMTP (aiosmtplib), and telling transient from permanent failures."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from notifications.config import Settings, SmtpSecurity
from notifications.service.ports import DeliveryFailed, OutgoingMail, RenderedMail

__all__ = ["DeliveryFailed", "SmtpMailer", "build_message", "tls_context"]


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


def tls_context(ca_file: str) -> ssl.SSLContext:
    """Verifies the server's certificate and host name, against ``ca_file`` when given."""
    return ssl.create_default_context(cafile=ca_file or None)


class SmtpMailer:
    """Hands mail to the configured SMTP server (the :class:`notifications.service.ports.Mailer`).

    With ``starttls`` or ``tls`` the connection is encrypted and the server's certificate
    checked, or nothing is sent: there is no fallback to plain text.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._tls = tls_context(settings.smtp_ca_file) if settings.smtp_security is not SmtpSecurity.NONE else None

    async def send(self, mail: OutgoingMail) -> None:
        """Sends one notice from the configured sender address."""
        await self.send_message(
            build_message(
                sender=self._settings.mail_from,
                to=mail.to,
                mail=mail.mail,
                message_id=mail.message_id,
                unsubscribe_url=mail.unsubscribe_url,
            )
        )

    async def send_message(self, message: EmailMessage) -> None:
        """Returns once the server accepted ``message``; raises :class:`DeliveryFailed`."""
        settings = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password.get_secret_value() or None,
                use_tls=settings.smtp_security is SmtpSecurity.TLS,
                # Explicit False: left to None, aiosmtplib upgrades only when offered, which
                # would let a server that hides STARTTLS downgrade us silently.
                start_tls=settings.smtp_security is SmtpSecurity.STARTTLS,
                tls_context=self._tls,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refusal.code for refusal in error.recipients]
            raise DeliveryFailed(
                f"recipient refused ({', '.join(map(str, codes))})", permanent=all(code >= 500 for code in codes)
            ) from None
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as error:
            # About this recipient or this message: a 5xx will not change on a retry.
            raise DeliveryFailed(f"SMTP {error.code}: {error.message[:200]}", permanent=error.code >= 500) from None
        except aiosmtplib.SMTPResponseException as error:
            # HELO, AUTH, MAIL FROM: our side (credentials, sender address) is refused. That
            # holds for every mail until an operator fixes it, so the deliveries wait for
            # that rather than fail for good; redrive picks up what ran out of attempts.
            raise DeliveryFailed(f"SMTP {error.code}: {error.message[:200]}", permanent=False) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise DeliveryFailed(f"SMTP unavailable: {type(error).__name__}", permanent=False) from None
