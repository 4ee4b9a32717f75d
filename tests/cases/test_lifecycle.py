"""A case's life: closing with an outcome, a reason and a confirmation; a closed case read-only through
every door (the page, the Wagtail admin, the services, the ORM and raw SQL); reopening as a reasoned,
logged step of a coordinator or the lead counselor."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from accounts.enums import Role
from accounts.roles import role_permissions_sync
from cases import services
from cases.enums import ActionArea, CaseEventKind, CaseOutcome, DataCategory, StepOwner, StepStatus
from cases.models import (
    ActionStep,
    AftercareActivity,
    Case,
    CaseClosedError,
    CaseConference,
    CaseEvent,
    ConferenceParticipant,
    ConsentRecord,
    CtiGoal,
    InformationGiven,
    Need,
    NeedsAssessment,
    Referral,
    RiskAssessment,
    SafetyPlan,
)
from core import dates
from tests.cases.conftest import answers
from tests.cases.pages import answer_risk, check, messages_of

CLOSED = "This case is closed"


def admin_form(page, field):
    """The Wagtail admin page's own form: the one that has `field`."""
    return next(form for form in page.forms.values() if field in form.fields)


# Closing through the page


def test_closing_asks_for_outcome_reason_and_confirmation(django_app, case, counselor):
    page = django_app.get(reverse("cases:case_detail", args=[case.pk]), user=counselor)
    page = page.click(href=reverse("cases:case_close", args=[case.pk]))
    form = page.forms["close-form"]
    refused = form.submit()
    assert refused.status_code == 200
    assert "Confirm that the case becomes read-only." in refused.text
    assert "This field is required." in refused.text
    case.refresh_from_db()
    assert case.closed_on is None

    form = refused.forms["close-form"]
    form["outcome"] = CaseOutcome.REFERRED_ON
    form["reason"] = "Preuzela je savetovalište u drugom gradu."
    form["confirm"] = True
    page = form.submit().follow()
    assert "The case was closed." in messages_of(page)
    case.refresh_from_db()
    assert case.closed_on == dates.today() and case.outcome == CaseOutcome.REFERRED_ON
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CLOSED)
    assert event.reason == "Preuzela je savetovalište u drugom gradu." and event.by == counselor
    assert "Preuzela je savetovalište" in page.text  # in the case's history on its page


def test_a_case_cannot_close_in_the_future_or_before_it_opened(case, counselor):
    for day in (dates.today() + dt.timedelta(days=1), case.opened_on - dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.case_close(case=case, closed_on=day, outcome=CaseOutcome.OTHER, reason="x", by=counselor)
    with pytest.raises(ValidationError):
        services.case_close(case=case, closed_on=dates.today(), outcome=CaseOutcome.OTHER, reason=" ", by=counselor)
    case.refresh_from_db()
    assert case.closed_on is None and not CaseEvent.objects.filter(kind=CaseEventKind.CLOSED).exists()


def test_a_co_worker_cannot_close_and_the_service_says_so(case, make_user, make_profile):
    coworker = make_user(Role.COUNSELOR)
    case.counselors.add(make_profile(coworker))
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, closed_on=dates.today(), outcome=CaseOutcome.OTHER, reason="x", by=coworker)


# A closed case through the page: no form is shown, and a form opened before the closing is refused


