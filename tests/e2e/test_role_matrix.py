"""Who may call which staff route, for every role: walked from the gateway's own OpenAPI, so a
new route that nobody placed here fails this test.

One government department is onboarded through the public paths, with a member for each
staff role (admin, staff, practitioner, case_handler, helpdesk) and a person it serves. For
every staff route and every one of them, the route is called with a request that is valid
for it (and with objects of its own where the route changes something): the roles that
``zorgpost_kit.roles`` gives the route's capability get a 2xx, everyone else a 403 — from the
service that owns the route, which checks the caller itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
from journeys_support import valid_mobile, years_ago
from support import (
    PASSWORD,
    Administrator,
    accept_invitation_with_new_account,
    invite_staff_member,
    onboard_organisation,
    operator_command,
)

from contacts.adapters.events import event_codec
from contacts.adapters.unit_of_work import SqlContactsUnitOfWork
from contacts.domain.themes import Theme
from zorgpost_devstack.stack import Stack
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.roles import GRANTED_BY, Capability

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROLES = ("admin", "staff", "practitioner", "case_handler", "helpdesk", "person")
NOBODY = "00000000-0000-4000-8000-000000000000"


def may(*capabilities: Capability) -> frozenset[str]:
    """The roles (of :data:`ROLES`) any of ``capabilities`` is given to, by the kit's table."""
    return frozenset(role.value for capability in capabilities for role in GRANTED_BY[capability]) & set(ROLES)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@test.example"


