from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    EXPERIENTIAL = "experiential", _("Experiential counseling")
    CASE_BASED = "case_based", _("Case-based counseling")
    AFTERCARE = "aftercare", _("Aftercare talk")
    HOME_VISIT = "home_visit", _("Home visit")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class ContactChannel(models.TextChoices):
    NEVER = "never", _("Never contact me automatically")
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")


class IntakeStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted: client created")
    CLOSED = "closed", _("Closed without a client")


class MessageOutcome(models.TextChoices):
    """What happened to one automatic message for a client."""

    SENT = "sent", _("Sent")
    NEVER = "never", _("Not sent: she asked never to be contacted automatically")
    NOT_SAFE_NOW = "not_safe_now", _("Not sent: outside her safe times")
    NO_ADDRESS = "no_address", _("Not sent: no address for her safe channel")
    NO_GATEWAY = "no_gateway", _("Not sent: this channel has no automatic gateway")


# Statuses that occupy the counselor's and the room's time.
ACTIVE_BOOKING_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.CONFIRMED,
    BookingStatus.HELD,
    BookingStatus.NO_SHOW,
)
# Outcomes a counselor records once the session time has come.
MARKABLE_STATUSES = (BookingStatus.HELD, BookingStatus.NO_SHOW)
