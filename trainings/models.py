"""Programmes, editions, their sessions, enrolments, attendance and the history of completion decisions.

The rules that matter (seats never exceed capacity, an enrolment's status moves only through its workflow,
the waitlist is served in order, a locked report's activity stays put, a moved session tells calendars)
are kept below every door: the services check them under the edition's lock, these models refuse a
direct change that skips the services, and database triggers (trainings.triggers) refuse what gets past
both (a queryset update, raw SQL).
"""

import contextvars
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from core import dates
from core.appendonly import AppendOnlyModel
from core.attendance import MarkChange
from core.enums import AttendanceStatus
from core.formatting import local_moment
from core.pagecache import page_kept_for_visitors
from trainings.enums import SEAT_HOLDING_STATUSES, CompletionRule, EditionStatus, EndReason, EnrollmentStatus
from trainings.reasons import reason_text

_in_workflow = contextvars.ContextVar("trainings_in_workflow", default=False)


@contextmanager
def workflow():
    """Writes made inside come from trainings.services, which checked the rules under the edition's lock.

    Outside it (the shell, a management command, an admin form that forgot its service) the models below
    refuse what only a workflow may do: change an enrolment's status, raise a capacity while people wait,
    close an edition.
    """
    token = _in_workflow.set(True)
    try:
        yield
    finally:
        _in_workflow.reset(token)


def in_workflow() -> bool:
    return _in_workflow.get()


def _stored(instance, *fields) -> dict | None:
    """The row as the database holds it now, or None for a new one."""
    if instance._state.adding or instance.pk is None:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()


