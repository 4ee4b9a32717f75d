from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Submitted")
    LOCKED = "locked", _("Locked")


# Statuses whose figures come from the frozen snapshot, never from live data.
FROZEN_STATUSES = (PeriodStatus.SUBMITTED, PeriodStatus.LOCKED)
# Statuses in which the project manager may still write the narrative.
EDITABLE_STATUSES = (PeriodStatus.OPEN, PeriodStatus.IN_REVIEW)


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    CUSTOM = "custom", _("Custom length")


CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6}


class Transition(models.TextChoices):
    SUBMIT_FOR_REVIEW = "review", _("Submit for review")
    RETURN = "return", _("Return to the project manager")
    APPROVE = "approve", _("Approve")
    SUBMIT = "submit", _("Submit to the donor")
    LOCK = "lock", _("Lock")
    UNLOCK = "unlock", _("Unlock")


class IndicatorKind(models.TextChoices):
    """Survivor counts are suppressed when small; professionals and activities are not."""

    SURVIVOR = "survivor", _("Survivors")
    PROFESSIONAL = "professional", _("Professionals")
    ACTIVITY = "activity", _("Activities")


class DisclosureMethod(models.TextChoices):
    """How a project keeps small counts of survivors out of its donor reports (reporting.disclosure)."""

    SUPPRESS = "suppress", _("Hide small counts (and what would give them away)")
    ROUND = "round5", _("Round every count of survivors to a multiple of 5")


class ResultType(models.TextChoices):
    """IATI's result types (codelist ResultType): the value is the code written to the IATI file."""

    OUTPUT = "1", _("Output")
    # Not the outcome of a case: Danish has another word for each.
    OUTCOME = "2", pgettext_lazy("result type", "Outcome")
    IMPACT = "3", _("Impact")


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Counted by Haven")
    MANUAL = "manual", _("Entered by hand")


class IndicatorMeasure(models.TextChoices):
    """IATI's indicator measures (codelist IndicatorMeasure)."""

    UNIT = "1", _("Number")
    PERCENTAGE = "2", _("Percentage")
