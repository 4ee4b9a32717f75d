"""Groups on the data set: a running cohort's attendance overview (the page coordinators and facilitators
open most), its XLSX, the facilitator's attendance screen for the latest session (and the copy her phone
keeps for offline use), her home-page panel and list of cohorts, and the coordinator's admin listings of
members, memberships and sessions (20 a page, related rows fetched with the rows)."""

from django.test import RequestFactory
from django.urls import reverse

from bench.dataset import COORDINATOR, dataset_project, dataset_user
from bench.harness import logged_in, page
from core import dates
from groups.dashboard import facilitator_panel
from groups.enums import CohortStatus
from groups.models import Cohort, GroupSession, Member, Membership
from groups.selectors import cohort_attendance_grid


def run(measure):
    cohort = Cohort.objects.filter(project=dataset_project(), status=CohortStatus.RUNNING).order_by("pk").first()
    facilitator = cohort.facilitators.get()
    latest = cohort.sessions.filter(start__lte=dates.now()).order_by("-start").first()
    size = f"{cohort.memberships.count()} members x {cohort.sessions.count()} sessions"
    as_facilitator = logged_in(facilitator)
    as_coordinator = logged_in(dataset_user(COORDINATOR))
    home = RequestFactory().get("/")
    home.user = facilitator
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
            "groups: the same screen as kept on her phone",
            page(as_facilitator, reverse("groups:session_attendance", args=[latest.pk]) + "?device=1"),
            runs=10,
        ),
        measure(
            f"groups: facilitator's home panel ({facilitator.facilitated_cohorts.count()} cohorts)",
            lambda: facilitator_panel(home),
            runs=10,
        ),
        measure(
            f"groups: facilitator's cohorts ({facilitator.facilitated_cohorts.count()})",
            page(as_facilitator, reverse("groups:my_cohorts")),
            runs=10,
        ),
        measure(
            f"groups admin: members ({Member.objects.count()}, 20 a page)",
            page(as_coordinator, reverse("group_members:index")),
            runs=10,
        ),
        measure(
            f"groups admin: memberships ({Membership.objects.count()}, 20 a page)",
            page(as_coordinator, reverse("group_memberships:index")),
            runs=10,
        ),
        measure(
            f"groups admin: sessions ({GroupSession.objects.count()}, 20 a page)",
            page(as_coordinator, reverse("group_sessions:index")),
            runs=10,
        ),
    ]
