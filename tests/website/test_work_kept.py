"""Work is never lost: a form sent after the idle time-out, or refused by the CSRF check, comes back to her.

Both losses are reproduced as they happened (an attendance change saved after 16 idle minutes; a session
note typed in a tab whose security token another tab's login had replaced), through the pages' own forms.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.urls import reverse
from django.utils import translation

from core import dates
from core.enums import AttendanceStatus
from groups.enums import CohortStatus
from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
from tests.helpers import log_in_through_the_login_page, login_form
from website.middleware import KEPT_SESSION_KEY

PASSWORD = "a-long-test-pass"


@pytest.fixture
def cohort(db, facilitator):
    programme = GroupProgramme.objects.create(name="Majke zajedno", usual_session_count=12)
    cohort = Cohort.objects.create(
        programme=programme,
        name="Novi Sad",
        start_date=dates.today() - timedelta(days=120),
        status=CohortStatus.RUNNING,
    )
    cohort.facilitators.add(facilitator)
    return cohort


@pytest.fixture
def member(cohort):
    member = Member.objects.create(alias="Maja", code="T-1")
    Membership.objects.create(cohort=cohort, member=member, joined_on=cohort.start_date)
    return member


@pytest.fixture
def session_today(today, cohort):
    start = dates.now() - timedelta(minutes=1)
    return GroupSession.objects.create(cohort=cohort, start=start, end=start + timedelta(minutes=90))


def test_an_attendance_change_sent_after_the_idle_time_out_is_kept_and_sent_after_logging_in(
    django_app, facilitator, cohort, member, session_today, time_machine
):
    url = reverse("groups:session_attendance", args=[session_today.pk])
    log_in_through_the_login_page(django_app, facilitator)
    form = django_app.get(url).forms["attendance-form"]
    form[f"m-{member.pk}"] = AttendanceStatus.PRESENT

    time_machine.move_to(dates.now() + timedelta(seconds=settings.HAVEN_SESSION_IDLE_SECONDS["staff"] + 60))
    login_page = form.submit(name=None).follow()

    assert not Attendance.objects.exists()
    assert "You were logged out to protect the data here" in login_page.text
    assert "What you were saving has been kept" in login_page.text
    assert KEPT_SESSION_KEY in django_app.session
    assert "Alias" not in django_app.session[KEPT_SESSION_KEY]  # encrypted, not readable in the session store

    form = login_form(login_page)
    form["login"] = facilitator.email
    form["password"] = PASSWORD
    kept = form.submit().follow()
    assert "Your work was kept" in kept.text

    kept.forms["kept-work-form"].submit(name="_haven_kept_work", value="send").follow()
    assert Attendance.objects.get(member=member).status == AttendanceStatus.PRESENT
    assert KEPT_SESSION_KEY not in django_app.session


def test_kept_work_is_never_shown_to_another_person_who_logs_in(
    django_app, facilitator, make_user, cohort, member, session_today, time_machine
):
    from accounts.enums import Role

    other = make_user(Role.FACILITATOR, password=PASSWORD)
    cohort.facilitators.add(other)
    url = reverse("groups:session_attendance", args=[session_today.pk])
    log_in_through_the_login_page(django_app, facilitator)
    form = django_app.get(url).forms["attendance-form"]
    form[f"m-{member.pk}"] = AttendanceStatus.ABSENT
    time_machine.move_to(dates.now() + timedelta(seconds=settings.HAVEN_SESSION_IDLE_SECONDS["staff"] + 60))
    login_page = form.submit(name=None).follow()

    form = login_form(login_page)
    form["login"] = other.email
    form["password"] = PASSWORD
    page = form.submit().follow()

    assert "Your work was kept" not in page.text
    assert KEPT_SESSION_KEY not in django_app.session
    assert not Attendance.objects.exists()


def test_kept_work_can_be_discarded(django_app, facilitator, cohort, member, session_today, time_machine):
    url = reverse("groups:session_attendance", args=[session_today.pk])
    log_in_through_the_login_page(django_app, facilitator)
    form = django_app.get(url).forms["attendance-form"]
    form[f"m-{member.pk}"] = AttendanceStatus.PRESENT
    time_machine.move_to(dates.now() + timedelta(seconds=settings.HAVEN_SESSION_IDLE_SECONDS["staff"] + 60))
    form = login_form(form.submit(name=None).follow())
    form["login"] = facilitator.email
    form["password"] = PASSWORD
    kept = form.submit().follow()

    page = kept.forms["kept-work-form"].submit(name="_haven_kept_work", value="discard").follow()

    assert "What was kept has been discarded" in page.text
    assert page.forms["attendance-form"]
    assert not Attendance.objects.exists()


def test_a_note_refused_by_the_csrf_check_is_given_back_and_can_be_sent_again(django_app, facilitator, cohort, today):
    session = GroupSession.objects.create(
        cohort=cohort, start=dates.now() - timedelta(hours=2), end=dates.now() - timedelta(hours=1)
    )
    url = reverse("groups:session_notes", args=[session.pk])
    log_in_through_the_login_page(django_app, facilitator)
    form = django_app.get(url).forms["notes-form"]
    form["notes"] = "Maja spoke about the court hearing next week."
    # She logged in again in a second tab: the browser now holds another security token than this form.
    django_app.set_cookie(settings.CSRF_COOKIE_NAME, _get_new_csrf_string())

    refused = form.submit(status=403, headers={"Sec-Fetch-Site": "same-origin"})

    assert "This form could not be sent" in refused.text
    assert "Maja spoke about the court hearing next week." in refused.text
    assert "data-quick-exit" in refused.text
    assert "no-store" in refused.headers["Cache-Control"]
    session.refresh_from_db()
    assert session.notes == ""

    refused.forms["kept-work-form"].submit(name="_haven_kept_work", value="send").follow()
    session.refresh_from_db()
    assert session.notes == "Maja spoke about the court hearing next week."


def test_a_form_refused_by_the_csrf_check_from_another_site_is_not_offered_again(django_app, facilitator):
    log_in_through_the_login_page(django_app, facilitator)
    response = django_app.post(
        reverse("accounts:profile"),
        {"full_name": "Someone else", "csrfmiddlewaretoken": "forged"},
        headers={"Sec-Fetch-Site": "cross-site"},
        status=403,
    )
    assert "This form could not be sent" in response.text
    assert "Someone else" not in response.text
    assert not response.forms or "_haven_kept_work" not in response.text


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/no-such-page/", 404, "Page not found"),
        ("/da/no-such-page/", 404, "Siden blev ikke fundet"),
        ("/sr-latn/no-such-page/", 404, "Stranica nije pronađena"),
    ],
)
def test_error_pages_speak_her_language_and_carry_the_quick_exit(client, db, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    page = response.content.decode()
    assert text in page
    assert "data-quick-exit" in page
    assert "Skip to main content" in page or "Spring til" in page or "Pređi na" in page


def test_server_error_and_permission_pages_are_friendly(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from website import errors

    translation.activate("en")
    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    for view, status, text in [
        (errors.server_error, 500, "Sorry, something went wrong"),
        (lambda r: errors.permission_denied(r, None), 403, "You cannot open this page"),
        (lambda r: errors.bad_request(r, None), 400, "Something in the request was not right"),
    ]:
        response = view(request)
        assert response.status_code == status
        assert text in response.content.decode()
        assert "data-quick-exit" in response.content.decode()


def test_stay_signed_in_keeps_the_login_alive(django_app, facilitator, time_machine, today):
    log_in_through_the_login_page(django_app, facilitator)
    page = django_app.get(reverse("home"))
    assert 'id="session-warning"' in page.text
    assert f'data-idle-seconds="{settings.HAVEN_SESSION_IDLE_SECONDS["staff"]}"' in page.text
    for _ in range(3):  # 3 x 10 minutes, each ended by "Stay signed in": more than the 15-minute limit
        time_machine.move_to(dates.now() + timedelta(minutes=10))
        page = page.forms["session-warning-form"].submit().follow()
        assert page.request.path == reverse("home")
    assert "Log out" in django_app.get(reverse("home")).text
