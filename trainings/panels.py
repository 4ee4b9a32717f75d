"""Panels for the personal home page (registered in TrainingsConfig.ready)."""

from accounts.dashboard import Panel
from accounts.enums import Role
from accounts.roles import has_role
from core import dates
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment
from trainings.selectors import enrollments_of, trainer_editions


def trainee_panel(request):
    user = request.user
    if not has_role(user, Role.TRAINEE):
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
    return Panel("trainings/panels/trainee.html", {"enrollments": upcoming})


def trainer_panel(request):
    user = request.user
    if not has_role(user, Role.TRAINER):
        return None
    editions = list(trainer_editions(user=user).filter(end_date__gte=dates.today()).order_by("start_date")[:5])
    return Panel("trainings/panels/trainer.html", {"editions": editions})


def coordinator_panel(request):
    user = request.user
    if not has_role(user, Role.COORDINATOR):
        return None
    return Panel(
        "trainings/panels/coordinator.html",
        {"pending_count": Enrollment.objects.filter(status=EnrollmentStatus.PENDING_APPROVAL).count()},
    )
