"""Who may call which staff route, for every role: walked from the gateway's own OpenAPI, so a
new route that nobody placed here fails this test.

One government department is onboarded through the public paths, with a member for each
staff role (admin, staff, practitioner, case_handler, helpdesk) and a person it serves (also
a client of its portal, registered by the practitioner). For every staff route and every
one of them, the route is called with a request that is valid for it (and with objects of
its own where the route changes something): the roles that
``zorgpost_kit.roles`` gives the route's capability get a 2xx, everyone else a 403 — from the
service that owns the route, which checks the caller itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from zorgpost_kit import calendar
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.roles import GRANTED_BY, Capability

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROLES = ("admin", "staff", "practitioner", "case_handler", "helpdesk", "person")
NOBODY = "00000000-0000-4000-8000-000000000000"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


@dataclass(frozen=True)
class Form:
    """A multipart body: text fields and the one ``file`` (a PDF)."""

    fields: dict[str, str]
    file_name: str = "brief.pdf"

    def payload(self) -> dict[str, Any]:
        return {"data": self.fields, "files": {"file": (self.file_name, PDF, "application/pdf")}}


Request = tuple[str, dict[str, Any] | Form | None, dict[str, Any] | None]
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


async def _helpdesk_question(world: World, role: str, allowed: bool) -> Request:
    body = {"email": f"helpdesk-{role}-{uuid.uuid4().hex[:6]}@test.example", "question": "Waar vind ik dit?"}
    return "/api/v1/helpdesk/questions", body, None


def fresh(
    path: str,
    *,
    make: Callable[[World], Awaitable[dict[str, Any]]] | None = None,
    body: Callable[[World], dict[str, Any] | Form] | None = None,
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


async def _access_request(world: World) -> dict[str, Any]:
    """A parent's request (the person the department serves) for a child of their own."""
    body = {
        "child_first_name": f"Kind {uuid.uuid4().hex[:6]}",
        "child_last_name": "Proef",
        "child_birth_date": years_ago(8).isoformat(),
        "relation": "parent",
    }
    # A parent leaves at most 5 requests waiting: the earlier routes' ones are decided first.
    waiting = await world.call("staff", "GET", "/api/v1/access-requests", params={"status": "pending"})
    for earlier in waiting.json()["items"]:
        await world.call(
            "staff", "POST", f"/api/v1/access-requests/{earlier['id']}/reject", json={"reason": "Afgehandeld"}
        )
    made = await world.make("person", "POST", "/api/v1/me/access-requests", body)
    return {"id": made["id"]}


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
    """The department writes to an organisation it supervises in a theme it keeps (not the
    one whose link the supervision routes change and end)."""
    return {
        "theme_id": world.ids["theme"],
        "title": "Vraag",
        "body": "Inhoud",
        "organisation_id": world.ids["ecounter-organisation"],
    }


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


# --- the portal: the person the department serves is a client of its portal, and the
# practitioner works in its back office (objects below made by whichever of them may)
def _ids(
    template: str,
    body: Callable[[World], dict[str, Any] | Form] | None = None,
    query: Callable[[], dict[str, Any]] | None = None,
) -> Builder:
    """A path naming the world's objects (``{person}``, ``{document}`` …): every role asks
    about the same ones."""

    async def build(world: World, role: str, allowed: bool) -> Request:
        return template.format(**world.ids), body(world) if body else None, query() if query else None

    return build


def _in_days(days: float, minutes: int = 0) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days, minutes=minutes)).replace(second=0, microsecond=0)


def _slot(world: World) -> dict[str, Any]:
    """A free slot three days ahead, at a time of its own (one slot per time and practitioner)."""
    world.counter[0] += 1
    start = _in_days(3, minutes=15 * world.counter[0])
    return {"start": start.isoformat(), "end": (start + timedelta(minutes=10)).isoformat(), "location": "Kamer 1"}


async def _free_slot(world: World) -> dict[str, Any]:
    made = await world.make("practitioner", "POST", "/api/v1/portal/practice/slots", _slot(world))
    return {"id": made["id"]}


