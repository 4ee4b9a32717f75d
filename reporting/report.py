"""The donor report of one period: figures computed live (or read back from the frozen snapshot), then
made safe to show with small-cell suppression. Screen and XLSX both render a ReportView, so they agree.

Figures hold counts and codes only: never an alias, a name or an id of a survivor.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import dates
from counseling.enums import SessionKind
from reporting.breakdowns import (
    BENEFICIARY_LABELS,
    BREAKDOWNS,
    COLUMNS,
    LABEL_BENEFICIARY,
    LABEL_MONTH,
    LABEL_SESSION_KIND,
)
from reporting.enums import IndicatorKind
from reporting.indicators import INDICATORS, PERCENT, figures_cache
from reporting.selectors import period_current_snapshot, person_name
from reporting.suppression import suppress

FIGURES_VERSION = 1


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def report_figures(*, period) -> dict:
    """Every figure of the period, computed now from the activity data (aggregate queries only)."""
    project = period.project
    to_date = SimpleNamespace(start_date=project.start_date, end_date=period.end_date)
    targets = {indicator.code: indicator.target for indicator in project.indicators.all()}
    with figures_cache():
        indicators = _indicator_figures(project, period, to_date, targets)
        tables = [{"code": code, **definition.func(project, period)} for code, definition in BREAKDOWNS.items()]
    return {
        "version": FIGURES_VERSION,
        "threshold": project.suppression_threshold,
        "computed_at": dates.now().isoformat(),
        "indicators": indicators,
        "tables": tables,
        "narrative": {
            "achievements": period.achievements,
            "challenges": period.challenges,
            "next_steps": period.next_steps,
        },
    }


def _indicator_figures(project, period, to_date, targets) -> list[dict]:
    indicators = []
    for code, definition in INDICATORS.items():
        target = targets.get(code)
        indicators.append(
            {
                "code": code,
                "value": _number(definition.func(project, period)),
                "to_date": _number(definition.func(project, to_date)),
                "target": float(target) if target is not None else None,
            }
        )
    return indicators


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
        return isinstance(self.value, str) or isinstance(self.to_date, str)


@dataclass
class TableView:
    code: str
    title: str
    headers: list[str]
    rows: list[tuple[str, list]]
    total: list | None
    suppressed_columns: bool


@dataclass
class ReportView:
    project: object
    period: object
    threshold: int
    frozen: bool
    computed_at: object
    computed_by: str
    indicators: list[IndicatorRow]
    tables: list[TableView]
    narrative: list[tuple[str, str]]
    small_cell: str = field(default="")

    @property
    def has_targets(self) -> bool:
        return any(row.target for row in self.indicators)


def report_view(*, period, user) -> ReportView:
    """The report as people may see it: from the snapshot when the period is frozen, else live."""
    snapshot = period_current_snapshot(period)
    if snapshot is not None:
        figures = snapshot.data
        computed_at = parse_datetime(figures["computed_at"])
        computed_by = person_name(snapshot.created_by)
    else:
        figures = report_figures(period=period)
        computed_at = dates.now()
        computed_by = person_name(user)
    threshold = figures["threshold"]
    return ReportView(
        project=period.project,
        period=period,
        threshold=threshold,
        frozen=snapshot is not None,
        computed_at=computed_at,
        computed_by=computed_by,
        indicators=_indicator_rows(figures["indicators"], threshold),
        tables=[_table_view(table, threshold) for table in figures["tables"] if table["code"] in BREAKDOWNS],
        narrative=[
            (_("Achievements"), figures["narrative"]["achievements"]),
            (_("Challenges"), figures["narrative"]["challenges"]),
            (_("Next steps"), figures["narrative"]["next_steps"]),
        ],
        small_cell=f"<{threshold + 1}",
    )


def _indicator_rows(items, threshold) -> list[IndicatorRow]:
    items = [item for item in items if item["code"] in INDICATORS]
    shown = {}
    for key in ("value", "to_date"):
        cells = {}
        # Parts and their total are suppressed together, so a hidden part cannot be worked out.
        groups = {}
        for item in items:
            definition = INDICATORS[item["code"]]
            if definition.part_of:
                groups.setdefault(definition.part_of, []).append(item["code"])
        by_code = {item["code"]: item for item in items}
        for total_code, parts in groups.items():
            part_cells, total_cell = suppress(
                [by_code[code][key] for code in parts], threshold=threshold, total=by_code[total_code][key]
            )
            cells.update(zip(parts, part_cells, strict=True))
            cells[total_code] = total_cell
        for item in items:
            definition = INDICATORS[item["code"]]
            if item["code"] in cells:
                continue
            if definition.suppressible:
                cells[item["code"]] = suppress([item[key]], threshold=threshold)[0][0]
            else:
                cells[item["code"]] = item[key]
        shown[key] = cells
    rows = []
    for item in items:
        definition = INDICATORS[item["code"]]
        value, to_date, target = shown["value"][item["code"]], shown["to_date"][item["code"]], item["target"]
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


def _row_label(kind, label) -> str:
    if kind == LABEL_MONTH:
        year, month = label.split("-")
        return date_format(date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")
    if kind == LABEL_SESSION_KIND:
        return str(SessionKind(label).label) if label in SessionKind.values else label
    if kind == LABEL_BENEFICIARY:
        return str(BENEFICIARY_LABELS.get(label, label))
    return label


def _table_view(table, threshold) -> TableView:
    definition = BREAKDOWNS[table["code"]]
    columns = table["columns"]
    survivor = [COLUMNS[column][1] == IndicatorKind.SURVIVOR for column in columns]
    rows = [list(row["values"]) for row in table["rows"]]
    total = list(table["total"]) if table.get("total") is not None else None
    if table.get("row_totals"):
        # The last column is each row's total: suppress along the row.
        for index, values in enumerate(rows):
            cells, row_total = suppress(values[:-1], threshold=threshold, total=values[-1])
            rows[index] = [*cells, row_total]
    else:
        for column, is_survivor in enumerate(survivor):
            if not is_survivor:
                continue
            cells, total_cell = suppress(
                [values[column] for values in rows],
                threshold=threshold,
                total=total[column] if total is not None else None,
            )
            for index, cell in enumerate(cells):
                rows[index][column] = cell
            if total is not None:
                total[column] = total_cell
    return TableView(
        code=table["code"],
        title=str(definition.title),
        headers=[str(COLUMNS[column][0]) for column in columns],
        rows=[
            (_row_label(definition.row_labels, row["label"]), values)
            for row, values in zip(table["rows"], rows, strict=True)
        ],
        total=total,
        suppressed_columns=any(survivor),
    )


def unit_suffix(row: IndicatorRow) -> str:
    return " %" if row.unit == PERCENT else ""
