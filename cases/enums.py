from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CaseOutcome(models.TextChoices):
    """How a case ended, for the closing record and the results framework."""

    GOALS_MET = "goals_met", _("Her goals were met")
    PARTLY_MET = "partly_met", _("Her goals were partly met")
    REFERRED_ON = "referred_on", _("Referred on to another body")
    SHE_ENDED = "she_ended", _("She ended the work")
    LOST_CONTACT = "lost_contact", _("Contact was lost")
    MOVED_AWAY = "moved_away", _("She moved away")
    OTHER = "other", _("Other")


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REASSIGNED = "reassigned", _("Handed over")


class NeedArea(models.TextChoices):
    SAFETY = "safety", _("Safety")
    LEGAL = "legal", _("Legal matters")
    HOUSING = "housing", _("Housing")
    ECONOMY = "economy", _("Economy")
    EMPLOYMENT = "employment", _("Employment")
    SCHOOL_DAYCARE = "school_daycare", _("Children's school and daycare")
    HEALTH = "health", _("Health")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    CHILD_CONTACT = "child_contact", _("Contact with children")


class NeedLevel(models.TextChoices):
    NONE = "none", _("No need")
    SOME = "some", _("Some need")
    URGENT = "urgent", _("Urgent need")


class RiskLevel(models.TextChoices):
    STANDARD = "standard", _("Standard risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


RISK_LEVEL_ORDER = {RiskLevel.STANDARD: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class RiskReply(models.TextChoices):
    """An answer of the checklist. Only "yes" adds to the score; "don't know" and "not asked" are kept
    apart from "no", so a low score made of unasked questions is seen for what it is."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    DONT_KNOW = "dont_know", _("Don't know")
    NOT_ASKED = "not_asked", _("Not asked")


@dataclass(frozen=True)
class RiskQuestion:
    code: str
    text: Promise
    weight: int = 1


# A yes/no checklist in the spirit of the DASH risk checklist: each "yes" adds its weight to the score.
# Codes are stored with the answers, so a question's wording may be improved without losing history;
# never reuse a code for a different question.
RISK_QUESTIONS: tuple[RiskQuestion, ...] = (
    RiskQuestion("injured", _("Has the current incident resulted in injury?")),
    RiskQuestion("frightened", _("Is she very frightened?")),
    RiskQuestion("fears_what", _("Is she afraid of what he might do next, of further injury or violence?")),
    RiskQuestion("isolated", _("Does she feel isolated from family and friends?")),
    RiskQuestion("depressed", _("Is she feeling depressed or having suicidal thoughts?")),
    RiskQuestion("separated", _("Has she separated or tried to separate from him within the past year?")),
    RiskQuestion("child_conflict", _("Is there conflict over child contact?")),
    RiskQuestion("stalking", _("Does he constantly text, call, contact, follow or stalk her?")),
    RiskQuestion("pregnant", _("Is she pregnant or has she recently had a baby?")),
    RiskQuestion("children_hurt", _("Has he hurt or threatened the children?")),
    RiskQuestion("escalating", _("Is the abuse happening more often or getting worse?")),
    RiskQuestion("controlling", _("Does he try to control everything she does, or is he excessively jealous?")),
    RiskQuestion("weapon", _("Has he used weapons or objects to hurt her?"), weight=2),
    RiskQuestion("threat_to_kill", _("Has he threatened to kill her or someone else, and she believed it?"), weight=2),
    RiskQuestion("strangled", _("Has he attempted to strangle, choke, suffocate or drown her?"), weight=2),
    RiskQuestion("sexual", _("Does he do or say things of a sexual nature that make her feel bad or hurt her?")),
    RiskQuestion("others_threatened", _("Is there another person who has threatened her or of whom she is afraid?")),
    RiskQuestion("hurt_others", _("Does she know whether he has hurt anyone else?")),
    RiskQuestion("animals", _("Has he ever mistreated an animal or the family pet?")),
    RiskQuestion("money", _("Are there financial issues, or is he dependent on her financially?")),
    RiskQuestion("substances", _("Has he had problems with alcohol, drugs or mental health in the past year?")),
    RiskQuestion("suicide_threat", _("Has he threatened or attempted suicide?")),
    RiskQuestion("breached_orders", _("Has he breached bail, a restraining order or a contact arrangement?")),
    RiskQuestion("criminal_history", _("Does she know whether he has been in trouble with the police?")),
)
RISK_QUESTION_CODES = frozenset(question.code for question in RISK_QUESTIONS)


class SafetyPlanSection(models.TextChoices):
    WARNING_SIGNS = "warning_signs", _("Warning signs and triggers")
    SAFE_PLACES = "safe_places", _("Safe places in and outside the home")
    TRUSTED_PEOPLE = "trusted_people", _("People she can turn to and a code word")
    EMERGENCY_CONTACTS = "emergency_contacts", _("Emergency numbers and contacts")
    DOCUMENTS_ITEMS = "documents_items", _("Documents, money and items to take")
    ESCAPE_ROUTE = "escape_route", _("How to leave quickly and where to go")
    CHILDREN = "children", _("Children's safety")
    DIGITAL = "digital", _("Phone, internet and digital safety")
    WORK_ROUTINE = "work_routine", _("Safety at work and on daily routes")


class ActionArea(models.TextChoices):
    SUBSIDIES = "subsidies", _("Applying for subsidies and benefits")
    COURT_SUPPORT = "court_support", _("Court: financial support")
    COURT_DIVORCE = "court_divorce", _("Court: divorce")
    COURT_PROPERTY = "court_property", _("Court: division of property")
    COURT_CUSTODY = "court_custody", _("Court: custody and visiting rights")
    CRIMINAL_CASE = "criminal_case", _("Police and prosecutor: criminal case")
    RESTRAINING_ORDER = "restraining_order", _("Police and prosecutor: restraining order")
    BUDGET = "budget", _("Family budget")
    ACCOMMODATION = "accommodation", _("New accommodation")
    EMPLOYMENT = "employment", _("Employment")
    NURSERY_SCHOOL = "nursery_school", _("Nursery and school places")
    CHILD_PROTECTION = "child_protection", _("Contact with child protection and social workers")
    OTHER = "other", _("Other")


class StepOwner(models.TextChoices):
    CLIENT = "client", _("The client")
    COUNSELOR = "counselor", _("The counselor")
    OTHER_BODY = "other_body", _("Another body")


class StepStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class StepChangeKind(models.TextChoices):
    ADDED = "added", _("Added")
    CHANGED = "changed", _("Changed")
    REMOVED = "removed", _("Removed")


class InformationTopic(models.TextChoices):
    PROTECTION_ORDERS = "protection_orders", _("Emergency and protection orders")
    CRIMINAL_COMPLAINT = "criminal_complaint", _("Reporting a crime and the criminal procedure")
    DIVORCE_CUSTODY = "divorce_custody", _("Divorce, custody and visiting rights")
    CHILD_SUPPORT = "child_support", _("Financial support for herself and the children")
    PROPERTY = "property", _("Division of property")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance and benefits")
    FREE_LEGAL_AID = "free_legal_aid", _("Free legal aid")
    SHELTER = "shelter", _("Shelter and safe accommodation")
    HEALTH_SERVICES = "health_services", _("Health services and medical documentation")
    VICTIM_RIGHTS = "victim_rights", _("Rights of victims in proceedings")
    EMPLOYMENT_SERVICES = "employment_services", _("Employment services")
    GROUPS_AFTERCARE = "groups_aftercare", _("Self-support groups and aftercare")


class InstitutionKind(models.TextChoices):
    SOCIAL_WORK_CENTRE = "social_work_centre", _("Centre for social work")
    POLICE = "police", _("Police")
    PROSECUTION = "prosecution", _("Prosecution")
    COURT = "court", _("Court")
    SHELTER = "shelter", _("Shelter")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education (school, daycare)")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("Other")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity and contact details")
    CHILDREN = "children", _("Children")
    CONFERENCE = "conference", _("Case conference minutes")
    NEEDS = "needs", _("Needs assessment")
    RISK = "risk", _("Risk assessment")
    SAFETY_PLAN = "safety_plan", _("Safety plan")
    ACTION_PLAN = "action_plan", _("Action plan")
    SESSIONS = "sessions", _("Counseling sessions")


class ConsentForm(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral")


class DisclosureFormat(models.TextChoices):
    PRINT = "print", _("Print view")
    PDF = "pdf", _("PDF")
    REFERRAL = "referral", _("Referral")
    MINUTES = "minutes", _("Conference minutes")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Done")


class AftercareKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    INDIVIDUAL_TALK = "individual_talk", _("Individual talk")
    GROUP_COURSE = "group_course", _("Group course")
    SELF_HELP_GROUP = "self_help_group", _("Self-help group")
    WORKSHOP = "workshop", _("Workshop")
    LECTURE = "lecture", _("Lecture")


class ActivityStatus(models.TextChoices):
    """A planned activity (an aftercare visit, a CTI review) is later marked held or missed."""

    PLANNED = "planned", _("Planned")
    DONE = "done", _("Held")
    MISSED = "missed", _("Missed")


class JournalKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")
    INCIDENT = "incident", _("Incident")
    NOTE = "note", _("Note")


class AgeBand(models.TextChoices):
    UNDER_3 = "0-2", _("under 3")
    PRESCHOOL = "3-6", _("3 to 6")
    SCHOOL = "7-11", _("7 to 11")
    YOUNG_TEEN = "12-14", _("12 to 14")
    TEEN = "15-17", _("15 to 17")
    ADULT = "18+", _("18 or older")


class ChildSupport(models.TextChoices):
    COUNSELING = "counseling", _("Counseling for the child")
    SHELTER = "shelter", _("Stay in the shelter with her")
    SCHOOL = "school", _("School or daycare support")
    HEALTH = "health", _("Health care")
    CHILD_PROTECTION = "child_protection", _("Child protection services")
    GROUP = "group", _("Group for children")
    LEGAL = "legal", _("Legal representation")


class CtiArea(models.TextChoices):
    HOUSING = "housing", _("Housing")
    ECONOMY = "economy", _("Economy")
    LABOUR_MARKET = "labour_market", _("Labour market")
    SCHOOL = "school", _("School")
    DAYCARE = "daycare", _("Daycare")
    HEALTH = "health", _("Health")


class CtiPhase(models.IntegerChoices):
    TRANSITION = 1, _("Phase 1: transition")
    TRY_OUT = 2, _("Phase 2: try-out")
    TRANSFER = 3, _("Phase 3: transfer of care")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class ConferenceStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class DueKind(models.TextChoices):
    """What a caseload lists as due, each done where it links to."""

    RISK_REVIEW = "risk_review", _("Risk assessment")
    CTI_REVIEW = "cti_review", _("CTI review")
    ACTION_STEP = "action_step", _("Action step")
    FOLLOW_UP = "follow_up", _("Conference follow-up")
    CONSENT_ENDS = "consent_ends", _("Consent ends")
    REFERRAL_WAITING = "referral_waiting", _("Referral without an answer")
    AFTERCARE = "aftercare", _("Planned aftercare")
    TELL_RECIPIENT = "tell_recipient", _("Tell a recipient of a withdrawal")
