"""What trainings count for donor reports, registered with reporting (reporting.measures).

Trainees are professionals, not survivors: their counts are shown as they are."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import OrganisationType
from accounts.models import Profile
from core.enums import AttendanceStatus
from core.sql import sql_literals
from reporting.enums import IndicatorKind
from reporting.locks import Counted, LockedRows, locked_rows_register
from reporting.measures import (
    ChoiceDimension,
    DemoActivity,
    Dimension,
    Inputs,
    Measure,
    bounds,
    figures_memo,
    figures_memo_kept,
    history_kept,
    project_start,
    register_measures,
    split_rows,
    stated,
)
from trainings.enums import SEAT_TAKEN, EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance

EDITION = "edition"
ORGANISATION = "organisation"
ORGANISATION_TYPE = "organisation_type"
MUNICIPALITY = "municipality"
TRAINEE = "enrollment__user_id"
TRAINEES = "trainings:trainees"
PROFILE_FIELDS = {
    ORGANISATION: "enrollment__user__profile__organisation",
    ORGANISATION_TYPE: "enrollment__user__profile__organisation_type",
    MUNICIPALITY: "enrollment__user__profile__municipality",
}


def training_attendances(project, span):
    start, end = bounds(span)
    return TrainingAttendance.objects.filter(
        session__edition__project=project,
        session__start__gte=start,
        session__start__lt=end,
        status=AttendanceStatus.PRESENT,
    ).exclude(session__edition__status=EditionStatus.CANCELLED)


def trainees(project, span) -> list[dict]:
    """The span's trainees as rows of (trainee, edition, what her profile says), one per trainee and edition
    she was present at: every split of the trainees is made from these rows (one pass over the span's marks
    for a report, not one per split), and the totals too when they are there (figures_memo_kept)."""

    def rows():
        fields = (TRAINEE, "session__edition_id", *PROFILE_FIELDS.values())
        return list(training_attendances(project, span).values(*fields).distinct().order_by())

    return figures_memo(TRAINEES, project, span, rows)


def _trainees_in(rows) -> int:
    return len({row[TRAINEE] for row in rows})


TRAINEE_ORGANISATIONS = "trainings:trainee-organisations"


def trainee_organisations(project, span) -> dict[str, int]:
    """{"trainees": how many trainees were present in the span, "organisations": how many organisations
    their profiles name}. A report's "to date" counts both over the project's whole history, which no frozen
    report carries forward: one query for both, counted by the database (returned as the 18,000 pairs of a
    trainee and her organisation at ten times the data set, they cost 40 ms of SQLite and as much again in
    Python)."""

    def counts():
        # The enrolments present, then their trainees and organisations: made distinct over the enrolments
        # before the trainees' profiles are joined (at ten times the data set 89 ms of SQLite instead of 37
        # for the project's whole history, with the marks' index by session, status and enrolment).
        present = training_attendances(project, span).values("enrollment_id")
        organisation = "user__profile__organisation"
        return Enrollment.objects.filter(pk__in=present).aggregate(
            trainees=Count("user", distinct=True),
            # Blank and missing name no organisation.
            organisations=Count(organisation, distinct=True, filter=~Q(**{organisation: ""})),
        )

    return figures_memo(TRAINEE_ORGANISATIONS, project, span, counts)


def editions_held(project, span):
    """Editions that began in the span: an edition spanning two periods counts once, where it started."""
    return Edition.objects.filter(
        project=project, start_date__gte=span.start_date, start_date__lte=span.end_date
    ).exclude(status=EditionStatus.CANCELLED)


class EditionsHeld(Measure):
    code = "training_editions_held"
    label = gettext_lazy("Training editions held")
    kind = IndicatorKind.ACTIVITY
    order = 30

    def value(self, project, span):
        return editions_held(project, span).count()


class TraineesEnrolled(Measure):
    """Unique people who took a seat (enrolled, then completed or not) in an edition that began in the span."""

    code = "trainees_enrolled"
    label = gettext_lazy("Unique trainees enrolled")
    kind = IndicatorKind.PROFESSIONAL
    order = 35
    people = True

    def value(self, project, span):
        return Enrollment.objects.filter(edition__in=editions_held(project, span), status__in=SEAT_TAKEN).aggregate(
            n=Count("user", distinct=True)
        )["n"]


class TraineesCompleted(Measure):
    """Unique people who completed an edition that ended in the span (completion is decided at its end)."""

    code = "trainees_completed"
    label = gettext_lazy("Unique trainees who completed a training")
    kind = IndicatorKind.PROFESSIONAL
    order = 36
    people = True

    def value(self, project, span):
        return (
            Enrollment.objects.filter(
                edition__project=project,
                edition__end_date__gte=span.start_date,
                edition__end_date__lte=span.end_date,
                status=EnrollmentStatus.COMPLETED,
            )
            .exclude(edition__status=EditionStatus.CANCELLED)
            .aggregate(n=Count("user", distinct=True))["n"]
        )


class TraineesTrained(Measure):
    """Unique people present at least once at a training session of the project's editions."""

    code = "trainees_trained"
    label = gettext_lazy("Unique trainees trained")
    kind = IndicatorKind.PROFESSIONAL
    order = 31
    people = True
    dimensions = (EDITION, ORGANISATION, ORGANISATION_TYPE, MUNICIPALITY)

    def value(self, project, span):
        rows = figures_memo_kept(TRAINEES, project, span)
        if rows is not None:
            return _trainees_in(rows)
        return trainee_organisations(project, span)["trainees"]

    def split(self, project, span, dimension):
        field = PROFILE_FIELDS.get(dimension, "session__edition_id")

        def key_of(row):
            # A choice: nothing chosen is one row (organisation and town keep blank and missing apart).
            return stated(row[field]) if dimension == ORGANISATION_TYPE else row[field]

        return split_rows(trainees(project, span), key_of, _trainees_in)

    def returning(self, project, span):
        # The trainees present before the span, kept while that history is frozen (its marks are under the
        # period lock): the "to date" figure is then the last frozen report's plus the span's newcomers,
        # instead of the project's whole history counted again (at ten times the data set, 25 ms of SQLite).
        def earlier():
            return frozenset(present_before(project, span).values_list("user_id", flat=True).order_by().distinct())

        before = history_kept(f"{TRAINEES}:before", project, span.start_date, earlier)
        return len({row[TRAINEE] for row in trainees(project, span)} & before)


