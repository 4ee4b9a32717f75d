"""Breakdowns: the tables of a donor report, each defined once over the measures the activity apps register.

A breakdown returns plain data (JSON-safe, so that a submitted report can be frozen as it is):
    {"columns": [column code, ...], "rows": [{"label": str, "values": [...]}, ...], "total": [...] | None}
Column codes name both the heading and the measure counted (COLUMNS); the measure's kind decides its
protection. A table shows the columns whose measures are registered, and is left out when none is.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reporting.measures import (
    AGE_BAND,
    BENEFICIARY_MUNICIPALITY,
    MONTH,
    TARGET_GROUP,
    figure,
    figure_returning,
    measures,
    registry,
)

# column code -> (heading, measure code)
COLUMNS = {
    "women": (_("Women"), "women_in_groups"),
    "group_sessions": (_("Group sessions held"), "group_sessions_held"),
    "attendances": (_("Attendances"), "group_attendances"),
    "counseling_sessions": (_("Counseling sessions held"), "counseling_sessions_held"),
    "clients": (_("Clients"), "clients_counselled"),
    "new": (_("New (first served in this period)"), ""),
    "continuing": (_("Continuing (served before)"), ""),
    "all": (_("Total"), ""),
    "trainees": (_("Trainees"), "trainees_trained"),
    "certificates": (_("Certificates issued"), "certificates_issued"),
    "training_sessions": (_("Training sessions with attendance"), "training_sessions_attended"),
    "aftercare": (_("Aftercare activities held"), "aftercare_activities"),
}
COLUMN_MEASURES = {column: measure for column, (_heading, measure) in COLUMNS.items() if measure}


def column_kind(column: str) -> str:
    from reporting.enums import IndicatorKind

    measure = measures().get(COLUMNS[column][1])
    return measure.kind if measure is not None else IndicatorKind.SURVIVOR


def beneficiary_measures() -> dict:
    """New-and-continuing row code -> the people measure it counts."""
    return {m.beneficiaries[0]: code for code, m in measures().items() if m.beneficiaries}


def beneficiary_label(code: str) -> str:
    for measure in measures().values():
        if measure.beneficiaries and measure.beneficiaries[0] == code:
            return str(measure.beneficiaries[1])
    return code


@dataclass(frozen=True)
class BreakdownDef:
    code: str
    title: str | Promise
    dimension: str = ""  # a split of the columns' measures; "" for new and continuing
    columns: tuple[str, ...] = ()

    def display(self, label: str) -> str:
        """A stored row label as the reader sees it: codes are translated when shown, so a frozen report
        follows the reader's language."""
        if not self.dimension:
            return beneficiary_label(label)
        dimension = registry().dimensions.get(self.dimension)
        return dimension.display(label) if dimension is not None else label

    def available_columns(self) -> list[str]:
        return [column for column in self.columns if COLUMNS[column][1] in measures()]

    def func(self, project, period) -> dict:
        if not self.dimension:
            return new_and_continuing(project, period)
        return split_table(self, project, period)


def new_and_continuing(project, period) -> dict:
    """New: first served by the project in this period; continuing: served by it before the period too."""
    rows = []
    for code, measure in measures().items():
        if not measure.beneficiaries:
            continue
        served = figure(code, project, period)
        continuing = figure_returning(code, project, period)
        rows.append({"label": measure.beneficiaries[0], "values": [served - continuing, continuing, served]})
    return {"columns": ["new", "continuing", "all"], "rows": rows, "total": None, "row_totals": True}


def split_table(definition: BreakdownDef, project, period) -> dict:
    columns = definition.available_columns()
    found = {column: measures()[COLUMNS[column][1]].split(project, period, definition.dimension) for column in columns}
    keys = set().union(*(found[column].keys() for column in columns)) if columns else set()
    dimension = registry().dimensions[definition.dimension]
    rows = [
        {"label": label, "values": [found[column].get(key, 0) or 0 for column in columns]}
        for key, label in dimension.rows(project, period, keys)
    ]
    total = []
    for index, column in enumerate(columns):
        code = COLUMNS[column][1]
        # People are not the sum of the rows (a woman comes every month); events are.
        total.append(
            figure(code, project, period) if measures()[code].people else sum(r["values"][index] for r in rows)
        )
    return {"columns": columns, "rows": rows, "total": total}


_DEFINITIONS = [
    BreakdownDef("new_continuing", _("New and continuing beneficiaries")),
    BreakdownDef("by_cohort", _("Self-support groups by cohort"), "cohort", ("group_sessions", "women", "attendances")),
    BreakdownDef("women_by_programme", _("Women in groups by programme"), "group_programme", ("women",)),
    BreakdownDef(
        "by_month",
        _("Activity by month"),
        MONTH,
        ("group_sessions", "women", "attendances", "counseling_sessions", "clients"),
    ),
    BreakdownDef("counseling_by_kind", _("Counseling by kind"), "session_kind", ("counseling_sessions", "clients")),
    # Who the people served are, as donors disaggregate them: each counted once, by her record as it is now.
    # People only: attendances or sessions beside them would double the small cells to hide, and the
    # secondary suppression those need reaches the report's headline figures.
    BreakdownDef("women_by_age_band", _("Women in groups by age band"), AGE_BAND, ("women",)),
    BreakdownDef("women_by_municipality", _("Women in groups by municipality"), BENEFICIARY_MUNICIPALITY, ("women",)),
    BreakdownDef("women_by_target_group", _("Women in groups by target group"), TARGET_GROUP, ("women",)),
    BreakdownDef("clients_by_age_band", _("Clients by age band"), AGE_BAND, ("clients",)),
    BreakdownDef("clients_by_municipality", _("Clients by municipality"), BENEFICIARY_MUNICIPALITY, ("clients",)),
    BreakdownDef("clients_by_target_group", _("Clients by target group"), TARGET_GROUP, ("clients",)),
    BreakdownDef("aftercare_by_kind", _("Aftercare by kind"), "aftercare_kind", ("aftercare",)),
    BreakdownDef("by_edition", _("Trainings by edition"), "edition", ("training_sessions", "trainees", "certificates")),
    BreakdownDef("trainees_by_organisation", _("Trainees by organisation"), "organisation", ("trainees",)),
    BreakdownDef("trainees_by_municipality", _("Trainees by municipality"), "municipality", ("trainees",)),
    BreakdownDef(
        "trainees_by_organisation_type", _("Trainees by organisation type"), "organisation_type", ("trainees",)
    ),
]

BREAKDOWNS: dict[str, BreakdownDef] = {definition.code: definition for definition in _DEFINITIONS}


def breakdowns_available() -> dict[str, BreakdownDef]:
    """The tables some installed app can fill."""
    return {
        code: definition
        for code, definition in BREAKDOWNS.items()
        if (not definition.dimension and beneficiary_measures())
        or (definition.available_columns() and definition.dimension in registry().dimensions)
    }
