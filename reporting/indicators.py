"""Indicators, each defined once: a code, a label, whose count it is, and one aggregate query.

A function takes (project, span) where span has `start_date` and `end_date` (a ReportingPeriod, or the
project-to-date span the report uses for the share of the target reached). Every function runs one or two
aggregate queries; none loops over rows in Python, so a period with 100,000 attendances costs the same
number of queries as one with ten.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.enums import AttendanceStatus
from counseling.enums import BookingStatus, SessionKind
from counseling.models import Booking
from groups.models import Attendance, GroupSession
from reporting.enums import IndicatorKind
from trainings.enums import EditionStatus
from trainings.models import Edition, TrainingAttendance

COUNT = "count"
PERCENT = "percent"


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    label: str | Promise
    kind: str
    func: Callable
    unit: str = COUNT
    # Indicators that add up to another one (counseling sessions by kind), with this part's row in the
    # parent's split: the disclosure control links them.
    part_of: str = ""
    part_key: str = ""
    # Distinct people (parts overlap) rather than events (parts add up); events name their people and
    # occasions (at most one event per person and occasion).
    people: bool = False
    people_of: str = ""
    occasions: str = ""

    @property
    def suppressible(self) -> bool:
        return self.kind == IndicatorKind.SURVIVOR and self.unit == COUNT


def bounds(span) -> tuple[datetime, datetime]:
    """The span as aware datetimes [start, end): range lookups on indexed columns, no per-row date casts."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(span.start_date, time.min, tzinfo=tz)
    end = datetime.combine(span.end_date + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


_cache: ContextVar[dict | None] = ContextVar("reporting_figures_cache", default=None)


@contextmanager
def figures_cache():
    """While one report is computed, a figure asked for twice (an indicator and a table's total) is queried once."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def memoised(func):
    @wraps(func)
    def wrapper(project, span):
        cache = _cache.get()
        if cache is None:
            return func(project, span)
        key = (func.__name__, project.pk, span.start_date, span.end_date)
        if key not in cache:
            cache[key] = func(project, span)
        return cache[key]

    return wrapper


# Querysets the indicators and breakdowns share.


def group_sessions_held(project, span):
    start, end = bounds(span)
    return GroupSession.objects.filter(cohort__project=project, cancelled=False, start__gte=start, start__lt=end)


def group_attendances(project, span, *, before=False):
    start, end = bounds(span)
    when = Q(session__start__lt=start) if before else Q(session__start__gte=start, session__start__lt=end)
    return Attendance.objects.filter(
        when, session__cohort__project=project, session__cancelled=False, status=AttendanceStatus.PRESENT
    )


def counseling_held(project, span, *, before=False):
    start, end = bounds(span)
    when = Q(start__lt=start) if before else Q(start__gte=start, start__lt=end)
    return Booking.objects.filter(when, project=project, status=BookingStatus.HELD)


def training_attendances(project, span):
    start, end = bounds(span)
    return TrainingAttendance.objects.filter(
        session__edition__project=project,
        session__start__gte=start,
        session__start__lt=end,
        status=AttendanceStatus.PRESENT,
    ).exclude(session__edition__status=EditionStatus.CANCELLED)


def editions_held(project, span):
    """Editions that began in the span: an edition spanning two periods counts once, where it started."""
    return Edition.objects.filter(
        project=project, start_date__gte=span.start_date, start_date__lte=span.end_date
    ).exclude(status=EditionStatus.CANCELLED)


def certificate_model():
    try:
        return apps.get_model("certificates", "Certificate")
    except LookupError:
        return None


def certificates_issued_queryset(project, span):
    """Certificates issued in the span for the project's editions; revoked ones do not count, and a
    replacement is not counted again (one per enrolment)."""
    from certificates.enums import CertificateStatus

    model = certificate_model()
    if model is None:
        return None
    return model.objects.filter(
        edition__project=project, issued_on__gte=span.start_date, issued_on__lte=span.end_date
    ).exclude(status=CertificateStatus.REVOKED)


# The indicator functions.


@memoised
def women_in_groups(project, span) -> int:
    """Unique women present at least once at a held session of one of the project's cohorts."""
    return group_attendances(project, span).aggregate(n=Count("member", distinct=True))["n"]


@memoised
def group_sessions_count(project, span) -> int:
    return group_sessions_held(project, span).count()


@memoised
def attendances_count(project, span) -> int:
    return group_attendances(project, span).count()


def attendance_rate(project, span) -> Decimal | None:
    """Present marks as a share of all marks recorded for held sessions; None when nothing was recorded."""
    start, end = bounds(span)
    totals = Attendance.objects.filter(
        session__cohort__project=project, session__cancelled=False, session__start__gte=start, session__start__lt=end
    ).aggregate(marked=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)))
    if not totals["marked"]:
        return None
    return (Decimal(100) * totals["present"] / totals["marked"]).quantize(Decimal("0.1"), ROUND_HALF_UP)