def _open_forms(case, counselor, csw):
    """Every creating form of a case: its page, its id, and what to fill in."""
    today = dates.today()
    services.consent_record(
        case=case,
        recipient=csw,
        categories=[DataCategory.RISK],
        purpose="x",
        given_how="written",
        valid_from=today,
        valid_until=today + dt.timedelta(days=9),
        by=counselor,
    )
    services.cti_course_save(case=case, start_on=today, by=counselor)
    conference = services.conference_schedule(case=case, held_at=dates.now(), by=counselor)
    pk = case.pk
    return [
        (reverse("cases:needs", args=[pk]), "needs-form", {}),
        (reverse("cases:risk_create", args=[pk]), "risk-form", "risk"),
        (reverse("cases:safety_plan", args=[pk]), "safety-plan-form", {"warning_signs": "posle zatvaranja"}),
        (
            reverse("cases:action_plan", args=[pk]),
            "step-form",
            {"area": ActionArea.BUDGET, "description": "Budžet", "owner": StepOwner.CLIENT},
        ),
        (reverse("cases:information", args=[pk]), "information-form", {"topics": ["free_legal_aid"]}),
        (
            reverse("cases:consents", args=[pk]),
            "consent-form",
            {
                "recipient": str(csw.pk),
                "categories": ["identity"],
                "purpose": "x",
                "given_how": "oral",
                "valid_until": today.isoformat(),
            },
        ),
        (
            reverse("cases:referrals", args=[pk]),
            "referral-form",
            {"institution": str(csw.pk), "categories": ["risk"], "reason": "Zaštita"},
        ),
        (reverse("cases:aftercare", args=[pk]), "aftercare-form", {"kind": "home_visit", "held_on": today.isoformat()}),
        (reverse("cases:cti", args=[pk]), "goal-form", {"area": "housing", "goal": "Stan"}),
        (reverse("cases:cti", args=[pk]), "review-form", {"review_on": today.isoformat()}),
        (
            reverse("cases:conferences", args=[pk]),
            "conference-form",
            {"held_at": dates.local_time().strftime("%Y-%m-%dT%H:%M")},
        ),
        (
            reverse("cases:conference_detail", args=[conference.pk]),
            "participant-form",
            {"institution": str(csw.pk), "name": "Voditeljka"},
        ),
        (
            reverse("cases:conference_detail", args=[conference.pk]),
            "follow-up-form",
            {"description": "Poseta", "institution": str(csw.pk), "due_on": today.isoformat()},
        ),
    ]


def _rows():
    models = [
        NeedsAssessment,
        RiskAssessment,
        ActionStep,
        InformationGiven,
        ConsentRecord,
        Referral,
        AftercareActivity,
        CtiGoal,
        CaseConference,
        ConferenceParticipant,
    ]
    plan_versions = SafetyPlan.objects.values_list("version", flat=True)
    return [model.objects.count() for model in models] + list(plan_versions)


def test_a_form_opened_before_the_case_closed_saves_nothing(django_app, case, counselor, csw, close):
    forms = []
    for url, form_id, values in _open_forms(case, counselor, csw):
        form = django_app.get(url, user=counselor).forms[form_id]
        if values == "risk":
            answer_risk(form)
        else:
            for name, value in values.items():
                if isinstance(value, list):
                    check(form, name, value)
                else:
                    form[name] = value
        forms.append((form_id, form))
    before = _rows()
    close(case)
    for form_id, form in forms:
        page = form.submit().follow()
        assert CLOSED in messages_of(page), form_id
        assert form_id not in page.forms, form_id
    assert _rows() == before


def test_a_closed_case_shows_no_form_anywhere(django_app, case, counselor, csw, close):
    pages = _open_forms(case, counselor, csw)
    step = services.action_step_add(
        case=case,
        expected_version=0,
        by=counselor,
        area=ActionArea.BUDGET,
        description="Budžet",
        owner=StepOwner.CLIENT,
        owner_institution=None,
        due_on=None,
        status=StepStatus.PLANNED,
    )
    close(case)
    for url, _form_id, _values in pages:
        page = django_app.get(url, user=counselor).maybe_follow()
        # The idle warning's "Stay signed in" is on every page of a signed-in person, not a case form.
        own_forms = [
            key
            for key in page.forms
            if isinstance(key, str) and key.endswith("-form") and key != "session-warning-form"
        ]
        assert own_forms in ([], ["as-of-form"]), url
        assert "This case was closed on" in page.text
    # The pages that are only a form send her back with the reason.
    for url in (
        reverse("cases:risk_create", args=[case.pk]),
        reverse("cases:action_step_edit", args=[case.pk, step.pk]),
    ):
        page = django_app.get(url).follow()
        assert CLOSED in messages_of(page)


# A closed case through the services


