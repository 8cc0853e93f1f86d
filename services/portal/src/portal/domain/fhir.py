"""A person's own data as a FHIR R4 Bundle (beyond the seeds: take your dossier elsewhere).

One ``collection`` Bundle with the Patient and everything that refers to them: their
appointments, medication, observations (one per lab value), documents (metadata; the files
stay downloadable in the portal), communications (the conversations' messages, without
their text, which lives in the messages themselves) and consents. Derived resources get
stable ids (uuid5), so two exports of the same data name the same resources.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.domain.activity import MessageActivity
from portal.domain.appointments import Appointment
from portal.domain.documents import Document, DocumentKind
from portal.domain.dossier import ClientRecord, ConsentState
from portal.domain.medication import Medication
from portal.domain.results import Flag, LabResult, Observation

_NAMESPACE = uuid.UUID("0b8a5d9e-6c61-4c7f-9a64-3f1f4e9f2c11")
_FLAG_CODE = {Flag.LOW: "L", Flag.HIGH: "H", Flag.NORMAL: "N"}
_DOCUMENT_TYPE = {
    DocumentKind.REPORT: "Verslag",
    DocumentKind.DOCUMENT: "Document",
    DocumentKind.AGREEMENT: "Overeenkomst",
}
_THREAD_KIND = {"econsult": "E-consult", "care": "Zorgbericht"}


@dataclass(frozen=True)
class PersonData:
    person_id: str
    organisation_name: str
    record: ClientRecord | None
    appointments: list[Appointment]
    medications: list[Medication]
    results: list[LabResult]
    documents: list[Document]
    messages: list[MessageActivity]
    consents: list[ConsentState]


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def fhir_bundle(data: PersonData, now: datetime, today: date) -> dict[str, Any]:
    patient_ref = {"reference": f"urn:uuid:{data.person_id}"}
    resources: list[dict[str, Any]] = [_patient(data)]
    resources += [_appointment(a, patient_ref, now) for a in data.appointments]
    resources += [_medication(m, patient_ref, today) for m in data.medications]
    for result in data.results:
        resources += [_observation(result, index, o, patient_ref) for index, o in enumerate(result.observations)]
    resources += [_document(d, patient_ref) for d in data.documents]
    resources += [_communication(m, patient_ref) for m in data.messages]
    resources += [_consent(data, state, patient_ref) for state in data.consents]
    return {
        "resourceType": "Bundle",
        "id": derived_id("bundle", data.person_id, now.isoformat()),
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def _patient(data: PersonData) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": data.person_id,
        "identifier": [{"system": "urn:zorgpost:account", "value": data.person_id}],
        "managingOrganization": {"display": data.organisation_name},
    }
    record = data.record
    if record is None:
        return patient
    patient["name"] = [{"text": record.display_name, "family": record.last_name, "given": [record.first_name]}]
    if record.birth_date is not None:
        patient["birthDate"] = record.birth_date.isoformat()
    telecom = [{"system": "email", "value": record.email}] if record.email else []
    telecom += [{"system": "phone", "value": record.phone}] if record.phone else []
    if telecom:
        patient["telecom"] = telecom
    if record.street or record.city or record.postal_code:
        address: dict[str, Any] = {"country": "NL"}
        if record.street:
            address["line"] = [record.street]
        if record.postal_code:
            address["postalCode"] = record.postal_code
        if record.city:
            address["city"] = record.city
        patient["address"] = [address]
    patient["communication"] = [
        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": record.language or "nl"}]}, "preferred": True}
    ]
    return patient


def _appointment(appointment: Appointment, patient: dict[str, str], now: datetime) -> dict[str, Any]:
    if appointment.cancelled:
        status = "cancelled"
    elif appointment.ends_at <= now:
        status = "fulfilled"
    else:
        status = "booked"
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": appointment.id,
        "status": status,
        "start": _instant(appointment.starts_at),
        "end": _instant(appointment.ends_at),
        "created": appointment.created_at.date().isoformat(),
        "participant": [
            {"actor": patient, "status": "accepted"},
            {"actor": {"display": appointment.with_name}, "status": "accepted"},
        ],
    }
    if appointment.reason:
        resource["comment"] = appointment.reason
    if appointment.location:
        resource["description"] = appointment.location
    return resource


def _medication(medication: Medication, patient: dict[str, str], today: date) -> dict[str, Any]:
    period: dict[str, str] = {}
    if medication.started_on is not None:
        period["start"] = medication.started_on.isoformat()
    if medication.stopped_on is not None:
        period["end"] = medication.stopped_on.isoformat()
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": medication.id,
        "status": "active" if medication.is_current(today) else "completed",
        "medicationCodeableConcept": {"text": medication.name},
        "subject": patient,
        "dateAsserted": _instant(medication.created_at),
    }
    if period:
        resource["effectivePeriod"] = period
    if medication.dosage:
        resource["dosage"] = [{"text": medication.dosage}]
    if medication.chronic:
        resource["note"] = [{"text": "Chronische medicatie (herhaalrecept mogelijk)"}]
    return resource


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": float(value)}
    if unit:
        quantity["unit"] = unit
    return quantity


def _observation(result: LabResult, index: int, observation: Observation, patient: dict[str, str]) -> dict[str, Any]:
    code: dict[str, Any] = {"text": observation.name}
    if observation.code:
        code["coding"] = [{"system": "urn:zorgpost:lab-code", "code": observation.code, "display": observation.name}]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": derived_id("observation", result.id, str(index)),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": code,
        "subject": patient,
        "effectiveDateTime": _instant(result.taken_at),
        "issued": _instant(result.published_at),
        "note": [{"text": result.title}],
    }
    numeric = observation.numeric_value
    if numeric is not None:
        resource["valueQuantity"] = _quantity(numeric, observation.unit)
    else:
        resource["valueString"] = observation.value
    bounds: dict[str, Any] = {}
    if observation.reference_low is not None:
        bounds["low"] = _quantity(observation.reference_low, observation.unit)
    if observation.reference_high is not None:
        bounds["high"] = _quantity(observation.reference_high, observation.unit)
    if observation.reference_text:
        bounds["text"] = observation.reference_text
    if bounds:
        resource["referenceRange"] = [bounds]
    flag = observation.flag
    if flag in _FLAG_CODE:
        resource["interpretation"] = [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": _FLAG_CODE[flag],
                    }
                ]
            }
        ]
    return resource


def _document(document: Document, patient: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": document.id,
        "status": "current",
        "type": {"text": _DOCUMENT_TYPE[document.kind]},
        "subject": patient,
        "date": _instant(document.created_at),
        "description": document.title,
        "content": [
            {
                "attachment": {
                    "contentType": document.file.content_type,
                    "title": document.file.file_name,
                    "size": document.file.size,
                    "creation": _instant(document.created_at),
                }
            }
        ],
    }
    if document.created_by_name:
        resource["author"] = [{"display": document.created_by_name}]
    if document.approvals:
        resource["authenticator"] = {
            "display": ", ".join(a.approved_by_name or a.approved_by for a in document.approvals)
        }
    return resource


def _communication(message: MessageActivity, patient: dict[str, str]) -> dict[str, Any]:
    others = {"display": message.sender_name or "Praktijk"}
    sender, recipient = (others, patient) if message.direction == "received" else (patient, others)
    return {
        "resourceType": "Communication",
        "id": derived_id("communication", message.message_id, message.person_id),
        "identifier": [{"system": "urn:zorgpost:message", "value": message.message_id}],
        "status": "completed",
        "category": [{"text": _THREAD_KIND.get(message.thread_kind, message.thread_kind)}],
        "subject": patient,
        "sent": _instant(message.sent_at),
        "sender": sender,
        "recipient": [recipient],
    }


def _consent(data: PersonData, state: ConsentState, patient: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": derived_id("consent", data.person_id, state.item.code),
        "status": "active",
        "scope": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}], "text": state.item.label_nl}],
        "patient": patient,
        "organization": [{"display": data.organisation_name}],
        "policyRule": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "OPTIN" if state.granted else "OPTOUT",
                }
            ]
        },
        "provision": {"type": "permit" if state.granted else "deny", "code": [{"text": state.item.label_nl}]},
    }
    if state.decision is not None:
        resource["dateTime"] = _instant(state.decision.decided_at)
    return resource
