"""What every page handler works with: the person's session and language, the gateway
on their behalf, and the one way to answer (render or redirect) that also stores the
session and sets the cookies."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from starlette.datastructures import UploadFile

from web.adapters.crypto import CsrfSigner
from web.config import Settings
from web.domain.sessions import BrowserSession
from web.forms import Form, form_values
from web.i18n import negotiate, translate
from web.service.ports import BrowserContext, FilePart, Gateway, GatewayError, GatewayTransfers, Stream
from web.service.sessions import SessionEnded, Sessions

LANGUAGE_COOKIE = "zorgpost_lang"


@dataclass
class WebParts:
    """What the composition root builds once and every request shares."""

    settings: Settings
    sessions: Sessions
    gateway: Gateway
    templates: Environment
    csrf: CsrfSigner
    transfers: GatewayTransfers

    @property
    def session_cookie(self) -> str:
        return "__Host-zorgpost-session" if self.settings.secure_cookies else "zorgpost_session"

    @property
    def csrf_cookie(self) -> str:
        return "__Host-zorgpost-csrf" if self.settings.secure_cookies else "zorgpost_csrf"


class LoginRequired(Exception):
    """Sign in first, then back to ``next_url``. The URL may carry a link's secret, so it is
    kept out of the exception's text (which a traceback or a log line would print)."""

    def __init__(self, next_url: str) -> None:
        super().__init__("sign in first")
        self.next_url = next_url


class PasswordChangeRequired(Exception):
    pass


class NotAllowed(Exception):
    pass


class CsrfFailed(Exception):
    pass


class UploadTooLarge(Exception):
    """A form with files larger than the site takes at all (the gateway judges each file)."""


#: Files a form may carry at once, and their size together; each file's own limit (20 MiB
#: by default) is messaging's, named next to the field when it refuses one.
MAX_FORM_FILES = 20
MAX_FORM_BYTES = 200 * 1024 * 1024
#: Fields a multipart form may have: the forms of the site have a few dozen.
MAX_FORM_FIELDS = 50


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


