"""Questionnaires (seed 4): the practitioner sends, the client or parent fills in (drafts,
then one submission), the practitioner reads the submitted answers."""

from __future__ import annotations

from portal.domain.errors import QuestionnaireNotFound
from portal.domain.notices import QuestionnaireSent
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.domain.questionnaires import Question, Questionnaire, QuestionnaireStatus, check_questions
from portal.service.common import (
    Services,
    decode_keyset,
    encode_keyset,
    page_size,
    parse_id,
    recipients_of,
    record_action,
)
from portal.service.dossier import require_client
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_single_line


async def list_mine(services: Services, caller: PersonCaller) -> list[Questionnaire]:
    async with services.uow() as uow:
        return await uow.questionnaires.of_person(caller.person_id, caller.organisation_id)


async def _persons(services: Services, caller: PersonCaller, questionnaire_id: str, *, lock: bool) -> Questionnaire:
    identifier = parse_id(questionnaire_id)
    async with services.uow() as uow:
        found = await uow.questionnaires.get(identifier, lock=lock) if identifier else None
    if found is None or found.person_id != caller.person_id or found.organisation_id != caller.organisation_id:
        raise QuestionnaireNotFound()
    return found


async def get_mine(services: Services, caller: PersonCaller, questionnaire_id: str) -> Questionnaire:
    return await _persons(services, caller, questionnaire_id, lock=False)


async def do_save(
    services: Services, caller: PersonCaller, questionnaire_id: str, answers: dict[str, str], submit: bool
) -> Questionnaire:
    """A draft (answers checked as far as given), or the submission (every required one)."""
    now = services.clock()
    identifier = parse_id(questionnaire_id)
    async with services.uow() as uow:
        questionnaire = await uow.questionnaires.get(identifier, lock=True) if identifier else None
        if (
            questionnaire is None
            or questionnaire.person_id != caller.person_id
            or questionnaire.organisation_id != caller.organisation_id
        ):
            raise QuestionnaireNotFound()
        questionnaire.save(answers, submit, now, caller.actor_id)
        await uow.questionnaires.save(questionnaire)
        await record_action(
            uow,
            caller.person_id,
            caller.organisation_id,
            caller.actor_id,
            "questionnaire.submitted" if submit else "questionnaire.saved",
            questionnaire.id,
            now,
        )
        await uow.commit()
    return questionnaire


async def do_send(
    services: Services, practice: PracticeCaller, person_id: str, title: str, questions: list[Question]
) -> Questionnaire:
    errors = FieldErrors()
    text = check_single_line(title, "title", errors, max_length=200)
    checked = check_questions(questions, errors)
    errors.raise_if_any()
    now = services.clock()
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
        questionnaire = Questionnaire(
            id=new_id(),
            person_id=record.person_id,
            organisation_id=practice.organisation_id,
            title=text,
            questions=checked,
            sent_at=now,
            sent_by=practice.account_id,
            sent_by_name=practice.name,
        )
        await uow.questionnaires.add(questionnaire)
        await record_action(
            uow,
            record.person_id,
            practice.organisation_id,
            practice.account_id,
            "questionnaire.sent",
            questionnaire.id,
            now,
        )
        uow.emit(
            QuestionnaireSent(
                organisation_id=practice.organisation_id,
                organisation_name=practice.organisation_name,
                person_id=record.person_id,
                recipients=await recipients_of(uow, record.person_id, practice.organisation_id),
                questionnaire_id=questionnaire.id,
                occurred_at=now,
            )
        )
        await uow.commit()
    return questionnaire


def for_practice(questionnaire: Questionnaire) -> Questionnaire:
    """Drafts are the client's own: the practice sees answers once submitted."""
    if questionnaire.status is not QuestionnaireStatus.SUBMITTED:
        questionnaire.answers = {}
    return questionnaire


async def practice_list(
    services: Services, practice: PracticeCaller, person_id: str, status: str, cursor: str, limit: int
) -> tuple[list[tuple[Questionnaire, str]], str]:
    """The practice's questionnaires, newest first, each with the client's name, a page at a time."""
    wanted = None
    if status:
        try:
            wanted = QuestionnaireStatus(status)
        except ValueError:
            raise InvalidArgument(fields={"status": "is open or submitted"}) from None
    count = page_size(limit)
    async with services.uow() as uow:
        person = None
        if person_id:
            person = (await require_client(uow, person_id, practice.organisation_id, "person_id")).person_id
        found = await uow.questionnaires.of_organisation(
            practice.organisation_id, person, wanted, decode_keyset(cursor), count + 1
        )
    page = found[:count]
    next_cursor = encode_keyset(page[-1][0].sent_at, page[-1][0].id) if len(found) > count else ""
    return [(for_practice(q), name) for q, name in page], next_cursor


async def practice_get(
    services: Services, practice: PracticeCaller, questionnaire_id: str
) -> tuple[Questionnaire, str]:
    """One of the practice's questionnaires with the client's name (404 for another practice's)."""
    identifier = parse_id(questionnaire_id)
    async with services.uow() as uow:
        found = await uow.questionnaires.get(identifier) if identifier else None
        if found is None or found.organisation_id != practice.organisation_id:
            raise QuestionnaireNotFound()
        record = await uow.clients.get(found.person_id, practice.organisation_id)
    return for_practice(found), record.display_name if record else ""
