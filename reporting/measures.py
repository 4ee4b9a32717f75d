"""The measures activity apps offer donor reports, and the registry through which they offer them.

Reporting sits below the activity apps: it never imports their models. Each app says what it can count
in its own `measures.py`, which its AppConfig.ready() imports, and answers the `register_measures`
signal with instances of the classes below (as pretix apps answer `register_data_exporters`):

- a Measure counts one thing over a span of dates for a project (unique women in groups, counseling
  sessions held, certificates issued, ...), can split that count by a dimension (cohort, month, session
  kind, ...), and, for people, say how many of them were counted before the span;
- a Dimension names the rows of such a split, in order, and shows a stored row label to a reader;
- a Beneficiaries source lists the aliases of the survivors a project served (a narrative for the donor
  must not name one);
- a DemoActivity adds the app's part of the demo project's year of activity;
- Inputs name the tables of other apps its measures read (a change there counts the figures again).

Reporting builds its indicators, breakdowns, forms and demo from what is registered.
"""

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from functools import cache
from types import SimpleNamespace

from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

from reporting.disclosure import Quantity, Schema
from reporting.enums import IndicatorKind

COUNT = "count"
PERCENT = "percent"
MONTH = "month"
# Who the survivors an app served are, as donors disaggregate them: groups and counseling both split their
# measures by these and register the same rows (ChoiceDimension, ListDimension below) under these codes.
AGE_BAND = "age_band"
BENEFICIARY_MUNICIPALITY = "beneficiary_municipality"
TARGET_GROUP = "target_group"

# Receivers return a list of Measure, Dimension, Beneficiaries and DemoActivity instances.
register_measures = Signal()


class Measure:
    """One count an activity app offers. Subclasses set the attributes and implement value()."""

    code: str = ""
    label: str | Promise = ""
    kind: str = IndicatorKind.ACTIVITY
    unit: str = COUNT
    order: int = 0  # place among the indicators of a report
    indicator: bool = True  # offered as an indicator with a target (else only a column of a table)
    # Distinct people (parts of a split overlap) rather than events (parts add up); events name the
    # measure of their people and of their occasions (at most one event per person and occasion).
    people: bool = False
    people_of: str = ""
    occasions: str = ""
    # A part of another measure (sessions of one kind), with this part's row in the parent's split.
    part_of: str = ""
    part_key: str = ""
    dimensions: tuple[str, ...] = ()
    # People measures that tell new from continuing: the short code and the label of their row.
    beneficiaries: tuple[str, str | Promise] | None = None

    def value(self, project, span):
        raise NotImplementedError

    def split(self, project, span, dimension: str) -> dict:
        """{row key: count} for the dimension (rows with nothing may be left out)."""
        raise NotImplementedError

    def returning(self, project, span) -> int:
        """Of the people counted in the span, how many were counted by the project before it (from the
        project's start: what it counted before it began is not the project's)."""
        raise NotImplementedError

    def parts(self, project, span) -> dict[str, int] | None:
        """Counts that add up across spans and give the value (a percentage's numerator and denominator), for
        measures whose value does not add up itself; None when the value is not made of parts."""
        return None

    def from_parts(self, parts: dict[str, int]):
        raise NotImplementedError

    @property
    def carry(self) -> str:
        """How the project's "to date" figure follows from the one the last frozen report counted, adding only
        what happened since (reporting.report): "sum" for events, each dated once (add the new span's count);
        "people" for distinct things with returning(), people or the organisations they come from (add the
        new span's, less those counted before it); "parts" for values made of parts(); "" to count the whole
        project again (people without returning(), or records a later change may take out of an earlier
        span)."""
        if self.unit == PERCENT:
            return "parts" if type(self).parts is not Measure.parts else ""
        if type(self).returning is not Measure.returning:
            return "people"
        return "" if self.people else "sum"

    @property
    def suppressible(self) -> bool:
        return self.kind == IndicatorKind.SURVIVOR and self.unit == COUNT

    @property
    def func(self):
        return self.value

    def __str__(self):
        return str(self.label)