def present_before(project, span):
    """The enrolments present at a session of the project's editions between its start and the span's."""
    start, _end = bounds(span)
    present = (
        TrainingAttendance.objects.filter(
            session__edition__project=project,
            session__start__gte=project_start(project),
            session__start__lt=start,
            status=AttendanceStatus.PRESENT,
        )
        .exclude(session__edition__status=EditionStatus.CANCELLED)
        .values("enrollment_id")
    )
    return Enrollment.objects.filter(pk__in=present)


def _organisations_in(rows) -> set[str]:
    return {row[PROFILE_FIELDS[ORGANISATION]] for row in rows} - {None, ""}


class OrganisationsReached(Measure):
    """Distinct organisations of the trainees trained (as written in their profiles).

    Its "to date" figure is carried from the last frozen report as people's are (it has returning()): an
    organisation reached stays reached, and one is new in a period when no trainee before it named it (as
    their profiles said when that history was first looked up after the report was frozen)."""

    code = "organisations_reached"
    label = gettext_lazy("Organisations reached")
    kind = IndicatorKind.PROFESSIONAL
    order = 33

    def value(self, project, span):
        rows = figures_memo_kept(TRAINEES, project, span)
        if rows is not None:
            return len(_organisations_in(rows))
        return trainee_organisations(project, span)["organisations"]

    def returning(self, project, span):
        organisation = "user__profile__organisation"

        def earlier():
            named = present_before(project, span).exclude(**{organisation: ""}).exclude(**{organisation: None})
            return frozenset(named.values_list(organisation, flat=True).order_by().distinct())

        before = history_kept(f"{TRAINEES}:organisations-before", project, span.start_date, earlier)
        return len(_organisations_in(trainees(project, span)) & before)


