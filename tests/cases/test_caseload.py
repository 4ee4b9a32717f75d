"""A counselor runs her caseload: handovers, everything due in her cases, marked done where it stands."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.enums import Role
from cases import selectors, services
from cases.enums import (
    ActionArea,
    ActivityStatus,
    CaseEventKind,
    DataCategory,
    DueKind,
    ReferralStatus,
    StepOwner,
    StepStatus,
)
from cases.models import ActionStep, AftercareActivity, CaseEvent, ConsentRecord, CtiReview, FollowUpAction
from core import dates
from tests.cases.conftest import answers
from tests.cases.pages import messages_of


def _step(case, by, *, due_on, version=None):
    return services.action_step_add(
        case=case,
        expected_version=case.action_plan.version if version is None else version,
        by=by,
        area=ActionArea.EMPLOYMENT,
        description="Razgovor u nacionalnoj službi za zapošljavanje",
        owner=StepOwner.CLIENT,
        owner_institution=None,
        due_on=due_on,
        status=StepStatus.PLANNED,
    )


def _consent(case, by, recipient, *, valid_until, valid_from=None):
    return services.consent_record(
        case=case,
        recipient=recipient,
        categories=[DataCategory.RISK],
        purpose="Koordinacija",
        given_how="written",
        valid_from=valid_from or dates.today() - dt.timedelta(days=60),
        valid_until=valid_until,
        by=by,
    )


@pytest.fixture
def busy_case(case, counselor, csw, police, today):
    """One case with one item of every kind due, and one item of each kind that is not due yet."""
    services.risk_assessment_record(
        case=case, assessed_on=today - dt.timedelta(weeks=9), answers=answers(), by=counselor
    )  # due a week ago
    course = services.cti_course_save(case=case, start_on=dates.add_months(today, -3), by=counselor)
    _step(case, counselor, due_on=today + dt.timedelta(days=3), version=0)
    _step(case, counselor, due_on=today + dt.timedelta(days=90), version=1)  # not due yet
    conference = services.conference_schedule(case=case, held_at=dates.now(), by=counselor)
    services.follow_up_add(
        conference=conference, description="Provera", institution=csw, due_on=today - dt.timedelta(days=1), by=counselor
    )
    _consent(case, counselor, csw, valid_until=today + dt.timedelta(days=20))
    _consent(case, counselor, police, valid_until=today + dt.timedelta(days=200))  # not ending soon
    services.referral_send(
        case=case,
        institution=csw,
        categories=[DataCategory.RISK],
        reason="Procena",
        sent_on=today - dt.timedelta(days=20),
        by=counselor,
    )
    services.aftercare_record(case=case, kind="home_visit", held_on=today, status=ActivityStatus.PLANNED, by=counselor)
    withdrawn = _consent(case, counselor, police, valid_until=today + dt.timedelta(days=100))
    services.consent_withdraw(
        consent=withdrawn, withdrawn_on=today, reason="Ne želi.", tell_recipient=True, by=counselor
    )
    return {"case": case, "course": course, "conference": conference, "withdrawn": withdrawn}


def test_the_caseload_lists_every_kind_of_due_item(busy_case, counselor, today):
    load = selectors.caseload(user=counselor)
    kinds = sorted(item.kind for item in load.items)
    assert kinds == sorted(
        [
            DueKind.RISK_REVIEW,
            DueKind.CTI_REVIEW,  # the end of phase 1 review, a week before phase 2
            DueKind.ACTION_STEP,
            DueKind.FOLLOW_UP,
            DueKind.CONSENT_ENDS,
            DueKind.REFERRAL_WAITING,
            DueKind.AFTERCARE,
            DueKind.TELL_RECIPIENT,
        ]
    )
    overdue = {item.kind for item in load.items if item.overdue}
    assert {DueKind.RISK_REVIEW, DueKind.FOLLOW_UP, DueKind.REFERRAL_WAITING} <= overdue
    assert DueKind.ACTION_STEP not in overdue


def test_a_cases_page_shows_what_her_caseload_shows_for_it_and_nothing_once_closed(
    busy_case, counselor, make_case, client_for, close
):
    case = busy_case["case"]
    make_case(counselor)  # another case of hers, whose items are not this page's
    load = selectors.caseload(user=counselor)

    def written(items):
        return [(i.kind, i.key, i.title, i.due_on, i.overdue, i.url, i.case_url, str(i.detail)) for i in items]

    expected = written(item for item in load.items if item.case.pk == case.pk)
    assert len(expected) == 8
    shown = client_for(counselor).get(reverse("cases:case_detail", args=[case.pk])).context["due_items"]
    assert written(shown) == expected
    assert {item.case.latest_level for item in shown} == {c.latest_level for c in load.cases if c.pk == case.pk}
    close(case)
    assert client_for(counselor).get(reverse("cases:case_detail", args=[case.pk])).context["due_items"] == []


def test_each_kind_of_due_item_names_what_is_due_and_links_to_where_it_is_done(busy_case, counselor, csw, police):
    case, conference = busy_case["case"], busy_case["conference"]
    step = ActionStep.objects.get(plan__case=case, due_on__lt=dates.today() + dt.timedelta(days=30))
    referral = case.referrals.get()
    withdrawn = busy_case["withdrawn"]
    shown = {
        item.kind: (item.title, item.url, item.detail, item.case.pk)
        for item in selectors.caseload(user=counselor).items
    }
    assert shown == {
        DueKind.RISK_REVIEW: ("again (last: Standard risk)", reverse("cases:risk_create", args=[case.pk]), "", case.pk),
        DueKind.CTI_REVIEW: ("Phase 1: transition", reverse("cases:cti", args=[case.pk]), "", case.pk),
        DueKind.ACTION_STEP: (
            "Employment",
            reverse("cases:action_step_edit", args=[case.pk, step.pk]),
            "Razgovor u nacionalnoj službi za zapošljavanje",
            case.pk,
        ),
        DueKind.FOLLOW_UP: (csw.name, reverse("cases:conference_detail", args=[conference.pk]), "Provera", case.pk),
        DueKind.CONSENT_ENDS: (csw.name, reverse("cases:consents", args=[case.pk]), "", case.pk),
        DueKind.REFERRAL_WAITING: (
            csw.name,
            reverse("cases:referral_detail", args=[case.pk, referral.pk]),
            "",
            case.pk,
        ),
        DueKind.AFTERCARE: ("Home visit", reverse("cases:aftercare", args=[case.pk]), "", case.pk),
        DueKind.TELL_RECIPIENT: (
            police.name,
            reverse("cases:consent_withdraw", args=[case.pk, withdrawn.pk]),
            "",
            case.pk,
        ),
    }


def test_every_item_is_marked_done_from_the_caseload_page(django_app, busy_case, counselor, today):
    page = django_app.get(reverse("cases:caseload"), user=counselor)
    assert "My caseload" in page.text
    buttons = [key for key in page.forms if isinstance(key, str) and key.startswith("due-")]
    for key in buttons:
        page = django_app.get(reverse("cases:caseload"))
        if key not in page.forms:
            continue  # another button of the same item ("held" or "missed") was used already
        form = page.forms[key]
        page = form.submit().follow()
        assert page.request.path == reverse("cases:caseload")
    case = busy_case["case"]
    assert ActionStep.objects.get(plan__case=case, due_on=today + dt.timedelta(days=3)).status == StepStatus.DONE
    assert FollowUpAction.objects.get().done
    assert ConsentRecord.objects.get(valid_until=today + dt.timedelta(days=20)).expiry_checked_on == today
    assert ConsentRecord.objects.get(pk=busy_case["withdrawn"].pk).recipient_told_on == today
    assert AftercareActivity.objects.get().status == ActivityStatus.DONE
    assert CtiReview.objects.filter(course=busy_case["course"], phase=1).get().status != ActivityStatus.PLANNED
    left = {item.kind for item in selectors.caseload(user=counselor).items}
    # What is done elsewhere stays until it is: a new risk assessment, an answer to the referral.
    assert left == {DueKind.RISK_REVIEW, DueKind.REFERRAL_WAITING}


def test_the_risk_item_links_to_the_new_assessment_and_the_referral_to_its_answer(
    django_app, busy_case, counselor, today
):
    page = django_app.get(reverse("cases:caseload"), user=counselor)
    case = busy_case["case"]
    form = page.click(href=reverse("cases:risk_create", args=[case.pk])).forms["risk-form"]
    for name in form.fields:
        if name and name.startswith("q_"):
            form[name] = "no"
    form.submit().follow()
    page = django_app.get(reverse("cases:caseload"))
    referral = case.referrals.get()
    form = page.click(href=reverse("cases:referral_detail", args=[case.pk, referral.pk])).forms["referral-update-form"]
    form["status"] = ReferralStatus.ACCEPTED
    form["outcome"] = "Dodeljena voditeljka slučaja."
    form.submit().follow()
    kinds = {item.kind for item in selectors.caseload(user=counselor).items}
    assert DueKind.RISK_REVIEW not in kinds and DueKind.REFERRAL_WAITING not in kinds


def test_a_caseload_is_hers_and_a_coordinator_sees_anyones_and_the_team(
    client_for, busy_case, counselor, outsider, coordinator, make_case
):
    make_case(outsider)
    assert busy_case["case"].client.code not in client_for(outsider).get(reverse("cases:caseload")).content.decode()
    assert client_for(outsider).get(reverse("cases:team")).status_code == 404
    profile = busy_case["case"].lead_counselor
    page = client_for(coordinator).get(reverse("cases:caseload") + f"?counselor={profile.pk}")
    assert busy_case["case"].client.code in page.content.decode()
    team = client_for(coordinator).get(reverse("cases:team"))
    assert team.status_code == 200
    assert busy_case["case"].client.code in team.content.decode()


def test_the_team_caseload_shows_ten_lead_counselors_a_page_with_what_is_due_in_their_cases(
    django_app, coordinator, make_case
):
    from audit.models import AuditEntry
    from cases.views import TEAM_LEADS_PER_PAGE

    cases = [make_case() for _ in range(TEAM_LEADS_PER_PAGE + 2)]  # each with her own lead, a risk review due
    leads = sorted((str(case.lead_counselor).casefold(), case.lead_counselor.pk, case) for case in cases)
    first = django_app.get(reverse("cases:team"), user=coordinator)
    assert f"{len(cases)} open cases" in first.text
    assert f"lead counselors 1–{TEAM_LEADS_PER_PAGE} of {len(cases)}" in first.text
    shown = {case.client.code for case in cases if case.client.code in first.text}
    assert shown == {case.client.code for _name, _pk, case in leads[:TEAM_LEADS_PER_PAGE]}
    listed = AuditEntry.objects.filter(detail="team caseload").latest("pk").listed_ids.strip(",").split(",")
    assert sorted(map(int, listed)) == sorted(case.pk for _name, _pk, case in leads[:TEAM_LEADS_PER_PAGE])

    second = first.click(description="Next")
    assert {case.client.code for case in cases if case.client.code in second.text} == {
        case.client.code for _name, _pk, case in leads[TEAM_LEADS_PER_PAGE:]
    }


def test_the_team_caseload_shows_each_leads_soonest_items_and_links_to_the_rest(
    django_app, coordinator, counselor, make_case, today
):
    from audit.models import AuditEntry
    from cases.views import TEAM_ITEMS_PER_LEAD

    # Seven cases of one lead, each with its first risk assessment due on the day it was opened.
    cases = [make_case(counselor, opened_on=today - dt.timedelta(days=10 - index)) for index in range(7)]
    page = django_app.get(reverse("cases:team"), user=coordinator)
    section = page.html.find("h2", string=str(cases[0].lead_counselor)).parent
    assert "7 open cases · 7 items overdue" in section.get_text(" ", strip=True)
    shown = [case for case in cases if case.client.code in section.get_text()]
    assert shown == cases[:TEAM_ITEMS_PER_LEAD]  # the longest overdue first
    listed = AuditEntry.objects.filter(detail="team caseload").latest("pk").listed_ids.strip(",").split(",")
    assert sorted(map(int, listed)) == sorted(case.pk for case in shown)

    caseload = page.click(description="2 more items in this caseload")
    assert all(case.client.code in caseload.text for case in cases)


def test_only_the_items_a_page_shows_are_written_out_and_the_rest_only_counted(
    django_app, coordinator, counselor, make_case, today, monkeypatch
):
    """Writing an item (its links and buttons) is most of what a large caseload costs that is not a query:
    the team page writes the soonest few of each lead, the home panel none, and both count them all."""
    from audit.models import AuditEntry
    from cases.models import Case
    from cases.views import TEAM_ITEMS_PER_LEAD

    cases = [make_case(counselor, opened_on=today - dt.timedelta(days=10 - index)) for index in range(7)]
    written = []
    real = selectors.Due.item
    monkeypatch.setattr(selectors.Due, "item", lambda due: written.append(due.key) or real(due))

    page = django_app.get(reverse("cases:team"), user=coordinator)
    assert "7 open cases · 7 items overdue" in page.text
    assert written == [f"risk-{case.pk}" for case in cases[:TEAM_ITEMS_PER_LEAD]]
    # The cases are read as values (selectors.CaseloadCase), and still audited as cases.
    entry = AuditEntry.objects.filter(detail="team caseload").latest("pk")
    assert entry.content_type.model_class() is Case
    assert entry.listed_ids == "," + ",".join(str(case.pk) for case in cases[:TEAM_ITEMS_PER_LEAD]) + ","

    written.clear()
    assert selectors.case_panel_counts(user=counselor)["overdue_count"] == 7
    load = selectors.caseload(user=counselor)
    assert (load.overdue_count, load.due_soon_count, written) == (7, 0, [])
    assert [item.key for item in load.items] == [f"risk-{case.pk}" for case in cases] == written
    assert load.items[0].url == reverse("cases:risk_create", args=[cases[0].pk])
    assert load.items[0].case_url == reverse("cases:case_detail", args=[cases[0].pk])


def test_her_home_page_counts_what_is_due(django_app, busy_case, counselor):
    page = django_app.get(reverse("home"), user=counselor)
    assert "items overdue" in page.text
    assert "My caseload" in page.text


@pytest.mark.parametrize("count", [3, 24])
def test_the_caseload_keeps_its_query_count_as_it_grows(
    client_for, counselor, coordinator, make_case, csw, count, django_assert_max_num_queries, today
):
    for _ in range(count):
        case = make_case(counselor)
        services.risk_assessment_record(
            case=case, assessed_on=today - dt.timedelta(weeks=9), answers=answers(), by=counselor
        )
        _step(case, counselor, due_on=today, version=0)
        services.cti_course_save(case=case, start_on=dates.add_months(today, -3), by=counselor)
        _consent(case, counselor, csw, valid_until=today + dt.timedelta(days=10))
        conference = services.conference_schedule(case=case, held_at=dates.now(), by=counselor)
        services.follow_up_add(conference=conference, description="x", institution=csw, due_on=today, by=counselor)
        services.aftercare_record(case=case, kind="workshop", held_on=today, status="planned", by=counselor)
    # One query per kind of due item, whatever the caseload's size (the rest is login, session and audit).
    with django_assert_max_num_queries(36):
        response = client_for(counselor).get(reverse("cases:caseload"))
    assert len(response.context["caseload"].cases) == count
    assert len(response.context["caseload"].items) >= 6 * count
    with django_assert_max_num_queries(36):
        assert client_for(coordinator).get(reverse("cases:team")).status_code == 200
    with django_assert_max_num_queries(40):
        assert client_for(counselor).get(reverse("home")).status_code == 200


# Due dates on awkward days


@pytest.mark.parametrize(
    "day", [dt.date(2027, 1, 31), dt.date(2028, 2, 29), dt.date(2027, 8, 31), dt.date(2027, 11, 30)]
)
def test_due_dates_on_awkward_days(clock, day, make_case, counselor, csw):
    clock(day)
    case = make_case(counselor, opened_on=day - dt.timedelta(days=70))
    services.risk_assessment_record(case=case, assessed_on=day, answers=answers(), by=counselor)
    _consent(case, counselor, csw, valid_until=day + dt.timedelta(days=30), valid_from=day)
    services.referral_send(
        case=case, institution=csw, categories=["risk"], reason="x", sent_on=day - dt.timedelta(days=14), by=counselor
    )
    load = selectors.caseload(user=counselor, today=day)
    due = {item.kind: item.due_on for item in load.items}
    assert due[DueKind.CONSENT_ENDS] == day + dt.timedelta(days=30)  # ends within the 30 days' warning
    assert due[DueKind.REFERRAL_WAITING] == day  # waited 14 days today
    assert DueKind.RISK_REVIEW not in due  # next due in eight weeks
    assert case.risk_assessments.get().next_due_on == day + dt.timedelta(weeks=8)
    clock(day + dt.timedelta(weeks=8))
    load = selectors.caseload(user=counselor)
    assert {item.kind for item in load.items if item.overdue} >= {DueKind.REFERRAL_WAITING}
    assert [item.due_on for item in load.items if item.kind == DueKind.RISK_REVIEW] == [day + dt.timedelta(weeks=8)]


# Handover


def test_a_coordinator_hands_a_case_over_on_its_page(
    django_app, client_for, case, counselor, coordinator, make_user, make_profile, django_capture_on_commit_callbacks
):
    new_lead = make_user(Role.COUNSELOR)
    new_profile = make_profile(new_lead)
    assert client_for(counselor).get(reverse("cases:case_handover", args=[case.pk])).status_code == 404
    page = django_app.get(reverse("cases:case_detail", args=[case.pk]), user=coordinator)
    page = page.click(href=reverse("cases:case_handover", args=[case.pk]))
    form = page.forms["handover-form"]
    form["lead_counselor"] = str(new_profile.pk)
    refused = form.submit()
    assert "This field is required." in refused.text
    form = refused.forms["handover-form"]
    form["reason"] = "Savetnica prelazi u drugi tim."
    with django_capture_on_commit_callbacks(execute=True):
        page = form.submit().follow()
    assert "The case was handed over" in messages_of(page)
    assert [message.to for message in mail.outbox] == [[new_lead.email]]
    assert case.client.alias not in mail.outbox[0].subject + mail.outbox[0].body
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.REASSIGNED)
    assert event.lead_before.user == counselor and event.lead_after == new_profile
    # Access follows the case: she who left no longer opens it, she who joined does.
    assert client_for(counselor).get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client_for(new_lead).get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert [c.pk for c in selectors.caseload(user=new_lead).cases] == [case.pk]
    # Her counseling file opens to the new lead counselor through the case (counseling asks cases).
    from counseling import rules as counseling_rules

    assert case.client in counseling_rules.clients_for(new_lead)
    assert client_for(new_lead).get(reverse("counseling:client_detail", args=[case.client.pk])).status_code == 200


def test_a_handover_that_changes_nothing_is_refused(case, coordinator):
    with pytest.raises(ValidationError):
        services.case_reassign(case=case, lead_counselor=case.lead_counselor, counselors=[], reason="x", by=coordinator)
    assert not CaseEvent.objects.filter(kind=CaseEventKind.REASSIGNED).exists()


def test_case_roles_open_her_file_only_while_the_case_is_open(case, counselor, outsider, close):
    from cases import rules

    assert rules.has_case_role_for_client(counselor, case.client)
    assert not rules.has_case_role_for_client(outsider, case.client)
    assert list(rules.client_ids_with_case_role(counselor)) == [{"client_id": case.client_id}]
    close(case)
    assert not rules.has_case_role_for_client(counselor, case.client)
