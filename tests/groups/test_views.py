import io
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from audit.models import AuditEntry
from core.enums import AttendanceStatus
from groups.dashboard import facilitator_panel
from groups.models import Attendance, GroupSession
from tests.helpers import tokened

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


@pytest.fixture
def other_cohort(make_cohort, make_user, add_members, add_session):
    cohort = make_cohort(facilitators=[make_user(Role.FACILITATOR)], name="Other group Zrenjanin")
    add_members(cohort, 2)
    session = add_session(cohort, timezone.now() - timedelta(minutes=1))
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
        reverse("groups:session_notes", args=[session.pk]),
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
    member_id = other_cohort.memberships.first().member_id
    client = client_for(facilitator)
    url = reverse("groups:session_attendance", args=[session.pk])
    assert client.post(url, tokened({f"m-{member_id}": P})).status_code == 404
    assert client.post(reverse("groups:session_notes", args=[session.pk]), {"notes": "x"}).status_code == 404
    assert not Attendance.objects.exists()
    session.refresh_from_db()
    assert session.notes == "Private notes of another group"


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


def test_take_attendance_through_the_form_then_see_it_in_the_overview(
    client_for, facilitator, cohort, add_members, today_session
):
    first, second, third = add_members(cohort, 3, children_count=2)
    client = client_for(facilitator)
    url = reverse("groups:session_attendance", args=[today_session.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert f'name="m-{first.member_id}"' in page.content.decode()
    data = {f"m-{first.member_id}": P, f"c-{first.member_id}": "2", f"m-{second.member_id}": A}
    response = client.post(url, tokened(data), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Attendance saved" in response.content.decode()
    client.post(url, tokened(data))  # saving again is idempotent

    assert Attendance.objects.count() == 2
    assert Attendance.objects.get(member=first.member).children_present == 2
    assert Attendance.objects.get(member=first.member).recorded_by == facilitator

    overview = client.get(reverse("groups:cohort_overview", args=[cohort.pk])).content.decode()
    assert "cell-present" in overview and "cell-absent" in overview
    assert "100%" in overview and "0%" in overview
    assert AuditEntry.objects.filter(action="view").exists()


@pytest.mark.parametrize(
    "problem",
    ["not_member", "cancelled", "far_future", "bad_status", "bad_children"],
)
def test_attendance_bad_input_shows_a_message_and_saves_nothing(
    problem, client_for, facilitator, cohort, make_cohort, add_members, add_session, today_session
):
    (membership,) = add_members(cohort, 1)
    session = today_session
    data = {f"m-{membership.member_id}": P}
    if problem == "not_member":
        (stranger,) = add_members(make_cohort(name="Elsewhere"), 1)
        data[f"m-{stranger.member_id}"] = P
    elif problem == "cancelled":
        GroupSession.objects.filter(pk=session.pk).update(cancelled=True, cancel_reason="Illness")
    elif problem == "far_future":
        session = add_session(cohort, timezone.now() + timedelta(days=30))
    elif problem == "bad_status":
        data[f"m-{membership.member_id}"] = "maybe"
    elif problem == "bad_children":
        data[f"c-{membership.member_id}"] = "lots"

    response = client_for(facilitator).post(reverse("groups:session_attendance", args=[session.pk]), data)

    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_excuse_in_advance_from_the_cohort_page(client_for, facilitator, cohort, add_members, add_session):
    (membership,) = add_members(cohort, 1)
    upcoming = add_session(cohort, timezone.now() + timedelta(days=7))
    client = client_for(facilitator)
    page = client.get(reverse("groups:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Excuse an absence in advance" in page
    response = client.post(
        reverse("groups:attendance_excuse", args=[cohort.pk]),
        {"member": membership.member_id, "session": upcoming.pk},
        follow=True,
    )
    assert "excused" in response.content.decode()
    assert Attendance.objects.get().status == E


def test_excuse_for_a_foreign_member_is_refused(client_for, facilitator, cohort, other_cohort, add_session):
    upcoming = add_session(cohort, timezone.now() + timedelta(days=7))
    stranger = other_cohort.memberships.first().member
    response = client_for(facilitator).post(
        reverse("groups:attendance_excuse", args=[cohort.pk]), {"member": stranger.pk, "session": upcoming.pk}
    )
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_session_notes_are_saved_encrypted_and_audited(client_for, facilitator, coordinator, cohort, today_session):
    url = reverse("groups:session_notes", args=[today_session.pk])
    client = client_for(facilitator)
    client.post(url, tokened({"notes": "The group talked about supervised contact."}))
    today_session.refresh_from_db()
    assert today_session.notes == "The group talked about supervised contact."
    raw = GroupSession.objects.filter(pk=today_session.pk).values_list("notes", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM groups_groupsession WHERE id = %s", [today_session.pk])
        stored = cursor.fetchone()[0]
    assert "supervised" not in stored and raw
    assert "supervised contact" in client_for(coordinator).get(url).content.decode()
    assert AuditEntry.objects.filter(detail="session notes").exists()


def test_schedule_form_creates_sessions(client_for, facilitator, cohort):
    response = client_for(facilitator).post(
        reverse("groups:cohort_schedule", args=[cohort.pk]),
        tokened(
            {
                "first_date": "2026-12-01",
                "start_time": "17:30",
                "duration_minutes": "90",
                "count": "4",
                "interval_weeks": "2",
                "skip_dates": "2026-12-29",
                "topic": "",
                "room": "",
            }
        ),
    )
    assert response.status_code == 302
    starts = [timezone.localtime(s.start).date().isoformat() for s in GroupSession.objects.order_by("start")]
    assert starts == ["2026-12-01", "2026-12-15", "2027-01-12", "2027-01-26"]


def test_schedule_form_bad_input_creates_nothing(client_for, coordinator, cohort, add_session):
    from tests.groups.conftest import local

    add_session(cohort, local(2026, 12, 8, 18))
    client = client_for(coordinator)
    url = reverse("groups:cohort_schedule", args=[cohort.pk])
    base = {"first_date": "2026-12-01", "start_time": "18:00", "duration_minutes": "90", "count": "3"}
    response = client.post(url, tokened({**base, "interval_weeks": "1"}))
    assert "overlap" in response.content.decode()
    response = client.post(url, tokened({**base, "interval_weeks": "1", "skip_dates": "next tuesday"}))
    assert "is not a date" in response.content.decode()
    assert GroupSession.objects.count() == 1


def test_overview_xlsx_holds_aliases_only(client_for, facilitator, cohort, add_members, today_session):
    from openpyxl import load_workbook

    memberships = add_members(cohort, 2)
    for membership in memberships:
        Attendance.objects.create(session=today_session, member=membership.member, status=P)
    response = client_for(facilitator).get(reverse("groups:cohort_overview_xlsx", args=[cohort.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Alias 01" in values or any(str(v).startswith("Alias") for v in values)
    assert not any(str(v).startswith("T-") for v in values)  # no internal codes
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_home_panel_lists_followups_and_next_sessions(client_for, facilitator, cohort, add_members, add_session):
    (membership,) = add_members(cohort, 1)
    for days in (14, 7):
        session = add_session(cohort, timezone.now() - timedelta(days=days))
        Attendance.objects.create(session=session, member=membership.member, status=A)
    add_session(cohort, timezone.now() + timedelta(days=2))
    page = client_for(facilitator).get(reverse("home")).content.decode()
    assert "Follow up" in page
    assert membership.member.alias in page
    assert "Next sessions" in page


# Query ceilings: the same at 5 and at 40 members (and 20 sessions).
@pytest.fixture
def sized_cohort(cohort, add_members, add_session):
    def _make(size):
        memberships = add_members(cohort, size, children_count=1)
        now = timezone.now()
        sessions = [add_session(cohort, now - timedelta(days=7 * n, minutes=1)) for n in range(20)]
        Attendance.objects.bulk_create(
            Attendance(session=s, member=m.member, status=P if (i + j) % 3 else A)
            for i, s in enumerate(sessions)
            for j, m in enumerate(memberships)
        )
        return sessions[0]

    return _make


@pytest.mark.parametrize("size", [5, 40])
def test_pages_run_a_constant_number_of_queries(
    size, sized_cohort, client_for, facilitator, cohort, django_assert_max_num_queries
):
    session = sized_cohort(size)
    client = client_for(facilitator)
    client.get(reverse("groups:my_cohorts"))  # warm caches (content types, roles)
    members = list(cohort.memberships.values_list("member_id", flat=True))
    pages = {
        "attendance": (reverse("groups:session_attendance", args=[session.pk]), 10),
        "cohort": (reverse("groups:cohort_detail", args=[cohort.pk]), 10),
        "overview": (reverse("groups:cohort_overview", args=[cohort.pk]), 10),
        "xlsx": (reverse("groups:cohort_overview_xlsx", args=[cohort.pk]), 10),
        "my_cohorts": (reverse("groups:my_cohorts"), 6),
    }
    for name, (url, ceiling) in pages.items():
        with django_assert_max_num_queries(ceiling, info=name):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(16, info="save"):
        response = client.post(reverse("groups:session_attendance", args=[session.pk]), {f"m-{m}": E for m in members})
        assert response.status_code == 302
    # The home-page panel alone: other apps add their own panels to that page.
    request = RequestFactory().get("/")
    request.user = facilitator
    with django_assert_max_num_queries(6, info="panel"):
        panel = facilitator_panel(request)
    assert len(panel.context["followups"]) == 0


def test_attendance_page_shows_changes_made_after_the_session_day(
    client_for, facilitator, coordinator, cohort, add_members, add_session
):
    (membership,) = add_members(cohort, 1)
    session = add_session(cohort, timezone.now() - timedelta(days=3))
    url = reverse("groups:session_attendance", args=[session.pk])
    client_for(facilitator).post(url, tokened({f"m-{membership.member_id}": A}))
    client = client_for(coordinator)
    client.post(url, tokened({f"m-{membership.member_id}": E}))
    page = client.get(url).content.decode()
    assert "Changed after the session day" in page
    assert "Absent → Excused" in page and coordinator.email in page


def test_schedule_form_sent_twice_adds_the_sessions_once(client_for, facilitator, cohort):
    data = tokened(
        {
            "first_date": "2026-12-01",
            "start_time": "17:30",
            "duration_minutes": "90",
            "count": "3",
            "interval_weeks": "1",
        }
    )
    client = client_for(facilitator)
    url = reverse("groups:cohort_schedule", args=[cohort.pk])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert "This form was already sent" in again.content.decode()
    assert GroupSession.objects.filter(cohort=cohort).count() == 3
