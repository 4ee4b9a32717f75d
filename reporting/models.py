from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from core.appendonly import AppendOnlyModel
from reporting.enums import (
    FROZEN_STATUSES,
    Cadence,
    DisclosureMethod,
    IndicatorMeasure,
    IndicatorSource,
    PeriodStatus,
    ResultType,
    Transition,
)
from reporting.indicators import INDICATORS, indicator_choices


class Programme(models.Model):
    """Several donor projects that serve one programme (a region, a multi-year plan): compared side by side."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DonorProject(ClusterableModel):
    """A grant that funds cohorts, training editions and counseling activity."""

    title = models.CharField(_("title"), max_length=255)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    iati_identifier = models.CharField(
        _("IATI activity identifier"),
        max_length=150,
        blank=True,
        help_text=_("The organisation's IATI identifier, a hyphen and the project's own code, e.g. XM-DAC-…-2024-01."),
    )
    donor = models.CharField(_("donor"), max_length=255)
    grant_number = models.CharField(_("grant or contract number"), max_length=100, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    partners = models.TextField(_("partners"), blank=True)
    aim = models.TextField(_("aim"), blank=True)
    target_groups = models.TextField(_("target groups"), blank=True)
    planned_activities = models.TextField(_("planned activities"), blank=True)
    suppression_threshold = models.PositiveSmallIntegerField(
        _("smallest count shown"),
        default=5,
        help_text=_("Counts of survivors below this number are protected in donor reports."),
    )
    publish_zeros = models.BooleanField(
        _("show zero counts"),
        default=False,
        help_text=_(
            "Leave this off where even “nobody” could point to someone (a small town, a small group): "
            "a count of zero is then protected like any small count."
        ),
    )
    disclosure_method = models.CharField(
        _("protection of small counts"),
        max_length=10,
        choices=DisclosureMethod.choices,
        default=DisclosureMethod.SUPPRESS,
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("project managers"), blank=True, related_name="managed_projects"
    )
    cadence = models.CharField(
        _("reporting cadence"), max_length=12, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    due_days = models.PositiveSmallIntegerField(
        _("report due (days after the period ends)"), default=30, help_text=_("Used when periods are generated.")
    )

    class Meta:
        verbose_name = _("donor project")
        verbose_name_plural = _("donor projects")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="project_end_after_start"),
            models.CheckConstraint(condition=Q(suppression_threshold__gte=1), name="project_threshold_positive"),
        ]

    def __str__(self):
        return self.title


class Indicator(models.Model):
    """A target the donor agreed for one of the indicators defined in reporting.indicators."""

    project = ParentalKey(DonorProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("indicator"), max_length=50, choices=indicator_choices)
    target = models.DecimalField(_("target for the whole project"), max_digits=10, decimal_places=1)
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="indicator_unique_per_project"),
            models.CheckConstraint(condition=Q(target__gte=0), name="indicator_target_not_negative"),
        ]

    def __str__(self):
        definition = INDICATORS.get(self.code)
        return str(definition.label if definition else self.code)


FROZEN_FIELDS = ("project_id", "start_date", "end_date")


def _frozen_message(period) -> str:
    from reporting.selectors import period_lock_message

    return period_lock_message(period)


class ReportingPeriodQuerySet(models.QuerySet):
    """A submitted or locked period keeps its dates and project and stays: bulk changes meet the rule too."""

    def update(self, **kwargs):
        changed = {name for name in kwargs if name in ("project", "project_id", "start_date", "end_date")}
        if changed:
            frozen = self.filter(status__in=FROZEN_STATUSES).select_related("project", "locked_by__profile").first()
            if frozen is not None:
                raise ValidationError(_frozen_message(frozen))
        return super().update(**kwargs)

    def delete(self):
        frozen = self.filter(status__in=FROZEN_STATUSES).select_related("project", "locked_by__profile").first()
        if frozen is not None:
            raise ValidationError(_frozen_message(frozen))
        return super().delete()

    delete.queryset_only = True


class ReportingPeriod(models.Model):
    project = models.ForeignKey(
        DonorProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="periods"
    )
    label = models.CharField(_("label"), max_length=100)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    due_date = models.DateField(_("report due"))
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    achievements = models.TextField(_("achievements"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["project", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="period_end_after_start"),
            models.UniqueConstraint(fields=["project", "start_date"], name="period_unique_start_per_project"),
            models.CheckConstraint(
                condition=~Q(status=PeriodStatus.LOCKED) | Q(locked_by__isnull=False), name="period_locked_has_locker"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.project} · {self.label}"

    def save(self, *args, **kwargs):
        """Below every door: a period the database holds as submitted or locked keeps its dates and project
        (its report counts the activity of those days); unlocking is the service's logged step."""
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values("status", *FROZEN_FIELDS).first()
            if (
                stored is not None
                and stored["status"] in FROZEN_STATUSES
                and any(stored[name] != getattr(self, name) for name in FROZEN_FIELDS)
            ):
                frozen = type(self).objects.select_related("project", "locked_by__profile").get(pk=self.pk)
                raise ValidationError(_frozen_message(frozen))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored in FROZEN_STATUSES or self.snapshots.exists():
            frozen = type(self).objects.select_related("project", "locked_by__profile").get(pk=self.pk)
            raise ValidationError(
                _frozen_message(frozen)
                if stored in FROZEN_STATUSES
                else _("The report of “%(period)s” was submitted once: the period stays with its history.")
                % {"period": self.label}
            )
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES


class ReportSnapshot(AppendOnlyModel):
    """Every figure of a submitted report, frozen, with what it published: the report is rebuilt from here,
    never from live data, and later reports take what it published as known. Written once."""

    append_only_clearable = ("created_by",)

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="snapshots"
    )
    data = models.JSONField(_("figures"))
    created_at = models.DateTimeField(_("frozen"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("frozen by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self):
        return f"{self.period} {self.created_at:%Y-%m-%d %H:%M}"


class PeriodLogEntry(AppendOnlyModel):
    """Append-only history of a period's status: who moved it, when and why (unlocking needs a reason)."""

    append_only_clearable = ("by",)

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="log_entries"
    )
    transition = models.CharField(_("step"), max_length=10, choices=Transition.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=PeriodStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=PeriodStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("period log entry")
        verbose_name_plural = _("period log")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(transition=Transition.UNLOCK) | ~Q(reason=""), name="period_unlock_needs_reason"
            )
        ]

    def __str__(self):
        return f"{self.period_id}: {self.from_status} -> {self.to_status}"


def _period_frozen_refusal(period_id) -> None:
    period = (
        ReportingPeriod.objects.filter(pk=period_id, status__in=FROZEN_STATUSES)
        .select_related("project", "locked_by__profile")
        .first()
    )
    if period is not None:
        raise ValidationError(_frozen_message(period))


class _FrozenGuardQuerySet(models.QuerySet):
    """Bulk changes meet the period lock too."""

    def update(self, **kwargs):
        frozen = self.filter(period__status__in=FROZEN_STATUSES).values_list("period_id", flat=True).first()
        if frozen is not None:
            _period_frozen_refusal(frozen)
        return super().update(**kwargs)

    def delete(self):
        frozen = self.filter(period__status__in=FROZEN_STATUSES).values_list("period_id", flat=True).first()
        if frozen is not None:
            _period_frozen_refusal(frozen)
        return super().delete()

    delete.queryset_only = True


def _refuse_if_reported(indicators) -> None:
    """An indicator (or result) whose target or value a frozen report holds stays with that report."""
    frozen = (
        IndicatorTarget.objects.filter(indicator__in=indicators, period__status__in=FROZEN_STATUSES)
        .values_list("period_id", flat=True)
        .first()
    ) or (
        IndicatorActual.objects.filter(indicator__in=indicators, period__status__in=FROZEN_STATUSES)
        .values_list("period_id", flat=True)
        .first()
    )
    if frozen is not None:
        _period_frozen_refusal(frozen)


class _ReportedQuerySet(models.QuerySet):
    indicators_lookup = "pk__in"

    def delete(self):
        _refuse_if_reported(ResultIndicator.objects.filter(**{self.indicators_lookup: self.values("pk")}))
        return super().delete()

    delete.queryset_only = True


class _ResultQuerySet(_ReportedQuerySet):
    indicators_lookup = "result__in"


class Result(ClusterableModel):
    """An outcome or output the project promised its donor: the top of its results chain."""

    project = ParentalKey(DonorProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="results")
    result_type = models.CharField(_("type"), max_length=1, choices=ResultType.choices, default=ResultType.OUTCOME)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = _ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.project} · {self.title}"

    def delete(self, *args, **kwargs):
        _refuse_if_reported(self.indicators.all())
        return super().delete(*args, **kwargs)


