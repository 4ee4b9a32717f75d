"""The Wagtail admin's case work screens, used by posting their own forms."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.enums import Role
from accounts.roles import role_permissions_sync
from audit.models import AuditEntry
from cases.enums import CaseEventKind
from cases.models import Case, CaseEvent, Institution, RiskSettings

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = pytest.mark.reference_index


@pytest.fixture(autouse=True)
def _coordinator_permissions(db):
    yield
    role_permissions_sync()  # as after migrate, now that the coordinator group exists


def admin_form(page, field):
    return next(form for form in page.forms.values() if field in form.fields)


def test_coordinator_manages_institutions_in_the_admin(django_app, coordinator):
    role_permissions_sync()
    page = django_app.get(reverse("wagtailsnippets_cases_institution:add"), user=coordinator)
    form = admin_form(page, "municipality")
    form["name"] = "Dom zdravlja Zrenjanin"
    form["kind"] = "health"
    form["municipality"] = "Zrenjanin"
    assert form.submit().status_code == 302
    assert Institution.objects.filter(name="Dom zdravlja Zrenjanin", kind="health").exists()


def test_counselor_has_no_admin(client_for, counselor):
    response = client_for(counselor).get(reverse("wagtailsnippets_cases_institution:list"))
    assert response.status_code in (302, 403)


def test_risk_settings_defaults(db):
    settings = RiskSettings.load()
    assert (settings.review_weeks, settings.medium_threshold, settings.high_threshold) == (8, 10, 14)


def test_cases_are_listed_and_inspected_without_her_alias_and_audited(django_app, coordinator, case):
    role_permissions_sync()
    listing = django_app.get(reverse("case_admin:index"), user=coordinator)
    assert f"Case {case.pk}" in listing.text
    assert case.client.alias not in listing.text
    django_app.get(reverse("case_admin:inspect", args=[case.pk]))
    assert AuditEntry.objects.filter(actor=coordinator, action="view", detail="admin").exists()


def test_the_admin_neither_adds_nor_deletes_cases(django_app, coordinator, case):
    role_permissions_sync()
    django_app.get(reverse("case_admin:index"), user=coordinator)
    for url in (reverse("case_admin:add"), reverse("case_admin:delete", args=[case.pk])):
        page = django_app.get(url, expect_errors=True)
        assert page.status_code in (302, 403), url
        assert django_app.post(url, {}, expect_errors=True).status_code in (302, 403)
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_coordinator_hands_a_case_over_through_the_admin_form(
    django_app, coordinator, case, counselor, make_user, make_profile, django_capture_on_commit_callbacks
):
    role_permissions_sync()
    new_lead = make_profile(make_user(Role.COUNSELOR))
    coworker = make_profile(make_user(Role.COUNSELOR))
    page = django_app.get(reverse("case_admin:edit", args=[case.pk]), user=coordinator)
    form = admin_form(page, "lead_counselor")
    form["lead_counselor"] = str(new_lead.pk)
    for box in form.fields["counselors"]:
        box.checked = box._value == str(coworker.pk)
    refused = form.submit()
    assert refused.status_code == 200  # the reason is required
    case.refresh_from_db()
    assert case.lead_counselor.user == counselor

    form = admin_form(refused, "lead_counselor")
    form["reason"] = "Savetnica odlazi na porodiljsko odsustvo."
    with django_capture_on_commit_callbacks(execute=True):
        assert form.submit().status_code == 302
    case.refresh_from_db()
    assert case.lead_counselor == new_lead
    assert list(case.counselors.all()) == [coworker]
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.REASSIGNED)
    assert event.lead_before.user == counselor and event.lead_after == new_lead
    assert event.reason == "Savetnica odlazi na porodiljsko odsustvo." and event.by == coordinator
    told = sorted(message.to[0] for message in mail.outbox)
    assert told == sorted([new_lead.user.email, coworker.user.email])
    assert all(case.client.alias not in message.subject + message.body for message in mail.outbox)
    assert AuditEntry.objects.filter(action="change", detail="case handed over", object_id=str(case.pk)).exists()


@pytest.mark.parametrize("listing", ["case_admin:index", "wagtailsnippets_cases_institution:list"])
def test_the_case_listings_ask_as_many_queries_for_two_cases_as_for_eight(listing, django_app, coordinator, make_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    role_permissions_sync()

    def add(n):
        for _ in range(n):
            make_case()
            Institution.objects.create(
                name=f"Centar {Institution.objects.count()}", kind="health", municipality="Kikinda"
            )

    def queries():
        django_app.get(reverse(listing), user=coordinator)
        with CaptureQueriesContext(connection) as captured:
            assert django_app.get(reverse(listing), user=coordinator).status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(6)
    assert queries() == few