class Page:
    def __init__(self, request: Request, parts: WebParts, session: BrowserSession | None) -> None:
        self.request = request
        self.parts = parts
        self.session = session
        self._new_cookie: str | None = None
        self._dirty = False
        self._clear_session_cookie = False
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen is None and session is not None and session.account is not None:
            chosen = session.account.language
        self.lang = negotiate(chosen, request.headers.get("accept-language"))
        self._csrf_cookie = request.cookies.get(parts.csrf_cookie) or ""
        self._set_csrf_cookie = False
        if not self._csrf_cookie:
            self._csrf_cookie = secrets.token_urlsafe(32)
            self._set_csrf_cookie = True

    # ------------------------------------------------------------------ basics
    def t(self, key: str, **params: Any) -> str:
        return translate(self.lang, key, **params)

    @property
    def browser(self) -> BrowserContext:
        client = self.request.client
        return BrowserContext(
            ip_address=client.host if client else "",
            user_agent=self.request.headers.get("user-agent", "")[:500],
            language=self.lang,
        )

    @property
    def signed_in(self) -> bool:
        return self.session is not None and self.session.signed_in

    @property
    def account(self) -> Any:
        return self.session.account if self.session is not None else None

    def new_form(self, labels: dict[str, str], values: dict[str, Any] | None = None) -> Form:
        return Form(self.lang, labels, dict(values or {}))

    # ------------------------------------------------------------------ session
    def ensure_session(self) -> BrowserSession:
        if self.session is None:
            cookie, self.session = self.parts.sessions.start()
            self._new_cookie = cookie
        self._dirty = True
        return self.session

    async def rotate_session(self) -> None:
        """A new cookie for this session (see :meth:`Sessions.rotate`)."""
        session = self.ensure_session()
        cookie, self.session = await self.parts.sessions.rotate(session)
        self._new_cookie = cookie
        self._dirty = True

    def changed(self) -> None:
        self._dirty = True

    def pending(self, journey: str) -> Any:
        """The stored step of a journey that spans pages, or None."""
        return self.session.pending.get(journey) if self.session is not None else None

    def set_pending(self, journey: str, value: Any) -> None:
        self.ensure_session().pending[journey] = value

    def drop_pending(self, journey: str) -> None:
        if self.session is not None and journey in self.session.pending:
            del self.session.pending[journey]
            self._dirty = True

    def flash(self, kind: str, key: str, **params: Any) -> None:
        self.ensure_session().add_flash(kind, key, **params)

    async def sign_in(self, tokens: dict[str, Any]) -> BrowserSession:
        session = self.ensure_session()
        cookie, self.session = await self.parts.sessions.sign_in(session, tokens, self.browser)
        self._new_cookie = cookie
        self._dirty = True
        return self.session

    async def sign_out(self) -> None:
        if self.session is not None:
            await self.parts.sessions.sign_out(self.session, self.browser)
        self.session = None
        self._dirty = False
        self._clear_session_cookie = True

    async def renew(self, rejected: str | None = None) -> None:
        """New tokens and the account read again (roles, organisation), after identity
        changed them; signed out (LoginRequired) when identity refuses."""
        if self.session is None:
            raise LoginRequired(self.request.url.path)
        try:
            await self.parts.sessions.renew(self.session, self.browser, rejected=rejected)
        except SessionEnded:
            await self.sign_out()
            raise LoginRequired(self.request.url.path) from None
        self._dirty = True

    async def _signed_in_call(
        self,
        token_for: Callable[[], Awaitable[str]],
        send: Callable[[str], Awaitable[Any]],
        *,
        portal: bool = False,
    ) -> Any:
        """``send`` with the person's token. A 401 may mean identity revoked the token
        because the account's roles or organisation changed: the session is renewed and
        the call tried once more (the gateway refused before doing anything, so a retry
        cannot do it twice); a second 401 signs out."""
        token = await token_for()
        try:
            return await send(token)
        except GatewayError as error:
            if error.status != 401:
                raise
        await self.renew(rejected=token)
        if portal and self.session is not None and self.session.acting is not None:
            # The acting token was revoked with one's own: asked again with the new one
            # (ActingEnded, never a retry with one's own token, when that is refused).
            await self.parts.sessions.act_again(self.session, self.browser)
        try:
            return await send(await token_for())
        except GatewayError as error:
            if error.status == 401:
                await self.sign_out()
                raise LoginRequired(self.request.url.path) from error
            raise

    # ------------------------------------------------------------------ gateway
    async def api(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None) -> Any:
        """A call as the signed-in person (their own token, refreshed when needed)."""

        async def send(token: str) -> Any:
            return await self.parts.gateway.call(
                method, path, token=token, json=json, params=params, browser=self.browser
            )

        return await self._signed_in_call(self.token, send)

    async def token(self) -> str:
        """The signed-in person's access token (refreshed when needed), for the calls that
        are not one JSON document: uploads, downloads, the live stream."""
        if self.session is None:
            raise LoginRequired(self.request.url.path)
        try:
            return await self.parts.sessions.access_token(self.session, self.browser)
        except SessionEnded:
            raise LoginRequired(self.request.url.path) from None

    async def api_files(self, path: str, fields: Mapping[str, str | list[str]], files: list[FilePart]) -> Any:
        """A POST with files as the signed-in person (multipart), renewed and sent once more
        after a 401 like :meth:`api`."""
        return await self._signed_in_call(self.token, self._files_sender(path, fields, files))

    def _files_sender(
        self, path: str, fields: Mapping[str, str | list[str]], files: list[FilePart], file_field: str = "files"
    ) -> Callable[[str], Awaitable[Any]]:
        async def send(token: str) -> Any:
            # A retry sends the files from their start again (the form parser spooled them,
            # so they can be read twice).
            for part in files:
                part.content.seek(0)
            return await self.parts.transfers.send_files(
                path, token=token, fields=fields, files=files, browser=self.browser, file_field=file_field
            )

        return send

    async def api_stream(
        self, path: str, *, headers: Mapping[str, str] | None = None, idle_timeout: float | None = None
    ) -> Stream:
        """A GET read as it comes (a file, the live events) as the signed-in person."""

        async def send(token: str) -> Stream:
            return await self.parts.transfers.open_stream(
                path, token=token, headers=headers, browser=self.browser, idle_timeout=idle_timeout
            )

        stream: Stream = await self._signed_in_call(self.token, send)
        return stream

    async def _portal_token(self) -> str:
        if self.session is None:
            raise LoginRequired(self.request.url.path)
        try:
            return await self.parts.sessions.portal_token(self.session, self.browser)
        except SessionEnded:
            raise LoginRequired(self.request.url.path) from None

    async def portal_api(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        """A portal call: on behalf of the person one acts for, if any."""

        async def send(token: str) -> Any:
            return await self.parts.gateway.call(
                method, path, token=token, json=json, params=params, browser=self.browser
            )

        return await self._signed_in_call(self._portal_token, send, portal=True)

    async def portal_files(
        self, path: str, fields: Mapping[str, str], files: list[FilePart], *, file_field: str = "files"
    ) -> Any:
        """A portal POST with files (multipart), on behalf of the person one acts for."""
        return await self._signed_in_call(
            self._portal_token, self._files_sender(path, fields, files, file_field), portal=True
        )

    async def portal_stream(self, path: str, *, params: dict[str, str] | None = None) -> Stream:
        """A portal download (a document, a result as PDF or CSV) as it comes."""

        async def send(token: str) -> Stream:
            return await self.parts.transfers.open_stream(path, token=token, params=params, browser=self.browser)

        stream: Stream = await self._signed_in_call(self._portal_token, send, portal=True)
        return stream

    async def public_api(self, method: str, path: str, *, json: Any = None) -> Any:
        """A call that needs no signed-in person (journeys opened from a mailed link)."""
        return await self.parts.gateway.call(method, path, json=json, browser=self.browser)

    # ------------------------------------------------------------------ forms
    async def form(self) -> dict[str, str]:
        """The submitted form, once its CSRF token and origin are checked."""
        self._check_origin()
        values = form_values((await self.request.form()).multi_items())
        if not self.parts.csrf.valid(
            self.request.cookies.get(self.parts.csrf_cookie, ""), values.get("csrf_token", "")
        ):
            raise CsrfFailed
        return values

    async def form_with_files(self, *, max_fields: int = MAX_FORM_FIELDS) -> tuple[dict[str, str], list[FilePart]]:
        """A submitted multipart form (CSRF checked like :meth:`form`) and its files; a file
        input left empty is no file. ``max_fields`` bounds the form's fields (a form with
        a field per listed item passes a larger bound)."""
        length = self.request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and len(length) <= 20 and int(length) > MAX_FORM_BYTES:
            raise UploadTooLarge
        self._check_origin()
        submitted = await self.request.form(max_files=MAX_FORM_FILES, max_fields=max_fields)
        items = submitted.multi_items()
        values = form_values(items)
        if not self.parts.csrf.valid(
            self.request.cookies.get(self.parts.csrf_cookie, ""), values.get("csrf_token", "")
        ):
            raise CsrfFailed
        files = [
            FilePart(value.filename, value.content_type or "application/octet-stream", value.file)
            for name, value in items
            if name == "files" and isinstance(value, UploadFile) and value.filename
        ]
        return values, files

    def _check_origin(self) -> None:
        origin = self.request.headers.get("origin")
        if origin and origin != "null":
            if urlsplit(origin).netloc != self.request.headers.get("host", ""):
                raise CsrfFailed

    # ------------------------------------------------------------------ answers
    async def render_fragment(self, template: str, **context: Any) -> Response:
        """A piece of a page (what the live updates put in place), without the frame and
        without taking the flash messages meant for the next whole page."""
        page_context = {
            "page": self,
            "lang": self.lang,
            "t": self.t,
            "csrf_token": self.parts.csrf.token_for(self._csrf_cookie),
            "account": self.account if self.signed_in else None,
            "form": None,
            **context,
        }
        html = self.parts.templates.get_template(template).render(page_context)
        return await self.finish(HTMLResponse(html))

    async def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        flash = self.session.take_flash() if self.session is not None and self.session.flash else []
        if flash:
            self._dirty = True
        page_context = {
            "page": self,
            "lang": self.lang,
            "t": self.t,
            "csrf_token": self.parts.csrf.token_for(self._csrf_cookie),
            "account": self.account if self.signed_in else None,
            "acting": self.session.acting if self.session is not None and self.signed_in else None,
            "flash": [{"kind": item["kind"], "text": self.t(item["key"], **item.get("params", {}))} for item in flash],
            "path": self.request.url.path,
            "path_quoted": quote(
                str(self.request.url.path) + (f"?{self.request.url.query}" if self.request.url.query else ""), safe=""
            ),
            "form": None,
            **context,
        }
        html = self.parts.templates.get_template(template).render(page_context)
        return await self.finish(HTMLResponse(html, status_code=status))

    async def redirect(self, url: str) -> Response:
        return await self.finish(RedirectResponse(url, status_code=303))

    async def finish(self, response: Response) -> Response:
        settings = self.parts.settings
        if self.session is not None and self._dirty:
            await self.parts.sessions.save(self.session)
        if self._new_cookie is not None:
            response.set_cookie(
                self.parts.session_cookie,
                self._new_cookie,
                httponly=True,
                secure=settings.secure_cookies,
                samesite="lax",
                path="/",
            )
        elif self._clear_session_cookie:
            response.delete_cookie(self.parts.session_cookie, path="/", secure=settings.secure_cookies, httponly=True)
        if self._set_csrf_cookie:
            response.set_cookie(
                self.parts.csrf_cookie,
                self._csrf_cookie,
                httponly=True,
                secure=settings.secure_cookies,
                samesite="lax",
                path="/",
            )
        return response


def get_parts(request: Request) -> WebParts:
    parts: WebParts = request.app.state.parts
    return parts


async def get_page(request: Request, parts: Annotated[WebParts, Depends(get_parts)]) -> Page:
    session = await parts.sessions.load(request.cookies.get(parts.session_cookie))
    page = Page(request, parts, session)
    request.state.page = page
    return page


def _location(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def get_account_page(page: Annotated[Page, Depends(get_page)]) -> Page:
    """Signed in, also while the password must still be changed."""
    if not page.signed_in:
        raise LoginRequired(_location(page.request))
    return page


async def get_signed_in_page(page: Annotated[Page, Depends(get_account_page)]) -> Page:
    """Signed in with a password that need not be changed first."""
    if page.account is not None and page.account.password_change_required:
        raise PasswordChangeRequired
    return page


async def get_staff_page(page: Annotated[Page, Depends(get_signed_in_page)]) -> Page:
    if not page.account.is_staff:
        raise NotAllowed
    return page


async def get_admin_page(page: Annotated[Page, Depends(get_staff_page)]) -> Page:
    """An administrator of the organisation: its staff, teams and settings."""
    if not page.account.is_admin:
        raise NotAllowed
    return page


PageDep = Annotated[Page, Depends(get_page)]
AccountPage = Annotated[Page, Depends(get_account_page)]
SignedInPage = Annotated[Page, Depends(get_signed_in_page)]
StaffPage = Annotated[Page, Depends(get_staff_page)]
AdminPage = Annotated[Page, Depends(get_admin_page)]
