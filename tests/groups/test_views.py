import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts.enums import Role
from audit.models import AuditEntry
from core import dates
from core.enums import AttendanceStatus
from groups import views
from groups.dashboard import facilitator_panel
from groups.models import Attendance, AttendanceChange, FollowUpAction, GroupSession, Member
from groups.services import Mark, attendance_record
from tests.helpers import queries_of, rendered

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


@pytest.fixture
def other_cohort(make_cohort, make_user, add_members, add_session):
    cohort = make_cohort(facilitators=[make_user(Role.FACILITATOR)], name="Other group Zrenjanin")
    add_members(cohort, 2)
    session = add_session(cohort, dates.now() - timedelta(minutes=1))
    session.notes = "Private notes of another group"
    session.save()
    return cohort


def _foreign_urls(cohort):
    session = cohort.sessions.first()
    return [
        reverse("groups:cohort_detail", args=[cohort.pk]),
        reverse("groups:cohort_overview", args=[cohort.pk]),
        reverse("groups:cohort_overview_xlsx", args=[cohort.pk]),
        reverse("groups:cohort_schedule", args=[cohort.pk]),
        reverse("groups:session_attendance", args=[session.pk]),
        reverse("groups:session_attendance", args=[session.pk]) + "?device=1",
        reverse("groups:session_notes", args=[session.pk]),
        reverse("groups:session_cancel", args=[session.pk]),
        reverse("groups:session_sign_in_sheet", args=[session.pk]),
    ]


def test_facilitator_gets_404_for_another_cohort(client_for, facilitator, cohort, other_cohort):
    client = client_for(facilitator)
    for url in _foreign_urls(other_cohort):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Alias" not in response.content
        assert b"Private notes" not in response.content


def test_foreign_post_changes_nothing(client_for, facilitator, cohort, other_cohort):
    session = other_cohort.sessions.first()
    membership = other_cohort.memberships.first()
    client = client_for(facilitator)
    url = reverse("groups:session_attendance", args=[session.pk])
    # crafted: another group's pages are not hers; nothing here is offered to her.
    assert client.post(url, {f"m-{membership.member_id}": P}).status_code == 404
    assert client.post(reverse("groups:session_notes", args=[session.pk]), {"notes": "x"}).status_code == 404
    assert client.post(reverse("groups:session_cancel", args=[session.pk]), {"reason": "x"}).status_code == 404
    followup = {"membership": membership.pk, "session": session.pk, "step": "resolved"}
    assert client.post(reverse("groups:followup_step"), followup).status_code == 404
    assert not Attendance.objects.exists()
    session.refresh_from_db()
    assert session.notes == "Private notes of another group" and not session.cancelled


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.COUNSELOR, Role.TRAINER])
def test_other_roles_see_no_cohort(client_for, make_user, cohort, role):
    client = client_for(make_user(role))
    assert client.get(reverse("groups:cohort_detail", args=[cohort.pk])).status_code == 404
    assert cohort.name not in client.get(reverse("groups:my_cohorts")).content.decode()


