"""The case pages as people use them: every form is filled and sent as the page rendered it (WebTest)."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.enums import Role
from audit.models import AuditEntry
from cases import selectors, services
from cases.enums import ActionArea, DataCategory, RiskLevel, StepOwner, StepStatus
from cases.models import (
    ActionStep,
    CaseConference,
    ConsentRecord,
    CtiCourse,
    Disclosure,
    InformationGiven,
    NeedsAssessment,
    Referral,
    RiskAssessment,
)
from core import dates
from tests.cases.conftest import HIGH_YES, answers
from tests.cases.pages import answer_risk, check, errors_of, messages_of
from tests.helpers import queries_of


@pytest.fixture
def full_case(case, counselor, csw, today):
    """A case with one of everything, so that every URL has an object to show."""
    step = services.action_step_add(
        case=case,
        expected_version=0,
        by=counselor,
        area=ActionArea.SUBSIDIES,
        description="Zahtev",
        owner=StepOwner.CLIENT,
        owner_institution=None,
        due_on=today,
        status=StepStatus.PLANNED,
    )
    consent = services.consent_record(
        case=case,
        recipient=csw,
        categories=[DataCategory.RISK, DataCategory.IDENTITY],
        purpose="Zaštita",
        given_how="written",
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        by=counselor,
    )
    referral = services.referral_send(
        case=case, institution=csw, categories=[DataCategory.RISK], reason="Zaštita", sent_on=today, by=counselor
    )
    course = services.cti_course_save(case=case, start_on=today, by=counselor)
    goal = services.cti_goal_add(course=course, phase=1, area="housing", goal="Stan", by=counselor)
    conference = services.conference_schedule(case=case, held_at=dates.now(), by=counselor)
    action = services.follow_up_add(
        conference=conference, description="Provera", institution=csw, due_on=today, by=counselor
    )
    return {
        "case": case,
        "step": step,
        "consent": consent,
        "referral": referral,
        "goal": goal,
        "conference": conference,
        "action": action,
    }


def case_urls(objects):
    today = dates.today()
    pk = objects["case"].pk
    conference = objects["conference"].pk
    return [
        ("get", reverse("cases:case_detail", args=[pk])),
        ("get", reverse("cases:case_close", args=[pk])),
        ("post", reverse("cases:case_close", args=[pk])),
        ("get", reverse("cases:needs", args=[pk])),
        ("get", reverse("cases:risk_list", args=[pk])),
        ("get", reverse("cases:risk_create", args=[pk])),
        ("get", reverse("cases:safety_plan", args=[pk])),
        ("get", reverse("cases:safety_plan", args=[pk]) + f"?on={today.isoformat()}"),
        ("get", reverse("cases:action_plan", args=[pk])),
        ("get", reverse("cases:action_plan", args=[pk]) + f"?on={today.isoformat()}"),
        ("get", reverse("cases:action_plan_history", args=[pk])),
        ("get", reverse("cases:action_step_edit", args=[pk, objects["step"].pk])),
        ("post", reverse("cases:action_step_remove", args=[pk, objects["step"].pk])),
        ("get", reverse("cases:information", args=[pk])),
        ("get", reverse("cases:consents", args=[pk])),
        ("get", reverse("cases:consent_withdraw", args=[pk, objects["consent"].pk])),
        ("post", reverse("cases:consent_withdraw", args=[pk, objects["consent"].pk])),
        ("get", reverse("cases:disclosures", args=[pk])),
        ("post", reverse("cases:disclosures", args=[pk])),
        ("get", reverse("cases:referrals", args=[pk])),
        ("get", reverse("cases:referral_detail", args=[pk, objects["referral"].pk])),
        ("get", reverse("cases:aftercare", args=[pk])),
        ("get", reverse("cases:cti", args=[pk])),
        ("post", reverse("cases:cti_goal_add", args=[pk])),
        ("post", reverse("cases:cti_goal_status", args=[pk, objects["goal"].pk])),
        ("post", reverse("cases:cti_review_add", args=[pk])),
        ("get", reverse("cases:conferences", args=[pk])),
        ("get", reverse("cases:conference_detail", args=[conference])),
        ("post", reverse("cases:conference_participant_add", args=[conference])),
        ("post", reverse("cases:conference_follow_up_add", args=[conference])),
        ("post", reverse("cases:conference_follow_up_done", args=[conference, objects["action"].pk])),
        ("get", reverse("cases:conference_minutes", args=[conference])),
    ]


# Who sees what


def test_every_case_url_is_404_for_an_outsider_counselor(client_for, outsider, make_case, full_case):
    make_case(outsider)  # she has cases, just not this one
    client = client_for(outsider)
    for method, url in case_urls(full_case):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
    assert not Disclosure.objects.filter(disclosed_by=outsider).exists()
    assert ActionStep.objects.filter(removed_at__isnull=True).count() == 1


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.TRAINER, Role.TRAINEE, Role.PROJECT_MANAGER])
def test_other_roles_see_no_case_pages(client_for, make_user, full_case, role):
    client = client_for(make_user(role))
    assert client.get(reverse("cases:case_list")).status_code == 404
    assert client.get(reverse("cases:cti_dashboard")).status_code == 404
    for method, url in case_urls(full_case)[:4]:
        assert getattr(client, method)(url).status_code == 404


def test_anonymous_is_sent_to_login(client, full_case):
    response = client.get(reverse("cases:case_detail", args=[full_case["case"].pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_case_and_coordinator_see_every_get_url(client_for, counselor, coordinator, make_user, make_profile, full_case):
    other = make_user(Role.COUNSELOR)
    full_case["case"].counselors.add(make_profile(other))
    for user in (counselor, other, coordinator):
        client = client_for(user)
        for method, url in case_urls(full_case):
            if method == "get" and "/close/" not in url:
                assert client.get(url).status_code == 200, (user, url)


def test_only_the_lead_counselor_and_coordinators_close(
    client_for, counselor, coordinator, make_user, make_profile, case
):
    coworker = make_user(Role.COUNSELOR)
    case.counselors.add(make_profile(coworker))
    url = reverse("cases:case_close", args=[case.pk])
    assert client_for(counselor).get(url).status_code == 200
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(coworker).get(url).status_code == 404


def test_invited_staff_sees_the_conference_but_not_the_case(django_app, make_user, full_case):
    facilitator = make_user(Role.FACILITATOR)
    conference = full_case["conference"]
    conference.invited_staff.add(facilitator)
    page = django_app.get(reverse("cases:conference_detail", args=[conference.pk]), user=facilitator)
    assert "participant-form" not in page.forms  # she may read, not change
    django_app.get(reverse("cases:conference_minutes", args=[conference.pk]), user=facilitator)
    django_app.get(reverse("cases:case_detail", args=[full_case["case"].pk]), user=facilitator, status=404)


def test_case_list_scoped_to_her_cases(client_for, counselor, outsider, make_case, coordinator):
    mine = make_case(counselor)
    theirs = make_case(outsider)
    response = client_for(counselor).get(reverse("cases:case_list"))
    assert mine.client.code.encode() in response.content
    assert theirs.client.code.encode() not in response.content
    response = client_for(coordinator).get(reverse("cases:case_list"))
    assert mine.client.code.encode() in response.content and theirs.client.code.encode() in response.content


def test_case_list_shows_the_latest_risk_and_reads_no_secret(client_for, counselor, make_case, clock):
    """Her latest assessment's level (not an older one's), overdue when its day has passed; neither the
    client's safe-contact details nor an assessment's reasons are read for the list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from counseling.models import Client

    clock(dt.date(2026, 1, 31))
    case = make_case(counselor, opened_on=dt.date(2026, 1, 2))
    services.risk_assessment_record(case=case, assessed_on=dt.date(2026, 1, 5), answers=answers(HIGH_YES), by=counselor)
    services.risk_assessment_record(
        case=case, assessed_on=dt.date(2026, 1, 6), answers=answers(), by=counselor, next_due_on=dt.date(2026, 1, 20)
    )
    with CaptureQueriesContext(connection) as queries:
        text = client_for(counselor).get(reverse("cases:case_list")).content.decode()
    low, high = (RiskLevel(a.level) for a in case.risk_assessments.order_by("-assessed_on"))
    assert low != high
    assert f'<span class="badge risk-{low.value}">{low.label}</span>' in text
    assert f"risk-{high.value}" not in text
    assert "Reassessment overdue" in text  # due on 20 January
    secrets = ['"cases_riskassessment"."judgement_reason"', '"cases_riskassessment"."notes"'] + [
        f'"counseling_client"."{field.column}"'
        for field in Client._meta.fields
        if type(field).__name__ == "EncryptedTextField"
    ]
    for query in queries.captured_queries:
        assert not any(secret in query["sql"] for secret in secrets), query["sql"]


