"""The donor report on the data set's project: the quarter being reported now, computed live (its "to
date" column counts every attendance row since the project began), and the quarter before it, locked and
read back from its snapshot. On screen and as XLSX, as the project manager opens them."""

from django.urls import reverse

from bench.dataset import MANAGER, dataset_project, dataset_user
from bench.harness import logged_in, page
from core import dates
from groups.models import Attendance
from reporting.enums import PeriodStatus
from reporting.report import report_figures
from trainings.models import TrainingAttendance


def _rows(project, *, since=None, until):
    group = Attendance.objects.filter(session__cohort__project=project, session__start__date__lte=until)
    training = TrainingAttendance.objects.filter(session__edition__project=project, session__start__date__lte=until)
    if since:
        group, training = (
            group.filter(session__start__date__gte=since),
            training.filter(session__start__date__gte=since),
        )
    return group.count() + training.count()


def run(measure):
    project = dataset_project()
    ended = project.periods.filter(end_date__lt=dates.today()).order_by("-start_date")
    live = ended.filter(status=PeriodStatus.OPEN).first()
    frozen = ended.filter(status=PeriodStatus.LOCKED).first()
    as_manager = logged_in(dataset_user(MANAGER))
    note = (
        f"{live.label}: {_rows(project, since=live.start_date, until=live.end_date):,} attendance rows in the quarter, "
        f"{_rows(project, until=live.end_date):,} to date"
    )
    return [
        measure(f"reporting: figures of {live.label} (live)", lambda: report_figures(period=live), runs=5, note=note),
        measure(
            f"reporting: report page of {live.label} (live)",
            page(as_manager, reverse("reporting:period", args=[live.pk])),
            runs=5,
        ),
        measure(
            f"reporting: report XLSX of {live.label} (live)",
            page(as_manager, reverse("reporting:period_xlsx", args=[live.pk])),
            runs=5,
        ),
        measure(
            f"reporting: report page of {frozen.label} (locked snapshot)",
            page(as_manager, reverse("reporting:period", args=[frozen.pk])),
            runs=10,
        ),
        measure(
            f"reporting: report XLSX of {frozen.label} (locked snapshot)",
            page(as_manager, reverse("reporting:period_xlsx", args=[frozen.pk])),
            runs=10,
        ),
    ]
