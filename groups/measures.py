"""What self-support groups count for donor reports, registered with reporting (reporting.measures).

Every count is one aggregate query over indexed ranges: a period with 100,000 attendances costs the same
number of queries as one with ten.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from operator import itemgetter
from types import SimpleNamespace

from django.db.models import Count, Q, Sum
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import add_months
from core.enums import AgeBand, AttendanceStatus, TargetGroup
from core.expressions import Ids
from core.models import Municipality
from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, MonthlyPresence
from reporting.enums import IndicatorKind
from reporting.locks import Counted, LockedRows, locked_rows_register
from reporting.measures import (
    AGE_BAND,
    BENEFICIARY_MUNICIPALITY,
    MONTH,
    NOT_STATED,
    PERCENT,
    TARGET_GROUP,
    Beneficiaries,
    ChoiceDimension,
    DemoActivity,
    Dimension,
    ListDimension,
    Measure,
    bounds,
    figures_memo,
    figures_memo_kept,
    grouped_by_month,
    history_kept,
    month_spans,
    per_month,
    project_start,
    register_measures,
    split_rows,
    stated,
)

# What is recorded about her that a split counts her by: her own record's field, as it is now.
MEMBER_SPLITS = {
    AGE_BAND: "member__age_band",
    BENEFICIARY_MUNICIPALITY: "member__municipality_id",
    TARGET_GROUP: "member__target_group",
}
DIMENSIONS = ("cohort", MONTH, AGE_BAND, BENEFICIARY_MUNICIPALITY, TARGET_GROUP)
PROGRAMME = "group_programme"
MARKS = "groups:marks"
SESSIONS_HELD = "groups:sessions-held"


def sessions_held(project, span):
    start, end = bounds(span)
    return GroupSession.objects.filter(cohort__project=project, cancelled=False, start__gte=start, start__lt=end)


def _held_marks(project, span):
    """Every mark of the span's held sessions, present or not."""
    start, end = bounds(span)
    return Attendance.objects.filter(
        session__start__gte=start, session__start__lt=end, session__cohort__project=project, session__cancelled=False
    )


def attendances(project, span):
    return _held_marks(project, span).filter(status=AttendanceStatus.PRESENT)


def marks(project, span) -> list[dict]:
    """The span's present marks grouped by woman, cohort and month, each group with how many marks it holds
    and how many children came with her to them: every split of the women and of their attendances, and the
    children's total, are counted from these rows (one pass over the quarter's marks for a report, not one
    per figure): a row per woman, cohort and month she met in. A month the span holds whole is read as the
    database keeps it counted (groups.presence); a month it cuts, from its marks."""

    def rows():
        grouped = []
        for key, part in _months(span):
            # A month the span holds whole as the database keeps it counted; one it cuts, grouped from its marks.
            grouped += _counted_month(project, key) if part is None else _grouped_marks(project, part)
        # What is recorded about each woman is read once per woman, not joined to each of her marks before
        # they are grouped: the marks then come from their index alone (at ten times the data set, 155 ms of
        # SQLite for the quarter's marks with her record joined, 63 without).
        # By the ids the marks named (at ten times the data set 4 ms of SQLite, against 21 for reading the
        # quarter's marks again to find them), sent as one parameter.
        profiles = _member_profiles(Member.objects.filter(pk__in=Ids(row["member_id"] for row in grouped)))
        unknown = dict.fromkeys(MEMBER_SPLITS.values(), NOT_STATED)  # her record removed between the two reads
        for row in grouped:
            row.update(profiles.get(row["member_id"], unknown))
        return grouped

    return figures_memo(MARKS, project, span, rows)


def _months(span):
    """(month, None) for each month the span holds whole, (month, the span's part of it) for one it cuts."""
    for key, _start, _end in month_spans(span):
        first = date.fromisoformat(f"{key}-01")
        last = add_months(first, 1) - timedelta(days=1)
        if span.start_date <= first and last <= span.end_date:
            yield key, None
        else:
            yield key, SimpleNamespace(start_date=max(first, span.start_date), end_date=min(last, span.end_date))


def _marked(project, span) -> int:
    """The marks of the span's held sessions, present or not: of the months it holds whole as the database
    keeps them counted (groups.presence), at ten times the data set 5 ms a quarter against 14 for counting
    its marks from their index (in turns); of a month it cuts, from its marks."""
    parts = list(_months(span))
    whole = [key for key, part in parts if part is None]
    counted = MonthlyPresence.objects.filter(month__in=whole, cohort__project=project).aggregate(n=Sum("marked"))
    return (counted["n"] or 0) + sum(_held_marks(project, part).count() for _key, part in parts if part is not None)


