from datetime import date
from itertools import count

import pytest

from core.enums import AttendanceStatus
from counseling.enums import BookingStatus, SessionKind
from reporting.indicators import INDICATORS
from tests.reporting.conftest import at

pytestmark = pytest.mark.django_db

Q2 = [date(2022, 4, 5), date(2022, 4, 12), date(2022, 5, 3)]


def value(code, project, period):
    return INDICATORS[code].func(project, period)


def test_every_indicator_has_a_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for code in INDICATORS:
        if code.startswith("counseling_sessions_") and code != "counseling_sessions_held":
            continue  # covered by test_counseling_sessions_by_kind
        assert any(name.startswith(code) for name in tested), code


def test_women_in_groups_counts_each_woman_once(project, period, groups_data):
    _cohort, members = groups_data("A", Q2, 3)
    groups_data("B", Q2, members[:2])  # the same women in a second cohort
    groups_data("Absent", Q2, 2, status=AttendanceStatus.ABSENT)
    groups_data("Later", [date(2022, 8, 1)], 4)  # next quarter
    assert value("women_in_groups", project, period) == 3


def test_women_in_groups_ignores_other_projects(project, period, groups_data):
    groups_data("Unfunded", Q2, 5, project_=None)
    assert value("women_in_groups", project, period) == 0


def test_group_sessions_held(project, period, groups_data):
    cohort, _members = groups_data("A", Q2, 1)
    cohort.sessions.filter(start__month=5).update(cancelled=True)
    assert value("group_sessions_held", project, period) == 2


def test_group_attendances(project, period, groups_data):
    groups_data("A", Q2, 4)
    groups_data("Absent", Q2, 2, status=AttendanceStatus.ABSENT)
    assert value("group_attendances", project, period) == 12


def test_attendance_rate(project, period, groups_data):
    groups_data("A", Q2, 3)
    groups_data("Absent", Q2, 1, status=AttendanceStatus.EXCUSED)
    assert str(value("attendance_rate", project, period)) == "75.0"


def test_attendance_rate_is_none_without_marks(project, period):
    assert value("attendance_rate", project, period) is None


def test_counseling_sessions_held(project, period, counseling_data):
    client = counseling_data(date(2022, 4, 4))
    counseling_data(date(2022, 4, 11), client=client)
    counseling_data(date(2022, 4, 12), status=BookingStatus.CANCELLED)
    counseling_data(date(2022, 7, 12))
    assert value("counseling_sessions_held", project, period) == 2


def test_counseling_sessions_by_kind(project, period, counseling_data):
    counseling_data(date(2022, 4, 4), kind=SessionKind.CASE_BASED)
    counseling_data(date(2022, 4, 5), kind=SessionKind.CASE_BASED)
    counseling_data(date(2022, 4, 6), kind=SessionKind.HOME_VISIT)
    assert value("counseling_sessions_case_based", project, period) == 2
    assert value("counseling_sessions_home_visit", project, period) == 1
    assert value("counseling_sessions_experiential", project, period) == 0


def test_clients_counselled(project, period, counseling_data):
    client = counseling_data(date(2022, 4, 4))
    counseling_data(date(2022, 5, 4), client=client)
    counseling_data(date(2022, 5, 5))
    counseling_data(date(2022, 5, 6), status=BookingStatus.NO_SHOW)
    assert value("clients_counselled", project, period) == 2


def test_training_editions_held(project, period, trainings_data, make_user):
    trainings_data(date(2022, 5, 1), [])
    trainings_data(date(2022, 6, 1), []).__class__.objects.filter(start_date=date(2022, 6, 1)).update(
        status="cancelled"
    )
    trainings_data(date(2022, 9, 1), [])
    assert value("training_editions_held", project, period) == 1


def test_trainees_trained(project, period, trainings_data, make_user):
    people = [make_user("Trainee") for _ in range(3)]
    trainings_data(date(2022, 5, 1), people)
    trainings_data(date(2022, 6, 1), people[:1])
    trainings_data(date(2022, 6, 2), [make_user("Trainee")], status=AttendanceStatus.ABSENT)
    assert value("trainees_trained", project, period) == 3


def test_organisations_reached(project, period, trainings_data, make_user):
    people = [
        make_user("Trainee", organisation="CSW Novi Sad"),
        make_user("Trainee", organisation="CSW Novi Sad"),
        make_user("Trainee", organisation="Health Centre Zrenjanin"),
        make_user("Trainee", organisation=""),
        make_user("Trainee", organisation="csw novi sad"),  # written otherwise: another name, as before
    ]
    trainings_data(date(2022, 5, 1), people)
    # Absent: her organisation was not reached.
    trainings_data(date(2022, 6, 2), [make_user("Trainee", organisation="Police")], status=AttendanceStatus.ABSENT)
    assert value("organisations_reached", project, period) == 3
    assert value("trainees_trained", project, period) == 5


