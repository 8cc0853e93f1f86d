"""The GP patient portal (seed 5) in a browser: booking a free time from the practice's
schedule (days per month, "Meer" to the next month, the "niet voor spoedeisende klachten"
notice) and cancelling it, the 24-hour line shown with the advice to call; repeat
prescriptions of chronic medication only with the day they are ready, and the medication
list with its chronic flag; a result viewed and downloaded as PDF and CSV, and all of
one's data as a FHIR file; an e-consult with a photo that closes with the answer.

The practice's side (schedule, medication, results, the answer) is set up through the
gateway's back-office API, as the practice's own software would."""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser_support import Journey, outbox_messages
from support import Member, StaffMember, create_member, create_staff_member, login

from identity.domain.accounts import Role
from web.domain.moments import describe_day
from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="session")


def png() -> bytes:
    """A real 1x1 PNG: a photo as a phone would attach it."""

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
class GpPractice:
    stack: Stack
    staff: StaffMember
    staff_token: str
    patient: Member

    async def call(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.stack.gateway_url, timeout=30.0) as api:
            response = await api.request(
                method, "/api/v1" + path, headers={"authorization": f"Bearer {token or self.staff_token}"}, **kwargs
            )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def slot(self, start: datetime) -> dict[str, Any]:
        start = start.astimezone(UTC).replace(second=0, microsecond=0)
        body = {
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=10)).isoformat(),
            "practitioner_name": "Dokter Linde",
            "location": "Spreekkamer 1",
        }
        slot: dict[str, Any] = await self.call("POST", "/portal/practice/slots", json=body)
        return slot


async def gp_with_patient(stack: Stack) -> GpPractice:
    """A GP practice with a patient registered in its portal."""
    staff = await create_staff_member(
        stack, organisation_name=f"Huisartsenpraktijk {uuid.uuid4().hex[:6]}", roles=frozenset({Role.PRACTITIONER})
    )
    patient = await create_member(stack, staff.organisation_id)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30.0) as api:
        token = await login(api, staff.email, staff.password)
    practice = GpPractice(stack, staff, token, patient)
    await practice.call(
        "PUT",
        f"/portal/practice/clients/{patient.account_id}",
        json={"first_name": "Petra", "last_name": "Test", "birth_date": "1974-05-01", "email": patient.email},
    )
    return practice


