"""Enrolments a submitted or locked donor report counts keep the status it counted, through every door: a
seat taken counts where the edition began (trainees enrolled), a completion where it ended (trainees who
completed). The trainee's page, the trainer's close, the Wagtail admin and the services refuse in words
that name the period and who locked it; the ORM and raw SQL meet the database's refusal. What no frozen
report counts still changes: a place on the waitlist, an enrolment completed where only the edition's
first day is frozen."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from core import dates
from core.enums import AttendanceStatus
from reporting.locks import LOCK_MESSAGE
from tests.helpers import passing_once
from trainings import services
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance, workflow

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.reference_index]

EDIT_FORM = "w-editor-form"


def _seated(edition, users):
    return [Enrollment.objects.create(edition=edition, user=user, status=EnrollmentStatus.ENROLLED) for user in users]


@pytest.fixture
def running(clock, make_edition, project, trainees, period_lock):
    """An edition that began twenty days ago, in a locked period, and runs ten days more; two trainees in
    their seats and one on the waitlist, recorded before the period was locked."""
    clock(dates.today())
    edition = make_edition(start_in=-20, days=30, capacity=2, project=project)
    seated, waiting = trainees(2), trainees(1)[0]
    seats = _seated(edition, seated)
    waitlisted = Enrollment.objects.create(edition=edition, user=waiting, status=EnrollmentStatus.WAITLISTED)
    period = period_lock(dates.today() - timedelta(days=40), dates.today() - timedelta(days=1))
    return edition, seats, waitlisted, period


@pytest.fixture
def ended(clock, make_edition, project, trainees, period_lock):
    """An edition held over two days last week and not yet closed, both trainees present at every session;
    the period of its first and last day locked since."""
    clock(dates.today())
    edition = make_edition(start_in=-8, days=2, capacity=2, project=project)
    seats = _seated(edition, trainees(2))
    for session in edition.sessions.all():
        for seat in seats:
            TrainingAttendance.objects.create(session=session, enrollment=seat, status=AttendanceStatus.PRESENT)
    period = period_lock(dates.today() - timedelta(days=40), dates.today() - timedelta(days=1))
    return edition, seats, period


def _names_the_period(text, period, project_manager):
    return period.label in text and project_manager.profile.full_name in text


def _status(enrollment):
    return Enrollment.objects.get(pk=enrollment.pk).status


def _refused_by_the_database(write):
    with pytest.raises(IntegrityError, match=LOCK_MESSAGE), transaction.atomic():
        write()


# The services ------------------------------------------------------------------------------------------------


def test_a_seat_a_locked_report_counts_is_neither_given_up_nor_given(running, coordinator, project_manager, trainees):
    edition, (seat, _other), waitlisted, period = running
    with pytest.raises(ValidationError) as refused:
        services.enrollment_cancel(enrollment=seat, by=coordinator, reason="Left the organisation")
    assert _names_the_period(refused.value.messages[0], period, project_manager)
    assert _status(seat) == EnrollmentStatus.ENROLLED

    # A seat given now would count in the locked period too: refused; a place on the waitlist is not counted.
    services.edition_update(edition=edition, changes={"capacity": 3}, by=coordinator)
    newcomer = trainees(1)[0]
    with pytest.raises(ValidationError) as refused:
        services.enrollment_create(edition=edition, user=newcomer, by=coordinator)
    assert _names_the_period(refused.value.messages[0], period, project_manager)
    assert not Enrollment.objects.filter(user=newcomer).exists()

    services.enrollment_cancel(enrollment=waitlisted, by=coordinator)
    assert _status(waitlisted) == EnrollmentStatus.CANCELLED


def test_a_freed_seat_stays_free_once_a_locked_report_counts_the_edition(running, admin_as, coordinator):
    """Raising the capacity in the admin is saved; the seat is not given to the waitlist, which would change
    the trainees the locked report counted."""
    edition, _seats, waitlisted, _period = running
    form = admin_as(reverse("training_editions:edit", args=[edition.pk]), coordinator).forms[EDIT_FORM]
    form["capacity"] = "3"
    assert form.submit().status_code == 302
    assert Edition.objects.get(pk=edition.pk).capacity == 3
    assert _status(waitlisted) == EnrollmentStatus.WAITLISTED


def test_completions_a_locked_report_would_count_are_refused_and_the_edition_stays_open(
    ended, coordinator, project_manager
):
    edition, seats, period = ended
    with pytest.raises(ValidationError) as refused:
        services.edition_close(edition=edition, by=coordinator)
    assert _names_the_period(refused.value.messages[0], period, project_manager)
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.OPEN
    assert {_status(seat) for seat in seats} == {EnrollmentStatus.ENROLLED}


def test_an_edition_that_began_in_a_locked_period_is_closed_when_it_ends_in_an_open_one(
    clock, make_edition, project, trainees, period_lock, coordinator, after
):
    """Completed or not, a trainee kept the seat counted where the edition began: closing changes no figure
    of the locked period, and the completions count in the open one."""
    clock(dates.today())
    edition = make_edition(start_in=-2, days=3, capacity=2, project=project)
    seats = _seated(edition, trainees(2))
    for session in edition.sessions.all():
        TrainingAttendance.objects.create(session=session, enrollment=seats[0], status=AttendanceStatus.PRESENT)
    period_lock(dates.today() - timedelta(days=40), dates.today() - timedelta(days=1))
    after(edition)
    assert services.edition_close(edition=edition, by=coordinator) == {"completed": 1, "not_completed": 1}
    assert [_status(seat) for seat in seats] == [EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED]


def test_a_period_locked_after_the_services_check_is_still_refused_in_words(
    running, coordinator, project_manager, trainees, monkeypatch
):
    """Locked between a service's check and its write: the database refuses the write, and she is told why
    in the same words, not shown an error page (nor that she was already enrolled)."""
    edition, (seat, _other), _waitlisted, period = running
    services.edition_update(edition=edition, changes={"capacity": 3}, by=coordinator)

    real = services.period_guard
    monkeypatch.setattr(services, "period_guard", passing_once(real))
    with pytest.raises(ValidationError) as refused:
        services.enrollment_cancel(enrollment=seat, by=coordinator)
    assert _names_the_period(refused.value.messages[0], period, project_manager)
    assert _status(seat) == EnrollmentStatus.ENROLLED

    monkeypatch.setattr(services, "period_guard", passing_once(real))
    newcomer = trainees(1)[0]
    with pytest.raises(ValidationError) as refused:
        services.enrollment_create(edition=edition, user=newcomer, by=coordinator)
    assert _names_the_period(refused.value.messages[0], period, project_manager)
    assert not Enrollment.objects.filter(user=newcomer).exists()


def test_a_mark_corrected_after_closing_keeps_a_completion_a_locked_report_counts(
    clock, make_edition, project, trainees, period_lock, trainer, project_manager, monkeypatch
):
    """Her first day lies in an open period, the edition's last in a locked one: correcting that first day's
    mark would undo a completion the locked report counted, so neither the mark nor the completion changes."""
    clock(dates.today())
    edition = make_edition(start_in=-8, days=2, capacity=2, project=project)
    her, other = trainees(2)
    seat = Enrollment.objects.create(edition=edition, user=her, status=EnrollmentStatus.COMPLETED)
    absent = Enrollment.objects.create(edition=edition, user=other, status=EnrollmentStatus.NOT_COMPLETED)
    first, _last = edition.sessions.order_by("start")
    for session in edition.sessions.all():
        TrainingAttendance.objects.create(session=session, enrollment=seat, status=AttendanceStatus.PRESENT)
        TrainingAttendance.objects.create(session=session, enrollment=absent, status=AttendanceStatus.ABSENT)
    with workflow():  # closed as its workflow would, without working out completions again
        Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.CLOSED)
    period = period_lock(edition.end_date, edition.end_date + timedelta(days=5))
    with pytest.raises(ValidationError) as refused:
        services.attendance_record(session=first, marks={seat.pk: AttendanceStatus.ABSENT}, by=trainer)
    assert _names_the_period(refused.value.messages[0], period, project_manager)
    assert TrainingAttendance.objects.get(session=first, enrollment=seat).status == AttendanceStatus.PRESENT
    assert _status(seat) == EnrollmentStatus.COMPLETED

    # The same, when the period is locked while the correction is on its way (after the service's check):
    # the database refuses it, and she is told in the same words.
    monkeypatch.setattr(services, "enrollment_counted_check", lambda **kwargs: None)
    with pytest.raises(ValidationError) as refused:
        services.attendance_record(session=first, marks={seat.pk: AttendanceStatus.ABSENT}, by=trainer)
    assert _names_the_period(refused.value.messages[0], period, project_manager)
    assert TrainingAttendance.objects.get(session=first, enrollment=seat).status == AttendanceStatus.PRESENT

    # A correction that leaves a completion as it was is saved: the first day's period is open.
    services.attendance_record(session=first, marks={absent.pk: AttendanceStatus.EXCUSED}, by=trainer)
    assert TrainingAttendance.objects.get(session=first, enrollment=absent).status == AttendanceStatus.EXCUSED
    assert _status(absent) == EnrollmentStatus.NOT_COMPLETED


# The pages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "told"),
    [
        ("en", "already counted in a report to"),
        ("da", "allerede talt med i en rapport til"),
        ("sr-latn", "već uračunato u izveštaj"),
    ],
)
def test_the_trainee_is_told_on_her_page_why_her_seat_stays(
    running, django_app, project_manager, project, language, told
):
    """In her words and her language: not which donor report of which project, locked by which of the staff.
    Her page no longer offers to give up or move the seat; a hand-made request to do so is refused in the same
    terms, and the other trainee's place on the waitlist can still be given up."""
    _edition, (seat, _other), waitlisted, _period = running
    seat.user.profile.preferred_language = language
    seat.user.profile.save(update_fields=["preferred_language"])
    dashboard = django_app.get(reverse("trainings:dashboard"), user=seat.user)
    assert told in " ".join(dashboard.text.split())
    actions = {form.action for form in dashboard.forms.values()} | {a.get("href") for a in dashboard.html.select("a")}
    assert reverse("trainings:cancel", args=[seat.pk]) not in actions
    assert reverse("trainings:transfer", args=[seat.pk]) not in actions

    crafted = Client()  # what a hand-made request could send
    crafted.force_login(seat.user)
    response = crafted.post(reverse("trainings:cancel", args=[seat.pk]), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert told in " ".join(text.split())
    assert project_manager.profile.full_name not in text and project.title not in text
    assert _status(seat) == EnrollmentStatus.ENROLLED

    waiting = django_app.get(reverse("trainings:dashboard"), user=waitlisted.user)
    cancel_url = reverse("trainings:cancel", args=[waitlisted.pk])
    form = next(form for form in waiting.forms.values() if (form.action or "") == cancel_url)
    form.submit().follow()
    assert _status(waitlisted) == EnrollmentStatus.CANCELLED


def test_the_coordinator_is_told_on_the_participants_page_why_the_edition_stays_open(
    ended, django_app, coordinator, project_manager
):
    edition, _seats, period = ended
    participants = django_app.get(reverse("trainings:participants", args=[edition.pk]), user=coordinator)
    close_url = reverse("trainings:edition_close", args=[edition.pk])
    form = next(form for form in participants.forms.values() if (form.action or "") == close_url)
    response = form.submit().follow()
    assert _names_the_period(response.text, period, project_manager)
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.OPEN


# The Wagtail admin -------------------------------------------------------------------------------------------


def test_the_admin_cannot_cancel_a_seat_a_locked_report_counts(running, admin_as, coordinator, project_manager):
    _edition, (seat, _other), _waitlisted, period = running
    form = admin_as(reverse("enrolments:edit", args=[seat.pk]), coordinator).forms[EDIT_FORM]
    form["status"] = EnrollmentStatus.CANCELLED
    response = form.submit()
    assert response.status_code == 200
    assert _names_the_period(response.text, period, project_manager)
    assert _status(seat) == EnrollmentStatus.ENROLLED


def test_the_admin_cannot_move_the_last_day_of_an_edition_whose_completions_a_locked_report_counts(
    clock, make_edition, project, trainees, period_lock, admin_as, coordinator, project_manager
):
    clock(dates.today())
    edition = make_edition(start_in=-8, days=2, capacity=1, project=project)
    Enrollment.objects.create(edition=edition, user=trainees(1)[0], status=EnrollmentStatus.COMPLETED)
    with workflow():  # closed as its workflow would, without working out completions again
        Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.CLOSED)
    last_day = edition.end_date
    period = period_lock(last_day - timedelta(days=30), last_day + timedelta(days=1))
    form = admin_as(reverse("training_editions:edit", args=[edition.pk]), coordinator).forms[EDIT_FORM]
    form["end_date"] = (last_day + timedelta(days=5)).isoformat()
    response = form.submit()
    assert response.status_code == 200
    assert _names_the_period(response.text, period, project_manager)
    assert Edition.objects.get(pk=edition.pk).end_date == last_day


