"""Who may see and do what in case work: the one place that answers "may she do this?".

A case is seen by its counselors (the lead counselor and her co-workers) and by coordinators; a case
conference also by the staff invited to it. Every change asks a rule that includes the case's state, so
a closed case is read-only whoever asks. Views and services ask the same named rules; the querysets below
scope every lookup to the user first, so a foreign id is a 404 before any rule is asked.
"""

import rules
from django.db.models import Q

from accounts.rules import is_coordinator, is_counselor
from cases.models import Case, CaseConference
from counseling import rules as counseling_rules
from counseling.models import CLIENT_SECRETS, Client, CounselorProfile


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def _case_roles(user) -> Q:
    """Cases where she is the lead counselor or a co-worker now."""
    return Q(lead_counselor__user=user) | Q(counselors__user=user)


@rules.predicate
def is_case_counselor(user, case):
    if case is None or not _signed_in(user):
        return False
    if case.lead_counselor.user_id == user.pk:
        return True
    return case.counselors.filter(user=user).exists()


@rules.predicate
def is_lead_counselor(user, case):
    return case is not None and _signed_in(user) and case.lead_counselor.user_id == user.pk


@rules.predicate
def is_open(user, case):
    return case is not None and case.closed_on is None


@rules.predicate
def is_closed(user, case):
    return case is not None and case.closed_on is not None


@rules.predicate
def is_conference_case_counselor(user, conference):
    return conference is not None and is_case_counselor(user, conference.case)


@rules.predicate
def is_invited_to_conference(user, conference):
    if conference is None or not _signed_in(user):
        return False
    return conference.invited_staff.filter(pk=user.pk).exists()


@rules.predicate
def is_conference_case_open(user, conference):
    return conference is not None and conference.case.closed_on is None


works_on_case = is_coordinator | is_case_counselor

rules.add_perm("cases.list_cases", is_coordinator | is_counselor)
rules.add_perm("cases.add_case", is_coordinator | is_counselor)
rules.add_perm("cases.view_case", works_on_case)
# Every record of a case (assessments, plans, journal, consents, referrals, CTI, aftercare, children).
rules.add_perm("cases.change_case", works_on_case & is_open)
rules.add_perm("cases.close_case", (is_coordinator | is_lead_counselor) & is_open)
rules.add_perm("cases.reopen_case", (is_coordinator | is_lead_counselor) & is_closed)
rules.add_perm("cases.reassign_case", is_coordinator & is_open)
rules.add_perm("cases.override_consent", is_coordinator)
rules.add_perm("cases.view_caseload", is_coordinator | is_counselor)
rules.add_perm("cases.view_team_caseload", is_coordinator)
rules.add_perm("cases.view_cti_dashboard", is_coordinator | is_counselor)
rules.add_perm("cases.view_caseconference", is_coordinator | is_conference_case_counselor | is_invited_to_conference)
rules.add_perm("cases.change_caseconference", (is_coordinator | is_conference_case_counselor) & is_conference_case_open)


def why_refused(user, case):
    """The message for someone who may see a case but not change it: only a closed case explains itself."""
    from cases.models import CASE_CLOSED_MESSAGE

    if case is not None and case.closed_on is not None and user.has_perm("cases.view_case", case):
        return CASE_CLOSED_MESSAGE
    return None


# Querysets scoped to the user: every view and selector starts from one of these.


def sees_every_case(user) -> bool:
    """Whether cases_for(user) is every case (a coordinator): a list of records of cases then needs no
    filter by the cases' ids, which made SQLite look up every case's records one case at a time."""
    return _signed_in(user) and is_coordinator(user)


def cases_for(user):
    """Cases the user may see: every case for coordinators, the cases she works on for a counselor. With the
    client's alias and code, not her safe-contact details: no case page shows them (her file does), and left
    in the database they are not decrypted for every case opened or listed."""
    qs = Case.objects.select_related("client", "lead_counselor__user__profile").defer(*CLIENT_SECRETS)
    if not _signed_in(user):
        return qs.none()
    if sees_every_case(user):
        return qs
    if not is_counselor(user):
        return qs.none()
    return qs.filter(pk__in=Case.objects.filter(_case_roles(user)).values("pk"))


def caseload_cases_for(user, *, counselor=None, team=False):
    """Open cases of one caseload: her own by default; a coordinator may look at one counselor's
    caseload or at the whole team's."""
    qs = cases_for(user).filter(closed_on__isnull=True)
    if is_coordinator(user) and team:
        return qs
    if is_coordinator(user) and counselor is not None:
        return qs.filter(pk__in=Case.objects.filter(Q(lead_counselor=counselor) | Q(counselors=counselor)).values("pk"))
    return qs.filter(pk__in=Case.objects.filter(_case_roles(user)).values("pk"))


def caseload_counselors_for(user):
    """Whose caseload she may look at: any active counselor for a coordinator, nobody else's otherwise."""
    if _signed_in(user) and is_coordinator(user):
        return CounselorProfile.objects.filter(active=True).select_related("user__profile")
    return CounselorProfile.objects.none()


def conferences_for(user):
    """Conferences of the user's cases, those she is invited to, or all for coordinators."""
    qs = CaseConference.objects.select_related("case__client", "case__lead_counselor__user")
    if not _signed_in(user):
        return qs.none()
    if is_coordinator(user):
        return qs
    own_cases = cases_for(user).values("pk")
    invited = CaseConference.objects.filter(invited_staff=user).values("pk")
    return qs.filter(Q(case__in=own_cases) | Q(pk__in=invited))


def clients_for_new_case(user):
    """Whom she may open a case for: any active client for a coordinator; for a counselor, the clients she
    works with now (counseling's rule: assigned to her, a recent booking, or a case)."""
    if not _signed_in(user) or not (is_coordinator(user) or is_counselor(user)):
        return Client.objects.none()
    return counseling_rules.clients_for(user).filter(active=True, anonymised_at__isnull=True)


def client_ids_with_case_role(user):
    """Clients whose file she may open because of a case: she is the lead counselor or a co-worker on an
    open case of the client. Counseling's client-file rule adds this to recent bookings."""
    if not _signed_in(user):
        return Case.objects.none().values("client_id")
    return Case.objects.filter(_case_roles(user), closed_on__isnull=True).values("client_id")


def client_access(user) -> Q:
    """Registered with counseling (cases.apps): her current case roles open the client's file."""
    return Q(pk__in=client_ids_with_case_role(user))


@rules.predicate
def has_case_role_for_client(user, client):
    if client is None or not _signed_in(user):
        return False
    return Case.objects.filter(_case_roles(user), client=client, closed_on__isnull=True).exists()
