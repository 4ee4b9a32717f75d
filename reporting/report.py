"""The donor report of one period: figures computed live (or read back from the frozen snapshot), then
protected by the disclosure control across all the project's published reports (reporting.protection).
Screen and XLSX both render a ReportView, so they agree.

Figures hold counts and codes only: never an alias, a name or an id of a survivor.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.core.cache import cache
from django.utils.dateparse import parse_datetime
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import dates
from core.html import escaped
from reporting.breakdowns import BREAKDOWNS, COLUMNS, breakdowns_available, column_kind
from reporting.disclosure import HIDDEN, Policy, Protection
from reporting.enums import FROZEN_STATUSES, IndicatorKind
from reporting.indicators import INDICATORS, PERCENT
from reporting.inputs import figures_inputs_stamp
from reporting.measures import figure, figure_parts, figure_returning, figures_cache, history_frozen
from reporting.models import ReportSnapshot
from reporting.protection import (
    FIGURES_VERSION,
    PROTECTION_VERSION,
    figures_policy,
    method_paragraphs,
    project_policy,
    published_report,
    report_protect,
)
from reporting.selectors import period_current_snapshot, person_name


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def report_figures(*, period) -> dict:
    """Every figure of the period, computed now from the activity data (aggregate queries only)."""
    project = period.project
    to_date = SimpleNamespace(start_date=project.start_date, end_date=period.end_date)
    targets = {indicator.code: indicator.target for indicator in project.indicators.all()}
    base = _carry_base(project, period)
    frozen = (
        history_frozen(project, base.since.start_date, f"{FIGURES_VERSION}:{base.snapshot}")
        if base is not None
        else nullcontext()
    )
    with figures_cache(), frozen:
        # The tables first, and of those the splits first: the period's totals are then counted from the rows
        # the splits were counted from (reporting.measures.figures_memo_kept), not asked again.
        available = breakdowns_available()
        counted = {
            code: definition.func(project, period)
            for code, definition in sorted(available.items(), key=lambda item: not item[1].dimension)
        }
        tables = [{"code": code, **counted[code]} for code in available]
        indicators = _indicator_figures(project, period, to_date, targets, base)
    policy = project_policy(project)
    return {
        "version": FIGURES_VERSION,
        "threshold": policy.threshold,
        "disclosure": policy.as_dict(),
        "computed_at": dates.now().isoformat(),
        # What the "to date" column spans: a later report carries it forward only over the same start.
        "to_date_span": [to_date.start_date.isoformat(), to_date.end_date.isoformat()],
        "indicators": indicators,
        "tables": tables,
        "narrative": {
            "achievements": period.achievements,
            "challenges": period.challenges,
            "next_steps": period.next_steps,
        },
    }


# Kept as long as the inputs do not change; a day at most, so that periods nobody opens again leave the cache.
LIVE_FIGURES_SECONDS = 24 * 60 * 60


def report_protected_live(*, period, drafts=None) -> tuple[dict, Protection, dict]:
    """A live report's figures, what of them it may show, and the report as shown, all kept under the inputs'
    stamp: counted again only once a table they are counted from has changed (reporting.inputs), so that
    reading the report again costs no counting. Submitting and locking count afresh (report_figures).

    The protection is a function of the figures, the project's periods, its frozen reports and the live
    reports of its earlier periods not yet frozen (report_drafts_before), every one of them an input the stamp
    follows: under the same stamp it is the same, so a view of an unchanged report neither digests its figures
    and every frozen report again to find it in the cache (report_protect) nor asks for it; nor does it work
    out again which figures the protection shows (a fifth of the page)."""
    stamp = figures_inputs_stamp()  # before the figures: see reporting.inputs on a writer committing meanwhile
    if stamp is None:  # a writer at work: these figures may be about to change, keep none
        figures = report_figures(period=period)
        protection = report_protect(period=period, figures=figures, drafts=_drafts(period, drafts))
        return figures, protection, published_report(figures, protection)
    key = f"reporting:live-figures:{FIGURES_VERSION}:{period.pk}:{stamp}"
    figures = cache.get(key)
    if figures is None:
        figures = report_figures(period=period)
        cache.set(key, figures, LIVE_FIGURES_SECONDS)
    key = f"reporting:live-published:{FIGURES_VERSION}:{PROTECTION_VERSION}:{period.pk}:{stamp}"
    kept = cache.get(key)
    if kept is None:
        protection = report_protect(period=period, figures=figures, drafts=_drafts(period, drafts))
        kept = (protection, published_report(figures, protection))
        cache.set(key, kept, LIVE_FIGURES_SECONDS)
    return figures, *kept


def report_drafts_before(*, period) -> list[tuple]:
    """The live reports of the project's periods before this one that are not frozen, oldest first, as
    (period, figures, what it shows): each is on its page and in its XLSX as it stands, so a later report is
    protected against them as against the frozen ones ("to date" less an earlier "to date" is a period's
    count). Each is protected against the drafts before it, so that none is worked out twice."""
    earlier = (
        period.project.periods.filter(start_date__lt=period.start_date)
        .exclude(status__in=FROZEN_STATUSES)
        .order_by("start_date")
    )
    drafts = []
    for draft in earlier:
        figures, _protection, shown = report_protected_live(period=draft, drafts=drafts)
        drafts = [*drafts, (draft, figures, shown)]
    return drafts


def _drafts(period, drafts):
    return drafts if drafts is not None else report_drafts_before(period=period)


def _indicator_figures(project, period, to_date, targets, base) -> list[dict]:
    indicators = []
    for code, measure in INDICATORS.items():
        target = targets.get(code)
        figures = {
            "code": code,
            "value": _number(figure(code, project, period)),
            "to_date": None,
            "target": float(target) if target is not None else None,
        }
        carried = _carried(code, measure, project, base) if base is not None else None
        if carried is None:
            figures["to_date"] = _number(figure(code, project, to_date))
            if measure.carry == "parts":
                figures["to_date_parts"] = figure_parts(code, project, to_date)
        else:
            figures.update(carried)
        indicators.append(figures)
    return indicators


@dataclass(frozen=True)
class _Base:
    """The last frozen report a live one carries its "to date" figures from, and the span since it."""

    indicators: dict
    since: SimpleNamespace
    # The frozen report carried from: the history before it stays as it is while this is the newest snapshot.
    # With the time it was made, so that a restored database reusing the id does not find another's.
    snapshot: str


def _carry_base(project, period) -> _Base | None:
    """The frozen report before this period whose "to date" figures still hold, or None (count them whole).

    They hold while nothing they counted can have changed: every day from the project's start to that
    report's end lies in a submitted or locked period (whose activity the services and the database refuse
    to change: reporting.locks), its snapshot is the newest of those periods' (one frozen again later may
    have changed in between), and it counted from the same start with figures of the same version. The live
    report then counts only the days since, which are the period itself once the period before it is frozen:
    the cost of a report no longer grows with the project's history."""
    chain, expected = [], project.start_date
    for earlier in project.periods.filter(end_date__lt=period.start_date).order_by("start_date", "pk"):
        if earlier.status not in FROZEN_STATUSES or earlier.start_date > expected:
            break
        chain.append(earlier)
        expected = max(expected, earlier.end_date + timedelta(days=1))
    if not chain:
        return None
    last = chain[-1]
    snapshots = list(
        ReportSnapshot.objects.filter(period__in=chain)
        .order_by("-created_at", "-id")
        .values_list("pk", "period_id", "created_at")
    )
    if not snapshots or snapshots[0][1] != last.pk:
        return None
    data = ReportSnapshot.objects.values_list("data", flat=True).get(pk=snapshots[0][0])
    if data.get("version") != FIGURES_VERSION or data.get("to_date_span") != [
        project.start_date.isoformat(),
        last.end_date.isoformat(),
    ]:
        return None
    return _Base(
        indicators={item["code"]: item for item in data.get("indicators", [])},
        since=SimpleNamespace(start_date=last.end_date + timedelta(days=1), end_date=period.end_date),
        snapshot=f"{snapshots[0][0]}:{snapshots[0][2].timestamp()}",
    )