MARK_FIELDS = ("member_id", "session__cohort_id", "session__cohort__programme_id")


def _counted_month(project, key: str) -> list[dict]:
    """A whole month's rows of marks() as the database keeps them counted (groups.presence): at ten times the
    data set 5 ms a month, against 23 for grouping its thirty thousand marks (medians of 31 and 41, in turns)."""
    counted = MonthlyPresence.objects.filter(month=key, cohort__project=project, present__gt=0).order_by()
    fields = ("member_id", "cohort_id", "cohort__programme_id", "present", "children")
    member_field, cohort_field, programme_field = MARK_FIELDS  # the names marks() gives its rows' fields
    # Each row's dict written at once (5.2 ms a month at ten times the data set, against 8.3 zipped and merged).
    return [
        {
            member_field: member,
            cohort_field: cohort,
            programme_field: programme,
            "n": present,
            "children": children,
            MONTH: key,
        }
        for member, cohort, programme, present, children in counted.values_list(*fields)
    ]


def _grouped_marks(project, span) -> list[dict]:
    """The span's rows of marks(), grouped from its marks."""
    counts = {"n": Count("id"), "children": Sum("children_present")}
    return grouped_by_month(attendances(project, span), MARK_FIELDS, span, moment="session__start", **counts)


def _member_profiles(members) -> dict[int, dict]:
    """{woman: what her record says, under the names the splits read (MEMBER_SPLITS), nothing recorded as
    NOT_STATED (`stated`): once per woman here, not once per row in each split that reads it."""
    columns = [field.removeprefix("member__") for field in MEMBER_SPLITS.values()]
    return {
        pk: dict(zip(MEMBER_SPLITS.values(), map(stated, values), strict=True))
        for pk, *values in members.order_by().values_list("pk", *columns)
    }


@cache  # one function per dimension: split_rows groups the rows once per function
def _key_of(dimension: str):
    if dimension == MONTH:
        return lambda row: row[MONTH]
    if dimension in MEMBER_SPLITS:
        return itemgetter(MEMBER_SPLITS[dimension])  # stated already (_member_profiles)
    field = "session__cohort__programme_id" if dimension == PROGRAMME else "session__cohort_id"
    return itemgetter(field)  # a row's value as it is: read in C, not by a Python function per row


def _women_in(rows) -> int:
    return len({row["member_id"] for row in rows})


def _marks_in(rows) -> int:
    return sum(row["n"] for row in rows)


class WomenInGroups(Measure):
    """Unique women present at least once at a held session of one of the project's cohorts."""

    code = "women_in_groups"
    label = _("Unique women in self-support groups")
    kind = IndicatorKind.SURVIVOR
    order = 10
    people = True
    dimensions = (*DIMENSIONS, PROGRAMME)
    beneficiaries = ("women", _("Women in self-support groups"))

    def value(self, project, span):
        rows = figures_memo_kept(MARKS, project, span)
        if rows is not None:
            return _women_in(rows)
        return attendances(project, span).aggregate(n=Count("member", distinct=True))["n"]

    def split(self, project, span, dimension):
        return split_rows(marks(project, span), _key_of(dimension), _women_in)

    def returning(self, project, span):
        # The women with a mark before the span, met in Python with the span's own (marks()): plain passes
        # that no planner can turn quadratic (a correlated EXISTS did, on PostgreSQL before ANALYZE and on
        # SQLite asked per woman), and about half the time of grouping every mark since the start by woman.
        # The set is kept while the history before the span is frozen (reporting.measures.history_kept): at ten
        # times the bench's data it is about a third of the live report's counting.
        start, _end = bounds(span)

        def earlier():
            return frozenset(
                Attendance.objects.filter(
                    session__cohort__project=project,
                    session__cancelled=False,
                    status=AttendanceStatus.PRESENT,
                    session__start__gte=project_start(project),
                    session__start__lt=start,
                )
                .values_list("member_id", flat=True)
                .order_by()
                .distinct()
            )

        women_before = history_kept(f"{MARKS}:women", project, span.start_date, earlier)
        return len({row["member_id"] for row in marks(project, span)} & women_before)


