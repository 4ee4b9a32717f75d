"""Who may do what in trainings. Views ask `request.user.has_perm("trainings.<action>_<model>", obj)`."""

import rules

from accounts.rules import is_coordinator, is_trainer


@rules.predicate
def trains_edition(user, edition):
    if edition is None:
        return False
    return edition.trainers.filter(pk=user.pk).exists()


@rules.predicate
def owns_enrollment(user, enrollment):
    return enrollment is not None and enrollment.user_id == user.pk


rules.add_perm("trainings.enrol_edition", rules.is_authenticated)
rules.add_perm("trainings.manage_edition", is_coordinator | (is_trainer & trains_edition))
rules.add_perm("trainings.close_edition", is_coordinator)
rules.add_perm("trainings.manage_own_enrollment", owns_enrollment)
rules.add_perm("trainings.approve_enrollment", is_coordinator)
rules.add_perm("trainings.view_trainer_pages", is_coordinator | is_trainer)