def _carried(code, measure, project, base: _Base) -> dict | None:
    """The "to date" figures of one indicator: the base report's, plus what was counted since."""
    before = base.indicators.get(code)
    if before is None or not measure.carry:
        return None
    since = base.since
    if measure.carry == "parts":
        parts = before.get("to_date_parts")
        if parts is None:
            return None
        added = figure_parts(code, project, since)
        total = {name: parts.get(name, 0) + added.get(name, 0) for name in added}
        return {"to_date": _number(measure.from_parts(total)), "to_date_parts": total}
    if not isinstance(before.get("to_date"), int) or isinstance(before.get("to_date"), bool):
        return None
    to_date = before["to_date"] + figure(code, project, since)
    if measure.carry == "people":
        to_date -= figure_returning(code, project, since)
    return {"to_date": to_date}


@dataclass
class IndicatorRow:
    code: str
    label: str
    kind: str
    unit: str
    value: object
    to_date: object
    target: float | None
    share: Decimal | None  # percent of the target reached to date; None when hidden or no target

    @property
    def bar_width(self) -> str:
        return str(min(self.share, Decimal(100))) if self.share is not None else "0"

    @property
    def suppressed(self) -> bool:
        return self.value == HIDDEN or self.to_date == HIDDEN


@dataclass
class TableView:
    code: str
    title: str
    headers: list[str]
    rows: list[tuple[str, list]]
    total: list | None
    suppressed_columns: bool
    # The rows and the total's cells as the page writes them (tables_written); the numbers stay above.
    body: str = ""
    footer: str = ""


