"""core.html.translated_html writes what {% blocktranslate with ... %} writes."""

import pytest
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext

from core.html import translated_html


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.parametrize(
    ("message", "name", "template"),
    [
        ("started %(date)s", "date", "{% blocktranslate with date=value %}started {{ date }}{% endblocktranslate %}"),
        ("Starts %(label)s", "label", "{% blocktranslate with label=value %}Starts {{ label }}{% endblocktranslate %}"),
    ],
)
def test_it_writes_what_blocktranslate_writes(language, message, name, template):
    value = "Phase <2> & {braces} \"quoted\" 'too'"
    with translation.override(language):
        expected = engines["django"].from_string("{% load i18n %}" + template).render({"value": value})
        written = translated_html(gettext(message), **{name: value})
    assert "&lt;2&gt; &amp; {braces}" in written
    assert written == expected


def test_braces_in_a_translation_stay_text():
    assert translated_html("{0} of %(n)s {x}", n="<5>") == "{0} of &lt;5&gt; {x}"
