from accounts import demo as accounts_demo
from accounts.enums import Role
from reporting import demo
from reporting.enums import PeriodStatus
from reporting.models import DonorProject, ReportSnapshot


def test_demo_loads_twice_without_duplicates(db):
    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    demo.load(users=users)
    project = DonorProject.objects.get()
    assert project.donor.startswith("Ministry")
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2022-04-01", "2023-04-01")
    assert project.periods.count() == 4
    locked = project.periods.get(status=PeriodStatus.LOCKED)
    assert locked.label == "Q2 2022"
    assert ReportSnapshot.objects.filter(period=locked).count() == 1
    assert users[Role.PROJECT_MANAGER] in project.managers.all()
    assert project.indicators.count() == len(demo.TARGETS)
    assert demo.demo_project() == project


def test_demo_locked_report_has_figures_and_names_no_woman(db):
    from groups.models import Member
    from reporting.report import report_view

    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    locked = DonorProject.objects.get().periods.get(status=PeriodStatus.LOCKED)
    report = report_view(period=locked, user=users[Role.PROJECT_MANAGER])
    figures = {row.code: row.value for row in report.indicators}
    assert report.frozen
    assert figures["women_in_groups"] == 11
    assert figures["group_sessions_held"] == 12
    assert figures["trainees_trained"] == 1
    text = str(report)
    for alias in Member.objects.values_list("alias", flat=True):
        assert alias not in text
