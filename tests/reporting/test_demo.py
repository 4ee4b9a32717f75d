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