def test_views_are_audited(client_for, case, counselor):
    client_for(counselor).get(reverse("cases:safety_plan", args=[case.pk]))
    entry = AuditEntry.objects.filter(actor=counselor, action="view").first()
    assert entry is not None
    assert case.client.alias not in entry.detail


# Query counts at two sizes


@pytest.mark.parametrize("count", [5, 40])
def test_case_list_query_count_is_constant(
    client_for, counselor, make_case, django_assert_max_num_queries, count, today
):
    for _ in range(count):
        case = make_case(counselor)
        services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    client = client_for(counselor)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    assert len(response.context["cases"]) == count
    assert AuditEntry.objects.filter(action="view", detail="case list").exists()
    text = response.content.decode()
    assert text.count(f">{RiskLevel(case.risk_assessments.get().level).label}</span>") == count
    assert text.count("<td>Open</td>") == count
    assert f'href="{reverse("cases:case_detail", args=[case.pk])}"' in text


@pytest.mark.parametrize("count", [5, 40])
def test_action_plan_query_count_is_constant(
    client_for, case, counselor, csw, django_assert_max_num_queries, count, today
):
    for index in range(count):
        services.action_step_add(
            case=case,
            expected_version=index,
            by=counselor,
            area=ActionArea.EMPLOYMENT,
            description=f"Korak {index}",
            owner=StepOwner.OTHER_BODY,
            owner_institution=csw,
            due_on=today,
            status=StepStatus.PLANNED,
        )
    client = client_for(counselor)
    url = reverse("cases:action_plan", args=[case.pk])
    with django_assert_max_num_queries(18):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("cases:action_plan_history", args=[case.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(url + f"?on={today.isoformat()}").status_code == 200


@pytest.mark.parametrize("count", [5, 40])
def test_case_detail_query_count_is_constant(
    client_for, case, counselor, make_profile, django_assert_max_num_queries, count, today
):
    from counseling.models import Booking

    profile = make_profile(counselor)
    for index in range(count):
        start = dates.now() - dt.timedelta(days=20, hours=-index * 3)
        Booking.objects.create(
            counselor=profile, client=case.client, start=start, end=start + dt.timedelta(hours=1), kind="case_based"
        )
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    client = client_for(counselor)
    with django_assert_max_num_queries(24):
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert len(response.context["sessions"]) == count


def test_case_detail_asks_as_often_for_a_high_risk_case(client_for, case, counselor, today):
    """Whether a conference was planned since the latest assessment comes with that assessment, in one query."""
    client = client_for(counselor)
    url = reverse("cases:case_detail", args=[case.pk])
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    standard = queries_of(client, url)
    assert "propose a multi-agency case conference" not in client.get(url).content.decode()

    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(HIGH_YES), by=counselor)
    assert queries_of(client, url) == standard
    assert "propose a multi-agency case conference" in client.get(url).content.decode()

    services.conference_schedule(case=case, held_at=dates.now() + dt.timedelta(days=3), by=counselor)
    assert queries_of(client, url) == standard
    assert "propose a multi-agency case conference" not in client.get(url).content.decode()


# Opening a case


def test_open_a_case_through_the_form(django_app, counselor, make_profile):
    from counseling.models import Client

    profile = make_profile(counselor)
    her = Client.objects.create(alias="Milena", code="T-9001")
    her.counselors.add(profile)
    page = django_app.get(reverse("cases:case_create"), user=counselor)
    form = page.forms["case-form"]
    form["client"] = str(her.pk)
    response = form.submit().follow()
    case = her.cases.get()
    assert response.request.path == reverse("cases:case_detail", args=[case.pk])
    assert "The case was opened." in messages_of(response)
    assert AuditEntry.objects.filter(action="create", object_id=str(case.pk)).exists()
    assert case.lead_counselor == profile  # she is offered as the lead counselor


def test_counselor_is_not_offered_someone_elses_client(django_app, counselor, make_profile):
    from counseling.models import Client

    make_profile(counselor)
    foreign = Client.objects.create(alias="Tuđa", code="T-9002")
    form = django_app.get(reverse("cases:case_create"), user=counselor).forms["case-form"]
    assert str(foreign.pk) not in [value for value, _selected, _label in form["client"].options]


# Risk


def test_risk_assessment_through_the_form_and_conference_prompt(django_app, case, counselor):
    page = django_app.get(reverse("cases:risk_create", args=[case.pk]), user=counselor)
    form = page.forms["risk-form"]
    answer_risk(form, HIGH_YES)
    page = form.submit().follow()
    assert "Risk assessment saved" in messages_of(page)
    assert RiskAssessment.objects.get(case=case).level == "high"
    detail = django_app.get(reverse("cases:case_detail", args=[case.pk]), user=counselor)
    assert "Propose a case conference" in detail.text


def test_unanswered_risk_question_saves_nothing(django_app, case, counselor):
    form = django_app.get(reverse("cases:risk_create", args=[case.pk]), user=counselor).forms["risk-form"]
    answer_risk(form, skip=["weapon"])
    page = form.submit()
    assert page.status_code == 200
    assert "Answer this question." in page.text
    assert not RiskAssessment.objects.exists()


# Needs: the form as rendered carries its one-time token and saves


def test_needs_assessment_through_the_form(django_app, case, counselor):
    form = django_app.get(reverse("cases:needs", args=[case.pk]), user=counselor).forms["needs-form"]
    assert form["form_token"].value  # the template renders the token: without it nothing could be saved
    form["level_child_protection"] = "urgent"
    form["level_housing"] = "some"
    form["notes_housing"] = "bilješka o stanu"
    page = form.submit().follow()
    assert "The needs assessment was saved." in messages_of(page)
    assessment = NeedsAssessment.objects.get(case=case)
    assert assessment.needs.get(area="child_protection").level == "urgent"
    assert assessment.needs.get(area="housing").notes == "bilješka o stanu"


# Plans


def test_safety_plan_form_with_stale_version_shows_a_message(django_app, second_browser, case, counselor, coordinator):
    url = reverse("cases:safety_plan", args=[case.pk])
    hers = django_app.get(url, user=counselor).forms["safety-plan-form"]
    theirs = second_browser.get(url, user=coordinator).forms["safety-plan-form"]
    hers["warning_signs"] = "poruke noću"
    assert hers.submit().status_code == 302
    theirs["warning_signs"] = "drugačije"
    refused = theirs.submit()
    assert refused.status_code == 200
    assert "Someone else changed this plan" in refused.text
    case.safety_plan.refresh_from_db()
    assert case.safety_plan.warning_signs == "poruke noću"


def test_action_step_add_change_remove_through_the_forms(django_app, case, counselor, csw, today):
    url = reverse("cases:action_plan", args=[case.pk])
    form = django_app.get(url, user=counselor).forms["step-form"]
    form["area"] = ActionArea.COURT_CUSTODY
    form["description"] = "Tužba za starateljstvo"
    form["owner"] = StepOwner.OTHER_BODY
    form["due_on"] = today.isoformat()
    page = form.submit()
    assert page.status_code == 200  # another body must be named
    assert "Name the body that takes this step." in page.text
    assert not ActionStep.objects.exists()
    form = page.forms["step-form"]
    form["owner_institution"] = str(csw.pk)
    plan = form.submit().follow()
    step = ActionStep.objects.get()
    edit = plan.click(description="Change", href=reverse("cases:action_step_edit", args=[case.pk, step.pk]))
    form = edit.forms["step-form"]
    form["status"] = StepStatus.DONE
    form.submit().follow()
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    edit = django_app.get(reverse("cases:action_step_edit", args=[case.pk, step.pk]))
    page = edit.forms["step-remove-form"].submit().follow()
    assert "The step was removed" in messages_of(page)
    step.refresh_from_db()
    assert step.removed_at is not None
    history = django_app.get(reverse("cases:action_plan_history", args=[case.pk]))
    assert len(history.context["changes"]) == 3
    rows = [[cell.text.strip() for cell in row.select("th, td")] for row in history.html.select("tbody tr")]
    assert [row[2] for row in rows] == ["Removed", "Changed", "Added"]
    assert [row[5] for row in rows] == ["", "status", "area, step, who does it, which body, due, status"]
    assert all(f'href="{url}?on=' in str(history.html) for url in [reverse("cases:action_plan", args=[case.pk])])


@pytest.mark.parametrize("page_name", ["cases:safety_plan", "cases:action_plan"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "garbage", ""])
def test_a_date_no_one_means_gets_a_message_not_a_server_error(django_app, case, counselor, page_name, day):
    page = django_app.get(reverse(page_name, args=[case.pk]) + f"?on={day}", user=counselor, status=400)
    assert "That date cannot be shown." in page.text


def test_the_as_of_form_shows_the_plan_on_that_day(django_app, case, counselor, today):
    services.safety_plan_save(case=case, sections={"digital": "nova šifra"}, expected_version=0, by=counselor)
    page = django_app.get(reverse("cases:safety_plan", args=[case.pk]), user=counselor)
    form = page.forms["as-of-form"]
    form["on"] = today.isoformat()
    shown = form.submit()
    assert "nova šifra" in shown.text


# Information, consent, disclosure, referral


def test_information_given_through_the_form(django_app, case, counselor):
    form = django_app.get(reverse("cases:information", args=[case.pk]), user=counselor).forms["information-form"]
    check(form, "topics", ["protection_orders", "free_legal_aid"])
    form.submit().follow()
    assert InformationGiven.objects.filter(case=case).count() == 2


def _consent_through_the_form(django_app, case, user, recipient, categories, *, days=90):
    form = django_app.get(reverse("cases:consents", args=[case.pk]), user=user).forms["consent-form"]
    form["recipient"] = str(recipient.pk)
    check(form, "categories", categories)
    form["purpose"] = "Koordinacija"
    form["given_how"] = "oral"
    form["valid_until"] = (dates.today() + dt.timedelta(days=days)).isoformat()
    return form.submit()


def test_consent_and_disclosure_print_view(django_app, case, counselor, csw, police, today):
    services.safety_plan_save(case=case, sections={"trusted_people": "Sestra Marija"}, expected_version=0, by=counselor)
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(["strangled"]), by=counselor)
    assert _consent_through_the_form(django_app, case, counselor, csw, ["risk", "identity"]).status_code == 302
    assert ConsentRecord.objects.filter(case=case).count() == 1
    url = reverse("cases:disclosures", args=[case.pk])

    form = django_app.get(url).forms["disclosure-form"]
    form["recipient"] = str(police.pk)
    check(form, "categories", ["risk"])
    refused = form.submit()
    assert "There is no valid consent" in refused.text
    assert not Disclosure.objects.exists()

    form = django_app.get(url).forms["disclosure-form"]
    form["recipient"] = str(csw.pk)
    check(form, "categories", ["risk", "safety_plan"])
    form.submit()
    assert not Disclosure.objects.exists()

    form = django_app.get(url).forms["disclosure-form"]
    form["recipient"] = str(csw.pk)
    check(form, "categories", ["risk"])
    summary = form.submit()
    assert "Case summary" in summary.text
    assert "strangle" in summary.text  # the risk answers, reused
    assert "Sestra Marija" not in summary.text  # the safety plan was not consented to
    assert case.client.alias not in summary.text  # nor her identity in this summary
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == csw
    assert AuditEntry.objects.filter(action="disclose", object_id=str(disclosure.pk)).exists()


