import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cases import selectors, services
from cases.enums import (
    ActionArea,
    ConsentForm,
    DataCategory,
    DisclosureFormat,
    RiskLevel,
    StepOwner,
    StepStatus,
)
from cases.models import (
    ActionStepChange,
    CtiCourse,
    Disclosure,
    Referral,
    RiskAnswer,
    RiskAssessment,
    RiskSettings,
    SafetyPlanVersion,
)
from core import dates
from counseling.enums import SessionKind
from counseling.models import Booking
from tests.cases.conftest import HIGH_YES, answers

# Cases and sessions


def test_case_sessions_are_her_bookings_between_open_and_close(case, make_profile, counselor, today, close):
    profile = make_profile(counselor)

    def book(days):
        start = dates.now() + dt.timedelta(days=days)
        return Booking.objects.create(
            counselor=profile,
            client=case.client,
            start=start,
            end=start + dt.timedelta(hours=1),
            kind=SessionKind.CASE_BASED,
        )

    before = book(-40)  # the case opened 30 days ago
    inside = book(-5)
    close(case, closed_on=today - dt.timedelta(days=1))
    case.refresh_from_db()
    after = book(2)
    sessions = list(selectors.case_sessions(case=case))
    assert inside in sessions
    assert before not in sessions and after not in sessions


def test_second_open_case_for_the_same_client_is_refused(case, counselor, today):
    with pytest.raises(ValidationError):
        services.case_open(client=case.client, lead_counselor=case.lead_counselor, opened_on=today, by=counselor)


def test_case_cannot_close_before_it_opened(case, close):
    with pytest.raises(ValidationError):
        close(case, closed_on=case.opened_on - dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.closed_on is None


# Risk


@pytest.mark.parametrize(
    ("yes", "level"),
    [((), RiskLevel.STANDARD), (HIGH_YES[:10], RiskLevel.MEDIUM), (HIGH_YES, RiskLevel.HIGH)],
)
def test_risk_level_follows_the_score(case, counselor, yes, level, today):
    assessment = services.risk_assessment_record(case=case, assessed_on=today, answers=answers(yes), by=counselor)
    assert assessment.level == level
    assert assessment.score == selectors.risk_score(answers(yes))
    assert assessment.answers.count() == len(answers())


def test_weighted_questions_count_twice(case, counselor, today):
    assessment = services.risk_assessment_record(
        case=case, assessed_on=today, answers=answers(["strangled", "frightened"]), by=counselor
    )
    assert assessment.score == 3


def test_next_assessment_due_after_eight_weeks_by_default(case, counselor, today):
    assessment = services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    assert assessment.next_due_on == today + dt.timedelta(weeks=8)


def test_interval_from_settings_and_per_case(case, counselor, today):
    settings = RiskSettings.load()
    settings.review_weeks = 6
    settings.save()
    first = services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    assert first.next_due_on == today + dt.timedelta(weeks=6)
    case.risk_review_weeks = 2
    case.save()
    second = services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    assert second.next_due_on == today + dt.timedelta(weeks=2)


def test_incomplete_questionnaire_saves_nothing(case, counselor, today):
    partial = answers()
    partial.pop("weapon")
    with pytest.raises(ValidationError):
        services.risk_assessment_record(case=case, assessed_on=today, answers=partial, by=counselor)
    assert not RiskAssessment.objects.exists()
    assert not RiskAnswer.objects.exists()


def test_high_risk_proposes_a_conference_until_one_is_planned(case, counselor, today):
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(HIGH_YES), by=counselor)
    assert selectors.conference_proposed(case=case)
    services.conference_schedule(case=case, held_at=dates.now() + dt.timedelta(days=3), by=counselor)
    assert not selectors.conference_proposed(case=case)


# Safety plan


def test_safety_plan_keeps_every_version_and_shows_it_as_on_a_date(case, counselor, today, clock):
    clock(today - dt.timedelta(days=10))
    plan = services.safety_plan_save(
        case=case, sections={"warning_signs": "prva verzija"}, expected_version=0, by=counselor
    )
    clock(today)
    services.safety_plan_save(case=case, sections={"warning_signs": "druga verzija"}, expected_version=1, by=counselor)
    assert SafetyPlanVersion.objects.filter(plan=plan).count() == 2
    version, sections = selectors.safety_plan_as_of(plan=plan, day=today - dt.timedelta(days=5))
    assert version.version == 1
    assert {name: text for name, _label, text in sections}["warning_signs"] == "prva verzija"
    version, sections = selectors.safety_plan_as_of(plan=plan, day=today)
    assert version.version == 2
    assert selectors.safety_plan_as_of(plan=plan, day=today - dt.timedelta(days=20)) == (None, [])


