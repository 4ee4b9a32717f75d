from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.appendonly import AppendOnlyModel
from core.enums import AttendanceStatus
from core.fields import EncryptedTextField
from groups.enums import CohortStatus, MembershipOutcome


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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["alias"]

    def __str__(self):
        return f"{self.alias} ({self.code})"


class Membership(models.Model):
    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="memberships")
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


class GroupSession(models.Model):
    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    notes = EncryptedTextField(_("session notes"), blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar SEQUENCE")

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="group_session_end_after_start")]
        indexes = [models.Index(fields=["cohort", "start"])]

    def __str__(self):
        return f"{self.cohort} {self.start:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    session = models.ForeignKey(
        GroupSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    children_present = models.PositiveSmallIntegerField(_("children present"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="attendance_unique_per_session")]

    def __str__(self):
        return f"{self.member_id}@{self.session_id}: {self.status}"


class AttendanceChange(AppendOnlyModel):
    """A change to an attendance mark made after the session day: who changed what, and when.

    Marks taken on the day are the record itself; later corrections must stay traceable.
    """

    append_only_clearable = ("changed_by",)

    attendance = models.ForeignKey(
        Attendance, verbose_name=_("attendance"), on_delete=models.PROTECT, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    old_status = models.CharField(_("before"), max_length=10, choices=AttendanceStatus.choices, blank=True)
    new_status = models.CharField(_("after"), max_length=10, choices=AttendanceStatus.choices)
    old_children = models.PositiveSmallIntegerField(_("children before"), null=True, blank=True)
    new_children = models.PositiveSmallIntegerField(_("children after"), default=0)

    class Meta:
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.attendance_id}: {self.old_status or '-'} -> {self.new_status}"
