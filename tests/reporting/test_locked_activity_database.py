"""Below the services, the database keeps what a submitted or locked report counted: group and training
attendance, their sessions, the project a cohort or an edition counts for, an edition's first day and
cancellation, and held counseling sessions. Every door other than the pages and services (which refuse in
words, test_locked_activity): a model's save, a queryset update, a bulk insert, raw SQL. Each refusal saves
nothing; what a report does not count (a session's topic, who recorded a mark once her account is gone, a
booking never held, closing an edition) still changes, and an open period takes every change."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction

from core.enums import AttendanceStatus
from counseling.enums import BookingStatus
from counseling.models import Booking
from groups.models import Attendance, Cohort, GroupSession, Member, Membership
from reporting.enums import Transition
from reporting.locks import LOCK_MESSAGE, locked_rows
from reporting.models import DonorProject
from reporting.services import period_transition
from tests.reporting.conftest import at
from tests.reporting.test_services import walk
from trainings.enums import EditionStatus
from trainings.models import Edition, TrainingAttendance, TrainingSession, workflow

pytestmark = pytest.mark.django_db

LOCKED_DAY = date(2022, 5, 10)  # in Q2 2022, the first period
OPEN_DAY = date(2022, 8, 10)  # in Q3 2022, still open


def refused(write):
    """The database refuses the write, in the lock's words, and keeps nothing of it."""
    with pytest.raises(IntegrityError, match=LOCK_MESSAGE), transaction.atomic():
        write()


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_counted_table_has_its_triggers_installed_by_migrate():
    tables = {rows.table for rows in locked_rows()}
    assert tables == {
        "groups_attendance",
        "groups_groupsession",
        "groups_cohort",
        "trainings_trainingattendance",
        "trainings_trainingsession",
        "trainings_edition",
        "trainings_enrollment",
        "counseling_booking",
        "cases_aftercareactivity",
        "cases_caseconference",
        "cases_case",
    }
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%period_lock%'")
        else:
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE '%period_lock'"
            )
        assert {table for (table,) in cursor.fetchall()} == tables


def test_group_marks_in_a_locked_period_cannot_change_through_any_door(groups_data, lock, make_user):
    cohort, members = groups_data("Spring", [LOCKED_DAY], 2)
    late = Member.objects.create(alias="Late", code="C-LATE")
    Membership.objects.create(cohort=cohort, member=late, joined_on=LOCKED_DAY)
    recorder = make_user("Facilitator")
    lock()
    session = GroupSession.objects.get(cohort=cohort)
    mark = Attendance.objects.get(session=session, member=members[0])

    mark.status = AttendanceStatus.ABSENT
    refused(mark.save)
    refused(lambda: Attendance.objects.filter(session=session).update(children_present=2))
    raw_update = 'UPDATE "groups_attendance" SET "status" = %s WHERE "id" = %s'
    refused(lambda: raw(raw_update, [AttendanceStatus.ABSENT, mark.pk]))
    refused(lambda: Attendance.objects.filter(pk=mark.pk).update(member=members[1]))

    # A woman who joined late: her mark cannot be added to the locked period, one by one or in bulk.
    refused(lambda: Attendance.objects.create(session=session, member=late, status=AttendanceStatus.PRESENT))
    refused(lambda: Attendance.objects.bulk_create([Attendance(session=session, member=late, status="present")]))

    assert set(Attendance.objects.filter(session=session).values_list("member_id", "status", "children_present")) == {
        (members[0].pk, AttendanceStatus.PRESENT, 0),
        (members[1].pk, AttendanceStatus.PRESENT, 0),
    }

    # What no report counts still changes: saving a mark as it is, and who recorded it, once her account is gone.
    mark.refresh_from_db()
    mark.save()
    Attendance.objects.filter(pk=mark.pk).update(recorded_by=recorder)
    recorder.delete()
    mark.refresh_from_db()
    assert mark.recorded_by_id is None