@dataclass
class World:
    """The department, its people (a token per role) and objects the routes work on."""

    api: httpx.AsyncClient
    stack: Stack
    admin: Administrator
    tokens: dict[str, str]
    ids: dict[str, str]
    supervised_id: str
    counter: list[int] = field(default_factory=lambda: [0])

    async def call(self, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.api.request(method, path, headers=bearer(self.tokens[role]), **kwargs)

    async def make(self, role: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """An object a route works on, made by ``role`` itself (it may make it: the route's
        own capability covers it)."""
        response = await self.call(role, method, path, json=body)
        assert response.status_code in (200, 201), (path, response.text)
        made: dict[str, Any] = response.json()
        return made

    async def chat(self, role: str) -> str:
        """A chat ``role`` started (people are invited into a chat they take part in)."""
        key = f"chat-{role}"
        if key not in self.ids:
            self.ids[key] = str((await self.make(role, "POST", "/api/v1/threads", {"subject": "Overleg"}))["id"])
        return self.ids[key]

    async def secure_mail(self) -> str:
        made = await self.make(
            "staff",
            "POST",
            "/api/v1/secure-mails",
            {"recipient_email": unique("ontvanger"), "subject": "Uw aanvraag", "body": "Vertrouwelijk"},
        )
        return str(made["thread_id"] if "thread_id" in made else made["id"])


Request = tuple[str, dict[str, Any] | None, dict[str, Any] | None]
#: Builds (path, json, query) for one role; ``allowed`` says whether that role may.
Builder = Callable[[World, str, bool], Awaitable[Request]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    build: Builder


def fixed(path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None) -> Builder:
    async def build(world: World, role: str, allowed: bool) -> Request:
        return path, body, query

    return build


def fresh(
    path: str,
    *,
    make: Callable[[World], Awaitable[dict[str, Any]]] | None = None,
    body: Callable[[World], dict[str, Any]] | None = None,
) -> Builder:
    """A route that changes something: a valid ``body`` of its own for every role, and (with
    ``make``) an object of its own (``{id}`` in ``path``) for a role that may; the others are
    refused before the id is even looked at."""

    async def build(world: World, role: str, allowed: bool) -> Request:
        values: dict[str, Any] = {"id": NOBODY}
        if allowed and make is not None:
            values.update(await make(world))
        return path.format(**values), body(world) if body is not None else None, None

    return build


def _person_form(prefix: str, age: int = 30) -> dict[str, Any]:
    return {
        "first_name": "Pim",
        "last_name": "Proef",
        "email": unique(prefix),
        "mobile": valid_mobile(),
        "birth_date": years_ago(age).isoformat(),
    }


POLICY = {
    "password_preset": "asvs",
    "second_factor": "none",
    "code_lifetime_seconds": 600,
    "lockout_threshold": 5,
    "lockout_step_seconds": 60,
    "lockout_max_seconds": 900,
    "max_failures_per_hour": 100,
    "secret_question": False,
}


async def _invitation(world: World) -> dict[str, Any]:
    made = await world.make(
        "staff", "POST", "/api/v1/invitations", {"email": unique("uitgenodigd"), "thread_id": await world.chat("staff")}
    )
    return {"id": made["id"]}


async def _invitation_request(world: World, role: str, allowed: bool) -> Request:
    """An invitation into a chat of the caller's own (a role that may not is refused first)."""
    thread_id = await world.chat(role) if allowed else NOBODY
    return "/api/v1/invitations", {"email": unique("uitgenodigd"), "thread_id": thread_id}, None


async def _start_request(world: World, role: str, allowed: bool) -> Request:
    """A care conversation with the person the department serves."""
    body = {"kind": "care", "subject": "Zorgoverleg", "participants": [{"account_id": world.ids["person"]}]}
    return "/api/v1/threads/start", body, None


async def _client_account(world: World) -> dict[str, Any]:
    made = await world.make("staff", "POST", "/api/v1/client-accounts", _person_form("client"))
    return {"id": made["id"]}


async def _registration(world: World) -> dict[str, Any]:
    response = await world.api.post(
        "/api/v1/registrations", json={**_person_form("patient"), "organisation_id": world.admin.organisation_id}
    )
    assert response.status_code == 201, response.text
    return {"id": response.json()["id"]}


async def _secure_mail(world: World) -> dict[str, Any]:
    return {"id": await world.secure_mail()}


async def _staff_invitation(world: World) -> dict[str, Any]:
    body = {"email": unique("kandidaat"), "roles": ["staff"]}
    made = await world.make("admin", "POST", "/api/v1/organisation/staff", body)
    return {"id": made["id"]}


async def _deactivation_target(world: World) -> dict[str, Any]:
    target = await invite_staff_member(world.stack, world.admin, roles=["helpdesk"])
    return {"id": target.account_id}


async def _team(world: World) -> dict[str, Any]:
    made = await world.make("admin", "POST", "/api/v1/organisation/teams", {"name": f"Team {uuid.uuid4().hex[:6]}"})
    return {"id": made["id"]}


async def _linked(world: World) -> dict[str, Any]:
    status, _, err = await operator_command(
        world.stack, "supervise", world.admin.organisation_id, world.supervised_id, "--theme", "jeugdzorg"
    )
    assert status == 0, err
    return {"id": world.supervised_id}


def _contact_person(world: World) -> dict[str, Any]:
    return {
        "first_name": "Jan",
        "last_name": "Janssens",
        "email": unique("contact"),
        "phone": "+32 2 553 35 00",
        "theme_ids": [world.ids["theme"]],
    }


async def _contact(world: World) -> dict[str, Any]:
    made = await world.make("staff", "POST", "/api/v1/organisation/contacts", _contact_person(world))
    return {"id": made["id"]}


def _ecounter_message(world: World) -> dict[str, Any]:
    """The department writes to the organisation it supervises, in a theme it keeps."""
    return {"theme_id": world.ids["theme"], "title": "Vraag", "body": "Inhoud", "organisation_id": world.supervised_id}


async def _case(world: World) -> dict[str, Any]:
    made = await world.make("case_handler", "POST", "/api/v1/ecounter/messages", _ecounter_message(world))
    return {"id": made["id"]}


async def add_theme(stack: Stack, organisation_id: str, organisation_name: str) -> str:
    """A theme the department keeps (contacts' catalogue, kept in its database as the demo
    data does: there is no API to make one)."""
    theme_id = f"toezicht-{uuid.uuid4().hex[:6]}"
    engine = create_engine(stack.database_urls["contacts"], pool_size=1)
    try:
        async with SqlContactsUnitOfWork(create_session_factory(engine), event_codec()) as uow:
            theme = Theme(theme_id, "Toezicht", "Supervision", organisation_id, organisation_name, "Team Toezicht")
            await uow.themes.save(theme)
            await uow.commit()
    finally:
        await engine.dispose()
    return theme_id


def _delegation(world: World) -> dict[str, Any]:
    child = {"first_name": "Sam", "last_name": "Proef", "birth_date": years_ago(8).isoformat()}
    return {"delegate_account_id": world.ids["person"], "child": child}


ROUTES: list[Route] = [
    # --- secure mail and the shared inbox (messaging, notifications)
    Route("POST", "/api/v1/secure-mails", may(Capability.SEND_SECURE_MAIL), fresh(
        "/api/v1/secure-mails",
        body=lambda w: {"recipient_email": unique("ontvanger"), "subject": "Uw aanvraag", "body": "Vertrouwelijk"},
    )),
    Route("GET", "/api/v1/secure-mails/{secure_mail_id}/deliveries", may(Capability.VIEW_DELIVERIES), (
        lambda w, r, a: _at(f"/api/v1/secure-mails/{w.ids['mail']}/deliveries")
    )),
    Route("GET", "/api/v1/deliveries", may(Capability.VIEW_DELIVERIES), lambda w, r, a: _at(
        "/api/v1/deliveries", query={"source_id": w.ids["mail"]}
    )),
    Route("GET", "/api/v1/secure-mail-inbox", may(Capability.WORK_SHARED_INBOX), fixed("/api/v1/secure-mail-inbox")),
    Route("POST", "/api/v1/threads/start", may(Capability.WORK_SHARED_INBOX), _start_request),
    Route("POST", "/api/v1/threads/{thread_id}/assign", may(Capability.WORK_SHARED_INBOX), lambda w, r, a: _at(
        f"/api/v1/threads/{w.ids['mail']}/assign", body={"assignee_account_id": None}
    )),
    Route("POST", "/api/v1/secure-mails/{secure_mail_id}/withdraw", may(Capability.SEND_SECURE_MAIL), fresh(
        "/api/v1/secure-mails/{id}/withdraw", make=_secure_mail
    )),
    Route("POST", "/api/v1/secure-mails/{secure_mail_id}/resend-link", may(Capability.SEND_SECURE_MAIL), fresh(
        "/api/v1/secure-mails/{id}/resend-link", make=_secure_mail
    )),
    Route("POST", "/api/v1/secure-mails/to-organisation", may(Capability.WRITE_TO_ORGANISATION), fixed(
        "/api/v1/secure-mails/to-organisation", {"subject": "Vraag", "body": "Mag ik iets vragen?"}
    )),
    Route("GET", "/api/v1/organisation/secure-mail-settings", may(Capability.VIEW_ORGANISATION), fixed(
        "/api/v1/organisation/secure-mail-settings"
    )),
    Route("PUT", "/api/v1/organisation/secure-mail-settings", may(Capability.MANAGE_ORGANISATION_SETTINGS), fixed(
        "/api/v1/organisation/secure-mail-settings", {"read_link_days": 30}
    )),
    # --- the organisation's profile (contacts) and security policy (identity)
    Route("GET", "/api/v1/organisation/profile", may(Capability.VIEW_ORGANISATION), fixed(
        "/api/v1/organisation/profile"
    )),
    Route("PUT", "/api/v1/organisation/profile", may(Capability.MANAGE_ORGANISATION_SETTINGS), fixed(
        "/api/v1/organisation/profile", {"email": "info@example.org"}
    )),
    Route("GET", "/api/v1/organisation/security-policy", may(Capability.MANAGE_SECURITY_POLICY), fixed(
        "/api/v1/organisation/security-policy"
    )),
    Route("PUT", "/api/v1/organisation/security-policy", may(Capability.MANAGE_SECURITY_POLICY), fixed(
        "/api/v1/organisation/security-policy", POLICY
    )),
    # --- invitations into conversations, the organisation's clients (identity)
    Route("GET", "/api/v1/invitations", may(Capability.INVITE_TO_CONVERSATION), fixed("/api/v1/invitations")),
    Route("POST", "/api/v1/invitations", may(Capability.INVITE_TO_CONVERSATION), _invitation_request),
    Route("POST", "/api/v1/invitations/{invitation_id}/revoke", may(Capability.INVITE_TO_CONVERSATION), fresh(
        "/api/v1/invitations/{id}/revoke", make=_invitation
    )),
    Route("POST", "/api/v1/invitations/{invitation_id}/resend", may(Capability.INVITE_TO_CONVERSATION), fresh(
        "/api/v1/invitations/{id}/resend", make=_invitation
    )),
    Route("POST", "/api/v1/client-accounts", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/client-accounts", body=lambda w: _person_form("client")
    )),
    Route("POST", "/api/v1/client-accounts/{account_id}/activation", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/client-accounts/{id}/activation", make=_client_account
    )),
    Route("GET", "/api/v1/registrations", may(Capability.MANAGE_CLIENTS), fixed("/api/v1/registrations")),
    Route("POST", "/api/v1/registrations/{registration_id}/approve", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/registrations/{id}/approve", make=_registration
    )),
    Route("POST", "/api/v1/registrations/{registration_id}/reject", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/registrations/{id}/reject", make=_registration
    )),
    Route("POST", "/api/v1/delegations", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/delegations", body=_delegation
    )),
    # --- the portal
    Route("GET", "/api/v1/portal/dashboard", may(Capability.USE_PORTAL, Capability.PRACTISE_CARE), fixed(
        "/api/v1/portal/dashboard"
    )),
    # --- staff (identity)
    Route("GET", "/api/v1/organisation/staff", may(Capability.MANAGE_STAFF), fixed("/api/v1/organisation/staff")),
    Route("POST", "/api/v1/organisation/staff", may(Capability.MANAGE_STAFF), fresh(
        "/api/v1/organisation/staff", body=lambda w: {"email": unique("kandidaat"), "roles": ["staff", "practitioner"]}
    )),
    Route("PATCH", "/api/v1/organisation/staff/{account_id}", may(Capability.MANAGE_STAFF), lambda w, r, a: _at(
        f"/api/v1/organisation/staff/{w.ids['staff']}", body={"roles": ["staff"]}
    )),
    Route("POST", "/api/v1/organisation/staff/{account_id}/deactivate", may(Capability.MANAGE_STAFF), fresh(
        "/api/v1/organisation/staff/{id}/deactivate", make=_deactivation_target
    )),
    Route("GET", "/api/v1/organisation/staff-invitations", may(Capability.MANAGE_STAFF), fixed(
        "/api/v1/organisation/staff-invitations"
    )),
    Route("POST", "/api/v1/organisation/staff-invitations/{invitation_id}/revoke", may(Capability.MANAGE_STAFF), fresh(
        "/api/v1/organisation/staff-invitations/{id}/revoke", make=_staff_invitation
    )),
    Route("POST", "/api/v1/organisation/staff-invitations/{invitation_id}/resend", may(Capability.MANAGE_STAFF), fresh(
        "/api/v1/organisation/staff-invitations/{id}/resend", make=_staff_invitation
    )),
    # --- teams (identity)
    Route("GET", "/api/v1/organisation/teams", may(Capability.VIEW_ORGANISATION), fixed("/api/v1/organisation/teams")),
    Route("POST", "/api/v1/organisation/teams", may(Capability.MANAGE_TEAMS), fresh(
        "/api/v1/organisation/teams", body=lambda w: {"name": f"Team {uuid.uuid4().hex[:6]}"}
    )),
    Route("GET", "/api/v1/organisation/teams/{team_id}", may(Capability.VIEW_ORGANISATION), lambda w, r, a: _at(
        f"/api/v1/organisation/teams/{w.ids['team']}"
    )),
    Route("PATCH", "/api/v1/organisation/teams/{team_id}", may(Capability.MANAGE_TEAMS), fresh(
        "/api/v1/organisation/teams/{id}", make=_team, body=lambda w: {"name": f"Team {uuid.uuid4().hex[:6]}"}
    )),
    Route("PUT", "/api/v1/organisation/teams/{team_id}/members", may(Capability.MANAGE_TEAMS), fresh(
        "/api/v1/organisation/teams/{id}/members", make=_team, body=lambda w: {"member_account_ids": []}
    )),
    Route("DELETE", "/api/v1/organisation/teams/{team_id}", may(Capability.MANAGE_TEAMS), fresh(
        "/api/v1/organisation/teams/{id}", make=_team
    )),
    # --- supervision (identity): the department's administrators change its links
    Route("GET", "/api/v1/organisation/supervised", may(Capability.VIEW_ORGANISATION), fixed(
        "/api/v1/organisation/supervised"
    )),
    Route("GET", "/api/v1/organisation/supervisors", may(Capability.VIEW_ORGANISATION), fixed(
        "/api/v1/organisation/supervisors"
    )),
    Route("PUT", "/api/v1/organisation/supervised/{organisation_id}", may(Capability.MANAGE_SUPERVISION), fresh(
        "/api/v1/organisation/supervised/{id}", make=_linked, body=lambda w: {"themes": ["jeugdzorg", "wmo"]}
    )),
    Route("DELETE", "/api/v1/organisation/supervised/{organisation_id}", may(Capability.MANAGE_SUPERVISION), fresh(
        "/api/v1/organisation/supervised/{id}", make=_linked
    )),
    # --- the e-counter (contacts, messaging): the shared inbox's people; the department's
    # side (writing to the organisations it supervises, answering them) its case handlers
    Route("GET", "/api/v1/ecounter/themes", may(Capability.VIEW_ORGANISATION), fixed("/api/v1/ecounter/themes")),
    Route("GET", "/api/v1/ecounter/tasks", may(Capability.WORK_SHARED_INBOX), fixed("/api/v1/ecounter/tasks")),
    Route("GET", "/api/v1/organisation/contacts", may(Capability.WORK_SHARED_INBOX), fixed(
        "/api/v1/organisation/contacts"
    )),
    Route("POST", "/api/v1/organisation/contacts", may(Capability.WORK_SHARED_INBOX), fresh(
        "/api/v1/organisation/contacts", body=_contact_person
    )),
    Route("PUT", "/api/v1/organisation/contacts/{contact_id}", may(Capability.WORK_SHARED_INBOX), fresh(
        "/api/v1/organisation/contacts/{id}", make=_contact, body=_contact_person
    )),
    Route("DELETE", "/api/v1/organisation/contacts/{contact_id}", may(Capability.WORK_SHARED_INBOX), fresh(
        "/api/v1/organisation/contacts/{id}", make=_contact
    )),
    Route("GET", "/api/v1/ecounter/themes/{theme_id}/contacts", may(Capability.WORK_SHARED_INBOX), lambda w, r, a: _at(
        f"/api/v1/ecounter/themes/{w.ids['theme']}/contacts"
    )),
    Route("GET", "/api/v1/ecounter/messages", may(Capability.WORK_SHARED_INBOX), fixed(
        "/api/v1/ecounter/messages", query={"box": "sent"}
    )),
    Route("GET", "/api/v1/ecounter/messages/{thread_id}", may(Capability.WORK_SHARED_INBOX), lambda w, r, a: _at(
        f"/api/v1/ecounter/messages/{w.ids['case']}"
    )),
    Route("POST", "/api/v1/ecounter/messages", may(Capability.HANDLE_CASES), fresh(
        "/api/v1/ecounter/messages", body=_ecounter_message
    )),
    Route("POST", "/api/v1/ecounter/messages/{thread_id}/replies", may(Capability.HANDLE_CASES), lambda w, r, a: _at(
        f"/api/v1/ecounter/messages/{w.ids['case']}/replies", body={"title": "", "body": "Aanvulling"}
    )),
]  # fmt: skip


