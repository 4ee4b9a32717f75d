"""Case work on the data set: a counselor's case list and caseload, her case with the longest action plan
(its detail, plan, plan as on a date and history), the coordinator's list of every case, the team's
caseload and the CTI dashboard."""

from django.db.models import Count
from django.urls import reverse

from bench.dataset import COORDINATOR, COUNSELOR, dataset_user
from bench.harness import logged_in, page
from cases.models import Case, CtiCourse
from core import dates


def run(measure):
    case = (
        Case.objects.filter(lead_counselor__user__username__startswith=COUNSELOR)
        .annotate(steps=Count("action_plan__steps"))
        .order_by("-steps", "pk")
        .first()
    )
    counselor, coordinator = case.lead_counselor.user, dataset_user(COORDINATOR)
    as_counselor, as_coordinator = logged_in(counselor), logged_in(coordinator)
    own = Case.objects.filter(lead_counselor=case.lead_counselor, closed_on__isnull=True).count()
    everyone = Case.objects.filter(closed_on__isnull=True).count()
    plan = reverse("cases:action_plan", args=[case.pk])
    return [
        measure(f"cases: counselor's case list ({own} open)", page(as_counselor, reverse("cases:case_list")), runs=10),
        measure(f"cases: counselor's caseload ({own} open)", page(as_counselor, reverse("cases:caseload")), runs=10),
        measure(f"cases: team caseload ({everyone} open)", page(as_coordinator, reverse("cases:team")), runs=5),
        measure(
            f"cases: coordinator's case list ({everyone} open, 50 a page)",
            page(as_coordinator, reverse("cases:case_list")),
            runs=10,
        ),
        measure("cases: case detail", page(as_counselor, reverse("cases:case_detail", args=[case.pk])), runs=10),
        measure(f"cases: action plan ({case.steps} steps)", page(as_counselor, plan), runs=10),
        measure(
            f"cases: action plan as on a date ({case.steps} steps)",
            page(as_counselor, f"{plan}?on={dates.today().isoformat()}"),
            runs=10,
        ),
        measure(
            "cases: action plan history",
            page(as_counselor, reverse("cases:action_plan_history", args=[case.pk])),
            runs=10,
        ),
        measure(
            f"cases: CTI dashboard ({CtiCourse.objects.count()} courses)",
            page(as_coordinator, reverse("cases:cti_dashboard")),
            runs=10,
        ),
    ]