def test_group_sessions_in_a_locked_period_cannot_be_added_moved_cancelled_or_deleted(groups_data, lock):
    cohort, _members = groups_data("Spring", [LOCKED_DAY], 1)
    empty, _none = groups_data("Summer", [OPEN_DAY, OPEN_DAY + timedelta(days=7)], 0)
    lock()
    held = GroupSession.objects.get(cohort=cohort)
    later = empty.sessions.order_by("start").first()

    refused(lambda: GroupSession.objects.create(cohort=cohort, start=at(LOCKED_DAY, 14), end=at(LOCKED_DAY, 16)))
    refused(lambda: GroupSession.objects.filter(pk=held.pk).update(start=at(OPEN_DAY), end=at(OPEN_DAY, 12)))
    refused(lambda: GroupSession.objects.filter(pk=held.pk).update(cancelled=True))
    refused(lambda: GroupSession.objects.filter(pk=held.pk).update(cohort=empty))
    # Into the locked period from an open one, and a session without marks deleted from it.
    refused(lambda: GroupSession.objects.filter(pk=later.pk).update(start=at(LOCKED_DAY, 14), end=at(LOCKED_DAY, 16)))
    unmarked = GroupSession.objects.filter(cohort=empty).last()
    GroupSession.objects.filter(pk=unmarked.pk).update(cohort=cohort)  # both days open: moved
    GroupSession.objects.filter(pk=unmarked.pk).update(cohort=empty)
    refused(lambda: raw('UPDATE "groups_groupsession" SET "start" = %s WHERE "id" = %s', [at(LOCKED_DAY), unmarked.pk]))
    assert GroupSession.objects.get(pk=held.pk).start == at(LOCKED_DAY)
    assert not GroupSession.objects.get(pk=held.pk).cancelled

    # Its topic and room are not counted.
    GroupSession.objects.filter(pk=held.pk).update(topic="Boundaries", room="Room 2")
    assert GroupSession.objects.get(pk=held.pk).topic == "Boundaries"


def test_a_session_without_marks_in_a_locked_period_cannot_be_deleted(groups_data, lock):
    cohort, _none = groups_data("Autumn", [LOCKED_DAY], 0)
    session = GroupSession.objects.get(cohort=cohort)
    lock()
    refused(GroupSession.objects.get(pk=session.pk).delete)
    refused(lambda: raw('DELETE FROM "groups_groupsession" WHERE "id" = %s', [session.pk]))
    assert GroupSession.objects.filter(pk=session.pk).exists()


def test_a_cohort_counted_in_a_locked_period_keeps_its_project(groups_data, lock):
    bare_project = DonorProject.objects.create(
        title="New grant", donor="Ministry", start_date=date(2022, 4, 1), end_date=date(2023, 4, 1)
    )
    cohort, _members = groups_data("Spring", [LOCKED_DAY, OPEN_DAY], 1)
    later, _members = groups_data("Summer", [OPEN_DAY], 1)
    locked = lock()
    refused(lambda: Cohort.objects.filter(pk=cohort.pk).update(project=bare_project))
    refused(lambda: Cohort.objects.filter(pk=cohort.pk).update(project=None))
    assert Cohort.objects.get(pk=cohort.pk).project_id == locked.project_id

    Cohort.objects.filter(pk=later.pk).update(project=bare_project)
    Cohort.objects.filter(pk=cohort.pk).update(name="Spring group")  # not counted
    assert Cohort.objects.get(pk=later.pk).project_id == bare_project.pk


def test_training_activity_in_a_locked_period_cannot_change_through_any_door(trainings_data, lock, make_user):
    edition = trainings_data(LOCKED_DAY, [make_user("Trainee"), make_user("Trainee")])
    lock()
    session = TrainingSession.objects.get(edition=edition)
    mark = TrainingAttendance.objects.filter(session=session).first()

    refused(lambda: TrainingAttendance.objects.filter(pk=mark.pk).update(status=AttendanceStatus.ABSENT))
    refused(lambda: raw('DELETE FROM "trainings_trainingattendance" WHERE "id" = %s', [mark.pk]))
    refused(lambda: TrainingSession.objects.create(edition=edition, start=at(LOCKED_DAY, 17), end=at(LOCKED_DAY, 18)))
    refused(lambda: TrainingSession.objects.filter(pk=session.pk).update(cancelled=True))
    refused(lambda: TrainingSession.objects.filter(pk=session.pk).update(start=at(OPEN_DAY), end=at(OPEN_DAY, 16)))
    refused(lambda: Edition.objects.filter(pk=edition.pk).update(project=None))
    refused(lambda: Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.CANCELLED))
    assert TrainingAttendance.objects.get(pk=mark.pk).status == AttendanceStatus.PRESENT
    assert TrainingSession.objects.filter(edition=edition).count() == 1

    # Closing it and renaming its session are not counts (the database lets them through; the closing's
    # own rule is the model's, past which the workflow goes).
    with workflow():
        Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.CLOSED)
    TrainingSession.objects.filter(pk=session.pk).update(title="Day one")
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.CLOSED