class TrainingSessionsAttended(Measure):
    """Training sessions at which someone was present: a column of the editions' table, not an indicator."""

    code = "training_sessions_attended"
    label = gettext_lazy("Training sessions with attendance")
    kind = IndicatorKind.ACTIVITY
    order = 34
    indicator = False
    dimensions = (EDITION,)

    def value(self, project, span):
        return training_attendances(project, span).aggregate(n=Count("session", distinct=True))["n"]

    def split(self, project, span, dimension):
        rows = (
            training_attendances(project, span)
            .values("session__edition_id")
            .annotate(n=Count("session", distinct=True))
        )
        return {row["session__edition_id"]: row["n"] for row in rows.order_by()}


class Editions(Dimension):
    """A row per edition that began in the span or had attendance or certificates in it, by start date."""

    code = EDITION

    def rows(self, project, span, keys):
        ids = set(keys) | set(editions_held(project, span).values_list("id", flat=True))
        editions = (
            Edition.objects.filter(id__in=ids)
            .select_related("programme")
            .only("id", "start_date", "municipality", "programme__title")
            .order_by("start_date", "id")
        )
        rows = []
        for edition in editions:
            label = f"{edition.programme.title} ({edition.start_date:%d.%m.%Y}"
            label += f", {edition.municipality})" if edition.municipality else ")"
            rows.append((edition.id, label))
        return rows


class ProfileField(Dimension):
    """What trainees wrote in their profiles (organisation, municipality), in alphabetical order."""

    def __init__(self, code):
        self.code = code

    def rows(self, project, span, keys):
        return [(key, key or _("Not stated")) for key in sorted(keys, key=lambda key: key or "")]


class TrainingsDemo(DemoActivity):
    """Two training editions of the demo project's year, the demo trainee at both."""

    order = 30

    def load(self, *, project, users):
        from accounts.enums import Role
        from trainings.enums import EnrollmentStatus
        from trainings.models import Enrollment, TrainingProgramme, TrainingSession

        tz = timezone.get_current_timezone()
        trainee = users.get(Role.TRAINEE)
        training, _created = TrainingProgramme.objects.get_or_create(title="Recognising and referring partner violence")
        for day, town in [(date(2022, 6, 14), "Novi Sad"), (date(2022, 11, 8), "Zrenjanin")]:
            edition, _created = Edition.objects.get_or_create(
                programme=training,
                start_date=day,
                defaults={
                    "end_date": day,
                    "municipality": town,
                    "status": EditionStatus.CLOSED,
                    "project": project,
                    "enrolment_opens": datetime.combine(day - timedelta(days=60), time(9), tzinfo=tz),
                    "enrolment_closes": datetime.combine(day - timedelta(days=7), time(9), tzinfo=tz),
                },
            )
            start = datetime.combine(day, time(9), tzinfo=tz)
            session, _created = TrainingSession.objects.get_or_create(
                edition=edition, start=start, defaults={"end": start + timedelta(hours=7)}
            )
            if trainee is not None:
                enrollment, _created = Enrollment.objects.get_or_create(
                    edition=edition, user=trainee, defaults={"status": EnrollmentStatus.COMPLETED}
                )
                TrainingAttendance.objects.get_or_create(
                    session=session, enrollment=enrollment, defaults={"status": AttendanceStatus.PRESENT}
                )


@receiver(register_measures, dispatch_uid="trainings_measures")
def trainings_measures(sender, **kwargs):
    return [
        EditionsHeld(),
        TraineesTrained(),
        TraineesEnrolled(),
        TraineesCompleted(),
        OrganisationsReached(),
        TrainingSessionsAttended(),
        Editions(),
        ProfileField(ORGANISATION),
        ChoiceDimension(ORGANISATION_TYPE, OrganisationType),
        ProfileField(MUNICIPALITY),
        TrainingsDemo(),
        Inputs(Profile),  # the trainees' organisations and municipalities
    ]


