"""Reading a secure e-mail as its outside recipient, who has no account (seed 2): the
notice's "Bericht lezen" link opens ``/secure-mail/{token}``, which asks for an access code
("Toegangscode aanvragen": by SMS when the sender gave a mobile number, otherwise by mail);
the code opens the mail, which can be answered with files ("Beantwoorden", "Verzenden").
A later visit asks for a new code.

The guest token the code buys lives in the server-side browser session only, under this
link (another link in the same browser does not reach it), and only as long as the gateway
says (at most 15 minutes); opening the mail gives the session a new cookie, and "Sluiten"
forgets the access. A reply typed when it ran out is kept for after the next code.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import Page, PageDep
from web.entrypoints.conversation import MESSAGE_FIELDS, download, send_message
from web.entrypoints.paths import segment
from web.forms import Form
from web.service.ports import FilePart, GatewayError

router = APIRouter(prefix="/secure-mail")

JOURNEY = "secure_mail"
CODE_FIELDS = {"code": "reader.code"}
#: The length of an access code: the page opens the mail by itself once this many digits are in.
CODE_DIGITS = 6
#: A guest token this close to its end is not used any more (a reply would fail half-way).
EXPIRY_MARGIN = timedelta(seconds=20)
DEFAULT_GUEST_SECONDS = 15 * 60


class GuestAccessEnded(Exception):
    """The gateway no longer takes the guest token (it ran out, or the mail was withdrawn)."""


def _key(token: str) -> str:
    """Where a link's state lives in the session: the link itself is not stored twice."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _state(page: Page, token: str) -> dict[str, Any]:
    links = page.pending(JOURNEY) or {}
    state: dict[str, Any] = dict(links.get(_key(token)) or {})
    return state


def _store(page: Page, token: str, state: dict[str, Any]) -> None:
    links = dict(page.pending(JOURNEY) or {})
    links[_key(token)] = state
    page.set_pending(JOURNEY, links)


def _guest_token(state: dict[str, Any]) -> str | None:
    token = state.get("access_token")
    expires = state.get("expires_at")
    if not token or not expires:
        return None
    if datetime.fromisoformat(expires) - EXPIRY_MARGIN <= datetime.now(UTC):
        return None
    return str(token)


def _forget_access(page: Page, token: str, state: dict[str, Any]) -> None:
    for name in ("access_token", "expires_at", "thread_id"):
        state.pop(name, None)
    _store(page, token, state)


def _base(token: str) -> str:
    return f"/secure-mail/{token}"


async def _link_invalid(page: Page) -> Response:
    return await page.render("pages/secure_mail_invalid.html.j2", status=404)


async def _request_page(page: Page, token: str, *, status: int = 200, problem: str | None = None) -> Response:
    state = _state(page, token)
    return await page.render(
        "pages/secure_mail_request.html.j2", status=status, token=token, requested=state.get("channel"), problem=problem
    )


async def _as_guest(page: Page, token: str, method: str, path: str) -> tuple[Any, bool]:
    """(answer, True) for a call with the link's guest token; (None, False) when there is no
    usable one (ended, or the gateway no longer takes it): a new code is needed."""
    state = _state(page, token)
    guest = _guest_token(state)
    if guest is None:
        if state.get("access_token"):
            _forget_access(page, token, state)
            page.flash("info", "flash.reader_expired")
        return None, False
    try:
        answer = await page.parts.gateway.call(method, path, token=guest, browser=page.browser)
    except GatewayError as error:
        if error.status not in (401, 404):
            raise
        _forget_access(page, token, state)
        page.flash("info", "flash.reader_expired")
        return None, False
    return answer, True


# --------------------------------------------------------------------------- the link, the code


@router.get("/{token}")
async def reader(page: PageDep, token: str) -> Response:
    state = _state(page, token)
    if state.get("thread_id"):
        thread, ok = await _as_guest(page, token, "GET", f"/threads/{segment(state['thread_id'])}")
        if ok:
            return await page.render(
                "pages/secure_mail_read.html.j2", token=token, thread=thread, expires_at=state["expires_at"]
            )
    return await _request_page(page, token)


@router.post("/{token}/code")
async def request_code(page: PageDep, token: str) -> Response:
    """ "Toegangscode aanvragen": a new code replaces an earlier one."""
    await page.form()
    try:
        sent = await page.public_api("POST", f"/secure-mail-access/{segment(token)}/code")
    except GatewayError as error:
        if error.status == 404:
            return await _link_invalid(page)
        if error.status == 429:
            used_up = error.code == "access_codes_used_up"
            problem = "reader.codes_used_up" if used_up else "reader.too_many_codes"
            return await _request_page(page, token, status=429, problem=problem)
        raise
    sent = sent or {}
    state = _state(page, token)
    state.update(channel=sent.get("channel") or "unknown", destination=sent.get("destination") or "")
    _store(page, token, state)
    return await page.redirect(f"{_base(token)}/code")


async def _code_page(page: Page, token: str, form: Form, *, status: int = 200) -> Response:
    state = _state(page, token)
    return await page.render(
        "pages/secure_mail_code.html.j2",
        status=status,
        token=token,
        form=form,
        channel=state.get("channel", "unknown"),
        destination=state.get("destination", ""),
        digits=CODE_DIGITS,
    )


