"""A calendar's bookings written in Python: a coordinator's week shows fifty a page, and their template (a
link, two times, the client, the kind, the room, the counselor, two badges, each through a filter, an
include or a permission check) was two fifths of the page."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.choices import choice_labels
from core.formatting import local_time
from core.html import escaped, translated_html
from core.reversing import UrlFiller
from counseling.enums import BookingStatus, SessionKind

register = template.Library()

GOOD, BAD = {BookingStatus.HELD, BookingStatus.CONFIRMED}, {BookingStatus.CANCELLED, BookingStatus.NO_SHOW}


def _time(moment) -> str:
    return local_time(moment)  # time_format(localtime(moment), "TIME_FORMAT"), each minute's text kept


def _status_badge(status: str, label: str) -> str:
    css = " badge-ok" if status in GOOD else " badge-bad" if status in BAD else " badge-warn"
    return mark_safe(f'<span class="badge{css}">{escaped(label)}</span>')  # noqa: S308  # nosec B308 B703 - escaped


@register.simple_tag
def booking_status(booking) -> str:
    """The booking's status as a badge, coloured as in the calendars."""
    return _status_badge(booking.status, booking.get_status_display())


def _interpreter_badge(client, sentence: str) -> str:
    badge = translated_html(sentence, language=client.interpreter_language)
    return mark_safe(f'<span class="badge badge-warn">{badge}</span>')  # noqa: S308  # nosec B308 B703 - escaped


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
        interpreter = f" {_interpreter_badge(client, interpreter_for)}" if client.interpreter_needed else ""
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
    """The <li> of each booking of a day in the week grid (counseling/my_bookings.html); every value escaped
    by `escaped`, as {{ }} would."""
    kinds = choice_labels(SessionKind.choices)
    rows = []
    for booking, url, times, status, interpreter, room in _parts(bookings):
        counselor = f" · {escaped(booking.counselor)}" if show_counselor else ""
        # The line breaks are the spaces the template left between the link, the facts and the badges.
        rows.append(
            f'<li class="week-booking week-booking-{escaped(booking.status)}">\n'
            f'<a href="{escaped(url)}"><span class="week-booking-time">{escaped(times)}</span> '
            f"{escaped(booking.client.alias)}</a>\n"
            f'<span class="week-booking-facts">{escaped(kinds.get(booking.kind, booking.kind))} · '
            f"{escaped(room)}{counselor}</span>\n{status}{interpreter}\n</li>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308 B703 - every value escaped above


@register.simple_tag
def day_bookings(bookings):
    """The table row of each booking of a day (counseling/my_bookings.html); every value escaped by
    `escaped`, as {{ }} would."""
    kinds = choice_labels(SessionKind.choices)
    rows = [
        f'<tr><th scope="row"><a href="{escaped(url)}">{escaped(times)}</a></th>'
        f"<td>{escaped(booking.client.alias)}{interpreter}</td>"
        f"<td>{escaped(kinds.get(booking.kind, booking.kind))}</td><td>{escaped(room)}</td>"
        f"<td>{escaped(booking.counselor)}</td><td>{status}</td></tr>\n"
        for booking, url, times, status, interpreter, room in _parts(bookings)
    ]
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308 B703 - every value escaped above