# What a submitted or locked report counted stays as it was, below every door (reporting.locks): the marks,
# the sessions they belong to (their day, their edition, whether they were held), an edition's project,
# first and last day and cancellation, and the enrolments counted where their edition began (a seat taken)
# or ended (completed).
_SEAT_TAKEN_SQL = sql_literals(SEAT_TAKEN)
_COMPLETED_SQL = sql_literals([EnrollmentStatus.COMPLETED])
locked_rows_register(
    LockedRows(
        table="trainings_trainingattendance",
        columns=("session_id", "enrollment_id", "status"),
        counted=(
            Counted(
                project='e."project_id"',
                moment='s."start"',
                tables=('"trainings_trainingsession" s', '"trainings_edition" e'),
                where='s."id" = {row}."session_id" AND e."id" = s."edition_id"',
            ),
        ),
    )
)
locked_rows_register(
    LockedRows(
        table="trainings_trainingsession",
        columns=("edition_id", "start", "cancelled"),
        counted=(
            Counted(
                project='e."project_id"',
                moment='{row}."start"',
                tables=('"trainings_edition" e',),
                where='e."id" = {row}."edition_id"',
            ),
        ),
    )
)
locked_rows_register(
    LockedRows(
        table="trainings_edition",
        columns=("project_id", "start_date"),
        changed=f"(NEW.\"status\" = '{EditionStatus.CANCELLED}') <> (OLD.\"status\" = '{EditionStatus.CANCELLED}')",
        counted=(
            Counted(project='{row}."project_id"', day='{row}."start_date"'),
            Counted(
                project='{row}."project_id"',
                moment='s."start"',
                tables=('"trainings_trainingsession" s',),
                where='s."edition_id" = {row}."id"',
            ),
            # Its completions count where it ended: its last day stays while a frozen period counts them.
            Counted(
                project='{row}."project_id"',
                day='{row}."end_date"',
                # Constant table, column and status names: no value from outside.
                where=(
                    'EXISTS (SELECT 1 FROM "trainings_enrollment" c WHERE c."edition_id" = {row}."id" '  # noqa: S608
                    f'AND c."status" = {_COMPLETED_SQL})'
                ),
                columns=("project_id", "end_date"),
            ),
        ),
    )
)
locked_rows_register(
    LockedRows(
        table="trainings_enrollment",
        columns=("edition_id", "user_id"),
        counted=(
            # A seat taken (trainees enrolled), where the edition began.
            Counted(
                project='e."project_id"',
                day='e."start_date"',
                tables=('"trainings_edition" e',),
                where=(
                    f'e."id" = {{row}}."edition_id" AND e."status" <> \'{EditionStatus.CANCELLED}\' '
                    f'AND {{row}}."status" IN ({_SEAT_TAKEN_SQL})'
                ),
                columns=("edition_id", "user_id"),
                changed=f'(NEW."status" IN ({_SEAT_TAKEN_SQL})) <> (OLD."status" IN ({_SEAT_TAKEN_SQL}))',
            ),
            # A completion (trainees who completed), where the edition ended.
            Counted(
                project='e."project_id"',
                day='e."end_date"',
                tables=('"trainings_edition" e',),
                where=f'e."id" = {{row}}."edition_id" AND {{row}}."status" = {_COMPLETED_SQL}',
                columns=("edition_id", "user_id"),
                changed=f'(NEW."status" = {_COMPLETED_SQL}) <> (OLD."status" = {_COMPLETED_SQL})',
            ),
            # Whose marks they are (trainees trained, organisations reached), on the days of the marks.
            Counted(
                project='e."project_id"',
                moment='s."start"',
                tables=('"trainings_trainingattendance" a', '"trainings_trainingsession" s', '"trainings_edition" e'),
                where='a."enrollment_id" = {row}."id" AND s."id" = a."session_id" AND e."id" = s."edition_id"',
            ),
        ),
    )
)
