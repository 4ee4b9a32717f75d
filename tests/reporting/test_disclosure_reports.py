"""Disclosure control as people meet it: a report the audit refuses is neither submitted nor locked and its
page says why; a project that rounds to base 5 gets rounded figures on the page and in the XLSX, with the
method in words, in each language."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.services import profile_language_set
from counseling.enums import SessionKind
from reporting import protection as protection_module
from reporting.breakdowns import BREAKDOWNS, COLUMN_MEASURES
from reporting.disclosure import HIDDEN, ROUND, Failure, Policy, audit
from reporting.enums import DisclosureMethod, PeriodStatus, Transition
from reporting.measures import schema
from reporting.models import PeriodLogEntry, ReportingPeriod, ReportSnapshot
from reporting.protection import method_paragraphs, period_places, published_instances, report_schema
from reporting.report import report_figures
from reporting.services import period_transition
from tests.reporting.test_services import walk

pytestmark = pytest.mark.django_db

STEPS = (Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK)


@pytest.fixture(autouse=True)
def _default_language():
    """WebTest serves the pages in the test's own thread: a /da/ page would leave Danish active."""
    from django.conf import settings

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def localized(language, name, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def reading_in(user, language):
    """She reads Haven in this language: her pages follow the language of her profile."""
    profile_language_set(user=user, language=language)
    return user


# A report the audit refuses.


@pytest.fixture
def refusing(monkeypatch):
    """The disclosure audit finds one count of the new report it cannot protect.

    No real input was found that makes protect() refuse a report, by design: it hides counts of the new
    report until every protected count is as wide as hiding all of them could make it, and asks a count that
    the earlier reports alone already pin down for no more than that (disclosure._Best). The refusals real
    data did produce (projects protecting by rounding, refused with counts already protected) were a fault,
    fixed and tested below as reports that are produced; a search over random projects with late data,
    unlocks and changes of method and threshold found none after it. So the refusal is made at the boundary
    between the arithmetic and the application: the real protection of the real figures, one failure added.
    """
    real = protection_module.protect

    def protect(**kwargs):
        protection = real(**kwargs)
        new = len(kwargs["published"])
        protection.failures = [Failure(key=(new, ("v", "women_in_groups")), low=3, high=3, needed=5)]
        return protection

    monkeypatch.setattr(protection_module, "protect", protect)


REASON = "the figure “Unique women in self-support groups, this period” could be worked out"


def test_a_report_the_audit_refuses_is_neither_submitted_nor_locked_and_its_page_says_why(
    django_app, period, groups_data, project_manager, coordinator, refusing
):
    groups_data("Spring", [date(2022, 4, 6), date(2022, 5, 4)], 3)
    period = walk(period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE)

    def unchanged():
        assert ReportingPeriod.objects.get(pk=period.pk).status == PeriodStatus.APPROVED
        assert not ReportSnapshot.objects.filter(period=period).exists()
        assert not PeriodLogEntry.objects.filter(period=period, transition__in=[Transition.SUBMIT, Transition.LOCK])

    for step in (Transition.SUBMIT, Transition.LOCK):
        with pytest.raises(ValidationError) as refused:
            period_transition(period=period, transition=step, by=project_manager)
        assert "This report cannot be produced" in refused.value.messages[0]
        assert REASON in refused.value.messages[0]
        unchanged()

    url = reverse("reporting:period", args=[period.pk])
    xlsx = reverse("reporting:period_xlsx", args=[period.pk])
    page = django_app.get(url, user=project_manager)
    assert REASON in page.html.find(id="report-refused").get_text()
    assert "Download XLSX" not in page.text and "(XLSX)" not in page.text
    assert xlsx not in page.text
    assert page.html.find(id="indicators-heading") is None  # no figure of the refused report is shown

    # Her lock button is still offered: pressing it says why, and freezes nothing.
    form = next(
        form for form in page.forms.values() if "transition" in form.fields and form["transition"].value == "lock"
    )
    response = form.submit().follow()
    assert REASON in response.html.get_text()
    unchanged()

    # crafted: the page offers no XLSX link; the address typed by hand leads back to the page with the reason.
    response = django_app.get(xlsx, user=project_manager)
    assert response.status_code == 302
    assert REASON in response.follow().html.get_text()
    unchanged()


# Rounding to base 5.


@pytest.fixture
def rounding(project):
    project.disclosure_method = DisclosureMethod.ROUND
    project.save(update_fields=["disclosure_method"])
    return project


@pytest.fixture
def spring(groups_data, counseling_data):
    """Q2 2022: 13 women (7 at three sessions, 6 at one: four sessions, 27 attendances) and four counseling
    sessions with four clients."""
    groups_data("Spring", [date(2022, 4, 6), date(2022, 5, 4), date(2022, 6, 1)], 7)
    groups_data("June", [date(2022, 6, 8)], 6)
    for day in (4, 5, 6):
        counseling_data(date(2022, 4, day))
    counseling_data(date(2022, 5, 9), kind=SessionKind.CASE_BASED)


def survivor_cells(figures: dict, indicators: list, tables: dict) -> list:
    """Every count of survivors as shown: `indicators` rows (value, to date) in the report's order, `tables`
    {code: (rows, total)} with the figures' columns."""
    protected = set(schema().quantities)
    cells = []
    for item, (value, to_date) in zip(figures["indicators"], indicators, strict=True):
        if item["code"] in protected:
            cells += [value, to_date]
    for table in figures["tables"]:
        if table["code"] not in tables:
            continue
        rows, total = tables[table["code"]]
        columns = [
            c
            for c, column in enumerate(table["columns"])
            if COLUMN_MEASURES.get(column, "") in protected or column in ("new", "continuing", "all")
        ]
        for row in [*rows, *([total] if total else [])]:
            cells += [row[c] for c in columns]
    return cells


def as_number(text):
    text = str(text).strip()
    return int(text) if text.lstrip("-").isdigit() else text


def page_figures(page, figures) -> tuple[list, dict]:
    rows = page.html.find("section", attrs={"aria-labelledby": "indicators-heading"}).find("tbody").find_all("tr")
    indicators = [[as_number(td.get_text()) for td in row.find_all("td")[:2]] for row in rows]
    tables = {}
    for table in figures["tables"]:
        section = page.html.find("section", attrs={"aria-labelledby": f"table-{table['code']}"})
        rows = section.find("tbody").find_all("tr") if section.find("tbody") else []  # empty: "No activity"
        body = [[as_number(td.get_text()) for td in tr.find_all("td")] for tr in rows]
        foot = section.find("tfoot")
        total = [as_number(td.get_text()) for td in foot.find_all("td")] if foot else None
        tables[table["code"]] = (body, total)
    return indicators, tables


def workbook_figures(book, figures) -> tuple[list, dict]:
    sheets = book.worksheets
    indicators = [list(row[1:3]) for row in sheets[1].iter_rows(min_row=2, values_only=True)]
    tables = {}
    shown = [table for table in figures["tables"] if table["code"] in BREAKDOWNS]
    for table, sheet in zip(shown, sheets[2 : 2 + len(shown)], strict=True):
        rows = [list(row[1:]) for row in sheet.iter_rows(min_row=2, values_only=True)]
        if table.get("total") is not None:
            rows, total = rows[:-1], rows[-1]
        else:
            total = None
        tables[table["code"]] = (rows, total)
    return indicators, tables


def indicator(figures, shown_indicators, code):
    position = [item["code"] for item in figures["indicators"]].index(code)
    return shown_indicators[position]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "rounded to the nearest multiple of 5"),
        ("da", "afrundes ethvert antal overlevere til nærmeste multiplum af 5"),
    ],
)
def test_a_project_that_rounds_shows_multiples_of_five_on_the_page_and_in_the_xlsx(
    django_app, rounding, period, spring, project_manager, language, words
):
    figures = report_figures(period=period)
    with translation.override(language):
        method = method_paragraphs(Policy(method=ROUND))
    assert words in method[0]

    reader = reading_in(project_manager, language)
    page = django_app.get(localized(language, "reporting:period", period.pk), user=reader)
    assert f'<html lang="{language}">' in page.text
    paragraphs = [p.get_text() for p in page.html.find("section", class_="method").find_all("p")]
    assert paragraphs == method

    book = load_workbook(
        io.BytesIO(django_app.get(localized(language, "reporting:period_xlsx", period.pk), user=reader).body)
    )
    cover = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert cover[-len(method) :] == method

    for indicators, tables in (page_figures(page, figures), workbook_figures(book, figures)):
        cells = survivor_cells(figures, indicators, tables)
        assert len(cells) > 50
        assert all(cell == HIDDEN or (isinstance(cell, int) and cell % 5 == 0) for cell in cells), cells
        # 13 women, 27 attendances and 4 counseling sessions are shown rounded; sessions held are not rounded.
        assert indicator(figures, indicators, "women_in_groups") == [15, 15]
        assert indicator(figures, indicators, "group_attendances") == [25, 25]
        assert indicator(figures, indicators, "counseling_sessions_held") == [5, 5]
        assert indicator(figures, indicators, "group_sessions_held") == [4, 4]


