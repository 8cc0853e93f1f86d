"""The gateway's FastAPI application: the only public HTTP surface of Zorgpost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gateway.body_limit import BodyLimitMiddleware
from gateway.clients import ServiceClients
from gateway.config import Settings
from gateway.openapi import install_openapi
from gateway.problems import install_problem_handlers
from gateway.rate_limit import install_auth_rate_limit
from gateway.routes import (
    access_requests,
    auth,
    client_accounts,
    delegations,
    ecounter,
    events,
    helpdesk,
    invitations,
    my_organisations,
    notifications,
    organisation,
    organisation_staff,
    organisation_supervision,
    organisation_teams,
    portal,
    portal_messages,
    portal_practice,
    profile,
    registrations,
    secure_mail,
    secure_mail_access,
    secure_mail_inbox,
    security,
    sessions,
    threads,
)
from zorgpost_kit.access_log import AccessLogMiddleware
from zorgpost_kit.logging import REQUEST_ID_HEADER, bind_request_id

API_PREFIX = "/api/v1"


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadinessOut(BaseModel):
    status: Literal["ready", "not_ready"]
    #: Per service: "SERVING", "NOT_SERVING" or "UNREACHABLE".
    services: dict[str, str]


def create_app(settings: Settings) -> FastAPI:
    """Builds the app; the gRPC channels open when it starts and close when it stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.clients = ServiceClients.connect(settings)
        try:
            yield
        finally:
            await app.state.clients.close()

    app = FastAPI(
        title="Zorgpost API",
        version="1.0.0",
        description="Secure communication for Dutch and Belgian care. Errors are application/problem+json.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    install_problem_handlers(app)
    install_auth_rate_limit(app, settings)
    # Inside the request id (its lines carry it), outside the rate limit (429s are logged).
    app.add_middleware(AccessLogMiddleware, logger_name="gateway.access")

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        incoming = request.headers.get(REQUEST_ID_HEADER)
        # Only a sane id is carried on: it ends up in every service's logs.
        if incoming is not None and (len(incoming) > 64 or not incoming.replace("-", "").isalnum()):
            incoming = None
        with bind_request_id(incoming) as rid:
            response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = rid
        return response

    @app.get("/healthz", tags=["operations"], response_model=HealthOut)
    async def healthz() -> HealthOut:
        """The gateway process is up (says nothing about the services)."""
        return HealthOut(status="ok")

    @app.get(
        "/readyz",
        tags=["operations"],
        response_model=ReadinessOut,
        responses={503: {"model": ReadinessOut, "description": "Not every service is SERVING"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        """200 only when every service reports SERVING."""
        clients: ServiceClients = request.app.state.clients
        services = await clients.health()
        ready = all(status == "SERVING" for status in services.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "services": services}, status_code=200 if ready else 503
        )

    for router in (
        auth.router,
        secure_mail.router,
        organisation.router,
        portal.router,
        portal_messages.router,
        portal_practice.router,
        sessions.router,
        security.router,
        notifications.router,
        # journeys (issue 3 part B)
        invitations.router,
        client_accounts.router,
        registrations.router,
        profile.router,
        delegations.router,
        access_requests.router,
        # conversations of every kind, the shared secure-mail inbox, live updates
        threads.router,
        secure_mail_inbox.router,
        events.router,
        # organisations run by their administrators: staff, teams, supervision
        organisation_staff.router,
        organisation_teams.router,
        organisation_supervision.router,
        my_organisations.router,
        # a secure mail's outside recipient: access code, guest token
        secure_mail_access.router,
        # the e-counter: themes, contact persons per theme, messages by reference number
        ecounter.router,
        # the technical helpdesk: a question becomes a ticket and a confirmation mail
        helpdesk.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    install_openapi(app)
    # Outermost: every body is counted as it streams in, and past the cap this answers 413
    # whatever the app made of the cut-off body.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        max_upload_bytes=settings.max_upload_request_bytes,
    )
    return app
