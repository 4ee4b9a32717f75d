"""What counseling counts for donor reports, registered with reporting (reporting.measures)."""

from datetime import date, datetime, time, timedelta
from functools import cache
from operator import itemgetter

from django.db.models import Count
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.enums import AgeBand, TargetGroup
from core.models import Municipality
from counseling.enums import BookingStatus, SessionKind
from counseling.models import Booking, Client
from reporting.enums import IndicatorKind
from reporting.locks import Counted, LockedRows, locked_rows_register
from reporting.measures import (
    AGE_BAND,
    BENEFICIARY_MUNICIPALITY,
    MONTH,
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
    project_start,
    register_measures,
    split_rows,
    stated,
)

KIND = "session_kind"
# What is recorded about her that a split counts her by: her own file's field, as it is now.
CLIENT_SPLITS = {
    AGE_BAND: "client__age_band",
    BENEFICIARY_MUNICIPALITY: "client__municipality_id",
    TARGET_GROUP: "client__target_group",
}
DIMENSIONS = (KIND, MONTH, AGE_BAND, BENEFICIARY_MUNICIPALITY, TARGET_GROUP)
SESSIONS = "counseling:sessions"


def held(project, span):
    start, end = bounds(span)
    return Booking.objects.filter(start__gte=start, start__lt=end, project=project, status=BookingStatus.HELD)


def sessions(project, span) -> list[dict]:
    """The span's held sessions grouped by client, kind and month, each group with how many sessions it
    holds: every count and split of sessions and of clients is made from these rows (one pass over the
    quarter's bookings for a report, not one per split)."""

    def rows():
        fields = ("client_id", "kind", *CLIENT_SPLITS.values())
        grouped = grouped_by_month(held(project, span), fields, span, moment="start", n=Count("id"))
        # What her file says, nothing recorded as NOT_STATED (`stated`): once per row here, not in each split.
        for row in grouped:
            for field in CLIENT_SPLITS.values():
                row[field] = stated(row[field])
        return grouped

    return figures_memo(SESSIONS, project, span, rows)


@cache  # one function per dimension: split_rows groups the rows once per function
def _key_of(dimension: str):
    if dimension in CLIENT_SPLITS:
        return itemgetter(CLIENT_SPLITS[dimension])  # stated already (sessions)
    field = MONTH if dimension == MONTH else "kind"
    return itemgetter(field)  # a row's value as it is: read in C, not by a Python function per row


def _split(project, span, dimension, count) -> dict:
    """A split of sessions() by `dimension`, every month of the span listed."""
    months = [key for key, _start, _end in month_spans(span)] if dimension == MONTH else ()
    return split_rows(sessions(project, span), _key_of(dimension), count, keys=months)


def _sessions_in(rows) -> int:
    return sum(row["n"] for row in rows)


def _clients_in(rows) -> int:
    return len({row["client_id"] for row in rows})


class CounselingSessionsHeld(Measure):
    code = "counseling_sessions_held"
    label = _("Counseling sessions held")
    kind = IndicatorKind.SURVIVOR
    order = 20
    people_of = "clients_counselled"
    dimensions = DIMENSIONS

    def value(self, project, span):
        rows = figures_memo_kept(SESSIONS, project, span)
        if rows is not None:
            return _sessions_in(rows)
        return held(project, span).count()

    def split(self, project, span, dimension):
        return _split(project, span, dimension, _sessions_in)


class SessionsOfKind(Measure):
    """Counseling sessions of one kind: parts of all sessions held."""

    kind = IndicatorKind.SURVIVOR
    part_of = "counseling_sessions_held"

    def __init__(self, session_kind: SessionKind, order: int):
        self.code = f"counseling_sessions_{session_kind.value}"
        self.label = session_kind.label
        self.part_key = session_kind.value
        self.order = order

    def value(self, project, span):
        rows = figures_memo_kept(SESSIONS, project, span)
        if rows is not None:
            return _sessions_in(row for row in rows if row["kind"] == self.part_key)
        return held(project, span).filter(kind=self.part_key).count()