def test_every_service_refuses_a_closed_case(case, counselor, csw, close, today):
    course = services.cti_course_save(case=case, start_on=today, by=counselor)
    conference = services.conference_schedule(case=case, held_at=dates.now(), by=counselor)
    consent = services.consent_record(
        case=case,
        recipient=csw,
        categories=[DataCategory.RISK],
        purpose="x",
        given_how="written",
        valid_from=today,
        valid_until=today,
        by=counselor,
    )
    step = services.action_step_add(
        case=case,
        expected_version=0,
        by=counselor,
        area=ActionArea.BUDGET,
        description="Budžet",
        owner=StepOwner.CLIENT,
        owner_institution=None,
        due_on=None,
        status=StepStatus.PLANNED,
    )
    goal = services.cti_goal_add(course=course, phase=1, area="housing", goal="Stan", by=counselor)
    action = services.follow_up_add(conference=conference, description="x", institution=csw, due_on=today, by=counselor)
    close(case)
    case.refresh_from_db()
    attempts = {
        "needs": lambda: services.needs_assessment_record(case=case, assessed_on=today, needs={}, by=counselor),
        "risk": lambda: services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor),
        "safety plan": lambda: services.safety_plan_save(
            case=case, sections={"digital": "x"}, expected_version=0, by=counselor
        ),
        "step": lambda: services.action_step_add(
            case=case, expected_version=1, by=counselor, area=ActionArea.BUDGET, description="x", owner="client"
        ),
        "step change": lambda: services.action_step_change(step=step, expected_version=1, by=counselor, status="done"),
        "step remove": lambda: services.action_step_remove(step=step, expected_version=1, by=counselor),
        "information": lambda: services.information_record(
            case=case, topics=["free_legal_aid"], given_on=today, by=counselor
        ),
        "consent": lambda: services.consent_record(
            case=case,
            recipient=csw,
            categories=["risk"],
            purpose="x",
            given_how="oral",
            valid_from=today,
            valid_until=today,
            by=counselor,
        ),
        "withdrawal": lambda: services.consent_withdraw(
            consent=consent, withdrawn_on=today, reason="Predomislila se.", by=counselor
        ),
        "disclosure": lambda: services.disclosure_record(
            case=case, recipient=csw, categories=["risk"], format="print", by=counselor
        ),
        "referral": lambda: services.referral_send(
            case=case, institution=csw, categories=["risk"], reason="x", sent_on=today, by=counselor
        ),
        "aftercare": lambda: services.aftercare_record(case=case, kind="home_visit", held_on=today, by=counselor),
        "CTI course": lambda: services.cti_course_save(case=case, start_on=today, by=counselor),
        "CTI goal": lambda: services.cti_goal_add(course=course, phase=1, area="housing", goal="x", by=counselor),
        "CTI goal status": lambda: services.cti_goal_status_set(goal=goal, status="achieved", by=counselor),
        "CTI review": lambda: services.cti_review_add(course=course, phase=1, review_on=today, by=counselor),
        "conference": lambda: services.conference_schedule(case=case, held_at=dates.now(), by=counselor),
        "conference change": lambda: services.conference_update(conference=conference, place="x", by=counselor),
        "participant": lambda: services.conference_participant_add(
            conference=conference, institution=csw, name="x", by=counselor
        ),
        "follow-up": lambda: services.follow_up_add(
            conference=conference, description="x", institution=csw, due_on=today, by=counselor
        ),
        "follow-up done": lambda: services.follow_up_mark_done(action=action, done=True, by=counselor),
    }
    before = _rows()
    for name, attempt in attempts.items():
        with pytest.raises(CaseClosedError) as refused:
            attempt()
        assert refused.value.code == "case_closed", name
        assert CLOSED in refused.value.messages[0], name
    assert _rows() == before


# A closed case through the ORM and raw SQL


def test_the_orm_refuses_every_change_of_a_closed_case(case, counselor, csw, close, today):
    assessment = services.needs_assessment_record(case=case, assessed_on=today, needs={}, by=counselor)
    risk = services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    close(case)
    with pytest.raises(CaseClosedError):
        RiskAssessment.objects.create(
            case=case, assessed_on=today, score=0, level="standard", next_due_on=today + dt.timedelta(days=1)
        )
    with pytest.raises(CaseClosedError):
        Need.objects.create(assessment=assessment, area="legal")  # two hops from the case
    risk.notes = "dopisano posle zatvaranja"
    with pytest.raises(CaseClosedError):
        risk.save()
    with pytest.raises(CaseClosedError):
        risk.delete()
    with pytest.raises(CaseClosedError):
        RiskAssessment.objects.filter(case=case).update(score=20)
    with pytest.raises(CaseClosedError):
        Need.objects.filter(assessment__case=case).delete()
    case.outcome = CaseOutcome.OTHER
    with pytest.raises(CaseClosedError):
        case.save()
    case.closed_on = None
    with pytest.raises(CaseClosedError):  # reopening without a recorded reason
        case.save()
    with pytest.raises(CaseClosedError):
        Case.objects.get(pk=case.pk).delete()
    risk.refresh_from_db()
    assert risk.score == 0 and risk.notes == ""
    assert Need.objects.filter(assessment=assessment).count() == len(assessment.needs.all())


