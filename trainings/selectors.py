"""Reads: querysets scoped to the user first, then shaped for one screen with a constant number of queries."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, F, IntegerField, Prefetch, Q, Value
from django.db.models.functions import Greatest

from accounts.enums import Role
from accounts.roles import has_role
from core import dates
from core.enums import AttendanceStatus
from trainings.enums import SEAT_HOLDING_STATUSES, EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession

# Enrolments that are expected in the room: the attendance screen, participant list and exports show these.
PARTICIPANT_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)


def editions_with_seats():
    """Editions annotated with `seats_taken` and `seats_left` (never below zero), in one query."""
    return Edition.objects.select_related("programme").annotate(
        seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_HOLDING_STATUSES)),
        seats_left=Greatest(F("capacity") - F("seats_taken"), Value(0), output_field=IntegerField()),
        waitlist_length=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
    )


def catalogue_editions(*, today=None):
    """Upcoming editions open for enrolment, soonest first."""
    today = today or dates.today()
    now = dates.now()
    return (
        editions_with_seats()
        .filter(status=EditionStatus.OPEN, start_date__gte=today, enrolment_closes__gt=now)
        .annotate(enrolment_open=ExpressionWrapper(Q(enrolment_opens__lte=now), output_field=BooleanField()))
        .order_by("start_date", "pk")
    )


CATALOGUE_PAGE_SIZE = 20


def catalogue_page(*, number):
    """One page of the catalogue; a page number out of range or not a number gives the nearest page."""
    return Paginator(catalogue_editions(), CATALOGUE_PAGE_SIZE).get_page(number)


def accreditation_accessor() -> str | None:
    """The reverse accessor from TrainingProgramme to certificates.Accreditation, if that model exists.

    Looked up rather than imported: the certificates app builds on trainings, never the other way round.
    """
    for relation in TrainingProgramme._meta.related_objects:
        if relation.related_model._meta.label == "certificates.Accreditation":
            return relation.get_accessor_name()
    return None


def edition_public(*, pk):
    """One edition for its public page: programme, sessions, trainers and accreditations prefetched."""
    queryset = editions_with_seats().prefetch_related("sessions", Prefetch("trainers", queryset=_users_with_profile()))
    accessor = accreditation_accessor()
    if accessor:
        queryset = queryset.prefetch_related(f"programme__{accessor}")
    return queryset.filter(pk=pk).exclude(status=EditionStatus.PLANNED).first()


def edition_accreditations(edition) -> list:
    accessor = accreditation_accessor()
    if not accessor:
        return []
    return list(getattr(edition.programme, accessor).all())


def _users_with_profile():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("profile")


def editions_for(user):
    """Editions a user may manage: coordinators all, trainers their own."""
    if has_role(user, Role.COORDINATOR):
        return Edition.objects.all()
    if has_role(user, Role.TRAINER):
        return Edition.objects.filter(trainers=user)
    return Edition.objects.none()


def trainer_editions(*, user):
    return (
        editions_for(user)
        .select_related("programme")
        .annotate(
            seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEAT_HOLDING_STATUSES), distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("-start_date", "pk")
    )


def sessions_for(user):
    return TrainingSession.objects.filter(edition__in=editions_for(user))


def enrollments_of(user):
    return Enrollment.objects.filter(user=user)


@dataclass
class TraineeTraining:
    enrollment: Enrollment
    sessions: list
    attended_hours: Decimal
    total_hours: Decimal
    marks: list  # (session, attendance label or None) in session order

    @property
    def attended_percent(self) -> int:
        if not self.total_hours:
            return 0
        return int(self.attended_hours * 100 / self.total_hours)


def trainee_trainings(*, user, today=None) -> dict:
    """The trainee's enrolments split into upcoming and past, each with her attendance; four queries."""
    from trainings.services import attended_hours

    today = today or dates.today()
    enrollments = (
        enrollments_of(user)
        .select_related("edition__programme", "transferred_to__edition")
        .prefetch_related("edition__sessions", "attendances")
        .order_by("edition__start_date", "pk")
    )
    upcoming, past = [], []
    for enrollment in enrollments:
        sessions = list(enrollment.edition.sessions.all())
        by_session = {a.session_id: a.status for a in enrollment.attendances.all()}
        total = sum((s.hours for s in sessions), Decimal(0))
        item = TraineeTraining(
            enrollment=enrollment,
            sessions=sessions,
            attended_hours=attended_hours(sessions=sessions, statuses=by_session),
            total_hours=total,
            marks=[(s, _label(by_session.get(s.pk))) for s in sessions],
        )
        is_past = enrollment.edition.end_date < today or enrollment.edition.status == EditionStatus.CLOSED
        (past if is_past else upcoming).append(item)
    past.reverse()
    return {"upcoming": upcoming, "past": past}


def session_participants(*, session):
    """Participants expected at a session, with their recorded attendance: two queries."""
    enrollments = list(
        Enrollment.objects.filter(edition_id=session.edition_id, status__in=PARTICIPANT_STATUSES)
        .select_related("user__profile")
        .order_by("user__profile__full_name", "pk")
    )
    marks = dict(
        TrainingAttendance.objects.filter(session=session, enrollment__in=[e.pk for e in enrollments]).values_list(
            "enrollment_id", "status"
        )
    )
    return [(enrollment, marks.get(enrollment.pk)) for enrollment in enrollments]


def _label(status):
    return AttendanceStatus(status).label if status else None


@dataclass
class ParticipantRow:
    enrollment: Enrollment
    marks: list  # status or None per session, in session order

    @property
    def labels(self) -> list:
        return [_label(mark) for mark in self.marks]


def edition_participants(*, edition):
    """Participants with attendance per session; three queries whatever the size."""
    sessions = list(edition.sessions.all())
    enrollments = list(
        Enrollment.objects.filter(edition=edition, status__in=PARTICIPANT_STATUSES)
        .select_related("user__profile")
        .prefetch_related("attendances")
        .order_by("user__profile__full_name", "pk")
    )
    rows = []
    for enrollment in enrollments:
        by_session = {a.session_id: a.status for a in enrollment.attendances.all()}
        rows.append(ParticipantRow(enrollment=enrollment, marks=[by_session.get(s.pk) for s in sessions]))
    return sessions, rows


def edition_waiting(*, edition):
    """Everyone not (yet) in the room: pending approval, offered, waitlisted, in waitlist order."""
    return (
        Enrollment.objects.filter(
            edition=edition,
            status__in=[EnrollmentStatus.PENDING_APPROVAL, EnrollmentStatus.OFFERED, EnrollmentStatus.WAITLISTED],
        )
        .select_related("user__profile")
        .order_by("-priority", "created_at", "pk")
    )


def pending_approvals():
    return (
        Enrollment.objects.filter(status=EnrollmentStatus.PENDING_APPROVAL)
        .select_related("user__profile", "edition__programme")
        .order_by("edition__start_date", "created_at", "pk")
    )


def transfer_targets(*, enrollment, today=None):
    """Other open, upcoming editions of the same programme."""
    return (
        catalogue_editions(today=today)
        .filter(programme_id=enrollment.edition.programme_id)
        .exclude(pk=enrollment.edition_id)
    )