class ClientsCounselled(Measure):
    code = "clients_counselled"
    label = _("Unique clients counselled")
    kind = IndicatorKind.SURVIVOR
    order = 29
    people = True
    dimensions = DIMENSIONS
    beneficiaries = ("clients", _("Counseling clients"))

    def value(self, project, span):
        rows = figures_memo_kept(SESSIONS, project, span)
        if rows is not None:
            return _clients_in(rows)
        return held(project, span).aggregate(n=Count("client", distinct=True))["n"]

    def split(self, project, span, dimension):
        return _split(project, span, dimension, _clients_in)

    def returning(self, project, span):
        # The clients met before the span with the span's own (sessions()), as groups.measures does: the set
        # is kept while the history before the span is frozen (reporting.measures.history_kept).
        start, _end = bounds(span)

        def earlier():
            return frozenset(
                Booking.objects.filter(
                    project=project, status=BookingStatus.HELD, start__gte=project_start(project), start__lt=start
                )
                .values_list("client_id", flat=True)
                .order_by()
                .distinct()
            )

        clients_before = history_kept(f"{SESSIONS}:clients", project, span.start_date, earlier)
        return len({row["client_id"] for row in sessions(project, span)} & clients_before)


class SessionKinds(Dimension):
    """Every kind of session, in the order the service lists them, each shown even when none was held."""

    code = KIND

    def rows(self, project, span, keys):
        return [(kind.value, kind.value) for kind in SessionKind]

    def display(self, label):
        return str(SessionKind(label).label) if label in SessionKind.values else label


class Clients(Beneficiaries):
    def aliases(self, project_id):
        return Client.objects.filter(bookings__project_id=project_id).values_list("alias", flat=True).distinct()


class CounselingDemo(DemoActivity):
    """72 bookings of the demo project's year, every fifth day; natural keys keep it idempotent."""

    order = 20

    def load(self, *, project, users):
        from accounts.enums import Role
        from core.demo import beneficiary_profile, municipalities
        from counseling.models import CounselorProfile

        counselor_user = users.get(Role.COUNSELOR)
        if counselor_user is None:
            return
        tz = timezone.get_current_timezone()
        counselor, _created = CounselorProfile.objects.get_or_create(
            user=counselor_user, defaults={"session_kinds": list(SessionKind.values), "trained_for_violence": True}
        )
        places = municipalities()
        clients = [
            Client.objects.get_or_create(
                code=f"ST22-K{n:02d}",
                defaults={
                    "alias": DEMO_ALIASES[(n * 5) % 16],
                    **beneficiary_profile(
                        n + 1, home=places["Novi Sad"], nearby=places["Subotica" if n % 2 else "Vršac"]
                    ),
                },
            )[0]
            for n in range(14)
        ]
        kinds = [
            SessionKind.EXPERIENTIAL,
            SessionKind.CASE_BASED,
            SessionKind.CASE_BASED,
            SessionKind.AFTERCARE,
            SessionKind.HOME_VISIT,
        ]
        for n in range(72):
            day = date(2022, 4, 4) + timedelta(days=5 * n)
            start = datetime.combine(day, time(9 + n % 6), tzinfo=tz)
            Booking.objects.get_or_create(
                counselor=counselor,
                start=start,
                defaults={
                    "end": start + timedelta(minutes=50),
                    "client": clients[(n * 3) % 14],
                    "kind": kinds[n % 5],
                    "status": BookingStatus.HELD if n % 9 else BookingStatus.NO_SHOW,
                    "project": project,
                },
            )


DEMO_ALIASES = [
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


@receiver(register_measures, dispatch_uid="counseling_measures")
def counseling_measures(sender, **kwargs):
    return [
        CounselingSessionsHeld(),
        *(SessionsOfKind(kind, 21 + index) for index, kind in enumerate(SessionKind)),
        ClientsCounselled(),
        SessionKinds(),
        ChoiceDimension(AGE_BAND, AgeBand),
        ListDimension(BENEFICIARY_MUNICIPALITY, Municipality),
        ChoiceDimension(TARGET_GROUP, TargetGroup),
        Clients(),
        CounselingDemo(),
    ]


# What a submitted or locked report counted stays as it was, below every door (reporting.locks): a session
# held (its day, its kind, her, its project) cannot be added, moved, changed or taken back there. A booking
# not held is not counted, and its changes are the services' to refuse in words.
locked_rows_register(
    LockedRows(
        table="counseling_booking",
        columns=("project_id", "start", "status", "kind", "client_id"),
        counted=(
            Counted(
                project='{row}."project_id"',
                moment='{row}."start"',
                where=f"{{row}}.\"status\" = '{BookingStatus.HELD}'",
            ),
        ),
    )
)
