"""Reads for self-support groups, always scoped to the user first so that a foreign id gives 404."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext

from accounts.enums import Role
from accounts.roles import has_role
from core import dates
from core.enums import AttendanceStatus
from groups.enums import CohortStatus
from groups.models import Attendance, AttendanceChange, Cohort, GroupSession, Membership


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def organisation_tz() -> ZoneInfo:
    return _zone(settings.TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The calendar day of a moment in the organisation's time zone (not UTC, not the server's)."""
    return moment.astimezone(organisation_tz()).date()


def cohorts_for(user):
    """Cohorts the user may see: all for coordinators, her own for a facilitator, none for anyone else."""
    cohorts = Cohort.objects.select_related("programme")
    if has_role(user, Role.COORDINATOR):
        return cohorts
    if not getattr(user, "is_authenticated", False):
        return cohorts.none()
    return cohorts.filter(facilitators=user)


def sessions_for(user):
    sessions = GroupSession.objects.select_related("cohort", "cohort__programme")
    if has_role(user, Role.COORDINATOR):
        return sessions
    if not getattr(user, "is_authenticated", False):
        return sessions.none()
    return sessions.filter(cohort__facilitators=user)


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
        .order_by("status", "-start_date", "name")
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
    def css(self) -> str:
        return _CELL_LOOK[self.status if self.eligible else "n/a"][0]

    @property
    def symbol(self) -> str:
        return _CELL_LOOK[self.status if self.eligible else "n/a"][1]

    @property
    def label(self) -> str:
        if not self.eligible:
            return gettext("not a member then")
        if self.status is None:
            return gettext("not marked")
        return str(AttendanceStatus(self.status).label)


@dataclass
class GridRow:
    membership: Membership
    cells: list[GridCell] = field(default_factory=list)
    present: int = 0
    absent: int = 0
    excused: int = 0
    flagged: bool = False

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
        her_held_statuses = []
        for session, day, is_held in zip(sessions, days, held, strict=True):
            eligible = joined <= day and (left is None or day <= left)
            status, children = marks.get((session.pk, member_id), (None, 0)) if eligible else (None, 0)
            row.cells.append(GridCell(session=session, status=status, eligible=eligible, children=children))
            if eligible and is_held:
                her_held_statuses.append(status)
                if status == present:
                    row.present += 1
                elif status == absent:
                    row.absent += 1
                elif status is not None:
                    row.excused += 1
        still_member = left is None or left >= today
        row.flagged = still_member and her_held_statuses[-2:] == [absent, absent]
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
    """Three queries whatever the size: sessions, memberships with members, attendance marks."""
    now = now or dates.now()
    sessions = list(GroupSession.objects.filter(cohort=cohort).order_by("start", "pk"))
    memberships = list(cohort_memberships(cohort=cohort))
    marks = _marks_for(Attendance.objects.filter(session__cohort=cohort))
    rows = _build_rows(memberships, sessions, marks, now)
    held_count = sum(1 for s in sessions if session_is_held(s, now))
    return AttendanceGrid(cohort=cohort, sessions=sessions, rows=rows, held_count=held_count)


@dataclass
class FollowUp:
    cohort: Cohort
    membership: Membership


def facilitated_cohorts(user):
    """The cohorts she facilitates herself, whatever other roles she holds."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    return Cohort.objects.select_related("programme").filter(facilitators=user)


def followups_for(user, *, now=None) -> list[FollowUp]:
    """Members of the running cohorts she facilitates marked absent at the last two sessions held since they joined.

    Four queries whatever the number of cohorts, members and sessions.
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
    followups = []
    for cohort_id, cohort in cohorts.items():
        rows = _build_rows(memberships_by_cohort[cohort_id], sessions_by_cohort[cohort_id], marks, now)
        followups.extend(FollowUp(cohort=cohort, membership=row.membership) for row in rows if row.flagged)
    return followups


def upcoming_sessions_for(user, *, now=None, limit=5):
    now = now or dates.now()
    return list(
        GroupSession.objects.select_related("cohort")
        .filter(cohort__in=facilitated_cohorts(user), start__gte=now, cancelled=False)
        .exclude(cohort__status=CohortStatus.CLOSED)
        .order_by("start")[:limit]
    )


def cohort_overview_rows(*, grid: AttendanceGrid):
    """Rows for the XLSX export: aliases only, never the internal code or anything else about her."""
    for row in grid.rows:
        cells = []
        for cell in row.cells:
            if not cell.eligible:
                cells.append("")
            elif cell.status:
                cells.append(str(AttendanceStatus(cell.status).label))
            else:
                cells.append("")
        yield [row.membership.member.alias, *cells, row.present, row.counted, row.rate]
