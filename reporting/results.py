"""The results framework of a donor project as a reader of its reports sees it: results, their indicators,
baselines, targets per period and what each period reached.

An indicator counted by Haven shows only figures a report has published: this report's own protected figure,
and each earlier period's figure as its frozen snapshot published it (an open earlier period shows nothing
yet). So the framework, its charts, the XLSX and the IATI file add nothing the disclosure control has not
already let through. Indicators entered by hand show what the project manager entered.

A fixed number of queries whatever the number of results, indicators and periods.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from reporting.disclosure import HIDDEN
from reporting.enums import FROZEN_STATUSES, IndicatorMeasure, IndicatorSource, ResultType
from reporting.indicators import INDICATORS


@dataclass
class Point:
    period_id: int
    label: str
    target: float | None
    actual: object  # a number, HIDDEN, or None when nothing is published for the period
    current: bool = False


@dataclass
class IndicatorResult:
    pk: int
    title: str
    source: str
    measure: str
    measure_type: str
    unit: str
    baseline: float | None
    baseline_year: int | None
    target: float | None
    means_of_verification: str
    period_target: float | None
    value: object
    to_date: object
    comment: str
    series: list[Point] = field(default_factory=list)
    only: str = ""  # the one row of a report table it counts, as a reader reads it

    @property
    def computed(self) -> bool:
        return self.source == IndicatorSource.COMPUTED

    @property
    def percentage(self) -> bool:
        return self.measure_type == IndicatorMeasure.PERCENTAGE

    @property
    def share(self) -> Decimal | None:
        """Percent of the project's target reached to date (None when hidden, unknown or no target)."""
        if not self.target or not _is_number(self.to_date):
            return None
        return (Decimal(str(self.to_date)) * 100 / Decimal(str(self.target))).quantize(Decimal("0.1"))


@dataclass
class ResultView:
    pk: int
    result_type: str
    type_label: str
    title: str
    description: str
    indicators: list[IndicatorResult]


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _float(value):
    return float(value) if value is not None else None


def published_indicator_values(figures: dict, published: dict) -> dict:
    """{measure code: (this period, to date)} as the report showed them (hidden figures as HIDDEN)."""
    values = {}
    for item in figures.get("indicators", []):
        shown = published.get("indicators", {}).get(item["code"], [item["value"], item["to_date"]])
        values[item["code"]] = (shown[0], shown[1])
    return values


def published_cells(figures: dict, published: dict) -> dict:
    """{(table code, stored row label, column code): value} as the report's tables showed them."""
    cells = {}
    for table in figures.get("tables", []):
        shown = published.get("tables", {}).get(table["code"]) or {"rows": [row["values"] for row in table["rows"]]}
        for row, values in zip(table["rows"], shown["rows"], strict=False):
            for column, value in zip(table["columns"], values, strict=False):
                cells[(table["code"], row["label"], column)] = value
    return cells


@dataclass
class Published:
    """What one report showed: its indicators and the cells of its tables."""

    indicators: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)


def published_of(figures: dict, published: dict) -> Published:
    return Published(published_indicator_values(figures, published), published_cells(figures, published))


def published_by_period_of(project_ids) -> dict:
    """{project id: {period id: Published}} from the latest snapshot of every frozen period, in one query."""
    from reporting.models import ReportSnapshot

    latest = {pk: {} for pk in project_ids}
    snapshots = ReportSnapshot.objects.filter(
        period__project_id__in=project_ids, period__status__in=FROZEN_STATUSES
    ).order_by("period_id", "-created_at", "-id")
    for period_id, project_id, data in snapshots.values_list("period_id", "period__project_id", "data"):
        chosen = latest[project_id]
        if period_id not in chosen:
            chosen[period_id] = published_of(data, data.get("published", {}))
    return latest


def _reached(indicator, shown: Published | None):
    """This period's figure of a counted indicator, as `shown` published it: its measure's, or one row's of a
    table when the indicator counts only that row (no figure to date then: tables are per period)."""
    if shown is None:
        return None, None
    if indicator.breakdown:
        column = _column(indicator.breakdown, indicator.measure)
        return shown.cells.get((indicator.breakdown, indicator.breakdown_row, column)), None
    return shown.indicators.get(indicator.measure, (None, None))