def test_retention_may_still_blank_the_free_text_of_a_closed_case(case, counselor, close, today):
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), notes="beleška", by=counselor)
    close(case)
    assert RiskAssessment.objects.filter(case=case).update(notes="") == 1
    assert Case.objects.filter(pk=case.pk).update(closure_reason="") == 1


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_raw_inserts_and_updates_of_a_closed_case(
    case, counselor, make_user, make_profile, close, today
):
    risk = services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), notes="n", by=counselor)
    close(case)
    refused = (IntegrityError, DatabaseError)
    with pytest.raises(refused):
        _raw(
            "INSERT INTO cases_aftercareactivity (case_id, kind, held_on, notes) VALUES (%s, %s, %s, %s)",
            [case.pk, "home_visit", today, ""],
        )
    with pytest.raises(refused):
        _raw("UPDATE cases_riskassessment SET score = 30 WHERE id = %s", [risk.pk])
    with pytest.raises(refused):  # a two-hop record: an answer of the assessment
        _raw("UPDATE cases_riskanswer SET question = 'x' WHERE assessment_id = %s", [risk.pk])
    with pytest.raises(refused):
        _raw("UPDATE cases_case SET outcome = 'other' WHERE id = %s", [case.pk])
    with pytest.raises(refused):
        _raw("UPDATE cases_case SET closed_on = NULL WHERE id = %s", [case.pk])
    coworker = make_profile(make_user(Role.COUNSELOR))
    with pytest.raises(refused), transaction.atomic():  # no co-worker joins a closed case
        case.counselors.add(coworker)
    _raw("UPDATE cases_riskassessment SET notes = '' WHERE id = %s", [risk.pk])  # blanking stays possible
    risk.refresh_from_db()
    assert risk.score == 0 and risk.notes == ""
    case.refresh_from_db()
    assert case.closed_on is not None and case.outcome == CaseOutcome.GOALS_MET


def test_deleting_a_staff_account_still_empties_her_links_on_a_closed_case(case, make_user, close, today):
    coordinator = make_user(Role.COORDINATOR)
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=coordinator)
    close(case, by=coordinator)
    coordinator.delete()
    assert RiskAssessment.objects.get(case=case).assessed_by is None


# Reopening


def test_the_lead_counselor_reopens_with_a_reason(django_app, case, counselor, close):
    close(case)
    page = django_app.get(reverse("cases:case_detail", args=[case.pk]), user=counselor)
    page = page.click(href=reverse("cases:case_reopen", args=[case.pk]))
    refused = page.forms["reopen-form"].submit()
    assert "This field is required." in refused.text
    form = refused.forms["reopen-form"]
    form["reason"] = "Nova prijava nasilja."
    page = form.submit().follow()
    assert "The case was reopened." in messages_of(page)
    case.refresh_from_db()
    assert case.closed_on is None and case.outcome == ""
    kinds = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    assert kinds == [CaseEventKind.OPENED, CaseEventKind.CLOSED, CaseEventKind.REOPENED]
    assert CaseEvent.objects.get(kind=CaseEventKind.REOPENED).reason == "Nova prijava nasilja."
    assert "risk-form" in django_app.get(reverse("cases:risk_create", args=[case.pk])).forms


def test_a_coordinator_reopens_and_a_co_worker_may_not(client_for, case, coordinator, make_user, make_profile, close):
    coworker = make_user(Role.COUNSELOR)
    case.counselors.add(make_profile(coworker))
    close(case)
    assert client_for(coworker).get(reverse("cases:case_reopen", args=[case.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.case_reopen(case=case, reason="x", by=coworker)
    services.case_reopen(case=case, reason="Sud je naložio nastavak.", by=coordinator)
    case.refresh_from_db()
    assert case.closed_on is None


def test_an_open_case_is_not_reopened(case, coordinator):
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, reason="x", by=coordinator)
    assert not CaseEvent.objects.filter(kind=CaseEventKind.REOPENED).exists()


# The Wagtail admin: a coordinator's handover of a closed case is refused by the same service


def test_the_admin_handover_of_a_closed_case_is_refused(django_app, case, coordinator, make_user, make_profile, close):
    role_permissions_sync()
    other = make_profile(make_user(Role.COUNSELOR))
    page = django_app.get(reverse("case_admin:edit", args=[case.pk]), user=coordinator)
    form = admin_form(page, "lead_counselor")
    form["lead_counselor"] = str(other.pk)
    form["reason"] = "Odlazi na bolovanje."
    close(case)
    refused = form.submit()
    assert refused.status_code == 200
    assert CLOSED in refused.text
    case.refresh_from_db()
    assert case.lead_counselor.user == case.created_by
    assert not CaseEvent.objects.filter(kind=CaseEventKind.REASSIGNED).exists()
