from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core import dates
from core.appendonly import AppendOnlyModel
from core.attendance import MarkChange
from core.enums import AgeBand, AttendanceStatus, TargetGroup
from core.fields import EncryptedTextField
from core.formatting import local_moment
from groups.enums import CohortStatus, FollowUpStep, MembershipOutcome


class GroupProgramme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    target_group = models.CharField(_("target group"), max_length=255, blank=True)
    usual_session_count = models.PositiveSmallIntegerField(_("usual number of sessions"), default=12)

    class Meta:
        verbose_name = _("group programme")
        verbose_name_plural = _("group programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Cohort(models.Model):
    programme = models.ForeignKey(
        GroupProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="facilitated_cohorts"
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=12)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="sr-latn")
    status = models.CharField(_("status"), max_length=10, choices=CohortStatus.choices, default=CohortStatus.PLANNED)
    project = models.ForeignKey(
        "reporting.DonorProject",
        verbose_name=_("funded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cohorts",
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="cohort_end_after_start"
            )
        ]

    def __str__(self):
        return self.name


class Member(models.Model):
    """A group member, recorded pseudonymously: an alias she chose and an internal code; no surname or address."""

    alias = models.CharField(_("alias or first name"), max_length=100)
    code = models.CharField(_("internal code"), max_length=32, unique=True)
    children_count = models.PositiveSmallIntegerField(_("accompanying children"), null=True, blank=True)
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["alias"]
        # The admin lists members, and their memberships, by alias a page at a time: walked in this order,
        # the page is found without sorting every member (8,000 memberships at 10x: 2.2 -> 0.1 ms).
        indexes = [models.Index(fields=["alias"], name="member_alias")]
        constraints = [
            models.CheckConstraint(condition=Q(age_band__in=["", *AgeBand.values]), name="member_age_band_known"),
            models.CheckConstraint(
                condition=Q(target_group__in=["", *TargetGroup.values]), name="member_target_group_known"
            ),
        ]

    def __str__(self):
        return f"{self.alias} ({self.code})"


class Membership(models.Model):
    # No index of its own: the unique (cohort, member) index starts with it.
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=MembershipOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["member__alias"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "member"], name="membership_unique_member_per_cohort"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")), name="membership_left_after_joined"
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.cohort}"

    def save(self, *args, **kwargs):
        # The database refuses too (groups/triggers.py); here the refusal comes with a readable message.
        if not self._state.adding:
            problem = membership_dates_problem(self)
            if problem:
                raise ValidationError(problem[1])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and membership_marks(self).exists():
            raise ValidationError(
                _("She has attendance marks in this cohort, so her membership cannot be deleted. End it instead.")
            )
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        problem = membership_dates_problem(self)
        if problem:
            raise ValidationError({problem[0]: problem[1]})


class GroupSession(models.Model):
    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # Topic and reason are free text a facilitator writes, so they may touch a member's life: encrypted.
    topic = EncryptedTextField(_("topic"), blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = EncryptedTextField(_("reason for cancelling"), blank=True)
    notes = EncryptedTextField(_("session notes"), blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar SEQUENCE")

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="group_session_end_after_start")]
        # By start alone too: the sessions listing's first page, which reads no more than it shows.
        indexes = [models.Index(fields=["cohort", "start"]), models.Index(fields=["start"], name="group_session_start")]

    def __str__(self):
        # On the wall clock and in the active language's short form (the admin's titles, the choices).
        return f"{self.cohort} {local_moment(self.start)}"


