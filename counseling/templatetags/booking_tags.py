"""A calendar's bookings written in Python: a coordinator's week shows fifty a page, and their template (a
link, two times, the client, the kind, the room, the counselor, two badges, each through a filter, an
include or a permission check) was two fifths of the page."""

from django import template
from django.utils.formats import time_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext

from core.choices import choice_labels
from core.html import translated_html
from core.reversing import UrlFiller
from counseling.enums import BookingStatus, SessionKind

register = template.Library()

GOOD, BAD = {BookingStatus.HELD, BookingStatus.CONFIRMED}, {BookingStatus.CANCELLED, BookingStatus.NO_SHOW}


def _time(moment) -> str:
    return time_format(localtime(moment), "TIME_FORMAT")


def _status_badge(status: str, label: str) -> str:
    css = " badge-ok" if status in GOOD else " badge-bad" if status in BAD else " badge-warn"
    return format_html('<span class="badge{}">{}</span>', css, label)


@register.simple_tag
def booking_status(booking) -> str:
    """The booking's status as a badge, coloured as in the calendars."""
    return _status_badge(booking.status, booking.get_status_display())


def _interpreter_badge(client, sentence: str) -> str:
    return format_html(
        '<span class="badge badge-warn">{}</span>', translated_html(sentence, language=client.interpreter_language)
    )


@register.simple_tag
def interpreter_badge(client) -> str:
    """The language a client needs an interpreter for, as a badge (nothing when she needs none)."""
    return _interpreter_badge(client, gettext("Interpreter: %(language)s")) if client.interpreter_needed else ""


def _parts(bookings):
    """(booking, url, times, status badge, interpreter badge, room) of each booking, the labels looked up once."""
    urls = UrlFiller()
    statuses = choice_labels(BookingStatus.choices)
    home_visit, interpreter_for = gettext("Home visit"), gettext("Interpreter: %(language)s")
    for booking in bookings:
        status = booking.status
        client = booking.client
        interpreter = (
            format_html(" {}", _interpreter_badge(client, interpreter_for)) if client.interpreter_needed else ""
        )
        yield (
            booking,
            urls("counseling:booking_detail", pk=booking.pk),
            f"{_time(booking.start)}–{_time(booking.end)}",
            _status_badge(status, statuses.get(status, status)),
            interpreter,
            booking.room if booking.room_id else home_visit,
        )


@register.simple_tag
def week_bookings(bookings, show_counselor=False):
    """The <li> of each booking of a day in the week grid (counseling/my_bookings.html)."""
    kinds = choice_labels(SessionKind.choices)
    return format_html_join(
        "",
        # The line breaks are the spaces the template left between the link, the facts and the badges.
        '<li class="week-booking week-booking-{}">\n<a href="{}"><span class="week-booking-time">{}</span> {}</a>\n'
        '<span class="week-booking-facts">{} · {}{}</span>\n{}{}\n</li>\n',
        (
            (
                booking.status,
                url,
                times,
                booking.client.alias,
                kinds.get(booking.kind, booking.kind),
                room,
                format_html(" · {}", booking.counselor) if show_counselor else "",
                status,
                interpreter,
            )
            for booking, url, times, status, interpreter, room in _parts(bookings)
        ),
    )


@register.simple_tag
def day_bookings(bookings):
    """The table row of each booking of a day (counseling/my_bookings.html)."""
    kinds = choice_labels(SessionKind.choices)
    return format_html_join(
        "",
        '<tr><th scope="row"><a href="{}">{}</a></th><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n',
        (
            (
                url,
                times,
                booking.client.alias,
                interpreter,
                kinds.get(booking.kind, booking.kind),
                room,
                booking.counselor,
                status,
            )
            for booking, url, times, status, interpreter, room in _parts(bookings)
        ),
    )
