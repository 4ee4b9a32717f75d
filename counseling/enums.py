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


# Statuses that occupy the counselor's and the room's time.
ACTIVE_BOOKING_STATUSES = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.HELD, BookingStatus.NO_SHOW)
