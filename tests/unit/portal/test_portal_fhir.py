"""The FHIR export is a valid R4 Bundle (checked with the R4B models of ``fhir.resources``,
whose seven resources used here are R4's), with every kind of a person's data in it and
stable ids for what is derived."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from portal.domain.activity import MessageActivity
from portal.domain.appointments import Appointment
from portal.domain.documents import Approval, Document, DocumentKind, DocumentSource, StoredFile
from portal.domain.dossier import ClientRecord, ConsentDecision, ConsentItem, consent_states
from portal.domain.fhir import PersonData, fhir_bundle
from portal.domain.medication import Medication
from portal.domain.results import LabResult, Observation

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
PERSON = "8a1f4c2e-2f3b-4d8e-9a51-0c1d2e3f4a5b"


def _data(record: ClientRecord | None) -> PersonData:
    items = [ConsentItem("lsp", "Delen via het LSP", "Share via LSP", False), ConsentItem("gp", "Huisarts", "GP", True)]
    return PersonData(
        person_id=PERSON,
        organisation_name="Huisartsenpraktijk De Linde",
        record=record,
        appointments=[
            Appointment(
                "a1",
                PERSON,
                "org",
                NOW + timedelta(days=1),
                NOW + timedelta(days=1, minutes=10),
                "Dr",
                "",
                NOW,
                PERSON,
                reason="Knie",
            ),
            Appointment(
                "a2",
                PERSON,
                "org",
                NOW - timedelta(days=3),
                NOW - timedelta(days=3) + timedelta(minutes=10),
                "Dr",
                "Kamer 1",
                NOW,
                PERSON,
            ),
            Appointment(
                "a3",
                PERSON,
                "org",
                NOW + timedelta(days=2),
                NOW + timedelta(days=2, minutes=10),
                "Dr",
                "",
                NOW,
                PERSON,
                cancelled_at=NOW,
            ),
        ],
        medications=[
            Medication("m1", PERSON, "org", "Metformine 500 mg", "2 maal daags", True, date(2025, 1, 1), "Dr", NOW),
            Medication("m2", PERSON, "org", "Amoxicilline", "", False, None, "Dr", NOW, stopped_on=date(2026, 11, 1)),
        ],
        results=[
            LabResult(
                "r1",
                PERSON,
                "org",
                "Bloedonderzoek",
                NOW - timedelta(days=1),
                NOW,
                "s",
                "Dr",
                [
                    Observation("GLUC", "Glucose", "7.2", "mmol/L", Decimal("4.0"), Decimal("6.1")),
                    Observation("", "Urine", "negatief", "", None, None, "negatief"),
                ],
            )
        ],
        documents=[
            Document(
                "d1",
                PERSON,
                "org",
                DocumentKind.AGREEMENT,
                DocumentSource.PRACTICE,
                "De overeenkomst",
                StoredFile("overeenkomst.pdf", "application/pdf", 1234, "ab" * 32),
                NOW,
                "s",
                "Kim",
                requires_approval=True,
                approvals=[Approval("d1", PERSON, PERSON, "Petra", NOW)],
            )
        ],
        messages=[
            MessageActivity("msg1", PERSON, "t1", "econsult", "org", "sent", "Petra", NOW),
            MessageActivity("msg2", PERSON, "t1", "econsult", "org", "received", "Dokter Linde", NOW),
        ],
        consents=consent_states(items, [ConsentDecision("c1", PERSON, "org", "lsp", True, NOW, PERSON)]),
    )


RECORD = ClientRecord(
    PERSON,
    "org",
    "Petra",
    "Patiënt",
    date(1974, 5, 1),
    "petra@example.org",
    "+31612345678",
    "Lindelaan 12",
    "3131 AB",
    "Vlaardingen",
)


def _validate(bundle: dict[str, Any]) -> dict[str, int]:
    Bundle.model_validate(bundle)
    kinds: dict[str, int] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        kinds[resource["resourceType"]] = kinds.get(resource["resourceType"], 0) + 1
    return kinds


def test_the_bundle_is_valid_r4_and_holds_every_kind_of_data() -> None:
    bundle = fhir_bundle(_data(RECORD), NOW, date(2026, 11, 27))
    assert _validate(bundle) == {
        "Patient": 1,
        "Appointment": 3,
        "MedicationStatement": 2,
        "Observation": 2,
        "DocumentReference": 1,
        "Communication": 2,
        "Consent": 2,
    }
    resources = [entry["resource"] for entry in bundle["entry"]]
    statuses = {r["id"]: r["status"] for r in resources if r["resourceType"] in ("Appointment", "MedicationStatement")}
    assert statuses == {"a1": "booked", "a2": "fulfilled", "a3": "cancelled", "m1": "active", "m2": "completed"}
    glucose = next(r for r in resources if r["resourceType"] == "Observation" and r["code"]["text"] == "Glucose")
    assert glucose["valueQuantity"] == {"value": 7.2, "unit": "mmol/L"}
    assert glucose["interpretation"][0]["coding"][0]["code"] == "H"
    consents = {
        r["provision"]["code"][0]["text"]: r["provision"]["type"] for r in resources if r["resourceType"] == "Consent"
    }
    assert consents == {"Delen via het LSP": "permit", "Huisarts": "permit"}


def test_a_person_without_a_record_is_still_a_valid_patient_and_ids_are_stable() -> None:
    first = fhir_bundle(_data(None), NOW, date(2026, 11, 27))
    assert _validate(first)["Patient"] == 1
    again = fhir_bundle(_data(None), NOW + timedelta(hours=1), date(2026, 11, 27))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
