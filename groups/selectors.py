"""Reads for self-support groups, always scoped to the user first so that a foreign id gives 404."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext

from core import dates, offline
from core.choices import choice_labels
from core.dates import local_date
from core.enums import AttendanceStatus
from core.formatting import local_moment
from groups.enums import CohortStatus, FollowUpStep
from groups.models import Attendance, AttendanceChange, Cohort, FollowUpAction, GroupSession, Membership
from groups.rules import cohorts_for, facilitated_cohorts


def cohort_list_for(user, *, now=None):
    """My cohorts, with the number of current members and the next session, in one query."""
    now = now or dates.now()
    today = local_date(now)
    next_start = (
        GroupSession.objects.filter(cohort=OuterRef("pk"), cancelled=False, start__gte=now)
        .order_by("start")
        .values("start")[:1]
    )
    return (
        cohorts_for(user)
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=today)
            ),
            next_session_start=Subquery(next_start),
        )
        .order_by("status", "-start_date", "name", "pk")
    )


def membership_is_active_on(membership: Membership, day: date) -> bool:
    return membership.joined_on <= day and (membership.left_on is None or day <= membership.left_on)


def cohort_memberships(*, cohort):
    return Membership.objects.filter(cohort=cohort).select_related("member").order_by("member__alias", "pk")


def session_memberships(*, session) -> list[Membership]:
    """Memberships active on the session's day: the people whose attendance this session can hold."""
    day = local_date(session.start)
    return list(
        cohort_memberships(cohort=session.cohort)
        .filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
    )


def session_attendance_changes(*, session, limit=50):
    """Corrections made after the session day, newest first, in one query."""
    return list(
        AttendanceChange.objects.filter(attendance__session=session)
        .select_related("changed_by", "attendance__member")
        .order_by("-changed_at", "-pk")[:limit]
    )


def session_attendance_map(*, session) -> dict[int, Attendance]:
    return {a.member_id: a for a in Attendance.objects.filter(session=session)}


def active_memberships_active_count(*, cohort, on: date, exclude_pk=None) -> int:
    memberships = Membership.objects.filter(cohort=cohort).filter(Q(left_on__isnull=True) | Q(left_on__gte=on))
    if exclude_pk is not None:
        memberships = memberships.exclude(pk=exclude_pk)
    return memberships.count()


def session_is_held(session: GroupSession, now: datetime) -> bool:
    return not session.cancelled and session.start <= now


# (css class, visible symbol) per state; the symbol never carries the meaning alone (see `label`).
_CELL_LOOK = {
    AttendanceStatus.PRESENT: ("cell-present", "✓"),
    AttendanceStatus.ABSENT: ("cell-absent", "✗"),
    AttendanceStatus.EXCUSED: ("cell-excused", "E"),
    None: ("cell-none", ""),
    "n/a": ("cell-na", "·"),
}


@dataclass(slots=True)
class GridCell:
    session: GroupSession
    status: str | None
    eligible: bool  # she was a member on the session's day
    children: int = 0

    @property
    def look(self) -> str | None:
        """Which of the looks of _CELL_LOOK the cell has."""
        return self.status if self.eligible else "n/a"

    @property
    def css(self) -> str:
        return _CELL_LOOK[self.look][0]

    @property
    def symbol(self) -> str:
        return _CELL_LOOK[self.look][1]

    @property
    def label(self) -> str:
        return _look_label(self.look)


def _look_label(look) -> str:
    if look == "n/a":
        return gettext("not a member then")
    if look is None:
        return gettext("not marked")
    return str(AttendanceStatus(look).label)


def grid_cell_looks() -> dict:
    """Each look a grid cell can have, keyed as GridCell.look: its class, symbol and the words a screen
    reader says, translated once for a page rather than once per cell (a grid holds thousands)."""
    return {look: (css, symbol, _look_label(look)) for look, (css, symbol) in _CELL_LOOK.items()}


@dataclass
class GridRow:
    membership: Membership
    cells: list[GridCell] = field(default_factory=list)
    present: int = 0
    absent: int = 0
    excused: int = 0
    flagged: bool = False
    flag_session: GroupSession | None = None  # the session of her second absence in a row
    contacted: object = None  # the FollowUpAction when she was called about this flag

    @property
    def counted(self) -> int:
        return self.present + self.absent

    @property
    def rate(self) -> int | None:
        """Percentage of her marked, held sessions she attended; excused and unmarked ones never count."""
        return round(100 * self.present / self.counted) if self.counted else None


@dataclass
class AttendanceGrid:
    cohort: Cohort
    sessions: list[GroupSession]
    rows: list[GridRow]
    held_count: int

    @property
    def rate(self) -> int | None:
        present = sum(row.present for row in self.rows)
        counted = sum(row.counted for row in self.rows)
        return round(100 * present / counted) if counted else None

    @property
    def flagged_rows(self) -> list[GridRow]:
        return [row for row in self.rows if row.flagged]


