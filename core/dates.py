"""The one place Haven asks what day and time it is, and does arithmetic with months.

Everything else calls these functions instead of `timezone.now()` or `date.today()`, so tests move the
clock with time-machine and every date rule can be tried on awkward days (month ends, 29 February, the
nights the clocks change). Month arithmetic is `dateutil.relativedelta`: a month added to 31 January is
the last day of February, never an error and never 3 March.
"""

import datetime as dt
import functools
import re

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

# Dates people type are accepted between these bounds: a wider range is a typo, and would reach code
# (calendar feeds, date arithmetic near year 9999) that cannot represent it.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_YEARS_AHEAD = 20
_SAFE_ZONE = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def today() -> dt.date:
    """Today in the organisation's time zone."""
    return timezone.localdate()


def local_date(moment: dt.datetime) -> dt.date:
    """The organisation-local calendar day of an aware moment."""
    return timezone.localdate(moment)


def local_time(moment: dt.datetime | None = None) -> dt.datetime:
    """An aware moment (now by default) in the organisation's time zone."""
    return timezone.localtime(moment if moment is not None else now())


def local_day_sql(connection, column: str) -> str:
    """SQL for the organisation-local calendar day of an aware datetime column, as Django computes it, for
    database triggers. On SQLite the function is the one Django registers on each of its connections: a
    connection opened outside Django fails with "no such function", which errs on the safe side."""

    def literal(value: str) -> str:
        if not _SAFE_ZONE.match(value):
            raise ValueError(f"unexpected time zone name {value!r}")
        return f"'{value}'"

    zone = literal(settings.TIME_ZONE)
    if connection.vendor == "sqlite":
        return f"django_datetime_cast_date({column}, {zone}, {literal(connection.timezone_name)})"
    return f"(({column}) AT TIME ZONE {zone})::date"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months; a day that does not exist in the target month becomes its last day."""
    if type(day) is dt.date:
        return _date_months_added(day, months)
    return day + relativedelta(months=months)


@functools.lru_cache(maxsize=4096)
def _date_months_added(day: dt.date, months: int) -> dt.date:
    # The CTI dashboard asks for three hundred of these a view, nearly all the same ones as the view before
    # (each a relativedelta, 5 microseconds). Plain dates only: aware datetimes of different zones at the
    # same instant are equal as keys, and would get each other's answer.
    return day + relativedelta(months=months)


def months_after_end(day: dt.date, months: int) -> dt.date:
    """The last date that is at most `months` months after `day`, counting back from it.

    Counting back from 31 August six months gives 28 February, so 31 August is "six months after"
    28 February: a window that ends N months after the last day of a month ends on the last day of the
    month N later. Checking `end <= months_after_end(start, n)` therefore agrees with every date made by
    `add_months(start, n)`, which two clamped additions compared with each other do not.
    """
    later = add_months(day, months)
    return month_end(later) if day == month_end(day) else later


def add_years(day: dt.date, years: int) -> dt.date:
    """29 February plus one year is 28 February."""
    return day + relativedelta(years=years)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day + relativedelta(day=31)


def start_of_day(day: dt.date) -> dt.datetime:
    """The first moment of a local calendar day (aware), correct on the days the clocks change."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment of the next local day: use as an exclusive upper bound."""
    return start_of_day(day + dt.timedelta(days=1))


def latest_date() -> dt.date:
    """The latest date a person may type: far enough for any plan, well inside what software handles."""
    return add_years(today(), LATEST_YEARS_AHEAD)


def is_sensible_date(day: dt.date) -> bool:
    return EARLIEST_DATE <= day <= latest_date()


def aware_from_wall_clock(moment: dt.datetime) -> dt.datetime:
    """A time as a person types it (the organisation's wall clock) made aware, on every night of the year.

    The hour the clocks go back happens twice: the first is taken (it is also what a form showing "now" in
    that hour means). A time the clocks skip (they go forward) is moved on by the gap, as a wall clock
    would be. Django's own form fields refuse both, so a form prefilled with "now" would refuse itself."""
    zone = timezone.get_current_timezone()
    aware = moment.replace(tzinfo=zone, fold=0)
    return aware.astimezone(dt.UTC).astimezone(zone)
