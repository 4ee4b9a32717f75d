"""Who may do what with a cohort. Views ask `request.user.has_perm("groups.<action>_cohort", cohort)`."""

import rules

from accounts.rules import is_coordinator


@rules.predicate
def is_cohort_facilitator(user, cohort):
    if cohort is None or not getattr(user, "is_authenticated", False):
        return False
    return cohort.facilitators.filter(pk=user.pk).exists()


may_work_with_cohort = is_coordinator | is_cohort_facilitator

rules.add_perm("groups.view_cohort", may_work_with_cohort)
rules.add_perm("groups.record_attendance_cohort", may_work_with_cohort)
rules.add_perm("groups.view_notes_cohort", may_work_with_cohort)
rules.add_perm("groups.edit_notes_cohort", may_work_with_cohort)
rules.add_perm("groups.export_cohort", may_work_with_cohort)
rules.add_perm("groups.generate_schedule_cohort", may_work_with_cohort)
