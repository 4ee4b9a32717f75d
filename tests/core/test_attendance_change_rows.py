"""A session's change log, written in Python (core.templatetags.attendance_tags), says what its template said:
for a group session's marks (with children) and a training session's (without), applied and overruled, sent
from a phone or typed, by someone or by no one known, around the night the clocks go back, in every language,
with hostile text where a person's words go."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from core.enums import AttendanceStatus
from tests.helpers import tags_squeezed

# The rows as components/attendance_change_log.html wrote them before they were written in Python.
ROWS = """{% load i18n %}{% for change in changes %}
            <tr{% if not change.applied %} class="not-applied"{% endif %}>
                <td>{% if change.marked_at %}<time datetime="{{ change.marked_at|date:'c' }}">{{ change.marked_at|date:"SHORT_DATETIME_FORMAT" }}</time>{% else %}–{% endif %}</td>
                <td><time datetime="{{ change.changed_at|date:'c' }}">{{ change.changed_at|date:"SHORT_DATETIME_FORMAT" }}</time>{% if change.client_id %} <span class="badge">{% translate "from a phone" %}</span>{% endif %}</td>
                <td>{{ change.changed_by.email|default:_("unknown (changed outside Haven's screens)") }}</td>
                <th scope="row">{{ change.label }}</th>
                <td>{{ change.get_old_status_display|default:"–" }} → {{ change.get_new_status_display }}{% if change.old_children != change.new_children and change.old_children is not None %} ({% blocktranslate with old=change.old_children new=change.new_children %}children {{ old }} → {{ new }}{% endblocktranslate %}){% endif %}{% if not change.applied %} <span class="badge badge-warn">{% translate "not applied: a later mark stands" %}</span>{% endif %}</td>
            </tr>
        {% endfor %}"""  # noqa: E501


def _display(value):
    return lambda: dict(AttendanceStatus.choices).get(value, value)


def _change(index, *, children):
    # The night the clocks go back in Central Europe: 02:30 happens twice.
    received = timezone.make_aware(dt.datetime(2027, 10, 31, 0, 15), dt.UTC) + dt.timedelta(minutes=40 * index)
    old = ["", *AttendanceStatus.values][index % 4]
    new = AttendanceStatus.values[index % 3]
    change = SimpleNamespace(
        applied=index % 3 != 1,
        marked_at=None if index % 4 == 0 else received - dt.timedelta(minutes=7),
        changed_at=received,
        client_id=f"phone-{index}" if index % 2 else None,
        changed_by=None if index % 5 == 0 else SimpleNamespace(email=f"o'neil+{index}&<x>@example.org"),
        label=f'Ana <b>"{index}"</b> & co',
        old_status=old,
        new_status=new,
        get_old_status_display=_display(old),
        get_new_status_display=_display(new),
    )
    if children:
        change.old_children = None if index % 4 == 0 else index % 3
        change.new_children = index % 2
    return change


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.parametrize("children", [True, False], ids=["group session", "training session"])
def test_the_change_log_rows_say_what_their_template_said(language, children):
    engine = engines["django"]
    changes = [_change(index, children=children) for index in range(12)]
    context = {"changes": changes}
    with translation.override(language), timezone.override("Europe/Belgrade"):
        expected = engine.from_string(ROWS).render(context)
        written = engine.from_string("{% load attendance_tags %}{% attendance_change_rows changes %}").render(context)
        unknown = gettext("unknown (changed outside Haven's screens)")
    assert "Ana &lt;b&gt;&quot;3&quot;&lt;/b&gt; &amp; co" in written and "o&#x27;neil+1&amp;&lt;x&gt;" in written
    assert written.count('class="not-applied"') == 4 and written.count("<time ") == 12 + 9
    counted = [c for c in changes if getattr(c, "old_children", None) not in (None, getattr(c, "new_children", None))]
    assert written.count("→") == 12 + len(counted) and len(counted) == (6 if children else 0)
    # The one difference: the template wrote the translated "unknown" as it is (a literal filter argument is
    # safe there); Python escapes it like any value. A browser shows the same words.
    assert tags_squeezed(written.replace(escape(unknown), unknown)) == tags_squeezed(expected)
