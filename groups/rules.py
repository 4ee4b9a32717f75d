"""Who may do what in self-support groups, and which records each person reaches.

Every "may she" is a named rule here (django-rules); views, services and the Wagtail admin ask the same
rule with `user.has_perm("groups.<rule>", cohort)`. The querysets that scope records to a person sit next
to the rules, so a page fetches through them first and a foreign id is a 404.
"""

import rules
from django.contrib.auth import get_user_model

from accounts.enums import Role
from accounts.rules import is_coordinator, is_facilitator
from groups.models import Cohort, GroupSession, Member, Membership


@rules.predicate
def is_cohort_facilitator(user, cohort):
    if cohort is None or not getattr(user, "is_authenticated", False):
        return False
    # Kept on the cohort object for the rest of the request: a page asks several rules about one cohort.
    facilitator_ids = cohort.__dict__.get("_facilitator_ids")
    if facilitator_ids is None:
        facilitator_ids = cohort.__dict__["_facilitator_ids"] = frozenset(
            cohort.facilitators.values_list("pk", flat=True)
        )
    return user.pk in facilitator_ids


may_work_with_cohort = is_coordinator | is_cohort_facilitator

rules.add_perm("groups.view_cohort", may_work_with_cohort)
rules.add_perm("groups.record_attendance_cohort", may_work_with_cohort)
rules.add_perm("groups.view_notes_cohort", may_work_with_cohort)
rules.add_perm("groups.edit_notes_cohort", may_work_with_cohort)
rules.add_perm("groups.export_cohort", may_work_with_cohort)
rules.add_perm("groups.generate_schedule_cohort", may_work_with_cohort)
rules.add_perm("groups.cancel_session_cohort", may_work_with_cohort)
rules.add_perm("groups.print_sign_in_sheet_cohort", may_work_with_cohort)
rules.add_perm("groups.follow_up_cohort", may_work_with_cohort)
# Only her own cohorts' screens are kept on her phone for offline attendance; coordinators keep nothing.
rules.add_perm("groups.keep_offline_cohort", is_facilitator & is_cohort_facilitator)

# Without an object: what the person's role opens at all.
rules.add_perm("groups.see_every_cohort", is_coordinator)
rules.add_perm("groups.facilitate", is_facilitator)
rules.add_perm("groups.manage_groups", is_coordinator)


def cohorts_for(user):
    """Cohorts the user may see: all for coordinators, her own for a facilitator, none for anyone else."""
    cohorts = Cohort.objects.select_related("programme")
    if not getattr(user, "is_authenticated", False):
        return cohorts.none()
    if user.has_perm("groups.see_every_cohort"):
        return cohorts
    return cohorts.filter(facilitators=user)


def facilitated_cohorts(user):
    """The cohorts she facilitates herself, whatever other roles she holds."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    return Cohort.objects.select_related("programme").filter(facilitators=user)


def sessions_for(user):
    sessions = GroupSession.objects.select_related("cohort", "cohort__programme")
    if not getattr(user, "is_authenticated", False):
        return sessions.none()
    if user.has_perm("groups.see_every_cohort"):
        return sessions
    return sessions.filter(cohort__facilitators=user)


def memberships_for(user):
    memberships = Membership.objects.select_related("member", "cohort")
    if not getattr(user, "is_authenticated", False):
        return memberships.none()
    if user.has_perm("groups.see_every_cohort"):
        return memberships
    return memberships.filter(cohort__facilitators=user)


def members_for(user):
    """Members the user may look up: all for coordinators, those of her own cohorts for a facilitator."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    if user.has_perm("groups.see_every_cohort"):
        return Member.objects.all()
    return Member.objects.filter(memberships__cohort__facilitators=user).distinct()


def facilitator_candidates():
    """The people a coordinator may name as a cohort's facilitators: those with the facilitator role."""
    return get_user_model().objects.filter(groups__name=Role.FACILITATOR).order_by("email").distinct()
