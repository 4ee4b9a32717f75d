"""A live report keeps its figures until a table they are counted from changes, through whichever door.

The stamp that tells (reporting.inputs) is moved by database triggers: each door below changes the
activity without the report's code knowing, and the report's next view must count it."""

from datetime import date

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from core.enums import AttendanceStatus
from groups.models import Attendance, GroupSession, Member
from reporting.inputs import figures_inputs_stamp, figures_inputs_touch, input_tables
from reporting.models import FiguresInputsStamp, Indicator
from reporting.report import report_protected_live

# Committed, as each request's writes are: on PostgreSQL a transaction that wrote an input itself keeps no
# figures (it could still roll its rows back), and a test's own transaction would be such a one throughout.
pytestmark = pytest.mark.django_db(transaction=True)


def _triggered_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_figures_inputs_%'"
            )
        else:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE '%%_figures_inputs'"
            )
        return {row[0] for row in cursor.fetchall()}


def test_every_table_donor_figures_are_counted_from_has_its_trigger(db):
    tables = input_tables()
    for table in (
        "groups_attendance",
        "groups_groupsession",
        "groups_member",
        "counseling_booking",
        "trainings_trainingattendance",
        "trainings_enrollment",
        "accounts_profile",
        "core_municipality",
        "cases_aftercareactivity",
        "certificates_certificate",
        "reporting_indicator",
        "reporting_reportingperiod",
        "reporting_reportsnapshot",
        "cases_case_counselors",
    ):
        assert table in tables
    # What every view writes is no input: the stamp would never stand still.
    assert AuditEntry._meta.db_table not in tables
    assert "django_session" not in tables and "django_cache" not in tables
    # The site's pages are no input either; their own stamp (the page tree's) has triggers of its own.
    assert "wagtailcore_page" not in tables
    assert set(tables) | {"wagtailcore_page", "wagtailcore_site", "wagtailcore_locale"} <= _triggered_tables()


def _report(django_app, project_manager, period):
    return django_app.get(reverse("reporting:period", args=[period.pk]), user=project_manager)


def _counted_attendance(queries) -> bool:
    return any("groups_attendance" in query["sql"] for query in queries)


@pytest.fixture
def ten_women(period, groups_data, target):
    target("women_in_groups", 40)
    cohort, members = groups_data("Novi Sad Wednesday", [date(2022, 4, 5)], 10)
    return cohort, members


def _orm_update(members, **kwargs):
    Attendance.objects.filter(member__in=members[:4]).update(status=AttendanceStatus.ABSENT)


def _raw_sql(members, **kwargs):
    ids = [member.pk for member in members[:4]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE groups_attendance SET status = %s WHERE member_id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
            [AttendanceStatus.ABSENT, *ids],
        )


def _bulk_insert(members, **kwargs):
    """Four more women at the same session, written in one statement (no save(), no signal)."""
    session = GroupSession.objects.get(attendances__member=members[0])
    newcomers = Member.objects.bulk_create(Member(alias=f"New {index}", code=f"NEW-{index}") for index in range(4))
    Attendance.objects.bulk_create(
        Attendance(session=session, member=member, status=AttendanceStatus.PRESENT) for member in newcomers
    )


@pytest.mark.parametrize(
    ("door", "shown"), [(_orm_update, "(6 of 40)"), (_raw_sql, "(6 of 40)"), (_bulk_insert, "(14 of 40)")]
)
def test_the_live_report_counts_again_after_a_change_below_the_services(
    django_app, project_manager, period, ten_women, door, shown
):
    _cohort, members = ten_women
    assert "(10 of 40)" in _report(django_app, project_manager, period).text

    with CaptureQueriesContext(connection) as again:
        assert "(10 of 40)" in _report(django_app, project_manager, period).text
    assert not _counted_attendance(again.captured_queries), "the second view counted the figures again"

    door(members)
    with CaptureQueriesContext(connection) as after:
        assert shown in _report(django_app, project_manager, period).text
    assert _counted_attendance(after.captured_queries)


def test_a_target_changed_in_the_wagtail_admin_is_shown_at_once(django_app, admin, project_manager, period, ten_women):
    assert "(10 of 40)" in _report(django_app, project_manager, period).text
    page = admin(reverse("donor_projects:edit", args=[period.project_id]))
    form = next(form for form in page.forms.values() if "indicators-0-target" in form.fields)
    form["indicators-0-target"] = "50"
    response = form.submit()
    assert response.status_code == 302, response.html.find(id="main").get_text(" ", strip=True)[:500]
    assert "(10 of 50)" in _report(django_app, project_manager, period).text


def test_a_target_changed_through_the_orm_is_shown_at_once(django_app, project_manager, period, ten_women):
    assert "(10 of 40)" in _report(django_app, project_manager, period).text
    Indicator.objects.filter(code="women_in_groups").update(target=50)
    assert "(10 of 50)" in _report(django_app, project_manager, period).text