def test_disclosure_pdf(django_app, case, counselor, csw, today):
    services.consent_record(
        case=case,
        recipient=csw,
        categories=["identity"],
        purpose="x",
        given_how="written",
        valid_from=today,
        valid_until=today,
        by=counselor,
    )
    form = django_app.get(reverse("cases:disclosures", args=[case.pk]), user=counselor).forms["disclosure-form"]
    form["recipient"] = str(csw.pk)
    check(form, "categories", ["identity"])
    form["format"] = "pdf"
    response = form.submit()
    assert response.content_type == "application/pdf"
    assert response.body.startswith(b"%PDF")
    assert case.client.alias not in response.headers["Content-Disposition"]


def test_coordinator_override_through_the_form(django_app, case, coordinator, counselor, police):
    url = reverse("cases:disclosures", args=[case.pk])
    assert "override_reason" not in django_app.get(url, user=counselor).forms["disclosure-form"].fields
    django_app.reset()
    form = django_app.get(url, user=coordinator).forms["disclosure-form"]
    form["recipient"] = str(police.pk)
    check(form, "categories", ["risk"])
    form["override_reason"] = "Neposredna opasnost po život"
    assert form.submit().status_code == 200
    disclosure = Disclosure.objects.get()
    assert disclosure.consent is None and disclosure.override_reason


