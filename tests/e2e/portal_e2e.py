"""What the portal's end-to-end tests share: a practice with a practitioner, its clients
registered in the portal, files to upload, and reading what the portal mailed."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from journeys_e2e import bearer, practice, tokens
from journeys_support import create_client, years_ago
from support import Member, StaffMember

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    """A real 1x1 PNG (magic bytes, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@dataclass
class Practice:
    staff: StaffMember
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Client:
    member: Member
    token: str
    first_name: str

    @property
    def account_id(self) -> str:
        return self.member.account_id

    @property
    def email(self) -> str:
        return self.member.email

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def open_practice(stack: Stack, api: httpx.AsyncClient, name: str, preset: PasswordPreset) -> Practice:
    """A practice onboarded through the public paths, with a practitioner (who also works
    the shared inbox as staff, as the demo's GP does) signed in."""
    staff = await practice(stack, name, preset, roles=("staff", "practitioner"))
    return Practice(staff, (await tokens(api, staff.email, staff.password))["access_token"])


async def register(
    api: httpx.AsyncClient, practice_: Practice, member: Member, first_name: str, born: date, **extra: str
) -> None:
    """The practice registers the person as a client of the portal (about me)."""
    response = await api.put(
        f"/api/v1/portal/practice/clients/{member.account_id}",
        json={
            "first_name": first_name,
            "last_name": "Test",
            "birth_date": born.isoformat(),
            "email": member.email,
            **extra,
        },
        headers=practice_.headers,
    )
    assert response.status_code == 200, response.text


async def new_client(
    stack: Stack, api: httpx.AsyncClient, practice_: Practice, first_name: str, age: int, *, login: bool = True
) -> Client:
    born = years_ago(age, days=-30)
    member = await create_client(stack, practice_.staff.organisation_id, born)
    await register(api, practice_, member, first_name, born)
    token = (await tokens(api, member.email, member.password))["access_token"] if login else ""
    return Client(member, token, first_name)


async def login_again(api: httpx.AsyncClient, client: Client) -> None:
    """A new login: a new session, so the dashboard's "since" moves on."""
    client.token = (await tokens(api, client.member.email, client.member.password))["access_token"]


async def add_slot(
    api: httpx.AsyncClient, practice_: Practice, start: datetime, *, minutes: int = 10
) -> dict[str, Any]:
    response = await api.post(
        "/api/v1/portal/practice/slots",
        json={
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=minutes)).isoformat(),
            "practitioner_name": "Dokter Test",
            "location": "Spreekkamer 1",
        },
        headers=practice_.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def whole_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def files(name: str, data: bytes, content_type: str) -> dict[str, tuple[str, io.BytesIO, str]]:
    return {"file": (name, io.BytesIO(data), content_type)}


async def publish(
    api: httpx.AsyncClient, practice_: Practice, person_id: str, kind: str, title: str, *, approval: bool = False
) -> dict[str, Any]:
    response = await api.post(
        f"/api/v1/portal/practice/clients/{person_id}/documents",
        data={"kind": kind, "title": title, "requires_approval": "true" if approval else "false"},
        files=files(f"{kind}.pdf", PDF, "application/pdf"),
        headers=practice_.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


__all__ = ["PasswordPreset", "bearer"]
