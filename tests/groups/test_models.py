"""The rules of group attendance below the services: the model and the database refuse or record too.

Each door is tried: the model's save and delete, a queryset update and delete, and raw SQL.
"""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from core.appendonly import AppendOnlyError
from core.enums import AttendanceStatus
from groups.models import Attendance, AttendanceChange, Membership
from tests.groups.conftest import local

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


@pytest.fixture
def marked(cohort, add_members, add_session):
    """Her membership from 1 January 2026 with a mark on 2 and 9 March."""
    (membership,) = add_members(cohort, 1, joined_on=date(2026, 1, 1))
    for day in (2, 9):
        Attendance.objects.create(
            session=add_session(cohort, local(2026, 3, day, 18)), member=membership.member, status=P
        )
    return membership


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _unchanged(membership):
    membership.refresh_from_db()
    assert (membership.joined_on, membership.left_on) == (date(2026, 1, 1), None)


def test_model_save_refuses_an_end_date_before_her_last_mark(marked):
    marked.left_on = date(2026, 3, 5)
    with pytest.raises(ValidationError, match="cannot end before"):
        marked.save()
    with pytest.raises(ValidationError) as refused:
        marked.full_clean()
    assert "left_on" in refused.value.error_dict
    _unchanged(marked)


def test_queryset_update_meets_the_database_trigger(marked):
    with pytest.raises(DatabaseError), transaction.atomic():
        Membership.objects.filter(pk=marked.pk).update(left_on=date(2026, 3, 8))
    with pytest.raises(DatabaseError), transaction.atomic():
        Membership.objects.filter(pk=marked.pk).update(joined_on=date(2026, 3, 3))
    _unchanged(marked)
    # Dates that keep every mark are fine.
    Membership.objects.filter(pk=marked.pk).update(left_on=date(2026, 3, 9))
    marked.refresh_from_db()
    assert marked.left_on == date(2026, 3, 9)


def test_raw_sql_meets_the_database_trigger(marked):
    with pytest.raises(DatabaseError):
        _raw('UPDATE "groups_membership" SET "left_on" = %s WHERE "id" = %s', [date(2026, 2, 1), marked.pk])
    with pytest.raises(DatabaseError):
        _raw('DELETE FROM "groups_membership" WHERE "id" = %s', [marked.pk])
    _unchanged(marked)


def test_a_membership_with_marks_cannot_be_deleted_by_model_or_queryset(marked):
    with pytest.raises(ValidationError):
        marked.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Membership.objects.filter(pk=marked.pk).delete()
    assert Membership.objects.filter(pk=marked.pk).exists()


def test_a_membership_without_marks_can_change_and_go(cohort, add_members):
    (membership,) = add_members(cohort, 1)
    Membership.objects.filter(pk=membership.pk).update(left_on=membership.joined_on + timedelta(days=1))
    Membership.objects.filter(pk=membership.pk).delete()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_every_change_of_a_mark_is_logged_whatever_the_door(cohort, add_members, today_session, facilitator):
    (membership,) = add_members(cohort, 1)
    attendance = Attendance.objects.create(
        session=today_session, member=membership.member, status=P, recorded_by=facilitator
    )
    Attendance.objects.filter(pk=attendance.pk).update(status=A)  # a queryset update
    _raw('UPDATE "groups_attendance" SET "status" = %s WHERE "id" = %s', [E, attendance.pk])  # raw SQL
    attendance.refresh_from_db()
    attendance.children_present = 2
    attendance.save()  # the model, without the service's stamps

    changes = list(AttendanceChange.objects.order_by("pk"))
    assert [(c.old_status, c.new_status) for c in changes] == [("", P), (P, A), (A, E), (E, E)]
    assert changes[0].changed_by == facilitator
    # A change nobody stamped is recorded without an author, never attributed to the last one who marked.
    assert [c.changed_by for c in changes[1:]] == [None, None, None]
    assert (changes[-1].old_children, changes[-1].new_children) == (0, 2)


def test_the_change_log_stays_as_written(cohort, add_members, today_session):
    (membership,) = add_members(cohort, 1)
    Attendance.objects.create(session=today_session, member=membership.member, status=P)
    change = AttendanceChange.objects.get()
    with pytest.raises(AppendOnlyError):
        AttendanceChange.objects.filter(pk=change.pk).update(new_status=A)
    with pytest.raises(DatabaseError):
        _raw('UPDATE "groups_attendancechange" SET "new_status" = %s WHERE "id" = %s', [A, change.pk])
    with pytest.raises(DatabaseError):
        _raw('DELETE FROM "groups_attendance" WHERE "session_id" = %s', [today_session.pk])
    assert AttendanceChange.objects.get().new_status == P


def _raw_value(column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "groups_groupsession" WHERE "id" = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_topic_and_reason_for_cancelling_are_encrypted_at_rest(cohort, add_session):
    session = add_session(cohort, local(2026, 5, 5), topic="Her ex-husband's visits", cancelled=True)
    session.cancel_reason = "Ana is in the shelter this week"
    session.save()
    assert "husband" not in _raw_value("topic", session.pk)
    assert "shelter" not in _raw_value("cancel_reason", session.pk)
    session.refresh_from_db()
    assert (session.topic, session.cancel_reason) == ("Her ex-husband's visits", "Ana is in the shelter this week")


def test_the_data_migration_encrypts_plain_rows_once(cohort, add_session):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("groups.migrations.0005_encrypt_session_texts")
    session = add_session(cohort, local(2026, 5, 5))
    with connection.cursor() as cursor:  # as the rows were before: plain text
        cursor.execute(
            'UPDATE "groups_groupsession" SET "topic" = %s, "cancel_reason" = %s WHERE "id" = %s',
            ["Safety at home", "", session.pk],
        )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt(apps, editor)
    once = _raw_value("topic", session.pk)
    migration.encrypt(apps, editor)
    assert "Safety" not in once and _raw_value("topic", session.pk) == once
    session.refresh_from_db()
    assert session.topic == "Safety at home" and session.cancel_reason == ""


@pytest.mark.parametrize(("language", "written"), [("en", "April 6, 2022, 17:00"), ("da", "6. april 2022 17:00")])
def test_a_session_is_named_on_the_wall_clock_in_her_language(cohort, language, written):
    """Its name (the admin's titles, the choices) gives the local time, not UTC, in the site's form of dates."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import translation

    from groups.models import GroupSession

    start = datetime(2022, 4, 6, 17, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    session = GroupSession.objects.create(cohort=cohort, start=start, end=start + timedelta(hours=1))
    with translation.override(language):
        assert str(session) == f"{cohort} {written}"


def test_a_session_moved_past_the_services_gets_a_new_sequence(cohort, add_session):
    """The facilitators' calendars hold the session: a queryset's update or raw SQL that moves it, changes its
    room or cancels it raises its SEQUENCE, as the services do; its notes do not."""
    from groups.models import GroupSession

    session = add_session(cohort, local(2026, 3, 2))
    GroupSession.objects.filter(pk=session.pk).update(start=session.start + timedelta(hours=1))
    assert GroupSession.objects.get(pk=session.pk).sequence == 1
    GroupSession.objects.filter(pk=session.pk).update(room="Room 5")
    assert GroupSession.objects.get(pk=session.pk).sequence == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE groups_groupsession SET cancelled = %s WHERE id = %s", [True, session.pk])
    assert GroupSession.objects.get(pk=session.pk).sequence == 3
    GroupSession.objects.filter(pk=session.pk).update(notes="")
    assert GroupSession.objects.get(pk=session.pk).sequence == 3