def test_certificates_issued(project, period, trainings_data, make_user):
    from certificates.services import certificate_issue, certificate_reissue, certificate_revoke
    from trainings.enums import EnrollmentStatus

    people = [make_user("Trainee") for _ in range(3)]
    edition = trainings_data(date(2022, 5, 1), people)
    edition.enrollments.update(status=EnrollmentStatus.COMPLETED)
    # The third is issued in the next quarter: an issued certificate is frozen, so it is issued on that day.
    first, second, _third = (
        certificate_issue(enrollment=e, issued_on=day)
        for e, day in zip(edition.enrollments.order_by("pk"), [date(2022, 5, 2)] * 2 + [date(2022, 7, 2)], strict=True)
    )
    certificate_reissue(certificate=first, by=None)  # a replacement is not a second certificate
    certificate_revoke(certificate=second, reason="Issued in error", by=None)
    assert value("certificates_issued", project, period) == 1


def test_indicator_query_count_does_not_grow_with_data(project, period, groups_data, django_assert_max_num_queries):
    groups_data("A", Q2, 2)
    with django_assert_max_num_queries(1):
        value("women_in_groups", project, period)
    groups_data("B", Q2, 30)
    with django_assert_max_num_queries(1):
        assert value("women_in_groups", project, period) == 32


@pytest.fixture
def aftercare_case(project, make_user):
    """make(project=...) -> a case of a new client under the project, with its lead counselor."""
    from cases.models import Case
    from counseling.models import Client, CounselorProfile

    counselor = CounselorProfile.objects.create(user=make_user("Counselor"))
    made = count(1)

    def _make(project_=project):
        n = next(made)
        client = Client.objects.create(alias=f"Aftercare {n}", code=f"AC-{n}")
        return Case.objects.create(
            client=client, lead_counselor=counselor, opened_on=date(2022, 4, 1), project=project_
        )

    return _make


def _aftercare(case, day, kind="home_visit", status="done"):
    from cases.models import AftercareActivity

    return AftercareActivity.objects.create(case=case, kind=kind, status=status, held_on=day)


def test_women_in_aftercare_counts_each_woman_once(project, period, aftercare_case):
    first, second = aftercare_case(), aftercare_case()
    _aftercare(first, date(2022, 4, 10))
    _aftercare(first, date(2022, 5, 10), kind="lecture")
    _aftercare(second, date(2022, 6, 10), status="missed")  # missed: not served
    _aftercare(aftercare_case(project_=None), date(2022, 5, 1))  # another project's case
    assert value("women_in_aftercare", project, period) == 1


def test_aftercare_activities_held_in_the_period(project, period, aftercare_case):
    case = aftercare_case()
    _aftercare(case, date(2022, 4, 10))
    _aftercare(case, date(2022, 6, 30), kind="lecture")
    _aftercare(case, date(2022, 7, 1))  # next quarter
    _aftercare(case, date(2022, 5, 1), status="planned")
    assert value("aftercare_activities", project, period) == 2


def test_case_conferences_held_in_the_period(project, period, aftercare_case):
    from cases.models import CaseConference

    case = aftercare_case()
    CaseConference.objects.create(case=case, held_at=at(date(2022, 5, 3)), status="held")
    CaseConference.objects.create(case=case, held_at=at(date(2022, 5, 4)), status="cancelled")
    CaseConference.objects.create(case=case, held_at=at(date(2022, 7, 4)), status="held")
    assert value("case_conferences_held", project, period) == 1


def test_children_at_group_sessions_adds_up_what_each_attendance_records(project, period, groups_data):
    from groups.models import Attendance

    _cohort, members = groups_data("A", Q2, 2)
    Attendance.objects.filter(member=members[0]).update(children_present=2)
    Attendance.objects.filter(member=members[1], session__start__month=5).update(children_present=1)
    groups_data("Next quarter", [date(2022, 8, 1)], 1)
    assert value("children_at_group_sessions", project, period) == 2 * 3 + 1


def test_trainees_enrolled_counts_who_took_a_seat_in_editions_begun(project, period, trainings_data, make_user):
    from trainings.enums import EnrollmentStatus

    first, second, waiting = make_user("Trainee"), make_user("Trainee"), make_user("Trainee")
    edition = trainings_data(date(2022, 5, 10), [first, second])
    edition.enrollments.filter(user=second).update(status=EnrollmentStatus.NOT_COMPLETED)
    edition.enrollments.create(user=waiting, status=EnrollmentStatus.WAITLISTED)
    trainings_data(date(2022, 6, 14), [first])  # the same woman again: one trainee
    trainings_data(date(2022, 7, 5), [make_user("Trainee")])  # next quarter
    assert value("trainees_enrolled", project, period) == 2


def test_trainees_completed_counts_completions_of_editions_ended(project, period, trainings_data, make_user):
    from trainings.enums import EnrollmentStatus

    done, not_done = make_user("Trainee"), make_user("Trainee")
    edition = trainings_data(date(2022, 5, 10), [done, not_done])
    edition.enrollments.filter(user=done).update(status=EnrollmentStatus.COMPLETED)
    edition.enrollments.filter(user=not_done).update(status=EnrollmentStatus.NOT_COMPLETED)
    later = trainings_data(date(2022, 7, 5), [make_user("Trainee")])
    later.enrollments.update(status=EnrollmentStatus.COMPLETED)  # ended next quarter
    assert value("trainees_completed", project, period) == 1


def test_women_in_groups_by_programme_is_a_table_of_the_report(project, period, groups_data):
    from reporting.report import report_figures

    groups_data("A", Q2, 6)
    table = next(t for t in report_figures(period=period)["tables"] if t["code"] == "women_by_programme")
    assert [(row["label"], row["values"]) for row in table["rows"]] == [("Self-support", [6])]