def test_withdrawn_consent_blocks_the_referral_form(django_app, case, counselor, csw, today):
    _consent_through_the_form(django_app, case, counselor, csw, ["risk"], days=5)
    consent = ConsentRecord.objects.get()
    page = django_app.get(reverse("cases:consents", args=[case.pk]))
    form = page.click(href=reverse("cases:consent_withdraw", args=[case.pk, consent.pk])).forms["withdraw-form"]
    form["reason"] = "Ne želi da centar više dobija podatke."
    form["confirm"] = True
    form.submit().follow()
    consent.refresh_from_db()
    assert consent.withdrawn_on == today
    form = django_app.get(reverse("cases:referrals", args=[case.pk])).forms["referral-form"]
    form["institution"] = str(csw.pk)
    check(form, "categories", ["risk"])
    form["reason"] = "Zaštita"
    refused = form.submit()
    assert "There is no valid consent" in refused.text
    assert not Referral.objects.exists()


def test_referral_shows_risk_answers_and_updates_status(django_app, case, counselor, csw, today):
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(["weapon"]), by=counselor)
    _consent_through_the_form(django_app, case, counselor, csw, ["risk"], days=5)
    form = django_app.get(reverse("cases:referrals", args=[case.pk])).forms["referral-form"]
    form["institution"] = str(csw.pk)
    check(form, "categories", ["risk"])
    form["reason"] = "Zaštita"
    page = form.submit().follow()
    referral = Referral.objects.get()
    assert "weapons or objects" in page.text
    form = page.forms["referral-update-form"]
    form["status"] = "accepted"
    form["outcome"] = "Preuzeto"
    form.submit().follow()
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.outcome == "Preuzeto"


