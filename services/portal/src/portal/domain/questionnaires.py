"""Questionnaires (seed 4, "vragenlijsten invullen"): the practitioner sends a small form to a
client or parent; they save drafts and submit it once; only then does the practitioner see
the answers. Questions are open text, one choice of several, or a point on a scale."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from portal.domain.errors import QuestionnaireSubmitted
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_single_line, check_text

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_ANSWER_LENGTH = 5_000


class QuestionKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    SCALE = "scale"


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    required: bool = True
    #: Choice questions: the options to pick one of.
    options: tuple[str, ...] = ()
    #: Scale questions: the lowest and highest point, and what each end means.
    scale_min: int = 0
    scale_max: int = 0
    min_label: str = ""
    max_label: str = ""


class QuestionnaireStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


@dataclass
class Questionnaire:
    id: str
    person_id: str
    organisation_id: str
    title: str
    questions: list[Question]
    sent_at: datetime
    sent_by: str
    sent_by_name: str
    status: QuestionnaireStatus = QuestionnaireStatus.OPEN
    answers: dict[str, str] = field(default_factory=dict)
    saved_at: datetime | None = None
    saved_by: str = ""
    submitted_at: datetime | None = None

    def save(self, answers: dict[str, str], submit: bool, at: datetime, by: str) -> None:
        """Stores a draft, or submits: every required question answered then."""
        if self.status is QuestionnaireStatus.SUBMITTED:
            raise QuestionnaireSubmitted()
        checked = check_answers(self.questions, answers, complete=submit)
        self.answers, self.saved_at, self.saved_by = checked, at, by
        if submit:
            self.status, self.submitted_at = QuestionnaireStatus.SUBMITTED, at


def check_questions(questions: list[Question], errors: FieldErrors) -> list[Question]:
    if not questions:
        errors.add("questions", "give one or more questions")
    if len(questions) > MAX_QUESTIONS:
        errors.add("questions", f"at most {MAX_QUESTIONS}")
    checked = []
    ids: set[str] = set()
    for index, question in enumerate(questions):
        at = f"questions[{index}]."
        question_id = question.id.strip() or f"q{index + 1}"
        if question_id in ids or len(question_id) > 50:
            errors.add(at + "id", "is used twice or longer than 50 characters")
        ids.add(question_id)
        text = check_text(question.text, at + "text", errors, max_length=1000)
        options: tuple[str, ...] = ()
        if question.kind is QuestionKind.CHOICE:
            options = tuple(
                check_single_line(option, f"{at}options[{n}]", errors, max_length=200)
                for n, option in enumerate(question.options)
            )
            if len(options) < 2 or len(options) > MAX_OPTIONS or len(set(options)) != len(options):
                errors.add(at + "options", f"give 2 to {MAX_OPTIONS} different options")
        if question.kind is QuestionKind.SCALE and not (0 <= question.scale_min < question.scale_max <= 100):
            errors.add(at + "scale_max", "a scale goes from scale_min up to a higher scale_max (0 … 100)")
        min_label = check_single_line(question.min_label, at + "min_label", errors, max_length=100, required=False)
        max_label = check_single_line(question.max_label, at + "max_label", errors, max_length=100, required=False)
        checked.append(
            Question(
                question_id,
                question.kind,
                text,
                question.required,
                options,
                question.scale_min,
                question.scale_max,
                min_label,
                max_label,
            )
        )
    return checked


def check_answers(questions: list[Question], answers: dict[str, str], *, complete: bool) -> dict[str, str]:
    """The answers kept (empty ones dropped); each bad one named as ``answers.<question id>``.
    ``complete``: every required question must be answered."""
    errors = FieldErrors()
    by_id = {question.id: question for question in questions}
    checked: dict[str, str] = {}
    for question_id, raw in answers.items():
        question = by_id.get(question_id)
        at = f"answers.{question_id}"
        if question is None:
            errors.add(at, "is not a question of this questionnaire")
            continue
        value = raw.strip()
        if not value:
            continue
        if question.kind is QuestionKind.TEXT:
            value = check_text(value, at, errors, max_length=MAX_ANSWER_LENGTH)
        elif question.kind is QuestionKind.CHOICE and value not in question.options:
            errors.add(at, "choose one of the options")
        elif question.kind is QuestionKind.SCALE and not (
            value.lstrip("-").isdigit() and question.scale_min <= int(value) <= question.scale_max
        ):
            errors.add(at, f"choose a whole number from {question.scale_min} to {question.scale_max}")
        checked[question_id] = value
    if complete:
        for question in questions:
            if question.required and question.id not in checked:
                errors.add(f"answers.{question.id}", "is required")
    errors.raise_if_any()
    return checked
