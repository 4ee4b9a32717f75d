"""Who may see and change case work.

A case is seen by its counselors (lead and others) and by coordinators. A case conference is also seen by
the staff invited to it. Views fetch objects through selectors scoped to the user first (a foreign id is a
404), then ask these permissions.
"""

import rules

from accounts.rules import is_coordinator, is_counselor


@rules.predicate
def is_case_counselor(user, case):
    if case is None or not getattr(user, "is_authenticated", False):
        return False
    if case.lead_counselor.user_id == user.pk:
        return True
    return case.counselors.filter(user=user).exists()


@rules.predicate
def is_conference_case_counselor(user, conference):
    return conference is not None and is_case_counselor(user, conference.case)


@rules.predicate
def is_invited_to_conference(user, conference):
    if conference is None or not getattr(user, "is_authenticated", False):
        return False
    return conference.invited_staff.filter(pk=user.pk).exists()


rules.add_perm("cases.list_cases", is_coordinator | is_counselor)
rules.add_perm("cases.add_case", is_coordinator | is_counselor)
rules.add_perm("cases.view_case", is_coordinator | is_case_counselor)
rules.add_perm("cases.change_case", is_coordinator | is_case_counselor)
rules.add_perm("cases.override_consent", is_coordinator)
rules.add_perm("cases.view_cti_dashboard", is_coordinator)
rules.add_perm("cases.view_caseconference", is_coordinator | is_conference_case_counselor | is_invited_to_conference)
rules.add_perm("cases.change_caseconference", is_coordinator | is_conference_case_counselor)
