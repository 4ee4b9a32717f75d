"""A date or a moment in an administration listing's cell is written as the template writes it
(render_value_in_context), when it is formatted afresh and when it is read from what was formatted before:
in every language, across the night the clocks change, on month ends and 29 February, in another time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import timezone, translation

from core import admin_cells

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
DAYS = [dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2026, 1, 1)]


@pytest.mark.parametrize("zone", ["Europe/Belgrade", "America/New_York"])
def test_dates_and_moments_are_written_as_the_template_writes_them(zone):
    admin_cells._formatted.clear()
    with timezone.override(zone):
        for language in ["en", "da", "sr-latn", "en", "sr-latn"]:  # each formatted afresh, then read again
            with translation.override(language):
                for value in [*MOMENTS, *DAYS, None, 3, "text <b>"]:
                    assert admin_cells._shown(value) == render_value_in_context(value, Context()), (language, value)
    assert len(admin_cells._formatted) >= 3 * (len(DAYS) + len(MOMENTS) - 1)  # kept: the same minute is one


def test_a_format_that_shows_seconds_or_the_zone_is_never_kept():
    assert admin_cells._to_the_minute("N j, Y, P")
    assert admin_cells._to_the_minute("j. F Y. H:i")
    assert admin_cells._to_the_minute(r"j \s F Y")  # an escaped letter is text, not the seconds
    assert not admin_cells._to_the_minute("j. F Y. H:i:s")
    assert not admin_cells._to_the_minute("Y-m-d H:i T")
    assert not admin_cells._to_the_minute("c")


def test_a_format_two_languages_share_is_kept_for_each_language(monkeypatch):
    from django.utils import dateformat

    monkeypatch.setattr(admin_cells, "get_format", lambda name: "j. F Y")
    monkeypatch.setattr(
        admin_cells, "render_value_in_context", lambda value, context: dateformat.format(value, "j. F Y")
    )
    admin_cells._formatted.clear()
    day = dt.date(2026, 3, 31)
    with translation.override("da"):
        assert admin_cells._shown(day) == "31. marts 2026"
    with translation.override("sr-latn"):
        assert admin_cells._shown(day) == "31. mart 2026"