def _column(breakdown: str, measure: str) -> str:
    from reporting.breakdowns import BREAKDOWNS, COLUMNS

    definition = BREAKDOWNS.get(breakdown)
    for column in definition.columns if definition else ():
        if COLUMNS[column][1] == measure:
            return column
    return ""


def results_framework(*, project, period=None, report=None, periods=None, published=None) -> list[ResultView]:
    """The framework, read at `period` (its figures from `report`, the ReportView the reader sees), or, with
    no period, at the latest frozen period (what the project has published so far)."""
    data = _frameworks_data(
        [project],
        periods=None if periods is None else {project.pk: periods},
        published=None if published is None else {project.pk: published},
    )[project.pk]
    return _framework(data, period=period, report=report)


def results_frameworks(*, projects) -> dict[int, list[ResultView]]:
    """{project id: framework at its latest frozen period} for many projects, in a fixed number of queries."""
    return {pk: _framework(data) for pk, data in _frameworks_data(list(projects)).items()}


@dataclass
class _FrameworkData:
    chain: list
    indicators: list = field(default_factory=list)
    periods: list = field(default_factory=list)
    published: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    actuals: dict = field(default_factory=dict)


def _frameworks_data(projects, *, periods=None, published=None) -> dict[int, _FrameworkData]:
    """What the frameworks of the projects are built from: one query per kind of row, whatever the number of
    projects (none past the first when no project has a result)."""
    from reporting.models import IndicatorActual, IndicatorTarget, ReportingPeriod, Result, ResultIndicator

    ids = [project.pk for project in projects]
    data = {pk: _FrameworkData(chain=[]) for pk in ids}
    project_of = {}
    for result in Result.objects.filter(project_id__in=ids).order_by("sort_order", "id"):
        data[result.project_id].chain.append(result)
        project_of[result.pk] = result.project_id
    if not project_of:
        return data
    indicators = list(
        ResultIndicator.objects.filter(result_id__in=list(project_of)).order_by(
            "result__sort_order", "result_id", "sort_order", "id"
        )
    )
    for indicator in indicators:
        data[project_of[indicator.result_id]].indicators.append(indicator)
    if periods is None:
        periods = {pk: [] for pk in ids}
        for p in (
            ReportingPeriod.objects.filter(project_id__in=ids)
            .order_by("start_date")
            .only("id", "project_id", "label", "start_date", "status")
        ):
            periods[p.project_id].append(p)
    if published is None:
        published = published_by_period_of(ids)
    for pk in ids:
        data[pk].periods = periods.get(pk, [])
        data[pk].published = published.get(pk, {})
    by_indicator = {indicator.pk: project_of[indicator.result_id] for indicator in indicators}
    for t in IndicatorTarget.objects.filter(indicator_id__in=list(by_indicator)).only(
        "indicator_id", "period_id", "value"
    ):
        data[by_indicator[t.indicator_id]].targets[(t.indicator_id, t.period_id)] = t.value
    for a in IndicatorActual.objects.filter(indicator_id__in=list(by_indicator)).only(
        "indicator_id", "period_id", "value", "comment"
    ):
        data[by_indicator[a.indicator_id]].actuals[(a.indicator_id, a.period_id)] = a
    return data


