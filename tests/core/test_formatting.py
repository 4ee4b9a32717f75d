"""Dates and moments are written as Django writes them (core.formatting), when formatted afresh and when read
from what was formatted before: a cell's {{ value }} and every template's `date` filter, in every language,
across the night the clocks change, on month ends and 29 February, in other time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Engine
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation

from core import formatting

BELGRADE = ZoneInfo("Europe/Belgrade")
MOMENTS = [
    dt.datetime(2026, 10, 25, 0, 30, 5, tzinfo=dt.UTC),  # 02:30 summer time in Belgrade
    dt.datetime(2026, 10, 25, 1, 30, 59, tzinfo=dt.UTC),  # 02:30 winter time, an hour later
    dt.datetime(2026, 10, 25, 1, 30, 1, tzinfo=dt.UTC),  # the same minute, other seconds
    dt.datetime(2028, 2, 29, 23, 59, 59, 999999, tzinfo=dt.UTC),  # a leap day's last instant (UTC)
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),  # the first minute of summer time
    dt.datetime(2026, 12, 31, 22, 59, tzinfo=BELGRADE),
    dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime(2026, 5, 5, 10, 15, tzinfo=dt.UTC),
    dt.datetime(2026, 5, 5, 10, 16, tzinfo=dt.UTC),  # the next minute
]
DAYS = [dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 3, 31)]
FORMATS = [None, "DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "D j. N", "l, j. F Y. H:i", "H:i", "P"]
SECONDS_OR_ZONE = ["j. F Y. H:i:s", "c", "r", "U", "O", "T", "e"]
LANGUAGES = ["en", "da", "sr-latn", "en", "sr-latn"]  # each formatted afresh, then read again
DJANGOS = Engine(libraries={}, builtins=["django.template.defaultfilters"])  # without the project's filter


@pytest.mark.parametrize("zone", ["Europe/Belgrade", "America/New_York"])
def test_a_cells_dates_and_moments_are_written_as_the_template_writes_them(zone):
    formatting._kept.clear()
    with timezone.override(zone):
        for language in LANGUAGES:
            with translation.override(language):
                for value in [*MOMENTS, *DAYS, None, 3, "text <b>"]:
                    assert formatting.shown(value) == render_value_in_context(value, Context()), (language, value)
    assert len(formatting._kept) >= 3 * (len(DAYS) + len(MOMENTS) - 1)  # kept: the same minute is one


@pytest.mark.parametrize("zone", ["Europe/Belgrade", "America/New_York"])
def test_the_date_filter_of_every_template_writes_what_djangos_writes(zone):
    from django.template import engines

    ours = engines["django"].engine
    formatting._kept.clear()
    values = [*MOMENTS, *DAYS, dt.datetime(2026, 5, 5, 10, 15), dt.time(9, 30), None, "", "2026-05-05"]
    with timezone.override(zone):
        for language in LANGUAGES:
            with translation.override(language):
                for value in values:
                    for format_name in [*FORMATS, *SECONDS_OR_ZONE]:
                        source = "{{ value|date }}" if format_name is None else f'{{{{ value|date:"{format_name}" }}}}'
                        try:
                            expected = DJANGOS.from_string(source).render(Context({"value": value}))
                        except (TypeError, ValueError) as error:  # a time code for a date, as Django says
                            with pytest.raises(type(error)):
                                ours.from_string(source).render(Context({"value": value}))
                            continue
                        written = ours.from_string(source).render(Context({"value": value}))
                        assert written == expected, (language, value, format_name)
    assert any(key[0] == "date" for key in formatting._kept)  # the project's filter, and it kept texts


@pytest.mark.parametrize("zone", ["Europe/Belgrade", "America/New_York"])
def test_a_calendars_times_of_day_are_written_as_django_writes_them(zone):
    from django.utils.formats import time_format

    formatting._kept.clear()
    with timezone.override(zone):
        for language in LANGUAGES:
            with translation.override(language):
                for moment in MOMENTS:
                    expected = time_format(timezone.localtime(moment), "TIME_FORMAT")
                    assert formatting.local_time(moment) == expected, (language, moment)
    assert any(key[0] == "time" for key in formatting._kept)


def test_a_format_that_shows_seconds_or_the_zone_is_never_kept():
    assert formatting.to_the_minute("N j, Y, P")
    assert formatting.to_the_minute("j. F Y. H:i")
    assert formatting.to_the_minute(r"j \s F Y")  # an escaped letter is text, not the seconds
    for format_string in SECONDS_OR_ZONE:
        assert not formatting.to_the_minute(format_string), format_string
    formatting._kept.clear()
    with translation.override("da"):
        assert formatting.date_filter(MOMENTS[0], "H:i:s") == django_date(MOMENTS[0], "H:i:s")
    assert not formatting._kept


def test_a_format_two_languages_share_is_kept_for_each_language(monkeypatch):
    from django.utils import dateformat

    monkeypatch.setattr(formatting, "get_format", lambda name: "j. F Y")
    monkeypatch.setattr(
        formatting, "render_value_in_context", lambda value, context: dateformat.format(value, "j. F Y")
    )
    formatting._kept.clear()
    day = dt.date(2026, 3, 31)
    with translation.override("da"):
        assert formatting.shown(day) == "31. marts 2026"
        assert formatting.date_filter(day, "j. F Y") == "31. marts 2026"
    with translation.override("sr-latn"):
        assert formatting.shown(day) == "31. mart 2026"
        assert formatting.date_filter(day, "j. F Y") == "31. mart 2026"