def sessions_held_counts(project, span) -> dict[int, dict[str, int]]:
    """{cohort: {month: sessions held}} for each cohort that met in the span: the sessions' total and both
    their splits are counted from these counts, read in one query (at ten times the data set 6 ms of a
    report's figures, against 10 for a count, a count per month and a count per cohort)."""
    return figures_memo(
        SESSIONS_HELD, project, span, lambda: per_month(sessions_held(project, span), "start", span, by="cohort_id")
    )


class GroupSessionsHeld(Measure):
    code = "group_sessions_held"
    label = _("Group sessions held")
    kind = IndicatorKind.ACTIVITY
    order = 11
    dimensions = ("cohort", MONTH)

    def value(self, project, span):
        rows = figures_memo_kept(SESSIONS_HELD, project, span)
        if rows is not None:
            return sum(sum(months.values()) for months in rows.values())
        return sessions_held(project, span).count()

    def split(self, project, span, dimension):
        rows = sessions_held_counts(project, span)
        if dimension == MONTH:
            counted = {key: 0 for key, _start, _end in month_spans(span)}  # every month, met in or not
            for months in rows.values():
                for key, held in months.items():
                    counted[key] += held
            return counted
        return {cohort: sum(months.values()) for cohort, months in rows.items()}


class GroupAttendances(Measure):
    code = "group_attendances"
    label = _("Attendances at group sessions")
    kind = IndicatorKind.SURVIVOR
    order = 12
    people_of = "women_in_groups"
    occasions = "group_sessions_held"
    dimensions = DIMENSIONS

    def value(self, project, span):
        rows = figures_memo_kept(MARKS, project, span)
        if rows is not None:
            return _marks_in(rows)
        return attendances(project, span).count()

    def split(self, project, span, dimension):
        return split_rows(marks(project, span), _key_of(dimension), _marks_in)


class AccompanyingChildren(Measure):
    """Children who came with their mothers to the project's held sessions, counted per session (a child who
    came to five sessions counts five times: what a facilitator records on each attendance)."""

    code = "children_at_group_sessions"
    label = _("Accompanying children at group sessions (child attendances)")
    kind = IndicatorKind.SURVIVOR
    order = 14

    def value(self, project, span):
        rows = figures_memo_kept(MARKS, project, span)
        if rows is not None:
            return sum(row["children"] or 0 for row in rows)
        return attendances(project, span).aggregate(n=Sum("children_present"))["n"] or 0


class AttendanceRate(Measure):
    """Present marks as a share of all marks recorded for held sessions; None when nothing was recorded."""

    code = "attendance_rate"
    label = _("Average attendance rate (%)")
    kind = IndicatorKind.SURVIVOR
    unit = PERCENT
    order = 13

    def value(self, project, span):
        return self.from_parts(self.parts(project, span))

    def parts(self, project, span):
        rows = figures_memo_kept(MARKS, project, span)
        if rows is None:
            marked = _held_marks(project, span)
            return marked.aggregate(marked=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)))
        # The present marks are those the splits were counted from; all marks as the database keeps them
        # counted (_marked).
        return {"marked": _marked(project, span), "present": _marks_in(rows)}

    def from_parts(self, parts):
        if not parts["marked"]:
            return None
        return (Decimal(100) * parts["present"] / parts["marked"]).quantize(Decimal("0.1"), ROUND_HALF_UP)


class GroupProgrammes(Dimension):
    """A row per group programme whose cohorts met, by name."""

    code = PROGRAMME

    def rows(self, project, span, keys):
        return [
            (pk, name)
            for pk, name in GroupProgramme.objects.filter(pk__in=keys).order_by("name", "pk").values_list("pk", "name")
        ]


class Cohorts(Dimension):
    """A row per cohort that met, by name."""

    code = "cohort"

    def rows(self, project, span, keys):
        return [
            (pk, name)
            for pk, name in Cohort.objects.filter(pk__in=keys).order_by("name", "pk").values_list("pk", "name")
        ]


class GroupMembers(Beneficiaries):
    def aliases(self, project_id):
        return (
            Member.objects.filter(memberships__cohort__project_id=project_id).values_list("alias", flat=True).distinct()
        )


ALIASES = [
    "Sanja",
    "Dragica",
    "Vesna",
    "Biljana",
    "Jasmina",
    "Gordana",
    "Snežana",
    "Mirjana",
    "Ljubica",
    "Zorana",
    "Radmila",
    "Tijana",
    "Nevena",
    "Slađana",
    "Dušica",
    "Ivana",
]


