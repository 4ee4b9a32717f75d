"""Panels for the personal home page (registered in TrainingsConfig.ready).

Who sees which is a named rule, asked of the rules themselves (`rules.has_perm`): a superuser's blanket
permissions would otherwise give her every role's panel.
"""

import rules

from accounts.dashboard import Panel
from core import dates
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment
from trainings.selectors import enrol_intent, enrollments_of, trainer_editions


def trainee_panel(request):
    user = request.user
    if not rules.has_perm("trainings.view_trainee_panel", user):
        return None
    upcoming = list(
        enrollments_of(user)
        .filter(
            edition__end_date__gte=dates.today(),
            status__in=[
                EnrollmentStatus.ENROLLED,
                EnrollmentStatus.PENDING_APPROVAL,
                EnrollmentStatus.OFFERED,
                EnrollmentStatus.WAITLISTED,
            ],
        )
        .select_related("edition__programme")
        .order_by("edition__start_date")[:5]
    )
    return Panel("trainings/panels/trainee.html", {"enrollments": upcoming, "intent": enrol_intent(request=request)})


def trainer_panel(request):
    user = request.user
    if not rules.has_perm("trainings.view_trainer_panel", user):
        return None
    editions = list(trainer_editions(user=user).filter(end_date__gte=dates.today()).order_by("start_date")[:5])
    return Panel("trainings/panels/trainer.html", {"editions": editions})


def coordinator_panel(request):
    user = request.user
    if not rules.has_perm("trainings.view_coordinator_panel", user):
        return None
    return Panel(
        "trainings/panels/coordinator.html",
        {"pending_count": Enrollment.objects.filter(status=EnrollmentStatus.PENDING_APPROVAL).count()},
    )