def test_safety_plan_stale_version_is_refused(case, counselor, coordinator):
    services.safety_plan_save(case=case, sections={"digital": "nova šifra"}, expected_version=0, by=counselor)
    with pytest.raises(ValidationError) as error:
        services.safety_plan_save(case=case, sections={"digital": "druga"}, expected_version=0, by=coordinator)
    assert error.value.code == "stale"
    case.safety_plan.refresh_from_db()
    assert case.safety_plan.digital == "nova šifra"
    assert case.safety_plan.version == 1


def test_safety_plan_text_is_encrypted_at_rest(case, counselor):
    from django.db import connection

    services.safety_plan_save(case=case, sections={"trusted_people": "Sestra Marija"}, expected_version=0, by=counselor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT trusted_people FROM cases_safetyplan WHERE case_id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "Marija" not in stored


# Action plan


def _step(case, version, by, **fields):
    today = dates.today()
    defaults = {
        "area": ActionArea.SUBSIDIES,
        "description": "Zahtev za socijalnu pomoć",
        "owner": StepOwner.CLIENT,
        "owner_institution": None,
        "due_on": today + dt.timedelta(days=10),
        "status": StepStatus.PLANNED,
    }
    return services.action_step_add(case=case, expected_version=version, by=by, **{**defaults, **fields})


def test_action_plan_history_and_as_on_date(case, counselor, today, clock):
    clock(today - dt.timedelta(days=10))
    step = _step(case, 0, counselor)
    clock(today)
    services.action_step_change(
        step=step, expected_version=1, by=counselor, **{"status": StepStatus.DONE, "description": step.description}
    )
    other = _step(case, 2, counselor, description="Upis u vrtić", area=ActionArea.NURSERY_SCHOOL)
    services.action_step_remove(step=other, expected_version=3, by=counselor)

    earlier = selectors.action_plan_as_of(plan=case.action_plan, day=today - dt.timedelta(days=5))
    assert [(row["id"], row["status"]) for row in earlier] == [(step.pk, StepStatus.PLANNED)]
    now = selectors.action_plan_as_of(plan=case.action_plan, day=today)
    assert [(row["id"], row["status"]) for row in now] == [(step.pk, StepStatus.DONE)]
    history = list(selectors.action_plan_history(plan=case.action_plan))
    assert [change.kind for change in history] == ["removed", "added", "changed", "added"]
    assert history[0].changed_by == counselor


def test_action_plan_stale_version_is_refused_and_nothing_saved(case, counselor):
    _step(case, 0, counselor)
    with pytest.raises(ValidationError) as error:
        _step(case, 0, counselor, description="Drugi korak")
    assert error.value.code == "stale"
    assert case.action_plan.steps.count() == 1
    assert ActionStepChange.objects.count() == 1


def test_step_for_another_body_needs_the_body(case, counselor, csw):
    with pytest.raises(ValidationError):
        _step(case, 0, counselor, owner=StepOwner.OTHER_BODY)
    assert case.action_plan.steps.count() == 0
    step = _step(case, 0, counselor, owner=StepOwner.OTHER_BODY, owner_institution=csw)
    assert step.owner_institution == csw


# Consent gate


def _consent(case, recipient, by, **kwargs):
    today = dates.today()
    defaults = {
        "categories": [DataCategory.IDENTITY, DataCategory.RISK],
        "purpose": "Zaštita dece",
        "given_how": ConsentForm.WRITTEN,
        "valid_from": today - dt.timedelta(days=10),
        "valid_until": today + dt.timedelta(days=10),
    }
    return services.consent_record(case=case, recipient=recipient, by=by, **{**defaults, **kwargs})


def test_consent_covers_recipient_and_categories(case, counselor, csw):
    consent = _consent(case, csw, counselor)
    assert selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.RISK]) == consent
    assert (
        selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.IDENTITY, DataCategory.RISK])
        == consent
    )


def test_expired_consent_does_not_cover(case, counselor, csw, today):
    _consent(case, csw, counselor, valid_from=today - dt.timedelta(days=30), valid_until=today - dt.timedelta(days=1))
    assert selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.RISK]) is None