async def _booking(world: World, role: str, allowed: bool) -> Request:
    slot_id = (await _free_slot(world))["id"] if allowed else NOBODY
    return "/api/v1/portal/appointments", {"slot_id": slot_id}, None


async def _booked(world: World) -> dict[str, Any]:
    slot = await _free_slot(world)
    made = await world.make("person", "POST", "/api/v1/portal/appointments", {"slot_id": slot["id"]})
    return {"id": made["id"]}


def _planned(world: World) -> dict[str, Any]:
    start = _in_days(5)
    return {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat(), "location": "Kamer 2"}


async def _planned_appointment(world: World) -> dict[str, Any]:
    made = await world.make(
        "practitioner", "POST", f"/api/v1/portal/practice/clients/{world.ids['person']}/appointments", _planned(world)
    )
    return {"id": made["id"]}


def _medication() -> dict[str, Any]:
    return {"name": "Metformine 500 mg", "dosage": "2 maal daags", "chronic": True}


async def _chronic(world: World) -> dict[str, Any]:
    path = f"/api/v1/portal/practice/clients/{world.ids['person']}/medications"
    return {"id": (await world.make("practitioner", "POST", path, _medication()))["id"]}


async def _prescription_request(world: World, role: str, allowed: bool) -> Request:
    medication_id = (await _chronic(world))["id"] if allowed else NOBODY
    return "/api/v1/portal/prescription-requests", {"medication_ids": [medication_id]}, None


async def _requested(world: World) -> dict[str, Any]:
    medication = await _chronic(world)
    body = {"medication_ids": [medication["id"]]}
    made = await world.make("person", "POST", "/api/v1/portal/prescription-requests", body)
    return {"id": made["id"]}


def _result() -> dict[str, Any]:
    observation = {"name": "Glucose", "value": "7.2", "unit": "mmol/L", "reference_low": "4.0", "reference_high": "6.1"}
    return {"title": "Bloedonderzoek", "taken_at": _in_days(-1).isoformat(), "observations": [observation]}


def _questionnaire() -> dict[str, Any]:
    return {"title": "Hoe gaat het?", "questions": [{"id": "q1", "kind": "text", "text": "Hoe gaat het met u?"}]}


async def _sent_questionnaire(world: World) -> dict[str, Any]:
    path = f"/api/v1/portal/practice/clients/{world.ids['person']}/questionnaires"
    return {"id": (await world.make("practitioner", "POST", path, _questionnaire()))["id"]}


def _publication(approval: bool = False) -> Form:
    return Form({"kind": "document", "title": "Verwijsbrief", "requires_approval": "true" if approval else "false"})


async def _to_approve(world: World) -> dict[str, Any]:
    response = await world.call(
        "practitioner",
        "POST",
        f"/api/v1/portal/practice/clients/{world.ids['person']}/documents",
        **_publication(approval=True).payload(),
    )
    assert response.status_code == 201, response.text
    return {"id": response.json()["id"]}


def _trajectory(world: World) -> Form:
    return Form({"person_id": world.ids["person"], "title": "Begeleiding"}, "overeenkomst.pdf")


async def _started(world: World) -> dict[str, Any]:
    path = "/api/v1/portal/practice/trajectories"
    response = await world.call("practitioner", "POST", path, **_trajectory(world).payload())
    assert response.status_code == 201, response.text
    return {"id": response.json()["id"]}


async def _change_request(world: World) -> dict[str, Any]:
    made = await world.make("person", "POST", "/api/v1/portal/change-requests", {"changes": {"city": "Utrecht"}})
    return {"id": made["id"]}


async def _diary_entry(world: World) -> dict[str, Any]:
    return {"id": (await world.make("person", "POST", "/api/v1/portal/diary", {"body": "Vandaag ging het goed"}))["id"]}


CONSENT_ITEM = {"code": "huisarts", "label_nl": "Delen met de huisarts", "label_en": "Share with the GP"}
CONSENT_ITEMS = {"items": [{**CONSENT_ITEM, "default_granted": True}]}