# Below the services ------------------------------------------------------------------------------------------


def test_the_database_keeps_the_enrolments_a_locked_report_counted(running, trainees):
    edition, (seat, _other), waitlisted, _period = running
    _refused_by_the_database(lambda: Enrollment.objects.filter(pk=seat.pk).update(status=EnrollmentStatus.CANCELLED))
    _refused_by_the_database(lambda: Enrollment.objects.filter(pk=seat.pk).update(user=trainees(1)[0]))
    with workflow():  # past the model's own refusal, to the database's
        _refused_by_the_database(lambda: Enrollment.objects.filter(pk=seat.pk).delete())
    newcomer = trainees(1)[0]
    _refused_by_the_database(  # a bulk insert: no model's save, whose own checks would stop it first
        lambda: Enrollment.objects.bulk_create(
            [Enrollment(edition=edition, user=newcomer, status=EnrollmentStatus.ENROLLED)]
        )
    )
    with connection.cursor() as cursor:
        _refused_by_the_database(
            lambda: cursor.execute(
                'UPDATE "trainings_enrollment" SET "status" = %s WHERE "id" = %s',
                [EnrollmentStatus.WAITLISTED, seat.pk],
            )
        )
    assert _status(seat) == EnrollmentStatus.ENROLLED
    assert not Enrollment.objects.filter(user=newcomer).exists()

    # What the report does not count: a place on the waitlist, given up or taken.
    Enrollment.objects.filter(pk=waitlisted.pk).update(status=EnrollmentStatus.CANCELLED)
    Enrollment.objects.bulk_create([Enrollment(edition=edition, user=newcomer, status=EnrollmentStatus.WAITLISTED)])
    # Completed or not: still the seat counted where the edition began (its last day is in an open period).
    Enrollment.objects.filter(pk=seat.pk).update(status=EnrollmentStatus.COMPLETED)
    Enrollment.objects.filter(pk=seat.pk).update(status=EnrollmentStatus.NOT_COMPLETED)
    assert _status(seat) == EnrollmentStatus.NOT_COMPLETED


