from django.db import models
from django.utils.translation import gettext_lazy as _


class EditionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for enrolment")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed")


class EnrollmentStatus(models.TextChoices):
    PENDING_APPROVAL = "pending", _("Waiting for approval")
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waitlist")
    OFFERED = "offered", _("Seat offered: please confirm")
    CANCELLED = "cancelled", _("Cancelled")
    TRANSFERRED = "transferred", _("Transferred")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


class EndReason(models.TextChoices):
    """Why an enrolment ended as it did. The sentence that says it, with the figures kept beside the code, is
    written in the reader's language when shown (trainings.reasons)."""

    NO_SESSIONS = "no_sessions", _("No sessions held")
    ALL_SESSIONS = "all_sessions", _("All sessions attended")
    SESSIONS_MISSED = "sessions_missed", _("Sessions missed")
    HOURS_MET = "hours_met", _("Enough hours attended")
    HOURS_SHORT = "hours_short", _("Too few hours attended")
    EDITION_CANCELLED = "edition_cancelled", _("Edition cancelled")
    OFFER_EXPIRED = "offer_expired", _("Seat offer not confirmed in time")
    NOT_APPROVED = "not_approved", _("Not approved")
    CLOSED_WAITING = "closed_waiting", _("Closed while she waited")


class CompletionRule(models.TextChoices):
    MIN_SHARE = "min_share", _("A minimum share of session hours attended")
    ALL_SESSIONS = "all_sessions", _("All sessions attended")


# Enrolments that hold a seat.
SEAT_HOLDING_STATUSES = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.OFFERED,
    EnrollmentStatus.PENDING_APPROVAL,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.NOT_COMPLETED,
)
# Enrolments that took a seat: the trainee was in the edition, whatever came of it (donor reports count them
# as trainees enrolled, where the edition began).
SEAT_TAKEN = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)