def _build_rows(memberships, sessions, marks, now) -> list[GridRow]:
    """Members x sessions. Sessions before she joined or after she left are not eligible and never count.

    `marks` maps (session id, member id) -> (status, children present).
    """
    today = local_date(now)
    # Computed once per session, not once per cell: a 30 x 40 grid has 1,200 cells.
    days = [local_date(s.start) for s in sessions]
    held = [session_is_held(s, now) for s in sessions]
    present, absent = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT
    rows = []
    for membership in memberships:
        row = GridRow(membership=membership)
        joined, left, member_id = membership.joined_on, membership.left_on, membership.member_id
        her_marks = []  # (status, session) of the held sessions at which she has a mark
        for session, day, is_held in zip(sessions, days, held, strict=True):
            eligible = joined <= day and (left is None or day <= left)
            status, children = marks.get((session.pk, member_id), (None, 0)) if eligible else (None, 0)
            row.cells.append(GridCell(session=session, status=status, eligible=eligible, children=children))
            if eligible and is_held and status is not None:
                her_marks.append((status, session))
                if status == present:
                    row.present += 1
                elif status == absent:
                    row.absent += 1
                else:
                    row.excused += 1
        still_member = left is None or left >= today
        # A session not marked yet changes nothing: the flag stays until a mark says she came back.
        last_two = her_marks[-2:]
        row.flagged = still_member and [status for status, _session in last_two] == [absent, absent]
        row.flag_session = last_two[-1][1] if row.flagged else None
        rows.append(row)
    return rows


def _marks_for(attendances) -> dict[tuple[int, int], tuple[str, int]]:
    return {
        (session_id, member_id): (status, children)
        for session_id, member_id, status, children in attendances.values_list(
            "session_id", "member_id", "status", "children_present"
        )
    }


def cohort_attendance_grid(*, cohort, now=None) -> AttendanceGrid:
    """Four queries whatever the size: sessions, memberships with members, attendance marks, follow-up steps."""
    now = now or dates.now()
    # The grid shows when each session was and whether it was cancelled, never its topic or notes: those stay
    # encrypted (decrypting them was a tenth of the page).
    sessions = list(
        GroupSession.objects.filter(cohort=cohort).defer("topic", "cancel_reason", "notes").order_by("start", "pk")
    )
    memberships = list(cohort_memberships(cohort=cohort))
    marks = _marks_for(Attendance.objects.filter(session__cohort=cohort))
    rows = _build_rows(memberships, sessions, marks, now)
    _flags_settle(rows)
    held_count = sum(1 for s in sessions if session_is_held(s, now))
    return AttendanceGrid(cohort=cohort, sessions=sessions, rows=rows, held_count=held_count)


def _flags_settle(rows) -> None:
    """Attach what was done about each flag; a resolved flag is lowered. One query for all rows."""
    flagged = [row for row in rows if row.flagged]
    if not flagged:
        return
    steps = defaultdict(dict)
    for action in FollowUpAction.objects.filter(
        membership__in=[row.membership for row in flagged],
        absence_session__in=[row.flag_session for row in flagged],
    ).select_related("by__profile"):
        steps[(action.membership_id, action.absence_session_id)][action.step] = action
    for row in flagged:
        done = steps.get((row.membership.pk, row.flag_session.pk), {})
        row.contacted = done.get(FollowUpStep.CONTACTED)
        if FollowUpStep.RESOLVED in done:
            row.flagged, row.flag_session = False, None


@dataclass
class FollowUp:
    cohort: Cohort
    membership: Membership
    session: GroupSession  # the session of her second absence in a row
    label: str = ""
    contacted: FollowUpAction | None = None


def followups_for(user, *, now=None) -> list[FollowUp]:
    """Members of the running cohorts she facilitates whose last two marks at held sessions are absences,
    unless the flag was resolved; a flag she has acted on says when she called.

    Five queries whatever the number of cohorts, members and sessions.
    """
    now = now or dates.now()
    cohorts = {c.pk: c for c in facilitated_cohorts(user).filter(status=CohortStatus.RUNNING)}
    if not cohorts:
        return []
    sessions_by_cohort = defaultdict(list)
    for session in GroupSession.objects.filter(cohort_id__in=cohorts, cancelled=False, start__lte=now).order_by(
        "start", "pk"
    ):
        sessions_by_cohort[session.cohort_id].append(session)
    memberships_by_cohort = defaultdict(list)
    for membership in Membership.objects.filter(cohort_id__in=cohorts).select_related("member"):
        memberships_by_cohort[membership.cohort_id].append(membership)
    marks = _marks_for(Attendance.objects.filter(session__cohort_id__in=cohorts, session__start__lte=now))
    rows, labels = [], {}
    for cohort_id in cohorts:
        memberships = memberships_by_cohort[cohort_id]
        labels.update(member_labels(m.member for m in memberships))
        rows.extend(_build_rows(memberships, sessions_by_cohort[cohort_id], marks, now))
    _flags_settle(rows)
    return [
        FollowUp(
            cohort=cohorts[row.membership.cohort_id],
            membership=row.membership,
            session=row.flag_session,
            label=labels[row.membership.member_id],
            contacted=row.contacted,
        )
        for row in rows
        if row.flagged
    ]