class GroupsDemo(DemoActivity):
    """Three cohorts of the demo project's year (Apr 2022 - Mar 2023); natural keys keep it idempotent."""

    order = 10

    def load(self, *, project, users):
        from core.demo import beneficiary_profile, municipalities
        from groups.enums import CohortStatus
        from groups.models import GroupProgramme, Membership

        tz = timezone.get_current_timezone()
        places = municipalities()
        programme, _created = GroupProgramme.objects.get_or_create(
            name="Self-support group (Safe Together cycle)", defaults={"usual_session_count": 12}
        )
        for index, (name, first_day, size, home, nearby) in enumerate(
            [
                ("Novi Sad, spring 2022", date(2022, 4, 6), 11, "Novi Sad", "Sremska Mitrovica"),
                ("Zrenjanin, autumn 2022", date(2022, 9, 7), 9, "Zrenjanin", "Kikinda"),
                ("Kragujevac, winter 2023", date(2023, 1, 11), 3, "Kragujevac", "Kragujevac"),
            ]
        ):
            cohort, _created = Cohort.objects.get_or_create(
                name=name,
                defaults={
                    "programme": programme,
                    "start_date": first_day,
                    "status": CohortStatus.CLOSED,
                    "end_date": first_day + timedelta(weeks=11),
                    "project": project,
                },
            )
            members = [
                Member.objects.get_or_create(
                    code=f"ST22-{index}{n:02d}",
                    defaults={
                        "alias": ALIASES[(n + index) % 16],
                        **beneficiary_profile(n + 3 * index, home=places[home], nearby=places[nearby]),
                    },
                )[0]
                for n in range(size)
            ]
            # Two women of the autumn cohort had already been in the spring one: they count as continuing.
            if index == 1:
                members += [Member.objects.get(code="ST22-000"), Member.objects.get(code="ST22-001")]
            for member in members:
                Membership.objects.get_or_create(cohort=cohort, member=member, defaults={"joined_on": first_day})
            for week in range(12):
                start = datetime.combine(first_day + timedelta(weeks=week), time(17), tzinfo=tz)
                session, created = GroupSession.objects.get_or_create(
                    cohort=cohort, start=start, defaults={"end": start + timedelta(minutes=90)}
                )
                if created:
                    Attendance.objects.bulk_create(
                        Attendance(
                            session=session,
                            member=member,
                            status=AttendanceStatus.ABSENT if (week + n) % 6 == 5 else AttendanceStatus.PRESENT,
                        )
                        for n, member in enumerate(members)
                    )


@receiver(register_measures, dispatch_uid="groups_measures")
def groups_measures(sender, **kwargs):
    return [
        WomenInGroups(),
        GroupSessionsHeld(),
        GroupAttendances(),
        AccompanyingChildren(),
        AttendanceRate(),
        Cohorts(),
        GroupProgrammes(),
        ChoiceDimension(AGE_BAND, AgeBand),
        ListDimension(BENEFICIARY_MUNICIPALITY, Municipality),
        ChoiceDimension(TARGET_GROUP, TargetGroup),
        GroupMembers(),
        GroupsDemo(),
    ]


# What a submitted or locked report counted stays as it was, below every door (reporting.locks): her marks,
# the sessions they belong to (their day, their cohort, whether they were held) and the project a cohort's
# sessions count for.
locked_rows_register(
    LockedRows(
        table="groups_attendance",
        columns=("session_id", "member_id", "status", "children_present"),
        counted=(
            Counted(
                project='c."project_id"',
                moment='s."start"',
                tables=('"groups_groupsession" s', '"groups_cohort" c'),
                where='s."id" = {row}."session_id" AND c."id" = s."cohort_id"',
            ),
        ),
        delete=False,  # never deleted at all (groups.triggers)
    )
)
locked_rows_register(
    LockedRows(
        table="groups_groupsession",
        columns=("cohort_id", "start", "cancelled"),
        counted=(
            Counted(
                project='c."project_id"',
                moment='{row}."start"',
                tables=('"groups_cohort" c',),
                where='c."id" = {row}."cohort_id"',
            ),
        ),
    )
)
locked_rows_register(
    LockedRows(
        table="groups_cohort",
        columns=("project_id",),
        counted=(
            Counted(
                project='{row}."project_id"',
                moment='s."start"',
                tables=('"groups_groupsession" s',),
                where='s."cohort_id" = {row}."id"',
            ),
        ),
        insert=False,
        delete=False,  # its sessions go first, and each is refused on its own
    )
)
