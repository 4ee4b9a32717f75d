"""Training attendance kept on a trainer's phone (trainings/offline.py, with the pieces shared with groups)."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import dates
from core.enums import AttendanceStatus
from tests.helpers import reloaded_offline
from trainings import services
from trainings.models import TrainingAttendance, TrainingAttendanceChange
from trainings.services import attendance_record, enrollment_create

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


@pytest.fixture
def today_edition(make_edition, trainer, trainees):
    """An edition meeting today, with three trainees enrolled."""
    edition = make_edition(trainers=[trainer], start_in=0, days=2, capacity=5)
    enrollments = [enrollment_create(edition=edition, user=user) for user in trainees(3)]
    return edition, edition.sessions.order_by("start").first(), enrollments


def _sync(client, marks, *, from_form=False):
    return client.post(
        reverse("trainings:attendance_sync"),
        json.dumps({"marks": marks, "from_form": from_form}),
        content_type="application/json",
    )


def _mark(session, enrollment, status, n, *, marked_at=None):
    return {
        "id": f"trainer-phone-{n:04d}",
        "session": session.pk,
        "subject": enrollment.pk,
        "status": status,
        "marked_at": (marked_at or dates.now()).isoformat(),
    }


def test_a_trainers_marks_are_applied_once(client_for, trainer, today_edition):
    _edition, session, enrollments = today_edition
    client = client_for(trainer)
    marks = [_mark(session, e, P, n) for n, e in enumerate(enrollments)]
    assert {r["outcome"] for r in _sync(client, marks, from_form=True).json()["results"]} == {"saved"}
    assert {r["outcome"] for r in _sync(client, marks).json()["results"]} == {"already"}
    assert TrainingAttendance.objects.filter(session=session, status=P).count() == 3
    assert TrainingAttendanceChange.objects.filter(client_id__startswith="trainer-phone-").count() == 3
    page = client.get(reverse("trainings:session_attendance", args=[session.pk])).content.decode()
    assert "Attendance saved." in page and "from a phone" in page


def test_a_later_mark_by_someone_else_stands_and_she_is_told(client_for, trainer, coordinator, today_edition):
    _edition, session, enrollments = today_edition
    marked_on_the_phone = dates.now() - timedelta(minutes=10)
    attendance_record(session=session, marks={enrollments[0].pk: E}, by=coordinator)  # in the office, later
    client = client_for(trainer)
    (result,) = _sync(client, [_mark(session, enrollments[0], A, 1, marked_at=marked_on_the_phone)]).json()["results"]
    assert (result["outcome"], result["changed_by_someone_else"], result["status"]) == ("superseded", True, E)
    assert TrainingAttendance.objects.get(enrollment=enrollments[0]).status == E
    # Her mark lost, and is kept: the change log shows it, not applied.
    hers = TrainingAttendanceChange.objects.get(client_id="trainer-phone-0001")
    assert (hers.applied, hers.new_status, hers.changed_by) == (False, A, trainer)
    page = client.get(reverse("trainings:session_attendance", args=[session.pk])).content.decode()
    assert "not applied: a later mark stands" in page


def test_the_form_without_javascript_and_the_phone_go_through_one_service(
    django_app, client_for, trainer, today_edition, monkeypatch
):
    _edition, session, (first, second, _third) = today_edition
    applied = []
    apply = services._attendance_apply

    def spy(**kwargs):
        applied.append({pk: mark.client_id for pk, mark in kwargs["marks"].items()})
        return apply(**kwargs)

    monkeypatch.setattr(services, "_attendance_apply", spy)
    page = django_app.get(reverse("trainings:session_attendance", args=[session.pk]), user=trainer)
    form = page.forms["attendance-form"]
    form[f"e-{first.pk}"] = A
    form.submit().follow()
    _sync(client_for(trainer), [_mark(session, second, P, 2)])

    assert applied == [{first.pk: None}, {second.pk: "trainer-phone-0002"}]
    assert dict(TrainingAttendance.objects.values_list("enrollment_id", "status")) == {first.pk: A, second.pk: P}


def test_marks_for_someone_elses_session_are_refused(client_for, make_user, today_edition):
    from accounts.enums import Role

    _edition, session, enrollments = today_edition
    (result,) = _sync(client_for(make_user(Role.TRAINER)), [_mark(session, enrollments[0], P, 1)]).json()["results"]
    assert result["outcome"] == "refused"
    assert not TrainingAttendance.objects.exists()


def test_the_trainers_phone_keeps_her_sessions_of_the_week_and_coordinators_keep_nothing(
    client_for, trainer, coordinator, today_edition
):
    _edition, session, _enrollments = today_edition
    page = client_for(trainer).get(reverse("trainings:trainer_editions")).content.decode()
    keep = json.loads(page.split('id="haven-offline-keep" type="application/json">')[1].split("</script>")[0])
    assert reverse("trainings:session_attendance", args=[session.pk]) in [s["url"] for s in keep["screens"]]
    assert keep["start"] == reverse("trainings:offline")
    copy = client_for(trainer).get(reverse("trainings:session_attendance", args=[session.pk]) + "?device=1")
    assert copy.status_code == 200 and "data-offline-form" in copy.content.decode()
    coordinator_client = client_for(coordinator)
    assert (
        coordinator_client.get(reverse("trainings:session_attendance", args=[session.pk]) + "?device=1").status_code
        == 404
    )
    assert "haven-offline-keep" not in coordinator_client.get(reverse("trainings:trainer_editions")).content.decode()


def test_her_attendance_screen_asks_once_whether_she_trains_the_edition(client_for, trainer, today_edition):
    _edition, session, _enrollments = today_edition
    client = client_for(trainer)
    url = reverse("trainings:session_attendance", args=[session.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    asked = [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT 1 AS "a"') and "trainings_edition_trainers" in query["sql"]
    ]
    assert len(asked) == 1, asked  # the view's own question; what her phone may keep reuses its answer


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_trainer_marks_a_session_offline_and_it_is_saved_once_when_back_online(
    live_server, page, trainer, today_edition
):
    from playwright.sync_api import expect

    _edition, session, enrollments = today_edition
    client = Client()
    client.force_login(trainer)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    url = reverse("trainings:session_attendance", args=[session.pk])
    page.goto(live_server.url + url)
    for _attempt in range(150):  # until the phone has kept the screen and its worker controls the page
        kept = page.evaluate(
            "u => caches.open('haven-screens-v1').then(c => c.match(u)).then(Boolean)"
            ".then(hit => hit && navigator.serviceWorker.controller !== null)",
            url,
        )
        if kept:
            break
        page.wait_for_timeout(100)

    page.context.set_offline(True)
    for enrollment in enrollments:
        name = enrollment.user.profile.full_name
        page.get_by_role("group", name=name).get_by_role("radio", name="Present", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("3 marks are saved on this phone and not sent yet.")).to_be_visible()
    reloaded_offline(page)
    radio = page.get_by_role("group", name=enrollments[0].user.profile.full_name).get_by_role("radio", name="Present")
    expect(radio).to_be_checked()
    assert not TrainingAttendance.objects.exists()

    page.context.set_offline(False)
    expect(page.get_by_text("All marks were sent.")).to_be_visible(timeout=15000)
    assert TrainingAttendance.objects.filter(session=session, status=P).count() == 3