@dataclass
class ReportView:
    project: object
    period: object
    policy: Policy
    frozen: bool
    computed_at: object
    computed_by: str
    indicators: list[IndicatorRow]
    tables: list[TableView]
    narrative: list[tuple[str, str]]
    # Why the report cannot be produced (the disclosure audit failed); its figures are then empty.
    refusal: str = ""
    method: list[str] = field(default_factory=list)
    # The project's results framework read at this period (reporting.results), from this report's figures.
    results: list = field(default_factory=list)
    # What this report shows, indicators and table cells, keyed as the results framework reads them.
    published: object = None

    @property
    def threshold(self) -> int:
        return self.policy.threshold

    @property
    def has_targets(self) -> bool:
        return any(row.target for row in self.indicators)


class ReportRefused(Exception):
    """The disclosure audit found a figure it cannot protect: the report is not produced."""


def report_view(*, period, user) -> ReportView:
    """The report as people may see it: from the snapshot when the period is frozen, else live and protected."""
    snapshot = period_current_snapshot(period)
    refusal = ""
    if snapshot is not None:
        figures = snapshot.data
        published = figures["published"]
        computed_at = parse_datetime(figures["computed_at"])
        computed_by = person_name(snapshot.created_by)
    else:
        figures, protection, published = report_protected_live(period=period)
        if not protection.ok:
            refusal = refusal_message(period, figures, protection)
        computed_at = dates.now()
        computed_by = person_name(user)
    policy = figures_policy(figures)
    narrative = [
        (_("Achievements"), figures["narrative"]["achievements"]),
        (_("Challenges"), figures["narrative"]["challenges"]),
        (_("Next steps"), figures["narrative"]["next_steps"]),
    ]
    view = ReportView(
        project=period.project,
        period=period,
        policy=policy,
        frozen=snapshot is not None,
        computed_at=computed_at,
        computed_by=computed_by,
        indicators=[] if refusal else _indicator_rows(figures["indicators"], published),
        tables=[]
        if refusal
        else [_table_view(table, published) for table in figures["tables"] if table["code"] in BREAKDOWNS],
        narrative=narrative,
        refusal=refusal,
        method=method_paragraphs(policy),
    )
    from reporting.results import published_of, results_framework

    if not refusal:
        view.published = published_of(figures, published)
    view.results = results_framework(project=period.project, period=period, report=view)
    return view


