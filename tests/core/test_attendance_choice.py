"""One person's attendance choice, written in Python (core.templatetags.attendance_tags), says what its
template said, for every answer chosen or none, with hostile text in the name and the label."""

import pytest
from django.template import engines
from django.utils import translation

from core.choices import choice_labels
from core.enums import AttendanceStatus
from tests.helpers import tags_squeezed

# What components/attendance_choice.html wrote before it was written in Python.
TEMPLATE = """<fieldset class="attendance-choice">
    <legend>{{ label }}</legend>
    <div class="attendance-options">
        {% for code, text in choices %}
            <label class="attendance-option attendance-{{ code }}">
                <input type="radio" name="{{ name }}" value="{{ code }}"{% if value == code %} checked{% endif %}>
                <span>{{ text }}</span>
            </label>
        {% endfor %}
    </div>
</fieldset>"""


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.parametrize("value", [None, "", *AttendanceStatus.values])
def test_the_choice_says_what_its_template_said(language, value):
    engine = engines["django"]
    with translation.override(language):
        context = {
            "name": 'm-12"><script>',
            "label": "Ana <b>O'Neil</b> & co",
            "value": value,
            "choices": list(choice_labels(AttendanceStatus.choices).items()),
        }
        expected = engine.from_string(TEMPLATE).render(context)
        written = engine.from_string(
            "{% load attendance_tags %}{% attendance_choice name label value choices %}"
        ).render(context)
    assert "Ana &lt;b&gt;O&#x27;Neil&lt;/b&gt; &amp; co" in written and "<script>" not in written
    assert written.count(" checked") == (1 if value else 0)
    assert tags_squeezed(written, between=" ") == tags_squeezed(expected, between=" ")