def test_consent_not_yet_valid_does_not_cover(case, counselor, csw, today):
    _consent(case, csw, counselor, valid_from=today + dt.timedelta(days=1), valid_until=today + dt.timedelta(days=9))
    assert selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.RISK]) is None


def test_consent_valid_on_its_last_day(case, counselor, csw, today):
    consent = _consent(case, csw, counselor, valid_until=today)
    assert selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.RISK]) == consent


def test_withdrawn_consent_does_not_cover(case, counselor, csw, today):
    consent = _consent(case, csw, counselor)
    services.consent_withdraw(consent=consent, withdrawn_on=today, reason="Ne želi više.", by=counselor)
    assert selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.RISK]) is None


def test_consent_for_another_recipient_does_not_cover(case, counselor, csw, police):
    _consent(case, csw, counselor)
    assert selectors.consent_covering(case=case, recipient=police, categories=[DataCategory.RISK]) is None


def test_missing_category_is_not_covered(case, counselor, csw):
    _consent(case, csw, counselor)
    assert (
        selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.RISK, DataCategory.SAFETY_PLAN])
        is None
    )


def test_consent_of_another_case_does_not_cover(case, make_case, counselor, csw):
    other = make_case(counselor)
    _consent(other, csw, counselor)
    assert selectors.consent_covering(case=case, recipient=csw, categories=[DataCategory.RISK]) is None


def test_consent_dates_and_purpose_are_checked(case, counselor, csw, today):
    with pytest.raises(ValidationError):
        _consent(case, csw, counselor, valid_until=today - dt.timedelta(days=20))
    with pytest.raises(ValidationError):
        _consent(case, csw, counselor, categories=[])
    with pytest.raises(ValidationError):
        _consent(case, csw, counselor, purpose="  ")
    assert not case.consents.exists()


def test_disclosure_without_consent_is_refused_and_not_logged(case, counselor, csw):
    with pytest.raises(ValidationError) as error:
        services.disclosure_record(
            case=case, recipient=csw, categories=[DataCategory.RISK], format=DisclosureFormat.PRINT, by=counselor
        )
    assert error.value.code == "no_consent"
    assert not Disclosure.objects.exists()


def test_counselor_cannot_override(case, counselor, csw):
    with pytest.raises(ValidationError) as error:
        services.disclosure_record(
            case=case,
            recipient=csw,
            categories=[DataCategory.RISK],
            format=DisclosureFormat.PRINT,
            override_reason="Zakon o sprečavanju nasilja u porodici",
            by=counselor,
        )
    assert error.value.code == "override_not_allowed"
    assert not Disclosure.objects.exists()


def test_coordinator_override_needs_a_reason_and_is_logged(case, coordinator, csw):
    with pytest.raises(ValidationError):
        services.disclosure_record(
            case=case, recipient=csw, categories=[DataCategory.RISK], format=DisclosureFormat.PRINT, by=coordinator
        )
    disclosure = services.disclosure_record(
        case=case,
        recipient=csw,
        categories=[DataCategory.RISK],
        format=DisclosureFormat.PRINT,
        override_reason="Obaveza prijave ugroženosti deteta",
        by=coordinator,
    )
    assert disclosure.consent is None
    assert disclosure.override_reason == "Obaveza prijave ugroženosti deteta"


def test_disclosure_with_consent_is_logged_with_its_consent(case, counselor, csw):
    consent = _consent(case, csw, counselor)
    disclosure = services.disclosure_record(
        case=case, recipient=csw, categories=[DataCategory.RISK], format=DisclosureFormat.PDF, by=counselor
    )
    assert disclosure.consent == consent
    assert disclosure.disclosed_by == counselor


def test_referral_uses_the_same_gate(case, counselor, csw, today):
    with pytest.raises(ValidationError):
        services.referral_send(
            case=case, institution=csw, categories=[DataCategory.RISK], reason="Zaštita", sent_on=today, by=counselor
        )
    assert not Referral.objects.exists()
    assert not Disclosure.objects.exists()
    _consent(case, csw, counselor)
    referral = services.referral_send(
        case=case, institution=csw, categories=[DataCategory.RISK], reason="Zaštita", sent_on=today, by=counselor
    )
    assert referral.disclosures.get().format == DisclosureFormat.REFERRAL


# CTI