def test_an_edition_cannot_begin_in_a_locked_period_after_the_fact(trainings_data, lock):
    edition = trainings_data(OPEN_DAY, [])
    TrainingSession.objects.filter(edition=edition).delete()
    lock()
    refused(lambda: Edition.objects.filter(pk=edition.pk).update(start_date=LOCKED_DAY))
    refused(
        lambda: Edition.objects.create(
            programme=edition.programme,
            start_date=LOCKED_DAY,
            end_date=LOCKED_DAY,
            enrolment_opens=edition.enrolment_opens,
            enrolment_closes=edition.enrolment_closes,
            project=edition.project,
        )
    )
    assert Edition.objects.get(pk=edition.pk).start_date == OPEN_DAY


def test_held_counseling_sessions_in_a_locked_period_stay_held(counseling_data, lock):
    counseling_data(LOCKED_DAY)  # held
    held = Booking.objects.get()
    lock()
    refused(lambda: Booking.objects.filter(pk=held.pk).update(status=BookingStatus.NO_SHOW))
    refused(lambda: Booking.objects.filter(pk=held.pk).update(start=at(OPEN_DAY), end=at(OPEN_DAY, 12)))
    refused(lambda: Booking.objects.filter(pk=held.pk).delete())
    refused(lambda: counseling_data(LOCKED_DAY))  # another one held there, after the fact
    assert list(Booking.objects.values_list("status", flat=True)) == [BookingStatus.HELD]

    # A booking never held is not counted: it may be recorded and cancelled there (the services say why not).
    counseling_data(LOCKED_DAY, status=BookingStatus.CONFIRMED)
    confirmed = Booking.objects.exclude(pk=held.pk).get()
    Booking.objects.filter(pk=confirmed.pk).update(status=BookingStatus.CANCELLED)
    refused(lambda: Booking.objects.filter(pk=confirmed.pk).update(status=BookingStatus.HELD))
    assert Booking.objects.get(pk=confirmed.pk).status == BookingStatus.CANCELLED


def test_an_open_period_and_an_unlocked_one_take_every_change(groups_data, counseling_data, lock, coordinator):
    locked = lock()
    cohort, _members = groups_data("Summer", [OPEN_DAY], 1)
    Attendance.objects.filter(session__cohort=cohort).update(status=AttendanceStatus.ABSENT)
    GroupSession.objects.filter(cohort=cohort).update(cancelled=True)
    counseling_data(OPEN_DAY)
    Booking.objects.filter(start__date=OPEN_DAY).update(status=BookingStatus.NO_SHOW)

    period_transition(period=locked, transition=Transition.UNLOCK, by=coordinator, reason="Late records")
    earlier, _members = groups_data("Spring", [LOCKED_DAY], 1)  # late data, while the period is open again
    Attendance.objects.filter(session__cohort=earlier).update(status=AttendanceStatus.EXCUSED)
    assert Attendance.objects.get(session__cohort=earlier).status == AttendanceStatus.EXCUSED


@pytest.mark.django_db(transaction=True)
def test_a_mark_written_while_its_period_is_being_locked_waits_for_the_lock_and_is_refused(
    groups_data, period, project_manager, coordinator, monkeypatch
):
    """The race the triggers alone would leave open on PostgreSQL: a facilitator's mark sent while the
    project manager's lock is counting the period. Either the lock counts it or it is refused; never saved
    in the locked period and missing from its report."""
    from reporting import services

    cohort, _members = groups_data("Spring", [LOCKED_DAY], 1)
    late = Member.objects.create(alias="Late", code="C-LATE")
    Membership.objects.create(cohort=cohort, member=late, joined_on=LOCKED_DAY)
    session = GroupSession.objects.get(cohort=cohort)
    approved = walk(period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE)
    outcome, sent = {}, threading.Event()

    def send_the_mark():
        try:
            sent.set()
            Attendance.objects.create(session=session, member=late, status=AttendanceStatus.PRESENT)
            outcome["saved"] = True
        except IntegrityError as error:
            outcome["refused"] = str(error)
        finally:
            connections.close_all()

    writer = threading.Thread(target=send_the_mark)
    counting = services.snapshot_create

    def snapshot_while_the_mark_is_sent(**kwargs):
        writer.start()
        sent.wait(5)
        time.sleep(0.5)  # the mark reaches the database while the period is being counted
        return counting(**kwargs)

    monkeypatch.setattr(services, "snapshot_create", snapshot_while_the_mark_is_sent)
    locked = period_transition(period=approved, transition=Transition.LOCK, by=project_manager)
    writer.join(30)
    assert LOCK_MESSAGE in outcome.get("refused", ""), outcome
    assert not Attendance.objects.filter(member=late).exists()
    snapshot = locked.snapshots.order_by("-created_at").first()
    counted = {item["code"]: item["value"] for item in snapshot.data["indicators"]}
    assert counted["women_in_groups"] == 1