# Aftercare, CTI, conferences


def test_aftercare_through_the_form(django_app, case, counselor):
    form = django_app.get(reverse("cases:aftercare", args=[case.pk]), user=counselor).forms["aftercare-form"]
    form["kind"] = "home_visit"
    form["held_on"] = dates.today().isoformat()
    form["duration_minutes"] = "45"
    form.submit().follow()
    assert case.aftercare.get().duration_minutes == 45


def test_cti_course_window_rule_through_the_form(django_app, case, counselor, today):
    url = reverse("cases:cti", args=[case.pk])
    form = django_app.get(url, user=counselor).forms["course-form"]
    form["start_on"] = today.isoformat()
    form["moved_in_on"] = dates.add_months(today, 1).isoformat()
    page = form.submit()
    assert "record the reason" in page.text
    assert not CtiCourse.objects.exists()
    form = page.forms["course-form"]
    form["extension_reason"] = "Škola završava u junu"
    page = form.submit().follow()
    course = CtiCourse.objects.get()
    form = page.forms["goal-form"]
    form["area"] = "housing"
    form["goal"] = "Stan"
    page = form.submit().follow()
    form = page.forms["review-form"]
    form["review_on"] = today.isoformat()
    form.submit().follow()
    assert course.goals.count() == 1
    assert course.reviews.count() == 4