class TrainingProgramme(models.Model):
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    topics = models.TextField(_("topics"), blank=True)
    target_professions = models.CharField(_("target professions"), max_length=255, blank=True)
    hours = models.DecimalField(_("length in hours"), max_digits=5, decimal_places=1, default=Decimal("8.0"))
    completion_rule = models.CharField(
        _("completion rule"), max_length=20, choices=CompletionRule.choices, default=CompletionRule.MIN_SHARE
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum share of hours attended (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["title"]

    def __str__(self):
        return self.title


CLOSE_THROUGH_WORKFLOW = _("An edition is closed with “Close edition”, which works out every participant's completion.")


class EditionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # A queryset's update does not call the model's save: closing stays the workflow's, by either door.
        closing = kwargs.get("status") == EditionStatus.CLOSED
        if closing and not in_workflow() and self.exclude(status=EditionStatus.CLOSED).exists():
            raise ValidationError(str(CLOSE_THROUGH_WORKFLOW), code="close_through_workflow")
        return super().update(**kwargs)


class Edition(models.Model):
    programme = models.ForeignKey(
        TrainingProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="editions"
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), blank=True, related_name="trained_editions"
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)
    enrolment_opens = models.DateTimeField(_("enrolment opens"))
    enrolment_closes = models.DateTimeField(_("enrolment closes"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="sr-latn")
    status = models.CharField(_("status"), max_length=10, choices=EditionStatus.choices, default=EditionStatus.OPEN)
    requires_approval = models.BooleanField(_("enrolment needs a coordinator's approval"), default=False)
    confirm_days = models.PositiveSmallIntegerField(
        _("days a promoted waitlister has to confirm"), default=3, validators=[MinValueValidator(1)]
    )
    self_check_in = models.BooleanField(_("trainees may check in with a QR code"), default=False)
    promotion_needs_confirmation = models.BooleanField(
        _("a promoted waitlister must confirm her seat"),
        default=False,
        help_text=_("Otherwise the first on the waitlist is enrolled at once when a seat frees."),
    )
    priority_places = models.PositiveSmallIntegerField(
        _("places kept for partner organisations"),
        default=0,
        help_text=_("Seats only trainees of the funding project's partner organisations may take."),
    )
    project = models.ForeignKey(
        "reporting.DonorProject",
        verbose_name=_("funded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="editions",
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training edition")
        verbose_name_plural = _("training editions")
        ordering = ["start_date"]
        # The enrolments awaiting a certificate are listed oldest edition first: walked in this order, the
        # list's page is found without sorting every one of them.
        indexes = [models.Index(fields=["end_date"], name="edition_end_date")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="edition_end_after_start"),
            models.CheckConstraint(
                condition=Q(enrolment_closes__gt=F("enrolment_opens")), name="edition_enrolment_window_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority_places__lte=F("capacity")), name="edition_priority_places_within_capacity"
            ),
        ]

    def __str__(self):
        return self.name_from(programme=self.programme, start_date=self.start_date)

    def save(self, *args, **kwargs):
        stored = _stored(self, "capacity", "priority_places", "project_id", "status")
        if stored is not None and not in_workflow():
            self._direct_change_check(stored)
        super().save(*args, **kwargs)

    @staticmethod
    def name_from(*, programme, start_date) -> str:
        """The edition as named everywhere: its programme (or the programme's title) and its first day."""
        return f"{programme} ({start_date:%d.%m.%Y})"

    def _direct_change_check(self, stored) -> None:
        from trainings import services

        if self.status == EditionStatus.CLOSED and stored["status"] != EditionStatus.CLOSED:
            raise ValidationError(str(CLOSE_THROUGH_WORKFLOW), code="close_through_workflow")
        seats_changed = (self.capacity, self.priority_places) != (stored["capacity"], stored["priority_places"])
        if seats_changed:
            services.edition_capacity_check(edition=self, capacity=self.capacity)
            if self.enrollments.filter(status=EnrollmentStatus.WAITLISTED).exists():
                raise ValidationError(
                    gettext(
                        "People are waiting for a seat: change the capacity in the edition's form, which gives "
                        "new seats to the waitlist in order."
                    ),
                    code="waitlist_waiting",
                )
        if self.project_id != stored["project_id"]:
            services.edition_project_change_check(
                edition=self, old_project_id=stored["project_id"], new_project_id=self.project_id
            )


class TrainingSession(models.Model):
    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    title = models.CharField(_("title"), max_length=255, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar SEQUENCE")

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="training_session_end_after_start")]
        # The sessions listing's first page reads no more than it shows.
        indexes = [models.Index(fields=["start"], name="training_session_start")]

    def __str__(self):
        return f"{self.edition} {local_moment(self.start)}"

    def save(self, *args, **kwargs):
        stored = _stored(self, "edition_id", "start", "end", "title", "cancelled", "sequence")
        if stored is not None:
            self._change_check(stored)
            if (self.start, self.end, self.title, self.cancelled) != (
                stored["start"],
                stored["end"],
                stored["title"],
                stored["cancelled"],
            ):
                # Calendars accept a changed event only with a higher SEQUENCE, whichever door changed it.
                self.sequence = stored["sequence"] + 1
        super().save(*args, **kwargs)

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / Decimal(3600)

    def _change_check(self, stored) -> None:
        from trainings import services

        if self.edition_id != stored["edition_id"]:
            raise ValidationError(gettext("A session cannot move to another edition."), code="other_edition")
        if self.cancelled and not stored["cancelled"] and self.attendances.exists():
            raise ValidationError(
                gettext("Attendance was recorded for this session, so it cannot be cancelled."), code="attended"
            )
        moved = (self.start, self.end) != (stored["start"], stored["end"])
        if not in_workflow() and (moved or self.cancelled != stored["cancelled"]):
            services.session_change_check(session=self, old_start=stored["start"])

    def delete(self, *args, **kwargs):
        if self.attendances.exists():
            raise ValidationError(
                gettext("Attendance was recorded for this session, so it cannot be deleted."), code="attended"
            )
        return super().delete(*args, **kwargs)


DELETE_THROUGH_WORKFLOW = _("An enrolment is removed by cancelling it, so that her seat passes to the waitlist.")


class EnrollmentQuerySet(models.QuerySet):
    def delete(self):
        # A queryset's delete does not call the model's: the same rule for both doors.
        if not in_workflow():
            raise ValidationError(str(DELETE_THROUGH_WORKFLOW), code="delete_through_workflow")
        return super().delete()

    delete.queryset_only = True


class Enrollment(models.Model):
    # No index of its own: the unique (edition, user) index starts with it.
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="enrollments", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=15, choices=EnrollmentStatus.choices)
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    priority = models.BooleanField(_("priority place (partner organisation)"), default=False)
    # The reason a person gave, in her own words; else the code of why it ended, with its figures.
    completion_reason = models.CharField(_("reason"), max_length=255, blank=True)
    completion_code = models.CharField(
        _("why it ended"), max_length=20, choices=EndReason.choices, blank=True, editable=False
    )
    completion_details = models.JSONField(_("figures of the reason"), default=dict, blank=True, editable=False)
    hours_attended = models.DecimalField(
        _("hours attended"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Hours she was present, worked out when the edition closed and after any later correction."),
    )
    transferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="transferred_from"
    )
    reminded_on = models.DateField(_("reminder sent for"), null=True, blank=True, editable=False)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="enrollment_unique_per_edition"),
            models.CheckConstraint(
                condition=~Q(status=EnrollmentStatus.OFFERED) | Q(offer_expires_at__isnull=False),
                name="enrollment_offer_has_expiry",
            ),
        ]
        # In the listing's order: its first page reads no more than it shows.
        indexes = [
            # The person too: the donor figures' unique trainees are counted from the index alone (at ten times
            # the bench's data 4.4 ms against 6.8 for those enrolled to date, without a read of each row).
            models.Index(fields=["edition", "status", "user"], name="enrollment_edition_status_user"),
            models.Index(fields=["created_at", "id"], name="enrollment_created"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.edition}"

    def save(self, *args, **kwargs):
        if not in_workflow():
            self._direct_change_check(_stored(self, "status", "edition_id"))
        super().save(*args, **kwargs)

    def reason_shown(self) -> str:
        """Why it ended as it did, in the active language: the words a person gave, else the recorded reason."""
        return self.completion_reason or reason_text(self.completion_code, self.completion_details)

    reason_shown.short_description = _("reason")

    def _direct_change_check(self, stored) -> None:
        if stored is not None:
            if stored["edition_id"] != self.edition_id:
                raise ValidationError(
                    gettext("An enrolment cannot move to another edition: transfer it instead."), code="other_edition"
                )
            if stored["status"] != self.status:
                raise ValidationError(
                    gettext(
                        "An enrolment's status changes only through enrolment, approval, cancellation, transfer "
                        "or closing the edition, so that seats and the waitlist stay right."
                    ),
                    code="status_through_workflow",
                )
        if self.status in SEAT_HOLDING_STATUSES:
            # Seats count while the edition takes people; a closed or cancelled edition's list is history.
            capacity = (
                Edition.objects.filter(pk=self.edition_id)
                .exclude(status__in=[EditionStatus.CLOSED, EditionStatus.CANCELLED])
                .values_list("capacity", flat=True)
                .first()
            )
            taken = Enrollment.objects.filter(edition_id=self.edition_id, status__in=SEAT_HOLDING_STATUSES)
            if capacity is not None and taken.exclude(pk=self.pk).count() >= capacity:
                raise ValidationError(gettext("This edition is full."), code="full")

    def delete(self, *args, **kwargs):
        if not in_workflow():
            raise ValidationError(str(DELETE_THROUGH_WORKFLOW), code="delete_through_workflow")
        return super().delete(*args, **kwargs)


class TrainingAttendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the mark was made (on her phone, perhaps offline) and when the server received it: a mark kept on
    # a phone keeps its own time, so the later of two marks wins. The change log copies both
    # (trainings/triggers.py), with the id her phone gave the mark.
    recorded_at = models.DateTimeField(_("marked"), default=dates.now)
    received_at = models.DateTimeField(_("received"), default=dates.now)
    client_id = models.CharField(_("mark id from the device"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="training_attendance_unique_per_session")
        ]
        indexes = [
            # The enrolments present at a span's sessions (donor reports), read from the index alone.
            models.Index(fields=["session", "status", "enrollment"], name="training_attendance_present"),
        ]

    def __str__(self):
        return f"{self.enrollment_id}@{self.session_id}: {self.status}"


class TrainingAttendanceChange(MarkChange):
    """Every change of a training attendance mark, whichever door it came through: who, what, marked and
    received.

    A database trigger writes a row for each insert or change of a mark (trainings/triggers.py), so a
    queryset update or raw SQL is recorded as surely as the attendance screen. A mark sent from a phone that
    lost to a later mark is kept here too, with `applied` off.
    """

    attendance = models.ForeignKey(
        TrainingAttendance, verbose_name=_("attendance"), on_delete=models.PROTECT, related_name="changes"
    )

    class Meta(MarkChange.Meta):
        verbose_name = _("training attendance change")
        verbose_name_plural = _("training attendance changes")


class CompletionChange(AppendOnlyModel):
    """Each decision about an enrolment's completion: at closing, and after attendance corrected later.

    Certificates are issued or revoked on these decisions (trainings.signals.completion_changed); the row
    says why, in the organisation's language, and who made the change that led to it.
    """

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="completion_changes"
    )
    from_status = models.CharField(_("from"), max_length=15, choices=EnrollmentStatus.choices)
    to_status = models.CharField(_("to"), max_length=15, choices=EnrollmentStatus.choices)
    hours_attended = models.DecimalField(_("hours attended"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=255)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=dates.now)

    append_only_clearable = ("by",)

    class Meta:
        verbose_name = _("completion decision")
        verbose_name_plural = _("completion decisions")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.enrollment_id}: {self.from_status} -> {self.to_status}"


