"""SMTP over STARTTLS and TLS with authentication, against a real aiosmtpd on 127.0.0.1 with
a certificate made here: mail goes only over a verified, encrypted connection, and a
refused login waits for the operator instead of failing the recipient for good."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr, ValidationError

from notifications.adapters.mail import DeliveryFailed, SmtpMailer, build_message
from notifications.adapters.templates import RenderedMail
from notifications.config import Settings, SmtpSecurity
from zorgpost_kit.settings import Environment

USER, PASSWORD = "zorgpost", "smtp-wachtwoord"
NOTICE = RenderedMail(subject="Uw Zorgpost-code", text="123456\n", html="<p>123456</p>\n")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    server_context: ssl.SSLContext


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A private CA and a server certificate it signed for 127.0.0.1 and localhost."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Zorgpost test CA"))
        .issuer_name(_name("Zorgpost test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return Certificates(ca_file, context)


@dataclass
class Inbox:
    """What the server received, and whether each mail came over TLS after a login."""

    received: list[tuple[Envelope, bool, Any]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        self.received.append((envelope, server.transport.get_extra_info("ssl_object") is not None, session.auth_data))
        return "250 OK"


def authenticate(server: SMTP, session: Any, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@dataclass
class MailServer:
    inbox: Inbox
    port: int


ServerFactory = Callable[..., "asyncio.Future[MailServer]"]


@pytest_asyncio.fixture
async def mail_server(certificates: Certificates) -> AsyncIterator[Callable[..., Any]]:
    """Starts servers: ``starttls`` (offered and required), ``tls`` (from the first byte),
    or ``plain`` (no STARTTLS offered at all)."""
    servers: list[asyncio.Server] = []

    async def start(mode: str) -> MailServer:
        inbox = Inbox()
        offer_tls = mode == "starttls"

        def protocol() -> SMTP:
            return SMTP(
                inbox,
                hostname="mx.example.nl",
                tls_context=certificates.server_context if offer_tls else None,
                require_starttls=offer_tls,
                authenticator=authenticate,
                # aiosmtpd counts only STARTTLS as TLS; over implicit TLS it is TLS anyway.
                auth_require_tls=offer_tls,
            )

        server = await asyncio.get_running_loop().create_server(
            protocol, "127.0.0.1", 0, ssl=certificates.server_context if mode == "tls" else None
        )
        servers.append(server)
        return MailServer(inbox, server.sockets[0].getsockname()[1])

    try:
        yield start
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()


def mailer(port: int, security: SmtpSecurity, *, ca_file: Path | None, password: str = PASSWORD) -> SmtpMailer:
    return SmtpMailer(
        Settings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security=security,
            smtp_username=USER,
            smtp_password=SecretStr(password),
            smtp_ca_file=str(ca_file or ""),
            smtp_timeout_seconds=5.0,
        )
    )


def notice() -> Any:
    return build_message(
        sender="Zorgpost <no-reply@zorgpost.example>",
        to="anna@example.nl",
        mail=NOTICE,
        message_id="<d-1@zorgpost>",
        unsubscribe_url=None,
    )


@pytest.mark.parametrize("security", [SmtpSecurity.STARTTLS, SmtpSecurity.TLS])
async def test_mail_goes_encrypted_and_logged_in_when_the_server_is_trusted(
    mail_server: Callable[..., Any], certificates: Certificates, security: SmtpSecurity
) -> None:
    server = await mail_server(security.value)

    await mailer(server.port, security, ca_file=certificates.ca_file).send_message(notice())

    [(envelope, over_tls, login)] = server.inbox.received
    assert over_tls is True
    assert login.login == USER.encode()
    assert envelope.rcpt_tos == ["anna@example.nl"]


@pytest.mark.parametrize("security", [SmtpSecurity.STARTTLS, SmtpSecurity.TLS])
async def test_a_certificate_no_trusted_ca_signed_stops_the_mail_before_anything_is_sent(
    mail_server: Callable[..., Any], security: SmtpSecurity
) -> None:
    server = await mail_server(security.value)

    with pytest.raises(DeliveryFailed) as failed:
        await mailer(server.port, security, ca_file=None).send_message(notice())

    assert failed.value.permanent is False
    assert server.inbox.received == []


async def test_starttls_asked_for_but_not_offered_sends_nothing_in_the_clear(
    mail_server: Callable[..., Any], certificates: Certificates
) -> None:
    server = await mail_server("plain")

    with pytest.raises(DeliveryFailed) as failed:
        await mailer(server.port, SmtpSecurity.STARTTLS, ca_file=certificates.ca_file).send_message(notice())

    assert failed.value.permanent is False
    assert server.inbox.received == []


async def test_a_refused_login_is_the_operators_problem_and_waits_rather_than_fails_for_good(
    mail_server: Callable[..., Any], certificates: Certificates
) -> None:
    server = await mail_server("starttls")

    with pytest.raises(DeliveryFailed) as failed:
        wrong_password = mailer(server.port, SmtpSecurity.STARTTLS, ca_file=certificates.ca_file, password="fout")
        await wrong_password.send_message(notice())

    assert failed.value.permanent is False
    assert failed.value.reason.startswith("SMTP 535")
    assert PASSWORD not in failed.value.reason and "fout" not in failed.value.reason
    assert server.inbox.received == []


def test_outside_development_smtp_credentials_are_never_sent_in_the_clear() -> None:
    with pytest.raises(ValidationError, match="SMTP_SECURITY"):
        Settings(environment=Environment.PRODUCTION, smtp_username=USER, smtp_security=SmtpSecurity.NONE)

    Settings(environment=Environment.PRODUCTION, smtp_username=USER, smtp_security=SmtpSecurity.STARTTLS)
