import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from audit.models import AuditEntry
from cases import services
from cases.enums import ActionArea, DataCategory, NeedArea, StepOwner, StepStatus
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
from tests.cases.conftest import HIGH_YES, answers, risk_post
from tests.helpers import tokened


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
    conference = services.conference_schedule(case=case, held_at=timezone.now(), by=counselor)
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
    for method, url in case_urls(full_case)[:3]:
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
            if method == "get":
                assert client.get(url).status_code == 200, (user, url)


def test_invited_staff_sees_the_conference_but_not_the_case(client_for, make_user, full_case):
    facilitator = make_user(Role.FACILITATOR)
    conference = full_case["conference"]
    conference.invited_staff.add(facilitator)
    client = client_for(facilitator)
    assert client.get(reverse("cases:conference_detail", args=[conference.pk])).status_code == 200
    assert client.get(reverse("cases:conference_minutes", args=[conference.pk])).status_code == 200
    assert client.get(reverse("cases:case_detail", args=[full_case["case"].pk])).status_code == 404
    # Invited, but not one of the case's counselors: she may read, not change.
    response = client.post(
        reverse("cases:conference_participant_add", args=[conference.pk]),
        tokened({"institution": full_case["consent"].recipient_id, "name": "X"}),
    )
    assert response.status_code == 404


def test_case_list_scoped_to_her_cases(client_for, counselor, outsider, make_case, coordinator):
    mine = make_case(counselor)
    theirs = make_case(outsider)
    response = client_for(counselor).get(reverse("cases:case_list"))
    assert mine.client.code.encode() in response.content
    assert theirs.client.code.encode() not in response.content
    response = client_for(coordinator).get(reverse("cases:case_list"))
    assert mine.client.code.encode() in response.content and theirs.client.code.encode() in response.content


