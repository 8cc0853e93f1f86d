"""The gateway's messaging routes after the security review, through a real stack: request
bodies are counted as they stream in (a chunked upload past the cap is 413, whatever it
claims), a form is not read before messaging says the caller may post there, positions
and cursors no stream or list gave are 422 (never a 500), and live-update streams are
capped per session (429)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from support import login, onboard_organisation, onboard_staff_member

from zorgpost_devstack.stack import Stack

PDF = b"%PDF-1.4\n%%EOF\n"
UPLOAD_CAP = 64 * 1024

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(
        extra_env={
            "gateway": {"MAX_UPLOAD_REQUEST_BYTES": str(UPLOAD_CAP), "MAX_REQUEST_BYTES": "8192"},
            "messaging": {"MAX_STREAMS_PER_SESSION": "2"},
        }
    ),
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _staff_token(api: httpx.AsyncClient, stack: Stack) -> str:
    staff = await onboard_staff_member(stack)
    return await login(api, staff.email)


async def _chat(api: httpx.AsyncClient, token: str) -> str:
    created = await api.post("/api/v1/threads", json={"subject": "Overleg"}, headers=bearer(token))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\nzie bijlage\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="groot.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + b"0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


async def _chunked(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 8192):
        yield data[start : start + 8192]


async def test_a_chunked_upload_past_the_cap_is_413_and_stores_nothing(api: httpx.AsyncClient, stack: Stack) -> None:
    token = await _staff_token(api, stack)
    thread_id = await _chat(api, token)
    body, content_type = _multipart(UPLOAD_CAP * 2)
    # No Content-Length: the gateway can only count.
    refused = await api.post(
        f"/api/v1/threads/{thread_id}/messages",
        content=_chunked(body),
        headers={**bearer(token), "content-type": content_type},
    )
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "request_too_large"
    declared = await api.post(
        f"/api/v1/threads/{thread_id}/messages", content=body, headers={**bearer(token), "content-type": content_type}
    )
    assert declared.status_code == 413
    thread = (await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(token))).json()
    assert thread["messages"] == []

    small, content_type = _multipart(1000)
    posted = await api.post(
        f"/api/v1/threads/{thread_id}/messages",
        content=_chunked(small),
        headers={**bearer(token), "content-type": content_type},
    )
    assert posted.status_code == 201, posted.text


async def test_json_bodies_have_their_own_cap(api: httpx.AsyncClient, stack: Stack) -> None:
    token = await _staff_token(api, stack)
    thread_id = await _chat(api, token)
    refused = await api.post(
        f"/api/v1/threads/{thread_id}/messages",
        content=_chunked(b'{"body": "' + b"a" * 20_000 + b'"}'),
        headers={**bearer(token), "content-type": "application/json"},
    )
    assert (refused.status_code, refused.json()["code"]) == (413, "request_too_large")


async def test_a_form_for_a_thread_the_caller_cannot_post_in_is_refused_before_it_is_read(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    token = await _staff_token(api, stack)
    other = await _chat(api, await _staff_token(api, stack))
    body, content_type = _multipart(1000)
    for thread_id in (other, str(uuid.uuid4())):
        refused = await api.post(
            f"/api/v1/threads/{thread_id}/messages",
            content=body,
            headers={**bearer(token), "content-type": content_type},
        )
        assert (refused.status_code, refused.json()["code"]) == (404, "thread_not_found")


@pytest.mark.parametrize(
    ("path", "params", "headers", "field"),
    [
        ("/api/v1/threads", {"cursor": "²"}, {}, "cursor"),
        (
            "/api/v1/threads",
            {"cursor": base64.urlsafe_b64encode(f"0001-01-01T00:00:00+14:00|{uuid.uuid4()}".encode()).decode()},
            {},
            "cursor",
        ),
        ("/api/v1/secure-mail-inbox", {"cursor": "²"}, {}, "cursor"),
        ("/api/v1/search", {"q": "uitslag", "cursor": "²"}, {}, "cursor"),
        ("/api/v1/events", {"after": str(2**63)}, {}, "after"),
        ("/api/v1/events", {}, {"Last-Event-ID": "²".encode("latin-1")}, "Last-Event-ID"),
        ("/api/v1/events", {}, {"Last-Event-ID": str(2**63)}, "Last-Event-ID"),
    ],
    ids=[
        "thread-cursor-digit",
        "thread-cursor-year-one",
        "inbox-cursor",
        "search-cursor",
        "after",
        "last-id",
        "last-id-big",
    ],
)
async def test_positions_and_cursors_nobody_gave_are_422(
    api: httpx.AsyncClient, stack: Stack, path: str, params: dict[str, str], headers: dict[str, str], field: str
) -> None:
    token = await _staff_token(api, stack)
    refused = await api.get(path, params=params, headers={**bearer(token), **headers})
    assert refused.status_code == 422, refused.text
    assert field in [error["field"] for error in refused.json()["errors"]]


async def test_message_cursor_and_link_lifetime_out_of_range_are_422(api: httpx.AsyncClient, stack: Stack) -> None:
    token = await _staff_token(api, stack)
    thread_id = await _chat(api, token)
    page = await api.get(f"/api/v1/threads/{thread_id}/messages", params={"cursor": "²"}, headers=bearer(token))
    assert page.status_code == 422 and page.json()["errors"][0]["field"] == "cursor"
    # The link lifetime is an administrator's setting.
    administrator = await onboard_organisation(stack)
    for days in (2**31, 0, 366):
        updated = await api.put(
            "/api/v1/organisation/secure-mail-settings",
            json={"read_link_days": days},
            headers=bearer(administrator.access_token),
        )
        assert (updated.status_code, updated.json()["errors"][0]["field"]) == (422, "read_link_days")


async def test_live_update_streams_are_capped_per_session(api: httpx.AsyncClient, stack: Stack) -> None:
    token = await _staff_token(api, stack)
    async with (
        api.stream("GET", "/api/v1/events", headers=bearer(token)) as first,
        api.stream("GET", "/api/v1/events", headers=bearer(token)) as second,
    ):
        assert (first.status_code, second.status_code) == (200, 200)
        third = await api.get("/api/v1/events", headers=bearer(token))
        assert third.status_code == 429
        assert third.json()["code"] == "too_many_streams" and "retry-after" in third.headers
