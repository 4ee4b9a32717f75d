"""Dates and moments written as Django writes them, each text worked out once and kept.

Django parses a date format anew for every value it formats (about 20 microseconds a moment: the fifty
rows of a list, each with a date or two, spend a millisecond on it), while the rows of a page share their
days, and the same pages are asked for again and again. So a date is formatted once per language, format and
day, and a moment once per language, format and wall-clock minute where its format shows no more than the
minute (no seconds, time zone or offset); anything else is formatted by Django every time. The texts are
Django's own: each is what Django wrote the first time.
"""

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as django_date
from django.utils import timezone
from django.utils.dateformat import re_formatchars
from django.utils.formats import get_format, time_format
from django.utils.translation import get_language

from core.html import escaped

# What a value is written with where a template writes it with {{ }} (nothing of a page in it).
_PLAIN = Context()
# Date and time codes that show no more than the wall clock to the minute (no seconds, time zone or offset).
_TO_THE_MINUTE = frozenset("aAbdDEfFgGhHijlLmMnNoPStwWyYz")
_KEPT_AT_MOST = 10_000
_kept: dict = {}


@lru_cache(maxsize=256)
def to_the_minute(format_string: str) -> bool:
    """Whether a format shows nothing finer than the minute (an escaped letter is text, not a code)."""
    return all(code in _TO_THE_MINUTE for code in re_formatchars.split(format_string)[1::2])


def _moment_key(way: str, local: dt.datetime, format_string: str):
    """The key of a moment already on the wall clock it is shown on, or None when its format shows more
    than the minute."""
    if not to_the_minute(format_string):
        return None
    minute = local.replace(second=0, microsecond=0, tzinfo=None)
    return (way, get_language(), format_string, minute, local.utcoffset())


def _kept_or(key, write):
    text = _kept.get(key)
    if text is None:
        text = write()
        if len(_kept) >= _KEPT_AT_MOST:  # a bound, not a policy: the next pages fill it again
            _kept.clear()
        _kept[key] = text
    return text


def shown(value) -> str:
    """What {{ value }} writes (render_value_in_context, a plain context: escaped, so kept apart from what
    the filter writes). A text is escaped as it is: nothing in Django's way changes one."""
    kind = type(value)
    if kind is str:
        return escaped(value)
    if kind is dt.datetime and settings.USE_TZ and timezone.is_aware(value):
        if not getattr(value, "convert_to_local_time", True):
            return render_value_in_context(value, _PLAIN)
        key = _moment_key("shown", timezone.localtime(value), get_format("DATETIME_FORMAT"))  # template_localtime
    elif kind is dt.date:
        key = ("shown", get_language(), get_format("DATE_FORMAT"), value)
    else:
        key = None
    if key is None:
        return render_value_in_context(value, _PLAIN)
    return _kept_or(key, lambda: render_value_in_context(value, _PLAIN))


def local_time(moment: dt.datetime) -> str:
    """What time_format(localtime(moment), "TIME_FORMAT") writes: the time of day a calendar shows."""
    local = timezone.localtime(moment)
    format_string = get_format("TIME_FORMAT")
    key = _moment_key("time", local, format_string)
    if key is None:
        return time_format(local, format_string)
    return _kept_or(key, lambda: time_format(local, format_string))


def local_moment(moment: dt.datetime) -> str:
    """What date_format(localtime(moment), "SHORT_DATETIME_FORMAT") writes: a moment on the wall clock, in the
    active language's form, where a name, a choice or a screen's title gives one."""
    return date_filter(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def date_filter(value, arg=None):
    """What Django's `date` filter writes ({{ value|date:arg }}): the value is already on the wall clock the
    page shows (the filter expects local time, and the template converts it first)."""
    kind = type(value)
    if kind is dt.date:
        key = ("date", get_language(), get_format(arg or "DATE_FORMAT"), value)
    elif kind is dt.datetime:
        key = _moment_key("date", value, get_format(arg or "DATE_FORMAT"))
    else:
        key = None
    if key is None:
        return django_date(value, arg)
    return _kept_or(key, lambda: django_date(value, arg))
