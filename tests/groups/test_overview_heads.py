"""The overview's session heads, written in the view (groups.views.overview_session_heads), say what the
template said: held and cancelled sessions, in every language, around the night the clocks go back."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import timezone, translation

from groups.views import overview_session_heads

# The heads as groups/cohort_overview.html wrote them before they were written in the view.
TEMPLATE = """{% load i18n %}{% for session in sessions %}<th scope="col"><abbr title="{{ session.start|date:'DATETIME_FORMAT' }}{% if session.cancelled %} ({% translate 'cancelled' %}){% endif %}">{{ session.start|date:"MONTH_DAY_FORMAT" }}</abbr>{% if session.cancelled %}<span class="visually-hidden"> {% translate "cancelled" %}</span>✕{% endif %}</th>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_heads_say_what_the_template_said(language):
    night = timezone.make_aware(dt.datetime(2027, 10, 30, 23, 30), dt.UTC)
    sessions = [
        SimpleNamespace(start=night + dt.timedelta(hours=hours), cancelled=cancelled)
        for hours, cancelled in ((0, False), (1, True), (2, False), (24 * 60, True))
    ]
    with translation.override(language), timezone.override("Europe/Copenhagen"):
        expected = engines["django"].from_string(TEMPLATE).render({"sessions": sessions})
        written = "".join(overview_session_heads(sessions))
        again = "".join(overview_session_heads(sessions))  # kept: the same heads
    assert written.count("✕") == 2 and written.count("<th") == 4
    assert written == expected == again


def test_a_session_cancelled_since_is_shown_cancelled():
    """The heads are kept per sessions' times and states: a change is another key, never a stale head."""
    start = timezone.make_aware(dt.datetime(2028, 2, 29, 17, 0), dt.UTC)
    held = overview_session_heads([SimpleNamespace(start=start, cancelled=False)])
    cancelled = overview_session_heads([SimpleNamespace(start=start, cancelled=True)])
    moved = overview_session_heads([SimpleNamespace(start=start + dt.timedelta(hours=1), cancelled=False)])
    assert "✕" not in held[0] and "✕" in cancelled[0] and moved[0] != held[0]
    with translation.override("da"):
        assert overview_session_heads([SimpleNamespace(start=start, cancelled=True)])[0] != cancelled[0]