@router.get("/{token}/code")
async def code_form(page: PageDep, token: str) -> Response:
    if not _state(page, token).get("channel"):
        return await page.redirect(_base(token))
    return await _code_page(page, token, page.new_form(CODE_FIELDS))


@router.post("/{token}/open")
async def open_mail(page: PageDep, token: str) -> Response:
    values = await page.form()
    code = "".join(values.get("code", "").split())
    form = page.new_form(CODE_FIELDS)
    if not code:
        form.error("code", "reader.code_required")
        return await _code_page(page, token, form, status=422)
    try:
        opened = await page.public_api("POST", f"/secure-mail-access/{segment(token)}/open", json={"code": code})
    except GatewayError as error:
        if error.status == 404:
            return await _link_invalid(page)
        if error.status == 401:
            expired = error.code == "access_code_no_longer_valid"
            form.error("code", "reader.code_expired" if expired else "reader.code_wrong")
        elif error.status == 429:
            form.error("code", "reader.code_attempts")
        elif error.status == 422:
            form.take(error)
        else:
            raise
        return await _code_page(page, token, form, status=error.status)
    state = _state(page, token)
    lifetime = int(opened.get("expires_in") or DEFAULT_GUEST_SECONDS)
    state.update(
        access_token=opened["access_token"],
        expires_at=(datetime.now(UTC) + timedelta(seconds=lifetime)).isoformat(),
        thread_id=opened["thread"]["id"],
    )
    _store(page, token, state)
    # The session now reaches the mail: under a new cookie, so one known before does not.
    await page.rotate_session()
    return await page.redirect(_base(token))


@router.post("/{token}/close")
async def close(page: PageDep, token: str) -> Response:
    """ "Sluiten": this browser forgets the access the code gave (and a waiting draft); the
    link asks for a new code again."""
    await page.form()
    links = dict(page.pending(JOURNEY) or {})
    if links.pop(_key(token), None) is not None:
        page.set_pending(JOURNEY, links)
    page.flash("success", "flash.reader_closed")
    return await page.redirect(_base(token))


# --------------------------------------------------------------------------- reply, files


async def _reply_page(page: Page, token: str, thread: dict[str, Any], form: Form, *, status: int = 200) -> Response:
    return await page.render("pages/secure_mail_reply.html.j2", status=status, token=token, thread=thread, form=form)


@router.get("/{token}/reply")
async def reply_form(page: PageDep, token: str) -> Response:
    state = _state(page, token)
    if not state.get("thread_id"):
        return await page.redirect(_base(token))
    thread, ok = await _as_guest(page, token, "GET", f"/threads/{segment(state['thread_id'])}")
    if not ok:
        return await page.redirect(_base(token))
    draft = state.pop("draft", "")
    if draft:
        _store(page, token, state)
    return await _reply_page(page, token, thread, page.new_form(MESSAGE_FIELDS, {"body": draft}))


@router.post("/{token}/reply")
async def reply(page: PageDep, token: str) -> Response:
    values, files = await page.form_with_files()
    state = _state(page, token)
    guest = _guest_token(state)
    thread_id = state.get("thread_id")
    if guest is None or not thread_id:
        # Ran out while typing: the text waits for the next code (files must be chosen again).
        state["draft"] = values.get("body", "")
        _forget_access(page, token, state)
        page.flash("info", "flash.reader_expired_draft")
        return await page.redirect(_base(token))

    async def as_guest(path: str, fields: dict[str, str], chosen: list[FilePart]) -> Any:
        try:
            return await page.parts.transfers.send_files(
                path, token=guest, fields=fields, files=chosen, browser=page.browser
            )
        except GatewayError as error:
            if error.status in (401, 404):
                raise GuestAccessEnded from error
            raise

    form = page.new_form(MESSAGE_FIELDS, {"body": values.get("body", "")})
    try:
        message = await send_message(form, as_guest, thread_id, values, files)
    except GuestAccessEnded:
        state["draft"] = values.get("body", "")
        _forget_access(page, token, state)
        page.flash("info", "flash.reader_expired_draft")
        return await page.redirect(_base(token))
    if message is None:
        thread, ok = await _as_guest(page, token, "GET", f"/threads/{segment(thread_id)}")
        if not ok:
            return await page.redirect(_base(token))
        return await _reply_page(page, token, thread, form, status=422)
    page.flash("success", "flash.reply_sent")
    return await page.redirect(f"{_base(token)}#message-{message['id']}")


@router.get("/{token}/attachments/{attachment_id}")
async def attachment(page: PageDep, token: str, attachment_id: str) -> Response:
    state = _state(page, token)
    guest = _guest_token(state)
    if guest is None or not state.get("thread_id"):
        return await page.redirect(_base(token))
    try:
        stream = await page.parts.transfers.open_stream(
            f"/threads/{segment(state['thread_id'])}/attachments/{segment(attachment_id)}",
            token=guest,
            browser=page.browser,
        )
    except GatewayError as error:
        if error.status == 401:
            _forget_access(page, token, state)
            page.flash("info", "flash.reader_expired")
            return await page.redirect(_base(token))
        if error.status == 409:
            return await page.render(
                "pages/error.html.j2", status=409, title_key="file.quarantined_title", text_key="file.quarantined"
            )
        raise
    return await page.finish(download(stream))
