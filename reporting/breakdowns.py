"""Breakdowns: the tables of a donor report, each defined once and computed with grouped aggregate queries.

A breakdown returns plain data (JSON-safe, so that a submitted report can be frozen as it is):
    {"columns": [column code, ...], "rows": [{"label": str, "values": [...]}, ...], "total": [...] | None}
Column codes name both the heading and whose count it is (COLUMNS), which decides suppression.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from counseling.enums import SessionKind
from reporting import indicators as ind
from reporting.enums import IndicatorKind

# Row labels that are codes, translated when the report is shown (a frozen report follows the reader's language).
LABEL_PLAIN = "plain"
LABEL_MONTH = "month"
LABEL_SESSION_KIND = "session_kind"
LABEL_BENEFICIARY = "beneficiary"

COLUMNS = {
    "women": (_("Women"), IndicatorKind.SURVIVOR),
    "group_sessions": (_("Group sessions held"), IndicatorKind.ACTIVITY),
    "attendances": (_("Attendances"), IndicatorKind.SURVIVOR),
    "counseling_sessions": (_("Counseling sessions held"), IndicatorKind.SURVIVOR),
    "clients": (_("Clients"), IndicatorKind.SURVIVOR),
    "new": (_("New (first served in this period)"), IndicatorKind.SURVIVOR),
    "continuing": (_("Continuing (served before)"), IndicatorKind.SURVIVOR),
    "all": (_("Total"), IndicatorKind.SURVIVOR),
    "trainees": (_("Trainees"), IndicatorKind.PROFESSIONAL),
    "certificates": (_("Certificates issued"), IndicatorKind.PROFESSIONAL),
    "training_sessions": (_("Training sessions with attendance"), IndicatorKind.ACTIVITY),
}

BENEFICIARY_LABELS = {"women": _("Women in self-support groups"), "clients": _("Counseling clients")}

# What each column counts, as an indicator: the disclosure control links a column to its indicator.
COLUMN_MEASURES = {
    "women": "women_in_groups",
    "group_sessions": "group_sessions_held",
    "attendances": "group_attendances",
    "counseling_sessions": "counseling_sessions_held",
    "clients": "clients_counselled",
    "trainees": "trainees_trained",
    "certificates": "certificates_issued",
    "training_sessions": "training_sessions",
}
BENEFICIARY_MEASURES = {"women": "women_in_groups", "clients": "clients_counselled"}


@dataclass(frozen=True)
class BreakdownDef:
    code: str
    title: str | Promise
    func: Callable
    row_labels: str = LABEL_PLAIN


def new_and_continuing(project, period) -> dict:
    """New: first served by the project in this period; continuing: served by it before the period too."""
    rows = []
    for code, served, current, earlier, person in (
        (
            "women",
            ind.women_in_groups(project, period),
            ind.group_attendances(project, period),
            ind.group_attendances(project, period, before=True),
            "member",
        ),
        (
            "clients",
            ind.clients_counselled(project, period),
            ind.counseling_held(project, period),
            ind.counseling_held(project, period, before=True),
            "client",
        ),
    ):
        # A correlated EXISTS, not IN (all earlier rows): the planners stop at the first earlier row.
        continuing = current.filter(Exists(earlier.filter(**{person: OuterRef(person)}))).aggregate(
            n=Count(person, distinct=True)
        )["n"]
        rows.append({"label": code, "values": [served - continuing, continuing, served]})
    return {"columns": ["new", "continuing", "all"], "rows": rows, "total": None, "row_totals": True}


def by_cohort(project, period) -> dict:
    sessions = {
        row["cohort_id"]: row
        for row in ind.group_sessions_held(project, period)
        .values("cohort_id", "cohort__name")
        .annotate(n=Count("id"))
        .order_by("cohort__name")
    }
    attendance = {
        row["session__cohort_id"]: row
        for row in ind.group_attendances(project, period)
        .values("session__cohort_id")
        .annotate(women=Count("member", distinct=True), attendances=Count("id"))
        .order_by()
    }
    rows = []
    for cohort_id, row in sessions.items():
        seen = attendance.get(cohort_id, {})
        rows.append(
            {"label": row["cohort__name"], "values": [row["n"], seen.get("women", 0), seen.get("attendances", 0)]}
        )
    total = [
        sum(row["values"][0] for row in rows),
        ind.women_in_groups(project, period),
        ind.attendances_count(project, period),
    ]
    return {"columns": ["group_sessions", "women", "attendances"], "rows": rows, "total": total}


def _months(period) -> list[date]:
    months = []
    current = period.start_date.replace(day=1)
    while current <= period.end_date:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def by_month(project, period) -> dict:
    """One query per source with a filtered aggregate per month: truncating 100,000 timestamps to months
    row by row is what makes such a table slow, so each month is a plain indexed range instead."""
    months = _months(period)
    spans = []
    for index, month in enumerate(months):
        following = months[index + 1] if index + 1 < len(months) else period.end_date + timedelta(days=1)
        start, end = ind.bounds(
            SimpleNamespace(start_date=max(month, period.start_date), end_date=following - timedelta(days=1))
        )
        spans.append((start, end))

    def per_month(queryset, field, **aggregates):
        found = queryset.aggregate(
            **{
                f"{name}_{index}": aggregate_class(
                    column, distinct=distinct, filter=Q(**{f"{field}__gte": start, f"{field}__lt": end})
                )
                for index, (start, end) in enumerate(spans)
                for name, (aggregate_class, column, distinct) in aggregates.items()
            }
        )
        return [{name: found[f"{name}_{index}"] for name in aggregates} for index in range(len(spans))]

    sessions = per_month(ind.group_sessions_held(project, period), "start", n=(Count, "id", False))
    groups = per_month(
        ind.group_attendances(project, period),
        "session__start",
        women=(Count, "member", True),
        attendances=(Count, "id", False),
    )
    counseling = per_month(
        ind.counseling_held(project, period), "start", n=(Count, "id", False), clients=(Count, "client", True)
    )
    rows = [
        {
            "label": month.isoformat()[:7],
            "values": [
                sessions[index]["n"],
                groups[index]["women"],
                groups[index]["attendances"],
                counseling[index]["n"],
                counseling[index]["clients"],
            ],
        }
        for index, month in enumerate(months)
    ]
    # Unique women and clients of the period are not the sum of the months (most come every month).
    return {
        "columns": ["group_sessions", "women", "attendances", "counseling_sessions", "clients"],
        "rows": rows,
        "total": [
            sum(row["values"][0] for row in rows),
            ind.women_in_groups(project, period),
            sum(row["values"][2] for row in rows),
            sum(row["values"][3] for row in rows),
            ind.clients_counselled(project, period),
        ],
    }


def counseling_by_kind(project, period) -> dict:
    found = {
        row["kind"]: row
        for row in ind.counseling_held(project, period)
        .values("kind")
        .annotate(n=Count("id"), clients=Count("client", distinct=True))
        .order_by()
    }
    rows = [
        {
            "label": kind.value,
            "values": [found.get(kind.value, {}).get("n", 0), found.get(kind.value, {}).get("clients", 0)],
        }
        for kind in SessionKind
    ]
    total = [ind.counseling_sessions_count(project, period), ind.clients_counselled(project, period)]
    return {"columns": ["counseling_sessions", "clients"], "rows": rows, "total": total}


def by_edition(project, period) -> dict:
    trainees = {
        row["session__edition_id"]: row
        for row in ind.training_attendances(project, period)
        .values("session__edition_id")
        .annotate(trainees=Count("enrollment__user", distinct=True), sessions=Count("session", distinct=True))
        .order_by()
    }
    certificates = {}
    certificate_qs = ind.certificates_issued_queryset(project, period)
    if certificate_qs is not None:
        certificates = {
            row["edition_id"]: row["n"]
            for row in certificate_qs.values("edition_id").annotate(n=Count("enrollment", distinct=True)).order_by()
        }
    edition_ids = (
        set(trainees) | set(certificates) | set(ind.editions_held(project, period).values_list("id", flat=True))
    )
    editions = (
        ind.Edition.objects.filter(id__in=edition_ids)
        .select_related("programme")
        .only("id", "start_date", "municipality", "programme__title")
        .order_by("start_date", "id")
    )
    rows = []
    for edition in editions:
        label = f"{edition.programme.title} ({edition.start_date:%d.%m.%Y}"
        label += f", {edition.municipality})" if edition.municipality else ")"
        seen = trainees.get(edition.id, {})
        rows.append(
            {
                "label": label,
                "values": [seen.get("sessions", 0), seen.get("trainees", 0), certificates.get(edition.id, 0)],
            }
        )
    total = [
        sum(row["values"][0] for row in rows),
        ind.trainees_trained(project, period),
        sum(row["values"][2] for row in rows),
    ]
    return {"columns": ["training_sessions", "trainees", "certificates"], "rows": rows, "total": total}


def _trainees_by(field):
    def breakdown(project, period) -> dict:
        rows = [
            {"label": row[field] or str(_("Not stated")), "values": [row["n"]]}
            for row in ind.training_attendances(project, period)
            .values(field)
            .annotate(n=Count("enrollment__user", distinct=True))
            .order_by(field)
        ]
        return {"columns": ["trainees"], "rows": rows, "total": [ind.trainees_trained(project, period)]}

    return breakdown


trainees_by_organisation = _trainees_by("enrollment__user__profile__organisation")
trainees_by_municipality = _trainees_by("enrollment__user__profile__municipality")

_DEFINITIONS = [
    BreakdownDef("new_continuing", _("New and continuing beneficiaries"), new_and_continuing, LABEL_BENEFICIARY),
    BreakdownDef("by_cohort", _("Self-support groups by cohort"), by_cohort),
    BreakdownDef("by_month", _("Activity by month"), by_month, LABEL_MONTH),
    BreakdownDef("counseling_by_kind", _("Counseling by kind"), counseling_by_kind, LABEL_SESSION_KIND),
    BreakdownDef("by_edition", _("Trainings by edition"), by_edition),
    BreakdownDef("trainees_by_organisation", _("Trainees by organisation"), trainees_by_organisation),
    BreakdownDef("trainees_by_municipality", _("Trainees by municipality"), trainees_by_municipality),
]

BREAKDOWNS: dict[str, BreakdownDef] = {definition.code: definition for definition in _DEFINITIONS}
