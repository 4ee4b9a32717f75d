"""The Wagtail admin is one more door: each form is posted as a coordinator would, and meets the services."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from core import dates
from core.enums import AgeBand, AttendanceStatus, TargetGroup
from core.models import Municipality
from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
from groups.services import member_create
from tests.groups.conftest import local

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.usefixtures("coordinator_permissions"), pytest.mark.reference_index]

VIEWSETS = ["group_programmes", "group_cohorts", "group_members", "group_memberships", "group_sessions"]


def _form(page, field):
    """The page's form that holds `field` (the admin's edit form, not its search or logout forms)."""
    return next(form for form in page.forms.values() if field in form.fields)


def _delete(admin, viewset, pk):
    """Confirm the deletion on the admin's own confirmation page; the page that follows. Where Wagtail
    already knows the record is protected it offers no form and says so: that page is returned."""
    url = reverse(f"{viewset}:delete", args=[pk])
    confirm = admin(url)
    form = next((form for form in confirm.forms.values() if form.action == url), None)
    return form.submit().follow() if form else confirm


def _local_text(moment):
    return dates.local_time(moment).strftime("%Y-%m-%d %H:%M")


def test_coordinator_gets_every_groups_model_permission(coordinator):
    for model in ["groupprogramme", "cohort", "member", "membership", "groupsession"]:
        for action in ["add", "change", "delete", "view"]:
            assert coordinator.has_perm(f"groups.{action}_{model}"), (action, model)


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_coordinator_lists_and_opens_the_add_form(admin, viewset, cohort, add_members):
    add_members(cohort, 2)
    admin(reverse(f"{viewset}:index"))
    admin(reverse(f"{viewset}:add"))


def test_facilitator_cannot_use_the_admin_screens(client_for, facilitator):
    response = client_for(facilitator).get(reverse("group_members:index"))
    assert response.status_code in (302, 403)


def test_coordinator_creates_a_cohort_with_facilitators(admin, programme, facilitator):
    form = _form(admin(reverse("group_cohorts:add")), "programme")
    form["programme"] = str(programme.pk)
    form["name"] = "Majke zajedno – Subotica"
    form["start_date"] = "2027-02-01"
    form["end_date"] = "2027-05-01"
    form["facilitators"] = [str(facilitator.pk)]
    form["capacity"] = "10"
    form["language"] = "sr-latn"
    form["status"] = "planned"
    assert form.submit().status_code == 302
    cohort = Cohort.objects.get(name="Majke zajedno – Subotica")
    assert list(cohort.facilitators.all()) == [facilitator]


# Sessions: cancelling and moving go through session_update ---------------------------------------------


def test_admin_cancelling_needs_a_reason_then_bumps_the_sequence_and_tells_the_facilitator(
    admin, cohort, facilitator, add_session, django_capture_on_commit_callbacks
):
    session = add_session(cohort, dates.now() + timedelta(days=2))
    form = _form(admin(reverse("group_sessions:edit", args=[session.pk])), "cancelled")
    form["cancelled"] = True
    assert "Give a reason for cancelling" in form.submit().text
    session.refresh_from_db()
    assert not session.cancelled

    form["cancel_reason"] = "The room is flooded"
    with django_capture_on_commit_callbacks(execute=True):
        assert form.submit().status_code == 302
    session.refresh_from_db()
    assert session.cancelled and session.cancel_reason == "The room is flooded" and session.sequence == 1
    assert [m.to for m in mail.outbox] == [[facilitator.email]]
    assert "flooded" not in mail.outbox[0].body


def test_admin_moving_a_session_bumps_the_sequence(
    admin, cohort, facilitator, add_session, django_capture_on_commit_callbacks
):
    session = add_session(cohort, dates.now() + timedelta(days=2))
    form = _form(admin(reverse("group_sessions:edit", args=[session.pk])), "start")
    form["start"] = _local_text(session.start + timedelta(hours=1))
    form["end"] = _local_text(session.end + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert form.submit().status_code == 302
    session.refresh_from_db()
    assert session.sequence == 1
    assert "moved" in mail.outbox[0].subject


def test_admin_cannot_cancel_or_move_a_session_in_a_locked_period(admin, cohort, add_session, monkeypatch):
    from django.core.exceptions import ValidationError

    import groups.services

    session = add_session(cohort, dates.now() + timedelta(days=2))

    def locked(*, project_id, on_date):
        raise ValidationError("The reporting period “Q4 2026” was locked by Mira.")

    monkeypatch.setattr(groups.services, "period_guard", locked)
    form = _form(admin(reverse("group_sessions:edit", args=[session.pk])), "cancelled")
    form["cancelled"] = True
    form["cancel_reason"] = "Storm"
    assert "Q4 2026" in form.submit().text
    form["cancelled"] = False
    form["start"] = _local_text(session.start + timedelta(days=1))
    form["end"] = _local_text(session.end + timedelta(days=1))
    assert "Q4 2026" in form.submit().text
    session.refresh_from_db()
    assert not session.cancelled and session.sequence == 0


def test_admin_cannot_cancel_or_delete_a_session_with_marks(admin, cohort, add_members, today_session):
    (membership,) = add_members(cohort, 1)
    Attendance.objects.create(session=today_session, member=membership.member, status=AttendanceStatus.PRESENT)
    form = _form(admin(reverse("group_sessions:edit", args=[today_session.pk])), "cancelled")
    form["cancelled"] = True
    form["cancel_reason"] = "Mistake"
    assert "took place" in form.submit().text

    assert "Cancel it instead" in _delete(admin, "group_sessions", today_session.pk).text
    today_session.refresh_from_db()
    assert not today_session.cancelled
    assert GroupSession.objects.filter(pk=today_session.pk).exists()


def test_admin_deletes_an_empty_session_entered_by_mistake(admin, cohort, add_session):
    session = add_session(cohort, dates.now() + timedelta(days=20))
    _delete(admin, "group_sessions", session.pk)
    assert not GroupSession.objects.filter(pk=session.pk).exists()


# Memberships: named by code, dates that keep her marks ---------------------------------------------------


def test_the_membership_form_lists_no_aliases_and_finds_her_by_code(admin, cohort, add_members, coordinator):
    add_members(cohort, 3)
    newcomer = member_create(alias="Gordana", code="NS-7777")
    page = admin(reverse("group_memberships:add"))
    assert "Alias 0" not in page.text and "Gordana" not in page.text
    form = _form(page, "member_code")
    form["cohort"] = str(cohort.pk)
    form["member_code"] = "NS-0000"
    form["joined_on"] = dates.today().isoformat()
    assert "No member has this internal code" in form.submit().text
    form["member_code"] = "NS-7777"
    assert form.submit().status_code == 302
    assert Membership.objects.filter(member=newcomer, cohort=cohort).exists()
    assert AuditEntry.objects.filter(detail="looked up by code", actor=coordinator).exists()


def test_admin_refuses_a_membership_beyond_capacity(admin, make_cohort, add_members):
    cohort = make_cohort(capacity=2)
    add_members(cohort, 2)
    member_create(alias="Gordana", code="NS-0101")
    form = _form(admin(reverse("group_memberships:add")), "member_code")
    form["cohort"] = str(cohort.pk)
    form["member_code"] = "NS-0101"
    form["joined_on"] = dates.today().isoformat()
    assert "This cohort is full" in form.submit().text
    assert Membership.objects.filter(cohort=cohort).count() == 2


@pytest.fixture
def six_marks(cohort, add_members, add_session):
    (membership,) = add_members(cohort, 1, joined_on=date(2026, 1, 1))
    for week in range(6):
        session = add_session(cohort, local(2026, 2, 2, 18) + timedelta(weeks=week))
        Attendance.objects.create(session=session, member=membership.member, status=AttendanceStatus.PRESENT)
    return membership


def test_admin_refuses_an_end_date_before_her_last_mark(admin, six_marks):
    form = _form(admin(reverse("group_memberships:edit", args=[six_marks.pk])), "left_on")
    assert "member" not in form.fields and "cohort" not in form.fields  # she stays who she is
    form["left_on"] = "2026-02-10"
    form["outcome"] = "left_early"
    assert "her membership cannot end before that day" in form.submit().text
    six_marks.refresh_from_db()
    assert six_marks.left_on is None
    form["left_on"] = "2026-03-09"
    assert form.submit().status_code == 302
    six_marks.refresh_from_db()
    assert six_marks.left_on == date(2026, 3, 9)


def test_admin_cannot_delete_a_membership_with_marks(admin, six_marks):
    assert "End it instead" in _delete(admin, "group_memberships", six_marks.pk).text
    assert Membership.objects.filter(pk=six_marks.pk).exists()


def test_admin_creates_a_member_pseudonymously(admin):
    form = _form(admin(reverse("group_members:add")), "alias")
    form["alias"] = "Dušica"
    form["code"] = "NS-0042"
    form["children_count"] = "2"
    assert form.submit().status_code == 302
    assert Member.objects.get(code="NS-0042").alias == "Dušica"


def test_admin_records_and_clears_what_reports_count_her_by(admin):
    kikinda = Municipality.objects.create(name="Kikinda")
    form = _form(admin(reverse("group_members:add")), "alias")
    form["alias"] = "Dušica"
    form["code"] = "NS-0043"
    form["age_band"] = AgeBand.AGE_35_44
    form["municipality"] = str(kikinda.pk)
    form["target_group"] = TargetGroup.RURAL
    assert form.submit().status_code == 302
    her = Member.objects.get(code="NS-0043")
    assert (her.age_band, her.municipality, her.target_group) == ("35_44", kikinda, "rural")
    assert AuditEntry.objects.filter(object_id=str(her.pk), action="create").count() == 1

    form = _form(admin(reverse("group_members:edit", args=[her.pk])), "alias")
    assert form["age_band"].value == "35_44" and form["municipality"].value == str(kikinda.pk)
    form["age_band"] = ""
    form["municipality"] = ""
    form["target_group"] = ""
    assert form.submit().status_code == 302
    her.refresh_from_db()
    assert (her.age_band, her.municipality, her.target_group) == ("", None, "")


def test_the_member_service_refuses_an_age_band_not_on_the_list(db):
    with pytest.raises(ValidationError):
        member_create(alias="Dušica", age_band="40")
    assert not Member.objects.exists()


def test_a_member_who_belonged_to_a_cohort_cannot_be_deleted(admin, cohort, add_members):
    (membership,) = add_members(cohort, 1)
    page = _delete(admin, "group_members", membership.member_id)
    assert "anonymised" in page.text or "prevent it from being deleted" in page.text
    assert Member.objects.filter(pk=membership.member_id).exists()


# Searching members without putting an alias in a URL -------------------------------------------------------


def test_member_search_is_posted_and_keeps_the_alias_out_of_the_url(admin, django_app, cohort, add_members):
    add_members(cohort, 3)
    member_create(alias="Snežana", code="NS-5555")
    page = admin(reverse("group_members:index"))
    assert 'name="q"' not in page.text  # Wagtail's GET search box is gone
    form = page.forms["find-form"]
    assert form.method.upper() == "POST"
    form["find"] = "Snež"
    results = form.submit()
    assert results.request.url.endswith(reverse("group_members:index"))
    assert "Snežana" in results.text and "Alias 01" not in results.text
    # A query in the URL, as an old bookmark would carry it, filters nothing.
    assert "Alias 01" in admin(reverse("group_members:index") + "?q=Sne").text


def test_membership_search_is_posted_too(admin, cohort, add_members):
    (first, second) = add_members(cohort, 2)
    form = admin(reverse("group_memberships:index")).forms["find-form"]
    form["find"] = first.member.code
    results = form.submit()
    assert first.member.alias in results.text and second.member.alias not in results.text


@pytest.mark.parametrize("viewset", ["group_memberships", "group_sessions"])
def test_the_cohort_filter_names_every_cohort_and_filters_by_the_one_chosen(
    admin, make_cohort, add_members, add_session, facilitator, viewset
):
    """Its choices are written by core.forms.QuickSelect: the form as rendered still filters."""
    cohorts = [make_cohort(facilitators=[facilitator], name=name) for name in ("Novi Sad", "Subotica")]
    for cohort in cohorts:
        add_members(cohort, 1)
        add_session(cohort, dates.now() - timedelta(days=1), topic=f"Topic of {cohort.name}")
    page = admin(reverse(f"{viewset}:index"))
    form = next(form for form in page.forms.values() if "cohort" in form.fields)
    assert {text for _value, _selected, text in form["cohort"].options} >= {"Novi Sad", "Subotica"}
    form["cohort"] = str(cohorts[1].pk)
    results = form.submit()
    if viewset == "group_sessions":
        assert "Topic of Subotica" in results.text and "Topic of Novi Sad" not in results.text
    else:
        member = cohorts[1].memberships.get().member
        other = cohorts[0].memberships.get().member
        assert member.alias in results.text and other.alias not in results.text


def test_the_cohort_filters_offer_the_cohorts_of_now_and_an_older_one_from_the_cohorts_listing(
    admin, make_cohort, add_members, add_session, facilitator, clock, monkeypatch
):
    """One running or upcoming cohort (no end yet counts as running) and one ended are offered; a cohort
    that ended before it is reached from its row of the cohorts listing, on the last day of a month."""
    from core import admin_listings

    monkeypatch.setattr(admin_listings, "SHORTLIST_EACH", 1)
    today = clock(dates.today().replace(day=1) - timedelta(days=1)).date()
    old = make_cohort(name="Old", start_date=today - timedelta(days=400), end_date=today - timedelta(days=200))
    ended = make_cohort(name="Ended", start_date=today - timedelta(days=100), end_date=today - timedelta(days=1))
    running = make_cohort(name="Running", start_date=today - timedelta(days=30))
    later = make_cohort(name="Later", start_date=today + timedelta(days=60), end_date=today + timedelta(days=90))
    for cohort in (old, ended, running, later):
        add_members(cohort, 1)
        add_session(cohort, dates.start_of_day(cohort.start_date) + timedelta(hours=18), topic=f"Topic of {cohort}")
    for viewset in ("group_memberships", "group_sessions"):
        page = admin(reverse(f"{viewset}:index"))
        form = next(form for form in page.forms.values() if "cohort" in form.fields)
        assert {text for _value, _selected, text in form["cohort"].options} - {"---------"} == {"Ended", "Running"}
        assert "For an older one, open it from the cohorts listing." in page.text
    cohorts = admin(reverse("group_cohorts:index"))
    sessions = cohorts.click(href=rf"{reverse('group_sessions:index')}\?cohort={old.pk}$")
    assert "Topic of Old" in sessions.text and "Topic of Running" not in sessions.text
    memberships = cohorts.click(href=rf"{reverse('group_memberships:index')}\?cohort={old.pk}$")
    chosen = next(form for form in memberships.forms.values() if "cohort" in form.fields)
    assert chosen["cohort"].value == str(old.pk)
    assert old.memberships.get().member.alias in memberships.text
    assert running.memberships.get().member.alias not in memberships.text


# Listings keep a constant number of queries -----------------------------------------------------------------


@pytest.fixture
def sized_groups(make_cohort, add_members, add_session, facilitator):
    def _make(size):
        for n in range(size // 5):
            cohort = make_cohort(facilitators=[facilitator], name=f"Cohort {size}-{n}")
            add_members(cohort, 5)
            for week in range(3):
                add_session(cohort, dates.now() - timedelta(weeks=week, minutes=1), topic=f"Topic {week}")

    return _make


@pytest.mark.parametrize("size", [10, 50])
@pytest.mark.parametrize(
    ("viewset", "ceiling"),
    [
        # Measured: 12, 13, 13, 14 and 13 at both sizes; a little room for the audit entry a list writes.
        ("group_programmes", 14),
        ("group_cohorts", 15),
        ("group_members", 16),
        ("group_memberships", 17),
        ("group_sessions", 15),
    ],
)
def test_admin_listings_run_a_constant_number_of_queries(
    viewset, ceiling, size, sized_groups, admin, django_assert_max_num_queries
):
    sized_groups(size)
    admin(reverse(f"{viewset}:index"))  # warm caches (content types, site, permissions)
    with django_assert_max_num_queries(ceiling, info=viewset):
        admin(reverse(f"{viewset}:index"))


@pytest.mark.parametrize("size", [2, 12])
def test_the_group_programme_listing_runs_a_constant_number_of_queries(
    size, admin, add_members, django_assert_max_num_queries
):
    # The listings above share one programme; here each programme has its own cohort with members, so a row
    # that fetched its cohorts (or their members) would add queries with every programme.
    for n in range(size):
        programme = GroupProgramme.objects.create(name=f"Majke zajedno {n + 1:02d}", target_group="Majke")
        cohort = Cohort.objects.create(
            programme=programme, name=f"Cohort {n + 1}", start_date=dates.today() - timedelta(days=30), capacity=10
        )
        add_members(cohort, 2)
    url = reverse("group_programmes:index")
    admin(url)  # warm caches (content types, site, permissions)
    # Measured on SQLite: 12 queries at 2 and at 12 programmes.
    with django_assert_max_num_queries(13):
        page = admin(url)
    assert page.text.count("Majke zajedno ") >= size