@pytest.mark.parametrize("count", [5, 40])
def test_case_list_query_count_is_constant(
    client_for, counselor, make_case, django_assert_max_num_queries, count, today
):
    for _ in range(count):
        case = make_case(counselor)
        services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    client = client_for(counselor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    assert len(response.context["cases"]) == count
    assert AuditEntry.objects.filter(action="view", detail="case list").count() == count


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
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("cases:action_plan_history", args=[case.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(url + f"?on={today.isoformat()}").status_code == 200


@pytest.mark.parametrize("count", [5, 40])
def test_cti_dashboard_query_count_is_constant(
    client_for, coordinator, counselor, make_case, django_assert_max_num_queries, count, today
):
    for index in range(count):
        services.cti_course_save(case=make_case(counselor), start_on=today - dt.timedelta(days=index * 7), by=counselor)
    client = client_for(coordinator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cases:cti_dashboard"))
    assert response.status_code == 200


def test_cti_dashboard_is_for_coordinators_only(client_for, counselor):
    assert client_for(counselor).get(reverse("cases:cti_dashboard")).status_code == 404


# Happy paths through the real forms


def test_open_a_case_through_the_form(client_for, counselor, make_profile, today):
    from counseling.models import Client

    profile = make_profile(counselor)
    client_record = Client.objects.create(alias="Milena", code="T-9001")
    client_record.counselors.add(profile)
    client = client_for(counselor)
    response = client.post(
        reverse("cases:case_create"),
        tokened({"client": client_record.pk, "lead_counselor": profile.pk, "opened_on": today.isoformat()}),
    )
    case = client_record.cases.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert AuditEntry.objects.filter(action="create", object_id=str(case.pk)).exists()


def test_counselor_cannot_open_a_case_for_someone_elses_client(client_for, counselor, make_profile, today):
    from counseling.models import Client

    profile = make_profile(counselor)
    foreign = Client.objects.create(alias="Tuđa", code="T-9002")
    response = client_for(counselor).post(
        reverse("cases:case_create"),
        tokened({"client": foreign.pk, "lead_counselor": profile.pk, "opened_on": today.isoformat()}),
    )
    assert response.status_code == 200
    assert not foreign.cases.exists()


def test_risk_assessment_through_the_form_and_conference_prompt(client_for, case, counselor):
    client = client_for(counselor)
    response = client.post(reverse("cases:risk_create", args=[case.pk]), tokened(risk_post(HIGH_YES)))
    assert response.status_code == 302
    assessment = RiskAssessment.objects.get(case=case)
    assert assessment.level == "high"
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert page.context["propose_conference"]
    assert b"Propose a case conference" in page.content


def test_unanswered_risk_question_saves_nothing(client_for, case, counselor):
    data = risk_post()
    del data["q_weapon"]
    response = client_for(counselor).post(reverse("cases:risk_create", args=[case.pk]), tokened(data))
    assert response.status_code == 200
    assert b"Answer this question." in response.content
    assert not RiskAssessment.objects.exists()


def test_needs_assessment_through_the_form(client_for, case, counselor, today):
    data = {"assessed_on": today.isoformat()}
    for area in ["safety", "legal", "housing", "economy", "employment", "school_daycare", "health"]:
        data[f"level_{area}"] = "some"
        data[f"notes_{area}"] = f"bilješka {area}"
    data["level_child_protection"] = "urgent"
    data["level_child_contact"] = "none"
    response = client_for(counselor).post(reverse("cases:needs", args=[case.pk]), tokened(data))
    assert response.status_code == 302
    assessment = NeedsAssessment.objects.get(case=case)
    assert assessment.needs.get(area="child_protection").level == "urgent"
    assert assessment.needs.get(area="housing").notes == "bilješka housing"


def test_safety_plan_form_with_stale_version_shows_a_message(client_for, case, counselor, coordinator):
    url = reverse("cases:safety_plan", args=[case.pk])
    first = client_for(counselor).post(url, tokened({"version": 0, "warning_signs": "poruke noću"}))
    assert first.status_code == 302
    second = client_for(coordinator).post(url, tokened({"version": 0, "warning_signs": "drugačije"}))
    assert second.status_code == 200
    assert b"Someone else changed this plan" in second.content
    case.safety_plan.refresh_from_db()
    assert case.safety_plan.warning_signs == "poruke noću"


def test_action_step_add_change_remove_through_the_forms(client_for, case, counselor, csw, today):
    client = client_for(counselor)
    url = reverse("cases:action_plan", args=[case.pk])
    data = {
        "version": 0,
        "area": ActionArea.COURT_CUSTODY,
        "description": "Tužba za starateljstvo",
        "owner": StepOwner.OTHER_BODY,
        "owner_institution": "",
        "due_on": today.isoformat(),
        "status": StepStatus.PLANNED,
    }
    response = client.post(url, tokened(data))
    assert response.status_code == 200  # another body must be named
    assert not ActionStep.objects.exists()
    response = client.post(url, tokened({**data, "owner_institution": csw.pk}))
    assert response.status_code == 302
    step = ActionStep.objects.get()
    response = client.post(
        reverse("cases:action_step_edit", args=[case.pk, step.pk]),
        {**data, "owner_institution": csw.pk, "version": 1, "status": "done"},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == "done"
    response = client.post(reverse("cases:action_step_remove", args=[case.pk, step.pk]), {"version": 2})
    step.refresh_from_db()
    assert step.removed_at is not None
    history = client.get(reverse("cases:action_plan_history", args=[case.pk]))
    assert len(history.context["changes"]) == 3


def test_information_given_through_the_form(client_for, case, counselor, today):
    response = client_for(counselor).post(
        reverse("cases:information", args=[case.pk]),
        tokened({"topics": ["protection_orders", "free_legal_aid"], "given_on": today.isoformat()}),
    )
    assert response.status_code == 302
    assert InformationGiven.objects.filter(case=case).count() == 2


def test_consent_and_disclosure_print_view(client_for, case, counselor, csw, police, today):
    client = client_for(counselor)
    services.safety_plan_save(case=case, sections={"trusted_people": "Sestra Marija"}, expected_version=0, by=counselor)
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(["strangled"]), by=counselor)
    response = client.post(
        reverse("cases:consents", args=[case.pk]),
        tokened(
            {
                "recipient": csw.pk,
                "categories": ["risk", "identity"],
                "purpose": "Koordinacija",
                "given_how": "oral",
                "valid_from": today.isoformat(),
                "valid_until": (today + dt.timedelta(days=90)).isoformat(),
            }
        ),
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.filter(case=case).count() == 1
    url = reverse("cases:disclosures", args=[case.pk])

    refused = client.post(url, tokened({"recipient": police.pk, "categories": ["risk"], "format": "print"}))
    assert refused.status_code == 200
    assert b"There is no valid consent" in refused.content
    assert not Disclosure.objects.exists()

    refused = client.post(url, tokened({"recipient": csw.pk, "categories": ["risk", "safety_plan"], "format": "print"}))
    assert not Disclosure.objects.exists()

    summary = client.post(url, tokened({"recipient": csw.pk, "categories": ["risk"], "format": "print"}))
    assert summary.status_code == 200
    assert b"Case summary" in summary.content
    assert b"strangle" in summary.content  # the risk answers, reused
    assert b"Sestra Marija" not in summary.content  # the safety plan was not consented to
    assert case.client.alias.encode() not in summary.content  # nor her identity in this summary
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == csw
    assert AuditEntry.objects.filter(action="disclose", object_id=str(disclosure.pk)).exists()


def test_disclosure_pdf(client_for, case, counselor, csw, today):
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
    response = client_for(counselor).post(
        reverse("cases:disclosures", args=[case.pk]),
        tokened({"recipient": csw.pk, "categories": ["identity"], "format": "pdf"}),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert case.client.alias not in response["Content-Disposition"]


def test_coordinator_override_through_the_form(client_for, case, coordinator, counselor, police):
    url = reverse("cases:disclosures", args=[case.pk])
    counselor_page = client_for(counselor).get(url)
    assert "override_reason" not in counselor_page.context["form"].fields
    response = client_for(coordinator).post(
        url,
        tokened(
            {
                "recipient": police.pk,
                "categories": ["risk"],
                "format": "print",
                "override_reason": "Neposredna opasnost po život",
            }
        ),
    )
    assert response.status_code == 200
    disclosure = Disclosure.objects.get()
    assert disclosure.consent is None and disclosure.override_reason


def test_withdrawn_consent_blocks_the_referral_form(client_for, case, counselor, csw, today):
    consent = services.consent_record(
        case=case,
        recipient=csw,
        categories=["risk"],
        purpose="x",
        given_how="written",
        valid_from=today,
        valid_until=today + dt.timedelta(days=5),
        by=counselor,
    )
    client = client_for(counselor)
    client.post(reverse("cases:consent_withdraw", args=[case.pk, consent.pk]), {"withdrawn_on": today.isoformat()})
    consent.refresh_from_db()
    assert consent.withdrawn_on == today
    response = client.post(
        reverse("cases:referrals", args=[case.pk]),
        tokened({"institution": csw.pk, "categories": ["risk"], "reason": "Zaštita", "sent_on": today.isoformat()}),
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_referral_shows_risk_answers_and_updates_status(client_for, case, counselor, csw, today):
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(["weapon"]), by=counselor)
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
    client = client_for(counselor)
    response = client.post(
        reverse("cases:referrals", args=[case.pk]),
        tokened({"institution": csw.pk, "categories": ["risk"], "reason": "Zaštita", "sent_on": today.isoformat()}),
    )
    referral = Referral.objects.get()
    page = client.get(response["Location"])
    assert b"weapons or objects" in page.content
    client.post(response["Location"], {"status": "accepted", "outcome": "Preuzeto"})
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.outcome == "Preuzeto"


def test_aftercare_through_the_form(client_for, case, counselor, today):
    response = client_for(counselor).post(
        reverse("cases:aftercare", args=[case.pk]),
        tokened({"kind": "home_visit", "held_on": today.isoformat(), "duration_minutes": 45}),
    )
    assert response.status_code == 302
    assert case.aftercare.get().duration_minutes == 45


def test_cti_course_window_rule_through_the_form(client_for, case, counselor, today):
    from cases.selectors import add_months

    client = client_for(counselor)
    url = reverse("cases:cti", args=[case.pk])
    data = {"start_on": today.isoformat(), "moved_in_on": add_months(today, 1).isoformat()}
    response = client.post(url, tokened(data))
    assert response.status_code == 200
    assert b"record the reason" in response.content
    assert not CtiCourse.objects.exists()
    response = client.post(url, tokened({**data, "extension_reason": "Škola završava u junu"}))
    assert response.status_code == 302
    course = CtiCourse.objects.get()
    client.post(reverse("cases:cti_goal_add", args=[case.pk]), tokened({"phase": 1, "area": "housing", "goal": "Stan"}))
    client.post(reverse("cases:cti_review_add", args=[case.pk]), tokened({"phase": 1, "review_on": today.isoformat()}))
    assert course.goals.count() == 1
    assert course.reviews.count() == 4


def test_conference_through_the_forms_and_minutes(client_for, case, counselor, csw, make_user, today):
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(["threat_to_kill"]), by=counselor)
    staff = make_user(Role.FACILITATOR)
    client = client_for(counselor)
    response = client.post(
        reverse("cases:conferences", args=[case.pk]),
        tokened(
            {
                "held_at": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
                "place": "CSR",
                "status": "scheduled",
                "agenda": "Procena rizika",
                "invited_staff": [staff.pk],
            }
        ),
    )
    conference = CaseConference.objects.get()
    assert response["Location"] == reverse("cases:conference_detail", args=[conference.pk])
    client.post(
        reverse("cases:conference_participant_add", args=[conference.pk]),
        tokened({"institution": csw.pk, "name": "Voditeljka slučaja", "role": "socijalna radnica", "present": "on"}),
    )
    client.post(
        reverse("cases:conference_follow_up_add", args=[conference.pk]),
        tokened({"description": "Kućna poseta", "institution": csw.pk, "due_on": today.isoformat()}),
    )
    bad = client.post(
        reverse("cases:conference_follow_up_add", args=[conference.pk]),
        tokened({"description": "", "institution": csw.pk, "due_on": today.isoformat()}),
    )
    assert bad.status_code == 200
    assert conference.follow_ups.count() == 1
    minutes = client_for(staff).get(reverse("cases:conference_minutes", args=[conference.pk]))
    assert b"Voditeljka slu" in minutes.content
    assert "Kućna poseta" in minutes.content.decode()
    assert b"threatened to kill" in minutes.content


def test_views_are_audited(client_for, case, counselor):
    client_for(counselor).get(reverse("cases:safety_plan", args=[case.pk]))
    entry = AuditEntry.objects.filter(actor=counselor, action="view").first()
    assert entry is not None
    assert case.client.alias not in entry.detail


def test_home_panel(client_for, case, counselor):
    response = client_for(counselor).get(reverse("home"))
    assert response.status_code == 200
    assert b"open case" in response.content


@pytest.mark.parametrize("count", [5, 40])
def test_case_detail_query_count_is_constant(
    client_for, case, counselor, make_profile, django_assert_max_num_queries, count, today
):
    from counseling.models import Booking

    profile = make_profile(counselor)
    for index in range(count):
        start = timezone.now() - dt.timedelta(days=20, hours=-index * 3)
        Booking.objects.create(
            counselor=profile, client=case.client, start=start, end=start + dt.timedelta(hours=1), kind="case_based"
        )
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(), by=counselor)
    client = client_for(counselor)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert len(response.context["sessions"]) == count


def _double_submit_forms(case, csw, counselor, make_profile):
    today = dates.today()
    """Per creating form: its URL, the data a person sends, and how many records exist afterwards."""
    from counseling.models import Client

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
    course = services.cti_course_save(case=case, start_on=today, by=counselor)
    conference = services.conference_schedule(case=case, held_at=timezone.now(), by=counselor)
    needs = {"assessed_on": today.isoformat()}
    needs.update({f"level_{area}": "none" for area in NeedArea.values})
    pk = case.pk
    return {
        "case": (
            reverse("cases:case_create"),
            {"client": her.pk, "lead_counselor": her.counselors.get().pk, "opened_on": today.isoformat()},
            lambda: her.cases.count(),
        ),
        "needs": (reverse("cases:needs", args=[pk]), needs, lambda: NeedsAssessment.objects.count()),
        "risk": (reverse("cases:risk_create", args=[pk]), risk_post(), lambda: RiskAssessment.objects.count()),
        "action step": (
            reverse("cases:action_plan", args=[pk]),
            {
                "version": 0,
                "area": ActionArea.COURT_CUSTODY,
                "description": "Stan",
                "owner": StepOwner.CLIENT,
                "due_on": today.isoformat(),
                "status": StepStatus.PLANNED,
            },
            lambda: ActionStep.objects.count(),
        ),
        "information": (
            reverse("cases:information", args=[pk]),
            {"topics": ["free_legal_aid"], "given_on": today.isoformat()},
            lambda: InformationGiven.objects.count(),
        ),
        "consent": (
            reverse("cases:consents", args=[pk]),
            {
                "recipient": csw.pk,
                "categories": ["identity"],
                "purpose": "Koordinacija",
                "given_how": "oral",
                "valid_from": today.isoformat(),
                "valid_until": today.isoformat(),
            },
            lambda: ConsentRecord.objects.count(),
        ),
        "disclosure": (
            reverse("cases:disclosures", args=[pk]),
            {"recipient": csw.pk, "categories": ["risk"], "format": "print"},
            lambda: Disclosure.objects.count(),
        ),
        "referral": (
            reverse("cases:referrals", args=[pk]),
            {"institution": csw.pk, "categories": ["risk"], "reason": "Zaštita", "sent_on": today.isoformat()},
            lambda: Referral.objects.count(),
        ),
        "aftercare": (
            reverse("cases:aftercare", args=[pk]),
            {"kind": "home_visit", "held_on": today.isoformat(), "duration_minutes": 30},
            lambda: case.aftercare.count(),
        ),
        "CTI goal": (
            reverse("cases:cti_goal_add", args=[pk]),
            {"phase": 1, "area": "housing", "goal": "Stan"},
            lambda: course.goals.count(),
        ),
        "CTI review": (
            reverse("cases:cti_review_add", args=[pk]),
            {"phase": 1, "review_on": today.isoformat(), "notes": "Pregled"},
            lambda: course.reviews.count(),
        ),
        "conference": (
            reverse("cases:conferences", args=[pk]),
            {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "status": "scheduled"},
            lambda: CaseConference.objects.count(),
        ),
        "participant": (
            reverse("cases:conference_participant_add", args=[conference.pk]),
            {"institution": csw.pk, "name": "Voditeljka", "role": "socijalna radnica"},
            lambda: conference.participants.count(),
        ),
        "follow-up": (
            reverse("cases:conference_follow_up_add", args=[conference.pk]),
            {"description": "Poseta", "institution": csw.pk, "due_on": today.isoformat()},
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
def test_a_form_sent_twice_creates_one_record(client_for, case, csw, counselor, make_profile, name):
    url, data, count = _double_submit_forms(case, csw, counselor, make_profile)[name]
    client = client_for(counselor)
    data = tokened(data)
    before = count()
    first = client.post(url, data)
    assert first.status_code in (200, 302)
    assert count() == before + 1, first.content.decode()[:2000]
    second = client.post(url, data)
    assert second.status_code == 200
    assert b"This form was already sent" in second.content
    assert count() == before + 1
