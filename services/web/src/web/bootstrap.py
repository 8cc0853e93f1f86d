"""Composition root: builds the web front end from its settings.

Nothing is built at import time: ``create_app(settings)`` makes the app, and its lifespan
opens the database engine and the gateway client and closes them again. Tests pass their
own gateway or session store through the keyword arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import files
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from web.adapters.crypto import CsrfSigner, StateCipher
from web.adapters.gateway import HttpGateway
from web.adapters.session_store import SqlSessionStore
from web.config import Settings
from web.entrypoints import (
    access_requests,
    account,
    administration,
    auth,
    ecounter,
    ecounter_organisation,
    inbox,
    journeys,
    messenger,
    notice_links,
    portal,
    portal_dossier_search,
    portal_help,
    practice,
    practice_clients,
    profile,
    questionnaires,
    secure_mail_reader,
    staff,
)
from web.entrypoints.context import (
    CsrfFailed,
    LoginRequired,
    NotAllowed,
    Page,
    PasswordChangeRequired,
    UploadTooLarge,
    WebParts,
    get_page,
)
from web.entrypoints.rendering import build_environment
from web.i18n import negotiate, translate
from web.service.ports import Gateway, GatewayError, GatewayTransfers, GatewayUnavailable, SessionStore
from web.service.sessions import ActingEnded, Sessions
from zorgpost_kit.access_log import AccessLogMiddleware, loggable_path
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.logging import REQUEST_ID_HEADER, bind_request_id, get_logger

log = get_logger(__name__)

#: No inline script or style, nothing from elsewhere; data: images for the TOTP QR code.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Links carry tokens (/invitations/{token}): never in a Referer to anyone.
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}

#: Expired sessions are removed this often (any replica may do it; it is idempotent).
CLEANUP_INTERVAL_SECONDS = 600


def create_app(
    settings: Settings,
    *,
    gateway: Gateway | None = None,
    transfers: GatewayTransfers | None = None,
    session_store: SessionStore | None = None,
) -> FastAPI:
    secret = settings.session_secret.get_secret_value()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = None
        own_gateway = None
        store = session_store
        if store is None:
            engine = create_engine(settings.database_url, pool_size=10)
            store = SqlSessionStore(create_session_factory(engine), StateCipher(secret))
        client = gateway
        files = transfers
        if client is None or files is None:
            own_gateway = HttpGateway(settings.gateway_url, timeout=settings.gateway_timeout_seconds)
            client = client or own_gateway
            files = files or own_gateway
        sessions = Sessions(
            store,
            client,
            idle=timedelta(minutes=settings.session_idle_minutes),
            refresh_margin=timedelta(seconds=settings.refresh_margin_seconds),
        )
        app.state.parts = WebParts(settings, sessions, client, build_environment(), CsrfSigner(secret), files)
        cleanup = asyncio.create_task(_remove_expired_sessions(sessions))
        try:
            yield
        finally:
            cleanup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await cleanup
            if own_gateway is not None:
                await own_gateway.close()
            if engine is not None:
                await engine.dispose()

    app = FastAPI(title="Zorgpost", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(files("web") / "static")), name="static")
    # Pages opened from mailed links carry their secret in the path (/secure-mail/{token},
    # /invitations/{token}): uvicorn's access log is off and this one leaves them out. Inside
    # the request id (its lines carry it).
    app.add_middleware(AccessLogMiddleware, logger_name="web.access")

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        with bind_request_id(None) as request_id:
            response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        else:
            # Pages show personal data: never kept by a shared cache or the back button's store.
            response.headers["cache-control"] = "no-store"
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """The web process is up (says nothing about the gateway)."""
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        ready = await request.app.state.parts.gateway.ready()
        return JSONResponse({"status": "ready" if ready else "not_ready"}, status_code=200 if ready else 503)

    for router in (
        auth.router,
        account.router,
        journeys.router,
        profile.router,
        access_requests.router,
        inbox.router,
        staff.router,
        administration.router,
        messenger.router,
        portal.router,
        portal_help.router,
        portal_dossier_search.router,
        practice.router,
        practice_clients.router,
        questionnaires.router,
        secure_mail_reader.router,
        ecounter_organisation.router,
        ecounter.router,
        notice_links.router,
    ):
        app.include_router(router)
    _install_error_pages(app)
    return app


async def _remove_expired_sessions(sessions: Sessions) -> None:
    while True:
        try:
            await sessions.delete_expired()
        except Exception as error:  # noqa: BLE001 - the database may be away; try again later
            log.warning("session_cleanup_failed", error=type(error).__name__)
        await asyncio.sleep(CLEANUP_INTERVAL_SECONDS)


async def _page_for(request: Request) -> Page:
    page = getattr(request.state, "page", None)
    if isinstance(page, Page):
        return page
    try:
        return await get_page(request, request.app.state.parts)
    except Exception:  # noqa: BLE001 - the session store itself may be down
        return Page(request, request.app.state.parts, None)


async def _error_page(request: Request, status: int, title_key: str, text_key: str) -> Response:
    try:
        page = await _page_for(request)
        return await page.render("pages/error.html.j2", status=status, title_key=title_key, text_key=text_key)
    except Exception:
        log.exception("error_page_failed")
        lang = negotiate(None, request.headers.get("accept-language"))
        title, text = translate(lang, title_key), translate(lang, text_key)
        body = (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Zorgpost</title></head>'
            f"<body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
        )
        return HTMLResponse(body, status_code=status)


def page_of(app: FastAPI, path: str) -> str:
    """The page a browser can open for ``path``: itself when it answers GET, else the
    nearest path above it that does (``/messages/{id}/send`` → ``/messages/{id}``)."""
    candidate = path.rstrip("/") or "/"
    while True:
        scope = {"type": "http", "method": "GET", "path": candidate, "root_path": ""}
        if any(route.matches(scope)[0] is Match.FULL for route in app.router.routes):
            return candidate
        if candidate == "/":
            return "/"
        candidate = candidate.rsplit("/", 1)[0] or "/"


def _install_error_pages(app: FastAPI) -> None:
    async def login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        page = await _page_for(request)
        page.flash("info", "flash.login_required")
        next_url = error.next_url
        if request.method not in ("GET", "HEAD"):
            # A form sent when the session had ended: after signing in, back to its page
            # (the form's own address answers only POST).
            next_url = page_of(request.app, request.url.path)
        return await page.redirect("/login?next=" + quote(next_url, safe=""))

    async def acting_ended(request: Request, error: Exception) -> Response:
        # Whatever was asked in that person's portal is not done (nor in one's own).
        assert isinstance(error, ActingEnded)
        page = await _page_for(request)
        page.flash("error", "acting.ended", name=error.person_name)
        return await page.redirect("/")

    async def password_change_required(request: Request, _error: Exception) -> Response:
        page = await _page_for(request)
        return await page.redirect("/password/change")

    async def not_allowed(request: Request, _error: Exception) -> Response:
        return await _error_page(request, 403, "error.forbidden.title", "error.forbidden.text")

    async def csrf_failed(request: Request, _error: Exception) -> Response:
        return await _error_page(request, 403, "error.csrf.title", "error.csrf.text")

    async def upload_too_large(request: Request, _error: Exception) -> Response:
        return await _error_page(request, 413, "error.upload_too_large.title", "error.upload_too_large.text")

    async def gateway_unavailable(request: Request, _error: Exception) -> Response:
        return await _error_page(request, 503, "error.unavailable.title", "error.unavailable.text")

    async def gateway_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, GatewayError)
        if error.status == 404:
            return await _error_page(request, 404, "error.not_found.title", "error.not_found.text")
        if error.status == 403:
            return await _error_page(request, 403, "error.forbidden.title", "error.forbidden.text")
        if error.status == 429:
            return await _error_page(request, 429, "error.too_many.title", "error.too_many.text")
        log.warning("gateway_refused", status=error.status, code=error.code)
        return await _error_page(
            request, 500 if error.status >= 500 else 409, "error.generic.title", "error.generic.text"
        )

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code == 404:
            return await _error_page(request, 404, "error.not_found.title", "error.not_found.text")
        if error.status_code == 405:
            # A form's address opened as a page (a bookmark, a sign-in coming back to it):
            # the page it belongs to; never itself again, which would redirect for ever.
            return RedirectResponse(page_of(request.app, request.url.path), status_code=303)
        return await _error_page(request, error.status_code, "error.generic.title", "error.generic.text")

    async def unexpected(request: Request, _error: Exception) -> Response:
        log.exception("page_failed", path=loggable_path(request.scope))
        return await _error_page(request, 500, "error.generic.title", "error.generic.text")

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(ActingEnded, acting_ended)
    app.add_exception_handler(PasswordChangeRequired, password_change_required)
    app.add_exception_handler(NotAllowed, not_allowed)
    app.add_exception_handler(CsrfFailed, csrf_failed)
    app.add_exception_handler(UploadTooLarge, upload_too_large)
    app.add_exception_handler(GatewayUnavailable, gateway_unavailable)
    app.add_exception_handler(GatewayError, gateway_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