def test_a_goal_without_text_is_refused_on_the_cti_page(django_app, case, counselor, today):
    services.cti_course_save(case=case, start_on=today, by=counselor)
    form = django_app.get(reverse("cases:cti", args=[case.pk]), user=counselor).forms["goal-form"]
    form["area"] = "housing"
    page = form.submit()
    assert page.status_code == 200
    assert "goal-form" in page.forms and errors_of(page)


def test_conference_through_the_forms_and_minutes(django_app, case, counselor, csw, make_user, today):
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(["threat_to_kill"]), by=counselor)
    staff = make_user(Role.FACILITATOR)
    form = django_app.get(reverse("cases:conferences", args=[case.pk]), user=counselor).forms["conference-form"]
    form["held_at"] = (dates.local_time() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form["place"] = "CSR"
    form["agenda"] = "Procena rizika"
    check(form, "invited_staff", [staff.pk])
    page = form.submit().follow()
    conference = CaseConference.objects.get()
    assert page.request.path == reverse("cases:conference_detail", args=[conference.pk])
    form = page.forms["participant-form"]
    form["institution"] = str(csw.pk)
    form["name"] = "Voditeljka slučaja"
    form["role"] = "socijalna radnica"
    page = form.submit().follow()
    form = page.forms["follow-up-form"]
    form["description"] = "Kućna poseta"
    form["institution"] = str(csw.pk)
    form["due_on"] = today.isoformat()
    page = form.submit().follow()
    form = page.forms["follow-up-form"]
    form["institution"] = str(csw.pk)
    form["due_on"] = today.isoformat()
    bad = form.submit()
    assert bad.status_code == 200
    assert conference.follow_ups.count() == 1
    action = conference.follow_ups.get()
    page = django_app.get(reverse("cases:conference_detail", args=[conference.pk]))
    page.forms[f"follow-up-done-{action.pk}"].submit().follow()
    action.refresh_from_db()
    assert action.done
    django_app.reset()
    minutes = django_app.get(reverse("cases:conference_minutes", args=[conference.pk]), user=staff)
    assert "Voditeljka slučaja" in minutes.text
    assert "Kućna poseta" in minutes.text
    assert "threatened to kill" in minutes.text


def test_home_panel(django_app, case, counselor):
    page = django_app.get(reverse("home"), user=counselor)
    assert "open case" in page.text


# Double submits: the same rendered form sent twice creates one record


def _creating_forms(case, csw, counselor, make_profile):
    """Per creating form: its page, its form id, how to fill it, and how many records exist."""
    from counseling.models import Client

    today = dates.today()
    her = Client.objects.create(alias="Jelena", code="T-9100")
    her.counselors.add(make_profile(counselor))
    services.consent_record(
        case=case,
        recipient=csw,
        categories=["risk"],
        purpose="x",
        given_how="written",
        valid_from=today,
        valid_until=today + dt.timedelta(days=5),
        by=counselor,
    )
    services.cti_course_save(case=case, start_on=today, by=counselor)
    conference = services.conference_schedule(case=case, held_at=dates.now(), by=counselor)
    pk = case.pk

    def fill(**values):
        def _fill(form):
            for name, value in values.items():
                if isinstance(value, list):
                    check(form, name, value)
                else:
                    form[name] = value

        return _fill

    return {
        "case": (reverse("cases:case_create"), "case-form", fill(client=str(her.pk)), lambda: her.cases.count()),
        "needs": (reverse("cases:needs", args=[pk]), "needs-form", fill(), lambda: NeedsAssessment.objects.count()),
        "risk": (reverse("cases:risk_create", args=[pk]), "risk-form", answer_risk, RiskAssessment.objects.count),
        "action step": (
            reverse("cases:action_plan", args=[pk]),
            "step-form",
            fill(area=ActionArea.COURT_CUSTODY, description="Stan", owner=StepOwner.CLIENT),
            ActionStep.objects.count,
        ),
        "information": (
            reverse("cases:information", args=[pk]),
            "information-form",
            fill(topics=["free_legal_aid"]),
            InformationGiven.objects.count,
        ),
        "consent": (
            reverse("cases:consents", args=[pk]),
            "consent-form",
            fill(
                recipient=str(csw.pk),
                categories=["identity"],
                purpose="Koordinacija",
                given_how="oral",
                valid_until=today.isoformat(),
            ),
            ConsentRecord.objects.count,
        ),
        "disclosure": (
            reverse("cases:disclosures", args=[pk]),
            "disclosure-form",
            fill(recipient=str(csw.pk), categories=["risk"]),
            Disclosure.objects.count,
        ),
        "referral": (
            reverse("cases:referrals", args=[pk]),
            "referral-form",
            fill(institution=str(csw.pk), categories=["risk"], reason="Zaštita"),
            Referral.objects.count,
        ),
        "aftercare": (
            reverse("cases:aftercare", args=[pk]),
            "aftercare-form",
            fill(kind="home_visit", held_on=today.isoformat(), duration_minutes="30"),
            lambda: case.aftercare.count(),
        ),
        "CTI goal": (reverse("cases:cti", args=[pk]), "goal-form", fill(area="housing", goal="Stan"), None),
        "CTI review": (
            reverse("cases:cti", args=[pk]),
            "review-form",
            fill(review_on=today.isoformat(), notes="Pregled"),
            None,
        ),
        "conference": (
            reverse("cases:conferences", args=[pk]),
            "conference-form",
            fill(held_at=dates.local_time().strftime("%Y-%m-%dT%H:%M")),
            CaseConference.objects.count,
        ),
        "participant": (
            reverse("cases:conference_detail", args=[conference.pk]),
            "participant-form",
            fill(institution=str(csw.pk), name="Voditeljka", role="socijalna radnica"),
            lambda: conference.participants.count(),
        ),
        "follow-up": (
            reverse("cases:conference_detail", args=[conference.pk]),
            "follow-up-form",
            fill(description="Poseta", institution=str(csw.pk), due_on=today.isoformat()),
            lambda: conference.follow_ups.count(),
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "case",
        "needs",
        "risk",
        "action step",
        "information",
        "consent",
        "disclosure",
        "referral",
        "aftercare",
        "CTI goal",
        "CTI review",
        "conference",
        "participant",
        "follow-up",
    ],
)
def test_a_form_sent_twice_creates_one_record(django_app, case, csw, counselor, make_profile, name):
    url, form_id, fill, count = _creating_forms(case, csw, counselor, make_profile)[name]
    if count is None:
        course = case.cti_course
        count = (lambda: course.goals.count()) if name == "CTI goal" else (lambda: course.reviews.count())
    form = django_app.get(url, user=counselor).forms[form_id]
    fill(form)
    before = count()
    first = form.submit()
    assert first.status_code in (200, 302)
    assert count() == before + 1, errors_of(first) or first.text[:2000]
    second = form.submit()
    assert second.status_code == 200
    assert "This form was already sent" in second.text
    assert count() == before + 1


# The CTI dashboard a page at a time


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 5 courses and a due-soon list of 3: a few courses make several pages."""
    monkeypatch.setattr(selectors, "CTI_DASHBOARD_PAGE_SIZE", 5)
    monkeypatch.setattr(selectors, "CTI_DUE_SOON_LIMIT", 3)


def _courses(make_case, lead, today, count, *, first_week=0):
    """`count` courses started a week apart going back from today: phases 1 and 2, one starting today."""
    return [
        services.cti_course_save(case=make_case(lead), start_on=today - dt.timedelta(weeks=first_week + n), by=lead)
        for n in range(count)
    ]


def _in_display_order(courses, today):
    """Phase 1, 2, 3, then not yet started; by start date within a phase."""
    rank = {1: 1, 2: 2, 3: 3, None: 4}
    return sorted(courses, key=lambda c: (rank[selectors.cti_current_phase(c, today)], c.start_on, c.pk))


def _listed(page):
    """The courses in the order the page shows them: phase by phase as it lists the phases."""
    by_phase = page.context["dashboard"].by_phase
    listed = [course.pk for number, _label, _cards, _total in page.context["phases"] for course in by_phase[number]]
    assert sum(len(cards) for _n, _label, cards, _total in page.context["phases"]) == len(listed)
    return listed


def test_the_cti_dashboard_comes_a_page_at_a_time(client_for, coordinator, make_case, counselor, today, small_pages):
    courses = _in_display_order(_courses(make_case, counselor, today, 7), today)
    web = client_for(coordinator)

    first = web.get(reverse("cases:cti_dashboard"))
    assert _listed(first) == [c.pk for c in courses[:5]]
    html = first.content.decode()
    assert 'href="?page=2" rel="next"' in html and "Page 1 of 2" in html and 'aria-label="Pages"' in html
    assert "Courses 1 to 5 of 7, by phase." in html
    totals = {number: total for number, _label, _courses, total in first.context["phases"]}
    phases = [selectors.cti_current_phase(c, today) or 0 for c in courses]
    assert totals == {number: phases.count(number) for number in (0, 1, 2, 3)}
    assert first.context["dashboard"].due_soon  # the course starting today

    second = web.get(reverse("cases:cti_dashboard"), {"page": 2})
    assert _listed(second) == [c.pk for c in courses[5:]]
    html = second.content.decode()
    assert 'href="?page=1" rel="prev"' in html and "Page 2 of 2" in html
    assert "Phase changes due until" not in html  # the due-soon list is on the first page
    assert second.context["phases"][0][3] == first.context["phases"][0][3]  # totals over all pages


@pytest.mark.parametrize(("asked", "shown"), [("99", 2), ("0", 2), ("last", 1), ("1.5", 1)])
def test_a_cti_page_out_of_range_or_not_a_number_gives_the_nearest_page(
    client_for, coordinator, make_case, counselor, today, small_pages, asked, shown
):
    _courses(make_case, counselor, today, 6)
    response = client_for(coordinator).get(reverse("cases:cti_dashboard"), {"page": asked})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_the_cti_audit_entry_names_only_the_courses_the_page_shows(
    client_for, coordinator, make_case, counselor, today, small_pages
):
    courses = _in_display_order(_courses(make_case, counselor, today, 7), today)
    web = client_for(coordinator)

    def listed():
        entry = AuditEntry.objects.filter(detail="CTI dashboard").latest("pk")
        return {int(pk) for pk in entry.listed_ids.strip(",").split(",")}

    first = web.get(reverse("cases:cti_dashboard"))
    due = {row["course"].pk for row in first.context["dashboard"].due_soon}
    assert listed() == {c.pk for c in courses[:5]} | due
    web.get(reverse("cases:cti_dashboard"), {"page": 2})
    assert listed() == {c.pk for c in courses[5:]}
    assert AuditEntry.objects.filter(detail="CTI dashboard").count() == 2  # one entry per page shown


def test_the_cti_dashboard_makes_as_many_queries_at_three_times_the_courses(
    client_for, coordinator, make_case, counselor, today, small_pages
):
    web = client_for(coordinator)
    url = reverse("cases:cti_dashboard")
    _courses(make_case, counselor, today, 6)
    once = [queries_of(web, url, {"page": page}) for page in (1, 2)]
    _courses(make_case, counselor, today, 12, first_week=6)
    assert [queries_of(web, url, {"page": page}) for page in (1, 4)] == once
    assert once[0] <= 8  # the courses counted once, with their phases; the soonest changes in two


def test_the_cti_dashboard_writes_names_as_text(client_for, coordinator, make_case, counselor, today):
    """Its cards and rows are written in Python (cases.views.cti_dashboard): a name with markup in it is shown
    as the text it is, on a course's card and in the phase changes due soon."""
    from accounts.models import Profile

    Profile.objects.filter(user=counselor).update(full_name='Ana <b>"Perić"</b> & Co')
    services.cti_course_save(case=make_case(counselor), start_on=today, by=counselor)  # starts phase 1 today
    services.cti_course_save(case=make_case(counselor), start_on=today + dt.timedelta(days=3), by=counselor)
    html = client_for(coordinator).get(reverse("cases:cti_dashboard")).content.decode()
    assert html.count("Ana &lt;b&gt;&quot;Perić&quot;&lt;/b&gt; &amp; Co") >= 3  # two cards, a change due
    assert "<b>" not in html


def test_the_due_soon_list_is_the_soonest_few_and_says_when_there_are_more(
    client_for, coordinator, make_case, counselor, today, small_pages
):
    soon = [
        services.cti_course_save(case=make_case(counselor), start_on=today + dt.timedelta(days=days), by=counselor)
        for days in (9, 2, 5, 0, 12)
    ]
    page = client_for(coordinator).get(reverse("cases:cti_dashboard"))
    rows = page.context["dashboard"].due_soon
    assert [row["course"].pk for row in rows] == [soon[3].pk, soon[1].pk, soon[2].pk]
    assert [row["on"] for row in rows] == sorted(row["on"] for row in rows)
    assert "Only the 3 soonest phase changes are shown." in page.content.decode()


def test_a_counselor_pages_through_her_own_cti_courses_only(
    client_for, counselor, outsider, coordinator, make_case, today, small_pages
):
    mine = _in_display_order(_courses(make_case, counselor, today, 6), today)
    theirs = _courses(make_case, outsider, today, 4)
    second = client_for(counselor).get(reverse("cases:cti_dashboard"), {"page": 2})
    assert _listed(second) == [mine[5].pk]
    assert second.context["page_obj"].paginator.count == 6
    assert sum(total for *_rest, total in second.context["phases"]) == 6
    assert all(c.case.client.code not in second.content.decode() for c in theirs)
    assert client_for(coordinator).get(reverse("cases:cti_dashboard")).context["page_obj"].paginator.count == 10


def test_no_case_page_decrypts_her_safe_contact_details(client_for, case, counselor, monkeypatch):
    """A case's pages and lists name the client by alias and code; where and when she may be contacted safely
    is on her own file. Left in the database (rules.cases_for), those details are not decrypted for every
    case opened or listed."""
    from tests.helpers import texts_decrypted

    client = case.client
    secrets = {"contact_address": "Ulica 7", "safe_contact_instructions": "Only after 18h", "safe_times": "Tue"}
    for name, value in secrets.items():
        setattr(client, name, value)
    client.save()
    read = texts_decrypted(monkeypatch)
    web = client_for(counselor)
    pages = [
        web.get(reverse(name, args=[case.pk]))
        for name in ("cases:case_detail", "cases:action_plan", "cases:risk_list", "cases:consents")
    ]
    pages += [web.get(reverse("cases:case_list")), web.get(reverse("cases:caseload"))]
    assert [page.status_code for page in pages] == [200] * len(pages)
    assert all(client.code in page.content.decode() for page in pages)
    assert not set(read) & set(secrets.values())