def _schedule(world: World) -> dict[str, Any]:
    """Opening hours on one day two months ahead (early: no slot made above is then)."""
    day = (calendar.today() + timedelta(days=60)).isoformat()
    return {
        "from_date": day,
        "to_date": day,
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "start_time": "07:00",
        "end_time": "07:30",
        "slot_minutes": 10,
    }


def _days() -> dict[str, Any]:
    return {"from": calendar.today().isoformat(), "to": (calendar.today() + timedelta(days=14)).isoformat()}


async def portal_world(world: World) -> None:
    """The person as a client of the department's portal, with what the portal's read routes
    show: consent items, a published document, a result, a questionnaire."""
    person = world.ids["person"]
    client = {**_client_form(), "email": unique("client")}
    await world.make("practitioner", "PUT", f"/api/v1/portal/practice/clients/{person}", client)
    await world.make("practitioner", "PUT", "/api/v1/portal/practice/consent-items", CONSENT_ITEMS)
    published = await world.call(
        "practitioner", "POST", f"/api/v1/portal/practice/clients/{person}/documents", **_publication().payload()
    )
    assert published.status_code == 201, published.text
    world.ids["document"] = published.json()["id"]
    result = await world.make("practitioner", "POST", f"/api/v1/portal/practice/clients/{person}/results", _result())
    world.ids["result"] = result["id"]
    world.ids["questionnaire"] = (await _sent_questionnaire(world))["id"]


def _client_form() -> dict[str, Any]:
    return {"first_name": "Pim", "last_name": "Proef", "birth_date": years_ago(30).isoformat()}