def _framework(data: _FrameworkData, *, period=None, report=None) -> list[ResultView]:
    chain, indicators, periods, published = data.chain, data.indicators, data.periods, data.published
    targets, actuals = data.targets, data.actuals
    if not chain:
        return []
    if period is None:
        frozen = [p for p in periods if p.status in FROZEN_STATUSES]
        period = frozen[-1] if frozen else None
    current = None
    if report is not None and not report.refusal:
        current = report.published
    elif period is not None:
        current = published.get(period.pk)
    upto = [p for p in periods if period is not None and p.start_date <= period.start_date]

    results: dict[int, ResultView] = {
        result.pk: ResultView(
            pk=result.pk,
            result_type=result.result_type,
            type_label=str(ResultType(result.result_type).label),
            title=result.title,
            description=result.description,
            indicators=[],
        )
        for result in chain
    }
    for indicator in indicators:
        view = results[indicator.result_id]
        series = []
        for p in periods:
            is_current = period is not None and p.pk == period.pk
            if period is None or p.start_date > period.start_date:
                actual = None
            elif indicator.source == IndicatorSource.MANUAL:
                entered = actuals.get((indicator.pk, p.pk))
                actual = _float(entered.value) if entered else None
            elif is_current:
                actual = _reached(indicator, current)[0]
            else:
                actual = _reached(indicator, published.get(p.pk))[0]
            series.append(
                Point(
                    period_id=p.pk,
                    label=p.label,
                    target=_float(targets.get((indicator.pk, p.pk))),
                    actual=actual,
                    current=is_current,
                )
            )
        value, to_date, comment = None, None, ""
        if period is not None:
            if indicator.source == IndicatorSource.MANUAL:
                entered = actuals.get((indicator.pk, period.pk))
                value = _float(entered.value) if entered else None
                comment = entered.comment if entered else ""
                to_date = _manual_to_date(indicator, upto, actuals)
            else:
                value, to_date = _reached(indicator, current)
        view.indicators.append(
            IndicatorResult(
                pk=indicator.pk,
                title=indicator.title,
                source=indicator.source,
                measure=indicator.measure,
                measure_type=indicator.measure_type,
                unit=indicator.unit,
                baseline=_float(indicator.baseline_value),
                baseline_year=indicator.baseline_year,
                target=_float(indicator.target),
                means_of_verification=indicator.means_of_verification,
                period_target=_float(targets.get((indicator.pk, period.pk))) if period is not None else None,
                value=value,
                to_date=to_date,
                comment=comment,
                series=series,
                only=_only_label(indicator),
            )
        )
    return list(results.values())


def _only_label(indicator) -> str:
    if not indicator.breakdown:
        return ""
    from reporting.breakdowns import BREAKDOWNS

    definition = BREAKDOWNS.get(indicator.breakdown)
    if definition is None:
        return indicator.breakdown_row
    return f"{definition.title}: {definition.display(indicator.breakdown_row)}"


def _manual_to_date(indicator, upto, actuals):
    """A number entered per period adds up; a percentage is the latest one entered."""
    entered = [actuals[(indicator.pk, p.pk)].value for p in upto if (indicator.pk, p.pk) in actuals]
    if not entered:
        return None
    if indicator.measure_type == IndicatorMeasure.PERCENTAGE:
        return float(entered[-1])
    return float(sum(entered))


def measure_label(code: str) -> str:
    definition = INDICATORS.get(code)
    return str(definition.label) if definition is not None else code


def shown(value) -> str:
    """A figure as text: hidden figures keep their marker, whole numbers lose their '.0'."""
    if value is None:
        return "–"
    if value == HIDDEN or isinstance(value, str):
        return str(value)
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


ROW_SEPARATOR = "::"


def row_choices(project) -> list[tuple[str, list[tuple[str, str]]]]:
    """What an indicator may count one row of: for each of the report's tables by something (a cohort, an
    edition, a municipality, a target group...), its rows over the project's whole span, as grouped choices
    whose values name the table and the row as the table stores it. One grouped query per table."""
    from types import SimpleNamespace

    from reporting.breakdowns import COLUMNS, breakdowns_available
    from reporting.measures import MONTH, measures, registry

    span = SimpleNamespace(start_date=project.start_date, end_date=project.end_date)
    groups = []
    for code, definition in breakdowns_available().items():
        if not definition.dimension or definition.dimension == MONTH:
            continue
        columns = definition.available_columns()
        keys = set(measures()[COLUMNS[columns[0]][1]].split(project, span, definition.dimension))
        rows = registry().dimensions[definition.dimension].rows(project, span, keys)
        choices = [
            (f"{code}{ROW_SEPARATOR}{label}", definition.display(str(label))) for _key, label in rows if label != ""
        ]
        if choices:
            groups.append((str(definition.title), choices))
    return groups