@memoised
def counseling_sessions_count(project, span) -> int:
    return counseling_held(project, span).count()


def counseling_kind_counter(kind):
    def count(project, span) -> int:
        return counseling_held(project, span).filter(kind=kind).count()

    count.__name__ = f"counseling_sessions_{kind}"
    return count


@memoised
def clients_counselled(project, span) -> int:
    return counseling_held(project, span).aggregate(n=Count("client", distinct=True))["n"]


def editions_count(project, span) -> int:
    return editions_held(project, span).count()


@memoised
def trainees_trained(project, span) -> int:
    """Unique people present at least once at a training session of the project's editions."""
    return training_attendances(project, span).aggregate(n=Count("enrollment__user", distinct=True))["n"]


def certificates_issued(project, span) -> int:
    qs = certificates_issued_queryset(project, span)
    return 0 if qs is None else qs.aggregate(n=Count("enrollment", distinct=True))["n"]


def organisations_reached(project, span) -> int:
    """Distinct organisations of the trainees trained (as written in their profiles)."""
    return (
        training_attendances(project, span)
        .exclude(enrollment__user__profile__organisation="")
        .aggregate(n=Count("enrollment__user__profile__organisation", distinct=True))["n"]
    )


_DEFINITIONS = [
    IndicatorDef(
        "women_in_groups",
        _("Unique women in self-support groups"),
        IndicatorKind.SURVIVOR,
        women_in_groups,
        people=True,
    ),
    IndicatorDef("group_sessions_held", _("Group sessions held"), IndicatorKind.ACTIVITY, group_sessions_count),
    IndicatorDef(
        "group_attendances",
        _("Attendances at group sessions"),
        IndicatorKind.SURVIVOR,
        attendances_count,
        people_of="women_in_groups",
        occasions="group_sessions_held",
    ),
    IndicatorDef(
        "attendance_rate", _("Average attendance rate (%)"), IndicatorKind.SURVIVOR, attendance_rate, unit=PERCENT
    ),
    IndicatorDef(
        "counseling_sessions_held",
        _("Counseling sessions held"),
        IndicatorKind.SURVIVOR,
        counseling_sessions_count,
        people_of="clients_counselled",
    ),
    *(
        IndicatorDef(
            f"counseling_sessions_{kind.value}",
            kind.label,
            IndicatorKind.SURVIVOR,
            counseling_kind_counter(kind.value),
            part_of="counseling_sessions_held",
            part_key=kind.value,
        )
        for kind in SessionKind
    ),
    IndicatorDef(
        "clients_counselled",
        _("Unique clients counselled"),
        IndicatorKind.SURVIVOR,
        clients_counselled,
        people=True,
    ),
    IndicatorDef("training_editions_held", _("Training editions held"), IndicatorKind.ACTIVITY, editions_count),
    IndicatorDef("trainees_trained", _("Unique trainees trained"), IndicatorKind.PROFESSIONAL, trainees_trained),
    IndicatorDef("certificates_issued", _("Certificates issued"), IndicatorKind.PROFESSIONAL, certificates_issued),
    IndicatorDef(
        "organisations_reached", _("Organisations reached"), IndicatorKind.PROFESSIONAL, organisations_reached
    ),
]

INDICATORS: dict[str, IndicatorDef] = {definition.code: definition for definition in _DEFINITIONS}


def indicator_choices():
    return [(definition.code, definition.label) for definition in _DEFINITIONS]