def refusal_message(period, figures: dict, protection) -> str:
    failure = protection.failures[0]
    return _(
        "This report cannot be produced: the figure “%(figure)s” could be worked out from the figures the "
        "project has already published, and hiding more of this report would not protect it. Ask a "
        "coordinator to look at the project's earlier reports before submitting this one."
    ) % {"figure": figure_name(figures, failure.key[1])}


def figure_name(figures: dict, key: tuple) -> str:
    """A person's name for a figure of the disclosure control (which table, which row, which column)."""
    kind = key[0]
    if kind in ("v", "td"):
        definition = INDICATORS.get(key[1])
        label = str(definition.label) if definition else key[1]
        column = _("this period") if kind == "v" else _("project to date")
        return f"{label}, {column}"
    if kind == "nc":
        definition = BREAKDOWNS["new_continuing"]
        return f"{definition.title}: {COLUMNS.get(key[2], (key[2],))[0]}"
    definition = BREAKDOWNS.get(key[1])
    if definition is None:
        return str(key)
    row = _("Total") if key[2].startswith("\x00") else definition.display(key[2])
    return f"{definition.title}: {row}, {COLUMNS.get(key[3], (key[3],))[0]}"


def _indicator_rows(items, published) -> list[IndicatorRow]:
    rows = []
    for item in items:
        definition = INDICATORS.get(item["code"])
        if definition is None:
            continue
        value, to_date = published["indicators"].get(item["code"], [item["value"], item["to_date"]])
        target = item["target"]
        share = None
        if target and isinstance(to_date, int | float) and not isinstance(to_date, bool):
            share = (Decimal(str(to_date)) * 100 / Decimal(str(target))).quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append(
            IndicatorRow(
                code=item["code"],
                label=str(definition.label),
                kind=definition.kind,
                unit=definition.unit,
                value=value,
                to_date=to_date,
                target=target,
                share=share,
            )
        )
    return rows


def _table_view(table, published) -> TableView:
    definition = BREAKDOWNS[table["code"]]
    columns = table["columns"]
    shown = published["tables"].get(table["code"]) or {"rows": [row["values"] for row in table["rows"]]}
    return TableView(
        code=table["code"],
        title=str(definition.title),
        headers=[str(COLUMNS[column][0]) for column in columns],
        rows=[
            (definition.display(row["label"]), list(values))
            for row, values in zip(table["rows"], shown["rows"], strict=True)
        ],
        total=shown.get("total", table.get("total")),
        suppressed_columns=any(column_kind(column) == IndicatorKind.SURVIVOR for column in columns),
    )


def tables_written(tables: list[TableView]) -> list[TableView]:
    """The tables with their rows (`body`) and their total's cells (`footer`) as the page's HTML, each text as
    a template writes it (Django's localize, then escaped) and every distinct value written once: a report's
    thousand cells, each through Django's number formatting and the template's loops, were most of its page.
    The numbers stay in `rows` and `total` (the XLSX writes those)."""
    written: dict = {}

    def text(value) -> str:
        key = (type(value), value)  # 1, 1.0 and True are equal keys, yet written differently
        found = written.get(key)
        if found is None:
            found = written[key] = escaped(localize(value))
        return found

    def cells(values) -> str:
        return "".join(f"<td>{text(value)}</td>" for value in values)

    def body(rows) -> str:
        return "".join(f'<tr><th scope="row">{text(label)}</th>{cells(values)}</tr>' for label, values in rows)

    # Each text escaped above.
    return [
        replace(
            table,
            body=mark_safe(body(table.rows)),  # noqa: S308  # nosec B308 B703
            footer=mark_safe(cells(table.total or ())),  # noqa: S308  # nosec B308 B703
        )
        for table in tables
    ]


def unit_suffix(row: IndicatorRow) -> str:
    return " %" if row.unit == PERCENT else ""