def test_every_report_of_a_project_that_rounds_is_produced_and_passes_the_audit(
    rounding, spring, counseling_data, project_manager, coordinator
):
    # Refused before the fix of disclosure._group_key: hiding a rounded count (an unknown already) left its
    # group's unknowns as they were, so the audit kept the failures found before the hiding and refused a
    # report it had protected.
    counseling_data(date(2022, 10, 3))
    for period in rounding.periods.order_by("start_date"):
        period = walk(period, project_manager, coordinator, *STEPS)
        assert period.status == PeriodStatus.LOCKED
    places = period_places(rounding)
    published = published_instances(rounding, places, schema=report_schema())
    assert len(published) == 4
    assert all(instance.policy.method == ROUND for instance in published)
    assert not audit(published, report_schema())
    for snapshot in ReportSnapshot.objects.filter(period__project=rounding):
        published = snapshot.data["published"]
        counts = survivor_cells(
            snapshot.data,
            [published["indicators"][item["code"]] for item in snapshot.data["indicators"]],
            {code: (table["rows"], table["total"]) for code, table in published["tables"].items()},
        )
        assert all(cell == HIDDEN or cell % 5 == 0 for cell in counts), counts


def test_a_project_that_turns_to_rounding_after_hiding_has_its_next_report_produced(
    project, project_manager, coordinator
):
    # Refused before the fix: its first three reports hid small counts; the fourth, rounded, was refused.
    periods = list(project.periods.order_by("start_date"))
    for period in periods[:3]:
        walk(period, project_manager, coordinator, *STEPS)
    project.disclosure_method = DisclosureMethod.ROUND
    project.save(update_fields=["disclosure_method"])
    assert walk(periods[3], project_manager, coordinator, *STEPS).status == PeriodStatus.LOCKED
    assert not audit(published_instances(project, period_places(project), schema=report_schema()), report_schema())