def test_the_database_keeps_the_completions_a_locked_report_counted(ended):
    _edition, (seat, other), _period = ended
    Enrollment.objects.filter(pk=other.pk).update(status=EnrollmentStatus.NOT_COMPLETED)  # not a completion
    _refused_by_the_database(lambda: Enrollment.objects.filter(pk=seat.pk).update(status=EnrollmentStatus.COMPLETED))
    assert _status(seat) == EnrollmentStatus.ENROLLED


def test_the_database_keeps_the_last_day_of_an_edition_once_a_locked_report_counts_its_completions(
    clock, make_edition, project, trainees, period_lock
):
    clock(dates.today())
    edition = make_edition(start_in=-8, days=2, capacity=2, project=project)
    completed, not_completed = (
        Enrollment.objects.create(edition=edition, user=user, status=status)
        for user, status in zip(trainees(2), (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED), strict=True)
    )
    nobody = make_edition(start_in=-8, days=2, capacity=2, project=project)
    last_day = edition.end_date
    period_lock(last_day - timedelta(days=30), last_day + timedelta(days=1))
    later = last_day + timedelta(days=1)
    _refused_by_the_database(lambda: Edition.objects.filter(pk=edition.pk).update(end_date=later))
    _refused_by_the_database(
        lambda: Enrollment.objects.filter(pk=completed.pk).update(status=EnrollmentStatus.NOT_COMPLETED)
    )
    _refused_by_the_database(
        lambda: Enrollment.objects.filter(pk=not_completed.pk).update(status=EnrollmentStatus.COMPLETED)
    )
    assert Edition.objects.get(pk=edition.pk).end_date == last_day
    # An edition nobody completed may still move its last day.
    Edition.objects.filter(pk=nobody.pk).update(end_date=later)
    assert Edition.objects.get(pk=nobody.pk).end_date == later