class Dimension:
    """The rows of a split: which rows, in which order, and how a stored row label reads."""

    code: str = ""

    def rows(self, project, span, keys: set) -> list[tuple[object, str]]:
        """(key, stored label) of every row to show: the keys found, and any the dimension always shows."""
        return [(key, str(key)) for key in sorted(keys, key=str)]

    def display(self, label: str) -> str:
        return label


class Beneficiaries:
    def aliases(self, project_id) -> Iterable[str]:
        raise NotImplementedError


class Inputs:
    """Tables of another app that an app's measures read (its own app's tables are inputs already): a
    change to any of them makes a live report count its figures again (reporting.inputs)."""

    def __init__(self, *models):
        self.models = models


class DemoActivity:
    order: int = 0

    def load(self, *, project, users) -> None:
        raise NotImplementedError


class Months(Dimension):
    """Calendar months of the span, each shown even when nothing happened in it."""

    code = MONTH

    def rows(self, project, span, keys):
        return [(key, key) for key, _start, _end in month_spans(span)]

    def display(self, label):
        from django.utils.formats import date_format

        year, month = label.split("-")
        return date_format(date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")


# The row of the people of a split by who they are (age band, municipality, ...) for whom nothing is recorded.
NOT_STATED = ""


def not_stated_label() -> str:
    return gettext("Not stated")


class ChoiceDimension(Dimension):
    """The people counted by something recorded about them as a choice (an age band, a target group): every
    choice in the order of its enum, each shown even when nobody has it (a row shown only when someone is in
    it would tell that someone is), then "Not stated". Rows are stored by code and read in the reader's
    language, so a frozen report follows it."""

    def __init__(self, code: str, choices):
        self.code = code
        self.choices = choices

    def rows(self, project, span, keys):
        known = list(self.choices.values)
        others = sorted(key for key in keys if key not in known and key != NOT_STATED)
        return [(key, key) for key in [*known, *others, NOT_STATED]]

    def display(self, label):
        if label == NOT_STATED:
            return not_stated_label()
        return str(self.choices(label).label) if label in self.choices.values else label


class ListDimension(Dimension):
    """The people counted by an entry of a list coordinators keep (a municipality): every entry by name, each
    shown even when nobody is in it, then "Not stated". Rows are stored by the entry's name. One query."""

    def __init__(self, code: str, model, field: str = "name"):
        self.code = code
        self.model = model
        self.field = field

    def rows(self, project, span, keys):
        entries = self.model._default_manager.order_by(self.field, "pk").values_list("pk", self.field)
        return [*((pk, str(name)) for pk, name in entries), (NOT_STATED, NOT_STATED)]

    def display(self, label):
        return label if label != NOT_STATED else not_stated_label()


def stated(value):
    """What was recorded about her, or NOT_STATED for nothing recorded (NULL or blank): one row for both."""
    return NOT_STATED if value in (None, "") else value


def split_rows(rows, key_of, count, *, keys=()) -> dict:
    """{key: count(the rows of that key)}: a split counted in Python from rows read once for the whole report
    (figures_memo), not by a grouped query per split. `keys` are listed even when no row has them.

    Several measures split the same rows by the same dimension (the women and their attendances by cohort,
    the sessions and the clients by month): while a report is counted (figures_cache) the rows are grouped
    once per `key_of`, which the apps keep one of per dimension (four of a live report's nineteen splits share
    their grouping with another)."""
    groups = _grouped(rows, key_of)
    counted = {key: count(groups.get(key, [])) for key in keys}
    for key, found in groups.items():
        if key not in counted:
            counted[key] = count(found)
    return counted


def _grouped(rows, key_of) -> dict:
    memo = _cache.get()
    entry = None if memo is None else memo.get(("groups", id(rows), key_of))
    # The rows are kept with their groups: an id is only unique while its object lives.
    if entry is not None and entry[0] is rows:
        return entry[1]
    grouping = defaultdict(list)
    for row in rows:
        grouping[key_of(row)].append(row)
    groups = dict(grouping)  # a missing key read later must not add an empty group
    if memo is not None and isinstance(rows, list):
        memo[("groups", id(rows), key_of)] = (rows, groups)
    return groups


def bounds(span) -> tuple[datetime, datetime]:
    """The span as aware datetimes [start, end): range lookups on indexed columns, no per-row date casts."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(span.start_date, time.min, tzinfo=tz)
    end = datetime.combine(span.end_date + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def month_spans(span) -> list[tuple[str, datetime, datetime]]:
    """("YYYY-MM", start, end) of each calendar month the span touches, cut to the span."""
    from core.dates import add_months

    spans = []
    current = span.start_date.replace(day=1)
    while current <= span.end_date:
        following = add_months(current, 1)
        start, end = bounds(
            SimpleNamespace(
                start_date=max(current, span.start_date), end_date=min(following - timedelta(days=1), span.end_date)
            )
        )
        spans.append((current.isoformat()[:7], start, end))
        current = following
    return spans


def per_month(queryset, field: str, span, column: str = "id", *, distinct: bool = False, by: str = "") -> dict:
    """{month: count of column}: one query with a filtered count per month, each a plain indexed range of
    `field` (truncating 100,000 timestamps to months row by row is what makes such a table slow). With `by`,
    the same query grouped by that field: {its value: {month: count}} for each value found."""
    from django.db.models import Count, Q

    months = month_spans(span)
    counts = {
        f"m{index}": Count(column, distinct=distinct, filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
        for index, (_key, start, end) in enumerate(months)
    }

    def by_month(found):
        return {key: found[f"m{index}"] for index, (key, _start, _end) in enumerate(months)}

    if not by:
        return by_month(queryset.aggregate(**counts))
    return {row[by]: by_month(row) for row in queryset.values(by).annotate(**counts).order_by()}


def grouped_by_month(queryset, fields, span, *, moment: str, **counts) -> list[dict]:
    """The queryset's rows grouped by `fields` and by the calendar month of the span their `moment` falls in
    (under MONTH, "YYYY-MM"), each group with `counts` annotated: a query per month, each a plain range of
    `moment` rather than a per-row truncation. The COUNTs are read as the database returns them
    (core.expressions.AsReturned).

    One query for the whole span, each row's month worked out by a CASE over the months' ends, grouped by one
    column more: at ten times the data set the quarter's marks took 64 ms of SQLite that way against 53 for
    three months' queries, and a live report's figures 275 ms against 244 (medians of 21, in turns)."""
    from django.db.models import Count

    from core.expressions import AsReturned

    counts = {name: AsReturned(count) if isinstance(count, Count) else count for name, count in counts.items()}
    grouped = []
    for key, start, end in month_spans(span):
        within = queryset.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
        for row in within.values(*fields).annotate(**counts).order_by():
            row[MONTH] = key
            grouped.append(row)
    return grouped


class Registry:
    def __init__(self, entries: list, apps: list[str]):
        self.apps = apps  # the labels of the apps that registered them
        self.measures = {
            m.code: m for m in sorted((e for e in entries if isinstance(e, Measure)), key=lambda m: m.order)
        }
        self.dimensions = {d.code: d for d in entries if isinstance(d, Dimension)}
        self.dimensions.setdefault(MONTH, Months())
        self.beneficiaries = [e for e in entries if isinstance(e, Beneficiaries)]
        self.demos = sorted((e for e in entries if isinstance(e, DemoActivity)), key=lambda d: d.order)
        self.inputs = [model for e in entries if isinstance(e, Inputs) for model in e.models]

    @property
    def indicators(self) -> dict:
        return {code: m for code, m in self.measures.items() if m.indicator}


@cache
def registry() -> Registry:
    """Everything the installed apps registered (asked once; the apps are all loaded by then)."""
    from django.apps import apps

    entries, labels = [], []
    for receiver_, response in register_measures.send(sender=None):
        entries.extend(response or [])
        app = apps.get_containing_app_config(receiver_.__module__)
        if app is not None and app.label not in labels:
            labels.append(app.label)
    return Registry(entries, labels)


def measures() -> dict:
    return registry().measures


def schema() -> Schema:
    """What each figure counts, as the disclosure control needs it."""
    from reporting.breakdowns import COLUMN_MEASURES, beneficiary_measures

    quantities = {
        code: Quantity(
            sensitive=True,
            people=measure.people,
            people_of=measure.people_of,
            occasions=measure.occasions,
            part_of=measure.part_of,
            part_key=measure.part_key,
        )
        for code, measure in measures().items()
        if measure.suppressible
    }
    return Schema(quantities=quantities, columns=COLUMN_MEASURES, beneficiaries=beneficiary_measures())


# While one report is computed, a figure asked for twice (an indicator and a table's total) is queried once.
_cache: ContextVar[dict | None] = ContextVar("reporting_figures_cache", default=None)


@contextmanager
def figures_cache():
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def _memo(kind: str, code: str, project, span, compute):
    memo = _cache.get()
    if memo is None:
        return compute()
    key = (kind, code, project.pk, span.start_date, span.end_date)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


# While a live report carries its "to date" figures from the last frozen one, every day of the project
# before the days it counts lies in a submitted or locked period, whose activity the database refuses to
# change (reporting.locks): what was done then is fixed until one of those periods is unlocked, which a new
# snapshot must follow before a report carries from it again. `history_frozen` says so for one report,
# under the key of the snapshot it carries from; `history_kept` keeps what a measure finds in that history
# (the people, or organisations, it counted before, for returning()) across views and changes of the open
# period's activity.
# What is kept is record ids (and the organisations trainees name), in the server's own cache, never in a
# report (which holds counts only).
_frozen: ContextVar[tuple | None] = ContextVar("reporting_history_frozen", default=None)
HISTORY_SECONDS = 24 * 60 * 60


@contextmanager
def history_frozen(project, before: date, key: str):
    token = _frozen.set((project.pk, before, key))
    try:
        yield
    finally:
        _frozen.reset(token)


def history_kept(name: str, project, before: date, compute):
    """compute() over the project's history before the day `before`: kept in the cache while that history is
    frozen (history_frozen), counted each time otherwise."""
    from django.core.cache import cache as shared

    frozen = _frozen.get()
    if frozen is None or frozen[:2] != (project.pk, before):
        return compute()
    key = f"reporting:history:{name}:{project.pk}:{before.isoformat()}:{frozen[2]}"
    found = shared.get(key)
    if found is None:
        found = compute()
        shared.set(key, found, HISTORY_SECONDS)
    return found


def figures_memo(name: str, project, span, compute):
    """compute() once per report for the project and span: rows an app counts several figures from."""
    return _memo("rows", name, project, span, compute)


def figures_memo_kept(name: str, project, span):
    """The rows figures_memo() already computed for the project and span in this report, or None.

    A total can be counted from the rows its splits were counted from, when they are there; alone (a "to
    date" over the project's whole history asks for nothing else) an aggregate query costs less than the
    rows."""
    memo = _cache.get()
    return None if memo is None else memo.get(("rows", name, project.pk, span.start_date, span.end_date))


def figure(code: str, project, span):
    """The value of a registered measure over the span (0 when no installed app offers it)."""
    measure = measures().get(code)
    if measure is None:
        return 0
    if measure.carry == "parts":
        return measure.from_parts(figure_parts(code, project, span))
    return _memo("value", code, project, span, lambda: measure.value(project, span))


def figure_parts(code: str, project, span) -> dict[str, int]:
    measure = measures()[code]
    return _memo("parts", code, project, span, lambda: measure.parts(project, span))


def figure_returning(code: str, project, span) -> int:
    """Of the people a measure counts in the span, how many the project counted before it."""
    measure = measures()[code]
    return _memo("returning", code, project, span, lambda: measure.returning(project, span))


def project_start(project) -> datetime:
    """The project's first moment, for counts of what it did before a span (Measure.returning)."""
    return bounds(SimpleNamespace(start_date=project.start_date, end_date=project.start_date))[0]