def upcoming_sessions_for(user, *, now=None, limit=5):
    """Her next sessions after today (today's are on the Today card)."""
    now = now or dates.now()
    return list(
        GroupSession.objects.select_related("cohort")
        .filter(cohort__in=facilitated_cohorts(user), start__gte=dates.end_of_day(local_date(now)), cancelled=False)
        .exclude(cohort__status=CohortStatus.CLOSED)
        .order_by("start")[:limit]
    )


@dataclass
class TodaySession:
    session: GroupSession
    members: int
    marked: int

    @property
    def is_marked(self) -> bool:
        return self.members > 0 and self.marked >= self.members


def today_for(user, *, now=None) -> list[TodaySession]:
    """Her sessions today that still wait for marks: they stay on her page, started or not, until every
    member of that day has a mark. Two queries."""
    now = now or dates.now()
    today = local_date(now)
    sessions = list(
        GroupSession.objects.select_related("cohort")
        .filter(
            cohort__in=facilitated_cohorts(user),
            start__gte=dates.start_of_day(today),
            start__lt=dates.end_of_day(today),
            cancelled=False,
        )
        .annotate(marked=Count("attendances"))
        .order_by("start", "pk")
    )
    if not sessions:
        return []
    members = dict(
        Membership.objects.filter(cohort_id__in={s.cohort_id for s in sessions}, joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .values_list("cohort_id", "n")
    )
    cards = [TodaySession(session=s, members=members.get(s.cohort_id, 0), marked=s.marked) for s in sessions]
    return [card for card in cards if not card.is_marked]


# Days of sessions a facilitator's phone keeps for offline attendance: from yesterday to a week ahead.
DEVICE_DAYS_BEFORE, DEVICE_DAYS_AHEAD = 1, 7


def device_sessions_for(user, *, now=None):
    """Sessions whose attendance screens her phone keeps: her own cohorts only, from yesterday to seven days
    ahead, not cancelled. Coordinators and other roles keep nothing. One query."""
    if not user.has_perm("groups.facilitate"):
        return []
    now = now or dates.now()
    today = local_date(now)
    return list(
        GroupSession.objects.select_related("cohort")
        .filter(
            cohort__in=facilitated_cohorts(user),
            start__gte=dates.start_of_day(today - timedelta(days=DEVICE_DAYS_BEFORE)),
            start__lt=dates.end_of_day(today + timedelta(days=DEVICE_DAYS_AHEAD)),
            cancelled=False,
        )
        .order_by("start", "pk")
    )


def device_keep_for(user) -> dict:
    """What her phone keeps for offline attendance: the area's scope and start page, and the screens of her
    sessions from yesterday to a week ahead. Empty for anyone whose role keeps nothing."""
    areas = [offline.area_urls(a) for a in offline.areas_for(user) if a.permission == "groups.facilitate"]
    if not areas:
        return {}
    screens = [
        {
            "url": reverse("groups:session_attendance", args=[s.pk]),
            "title": f"{s.cohort.name} · {local_moment(s.start)}",
        }
        for s in device_sessions_for(user)
    ]
    return {**areas[0], "screens": screens}


def member_labels(members) -> dict[int, str]:
    """What a screen calls each member: her alias, and where two share an alias, the end of her internal
    code after it ("Ana · 3F2A"), so they can be told apart. Never anything about her beyond that."""
    members = list(members)
    counts = Counter(m.alias.strip().casefold() for m in members)
    return {m.pk: f"{m.alias} · {m.code[-4:]}" if counts[m.alias.strip().casefold()] > 1 else m.alias for m in members}


def cohort_overview_rows(*, grid: AttendanceGrid):
    """Rows for the XLSX export: aliases only (with the code's end where aliases repeat), nothing else."""
    labels = member_labels(row.membership.member for row in grid.rows)
    # Each status's label translated once, not once per cell.
    words = choice_labels(AttendanceStatus.choices)
    for row in grid.rows:
        cells = [words[cell.status] if cell.eligible and cell.status else "" for cell in row.cells]
        yield [labels[row.membership.member_id], *cells, row.present, row.counted, row.rate]
