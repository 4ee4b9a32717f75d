"""A donor project as an IATI activity (IATI Activity Standard 2.03): who reports and funds it, when it runs,
its sector, and its results framework with targets and what each period reached.

The figures are the results framework's (reporting.results), read as the project has published them: an
indicator counted by Haven carries only a figure a frozen report's snapshot published, so a survivor count
reaches the file only after disclosure control let it through. A hidden figure, or a period with nothing
published yet, gets no <actual> at all: never a 0, which would be a false figure. Indicators entered by hand
carry what the project manager entered, up to the latest submitted or locked period (what results_framework
reads with no period given).

Codes are IATI's codelists (iatistandard.org/en/iati-standard/203/codelists/); the elements follow the order
of the 2.03 schema's sequences. Queries: a fixed number whatever the number of results, indicators and periods.
"""

import re
from decimal import Decimal

from django.conf import settings

from core import dates
from reporting.results import results_framework, shown

IATI_VERSION = "2.03"

ORGANISATION_TYPE_NATIONAL_NGO = "22"  # OrganisationType
ROLE_FUNDING = "1"  # OrganisationRole
ROLE_IMPLEMENTING = "4"
DESCRIPTION_GENERAL = "1"  # DescriptionType
STATUS_PIPELINE = "1"  # ActivityStatus
STATUS_IMPLEMENTATION = "2"
STATUS_FINALISATION = "3"
STATUS_CLOSED = "4"
DATE_PLANNED_START = "1"  # ActivityDateType
DATE_ACTUAL_START = "2"
DATE_PLANNED_END = "3"
DATE_ACTUAL_END = "4"
SECTOR_VOCABULARY_DAC = "1"  # SectorVocabulary: OECD DAC CRS purpose codes (5 digit)
SECTOR_ENDING_VIOLENCE_AGAINST_WOMEN = "15180"  # Ending violence against women and girls

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot hold (control characters pasted in with a text): left out of the file.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def activity_identifier(project) -> str:
    """The project's own IATI identifier, or the organisation's identifier, a hyphen and the project's id."""
    return project.iati_identifier.strip() or f"{settings.HAVEN_IATI_ORGANISATION_REF}-{project.pk}"


def activity_status(*, project, periods, today) -> str:
    """Pipeline before the start, implementation until the end; after it, finalisation while a report is still
    to be submitted, closed once every period's report is."""
    if today < project.start_date:
        return STATUS_PIPELINE
    if today <= project.end_date:
        return STATUS_IMPLEMENTATION
    if any(not period.is_frozen for period in periods):
        return STATUS_FINALISATION
    return STATUS_CLOSED


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _sub(parent, tag, text=None, **attributes):
    """A child element; attribute names are written with hyphens (iso_date= gives iso-date)."""
    element = parent.makeelement(tag, {name.replace("_", "-"): value for name, value in attributes.items()})
    parent.append(element)
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def _narrative(parent, tag, text, **attributes):
    """An element whose text is one <narrative>, in the activity's language."""
    return _sub(_sub(parent, tag, **attributes), "narrative", text)


def project_iati_xml(*, project) -> bytes:
    """The IATI activities file of one donor project, UTF-8 and pretty-printed."""
    from lxml import etree  # nosec B410 - builds XML, parses none

    periods = list(project.periods.order_by("start_date").only("id", "label", "start_date", "end_date", "status"))
    spans = {period.pk: (period.start_date, period.end_date) for period in periods}
    framework = results_framework(project=project, periods=periods)
    today = dates.today()
    organisation_ref = settings.HAVEN_IATI_ORGANISATION_REF
    organisation_name = settings.HAVEN_ORGANISATION_NAME

    root = etree.Element(
        "iati-activities",
        {"version": IATI_VERSION, "generated-datetime": dates.now().replace(microsecond=0).isoformat()},
    )
    activity = _sub(root, "iati-activity")
    activity.set(XML_LANG, (settings.LANGUAGE_CODE[:2] or "en").lower())
    _sub(activity, "iati-identifier", activity_identifier(project))
    _narrative(activity, "reporting-org", organisation_name, ref=organisation_ref, type=ORGANISATION_TYPE_NATIONAL_NGO)
    _narrative(activity, "title", project.title)
    # The schema needs a description: the project's aim, or its title while no aim is written.
    _narrative(activity, "description", project.aim.strip() or project.title, type=DESCRIPTION_GENERAL)
    _narrative(activity, "participating-org", project.donor, role=ROLE_FUNDING)
    _narrative(
        activity,
        "participating-org",
        organisation_name,
        ref=organisation_ref,
        type=ORGANISATION_TYPE_NATIONAL_NGO,
        role=ROLE_IMPLEMENTING,
    )
    _sub(activity, "activity-status", code=activity_status(project=project, periods=periods, today=today))
    started = project.start_date <= today
    _sub(
        activity,
        "activity-date",
        type=DATE_ACTUAL_START if started else DATE_PLANNED_START,
        iso_date=project.start_date.isoformat(),
    )
    _sub(
        activity,
        "activity-date",
        type=DATE_ACTUAL_END if project.end_date < today else DATE_PLANNED_END,
        iso_date=project.end_date.isoformat(),
    )
    _sub(activity, "sector", vocabulary=SECTOR_VOCABULARY_DAC, code=SECTOR_ENDING_VIOLENCE_AGAINST_WOMEN)

    # The framework lists only results that have indicators, as the schema wants (one indicator at least).
    for result in framework:
        element = _sub(activity, "result", type=result.result_type, aggregation_status="0")
        _narrative(element, "title", result.title)
        if result.description.strip():
            _narrative(element, "description", result.description.strip())
        for indicator in result.indicators:
            _indicator(element, indicator, spans)

    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _indicator(parent, indicator, spans) -> None:
    element = _sub(parent, "indicator", measure=indicator.measure_type, ascending="1")
    _narrative(element, "title", indicator.title)
    if indicator.means_of_verification.strip():
        _narrative(element, "description", indicator.means_of_verification.strip())
    # The schema asks a baseline for its year; a value without a year (or a year without a value) is left out.
    if indicator.baseline_year and indicator.baseline is not None:
        _sub(element, "baseline", year=str(indicator.baseline_year), value=shown(indicator.baseline))
    for point in indicator.series:
        actual = point.actual if _is_number(point.actual) else None  # HIDDEN or nothing published: no <actual>
        if point.target is None and actual is None:
            continue
        start, end = spans[point.period_id]
        period = _sub(element, "period")
        _sub(period, "period-start", iso_date=start.isoformat())
        _sub(period, "period-end", iso_date=end.isoformat())
        if point.target is not None:
            _sub(period, "target", value=shown(point.target))
        if actual is not None:
            _sub(period, "actual", value=shown(actual))
