"""What case work counts for donor reports, registered with reporting (reporting.measures): aftercare
activities held (by kind), the women they served, and case conferences held. A case counts for the donor
project it was opened under; each count is one aggregate query."""

from django.db.models import Count
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from cases.enums import ActivityStatus, AftercareKind, ConferenceStatus
from cases.models import AftercareActivity, CaseConference
from reporting.enums import IndicatorKind
from reporting.locks import Counted, LockedRows, locked_rows_register
from reporting.measures import MONTH, Dimension, Measure, bounds, per_month, register_measures

AFTERCARE_KIND = "aftercare_kind"


def aftercare_held(project, span):
    return AftercareActivity.objects.filter(
        case__project=project,
        status=ActivityStatus.DONE,
        held_on__gte=span.start_date,
        held_on__lte=span.end_date,
    )


def conferences_held(project, span):
    start, end = bounds(span)
    return CaseConference.objects.filter(
        case__project=project, status=ConferenceStatus.HELD, held_at__gte=start, held_at__lt=end
    )


class WomenInAftercare(Measure):
    """Unique women with at least one aftercare activity held."""

    code = "women_in_aftercare"
    label = _("Unique women in aftercare")
    kind = IndicatorKind.SURVIVOR
    order = 40
    people = True
    dimensions = (AFTERCARE_KIND,)

    def value(self, project, span):
        return aftercare_held(project, span).aggregate(n=Count("case__client", distinct=True))["n"]

    def split(self, project, span, dimension):
        if dimension == MONTH:
            return per_month(aftercare_held(project, span), "held_on", span, "case__client", distinct=True)
        rows = aftercare_held(project, span).values("kind").annotate(n=Count("case__client", distinct=True))
        return {row["kind"]: row["n"] for row in rows.order_by()}


class AftercareActivities(Measure):
    """Aftercare activities held (home visits, talks, groups, lectures...) after a shelter stay."""

    code = "aftercare_activities"
    label = _("Aftercare activities held")
    kind = IndicatorKind.SURVIVOR
    order = 41
    people_of = "women_in_aftercare"
    dimensions = (AFTERCARE_KIND,)

    def value(self, project, span):
        return aftercare_held(project, span).count()

    def split(self, project, span, dimension):
        if dimension == MONTH:
            return per_month(aftercare_held(project, span), "held_on", span)
        rows = aftercare_held(project, span).values("kind").annotate(n=Count("id"))
        return {row["kind"]: row["n"] for row in rows.order_by()}


class CaseConferencesHeld(Measure):
    code = "case_conferences_held"
    label = _("Case conferences held")
    kind = IndicatorKind.SURVIVOR
    order = 42

    def value(self, project, span):
        return conferences_held(project, span).count()


class AftercareKinds(Dimension):
    """Every kind of aftercare, in the order the service lists them, each shown even when none was held."""

    code = AFTERCARE_KIND

    def rows(self, project, span, keys):
        return [(kind.value, kind.value) for kind in AftercareKind]

    def display(self, label):
        return str(AftercareKind(label).label) if label in AftercareKind.values else label


@receiver(register_measures, dispatch_uid="cases_measures")
def cases_measures(sender, **kwargs):
    return [WomenInAftercare(), AftercareActivities(), CaseConferencesHeld(), AftercareKinds()]


# What a submitted or locked report counted stays as it was, below every door (reporting.locks): the model
# refuses it in words (cases.models.CountedRecord); the database refuses raw SQL and every other door too. An
# activity not held is not counted.
locked_rows_register(
    LockedRows(
        table="cases_aftercareactivity",
        columns=("case_id", "status", "held_on", "kind"),
        counted=(
            Counted(
                project='c."project_id"',
                day='{row}."held_on"',
                tables=('"cases_case" c',),
                where=f'c."id" = {{row}}."case_id" AND {{row}}."status" = \'{ActivityStatus.DONE}\'',
            ),
        ),
    )
)
locked_rows_register(
    LockedRows(
        table="cases_caseconference",
        columns=("case_id", "status", "held_at"),
        counted=(
            Counted(
                project='c."project_id"',
                moment='{row}."held_at"',
                tables=('"cases_case" c',),
                where=f'c."id" = {{row}}."case_id" AND {{row}}."status" = \'{ConferenceStatus.HELD}\'',
            ),
        ),
    )
)
locked_rows_register(
    LockedRows(
        table="cases_case",
        columns=("project_id",),
        counted=(
            Counted(
                project='{row}."project_id"',
                day='a."held_on"',
                tables=('"cases_aftercareactivity" a',),
                where=f'a."case_id" = {{row}}."id" AND a."status" = \'{ActivityStatus.DONE}\'',
            ),
            Counted(
                project='{row}."project_id"',
                moment='f."held_at"',
                tables=('"cases_caseconference" f',),
                where=f'f."case_id" = {{row}}."id" AND f."status" = \'{ConferenceStatus.HELD}\'',
            ),
        ),
        insert=False,  # a new case has no activity yet
        delete=False,  # its activities go first, each refused on its own
    )
)