def test_anonymous_is_sent_to_login(client, cohort):
    response = client.get(reverse("groups:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_my_cohorts_lists_own_for_facilitator_and_all_for_coordinator(
    client_for, facilitator, coordinator, cohort, other_cohort
):
    page = client_for(facilitator).get(reverse("groups:my_cohorts")).content.decode()
    assert cohort.name in page and other_cohort.name not in page
    page = client_for(coordinator).get(reverse("groups:my_cohorts")).content.decode()
    assert cohort.name in page and other_cohort.name in page


def _cohorts(make_cohort, count, *, first=0, **extra):
    """`count` cohorts, the later ones started earlier: the list shows them in the order made."""
    return [
        make_cohort(name=f"Grupa {first + n:03d}", start_date=dates.today() - timedelta(days=first + n), **extra)
        for n in range(count)
    ]


def test_the_coordinators_cohort_list_comes_a_page_at_a_time(client_for, coordinator, make_cohort):
    per_page = views.COHORTS_PER_PAGE
    cohorts = _cohorts(make_cohort, per_page + 3)
    web = client_for(coordinator)

    first = web.get(reverse("groups:my_cohorts"))
    assert [c.pk for c in first.context["cohorts"]] == [c.pk for c in cohorts[:per_page]]
    html = first.content.decode()
    assert html.count('<li class="card">') == per_page
    assert 'href="?page=2" rel="next"' in html and "Page 1 of 2" in html and 'aria-label="Pages"' in html
    assert f"Groups 1 to {per_page} of {per_page + 3}." in html

    second = web.get(reverse("groups:my_cohorts"), {"page": 2})
    assert [c.pk for c in second.context["cohorts"]] == [c.pk for c in cohorts[per_page:]]
    assert 'href="?page=1" rel="prev"' in second.content.decode()


@pytest.mark.parametrize(("asked", "shown"), [("99", 2), ("0", 2), ("x", 1), ("", 1)])
def test_a_cohort_page_out_of_range_or_not_a_number_gives_the_nearest_page(
    client_for, coordinator, make_cohort, asked, shown
):
    _cohorts(make_cohort, views.COHORTS_PER_PAGE + 1)
    response = client_for(coordinator).get(reverse("groups:my_cohorts"), {"page": asked})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_the_cohort_list_makes_as_many_queries_at_three_times_the_cohorts(
    client_for, coordinator, make_cohort, add_members
):
    web = client_for(coordinator)
    url = reverse("groups:my_cohorts")
    for cohort in _cohorts(make_cohort, 60):
        add_members(cohort, 2)
    once = [queries_of(web, url, {"page": page}) for page in (1, 2)]
    for cohort in _cohorts(make_cohort, 120, first=60):
        add_members(cohort, 2)
    assert [queries_of(web, url, {"page": page}) for page in (1, 4)] == once
    assert once[0] <= 8


def test_a_facilitator_pages_through_her_own_cohorts_only(client_for, facilitator, make_cohort):
    mine = _cohorts(make_cohort, views.COHORTS_PER_PAGE + 1, facilitators=[facilitator])
    _cohorts(make_cohort, 5, first=500)
    response = client_for(facilitator).get(reverse("groups:my_cohorts"), {"page": 2})
    assert response.context["page_obj"].paginator.count == len(mine)
    assert [c.pk for c in response.context["cohorts"]] == [mine[-1].pk]


def test_a_coordinator_without_cohorts_is_told_there_are_none_yet(client_for, coordinator):
    page = client_for(coordinator).get(reverse("groups:my_cohorts")).content.decode()
    assert "No groups yet." in page and 'aria-label="Pages"' not in page


def test_take_attendance_through_the_form_then_see_it_in_the_overview(
    django_app, facilitator, cohort, add_members, today_session
):
    first, second, third = add_members(cohort, 3, children_count=2)
    url = reverse("groups:session_attendance", args=[today_session.pk])

    form = django_app.get(url, user=facilitator).forms["attendance-form"]
    form[f"m-{first.member_id}"] = P
    form[f"c-{first.member_id}"] = "2"
    form[f"m-{second.member_id}"] = A
    page = form.submit(name=None).follow()
    assert "Attendance saved" in page.text
    page.forms["attendance-form"].submit().follow()  # saving again is idempotent

    assert Attendance.objects.count() == 2
    assert Attendance.objects.get(member=first.member).children_present == 2
    assert Attendance.objects.get(member=first.member).recorded_by == facilitator
    assert AttendanceChange.objects.count() == 2

    overview = django_app.get(reverse("groups:cohort_overview", args=[cohort.pk]), user=facilitator).text
    assert "cell-present" in overview and "cell-absent" in overview
    assert "100%" in overview and "0%" in overview
    assert AuditEntry.objects.filter(action="view").exists()


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_overview_writes_every_cell_as_the_grid_has_it(
    django_app, facilitator, cohort, add_members, add_session, language
):
    """Every look of a cell (present, absent, excused, not marked, not a member then), as the grid names it, in
    the page's language: the cells are written from one rendering of each look."""
    from bs4 import BeautifulSoup
    from django.utils import translation

    from accounts.models import Profile
    from groups.selectors import cohort_attendance_grid

    now = dates.now()
    sessions = [add_session(cohort, now - timedelta(days=days)) for days in (21, 14, 7)]
    early, late = add_members(cohort, 1) + add_members(cohort, 1, joined_on=dates.local_date(sessions[1].start))
    attendance_record(session=sessions[1], marks={early.member_id: Mark(P), late.member_id: Mark(A)}, by=facilitator)
    attendance_record(session=sessions[2], marks={early.member_id: Mark(E)}, by=facilitator)
    Profile.objects.filter(user=facilitator).update(preferred_language=language)
    page = django_app.get(reverse("groups:cohort_overview", args=[cohort.pk]), user=facilitator)
    cells = [
        [
            (td["class"][0], td.contents[0] if len(td.contents) > 1 else "", td.span.get_text())
            for td in tr.find_all("td")[:-1]
        ]
        for tr in BeautifulSoup(page.text, "html.parser").select("table.attendance-grid tbody tr")
    ]
    with translation.override(language):
        grid = cohort_attendance_grid(cohort=cohort)
        expected = [[(cell.css, cell.symbol, cell.label) for cell in row.cells] for row in grid.rows]
    assert cells == expected
    looks = {look for row in expected for look in row}
    assert len(looks) == 5, looks


def test_mark_everyone_present_fills_the_unmarked_rows_then_she_changes_one(
    django_app, facilitator, cohort, add_members, today_session
):
    memberships = add_members(cohort, 4)
    url = reverse("groups:session_attendance", args=[today_session.pk])
    form = django_app.get(url, user=facilitator).forms["attendance-form"]
    form[f"m-{memberships[0].member_id}"] = E
    page = form.submit("all_present")
    assert "Everyone not marked yet is set to present" in page.text
    assert not Attendance.objects.exists()  # nothing saved yet: she may still change the absent ones

    form = page.forms["attendance-form"]
    assert [form[f"m-{m.member_id}"].value for m in memberships] == [E, P, P, P]
    form[f"m-{memberships[3].member_id}"] = A
    form.submit(name=None).follow()
    assert dict(Attendance.objects.values_list("member_id", "status")) == {
        memberships[0].member_id: E,
        memberships[1].member_id: P,
        memberships[2].member_id: P,
        memberships[3].member_id: A,
    }


@pytest.mark.parametrize("problem", ["not_member", "bad_status", "bad_children"])
def test_attendance_bad_input_shows_a_message_and_saves_nothing(
    problem, client_for, facilitator, cohort, make_cohort, add_members, today_session
):
    (membership,) = add_members(cohort, 1)
    data = {f"m-{membership.member_id}": P}
    if problem == "not_member":
        (stranger,) = add_members(make_cohort(name="Elsewhere"), 1)
        data[f"m-{stranger.member_id}"] = P
    elif problem == "bad_status":
        data[f"m-{membership.member_id}"] = "maybe"
    elif problem == "bad_children":
        data[f"c-{membership.member_id}"] = "lots"

    # crafted: a member of another group, a status or a number of children that the page does not offer.
    response = client_for(facilitator).post(reverse("groups:session_attendance", args=[today_session.pk]), data)

    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("state", ["future", "cancelled"])
def test_future_and_cancelled_sessions_are_shown_read_only_with_the_reason(
    state, django_app, client_for, facilitator, cohort, add_members, add_session
):
    add_members(cohort, 2)
    if state == "future":
        session = add_session(cohort, dates.now() + timedelta(days=3))
        reason = "has not started yet"
    else:
        session = add_session(cohort, dates.now() - timedelta(hours=1), cancelled=True, cancel_reason="Snow")
        reason = "was cancelled"
    page = django_app.get(reverse("groups:session_attendance", args=[session.pk]), user=facilitator)
    assert reason in page.text
    assert "attendance-form" not in page.forms
    assert "Alias" in page.text and "not marked" in page.text  # who is on the list, read-only

    # A post the page never offered is refused with the same words and saves nothing.
    response = client_for(facilitator).post(
        reverse("groups:session_attendance", args=[session.pk]), {f"m-{cohort.memberships.first().member_id}": P}
    )
    assert reason in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_locked_period_shows_the_session_read_only_naming_the_period(
    django_app, facilitator, cohort, add_members, today_session, monkeypatch
):
    from django.core.exceptions import ValidationError

    import groups.services

    add_members(cohort, 1)

    def locked(*, project_id, on_date):
        raise ValidationError("The reporting period “Q4 2026” was locked by Mira.")

    monkeypatch.setattr(groups.services, "period_guard", locked)
    page = django_app.get(reverse("groups:session_attendance", args=[today_session.pk]), user=facilitator)
    assert "Q4 2026" in page.text and "attendance-form" not in page.forms


def test_members_with_the_same_alias_are_told_apart(django_app, facilitator, cohort, today_session):
    from groups.models import Membership

    for code in ("NS-0001", "NS-0042"):
        member = Member.objects.create(alias="Ana", code=code)
        Membership.objects.create(cohort=cohort, member=member, joined_on=cohort.start_date)
    page = django_app.get(reverse("groups:session_attendance", args=[today_session.pk]), user=facilitator)
    assert "Ana · 0001" in page.text and "Ana · 0042" in page.text
    sheet = django_app.get(reverse("groups:session_sign_in_sheet", args=[today_session.pk]), user=facilitator)
    assert "Ana · 0001" in sheet.text and "Ana · 0042" in sheet.text


def test_printable_sign_in_sheet_holds_aliases_only(django_app, facilitator, cohort, add_members, today_session):
    memberships = add_members(cohort, 3, children_count=1)
    sheet = django_app.get(reverse("groups:session_sign_in_sheet", args=[today_session.pk]), user=facilitator)
    assert "Sign-in sheet" in sheet.text
    for membership in memberships:
        assert membership.member.alias in sheet.text
        assert membership.member.code not in sheet.text
    assert AuditEntry.objects.filter(action="export", detail__startswith="sign-in sheet").exists()


def test_cancelling_asks_first_then_cancels_and_tells_the_others(
    django_app, facilitator, make_user, cohort, add_session, django_capture_on_commit_callbacks
):
    colleague = make_user(Role.FACILITATOR)
    cohort.facilitators.add(colleague)
    session = add_session(cohort, dates.now() + timedelta(days=2))
    page = django_app.get(reverse("groups:cohort_detail", args=[cohort.pk]), user=facilitator)
    confirm = page.click(href=reverse("groups:session_cancel", args=[session.pk]))
    assert "Cancel this session?" in confirm.text
    session.refresh_from_db()
    assert not session.cancelled  # opening the page changes nothing

    form = confirm.forms["cancel-form"]
    assert form.submit().status_code == 200  # no reason: asked again
    form = confirm.forms["cancel-form"]
    form["reason"] = "The room is flooded"
    with django_capture_on_commit_callbacks(execute=True):
        done = form.submit().follow()
    assert "The session was cancelled" in done.text
    session.refresh_from_db()
    assert session.cancelled and session.sequence == 1
    assert [m.to for m in mail.outbox] == [[colleague.email]]


def test_excuse_in_advance_from_the_cohort_page(django_app, facilitator, cohort, add_members, add_session):
    (membership,) = add_members(cohort, 1)
    upcoming = add_session(cohort, dates.now() + timedelta(days=7))
    page = django_app.get(reverse("groups:cohort_detail", args=[cohort.pk]), user=facilitator)
    form = page.forms["excuse-form"]
    form["member"] = str(membership.member_id)
    form["session"] = str(upcoming.pk)
    assert "excused" in form.submit().follow().text
    assert Attendance.objects.get().status == E


def test_excuse_for_a_foreign_member_is_refused(client_for, facilitator, cohort, other_cohort, add_session):
    upcoming = add_session(cohort, dates.now() + timedelta(days=7))
    stranger = other_cohort.memberships.first().member
    # crafted: the excuse form offers only her group's members.
    response = client_for(facilitator).post(
        reverse("groups:attendance_excuse", args=[cohort.pk]), {"member": stranger.pk, "session": upcoming.pk}
    )
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_session_notes_are_saved_encrypted_and_audited(django_app, facilitator, coordinator, cohort, today_session):
    url = reverse("groups:session_notes", args=[today_session.pk])
    form = django_app.get(url, user=facilitator).forms["notes-form"]
    form["notes"] = "The group talked about supervised contact."
    form.submit()
    today_session.refresh_from_db()
    assert today_session.notes == "The group talked about supervised contact."
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM groups_groupsession WHERE id = %s", [today_session.pk])
        stored = cursor.fetchone()[0]
    assert "supervised" not in stored
    assert "supervised contact" in django_app.get(url, user=coordinator).text
    assert AuditEntry.objects.filter(detail="session notes").exists()


def test_schedule_form_creates_sessions(django_app, facilitator, cohort):
    form = django_app.get(reverse("groups:cohort_schedule", args=[cohort.pk]), user=facilitator).forms["schedule-form"]
    form["first_date"] = "2026-12-01"
    form["start_time"] = "17:30"
    form["count"] = "4"
    form["interval_weeks"] = "2"
    form["skip_dates"] = "2026-12-29"
    assert "4 sessions were added" in form.submit().follow().text
    starts = [dates.local_date(s.start).isoformat() for s in GroupSession.objects.order_by("start")]
    assert starts == ["2026-12-01", "2026-12-15", "2027-01-12", "2027-01-26"]


def test_schedule_form_says_one_session_in_the_singular(django_app, facilitator, cohort):
    form = django_app.get(reverse("groups:cohort_schedule", args=[cohort.pk]), user=facilitator).forms["schedule-form"]
    form["first_date"] = "2026-12-01"
    form["start_time"] = "17:30"
    form["count"] = "1"
    assert "1 session was added" in form.submit().follow().text


def test_schedule_form_bad_input_creates_nothing(client_for, coordinator, cohort, add_session):
    from tests.groups.conftest import local

    add_session(cohort, local(2026, 12, 8, 18))
    client = client_for(coordinator)
    url = reverse("groups:cohort_schedule", args=[cohort.pk])
    base = {"first_date": "2026-12-01", "start_time": "18:00", "duration_minutes": "90", "count": "3"}
    response = client.post(url, rendered(client, url, {**base, "interval_weeks": "1"}))
    assert "overlap" in response.content.decode()
    response = client.post(url, rendered(client, url, {**base, "interval_weeks": "1", "skip_dates": "next tuesday"}))
    assert "is not a date" in response.content.decode()
    assert GroupSession.objects.count() == 1


def test_schedule_form_sent_twice_adds_the_sessions_once(django_app, facilitator, cohort):
    form = django_app.get(reverse("groups:cohort_schedule", args=[cohort.pk]), user=facilitator).forms["schedule-form"]
    form["first_date"] = "2026-12-01"
    form["start_time"] = "17:30"
    form["count"] = "3"
    assert form.submit().status_code == 302
    assert "This form was already sent" in form.submit().text
    assert GroupSession.objects.filter(cohort=cohort).count() == 3


def test_overview_xlsx_holds_aliases_only(client_for, facilitator, cohort, add_members, today_session):
    from openpyxl import load_workbook

    memberships = add_members(cohort, 2)
    for membership in memberships:
        Attendance.objects.create(session=today_session, member=membership.member, status=P)
    response = client_for(facilitator).get(reverse("groups:cohort_overview_xlsx", args=[cohort.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert any(str(v).startswith("Alias") for v in values)
    assert not any(str(v).startswith("T-") for v in values)  # no internal codes
    assert AuditEntry.objects.filter(action="export").exists()


# The facilitator's home page ------------------------------------------------------------------------------


def test_today_card_stays_after_the_start_until_every_member_is_marked(
    clock, django_app, facilitator, cohort, add_members, add_session
):
    from tests.groups.conftest import local

    memberships = add_members(cohort, 2)
    session = add_session(cohort, local(2028, 2, 29, 18))
    clock(local(2028, 2, 29, 9))
    home = django_app.get(reverse("home"), user=facilitator)
    assert "Today" in home.text and "0 of 2 members marked" in home.text

    clock(local(2028, 2, 29, 19))  # it has started: it stays
    home = django_app.get(reverse("home"), user=facilitator)
    assert "Today" in home.text
    attendance_record(session=session, marks={memberships[0].member_id: Mark(P)}, by=facilitator)
    assert "1 of 2 members marked" in django_app.get(reverse("home"), user=facilitator).text

    attendance_record(session=session, marks={memberships[1].member_id: Mark(A)}, by=facilitator)
    home = django_app.get(reverse("home"), user=facilitator)
    assert "of 2 members marked" not in home.text  # marked: it leaves the card


def test_follow_up_flag_stays_while_the_next_session_is_unmarked_and_can_be_acted_on(
    django_app, facilitator, cohort, add_members, add_session
):
    (membership, other) = add_members(cohort, 2)
    for days in (14, 7):
        session = add_session(cohort, dates.now() - timedelta(days=days))
        Attendance.objects.create(session=session, member=membership.member, status=A)
        Attendance.objects.create(session=session, member=other.member, status=P)
    add_session(cohort, dates.now() - timedelta(minutes=30))  # started, nobody marked yet

    home = django_app.get(reverse("home"), user=facilitator)
    assert "Follow up" in home.text and membership.member.alias in home.text
    home = _followup_form(home, "contacted").submit("step", value="contacted").follow()
    assert "contacted on" in home.text
    home = _followup_form(home, "resolved").submit("step", value="resolved").follow()
    assert "Follow up" not in home.text
    assert list(FollowUpAction.objects.values_list("step", flat=True)) == ["contacted", "resolved"]


def _followup_form(page, step):
    return next(
        form
        for form in page.forms.values()
        if form.action == reverse("groups:followup_step") and f'value="{step}"' in str(form.html)
    )


def test_home_panel_lists_next_sessions(client_for, facilitator, cohort, add_session):
    add_session(cohort, dates.now() + timedelta(days=2))
    page = client_for(facilitator).get(reverse("home")).content.decode()
    assert "Next sessions" in page


def test_attendance_page_shows_the_change_log_with_both_times(
    django_app, facilitator, coordinator, cohort, add_members, add_session
):
    (membership,) = add_members(cohort, 1)
    session = add_session(cohort, dates.now() - timedelta(days=3))
    url = reverse("groups:session_attendance", args=[session.pk])
    form = django_app.get(url, user=facilitator).forms["attendance-form"]
    form[f"m-{membership.member_id}"] = A
    form.submit(name=None)
    form = django_app.get(url, user=coordinator).forms["attendance-form"]
    form[f"m-{membership.member_id}"] = E
    page = form.submit(name=None).follow()
    assert "Change log (2 entries)" in page.text
    assert "Absent → Excused" in page.text and coordinator.email in page.text


# Offline: the screens a phone keeps, and marks sent later ----------------------------------------------------


def test_the_device_copy_holds_marks_and_aliases_but_no_change_log_or_notes(
    client_for, facilitator, cohort, add_members, add_session
):
    (membership,) = add_members(cohort, 1)
    session = add_session(cohort, dates.now() + timedelta(days=3))  # the form is kept, opened on the day
    session.notes = "Private notes"
    session.save()
    page = client_for(facilitator).get(reverse("groups:session_attendance", args=[session.pk]) + "?device=1")
    text = page.content.decode()
    assert membership.member.alias in text and 'id="attendance-form"' in text and "data-opens-at" in text
    assert "Private notes" not in text and "Session notes" not in text and "Change log" not in text
    assert "message-success" not in text


def test_coordinators_keep_nothing_on_the_device(client_for, coordinator, cohort, today_session):
    response = client_for(coordinator).get(reverse("groups:session_attendance", args=[today_session.pk]) + "?device=1")
    assert response.status_code == 404
    page = client_for(coordinator).get(reverse("groups:session_attendance", args=[today_session.pk])).content.decode()
    assert "haven-offline-keep" not in page and "data-offline-form" not in page


def test_the_keep_list_has_her_sessions_from_yesterday_to_a_week_ahead(
    clock, client_for, facilitator, cohort, add_session
):
    from tests.groups.conftest import local

    clock(local(2026, 3, 29, 9))  # the morning the clocks go forward
    kept = [add_session(cohort, local(2026, 3, 28, 18)), add_session(cohort, local(2026, 4, 5, 18))]
    add_session(cohort, local(2026, 3, 27, 18))  # two days ago
    add_session(cohort, local(2026, 4, 6, 18))  # eight days ahead
    add_session(cohort, local(2026, 3, 30, 18), cancelled=True, cancel_reason="Holiday")
    page = client_for(facilitator).get(reverse("groups:my_cohorts")).content.decode()
    keep = json.loads(page.split('id="haven-offline-keep" type="application/json">')[1].split("</script>")[0])
    assert [s["url"] for s in keep["screens"]] == [reverse("groups:session_attendance", args=[s.pk]) for s in kept]
    assert keep["scope"] == reverse("groups:my_cohorts") and keep["start"] == reverse("groups:offline")


def _sync(client, marks, *, from_form=False):
    return client.post(
        reverse("groups:attendance_sync"),
        json.dumps({"marks": marks, "from_form": from_form}),
        content_type="application/json",
    )


def test_sync_applies_marks_once_and_answers_for_each(client_for, facilitator, cohort, add_members, today_session):
    memberships = add_members(cohort, 2)
    marks = [
        {"id": f"phone-{n:06d}", "session": today_session.pk, "subject": m.member_id, "status": P, "children": 0,
         "marked_at": dates.now().isoformat(), "seen": None}
        for n, m in enumerate(memberships)
    ]  # fmt: skip
    client = client_for(facilitator)
    first = _sync(client, marks, from_form=True).json()
    again = _sync(client, marks).json()
    assert {r["outcome"] for r in first["results"]} == {"saved"}
    assert {r["outcome"] for r in again["results"]} == {"already"}
    assert Attendance.objects.count() == 2 and AttendanceChange.objects.count() == 2
    page = client.get(reverse("groups:session_attendance", args=[today_session.pk])).content.decode()
    assert "Attendance saved." in page and "from a phone" in page


def test_sync_refuses_a_foreign_session_per_mark_and_unreadable_requests(client_for, facilitator, cohort, other_cohort):
    session = other_cohort.sessions.first()
    mark = {"id": "phone-000099", "session": session.pk, "subject": other_cohort.memberships.first().member_id,
            "status": P, "marked_at": dates.now().isoformat()}  # fmt: skip
    client = client_for(facilitator)
    (result,) = _sync(client, [mark]).json()["results"]
    assert result["outcome"] == "refused"
    assert _sync(client, [{**mark, "marked_at": "yesterday"}]).status_code == 400
    assert _sync(client, [{**mark, "id": "x"}]).status_code == 400
    assert not Attendance.objects.exists()


def test_sync_after_the_login_ended_asks_to_log_in_again(client, cohort, today_session):
    response = _sync(client, [])
    assert response.status_code == 401 and response.json()["error"] == "login"


def test_service_worker_and_manifest_are_served_from_the_root(client_for, facilitator, client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert "importScripts" not in worker.content.decode() and "http" not in worker.content.decode().split("\n", 8)[-1]
    manifest = client_for(facilitator).get("/manifest.webmanifest").json()
    assert manifest["start_url"] == reverse("groups:offline")
    assert all(icon["src"].startswith("/static/") for icon in manifest["icons"])
    assert manifest["lang"] == "en" and manifest["description"].startswith("Attendance for self-support groups")


def test_the_manifest_speaks_her_language(facilitator):
    from django.test import Client

    from accounts.services import profile_language_set

    for language in ("da", "sr-latn"):
        profile_language_set(user=facilitator, language=language)
        phone = Client()  # a new sign-in: the session keeps the language it began with
        phone.force_login(facilitator)
        manifest = phone.get("/manifest.webmanifest").json()
        assert manifest["lang"] == language
        assert not manifest["description"].startswith("Attendance"), manifest["description"]


# Query ceilings: the same at 5 and at 40 members (and 20 sessions).
@pytest.fixture
def sized_cohort(cohort, add_members, add_session):
    def _make(size):
        memberships = add_members(cohort, size, children_count=1)
        now = dates.now()
        sessions = [add_session(cohort, now - timedelta(days=7 * n, minutes=1)) for n in range(20)]
        Attendance.objects.bulk_create(
            Attendance(session=s, member=m.member, status=P if (i + j) % 3 else A)
            for i, s in enumerate(sessions)
            for j, m in enumerate(memberships)
            if m.joined_on <= dates.local_date(s.start)
        )
        return sessions[0]

    return _make


@pytest.mark.parametrize("size", [5, 40])
def test_pages_run_a_constant_number_of_queries(
    size, sized_cohort, client_for, django_app, facilitator, cohort, django_assert_max_num_queries
):
    session = sized_cohort(size)
    client = client_for(facilitator)
    client.get(reverse("groups:my_cohorts"))  # warm caches (content types, roles)
    members = list(cohort.memberships.values_list("member_id", flat=True))
    # Each page's own queries plus the audit entry it writes (about 7, counted in the audit app's tests).
    pages = {
        "attendance": (reverse("groups:session_attendance", args=[session.pk]), 20),
        "device copy": (reverse("groups:session_attendance", args=[session.pk]) + "?device=1", 18),
        "sign-in sheet": (reverse("groups:session_sign_in_sheet", args=[session.pk]), 16),
        "cohort": (reverse("groups:cohort_detail", args=[cohort.pk]), 16),
        "overview": (reverse("groups:cohort_overview", args=[cohort.pk]), 17),
        "xlsx": (reverse("groups:cohort_overview_xlsx", args=[cohort.pk]), 16),
        "my_cohorts": (reverse("groups:my_cohorts"), 8),
    }
    for name, (url, ceiling) in pages.items():
        with django_assert_max_num_queries(ceiling, info=name):
            assert client.get(url).status_code == 200
    form = django_app.get(reverse("groups:session_attendance", args=[session.pk]), user=facilitator).forms[
        "attendance-form"
    ]
    for member in members:
        form[f"m-{member}"] = E
    with django_assert_max_num_queries(24, info="save"):
        assert form.submit(name=None).status_code == 302
    # The home-page panel alone: other apps add their own panels to that page.
    request = RequestFactory().get("/")
    request.user = facilitator
    with django_assert_max_num_queries(10, info="panel"):
        panel = facilitator_panel(request)
    assert len(panel.context["followups"]) == 0
