"""The portal's rules on their own: who approves an agreement at which age, the 24-hour
cancellation line, slots from opening hours, repeat prescriptions of chronic medication
only, result flags, questionnaire answers, consents and their history, "since the previous
login", and who is told."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from portal.domain.activity import Visit, next_visit
from portal.domain.appointments import Appointment, ScheduleTemplate, check_schedule, slot_times
from portal.domain.delegations import DelegateLink
from portal.domain.dossier import ClientRecord, ConsentDecision, ConsentItem, check_consent_items, consent_states
from portal.domain.errors import (
    AppointmentNotActive,
    NotChronic,
    QuestionnaireSubmitted,
    TooLateToCancel,
    TrajectoryEnded,
)
from portal.domain.medication import Medication, choose_for_repeat
from portal.domain.notices import notice_recipients
from portal.domain.people import person_caller, practice_caller
from portal.domain.questionnaires import Question, QuestionKind, Questionnaire, check_answers
from portal.domain.results import Flag, Observation
from portal.domain.trajectories import AgreementState, Party, Trajectory, TrajectoryStatus, agreement_parties
from zorgpost_kit import calendar
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.errors import InvalidArgument

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # Friday 11:00 in Amsterdam
TODAY = date(2026, 11, 27)


# ----------------------------------------------------------------------------- who is who
def test_the_back_office_is_for_practitioners_working_as_themselves() -> None:
    practitioner = Principal("s", "s", "sid", "org", "Praktijk", frozenset({"practitioner"}))
    assert practice_caller(practitioner, "Dokter").organisation_id == "org"
    refused = [
        Principal("s", "s", "sid", "org", "Praktijk", frozenset({"staff"})),  # staff, not a practitioner
        Principal("a", "a", "sid", "org", "Praktijk", frozenset({"admin", "helpdesk", "case_handler"})),
        Principal("p", "p", "sid", "org", "Praktijk", frozenset({"person"})),
        Principal("p", "s", "sid", "org", "Praktijk", frozenset({"practitioner"})),  # acting for someone
        Principal("s", "s", "sid", None, None, frozenset({"practitioner"})),  # no organisation
    ]
    for principal in refused:
        with pytest.raises(NotPermitted) as denied:
            practice_caller(principal)
        assert denied.value.code == "not_permitted"


def test_a_persons_portal_is_for_persons_and_those_acting_for_them() -> None:
    assert person_caller(Principal("kid", "kid", "sid", "org", "Praktijk", frozenset({"person"}))).person_id == "kid"
    acting = person_caller(Principal("kid", "mum", "sid", "org", "Praktijk", frozenset({"person"})))
    assert (acting.person_id, acting.actor_id, acting.on_behalf) == ("kid", "mum", True)
    for roles in ({"staff"}, {"practitioner"}, {"admin"}):
        with pytest.raises(NotPermitted):
            person_caller(Principal("s", "s", "sid", "org", "Praktijk", frozenset(roles)))


# ----------------------------------------------------------------------------- the agreement
@pytest.mark.parametrize(
    ("age", "roles"),
    [
        (10, ["parent", "parent"]),  # under 12: the parents with authority
        (12, ["client", "parent", "parent"]),  # from 12: the client too
        (15, ["client", "parent", "parent"]),
        (16, ["client"]),  # from 16: the client alone
        (None, ["client", "parent", "parent"]),  # unknown birth date: nobody is left out
    ],
)
def test_who_approves_the_agreement_follows_the_clients_age(age: int | None, roles: list[str]) -> None:
    born = calendar.birth_date_for_age(age, TODAY) if age is not None else None
    parties = agreement_parties("kid", "Jip", born, [("mum", "Mama"), ("dad", "Papa"), ("kid", "Jip")], TODAY)
    assert [party.role for party in parties] == roles


def test_the_agreement_is_complete_when_every_party_approved_and_there_is_one() -> None:
    parties = [Party("kid", "Jip", "client"), Party("mum", "Mama", "parent")]
    assert not AgreementState([], {}).complete
    half = AgreementState(parties, {"mum": NOW, "someone-else": NOW})
    assert not half.complete and [p.account_id for p in half.missing] == ["kid"]
    assert AgreementState(parties, {"mum": NOW, "kid": NOW}).complete


def test_a_trajectory_activates_once_and_ends_once() -> None:
    trajectory = Trajectory("t", "kid", "org", "Traject", [], TrajectoryStatus.AWAITING_AGREEMENT, NOW, "staff")
    assert trajectory.activate(NOW) and not trajectory.activate(NOW + timedelta(hours=1))
    assert trajectory.activated_at == NOW
    trajectory.end(NOW, "staff", "klaar")
    with pytest.raises(TrajectoryEnded):
        trajectory.end(NOW, "staff", "nog eens")


# ----------------------------------------------------------------------------- appointments
def _appointment(starts_in: timedelta) -> Appointment:
    return Appointment("a", "p", "org", NOW + starts_in, NOW + starts_in + timedelta(minutes=10), "Dr", "", NOW, "p")


def test_an_appointment_is_cancelled_online_until_exactly_24_hours_before() -> None:
    in_time = _appointment(timedelta(hours=24))
    in_time.cancel_by_patient(NOW, "p")
    assert in_time.cancelled_at == NOW
    with pytest.raises(TooLateToCancel) as refused:
        _appointment(timedelta(hours=23, minutes=59, seconds=59)).cancel_by_patient(NOW, "p")
    assert "Bel de praktijk" in refused.value.message
    with pytest.raises(AppointmentNotActive):
        in_time.cancel_by_patient(NOW, "p")
    with pytest.raises(AppointmentNotActive):
        _appointment(-timedelta(hours=1)).cancel_by_patient(NOW, "p")
    # The practice may cancel at any time.
    late = _appointment(timedelta(hours=1))
    late.cancel_by_practice(NOW, "staff")
    assert late.cancelled


def test_opening_hours_become_slots_on_the_chosen_days_without_public_holidays() -> None:
    # Thursday 24 December to Tuesday 29 December 2026: Christmas (Fri, Sat) has no slots.
    template = ScheduleTemplate(
        date(2026, 12, 24), date(2026, 12, 29), frozenset({0, 1, 3, 4, 5}), time(8, 30), time(9, 30), 20
    )
    times = slot_times(template, NOW)
    days = sorted({calendar.local_date(start) for start, _ in times})
    assert days == [date(2026, 12, 24), date(2026, 12, 28), date(2026, 12, 29)]
    first = times[0][0].astimezone(calendar.ZONE)
    assert (first.hour, first.minute, len(times)) == (8, 30, 9)
    # Slots that have begun are not made.
    assert slot_times(template, times[1][0]) == times[2:]


def test_a_schedule_names_every_mistake() -> None:
    bad = ScheduleTemplate(date(2026, 12, 5), date(2026, 12, 1), frozenset({7}), time(12), time(8), 1)
    with pytest.raises(InvalidArgument) as refused:
        check_schedule(bad, TODAY)
    assert set(refused.value.fields) == {"to_date", "weekdays", "end_time", "slot_minutes"}


# ----------------------------------------------------------------------------- medication
def _medication(identifier: str, name: str, chronic: bool) -> Medication:
    return Medication(identifier, "p", "org", name, "", chronic, None, "Dr", NOW)


def test_only_current_chronic_medication_is_ordered_again_ready_by_the_noon_rule() -> None:
    current = {m.id: m for m in (_medication("m1", "Metformine", True), _medication("m2", "Amoxicilline", False))}
    items, ready = choose_for_repeat(["m1"], current, NOW)
    assert ([i.name for i in items], ready) == (["Metformine"], date(2026, 11, 30))
    with pytest.raises(NotChronic) as refused:
        choose_for_repeat(["m1", "m2", "other", "m1"], current, NOW)
    assert refused.value.code == "not_chronic"
    assert set(refused.value.fields) == {"medication_ids[1]", "medication_ids[2]", "medication_ids[3]"}
    assert "Amoxicilline" in refused.value.fields["medication_ids[1]"]
    with pytest.raises(InvalidArgument):
        choose_for_repeat([], current, NOW)


def test_stopped_medication_is_no_longer_current() -> None:
    medication = _medication("m", "X", True)
    medication.stopped_on = TODAY
    assert not medication.is_current(TODAY) and medication.is_current(TODAY - timedelta(days=1))


# ----------------------------------------------------------------------------- results
@pytest.mark.parametrize(
    ("value", "low", "high", "flag"),
    [
        ("7.2", "4.0", "6.1", Flag.HIGH),
        ("3,9", "4.0", "6.1", Flag.LOW),
        ("5", "4.0", "6.1", Flag.NORMAL),
        ("53", None, "53", Flag.NORMAL),
        ("negatief", None, None, Flag.NONE),
        ("5", None, None, Flag.NONE),
    ],
)
def test_an_observation_is_flagged_against_its_reference_range(
    value: str, low: str | None, high: str | None, flag: Flag
) -> None:
    observation = Observation(
        "c", "n", value, "mmol/L", Decimal(low) if low else None, Decimal(high) if high else None, "negatief"
    )
    assert observation.flag is flag


# ----------------------------------------------------------------------------- questionnaires
QUESTIONS = [
    Question("stemming", QuestionKind.SCALE, "Hoe voel je je?", True, (), 1, 10),
    Question("slaap", QuestionKind.CHOICE, "Hoe slaap je?", True, ("goed", "slecht")),
    Question("extra", QuestionKind.TEXT, "Nog iets?", False),
]


def test_answers_are_checked_as_far_as_given_and_complete_on_submission() -> None:
    assert check_answers(QUESTIONS, {"stemming": " 7 ", "extra": ""}, complete=False) == {"stemming": "7"}
    with pytest.raises(InvalidArgument) as refused:
        check_answers(QUESTIONS, {"stemming": "11", "slaap": "matig", "onbekend": "x"}, complete=False)
    assert set(refused.value.fields) == {"answers.stemming", "answers.slaap", "answers.onbekend"}
    with pytest.raises(InvalidArgument) as incomplete:
        check_answers(QUESTIONS, {"stemming": "7"}, complete=True)
    assert set(incomplete.value.fields) == {"answers.slaap"}


def test_a_submitted_questionnaire_is_fixed() -> None:
    questionnaire = Questionnaire("q", "p", "org", "Titel", QUESTIONS, NOW, "s", "Kim")
    questionnaire.save({"stemming": "7", "slaap": "goed"}, True, NOW, "p")
    assert questionnaire.submitted_at == NOW
    with pytest.raises(QuestionnaireSubmitted):
        questionnaire.save({"stemming": "1"}, False, NOW, "p")


# ----------------------------------------------------------------------------- consents
def test_a_consent_is_the_latest_decision_or_the_practices_default_with_every_change_kept() -> None:
    items = [ConsentItem("school", "School", "School", False, 1), ConsentItem("gp", "Huisarts", "GP", True, 0)]
    decisions = [
        ConsentDecision("1", "p", "org", "school", True, NOW, "p"),
        ConsentDecision("2", "p", "org", "school", False, NOW + timedelta(minutes=5), "mum"),
    ]
    gp, school = consent_states(items, decisions)
    assert (gp.item.code, gp.granted, gp.decision) == ("gp", True, None)
    assert (school.granted, [d.id for d in school.history]) == (False, ["2", "1"])


def test_consent_items_name_each_bad_one() -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_consent_items(
            [
                ConsentItem("ok", "Goed", "Good", True),
                ConsentItem("ok", "Dubbel", "Twice", False),
                ConsentItem("a b", "", "x", True),
            ]
        )
    assert set(refused.value.fields) == {"items[1].code", "items[2].code", "items[2].label_nl"}


# ----------------------------------------------------------------------------- since, who is told
def test_since_is_the_previous_sessions_last_moment_and_holds_within_a_session() -> None:
    first = next_visit(None, "s1", NOW)
    assert first == Visit("s1", None, NOW)
    same = next_visit(first, "s1", NOW + timedelta(minutes=5))
    assert same.since is None and same.last_seen_at == NOW + timedelta(minutes=5)
    new_login = next_visit(same, "s2", NOW + timedelta(days=1))
    assert new_login.since == NOW + timedelta(minutes=5)
    assert next_visit(new_login, "s2", NOW + timedelta(days=1, hours=1)).since == new_login.since


def test_the_person_and_each_active_delegate_are_told_once() -> None:
    record = ClientRecord("kid", "org", "Jip", "Ouder", None, email="jip@example.org")
    links = [
        DelegateLink("d1", "org", "kid", "mum", "Mama", "mama@example.org", "en", True, NOW),
        DelegateLink("d2", "org", "kid", "dad", "Papa", "papa@example.org", "nl", False, NOW),
        DelegateLink("d3", "org", "kid", "mum", "Mama", "mama@example.org", "en", True, NOW),
        DelegateLink("d4", "org", "kid", "gran", "Oma", "", "nl", True, NOW),
    ]
    recipients = notice_recipients(record, links)
    assert [(r.account_id, r.email, r.language) for r in recipients] == [
        ("kid", "jip@example.org", "nl"),
        ("mum", "mama@example.org", "en"),
    ]
    assert [r.account_id for r in notice_recipients(None, links)] == ["mum"]