# Where the catalogue goes in the page kept around it (TrainingCataloguePage._frame).
CATALOGUE_PLACE = "<!-- the catalogue -->"


class TrainingCataloguePage(Page):
    """The public catalogue on the Wagtail site, one per language: upcoming editions with seats left."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["website.HomePage"]
    subpage_types = []
    # One under each language's home page.
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("training catalogue page")

    def serve(self, request, *args, **kwargs):
        """The same page for every visitor who is not logged in, kept while nothing it shows changes; once
        something has, the catalogue is built again in the page around it, which is kept apart."""
        from trainings.selectors import CatalogueReading, catalogue_stamp

        # On a miss its filters are read once: for until when the page holds, then for the page.
        reading = CatalogueReading(request.GET)
        return page_kept_for_visitors(
            request,
            name=f"training-catalogue-{self.pk}",
            stamp=catalogue_stamp,
            until=reading.changes_at,
            render=lambda: self._visitors_page(request, *args, reading=reading, **kwargs),
        )

    def _visitors_page(self, request, *args, reading=None, **kwargs):
        """For a visitor, the catalogue in the page around it, which is kept apart: it is made of the site's
        pages alone (its header, language links and footer), and a change to an edition or an enrolment
        leaves it as it was. Signed in, the page is built whole (hers has her name and a form token)."""
        from django.http import HttpResponse
        from django.template.loader import render_to_string

        from core.pagecache import request_for_anyone, value_kept_while_unchanged
        from reporting.inputs import request_page_tree_stamp
        from trainings.selectors import catalogue_context

        if not request_for_anyone(request):
            return super().serve(request, *args, **kwargs)
        frame = value_kept_while_unchanged(
            name=f"training-catalogue-frame-{self.pk}",
            identity=(request.get_host(), request.path, sorted(request.GET.lists())),
            stamp=lambda: request_page_tree_stamp(request),
            build=lambda: self._frame(request),
        )
        if frame is None:
            return super().serve(request, *args, **kwargs)
        context = {"page": self, "self": self, "request": request}
        context.update(catalogue_context(data=request.GET, user=request.user, reading=reading))
        content = render_to_string("trainings/_catalogue_content.html", context, request=request)
        before, after = frame["parts"]
        return HttpResponse(before + content.encode() + after, headers=frame["headers"])

    def _frame(self, request):
        """The page as built for a visitor, with a mark where the catalogue goes, cut at the mark; None when
        it is not a page to keep (the whole page is then built)."""
        from django.template.response import TemplateResponse
        from django.utils.safestring import mark_safe

        context = Page.get_context(self, request)
        context["catalogue_place"] = mark_safe(CATALOGUE_PLACE)  # noqa: S308  # nosec B308 B703 - a constant
        response = TemplateResponse(request, self.get_template(request), context).render()
        parts = response.content.split(CATALOGUE_PLACE.encode())
        if response.status_code != 200 or len(parts) != 2:
            return None
        return {"parts": parts, "headers": {"Content-Type": response["Content-Type"]}}

    def get_context(self, request, *args, **kwargs):
        from trainings.selectors import catalogue_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(data=request.GET, user=request.user))
        return context