class Attendance(models.Model):
    # No index of its own: the unique (session, member) index starts with it, at a million marks one less
    # index to write with each.
    session = models.ForeignKey(
        GroupSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances", db_index=False
    )
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    children_present = models.PositiveSmallIntegerField(_("children present"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the mark was made (on her phone, perhaps offline) and when the server received it. The change
    # log copies both (groups/triggers.py), with the id her phone gave the mark.
    recorded_at = models.DateTimeField(_("marked"), default=dates.now)
    received_at = models.DateTimeField(_("received"), default=dates.now)
    client_id = models.CharField(_("mark id from the device"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="attendance_unique_per_session")]
        # Donor reports ask, session by session, which women were present and how many children came with
        # them: answered from the index alone, without reading the rows.
        indexes = [
            models.Index(fields=["session", "status", "member", "children_present"], name="attendance_present_marks")
        ]

    def __str__(self):
        return f"{self.member_id}@{self.session_id}: {self.status}"


def _written_by_triggers_only(*args, **kwargs):
    raise TypeError("groups_monthlypresence is written by the database's triggers only (groups.presence)")


class MonthlyPresenceQuerySet(models.QuerySet):
    bulk_create = update = delete = _written_by_triggers_only


class MonthlyPresence(models.Model):
    """How many times a woman was present in a cohort in a calendar month (the organisation's), how many
    children came with her and how many times she was marked at all: the attendance marks a donor report
    counts, kept counted by the database as the marks and their sessions change (groups.presence). Never
    written by the application."""

    month = models.CharField(_("month"), max_length=7)  # "YYYY-MM", as reports key their months
    # No constraint or cascade of Django's: the database's triggers alone keep these rows.
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # Plain integers: a count gone wrong must not stop a facilitator's mark from being saved.
    present = models.IntegerField(_("times present"), default=0)
    children = models.IntegerField(_("children present"), default=0)
    marked = models.IntegerField(_("times marked"), default=0)  # present or not: the attendance rate's whole

    objects = MonthlyPresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly presence")
        verbose_name_plural = _("monthly presences")
        constraints = [
            models.UniqueConstraint(fields=["month", "cohort", "member"], name="monthly_presence_unique"),
        ]

    def __str__(self):
        return f"{self.member_id}@{self.cohort_id} {self.month}: {self.present}"

    save = delete = _written_by_triggers_only


class AttendanceChange(MarkChange):
    """Every change of an attendance mark, whichever door it came through: who, what, marked and received.

    A database trigger writes a row for each insert or change of a mark (groups/triggers.py), so a queryset
    update or raw SQL is recorded as surely as the attendance screen. A mark sent from a phone that lost to
    a later mark is kept here too, with `applied` off.
    """

    attendance = models.ForeignKey(
        Attendance, verbose_name=_("attendance"), on_delete=models.PROTECT, related_name="changes"
    )
    old_children = models.PositiveSmallIntegerField(_("children before"), null=True, blank=True)
    new_children = models.PositiveSmallIntegerField(_("children after"), default=0)

    class Meta(MarkChange.Meta):
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")


class FollowUpAction(AppendOnlyModel):
    """What a facilitator did about a follow-up flag (two absences in a row): she called, or it is settled.

    A flag belongs to the session of the second absence; a new pair of absences raises a new flag.
    """

    append_only_clearable = ("by",)

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="followup_actions"
    )
    absence_session = models.ForeignKey(
        GroupSession, verbose_name=_("session of the second absence"), on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(_("step"), max_length=10, choices=FollowUpStep.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=dates.now)

    class Meta:
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up steps")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "absence_session", "step"], name="followup_action_once_per_step"
            )
        ]

    def __str__(self):
        return f"{self.membership_id}/{self.absence_session_id}: {self.step}"


def membership_marks(membership):
    """Her attendance marks in the membership's cohort."""
    return Attendance.objects.filter(member_id=membership.member_id, session__cohort_id=membership.cohort_id)


def marks_outside_dates(membership, *, joined_on, left_on):
    """Her attendance marks in the membership's cohort that fall before `joined_on` or after `left_on`.

    Days are the organisation's local days, as the attendance grid counts them.
    """
    marks = membership_marks(membership)
    outside = Q(session__start__lt=dates.start_of_day(joined_on))
    if left_on is not None:
        outside |= Q(session__start__gte=dates.end_of_day(left_on))
    return marks.filter(outside)


def membership_dates_problem(membership) -> tuple[str, str] | None:
    """(field, why) when these dates would hide some of her attendance marks, None when they hide none.

    The grid shows marks only between joining and leaving while donor counts include every mark, so an end
    date before her last mark (or a start after her first) would make the two disagree.
    """
    if not membership.pk or membership.joined_on is None:
        return None
    marks = marks_outside_dates(membership, joined_on=membership.joined_on, left_on=membership.left_on)
    starts = list(marks.order_by("session__start").values_list("session__start", flat=True))
    if not starts:
        return None
    first, last = dates.local_date(starts[0]), dates.local_date(starts[-1])
    if first < membership.joined_on:
        return "joined_on", _(
            "She has attendance marked on %(date)s, so she cannot have joined after that day. "
            "Choose a date on or before %(date)s."
        ) % {"date": formats.date_format(first, "SHORT_DATE_FORMAT")}
    return "left_on", _(
        "She has attendance marked on %(date)s, so her membership cannot end before that day. "
        "Choose a date on or after %(date)s."
    ) % {"date": formats.date_format(last, "SHORT_DATE_FORMAT")}
