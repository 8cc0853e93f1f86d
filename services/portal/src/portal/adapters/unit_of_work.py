"""The portal's unit of work on PostgreSQL (the port :class:`portal.service.ports.PortalUnitOfWork`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal.adapters.repositories import (
    SqlActions,
    SqlAppointments,
    SqlChangeRequests,
    SqlClients,
    SqlConsents,
    SqlDelegates,
    SqlDiary,
    SqlDocuments,
    SqlDossierSearch,
    SqlMedications,
    SqlMessageActivity,
    SqlPrescriptions,
    SqlQuestionnaires,
    SqlResults,
    SqlSlots,
    SqlTrajectories,
    SqlVisits,
)
from zorgpost_kit.db import UnitOfWork


class SqlPortalUnitOfWork(UnitOfWork):
    clients: SqlClients
    change_requests: SqlChangeRequests
    consents: SqlConsents
    trajectories: SqlTrajectories
    documents: SqlDocuments
    slots: SqlSlots
    appointments: SqlAppointments
    medications: SqlMedications
    prescriptions: SqlPrescriptions
    results: SqlResults
    diary: SqlDiary
    questionnaires: SqlQuestionnaires
    delegates: SqlDelegates
    message_activity: SqlMessageActivity
    visits: SqlVisits
    actions: SqlActions
    dossier_search: SqlDossierSearch

    def _open_repositories(self, session: AsyncSession) -> None:
        self.clients = SqlClients(session)
        self.change_requests = SqlChangeRequests(session)
        self.consents = SqlConsents(session)
        self.trajectories = SqlTrajectories(session)
        self.documents = SqlDocuments(session)
        self.slots = SqlSlots(session)
        self.appointments = SqlAppointments(session)
        self.medications = SqlMedications(session)
        self.prescriptions = SqlPrescriptions(session)
        self.results = SqlResults(session)
        self.diary = SqlDiary(session)
        self.questionnaires = SqlQuestionnaires(session)
        self.delegates = SqlDelegates(session)
        self.message_activity = SqlMessageActivity(session)
        self.visits = SqlVisits(session)
        self.actions = SqlActions(session)
        self.dossier_search = SqlDossierSearch(session)