def test_the_stamp_moves_with_each_change_and_not_with_reading(db, ten_women):
    _cohort, members = ten_women
    first = figures_inputs_stamp()
    assert figures_inputs_stamp() == first
    AuditEntry.objects.count()
    Attendance.objects.filter(member=members[0]).update(children_present=1)
    second = figures_inputs_stamp()
    assert second != first
    Member.objects.filter(pk=members[0].pk).update(age_band="")
    third = figures_inputs_stamp()
    assert third not in (first, second)
    figures_inputs_touch()  # as the benchmarks move it: as a trigger would
    assert figures_inputs_stamp() not in (first, second, third)


def test_each_apps_stamp_moves_with_its_own_tables_only(db, ten_women):
    """What is built from one app's tables alone (the public catalogue: trainings) is kept under that app's
    stamp, which a change to another app's tables leaves where it was; the stamp of every input moves with
    each change, as before."""
    from counseling.models import Room
    from trainings.models import TrainingProgramme

    _cohort, members = ten_women
    every, (groups, trainings) = figures_inputs_stamp(), figures_inputs_stamp(apps=("groups", "trainings"))
    assert figures_inputs_stamp(apps=("groups", "trainings")) == (groups, trainings)  # reading moves nothing
    Attendance.objects.filter(member=members[0]).update(children_present=1)  # a groups table, through the ORM
    after_groups = figures_inputs_stamp(apps=("groups", "trainings"))
    assert after_groups[0] != groups and after_groups[1] == trainings
    assert figures_inputs_stamp() != every
    TrainingProgramme.objects.create(title="Safety planning")
    after_trainings = figures_inputs_stamp(apps=("groups", "trainings"))
    assert after_trainings[0] == after_groups[0] and after_trainings[1] != trainings
    Room.objects.create(name="Room 9")  # counseling: neither
    assert figures_inputs_stamp(apps=("groups", "trainings")) == after_trainings
    figures_inputs_touch()  # as the benchmarks move them: every one
    moved = figures_inputs_stamp(apps=("groups", "trainings"))
    assert moved[0] != after_trainings[0] and moved[1] != after_trainings[1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps the stamp in a row")
def test_a_flushed_stamp_row_is_put_back(db, ten_women):
    _cohort, members = ten_women
    FiguresInputsStamp.objects.all().delete()
    stamp = figures_inputs_stamp()
    assert FiguresInputsStamp.objects.get(pk=1).stamp == stamp
    (groups,) = figures_inputs_stamp(apps=("groups",))
    assert FiguresInputsStamp.objects.count() == 2
    Attendance.objects.filter(member=members[0]).update(children_present=2)
    assert figures_inputs_stamp() != stamp
    assert figures_inputs_stamp(apps=("groups",)) != (groups,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: writers hold an advisory lock")
def test_a_transaction_that_wrote_an_input_itself_keeps_no_figures(db, ten_women):
    from django.db import transaction

    _cohort, members = ten_women
    assert figures_inputs_stamp() is not None
    with transaction.atomic():
        assert figures_inputs_stamp() is not None  # has written nothing yet
        Attendance.objects.filter(member=members[0]).update(children_present=3)
        assert figures_inputs_stamp() is None
    assert figures_inputs_stamp() is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: writers hold an advisory lock")
def test_while_another_writer_is_at_work_no_figures_are_kept(db, period, ten_women):
    from reporting.inputs import _WRITERS_LOCK

    assert figures_inputs_stamp() is not None
    writer = connections.create_connection("default")
    try:
        with writer.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_WRITERS_LOCK])
            assert figures_inputs_stamp() is None
            report_protected_live(period=period)
            with CaptureQueriesContext(connection) as again:
                report_protected_live(period=period)
            assert _counted_attendance(again.captured_queries), "figures counted beside a writer were kept"
            cursor.execute("ROLLBACK")
        assert figures_inputs_stamp() is not None
    finally:
        writer.close()


def test_the_live_reports_protection_is_kept_with_its_figures_until_an_input_changes(
    django_app, project_manager, period, ten_women, monkeypatch
):
    """Protecting needs the figures, the project's periods and its frozen reports: all inputs the stamp
    follows (a frozen report's table among them, tested above). Under one stamp the protection is asked
    once; a change to an input asks again."""
    from reporting import report as report_module

    asked = []
    protect = report_module.report_protect

    def counted(**kwargs):
        asked.append(kwargs["period"].pk)
        return protect(**kwargs)

    monkeypatch.setattr(report_module, "report_protect", counted)
    _cohort, members = ten_women
    assert "(10 of 40)" in _report(django_app, project_manager, period).text
    assert "(10 of 40)" in _report(django_app, project_manager, period).text
    assert asked == [period.pk]
    Attendance.objects.filter(member__in=members[:4]).update(status=AttendanceStatus.ABSENT)
    assert "(6 of 40)" in _report(django_app, project_manager, period).text
    assert asked == [period.pk, period.pk]
