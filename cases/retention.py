"""What identifies a survivor in case work, and when it goes (the retention registry, audit/retention.py).

A closed case is due after its period: every text written about her (needs, risk notes, the safety and
action plans and their histories, referrals, aftercare, CTI goals, conferences and who took part) is
blanked; the rows stay, so counts of cases, referrals and conferences do not change. An open case keeps
her counseling file from being anonymised.
"""

from django.db.models import Q

from audit.retention import Hold, Kept, Linked, Subject, register


def closed_cases_due(*, cutoff):
    from cases.models import Case

    return Case.objects.filter(closed_on__lt=cutoff)


def _case_texts(model, path, *fields):
    return Linked(f"cases.{model}", subject="closed_case", path=path, blank=fields)


register(
    Subject(name="closed_case", model="cases.Case", due=closed_cases_due, replace={"closure_reason": ""}),
    Hold(subject="counseling_client", model="cases.Case", path="client", active=Q(closed_on__isnull=True)),
    _case_texts("CaseEvent", "case", "reason"),
    _case_texts("Need", "assessment__case", "notes"),
    _case_texts("RiskAssessment", "case", "notes", "judgement_reason"),
    _case_texts(
        "SafetyPlan",
        "case",
        "warning_signs",
        "safe_places",
        "trusted_people",
        "emergency_contacts",
        "documents_items",
        "escape_route",
        "children",
        "digital",
        "work_routine",
    ),
    _case_texts("SafetyPlanVersion", "plan__case", "sections"),
    _case_texts("ActionStep", "plan__case", "description"),
    _case_texts("ActionStepChange", "step__plan__case", "snapshot"),
    _case_texts("InformationGiven", "case", "notes"),
    _case_texts("ConsentRecord", "case", "purpose", "withdrawal_reason"),
    _case_texts("Referral", "case", "reason", "outcome"),
    _case_texts("ReferralStatusChange", "referral__case", "note"),
    _case_texts("CaseJournalEntry", "case", "text"),
    _case_texts("CaseChild", "case", "label", "notes"),
    _case_texts("AftercareActivity", "case", "notes"),
    _case_texts("CtiCourse", "case", "extension_reason"),
    _case_texts("CtiGoal", "course__case", "goal"),
    _case_texts("CtiReview", "course__case", "notes"),
    _case_texts("CaseConference", "case", "place", "agenda", "decisions"),
    _case_texts("ConferenceDecision", "conference__case", "text"),
    _case_texts("ConferenceParticipant", "conference__case", "name", "role"),
    _case_texts("FollowUpAction", "conference__case", "description"),
    Kept("cases.RiskAnswer", ("question",), "the key of a question of the questionnaire, the same for everyone"),
    Kept(
        "cases.Disclosure",
        ("override_reason",),
        "a disclosure without consent is an append-only legal record: the legal reason is kept as written",
    ),
)
