from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core import dates
from core.enums import AgeBand, TargetGroup
from core.expressions import LastsAtMost
from core.fields import EncryptedTextField
from core.formatting import local_moment
from counseling.enums import BookingStatus, ContactChannel, IntakeStatus, SessionKind

# The longest a booking may last: the longest day on the calendar, the night the clocks go back (a booking is
# made for one day, from and until). Bounding it lets "the bookings of this week" read the bookings that start
# from a day before the week through the start index, not every booking ever made before the week's end.
BOOKING_LONGEST = timedelta(hours=25)


def booking_dates_check(start, end) -> None:
    """Refuse a booking whose dates no calendar can hold (year 9999, year 1): a typo, never a session.

    The booking horizon (how far ahead a booking may be made) is the services' rule; this one holds at
    every door, the shell included, because a single such row would break her calendar feed for good.
    """
    for moment in (start, end):
        if moment is not None and not dates.is_sensible_date(dates.local_date(moment)):
            raise ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s.")
                % {
                    "earliest": formats.date_format(dates.EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                    "latest": formats.date_format(dates.latest_date(), "SHORT_DATE_FORMAT"),
                },
                code="date_out_of_range",
            )
    if start is not None and end is not None and end - start > BOOKING_LONGEST:
        raise ValidationError(_("A booking lasts at most a day."), code="too_long")


class CounselorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="counselor_profile"
    )
    expertise = models.TextField(_("areas of expertise"), blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    session_kinds = models.JSONField(
        _("kinds of session"), default=list, blank=True, help_text=_("Kinds of session she may hold.")
    )
    trained_for_violence = models.BooleanField(
        _("trained for work with victims of violence against women"), default=False
    )
    buffer_minutes = models.PositiveSmallIntegerField(_("buffer before and after (minutes)"), default=15)
    min_notice_hours = models.PositiveSmallIntegerField(_("minimum notice (hours)"), default=24)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counselor")
        verbose_name_plural = _("counselors")
        ordering = ["user__profile__full_name"]

    def __str__(self):
        profile = getattr(self.user, "profile", None)
        return self.name_from(full_name=profile.full_name if profile else None, username=self.user.get_username())

    @staticmethod
    def name_from(*, full_name: str | None, username: str) -> str:
        """Her name as shown: her profile's name, or the account's username when she has no profile."""
        return full_name if full_name is not None else username

    def may_hold(self, kind: str) -> bool:
        return self.holds(kind, session_kinds=self.session_kinds, trained_for_violence=self.trained_for_violence)

    @staticmethod
    def holds(kind: str, *, session_kinds, trained_for_violence: bool) -> bool:
        """Whether a counselor with these kinds of session and training may hold a session of `kind`."""
        if kind not in session_kinds:
            return False
        return kind != SessionKind.CASE_BASED or trained_for_violence


class Room(models.Model):
    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counseling room")
        verbose_name_plural = _("counseling rooms")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AvailabilityWindow(models.Model):
    """A weekly recurring window in which the counselor can be booked."""

    counselor = models.ForeignKey(
        CounselorProfile, verbose_name=_("counselor"), on_delete=models.CASCADE, related_name="windows"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="window_end_after_start",
                violation_error_message=_("The window must end after it starts."),
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """Leave, holidays: times the counselor cannot be booked even inside a window."""

    counselor = models.ForeignKey(
        CounselorProfile, verbose_name=_("counselor"), on_delete=models.CASCADE, related_name="exceptions"
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="exception_end_after_start",
                violation_error_message=_("The absence must end after it starts."),
            )
        ]

    def __str__(self):
        # On the wall clock and in the active language's form of dates, as every other moment the admin shows.
        return f"{local_moment(self.start)} – {local_moment(self.end)}"


class Client(models.Model):
    """A counseling client. An alias is enough: anonymity is her right."""

    alias = models.CharField(_("alias"), max_length=100)
    code = models.CharField(_("internal code"), max_length=32, unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="sr-latn"
    )
    children_count = models.PositiveSmallIntegerField(_("number of children"), null=True, blank=True)
    # What donor reports count her by, each optional and cleared when she is anonymised.
    age_band = models.CharField(
        _("age band"),
        max_length=8,
        choices=AgeBand.choices,
        blank=True,
        help_text=_("Her age group only, never a birth date."),
    )
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_group = models.CharField(_("target group"), max_length=16, choices=TargetGroup.choices, blank=True)
    contact_channel = models.CharField(
        _("safe channel for automatic messages"),
        max_length=10,
        choices=ContactChannel.choices,
        default=ContactChannel.NEVER,
    )
    contact_address = EncryptedTextField(_("phone number or email for that channel"), blank=True)
    safe_contact_instructions = EncryptedTextField(_("safe-contact instructions"), blank=True)
    safe_times = EncryptedTextField(_("safe times to contact"), max_length=200, blank=True)
    # The machine-readable part of her safe times: automatic messages only go out inside this window.
    safe_from = models.TimeField(_("automatic messages not before"), null=True, blank=True)
    safe_until = models.TimeField(_("automatic messages not after"), null=True, blank=True)
    messages_may_name_purpose = models.BooleanField(
        _("messages may mention counseling"),
        default=False,
        help_text=_("Only if she chose it: otherwise messages use a neutral sender and subject."),
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(
        _("language to interpret"),
        max_length=100,
        blank=True,
        help_text=_("For example Romani, Arabic or sign language."),
    )
    counselors = models.ManyToManyField(
        CounselorProfile,
        verbose_name=_("her counselors"),
        blank=True,
        related_name="clients",
        help_text=_(
            "Counselors assigned to her may open her file. A counselor may also open it while she has a recent "
            "or upcoming booking with her, or works on her case."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["alias"]
        constraints = [
            models.CheckConstraint(condition=Q(age_band__in=["", *AgeBand.values]), name="client_age_band_known"),
            models.CheckConstraint(
                condition=Q(target_group__in=["", *TargetGroup.values]), name="client_target_group_known"
            ),
        ]

    def __str__(self):
        return f"{self.alias} ({self.code})"


def booking_earliest_start(moment):
    """The earliest a booking still running at `moment` can have started. Implied by the longest a booking
    lasts (a second more: the database's check allows a millisecond of slack); said outright in a query, it
    lets the start index find the bookings of a span instead of reading every one that started before it."""
    return moment - BOOKING_LONGEST - timedelta(seconds=1)


# A client's safe-contact details (where and when she may be contacted safely): shown on her own file, never
# in a list, a calendar or a case's pages. Those read her alias and code and leave these in the database:
# neither decrypted for every client or booking read nor held in memory (read when asked for, as any
# deferred field).
CLIENT_SECRET_FIELDS = tuple(f.name for f in Client._meta.fields if isinstance(f, EncryptedTextField))
CLIENT_SECRETS = tuple(f"client__{name}" for name in CLIENT_SECRET_FIELDS)  # through a record's `client`


class BookingQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        """The bookings that overlap [start, end), found through the start index."""
        return self.filter(start__lt=end, end__gt=start, start__gte=booking_earliest_start(start))

    # A queryset's update and bulk insert do not call the model's save: the same dates refused by them.
    def update(self, **kwargs):
        booking_dates_check(*(_moment(kwargs.get(name)) for name in ("start", "end")))
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for booking in objs:
            booking_dates_check(booking.start, booking.end)
        return super().bulk_create(objs, *args, **kwargs)


def _moment(value):
    """A moment given as a value; an expression (F("start") + ...) is the database's to work out."""
    return value if isinstance(value, datetime) else None


class Booking(models.Model):
    counselor = models.ForeignKey(
        CounselorProfile, verbose_name=_("counselor"), on_delete=models.PROTECT, related_name="bookings"
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
        help_text=_("Leave empty for a home visit."),
    )
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    cancel_reason = EncryptedTextField(_("reason for cancelling"), max_length=500, blank=True)
    notes = EncryptedTextField(_("session notes"), blank=True)
    outside_availability = models.BooleanField(_("booked outside availability (confirmed)"), default=False)
    # No index of its own: the index of a project's held sessions (booking_held_in_project) starts with it.
    project = models.ForeignKey(
        "reporting.DonorProject",
        verbose_name=_("funded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar SEQUENCE")
    counselor_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    client_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="booking_end_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=LastsAtMost("start", "end", seconds=int(BOOKING_LONGEST.total_seconds())),
                name="booking_lasts_at_most_a_day",
                violation_error_message=_("A booking lasts at most a day."),
            ),
        ]
        # The last by start: the bookings listing's first page, which reads no more than it shows.
        indexes = [
            models.Index(fields=["counselor", "start"]),
            models.Index(fields=["room", "start"]),
            models.Index(fields=["start"], name="booking_start"),
            # A project's held sessions of a span, by client and kind, from the index alone: what a donor
            # report counts them from (counseling.measures.sessions), not each booking's row read.
            models.Index(fields=["project", "status", "start", "client", "kind"], name="booking_held_in_project"),
        ]

    # Changing any of these changes the calendar entry: its SEQUENCE goes up (RFC 5545), whichever door the
    # change comes through (a page, the admin, a service or the shell).
    CALENDAR_FIELDS = ("start", "end", "room_id", "status")
    _TRACKED = (*CALENDAR_FIELDS, "sequence")

    def __str__(self):
        # Never the client's alias: this string can end up in admin logs and calendar entries.
        return f"{self.get_kind_display()} {local_moment(self.start)}"

    def save(self, *args, **kwargs):
        booking_dates_check(self.start, self.end)
        if self._calendar_changed():
            self.sequence += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sequence"}
        super().save(*args, **kwargs)
        self._loaded = self._tracked()

    def clean(self):
        super().clean()
        booking_dates_check(self.start, self.end)

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        booking = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        if all(name in booking.__dict__ for name in cls._TRACKED):  # not when some were deferred
            booking._loaded = booking._tracked()
        return booking

    def _tracked(self):
        return tuple(self.__dict__.get(name) for name in self._TRACKED)

    def _calendar_changed(self) -> bool:
        """Time, room or status changed since it was loaded, and nobody gave it a new SEQUENCE yet."""
        loaded = getattr(self, "_loaded", None)
        if self.pk is None or loaded is None:
            return False
        current = self._tracked()
        return loaded[:-1] != current[:-1] and loaded[-1] == current[-1]


class IntakeRequest(models.Model):
    """A request for counseling from the public site. No account, as little as possible about her."""

    alias = EncryptedTextField(_("what should we call you"), max_length=100)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="sr-latn"
    )
    safe_contact = EncryptedTextField(_("safe way to contact you"), max_length=500)
    safe_times = EncryptedTextField(_("safe times to contact you"), max_length=500, blank=True)
    needs = EncryptedTextField(_("what you need help with"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.NEW)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("intake request")
        verbose_name_plural = _("intake requests")
        ordering = ["created_at"]

    def __str__(self):
        # No alias here either: only when it arrived.
        label = _("Intake request")  # outside the f-string: the message extractor does not read inside one
        return f"{label} {self.created_at:%Y-%m-%d %H:%M}"
