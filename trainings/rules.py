"""Who may do what in trainings: the one place that answers it.

Views, panels, selectors, the Wagtail admin views and services ask these named rules
(`user.has_perm("trainings.<rule>", obj)`); no role is checked anywhere else in the app. The querysets that
scope what a person may reach are built next to the rules, from the same rules.
"""

import rules

from accounts.rules import is_coordinator, is_trainee, is_trainer
from trainings.models import Edition, Enrollment, TrainingSession


@rules.predicate
def trains_edition(user, edition):
    if edition is None:
        return False
    return edition.trainers.filter(pk=user.pk).exists()


@rules.predicate
def owns_enrollment(user, enrollment):
    return enrollment is not None and enrollment.user_id == user.pk


# Trainees
rules.add_perm("trainings.enrol_edition", rules.is_authenticated)
rules.add_perm("trainings.manage_own_enrollment", owns_enrollment)
rules.add_perm("trainings.view_trainee_panel", is_trainee)

# Trainers and coordinators
rules.add_perm("trainings.view_trainer_pages", is_coordinator | is_trainer)
rules.add_perm("trainings.view_trainer_panel", is_trainer)
rules.add_perm("trainings.manage_edition", is_coordinator | (is_trainer & trains_edition))
rules.add_perm("trainings.manage_all_editions", is_coordinator)

# Coordinators
rules.add_perm("trainings.close_edition", is_coordinator)
rules.add_perm("trainings.approve_enrollment", is_coordinator)
rules.add_perm("trainings.enrol_on_behalf", is_coordinator)
rules.add_perm("trainings.import_trainees", is_coordinator)
rules.add_perm("trainings.view_coordinator_panel", is_coordinator)


# Scoping: querysets cut to what the person may reach, before any other filter --------------------------------


def editions_for(user):
    """Editions a user may manage: coordinators all, trainers their own, anyone else none."""
    if user.has_perm("trainings.manage_all_editions"):
        return Edition.objects.all()
    if user.has_perm("trainings.view_trainer_pages"):
        return Edition.objects.filter(trainers=user)
    return Edition.objects.none()


def sessions_for(user):
    return TrainingSession.objects.filter(edition__in=editions_for(user))


def enrollments_of(user):
    """Her own enrolments: the only ones a trainee's pages may open."""
    if not getattr(user, "is_authenticated", False):
        return Enrollment.objects.none()
    return Enrollment.objects.filter(user=user)


def trainer_candidates():
    """People who may be named trainers of an edition: those with the trainer role."""
    from django.contrib.auth import get_user_model

    from accounts.enums import Role

    return get_user_model().objects.filter(groups__name=Role.TRAINER, is_active=True).order_by("email").distinct()