# The method in words, in each language.


@pytest.mark.parametrize(
    ("language", "heading", "words"),
    [
        (
            "da",
            "Sådan beskyttes små tal",
            "For at beskytte de kvinder, vi arbejder med, vises antal overlevere under 5",
        ),
        (
            "sr-latn",
            "Kako se štite mali brojevi",
            "Da bismo zaštitili žene sa kojima radimo, brojevi preživelih manji od 5",
        ),
    ],
)
def test_the_report_page_states_the_method_in_the_readers_language(
    django_app, period, project_manager, language, heading, words
):
    english = method_paragraphs(Policy())
    with translation.override(language):
        translated = method_paragraphs(Policy())
    page = django_app.get(
        localized(language, "reporting:period", period.pk), user=reading_in(project_manager, language)
    )
    assert f'<html lang="{language}">' in page.text
    section = page.html.find("section", class_="method")
    assert section.find("h2").get_text() == heading
    paragraphs = [p.get_text() for p in section.find_all("p")]
    assert paragraphs == translated
    assert words in paragraphs[0]
    for theirs, ours in zip(paragraphs, english, strict=True):
        assert theirs != ours
    # The zeros it shows (where nothing took place) are said too, in her language.
    zeros = "Where nothing took place (no session was held), the count is shown as 0: it tells nothing about anyone."
    assert zeros in english[0]
    with translation.override(language):
        assert translation.gettext(zeros) in paragraphs[0]
        assert translation.gettext(zeros) != zeros
    assert "To protect the women we work with" not in page.text
