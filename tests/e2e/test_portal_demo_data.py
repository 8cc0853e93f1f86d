"""The portal's demo data (``portal seed-demo`` after identity's, development only), as the
README and the acceptance checks use it: the demo patient of De Linde signs in with the SMS
code from the outbox and finds free slots with her GP in the coming weeks, one chronic and
one non-chronic medication and a published result; Kind & meer's youth finds the agreement
to approve. Loading it again adds nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from journeys_e2e import bearer, fields, tokens
from support import code_in, count_rows, wait_for_messages

from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.stack(demo_data=("identity", "portal"))]

PASSWORD = "ZorgpostDemo!2026"
TABLES = ["clients", "documents", "care_trajectories", "medications", "lab_results", "slots", "delegate_links"]


async def _patient(stack: Stack, api: httpx.AsyncClient) -> dict[str, str]:
    challenge = await api.post("/api/v1/auth/login", json={"username": "patient@delinde.example", "password": PASSWORD})
    assert challenge.json()["method"] == "sms", challenge.text
    [sms] = await wait_for_messages(stack, "+31612345678", count=1, timeout=20.0)
    verified = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": challenge.json()["challenge_id"], "code": code_in(sms)}
    )
    assert verified.status_code == 200, verified.text
    return bearer(verified.json()["access_token"])


async def test_loading_the_demo_data_again_adds_nothing(stack: Stack) -> None:
    before = await count_rows(stack.database_urls["portal"], TABLES)
    assert all(before.values()), before
    stack.run_command("portal", "seed-demo")
    assert await count_rows(stack.database_urls["portal"], TABLES) == before


async def test_the_demo_patient_has_slots_medication_and_a_result(stack: Stack, api: httpx.AsyncClient) -> None:
    patient = await _patient(stack, api)
    today = calendar.today()
    slots = await api.get(
        "/api/v1/portal/slots",
        params={"from": today.isoformat(), "to": (today + timedelta(days=21)).isoformat()},
        headers=patient,
    )
    assert slots.status_code == 200, slots.text
    assert len(slots.json()) > 20
    assert {slot["practitioner"]["name"] for slot in slots.json()} == {"Dokter Linde"}

    medications = (await api.get("/api/v1/portal/medications", headers=patient)).json()
    assert sorted(m["chronic"] for m in medications) == [False, True]
    non_chronic = next(m for m in medications if not m["chronic"])
    refused = await api.post(
        "/api/v1/portal/prescription-requests", json={"medication_ids": [non_chronic["id"]]}, headers=patient
    )
    assert refused.status_code == 422 and fields(refused) == {"medication_ids[0]"}

    results = (await api.get("/api/v1/portal/results", headers=patient)).json()["items"]
    assert [r["title"] for r in results] == ["Bloedonderzoek"]
    bundle = (await api.get("/api/v1/portal/fhir", headers=patient)).json()
    assert {"Patient", "MedicationStatement", "Observation"} <= {e["resource"]["resourceType"] for e in bundle["entry"]}


async def test_the_youth_of_kind_en_meer_finds_the_agreement_to_approve(stack: Stack, api: httpx.AsyncClient) -> None:
    jip = bearer((await tokens(api, "jongere@kindenmeer.example", PASSWORD))["access_token"])
    trajectories = (await api.get("/api/v1/portal/trajectories", headers=jip)).json()
    assert [(t["title"], t["status"]) for t in trajectories] == [("Behandeling angstklachten", "awaiting_agreement")]
    assert {p["role"] for p in trajectories[0]["parties"]} == {"client", "parent"}
    pending = [
        d["title"] for d in (await api.get("/api/v1/portal/documents", headers=jip)).json()["items"] if d["pending"]
    ]
    assert sorted(pending) == ["Behandelplan", "De overeenkomst", "Verslag intakegesprek"]
    assert len((await api.get("/api/v1/portal/questionnaires", headers=jip)).json()) == 1
    assert len((await api.get("/api/v1/portal/consents", headers=jip)).json()) == 5
