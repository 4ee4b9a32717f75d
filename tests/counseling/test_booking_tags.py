"""A calendar's bookings, written in Python (counseling.templatetags.booking_tags), say what their template
said: the week's items and the day's rows, in every language, with hostile text in every field."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import timezone, translation

from counseling.enums import BookingStatus, SessionKind
from tests.helpers import tags_squeezed

# The status badge as counseling/_status.html wrote it, before booking_tags.booking_status did.
STATUS = """<span class="badge{% if booking.status == 'held' or booking.status == 'confirmed' %} badge-ok{% elif booking.status == 'cancelled' or booking.status == 'no_show' %} badge-bad{% else %} badge-warn{% endif %}">{{ booking.get_status_display }}</span>"""  # noqa: E501
# The interpreter badge as counseling/_interpreter.html wrote it, before booking_tags.interpreter_badge did.
INTERPRETER = """{% load i18n %}<span class="badge badge-warn">{% blocktranslate with language=client.interpreter_language %}Interpreter: {{ language }}{% endblocktranslate %}</span>"""  # noqa: E501
# The bookings as counseling/my_bookings.html wrote them before they were written in Python.
WEEK = """{% load i18n %}{% for booking in bookings %}
<li class="week-booking week-booking-{{ booking.status }}">
    <a href="{% url 'counseling:booking_detail' booking.pk %}"><span class="week-booking-time">{{ booking.start|time:"TIME_FORMAT" }}–{{ booking.end|time:"TIME_FORMAT" }}</span> {{ booking.client.alias }}</a>
    <span class="week-booking-facts">{{ booking.get_kind_display }} · {% if booking.room %}{{ booking.room }}{% else %}{% translate "Home visit" %}{% endif %}{% if show_counselor %} · {{ booking.counselor }}{% endif %}</span>
    <STATUS>{% if booking.client.interpreter_needed %} {% with client=booking.client %}<INTERPRETER>{% endwith %}{% endif %}
</li>
{% endfor %}""".replace("<STATUS>", STATUS).replace("<INTERPRETER>", INTERPRETER)  # noqa: E501
DAY = """{% load i18n %}{% for booking in bookings %}
<tr>
    <th scope="row"><a href="{% url 'counseling:booking_detail' booking.pk %}">{{ booking.start|time:"TIME_FORMAT" }}–{{ booking.end|time:"TIME_FORMAT" }}</a></th>
    <td>{{ booking.client.alias }}{% if booking.client.interpreter_needed %} {% with client=booking.client %}<INTERPRETER>{% endwith %}{% endif %}</td>
    <td>{{ booking.get_kind_display }}</td>
    <td>{% if booking.room %}{{ booking.room }}{% else %}{% translate "Home visit" %}{% endif %}</td>
    <td>{{ booking.counselor }}</td>
    <td><STATUS></td>
</tr>
{% endfor %}""".replace("<STATUS>", STATUS).replace("<INTERPRETER>", INTERPRETER)  # noqa: E501


def _booking(pk, status, kind, start, *, room=None, interpreter=""):
    client = SimpleNamespace(
        alias=f'Ana <b>"{pk}"</b> & co', interpreter_needed=bool(interpreter), interpreter_language=interpreter
    )
    return SimpleNamespace(
        pk=pk,
        status=status,
        kind=kind,
        start=start,
        end=start + dt.timedelta(minutes=50),
        room=room,
        room_id=1 if room else None,
        client=client,
        counselor="Mira <i>O'Neil</i>",
        get_kind_display=lambda: SessionKind(kind).label,
        get_status_display=lambda: BookingStatus(status).label,
    )


def _bookings():
    # Around the night the clocks go back (the same wall-clock hour twice) and a late evening.
    night = timezone.make_aware(dt.datetime(2027, 10, 31, 1, 30), dt.UTC)
    return [
        _booking(
            1,
            status,
            kind,
            night + dt.timedelta(hours=index),
            room="Room <2>" if index % 2 else None,
            interpreter="Arabic & <Farsi>" if index % 3 == 0 else "",
        )  # fmt: skip
        for index, (status, kind) in enumerate(
            zip(BookingStatus.values, [*SessionKind.values, SessionKind.EXPERIENTIAL], strict=True)
        )
    ]


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.parametrize("show_counselor", [True, False])
def test_the_weeks_bookings_say_what_their_template_said(language, show_counselor):
    engine = engines["django"]
    context = {"bookings": _bookings(), "show_counselor": show_counselor}
    with translation.override(language), timezone.override("Europe/Copenhagen"):
        expected = engine.from_string(WEEK).render(context)
        written = engine.from_string("{% load booking_tags %}{% week_bookings bookings show_counselor %}").render(
            context
        )
    assert "Ana &lt;b&gt;&quot;1&quot;&lt;/b&gt; &amp; co" in written and "Arabic &amp; &lt;Farsi&gt;" in written
    assert ("Mira &lt;i&gt;O&#x27;Neil&lt;/i&gt;" in written) is show_counselor
    assert tags_squeezed(written, between=" ") == tags_squeezed(expected, between=" ")


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_days_bookings_say_what_their_template_said(language):
    engine = engines["django"]
    context = {"bookings": _bookings()}
    with translation.override(language), timezone.override("Europe/Copenhagen"):
        expected = engine.from_string(DAY).render(context)
        written = engine.from_string("{% load booking_tags %}{% day_bookings bookings %}").render(context)
    assert "Room &lt;2&gt;" in written and "badge-bad" in written and "badge-ok" in written
    assert tags_squeezed(written) == tags_squeezed(expected)


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_a_bookings_status_badge_says_what_its_template_said(language):
    """The badge of the booking and client pages is the calendars' badge (one rule for its colour)."""
    template = engines["django"].from_string("{% load booking_tags %}{% booking_status booking %}")
    kept = engines["django"].from_string(STATUS)
    with translation.override(language):
        for booking in _bookings():
            assert template.render({"booking": booking}) == kept.render({"booking": booking})


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_a_clients_interpreter_badge_says_what_its_template_said(language):
    template = engines["django"].from_string("{% load booking_tags %}{% interpreter_badge client %}")
    kept = engines["django"].from_string(INTERPRETER)
    with translation.override(language):
        for booking in _bookings():
            if booking.client.interpreter_needed:
                assert template.render({"client": booking.client}) == kept.render({"client": booking.client})
            else:
                assert template.render({"client": booking.client}) == ""
