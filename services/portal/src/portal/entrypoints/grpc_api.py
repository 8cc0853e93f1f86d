"""The portal's gRPC servicers: verify the caller, call a use case, answer in protobuf.

``PortalService`` is a person's own portal (or the portal of someone they act for);
``PracticeService`` is the practice's back office."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeAlias

import grpc

from portal.domain.people import PersonCaller, PracticeCaller, person_caller, portal_of, practice_caller
from portal.entrypoints import protobuf as convert
from portal.service import (
    appointments,
    dashboard,
    diary,
    documents,
    dossier,
    export,
    medication,
    questionnaires,
    results,
    search,
    trajectories,
)
from portal.service.common import Services
from portal.service.documents import PublishDraft
from portal.service.publishing import FileUpload
from portal.service.trajectories import StartDraft
from zorgpost.portal.v1 import portal_pb2 as pb
from zorgpost.portal.v1 import portal_pb2_grpc
from zorgpost_kit.auth import Principal, TokenVerifier
from zorgpost_kit.grpc_client import AUTHORIZATION_METADATA_KEY

PORTAL_SERVICE = pb.DESCRIPTOR.services_by_name["PortalService"].full_name
PRACTICE_SERVICE = pb.DESCRIPTOR.services_by_name["PracticeService"].full_name

Context: TypeAlias = grpc.aio.ServicerContext


def _token(context: Context) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == AUTHORIZATION_METADATA_KEY and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""


class PortalServicer(portal_pb2_grpc.PortalServiceServicer):
    def __init__(self, services: Services, verifier: TokenVerifier) -> None:
        self._services = services
        self._verifier = verifier

    async def _caller(self, context: Context) -> PersonCaller:
        return person_caller(await self._verifier.verify_metadata(context))

    async def GetDashboard(self, request: pb.GetDashboardRequest, context: Context) -> pb.Dashboard:
        principal: Principal = await self._verifier.verify_metadata(context)
        dashboard.check_dashboard(principal)
        caller = portal_of(principal)
        found = await dashboard.get_dashboard(self._services, caller, principal.session_id, _token(context))
        return convert.dashboard_pb(found, self._services.clock(), on_behalf=caller.on_behalf)

    # -- about me, consents --------------------------------------------------------------
    async def GetAboutMe(self, request: pb.GetAboutMeRequest, context: Context) -> pb.ClientRecord:
        return convert.client_pb(await dossier.get_about_me(self._services, await self._caller(context)))

    async def RequestRecordChange(self, request: pb.RequestRecordChangeRequest, context: Context) -> pb.ChangeRequest:
        caller = await self._caller(context)
        changes, note = dossier.check_change_request(dict(request.changes), request.note)
        return convert.change_request_pb(await dossier.do_request_change(self._services, caller, changes, note))

    async def ListMyChangeRequests(self, request: pb.GetAboutMeRequest, context: Context) -> pb.ChangeRequestList:
        found = await dossier.list_my_change_requests(self._services, await self._caller(context))
        return pb.ChangeRequestList(items=[convert.change_request_pb(r) for r in found])

    async def ListConsents(self, request: pb.ListConsentsRequest, context: Context) -> pb.ConsentList:
        caller = await self._caller(context)
        states = await dossier.list_consents(self._services, caller.person_id, caller.organisation_id)
        return pb.ConsentList(items=[convert.consent_pb(state) for state in states])

    async def SetConsent(self, request: pb.SetConsentRequest, context: Context) -> pb.Consent:
        caller = await self._caller(context)
        return convert.consent_pb(await dossier.do_set_consent(self._services, caller, request.code, request.granted))

    # -- documents, trajectories ---------------------------------------------------------
    async def ListDocuments(self, request: pb.ListDocumentsRequest, context: Context) -> pb.DocumentPage:
        caller = await self._caller(context)
        found, cursor = await documents.list_documents(
            self._services, caller, request.kind, request.cursor, request.limit
        )
        return pb.DocumentPage(items=[convert.document_pb(d, caller.actor_id) for d in found], next_cursor=cursor)

    async def GetDocumentFile(self, request: pb.DocumentRef, context: Context) -> pb.FileContent:
        found, data = await documents.document_file(self._services, await self._caller(context), request.document_id)
        return convert.file_pb(found, data)

    async def ApproveDocument(self, request: pb.DocumentRef, context: Context) -> pb.Document:
        caller = await self._caller(context)
        approved = await documents.do_approve(self._services, caller, request.document_id)
        return convert.document_pb(approved, caller.actor_id)

    async def UploadDocument(self, request: pb.UploadDocumentRequest, context: Context) -> pb.Document:
        caller = await self._caller(context)
        upload = FileUpload(request.file_name, request.content_type, request.data)
        return convert.document_pb(
            await documents.do_upload(self._services, caller, request.title, upload), caller.actor_id
        )

    async def ListTrajectories(self, request: pb.ListTrajectoriesRequest, context: Context) -> pb.TrajectoryList:
        found = await trajectories.list_trajectories(self._services, await self._caller(context))
        return pb.TrajectoryList(items=[convert.trajectory_pb(view) for view in found])

    # -- medication ------------------------------------------------------------------------
    async def ListMedications(self, request: pb.ListMedicationsRequest, context: Context) -> pb.MedicationList:
        found = await medication.current_medication(self._services, await self._caller(context))
        return pb.MedicationList(items=[convert.medication_pb(m) for m in found])

    async def RequestPrescription(
        self, request: pb.RequestPrescriptionRequest, context: Context
    ) -> pb.PrescriptionRequest:
        caller = await self._caller(context)
        made = await medication.do_request_prescription(
            self._services, caller, list(request.medication_ids), request.note
        )
        return convert.prescription_pb(made)

    async def ListPrescriptionRequests(self, request: pb.PageRequest, context: Context) -> pb.PrescriptionRequestPage:
        caller = await self._caller(context)
        found, cursor = await medication.list_requests(self._services, caller, request.cursor, request.limit)
        return pb.PrescriptionRequestPage(items=[convert.prescription_pb(r) for r in found], next_cursor=cursor)

    # -- appointments ------------------------------------------------------------------------
    async def ListSlots(self, request: pb.ListSlotsRequest, context: Context) -> pb.SlotList:
        caller = await self._caller(context)
        found = await appointments.list_free_slots(
            self._services, caller, getattr(request, "from"), request.to, request.practitioner_id
        )
        return pb.SlotList(items=[convert.slot_pb(slot) for slot in found])

    async def BookAppointment(self, request: pb.BookAppointmentRequest, context: Context) -> pb.Appointment:
        caller = await self._caller(context)
        booked = await appointments.do_book(self._services, caller, request.slot_id, request.reason)
        return convert.appointment_pb(booked, self._services.clock())

    async def CancelAppointment(self, request: pb.AppointmentRef, context: Context) -> pb.Appointment:
        caller = await self._caller(context)
        cancelled = await appointments.do_cancel(self._services, caller, request.appointment_id)
        return convert.appointment_pb(cancelled, self._services.clock())

    async def ListAppointments(self, request: pb.ListAppointmentsRequest, context: Context) -> pb.AppointmentPage:
        caller = await self._caller(context)
        found, cursor = await appointments.list_appointments(
            self._services, caller, request.scope, request.cursor, request.limit
        )
        now = self._services.clock()
        return pb.AppointmentPage(items=[convert.appointment_pb(a, now) for a in found], next_cursor=cursor)

    # -- results -------------------------------------------------------------------------------
    async def ListResults(self, request: pb.PageRequest, context: Context) -> pb.ResultPage:
        found, cursor = await results.list_results(
            self._services, await self._caller(context), request.cursor, request.limit
        )
        return pb.ResultPage(items=[convert.result_pb(r, with_observations=False) for r in found], next_cursor=cursor)

    async def GetResult(self, request: pb.ResultRef, context: Context) -> pb.LabResult:
        return convert.result_pb(
            await results.get_result(self._services, await self._caller(context), request.result_id)
        )

    async def ExportResult(self, request: pb.ExportResultRequest, context: Context) -> pb.FileContent:
        name, content_type, data = await results.export_result(
            self._services, await self._caller(context), request.result_id, request.format
        )
        return pb.FileContent(file_name=name, content_type=content_type, data=data)

    # -- diary, questionnaires ----------------------------------------------------------------
    async def ListDiaryEntries(self, request: pb.PageRequest, context: Context) -> pb.DiaryPage:
        found, cursor = await diary.list_mine(
            self._services, await self._caller(context), request.cursor, request.limit
        )
        return pb.DiaryPage(items=[convert.diary_pb(e) for e in found], next_cursor=cursor)

    async def GetDiaryEntry(self, request: pb.DiaryEntryRef, context: Context) -> pb.DiaryEntry:
        caller = await self._caller(context)
        return convert.diary_pb(await diary.get_mine(self._services, caller, request.entry_id))

    async def WriteDiaryEntry(self, request: pb.WriteDiaryEntryRequest, context: Context) -> pb.DiaryEntry:
        caller = await self._caller(context)
        return convert.diary_pb(await diary.do_write(self._services, caller, request.body, request.shared))

    async def UpdateDiaryEntry(self, request: pb.UpdateDiaryEntryRequest, context: Context) -> pb.DiaryEntry:
        caller = await self._caller(context)
        return convert.diary_pb(
            await diary.do_update(self._services, caller, request.entry_id, request.body, request.shared)
        )

    async def ListQuestionnaires(self, request: pb.ListQuestionnairesRequest, context: Context) -> pb.QuestionnaireList:
        found = await questionnaires.list_mine(self._services, await self._caller(context))
        return pb.QuestionnaireList(items=[convert.questionnaire_pb(q) for q in found])

    async def GetQuestionnaire(self, request: pb.QuestionnaireRef, context: Context) -> pb.Questionnaire:
        caller = await self._caller(context)
        return convert.questionnaire_pb(await questionnaires.get_mine(self._services, caller, request.questionnaire_id))

    async def SaveQuestionnaire(self, request: pb.SaveQuestionnaireRequest, context: Context) -> pb.Questionnaire:
        caller = await self._caller(context)
        saved = await questionnaires.do_save(
            self._services, caller, request.questionnaire_id, dict(request.answers), request.submit
        )
        return convert.questionnaire_pb(saved)

    # -- search, export, actions -----------------------------------------------------------------
    async def SearchDossier(self, request: pb.SearchDossierRequest, context: Context) -> pb.DossierSearchPage:
        found, cursor = await search.search_dossier(
            self._services, await self._caller(context), request.query, request.cursor, request.limit
        )
        return pb.DossierSearchPage(
            items=[pb.DossierHit(kind=h.kind.value, id=h.id, title=h.title, at=convert.timestamp(h.at)) for h in found],
            next_cursor=cursor,
        )

    async def ExportFhir(self, request: pb.ExportFhirRequest, context: Context) -> pb.FhirBundle:
        return pb.FhirBundle(json=await export.export_fhir(self._services, await self._caller(context)))

    async def ListActions(self, request: pb.PageRequest, context: Context) -> pb.ActionPage:
        found, cursor = await export.list_actions(
            self._services, await self._caller(context), request.cursor, request.limit
        )
        return pb.ActionPage(items=[convert.action_pb(a) for a in found], next_cursor=cursor)


class PracticeServicer(portal_pb2_grpc.PracticeServiceServicer):
    def __init__(self, services: Services, verifier: TokenVerifier) -> None:
        self._services = services
        self._verifier = verifier

    async def _caller(self, context: Context) -> PracticeCaller:
        """A practitioner of the organisation in the token (403 for anyone else), with the
        name they sign with."""
        caller = practice_caller(await self._verifier.verify_metadata(context))
        return replace(caller, name=await self._services.identity.display_name(caller.account_id, _token(context)))

    # -- clients ----------------------------------------------------------------------------
    async def RegisterClient(self, request: pb.RegisterClientRequest, context: Context) -> pb.ClientRecord:
        practice = await self._caller(context)
        person_id, born, fields, language = dossier.check_client(
            dossier.ClientDraft(
                person_id=request.person_id,
                first_name=request.first_name,
                last_name=request.last_name,
                birth_date=request.birth_date,
                email=request.email,
                phone=request.phone,
                street=request.street,
                postal_code=request.postal_code,
                city=request.city,
                insurer=request.insurer,
                policy_number=request.policy_number,
                language=request.language,
            ),
            self._services.today(),
        )
        return convert.client_pb(
            await dossier.do_register_client(self._services, practice, person_id, born, fields, language)
        )

    async def GetClient(self, request: pb.ClientRef, context: Context) -> pb.ClientRecord:
        practice = await self._caller(context)
        return convert.client_pb(await dossier.get_client(self._services, practice, request.person_id))

    async def ListClients(self, request: pb.PageRequest, context: Context) -> pb.ClientPage:
        practice = await self._caller(context)
        found, cursor = await dossier.list_clients(self._services, practice, request.cursor, request.limit)
        return pb.ClientPage(items=[convert.client_pb(r) for r in found], next_cursor=cursor)

    async def ListChangeRequests(self, request: pb.ListChangeRequestsRequest, context: Context) -> pb.ChangeRequestList:
        practice = await self._caller(context)
        found = await dossier.list_change_requests(self._services, practice, request.status)
        return pb.ChangeRequestList(items=[convert.change_request_pb(r) for r in found])

    async def ResolveChangeRequest(self, request: pb.ResolveChangeRequestRequest, context: Context) -> pb.ChangeRequest:
        practice = await self._caller(context)
        resolved = await dossier.do_resolve_change_request(
            self._services, practice, request.change_request_id, request.accept, request.answer
        )
        return convert.change_request_pb(resolved)

    async def GetConsentItems(self, request: pb.GetConsentItemsRequest, context: Context) -> pb.ConsentItems:
        found = await dossier.get_consent_items(self._services, await self._caller(context))
        return pb.ConsentItems(items=[convert.consent_item_pb(item) for item in found])

    async def SetConsentItems(self, request: pb.ConsentItems, context: Context) -> pb.ConsentItems:
        practice = await self._caller(context)
        saved = await dossier.do_set_consent_items(self._services, practice, convert.consent_items_from(request))
        return pb.ConsentItems(items=[convert.consent_item_pb(item) for item in saved])

    async def GetClientConsents(self, request: pb.ClientRef, context: Context) -> pb.ConsentList:
        practice = await self._caller(context)
        states = await dossier.client_consents(self._services, practice, request.person_id)
        return pb.ConsentList(items=[convert.consent_pb(state) for state in states])

    # -- trajectories, documents ----------------------------------------------------------------
    async def StartTrajectory(self, request: pb.StartTrajectoryRequest, context: Context) -> pb.Trajectory:
        practice = await self._caller(context)
        draft = StartDraft(
            person_id=request.person_id,
            title=request.title,
            practitioners=convert.practitioners_from(list(request.practitioners)),
            agreement_file_name=request.agreement_file_name,
            agreement_content_type=request.agreement_content_type,
            agreement_data=request.agreement_data,
        )
        return convert.trajectory_pb(await trajectories.do_start(self._services, practice, draft))

    async def EndTrajectory(self, request: pb.EndTrajectoryRequest, context: Context) -> pb.Trajectory:
        practice = await self._caller(context)
        ended = await trajectories.do_end(self._services, practice, request.trajectory_id, request.reason)
        return convert.trajectory_pb(ended)

    async def ListTrajectories(self, request: pb.ListClientTrajectoriesRequest, context: Context) -> pb.TrajectoryList:
        practice = await self._caller(context)
        found = await trajectories.list_for_practice(self._services, practice, request.person_id, request.status)
        return pb.TrajectoryList(items=[convert.trajectory_pb(view) for view in found])

    async def PublishDocument(self, request: pb.PublishDocumentRequest, context: Context) -> pb.Document:
        practice = await self._caller(context)
        draft = PublishDraft(
            person_id=request.person_id,
            kind=request.kind,
            title=request.title,
            requires_approval=request.requires_approval,
            upload=FileUpload(request.file_name, request.content_type, request.data),
            trajectory_id=request.trajectory_id,
        )
        return convert.document_pb(await documents.do_publish(self._services, practice, draft), practice.account_id)

    async def ListClientDocuments(self, request: pb.ListClientDocumentsRequest, context: Context) -> pb.DocumentPage:
        practice = await self._caller(context)
        found, cursor = await documents.list_client_documents(
            self._services, practice, request.person_id, request.cursor, request.limit
        )
        return pb.DocumentPage(items=[convert.document_pb(d, practice.account_id) for d in found], next_cursor=cursor)

    async def GetClientDocumentFile(self, request: pb.DocumentRef, context: Context) -> pb.FileContent:
        practice = await self._caller(context)
        found, data = await documents.client_document_file(self._services, practice, request.document_id)
        return convert.file_pb(found, data)

    # -- medication -------------------------------------------------------------------------------
    async def AddMedication(self, request: pb.AddMedicationRequest, context: Context) -> pb.Medication:
        practice = await self._caller(context)
        added = await medication.do_add_medication(
            self._services,
            practice,
            request.person_id,
            request.name,
            request.dosage,
            request.chronic,
            request.started_on,
        )
        return convert.medication_pb(added)

    async def StopMedication(self, request: pb.StopMedicationRequest, context: Context) -> pb.Medication:
        practice = await self._caller(context)
        stopped = await medication.do_stop_medication(
            self._services, practice, request.medication_id, request.stopped_on
        )
        return convert.medication_pb(stopped)

    async def ListClientMedications(self, request: pb.ClientRef, context: Context) -> pb.MedicationList:
        practice = await self._caller(context)
        found = await medication.client_medication(self._services, practice, request.person_id)
        return pb.MedicationList(items=[convert.medication_pb(m) for m in found])

    async def ListPrescriptionRequests(
        self, request: pb.ListPracticePrescriptionsRequest, context: Context
    ) -> pb.PrescriptionRequestPage:
        practice = await self._caller(context)
        found, cursor = await medication.practice_requests(
            self._services, practice, request.status, request.cursor, request.limit
        )
        return pb.PrescriptionRequestPage(
            items=[convert.prescription_pb(r, name) for r, name in found], next_cursor=cursor
        )

    async def GetPrescriptionRequest(
        self, request: pb.PrescriptionRequestRef, context: Context
    ) -> pb.PrescriptionRequest:
        practice = await self._caller(context)
        found, name = await medication.practice_request(self._services, practice, request.request_id)
        return convert.prescription_pb(found, name)

    async def HandlePrescription(
        self, request: pb.HandlePrescriptionRequest, context: Context
    ) -> pb.PrescriptionRequest:
        practice = await self._caller(context)
        handled = await medication.do_handle(
            self._services, practice, request.request_id, request.ready, request.answer
        )
        return convert.prescription_pb(handled)

    # -- results ------------------------------------------------------------------------------------
    async def PublishResult(self, request: pb.PublishResultRequest, context: Context) -> pb.LabResult:
        practice = await self._caller(context)
        published = await results.do_publish_result(
            self._services,
            practice,
            request.person_id,
            request.title,
            convert.moment(request, "taken_at"),
            convert.observation_drafts(list(request.observations)),
        )
        return convert.result_pb(published)

    async def ListClientResults(self, request: pb.ListClientResultsRequest, context: Context) -> pb.ResultPage:
        practice = await self._caller(context)
        found, cursor = await results.client_results(
            self._services, practice, request.person_id, request.cursor, request.limit
        )
        return pb.ResultPage(items=[convert.result_pb(r) for r in found], next_cursor=cursor)

    # -- schedules and agenda ------------------------------------------------------------------------
    async def AddSchedule(self, request: pb.AddScheduleRequest, context: Context) -> pb.ScheduleAdded:
        practice = await self._caller(context)
        template, practitioner_id, name, location = appointments.check_schedule_draft(
            appointments.ScheduleDraft(
                practitioner_id=request.practitioner_id,
                practitioner_name=request.practitioner_name,
                from_date=request.from_date,
                to_date=request.to_date,
                weekdays=list(request.weekdays),
                start_time=request.start_time,
                end_time=request.end_time,
                slot_minutes=request.slot_minutes,
                location=request.location,
            ),
            practice,
            self._services.today(),
        )
        added, skipped = await appointments.do_add_schedule(
            self._services, practice, template, practitioner_id, name, location
        )
        return pb.ScheduleAdded(slots_added=added, slots_skipped=skipped)

    async def AddSlot(self, request: pb.AddSlotRequest, context: Context) -> pb.Slot:
        practice = await self._caller(context)
        slot = await appointments.do_add_slot(
            self._services,
            practice,
            request.practitioner_id,
            request.practitioner_name,
            convert.moment(request, "starts_at"),
            convert.moment(request, "ends_at"),
            request.location,
        )
        return convert.slot_pb(slot)

    async def RemoveSlot(self, request: pb.SlotRef, context: Context) -> pb.RemoveSlotResponse:
        await appointments.do_remove_slot(self._services, await self._caller(context), request.slot_id)
        return pb.RemoveSlotResponse()

    async def GetAgenda(self, request: pb.GetAgendaRequest, context: Context) -> pb.SlotList:
        practice = await self._caller(context)
        found = await appointments.agenda(
            self._services, practice, getattr(request, "from"), request.to, request.practitioner_id
        )
        return pb.SlotList(items=[convert.agenda_pb(entry) for entry in found])

    async def CreateAppointment(self, request: pb.CreateAppointmentRequest, context: Context) -> pb.Appointment:
        practice = await self._caller(context)
        created = await appointments.do_create_appointment(
            self._services,
            practice,
            request.person_id,
            convert.moment(request, "starts_at"),
            convert.moment(request, "ends_at"),
            request.with_name,
            request.location,
        )
        return convert.appointment_pb(created, self._services.clock())

    async def CancelAppointment(self, request: pb.AppointmentRef, context: Context) -> pb.Appointment:
        practice = await self._caller(context)
        cancelled = await appointments.do_cancel_by_practice(self._services, practice, request.appointment_id)
        return convert.appointment_pb(cancelled, self._services.clock())

    async def GetAppointment(self, request: pb.AppointmentRef, context: Context) -> pb.Appointment:
        practice = await self._caller(context)
        found, name = await appointments.practice_appointment(self._services, practice, request.appointment_id)
        return convert.appointment_pb(found, self._services.clock(), name)

    async def ListClientAppointments(
        self, request: pb.ListClientAppointmentsRequest, context: Context
    ) -> pb.AppointmentPage:
        practice = await self._caller(context)
        found, cursor = await appointments.list_client_appointments(
            self._services, practice, request.person_id, request.scope, request.cursor, request.limit
        )
        now = self._services.clock()
        return pb.AppointmentPage(items=[convert.appointment_pb(a, now) for a in found], next_cursor=cursor)

    # -- questionnaires, shared diary --------------------------------------------------------------------
    async def SendQuestionnaire(self, request: pb.SendQuestionnaireRequest, context: Context) -> pb.Questionnaire:
        practice = await self._caller(context)
        sent = await questionnaires.do_send(
            self._services,
            practice,
            request.person_id,
            request.title,
            convert.questions_from(list(request.questions)),
        )
        return convert.questionnaire_pb(sent)

    async def ListQuestionnaires(
        self, request: pb.ListPracticeQuestionnairesRequest, context: Context
    ) -> pb.QuestionnaireList:
        practice = await self._caller(context)
        found, cursor = await questionnaires.practice_list(
            self._services, practice, request.person_id, request.status, request.cursor, request.limit
        )
        return pb.QuestionnaireList(items=[convert.questionnaire_pb(q, name) for q, name in found], next_cursor=cursor)

    async def GetQuestionnaire(self, request: pb.QuestionnaireRef, context: Context) -> pb.Questionnaire:
        practice = await self._caller(context)
        found, name = await questionnaires.practice_get(self._services, practice, request.questionnaire_id)
        return convert.questionnaire_pb(found, name)

    async def ListSharedDiaryEntries(self, request: pb.ListSharedDiaryRequest, context: Context) -> pb.DiaryPage:
        practice = await self._caller(context)
        found, cursor = await diary.list_shared(
            self._services, practice, request.person_id, request.cursor, request.limit
        )
        return pb.DiaryPage(items=[convert.diary_pb(e) for e in found], next_cursor=cursor)