def test_cti_may_start_before_she_moves_out(case, counselor, today):
    course = services.cti_course_save(
        case=case,
        start_on=today,
        moved_out_on=today + dt.timedelta(days=20),
        moved_in_on=today + dt.timedelta(days=100),
        by=counselor,
    )
    assert course.reviews.count() == 3


def test_cti_window_six_months_after_moving_in(case, counselor, today):
    start = today
    moved_in = selectors.add_months(start, 2)  # ends 7 months after moving in
    with pytest.raises(ValidationError) as error:
        services.cti_course_save(case=case, start_on=start, moved_in_on=moved_in, by=counselor)
    assert error.value.error_dict["extension_reason"][0].code == "extension_reason_required"
    assert not CtiCourse.objects.exists()
    course = services.cti_course_save(
        case=case, start_on=start, moved_in_on=moved_in, extension_reason="Čeka stan", by=counselor
    )
    assert course.extension_reason == "Čeka stan"


def test_cti_exactly_six_months_after_moving_in_needs_no_reason(case, counselor, today):
    start = today
    services.cti_course_save(case=case, start_on=start, moved_in_on=selectors.add_months(start, 3), by=counselor)


def test_cti_never_more_than_twelve_months_after_moving_in(case, counselor, today):
    start = today
    with pytest.raises(ValidationError) as error:
        services.cti_course_save(
            case=case,
            start_on=start,
            moved_in_on=selectors.add_months(start, -4),
            extension_reason="razlog",
            by=counselor,
        )
    assert error.value.error_dict["start_on"][0].code == "window_exceeded"
    assert not CtiCourse.objects.exists()


def test_cti_phases_and_dashboard(make_case, counselor, today):
    in_phase_2 = make_case(counselor)
    services.cti_course_save(case=in_phase_2, start_on=selectors.add_months(today, -4), by=counselor)
    changing_soon = make_case(counselor)
    # Phase 2 starts in five days.
    services.cti_course_save(
        case=changing_soon, start_on=selectors.add_months(today + dt.timedelta(days=5), -3), by=counselor
    )
    finished = make_case(counselor)
    services.cti_course_save(case=finished, start_on=selectors.add_months(today, -10), by=counselor)

    dashboard = selectors.cti_dashboard(user=counselor, today=today)
    assert [c.case for c in dashboard.by_phase[2]] == [in_phase_2]
    assert [c.case for c in dashboard.by_phase[1]] == [changing_soon]
    assert all(c.case != finished for phase in dashboard.by_phase.values() for c in phase)
    assert [(row["course"].case, row["phase"]) for row in dashboard.due_soon] == [(changing_soon, 2)]

    timeline = selectors.cti_timeline(in_phase_2.cti_course, today=today)
    assert timeline.current_phase == 2
    assert [phase.current for phase in timeline.phases] == [False, True, False]


AWKWARD_DAYS = [
    dt.date(2028, 2, 29),
    dt.date(2027, 2, 28),
    dt.date(2026, 3, 31),
    dt.date(2026, 5, 31),
    dt.date(2026, 8, 31),
    dt.date(2026, 11, 30),
    dt.date(2026, 12, 31),
    dt.date(2026, 1, 15),
    dt.date(2026, 3, 29),  # the clocks change in Europe that night
]


@pytest.mark.parametrize("today", AWKWARD_DAYS)
def test_the_dashboards_phase_bounds_and_due_dates_agree_with_the_courses_own_dates(today):
    """The database counts, orders and picks courses by start date ranges worked out once per request; they
    must say what cti_current_phase and cti_phase_start say of each course, also at month ends."""
    bounds = selectors.cti_phase_bounds(today)
    horizon = today + dt.timedelta(days=selectors.DASHBOARD_HORIZON_DAYS)
    changes = selectors.cti_changes_between(today, horizon)
    for offset in range(-20, 300):
        course = CtiCourse(start_on=today - dt.timedelta(days=offset))
        by_bounds = next(
            (n for n in range(1, selectors.CTI_PHASES + 1) if bounds[n] < course.start_on <= bounds[n - 1]), None
        )
        assert by_bounds == selectors.cti_current_phase(course, today), course.start_on
        due = [
            (selectors.cti_phase_start(course, number), number)
            for number in range(1, selectors.CTI_PHASES + 2)
            if today <= selectors.cti_phase_start(course, number) <= horizon
        ]
        assert changes.get(course.start_on) == (due[0] if due else None), course.start_on
        assert len(due) <= 1


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert selectors.add_months(day, months) == expected