class ResultIndicator(ClusterableModel):
    """How a result is measured: counted by Haven from a measure an activity app registers, or entered by the
    project manager each period with a comment; a baseline, a target per period and one for the project."""

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="indicators")
    title = models.CharField(_("indicator"), max_length=255)
    source = models.CharField(
        _("value"), max_length=10, choices=IndicatorSource.choices, default=IndicatorSource.COMPUTED
    )
    measure = models.CharField(
        _("counted as"),
        max_length=50,
        blank=True,
        choices=indicator_choices,
        help_text=_("For an indicator counted by Haven: what it counts. Leave empty for one entered by hand."),
    )
    # Counting only one row of one of the report's tables (one cohort, one municipality, one target group):
    # the table's code and the row as the table stores it. Its figures are then that cell's, as published.
    breakdown = models.CharField(_("only one row of the table"), max_length=40, blank=True)
    breakdown_row = models.CharField(_("row"), max_length=200, blank=True)
    measure_type = models.CharField(
        _("measured as"), max_length=1, choices=IndicatorMeasure.choices, default=IndicatorMeasure.UNIT
    )
    unit = models.CharField(_("unit"), max_length=60, blank=True, help_text=_("e.g. women, sessions, trainees"))
    baseline_value = models.DecimalField(_("baseline"), max_digits=12, decimal_places=1, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target = models.DecimalField(
        _("target for the whole project"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = _ReportedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result indicator")
        verbose_name_plural = _("result indicators")
        ordering = ["result__sort_order", "result_id", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source=IndicatorSource.COMPUTED) & ~Q(measure=""))
                | (Q(source=IndicatorSource.MANUAL) & Q(measure="")),
                name="result_indicator_source_matches_measure",
            ),
            models.CheckConstraint(
                condition=(Q(breakdown="") & Q(breakdown_row=""))
                | (~Q(breakdown="") & ~Q(breakdown_row="") & Q(source=IndicatorSource.COMPUTED)),
                name="result_indicator_row_of_a_counted_table",
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True) | Q(baseline_year__gte=1990, baseline_year__lte=2100),
                name="result_indicator_baseline_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0), name="result_indicator_target_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_value__gte=0),
                name="result_indicator_baseline_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.source == IndicatorSource.COMPUTED and not self.measure:
            raise ValidationError({"measure": _("Choose what Haven counts for this indicator.")})
        if self.source == IndicatorSource.MANUAL and self.measure:
            raise ValidationError(
                {"measure": _("An indicator entered by hand counts nothing by itself: leave this empty.")}
            )
        if self.breakdown or self.breakdown_row:
            from reporting.results import _column

            # Not keyed by field: the forms offer the row as one choice of their own ("Count only").
            if self.source != IndicatorSource.COMPUTED or not self.breakdown_row:
                raise ValidationError(_("Only an indicator counted by Haven can count one row."))
            if not _column(self.breakdown, self.measure):
                raise ValidationError(_("This table does not count what the indicator counts: choose another row."))
        if self.source == IndicatorSource.COMPUTED and self.measure:
            definition = INDICATORS.get(self.measure)
            if definition is not None and (definition.unit == "percent") != (
                self.measure_type == IndicatorMeasure.PERCENTAGE
            ):
                raise ValidationError(
                    {
                        "measure_type": _("“%(measure)s” is counted as a %(kind)s.")
                        % {
                            "measure": definition.label,
                            "kind": IndicatorMeasure.PERCENTAGE.label
                            if definition.unit == "percent"
                            else IndicatorMeasure.UNIT.label,
                        }
                    }
                )

    def delete(self, *args, **kwargs):
        _refuse_if_reported([self.pk])
        return super().delete(*args, **kwargs)


class _PeriodFigure(models.Model):
    """A figure of one indicator for one period (its target, a value entered by hand): fixed once that
    period's report is frozen, through the model, bulk changes and every form on top of them."""

    frozen_fields: tuple[str, ...] = ()

    objects = _FrozenGuardQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        _refuse_frozen_change(self, self.frozen_fields)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _period_frozen_refusal(self.period_id)
        return super().delete(*args, **kwargs)


class IndicatorTarget(_PeriodFigure):
    """The target of one indicator for one reporting period; fixed once that period's report is frozen."""

    indicator = ParentalKey(
        ResultIndicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="indicator_targets"
    )
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=1)

    frozen_fields = ("value", "period_id", "indicator_id")

    class Meta:
        verbose_name = _("period target")
        verbose_name_plural = _("period targets")
        ordering = ["period__start_date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="indicator_target_unique_per_period"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_period_target_not_negative"),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.period.label}: {self.value}"

    def clean(self):
        super().clean()
        if self.period_id and self.indicator_id and self.period.project_id != self.indicator.result.project_id:
            raise ValidationError({"period": _("Choose a reporting period of this indicator's project.")})


class IndicatorActual(_PeriodFigure):
    """What an indicator entered by hand reached in one period, and how the project manager knows."""

    indicator = models.ForeignKey(
        ResultIndicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="actuals"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="indicator_actuals"
    )
    value = models.DecimalField(_("value reached"), max_digits=12, decimal_places=1)
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    frozen_fields = ("value", "comment", "period_id", "indicator_id")

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["period__start_date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="indicator_actual_unique_per_period"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_actual_not_negative"),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.period.label}: {self.value}"


def _refuse_frozen_change(obj, fields) -> None:
    """A target or value of a submitted or locked period stays as reported (saving it unchanged is fine: the
    admin's inline forms save every row)."""
    if obj.pk is None or obj._state.adding:
        _period_frozen_refusal(obj.period_id)
        return
    stored = type(obj).objects.filter(pk=obj.pk).values(*fields).first()
    if stored is None:
        _period_frozen_refusal(obj.period_id)
        return
    if any(stored[name] != getattr(obj, name) for name in fields):
        _period_frozen_refusal(stored["period_id"])
        _period_frozen_refusal(obj.period_id)


class FiguresInputsStamp(models.Model):
    """One row the database changes whenever a table donor figures are counted from changes
    (reporting.inputs): a live report's figures are kept under its value and counted again once it moves."""

    stamp = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("donor figures' inputs stamp")
        verbose_name_plural = _("donor figures' inputs stamps")

    def __str__(self):
        return str(self.stamp)