async def _at(path: str, *, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None) -> Request:
    return path, body, query


#: Routes every account holder uses for their own account, conversations and the links in
#: their mail — not staff routes: whoever calls them acts for themselves.
OWN_ROUTES = {
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/me/sessions"),
    ("DELETE", "/api/v1/me/sessions/{session_id}"),
    ("POST", "/api/v1/me/sessions/revoke-others"),
    ("GET", "/api/v1/me/second-factors"),
    ("POST", "/api/v1/me/second-factors"),
    ("POST", "/api/v1/me/second-factors/{method}/confirm"),
    ("GET", "/api/v1/me/notification-preferences"),
    ("PUT", "/api/v1/me/notification-preferences"),
    ("GET", "/api/v1/me/secret-question"),
    ("PUT", "/api/v1/me/secret-question"),
    ("GET", "/api/v1/me/profile"),
    ("PATCH", "/api/v1/me/profile"),
    ("POST", "/api/v1/me/profile/email/confirm"),
    ("POST", "/api/v1/me/profile/mobile/confirm"),
    ("GET", "/api/v1/me/delegations"),
    ("POST", "/api/v1/me/act-as"),
    ("PUT", "/api/v1/me/preferred-portal"),
    ("GET", "/api/v1/me/organisations"),
    ("POST", "/api/v1/invitations/{token}/accept"),
    ("POST", "/api/v1/delegations/{delegation_id}/consent"),
    ("POST", "/api/v1/delegations/{delegation_id}/revoke"),
    ("GET", "/api/v1/threads"),
    ("POST", "/api/v1/threads"),
    ("GET", "/api/v1/threads/{thread_id}"),
    ("GET", "/api/v1/threads/{thread_id}/messages"),
    ("POST", "/api/v1/threads/{thread_id}/messages"),
    ("POST", "/api/v1/threads/{thread_id}/read"),
    ("POST", "/api/v1/messages/{message_id}/like"),
    ("DELETE", "/api/v1/messages/{message_id}/like"),
    ("GET", "/api/v1/messages/{message_id}/seen-by"),
    ("POST", "/api/v1/messages/{message_id}/forward"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/threads/{thread_id}/attachments/{attachment_id}"),
    ("GET", "/api/v1/events"),
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(stack: Stack) -> Any:
    api = httpx.AsyncClient(base_url=stack.gateway_url, timeout=30.0)
    admin = await onboard_organisation(stack, kind="government_department", name=f"Ministerie {uuid.uuid4().hex[:6]}")
    status, out, err = await operator_command(
        stack, "create", "--name", f"Zorgaanbieder {uuid.uuid4().hex[:6]}", "--kind", "care_organisation",
        "--admin-email", unique("beheerder"), "--json",
    )  # fmt: skip
    assert status == 0, err
    supervised_id = json.loads(out)["id"]
    tokens = {"admin": admin.access_token}
    ids: dict[str, str] = {}
    for role in ("staff", "practitioner", "case_handler", "helpdesk"):
        member = await invite_staff_member(stack, admin, roles=[role])
        login = await api.post("/api/v1/auth/login", json={"username": member.email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        tokens[role] = login.json()["access_token"]
        ids[role] = member.account_id
    # A person the department serves: invited into a chat, with an account of their own.
    person_email = unique("burger")
    chat = await api.post("/api/v1/threads", json={"subject": "Overleg"}, headers=bearer(tokens["staff"]))
    assert chat.status_code == 201, chat.text
    ids["chat-staff"] = chat.json()["id"]
    invited = await api.post(
        "/api/v1/invitations",
        json={"email": person_email, "thread_id": ids["chat-staff"]},
        headers=bearer(tokens["staff"]),
    )
    assert invited.status_code == 201, invited.text
    person = await accept_invitation_with_new_account(api, stack, person_email)
    tokens["person"], ids["person"] = person["access_token"], person["account_id"]
    built = World(api, stack, admin, tokens, ids, supervised_id)
    ids["mail"] = await built.secure_mail()
    ids["team"] = (await built.make("admin", "POST", "/api/v1/organisation/teams", {"name": "Zaakbehandelaars"}))["id"]
    ids["theme"] = await add_theme(stack, admin.organisation_id, admin.organisation_name)
    ids["case"] = (await _case(built))["id"]
    try:
        yield built
    finally:
        await api.aclose()


async def test_every_staff_route_of_the_api_is_in_the_matrix(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        spec = (await api.get("/openapi.json")).json()
    operations = {
        (method.upper(), path): operation
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }
    needing_a_token = {key for key, operation in operations.items() if operation.get("security")}
    placed = {(route.method, route.path) for route in ROUTES}

    assert placed <= set(operations), sorted(placed - set(operations))
    assert needing_a_token - OWN_ROUTES == placed, sorted((needing_a_token - OWN_ROUTES) ^ placed)


@pytest.mark.parametrize("route", ROUTES, ids=[f"{route.method} {route.path}" for route in ROUTES])
async def test_each_role_gets_a_2xx_exactly_where_its_capabilities_allow(world: World, route: Route) -> None:
    results: dict[str, int] = {}
    # Refusals first: they change nothing, so the allowed calls find what they expect.
    for role in sorted(ROLES, key=lambda role: role in route.allowed):
        allowed = role in route.allowed
        path, body, query = await route.build(world, role, allowed)
        response = await world.call(role, route.method, path, json=body, params=query)
        results[role] = response.status_code
        if allowed:
            assert 200 <= response.status_code < 300, (role, response.status_code, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code, response.text)
            assert response.json()["code"] in ("not_permitted", "persons_only"), response.text
    assert {role for role, status in results.items() if status < 300} == set(route.allowed)
