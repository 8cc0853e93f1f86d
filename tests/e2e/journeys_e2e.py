"""What the journey end-to-end tests share: an HTTP client on the gateway, bearer headers,
a practice with a password preset (onboarded through the public paths), and logging in
through the gateway."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from support import StaffMember, onboard_staff_member

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def practice(
    stack: Stack, name: str, preset: PasswordPreset, *, roles: Sequence[str] = ("staff",)
) -> StaffMember:
    """An organisation with ``preset``'s password rules and a member of its staff with ``roles``."""
    return await onboard_staff_member(
        stack, organisation_name=f"{name} {uuid.uuid4().hex[:6]}", password_preset=preset.value, roles=roles
    )


async def tokens(api: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    response = await api.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "access_token" in body, body
    return body


def fields(response: httpx.Response) -> set[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return {error["field"] for error in response.json().get("errors", [])}