def _local_day(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(calendar.ZONE).date().isoformat()


async def test_a_patient_books_a_free_time_and_cancels_it_but_not_within_24_hours(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    later = await gp.slot(datetime.now(UTC) + timedelta(days=3))
    soon = await gp.slot(datetime.now(UTC) + timedelta(hours=3))
    await journey.log_in(gp.patient.email, gp.patient.password)

    await journey.goto("/portal/appointments/new")
    assert "Gebruik deze optie niet als u een spoedeisende klacht heeft" in await journey.text()
    await journey.snap("booking-days")
    day = _local_day(later["start"])
    day_words = describe_day(datetime.fromisoformat(later["start"]).astimezone(calendar.ZONE).date(), "nl")
    for _ in range(2):  # the slot may lie in the next month: "Meer"
        if day_words in await journey.text():
            break
        await journey.click_link("Meer")
    await journey.click_link(day_words)
    time_label = datetime.fromisoformat(later["start"]).astimezone(calendar.ZONE).strftime("%H:%M")
    await journey.page.get_by_label(f"{time_label} – Dokter Linde").check()
    await journey.submit("Volgende")
    assert await journey.heading() == "Afspraak bevestigen"
    assert "spoedeisende klacht" in await journey.text() and day_words in await journey.text()
    await journey.fill({"Reden van uw afspraak (niet verplicht)": "Pijnlijke knie"})
    await journey.snap("booking-confirm")
    await journey.submit("Afspraak maken")
    assert "Uw afspraak is gemaakt" in await journey.text()
    assert day_words in await journey.text()
    [confirmation] = await outbox_messages(journey.stack, gp.patient.email)
    assert confirmation["subject"] == "Bevestiging van uw afspraak"
    assert "knie" not in str(confirmation)

    # The one within 24 hours: booked, but online cancelling is over; the page says to call.
    await gp.call(
        "POST", "/portal/appointments", token=await _patient_token(gp), json={"slot_id": soon["id"], "reason": ""}
    )
    await journey.goto("/portal/appointments")
    cards = journey.page.locator("main .zp-card")
    assert await cards.count() == 2
    soon_card = cards.filter(
        has_text=describe_day(datetime.fromisoformat(soon["start"]).astimezone(calendar.ZONE).date(), "nl")
    )
    assert "Bel de praktijk" in await soon_card.first.inner_text()
    assert await soon_card.first.get_by_role("button", name="Afspraak annuleren").count() == 0
    await journey.snap("appointments")

    await journey.submit("Afspraak annuleren")
    assert "Uw afspraak is geannuleerd" in await journey.text()
    await outbox_messages(journey.stack, gp.patient.email, count=2)
    assert day in await journey.page.locator("main").inner_html() or "geannuleerd" in await journey.text()


async def _patient_token(gp: GpPractice) -> str:
    async with httpx.AsyncClient(base_url=gp.stack.gateway_url, timeout=30.0) as api:
        return await login(api, gp.patient.email, gp.patient.password)


async def test_only_chronic_medication_is_offered_for_a_repeat_prescription(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    base = f"/portal/practice/clients/{gp.patient.account_id}/medications"
    await gp.call("POST", base, json={"name": "Metformine 500 mg", "dosage": "2x per dag", "chronic": True})
    await gp.call("POST", base, json={"name": "Amoxicilline 500 mg", "dosage": "3x per dag", "chronic": False})
    await journey.log_in(gp.patient.email, gp.patient.password)

    await journey.goto("/portal/prescriptions")
    assert "Amoxicilline 500 mg" in await journey.text() and "geen chronische medicatie" in await journey.text()
    assert await journey.page.get_by_label("Amoxicilline 500 mg (3x per dag)").count() == 0
    await journey.submit("Herhaalrecept aanvragen")
    assert "Vink ten minste één medicijn aan." in await journey.text()
    await journey.snap("prescriptions-refused", again=False)

    await journey.page.get_by_label("Metformine 500 mg (2x per dag)").check()
    await journey.submit("Herhaalrecept aanvragen")
    assert "Het is af te halen bij uw apotheek vanaf" in await journey.text()
    [request] = (await gp.call("GET", "/portal/prescription-requests", token=await _patient_token(gp)))["items"]
    ready = describe_day(datetime.fromisoformat(request["ready_on"]).date(), "nl")
    assert ready in await journey.text() and "aangevraagd" in await journey.text()
    await journey.snap("prescriptions")

    # "Medicatie" in the dossier: the current list with the chronic flag.
    await journey.goto("/portal/dossier")
    await journey.click_link("Medicatie")
    assert "ja, chronisch" in await journey.page.locator("main tr", has_text="Metformine 500 mg").inner_text()
    assert "nee" in await journey.page.locator("main tr", has_text="Amoxicilline 500 mg").inner_text()


async def test_a_result_is_viewed_and_downloaded_as_pdf_and_csv(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await gp.call(
        "POST",
        f"/portal/practice/clients/{gp.patient.account_id}/results",
        json={
            "title": "Bloedonderzoek",
            "taken_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
            "observations": [
                {
                    "name": "Glucose nuchter",
                    "value": "7.9",
                    "unit": "mmol/L",
                    "reference_low": "4.0",
                    "reference_high": "6.1",
                },
                {
                    "name": "Hemoglobine",
                    "value": "8.7",
                    "unit": "mmol/L",
                    "reference_low": "7.5",
                    "reference_high": "10.0",
                },
            ],
        },
    )
    [notice] = await outbox_messages(journey.stack, gp.patient.email)
    assert "7.9" not in str(notice), "a result's notice never carries its values"
    await journey.log_in(gp.patient.email, gp.patient.password)

    await journey.goto("/portal/results")
    await journey.click_link("Bloedonderzoek")
    text = await journey.text()
    assert "Glucose nuchter" in text and "7.9 mmol/L" in text and "te hoog" in text and "normaal" in text
    await journey.snap("result")
    for label, extension in (("Downloaden als PDF", ".pdf"), ("Downloaden als CSV", ".csv")):
        async with journey.page.expect_download() as started:
            await journey.page.get_by_role("link", name=label).click()
        download = await started.value
        assert download.suggested_filename.endswith(extension)
        saved = journey.shots / f"download{extension}"
        await download.save_as(saved)
        content = saved.read_bytes()
        assert content.startswith(b"%PDF-") if extension == ".pdf" else b"Glucose nuchter" in content

    # All of one's own data as one FHIR file, the result among it.
    await journey.goto("/portal/dossier")
    async with journey.page.expect_download() as started:
        await journey.page.get_by_role("link", name="Mijn gegevens downloaden (FHIR)").click()
    download = await started.value
    assert download.suggested_filename.endswith(".json")
    saved = journey.shots / "mijn-gegevens.fhir.json"
    await download.save_as(saved)
    bundle = json.loads(saved.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and "Glucose nuchter" in saved.read_text(encoding="utf-8")


async def test_an_econsult_with_a_photo_is_closed_by_the_practices_answer(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.patient.email, gp.patient.password)

    await journey.goto("/portal/econsults/new")
    assert "spoedeisende klacht" in await journey.text()
    await journey.submit("Vraag versturen")
    assert await journey.field_error("Onderwerp") and await journey.field_error("Uw vraag")
    await journey.snap("econsult-refused", again=False)

    await journey.fill({"Onderwerp": "Plekje op mijn arm", "Uw vraag": "Wat is dit plekje?"})
    photo = journey.shots / "plekje.png"
    journey.shots.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(png())
    await journey.field("Foto's (niet verplicht)").set_input_files(str(photo))
    await journey.submit("Vraag versturen")
    assert await journey.heading() == "Plekje op mijn arm"
    assert "plekje.png" in await journey.text()
    thread_id = journey.page.url.rsplit("/", 1)[-1].split("#")[0]

    await gp.call("POST", f"/threads/{thread_id}/messages", json={"body": "Onschuldig, komt vaker voor."})
    await journey.goto(f"/messages/{thread_id}")
    text = await journey.text()
    assert "Onschuldig" in text and "Op het antwoord kunt u niet reageren" in text
    assert await journey.page.locator("main textarea").count() == 0
    await journey.snap("econsult-answered")
    await journey.goto("/portal/messages")
    assert "beantwoord" in await journey.text()
