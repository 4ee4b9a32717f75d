"""One date and one date-time format per language, both from the language's locale formats.

Templates name a format (DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT, ...; website/formats/ makes the short
ones the same as the long ones), never spell one out. Machine-readable dates (ISO in a form value, a
datetime attribute, a link's query) stay ISO, and the names of days and months may stand alone.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"
FILTER = re.compile(r"""\|(date|time):(["'])(?P<format>[^"']*)\2""")
NAMED = re.compile(r"^[A-Z_]+_FORMAT$")
# Names of days and months on their own (a week's column heading, a month's title), and ISO 8601 for machines.
NAMES = {"l", "D", "F", "N", "M"}
MACHINE_ATTRIBUTES = re.compile(r"""\b(value|datetime|href|action|min|max|data-[\w-]+)=("[^"]*|'[^']*)$""")


def hard_coded_formats(text: str):
    """(line number, format) for each format spelled out where a person reads it."""
    for match in FILTER.finditer(text):
        spelled = match.group("format")
        if NAMED.match(spelled) or spelled in NAMES or spelled == "c":
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()]
        if MACHINE_ATTRIBUTES.search(before):
            continue
        yield text.count("\n", 0, match.start()) + 1, spelled


# Templates still to move to named formats: a list that only shrinks (empty now).
NOT_YET: tuple[str, ...] = ()


def test_templates_name_their_date_formats_instead_of_spelling_them_out():
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")):
        name = str(path.relative_to(TEMPLATES))
        if name.startswith(NOT_YET):
            continue
        for line, spelled in hard_coded_formats(path.read_text(encoding="utf-8")):
            problems.append(f"{name}:{line}: {spelled!r}")
    assert not problems, f"{len(problems)} hard-coded date format(s):\n" + "\n".join(problems)


def test_the_scanner_tells_a_machine_date_from_a_date_for_people():
    found = list(
        hard_coded_formats(
            '<input type="date" value="{{ d|date:"Y-m-d" }}"><time datetime="{{ d|date:"c" }}">'
            "{{ d|date:\"DATE_FORMAT\" }}</time> <a href=\"{% url 'x' %}?a=1&amp;date={{ d|date:'Y-m-d' }}\">"
            '{{ d|date:"l" }}</a>\n'
            '<td>{{ d|date:"Y-m-d" }}</td>'
        )
    )
    assert found == [(2, "Y-m-d")]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_each_language_has_one_date_and_one_date_time_format(language):
    with translation.override(language):
        assert formats.get_format("SHORT_DATE_FORMAT") == formats.get_format("DATE_FORMAT")
        assert formats.get_format("SHORT_DATETIME_FORMAT") == formats.get_format("DATETIME_FORMAT")


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_date_and_time_reads_its_time_as_a_time_alone_does(language):
    # "Dec. 1, 2026, 8:24 a.m.–09:54" mixed two clocks in one line: a session's start and its end.
    from datetime import datetime

    moment = datetime(2026, 12, 1, 8, 24)
    with translation.override(language):
        assert formats.date_format(moment, "DATETIME_FORMAT").endswith(formats.time_format(moment, "TIME_FORMAT"))
