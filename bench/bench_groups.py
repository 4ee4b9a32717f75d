"""Groups on the data set: a running cohort's attendance overview (the page coordinators and facilitators
open most), its XLSX, the facilitator's attendance screen for the latest session and her list of cohorts."""

from django.urls import reverse

from bench.dataset import dataset_project
from bench.harness import logged_in, page
from core import dates
from groups.enums import CohortStatus
from groups.models import Cohort
from groups.selectors import cohort_attendance_grid


def run(measure):
    cohort = Cohort.objects.filter(project=dataset_project(), status=CohortStatus.RUNNING).order_by("pk").first()
    facilitator = cohort.facilitators.get()
    latest = cohort.sessions.filter(start__lte=dates.now()).order_by("-start").first()
    size = f"{cohort.memberships.count()} members x {cohort.sessions.count()} sessions"
    as_facilitator = logged_in(facilitator)
    return [
        measure(f"groups: overview grid selector, {size}", lambda: cohort_attendance_grid(cohort=cohort)),
        measure(
            f"groups: overview page, {size}",
            page(as_facilitator, reverse("groups:cohort_overview", args=[cohort.pk])),
        ),
        measure(
            f"groups: overview XLSX, {size}",
            page(as_facilitator, reverse("groups:cohort_overview_xlsx", args=[cohort.pk])),
        ),
        measure(
            "groups: attendance screen of the latest session",
            page(as_facilitator, reverse("groups:session_attendance", args=[latest.pk])),
            runs=10,
        ),
        measure(
            f"groups: facilitator's cohorts ({facilitator.facilitated_cohorts.count()})",
            page(as_facilitator, reverse("groups:my_cohorts")),
            runs=10,
        ),
    ]