PORTAL = may(Capability.USE_PORTAL)
PRACTICE = may(Capability.PRACTISE_CARE)

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
    # --- the technical helpdesk (messaging): an address per role (each address is capped)
    Route("POST", "/api/v1/helpdesk/questions", may(Capability.VIEW_ORGANISATION), _helpdesk_question),
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
    Route("GET", "/api/v1/access-requests", may(Capability.MANAGE_CLIENTS), fixed("/api/v1/access-requests")),
    Route("GET", "/api/v1/access-requests/{access_request_id}", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/access-requests/{id}", make=_access_request
    )),
    Route("POST", "/api/v1/access-requests/{access_request_id}/approve", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/access-requests/{id}/approve", make=_access_request, body=lambda w: {}
    )),
    Route("POST", "/api/v1/access-requests/{access_request_id}/reject", may(Capability.MANAGE_CLIENTS), fresh(
        "/api/v1/access-requests/{id}/reject", make=_access_request, body=lambda w: {"reason": "Niet bekend"}
    )),
    # --- a person's portal (portal; its conversations messaging): the people it serves, the
    # dashboard also practitioners
    Route("GET", "/api/v1/portal/dashboard", may(Capability.USE_PORTAL, Capability.PRACTISE_CARE), fixed(
        "/api/v1/portal/dashboard"
    )),
    Route("GET", "/api/v1/portal/about-me", PORTAL, fixed("/api/v1/portal/about-me")),
    Route("GET", "/api/v1/portal/insurance", PORTAL, fixed("/api/v1/portal/insurance")),
    Route("POST", "/api/v1/portal/change-requests", PORTAL, fixed(
        "/api/v1/portal/change-requests", {"changes": {"city": "Utrecht"}, "note": "Verhuisd"}
    )),
    Route("GET", "/api/v1/portal/change-requests", PORTAL, fixed("/api/v1/portal/change-requests")),
    Route("GET", "/api/v1/portal/consents", PORTAL, fixed("/api/v1/portal/consents")),
    Route("PUT", "/api/v1/portal/consents/{code}", PORTAL, fixed(
        "/api/v1/portal/consents/huisarts", {"granted": False}
    )),
    Route("GET", "/api/v1/portal/documents", PORTAL, fixed("/api/v1/portal/documents")),
    Route("GET", "/api/v1/portal/documents/{document_id}/file", PORTAL, _ids(
        "/api/v1/portal/documents/{document}/file"
    )),
    Route("POST", "/api/v1/portal/documents/{document_id}/approve", PORTAL, fresh(
        "/api/v1/portal/documents/{id}/approve", make=_to_approve
    )),
    Route("POST", "/api/v1/portal/documents", PORTAL, fresh(
        "/api/v1/portal/documents", body=lambda w: Form({"title": "Mijn verklaring"})
    )),
    Route("GET", "/api/v1/portal/trajectories", PORTAL, fixed("/api/v1/portal/trajectories")),
    Route("GET", "/api/v1/portal/medications", PORTAL, fixed("/api/v1/portal/medications")),
    Route("POST", "/api/v1/portal/prescription-requests", PORTAL, _prescription_request),
    Route("GET", "/api/v1/portal/prescription-requests", PORTAL, fixed(
        "/api/v1/portal/prescription-requests"
    )),
    Route("GET", "/api/v1/portal/slots", PORTAL, _ids(
        "/api/v1/portal/slots", query=_days
    )),
    Route("POST", "/api/v1/portal/appointments", PORTAL, _booking),
    Route("DELETE", "/api/v1/portal/appointments/{appointment_id}", PORTAL, fresh(
        "/api/v1/portal/appointments/{id}", make=_booked
    )),
    Route("GET", "/api/v1/portal/appointments", PORTAL, fixed("/api/v1/portal/appointments")),
    Route("GET", "/api/v1/portal/results", PORTAL, fixed("/api/v1/portal/results")),
    Route("GET", "/api/v1/portal/results/{result_id}", PORTAL, _ids(
        "/api/v1/portal/results/{result}"
    )),
    Route("GET", "/api/v1/portal/results/{result_id}/export", PORTAL, _ids(
        "/api/v1/portal/results/{result}/export", query=lambda: {"format": "csv"}
    )),
    Route("GET", "/api/v1/portal/diary", PORTAL, fixed("/api/v1/portal/diary")),
    Route("POST", "/api/v1/portal/diary", PORTAL, fixed(
        "/api/v1/portal/diary", {"body": "Slecht geslapen", "shared": True}
    )),
    Route("GET", "/api/v1/portal/diary/{entry_id}", PORTAL, fresh("/api/v1/portal/diary/{id}", make=_diary_entry)),
    Route("PUT", "/api/v1/portal/diary/{entry_id}", PORTAL, fresh(
        "/api/v1/portal/diary/{id}", make=_diary_entry, body=lambda w: {"body": "Toch goed geslapen"}
    )),
    Route("GET", "/api/v1/portal/questionnaires", PORTAL, fixed("/api/v1/portal/questionnaires")),
    Route("GET", "/api/v1/portal/questionnaires/{questionnaire_id}", PORTAL, _ids(
        "/api/v1/portal/questionnaires/{questionnaire}"
    )),
    Route("PUT", "/api/v1/portal/questionnaires/{questionnaire_id}/answers", PORTAL, fresh(
        "/api/v1/portal/questionnaires/{id}/answers", make=_sent_questionnaire,
        body=lambda w: {"answers": {"q1": "Goed"}, "submit": False},
    )),
    Route("GET", "/api/v1/portal/dossier/search", PORTAL, fixed(
        "/api/v1/portal/dossier/search", query={"q": "verslag"}
    )),
    Route("GET", "/api/v1/portal/fhir", PORTAL, fixed("/api/v1/portal/fhir")),
    Route("GET", "/api/v1/portal/actions", PORTAL, fixed("/api/v1/portal/actions")),
    Route("POST", "/api/v1/portal/econsults", may(Capability.WRITE_TO_ORGANISATION), fixed(
        "/api/v1/portal/econsults", {"subject": "Huiduitslag", "question": "Moet ik langskomen?"}
    )),
    Route("POST", "/api/v1/portal/care-messages", may(Capability.WRITE_TO_ORGANISATION), fixed(
        "/api/v1/portal/care-messages", {"subject": "Vraag", "body": "Kan de afspraak later?"}
    )),
    # --- the portal's back office (portal): its practitioners; the practice's e-consults are
    # the shared inbox's (messaging)
    Route("GET", "/api/v1/portal/practice/econsults", may(Capability.WORK_SHARED_INBOX), fixed(
        "/api/v1/portal/practice/econsults"
    )),
    Route("PUT", "/api/v1/portal/practice/clients/{person_id}", PRACTICE, _ids(
        "/api/v1/portal/practice/clients/{person}", body=lambda w: _client_form()
    )),
    Route("GET", "/api/v1/portal/practice/clients", PRACTICE, fixed(
        "/api/v1/portal/practice/clients"
    )),
    Route("GET", "/api/v1/portal/practice/clients/{person_id}", PRACTICE, _ids(
        "/api/v1/portal/practice/clients/{person}"
    )),
    *(
        Route("GET", f"/api/v1/portal/practice/clients/{{person_id}}/{part}", PRACTICE, _ids(
            f"/api/v1/portal/practice/clients/{{person}}/{part}"
        ))
        for part in ("consents", "documents", "medications", "results", "appointments", "diary")
    ),
    Route("GET", "/api/v1/portal/practice/change-requests", PRACTICE, fixed(
        "/api/v1/portal/practice/change-requests"
    )),
    Route("POST", "/api/v1/portal/practice/change-requests/{request_id}/{decision}", PRACTICE,
        fresh("/api/v1/portal/practice/change-requests/{id}/accept", make=_change_request),
    ),
    Route("GET", "/api/v1/portal/practice/consent-items", PRACTICE, fixed(
        "/api/v1/portal/practice/consent-items"
    )),
    Route("PUT", "/api/v1/portal/practice/consent-items", PRACTICE, fixed(
        "/api/v1/portal/practice/consent-items", CONSENT_ITEMS
    )),
    Route("POST", "/api/v1/portal/practice/trajectories", PRACTICE, fresh(
        "/api/v1/portal/practice/trajectories", body=_trajectory
    )),
    Route("POST", "/api/v1/portal/practice/trajectories/{trajectory_id}/end", PRACTICE, fresh(
        "/api/v1/portal/practice/trajectories/{id}/end", make=_started, body=lambda w: {"reason": "Afgerond"}
    )),
    Route("GET", "/api/v1/portal/practice/trajectories", PRACTICE, fixed(
        "/api/v1/portal/practice/trajectories"
    )),
    Route("POST", "/api/v1/portal/practice/clients/{person_id}/documents", PRACTICE, _ids(
        "/api/v1/portal/practice/clients/{person}/documents", body=lambda w: _publication()
    )),
    Route("GET", "/api/v1/portal/practice/documents/{document_id}/file", PRACTICE, _ids(
        "/api/v1/portal/practice/documents/{document}/file"
    )),
    Route("POST", "/api/v1/portal/practice/clients/{person_id}/medications", PRACTICE, _ids(
        "/api/v1/portal/practice/clients/{person}/medications", body=lambda w: _medication()
    )),
    Route("POST", "/api/v1/portal/practice/medications/{medication_id}/stop", PRACTICE, fresh(
        "/api/v1/portal/practice/medications/{id}/stop", make=_chronic
    )),
    Route("GET", "/api/v1/portal/practice/prescription-requests", PRACTICE, fixed(
        "/api/v1/portal/practice/prescription-requests"
    )),
    Route("GET", "/api/v1/portal/practice/prescription-requests/{request_id}", PRACTICE, fresh(
        "/api/v1/portal/practice/prescription-requests/{id}", make=_requested
    )),
    Route("POST", "/api/v1/portal/practice/prescription-requests/{request_id}/{decision}",
        PRACTICE, fresh("/api/v1/portal/practice/prescription-requests/{id}/ready", make=_requested),
    ),
    Route("POST", "/api/v1/portal/practice/clients/{person_id}/results", PRACTICE, _ids(
        "/api/v1/portal/practice/clients/{person}/results", body=lambda w: _result()
    )),
    Route("POST", "/api/v1/portal/practice/schedules", PRACTICE, fresh(
        "/api/v1/portal/practice/schedules", body=_schedule
    )),
    Route("POST", "/api/v1/portal/practice/slots", PRACTICE, fresh(
        "/api/v1/portal/practice/slots", body=_slot
    )),
    Route("DELETE", "/api/v1/portal/practice/slots/{slot_id}", PRACTICE, fresh(
        "/api/v1/portal/practice/slots/{id}", make=_free_slot
    )),
    Route("GET", "/api/v1/portal/practice/agenda", PRACTICE, _ids(
        "/api/v1/portal/practice/agenda", query=_days
    )),
    Route("POST", "/api/v1/portal/practice/clients/{person_id}/appointments", PRACTICE, _ids(
        "/api/v1/portal/practice/clients/{person}/appointments", body=_planned
    )),
    Route("GET", "/api/v1/portal/practice/appointments/{appointment_id}", PRACTICE, fresh(
        "/api/v1/portal/practice/appointments/{id}", make=_planned_appointment
    )),
    Route("DELETE", "/api/v1/portal/practice/appointments/{appointment_id}", PRACTICE, fresh(
        "/api/v1/portal/practice/appointments/{id}", make=_planned_appointment
    )),
    Route("POST", "/api/v1/portal/practice/clients/{person_id}/questionnaires", PRACTICE, _ids(
        "/api/v1/portal/practice/clients/{person}/questionnaires", body=lambda w: _questionnaire()
    )),
    Route("GET", "/api/v1/portal/practice/questionnaires", PRACTICE, fixed(
        "/api/v1/portal/practice/questionnaires"
    )),
    Route("GET", "/api/v1/portal/practice/questionnaires/{questionnaire_id}", PRACTICE, _ids(
        "/api/v1/portal/practice/questionnaires/{questionnaire}"
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
    # side (reading its cases, writing to the organisations it supervises, answering them)
    # its case handlers only (this organisation is a department)
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
    Route("GET", "/api/v1/ecounter/messages", may(Capability.HANDLE_CASES), fixed(
        "/api/v1/ecounter/messages", query={"box": "sent"}
    )),
    Route("GET", "/api/v1/ecounter/messages/{thread_id}", may(Capability.HANDLE_CASES), lambda w, r, a: _at(
        f"/api/v1/ecounter/messages/{w.ids['case']}"
    )),
    Route("POST", "/api/v1/ecounter/messages", may(Capability.HANDLE_CASES), fresh(
        "/api/v1/ecounter/messages", body=_ecounter_message
    )),
    Route("POST", "/api/v1/ecounter/messages/{thread_id}/replies", may(Capability.HANDLE_CASES), lambda w, r, a: _at(
        f"/api/v1/ecounter/messages/{w.ids['case']}/replies", body={"title": "", "body": "Aanvulling"}
    )),
]  # fmt: skip


async def _at(
    path: str, *, body: dict[str, Any] | Form | None = None, query: dict[str, Any] | None = None
) -> Request:
    return path, body, query


#: Routes every account holder uses for their own account, conversations and the links in
#: their mail — not staff routes: whoever calls them acts for themselves.
OWN_ROUTES = {
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/me/password-rules"),
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
    ("POST", "/api/v1/me/access-requests"),
    ("GET", "/api/v1/me/access-requests"),
    ("GET", "/api/v1/me/access-requests/{access_request_id}"),
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
    # One's own e-consults and care conversations (messaging's list of one's threads).
    ("GET", "/api/v1/portal/messages"),
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
    status, out, err = await operator_command(
        stack, "create", "--name", f"Zorgloket {uuid.uuid4().hex[:6]}", "--kind", "care_organisation",
        "--admin-email", unique("beheerder"), "--json",
    )  # fmt: skip
    assert status == 0, err
    ids["ecounter-organisation"] = json.loads(out)["id"]
    status, _, err = await operator_command(
        stack, "supervise", admin.organisation_id, ids["ecounter-organisation"], "--theme", ids["theme"]
    )
    assert status == 0, err
    ids["case"] = (await _case(built))["id"]
    await portal_world(built)
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
        payload = body.payload() if isinstance(body, Form) else {"json": body}
        response = await world.call(role, route.method, path, params=query, **payload)
        results[role] = response.status_code
        if allowed:
            assert 200 <= response.status_code < 300, (role, response.status_code, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code, response.text)
            assert response.json()["code"] in ("not_permitted", "persons_only"), response.text
    assert {role for role, status in results.items() if status < 300} == set(route.allowed)
