"""Reads: querysets scoped to the user first, then shaped for one screen with a constant number of queries."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.utils.http import urlencode

from core import dates
from core.choices import choice_labels
from core.enums import AttendanceStatus
from core.forms import id_from
from core.pagecache import value_kept_while_unchanged
from reporting.locks import frozen_spans
from trainings.enums import SEAT_HOLDING_STATUSES, EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingAttendanceChange, TrainingProgramme
from trainings.rules import editions_for, enrollments_of, sessions_for

__all__ = ["editions_for", "enrollments_of", "sessions_for"]  # scoped next to the rules, read from here too

# A signed-out visitor's "Enrol": the edition she chose, kept in her session through sign-up.
ENROL_INTENT_SESSION_KEY = "trainings.enrol_intent"

# Enrolments that are expected in the room: the attendance screen, participant list and exports show these.
PARTICIPANT_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)


def _seats_taken():
    return Count("enrollments", filter=Q(enrollments__status__in=SEAT_HOLDING_STATUSES))


def _seats_left(seats_taken):
    return Greatest(F("capacity") - seats_taken, Value(0), output_field=IntegerField())


def editions_with_seats():
    """Editions annotated with `seats_taken` and `seats_left` (never below zero), in one query."""
    return Edition.objects.select_related("programme").annotate(
        seats_taken=_seats_taken(),
        seats_left=_seats_left(F("seats_taken")),
        waitlist_length=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
    )


def _her_enrolments(user):
    """Her enrolments that the catalogue names on an edition's card (not those she cancelled or moved)."""
    return enrollments_of(user).exclude(status__in=[EnrollmentStatus.CANCELLED, EnrollmentStatus.TRANSFERRED])


def _upcoming(queryset, *, today, now):
    """What makes an edition one of the catalogue's, soonest first: written once for its cards and for its keys."""
    return queryset.filter(status=EditionStatus.OPEN, start_date__gte=today, enrolment_closes__gt=now).order_by(
        "start_date", "pk"
    )


def _enrolment_open(now):
    return ExpressionWrapper(Q(enrolment_opens__lte=now), output_field=BooleanField())


def catalogue_editions(*, today=None):
    """Upcoming editions open for enrolment, soonest first, with their seats (the catalogue's own page reads
    only its keys and its page's editions: catalogue_page)."""
    today = today or dates.today()
    now = dates.now()
    return _upcoming(editions_with_seats(), today=today, now=now).annotate(enrolment_open=_enrolment_open(now))


@dataclass
class CatalogueFilters:
    """What she chose to narrow the catalogue by (a month "2027-03", a place, a programme: its topic), and
    the choices the upcoming editions offer."""

    ONLINE = "online"

    month: str = ""
    place: str = ""
    programme: int | None = None
    months: list = field(default_factory=list)  # ("2027-03", date(2027, 3, 1))
    places: list = field(default_factory=list)  # municipality names, and ONLINE when an edition has no place
    programmes: list = field(default_factory=list)  # (pk, title)
    # The upcoming editions' keys in the catalogue's order, read with the choices: with nothing chosen they are
    # the catalogue's keys too.
    upcoming: list = field(default_factory=list, repr=False)
    # The next moment the catalogue changes by the clock alone (catalogue_filters), read with the choices.
    changes_at: datetime | None = field(default=None, repr=False)

    def apply(self, editions):
        if self.month:
            year, month = (int(part) for part in self.month.split("-"))
            editions = editions.filter(start_date__year=year, start_date__month=month)
        if self.place == self.ONLINE:
            editions = editions.filter(venue="", municipality="")
        elif self.place:
            editions = editions.filter(municipality=self.place)
        if self.programme:
            editions = editions.filter(programme_id=self.programme)
        return editions

    @property
    def active(self) -> bool:
        return bool(self.month or self.place or self.programme)

    @property
    def query(self) -> str:
        """The chosen filters as URL parameters, for page links."""
        chosen = {"month": self.month, "place": self.place, "programme": self.programme or ""}
        return urlencode({name: value for name, value in chosen.items() if value})


def catalogue_filters(*, data) -> CatalogueFilters:
    """The choices the upcoming editions offer, and what of them she picked; anything unknown is ignored.

    Read with them, from the same rows, is the next moment the catalogue changes by the clock alone: an
    edition's enrolment opens or closes (catalogue_editions: `enrolment_open`, `enrolment_closes`), or a new
    day leaves today's starts behind. A kept catalogue holds until then (CatalogueReading)."""
    # Without the seats' counts: the choices need neither them nor the enrolments they are counted from.
    now, today = dates.now(), dates.today()
    midnight = dates.end_of_day(today)
    upcoming = _upcoming(Edition.objects.all(), today=today, now=now)
    rows = upcoming.values_list(
        "start_date",
        "municipality",
        "venue",
        "programme_id",
        "programme__title",
        "pk",
        # Only an opening or a closing before midnight can come first; the rest are read as NULL, not as
        # two moments an edition each made into datetimes (a tenth of the catalogue's first view after a
        # change at ten times the data set).
        Case(When(enrolment_closes__lt=midnight, then="enrolment_closes")),
        Case(When(enrolment_opens__gt=now, enrolment_opens__lt=midnight, then="enrolment_opens")),
    )
    months, places, programmes, keys, has_online = set(), set(), set(), [], False
    changes_at = midnight
    for day, municipality, venue, programme_id, title, key, closes, opens in rows:
        months.add((day.year, day.month))
        if municipality:
            places.add(municipality)
        elif not venue:
            has_online = True
        programmes.add((programme_id, title))
        keys.append(key)
        if closes is not None:
            changes_at = min(changes_at, closes)
        if opens is not None:
            changes_at = min(changes_at, opens)
    months = sorted(months)
    places = sorted(places, key=str.casefold)
    programmes = sorted(programmes, key=lambda item: item[1].casefold())
    month = data.get("month", "")
    place = data.get("place", "")
    programme = id_from(data.get("programme"))
    return CatalogueFilters(
        month=month if month in {f"{y:04d}-{m:02d}" for y, m in months} else "",
        place=place if place in places or (place == CatalogueFilters.ONLINE and has_online) else "",
        programme=programme if programme in {pk for pk, _t in programmes} else None,
        months=[(f"{y:04d}-{m:02d}", date(y, m, 1)) for y, m in months],
        places=places + ([CatalogueFilters.ONLINE] if has_online else []),
        programmes=programmes,
        upcoming=keys,
        changes_at=changes_at,
    )


class CatalogueReading:
    """A catalogue page's filters, read once for both things a kept page asks on a miss: first until when it
    holds (`changes_at`, asked before the page is built: a moment that passes while it is built is then still
    ahead of it), then the page itself (`filters`). One query: the moment was an aggregate of its own over
    the same upcoming editions, 0.6 to 1.2 ms of the catalogue's first view after a change (10 ms at 10x)."""

    def __init__(self, data):
        self.data = data
        self._filters = None

    @property
    def filters(self) -> CatalogueFilters:
        if self._filters is None:
            self._filters = catalogue_filters(data=self.data)
        return self._filters

    def changes_at(self) -> datetime:
        return self.filters.changes_at


CATALOGUE_PAGE_SIZE = 20


def catalogue_page_for_language():
    """The live catalogue page in the active language, or None: never another language's page."""
    from django.utils import translation
    from wagtail.models import Locale

    from trainings.models import TrainingCataloguePage

    try:
        locale = Locale.objects.get_for_language(translation.get_language())
    except (Locale.DoesNotExist, LookupError):
        return None
    return TrainingCataloguePage.objects.live().filter(locale=locale).first()


# What catalogue_cards() reads of an edition besides its annotations.
CARD_FIELDS = (
    "start_date",
    "end_date",
    "venue",
    "municipality",
    "enrolment_opens",
    "programme__title",
    "programme__hours",
)


def catalogue_page(*, number, filters=None):
    """One page of the catalogue; a page number out of range or not a number gives the nearest page.

    Its editions are counted and cut by their keys alone, and only the page's own are read with their seats:
    counting them with their seats counted every upcoming edition's enrolments."""
    if filters is not None and not filters.active:
        keys = filters.upcoming
    else:
        upcoming = _upcoming(Edition.objects.all(), today=dates.today(), now=dates.now())
        keys = list((filters.apply(upcoming) if filters is not None else upcoming).values_list("pk", flat=True))
    page = Paginator(keys, CATALOGUE_PAGE_SIZE).get_page(number)
    page.object_list = _page_editions(page.object_list)
    return page


def _page_editions(keys) -> list:
    """The editions of these keys, in their order, with what their cards show (catalogue_editions' `seats_left`
    and `enrolment_open`; her `my_status` is added by _with_her_enrolments), read with no more than the cards
    need: the ORM's work on the catalogue's full query was most of the page's read (its SQL a tenth of it)."""
    now = dates.now()
    # Read again by the same rules: an edition that stopped being upcoming meanwhile is left out, not shown.
    shown = (
        _upcoming(Edition.objects.filter(pk__in=keys), today=dates.today(), now=now)
        .select_related("programme")
        .only(*CARD_FIELDS, "capacity")
        .annotate(seats_taken=_seats_taken(), enrolment_open=_enrolment_open(now))
    )
    editions = {}
    for edition in shown:
        # Worked out here, as _seats_left does in SQL: compiling its expression was a tenth of this read.
        edition.seats_left = max(edition.capacity - edition.seats_taken, 0)
        editions[edition.pk] = edition
    return [editions[key] for key in keys if key in editions]


@dataclass(frozen=True)
class EditionCard:
    """What the catalogue's card of an edition says, in the active language. Written here once per card: the
    template's plural phrases, date filters and links, twenty cards of them, were about a quarter of the
    catalogue's time."""

    title: str
    detail_url: str
    enrol_url: str
    start: str
    dates: str
    place: str  # "" for an edition held online
    length: str
    seats: str  # "" when it is full
    opens: str  # when enrolment opens, for an edition not open yet
    enrolment_open: bool
    my_status: str


def catalogue_stamp():
    """What the catalogue is built from, as the database stamps it, or None while a writer is at work.

    Every trainings table moves the trainings' stamp on any change, whatever made it (reporting.inputs:
    triggers): editions, enrolments, programmes, and the catalogue pages themselves (publishing or
    unpublishing one, in any language, writes its row). The site's pages move the page tree's (the page's
    title and address, its translations and its language links: a page moved in Wagtail's tree writes only
    Wagtail's own table). A change to another app's tables leaves both."""
    from reporting.inputs import PAGE_TREE, figures_inputs_stamp

    return figures_inputs_stamp(apps=("trainings", PAGE_TREE))


def catalogue_context(*, data, user, reading: CatalogueReading | None = None) -> dict:
    """What both doors to the catalogue show (its Wagtail page in each language, and its own page where a
    language has none): the filters she chose, the page of editions asked for in `data`, and their cards.

    Signed out, a visitor gets the whole page kept (TrainingCataloguePage.serve, whose `reading` of the
    filters this is). Signed in, hers is built for her, with her own enrolments on their cards, from what it
    shows everyone alike, which is kept while nothing it shows changes (core.pagecache): the catalogue's reads
    were a third of her page."""
    reading = reading or CatalogueReading(data)
    if not getattr(user, "is_authenticated", False):
        return _catalogue_shown(data, reading.filters)
    lists = getattr(data, "lists", None)
    shown = value_kept_while_unchanged(
        name="training-catalogue",
        identity=sorted(lists() if lists is not None else data.items()),
        stamp=catalogue_stamp,
        until=reading.changes_at,
        build=lambda: _catalogue_shown(data, reading.filters),
    )
    return _with_her_enrolments(shown, user)


def _catalogue_shown(data, filters) -> dict:
    page_obj = catalogue_page(number=data.get("page"), filters=filters)
    editions = page_obj.object_list
    return {"filters": filters, "page_obj": page_obj, "editions": editions, "cards": catalogue_cards(editions)}


def _with_her_enrolments(shown: dict, user) -> dict:
    """The catalogue as shown to everyone, with her own enrolment named on the cards of her editions."""
    editions = shown["editions"]
    mine = {}
    if editions:
        keys = [edition.pk for edition in editions]
        mine = dict(_her_enrolments(user).filter(edition_id__in=keys).values_list("edition_id", "status"))
    for edition in editions:
        edition.my_status = mine.get(edition.pk)
    cards = [
        replace(card, my_status=mine[edition.pk]) if edition.pk in mine else card
        for card, edition in zip(shown["cards"], editions, strict=True)
    ]
    return {**shown, "cards": cards}


def catalogue_cards(editions) -> list[EditionCard]:
    """The cards of a page of the catalogue's editions, as everyone sees them (her own status on hers:
    _with_her_enrolments)."""
    from functools import cache

    from django.template.defaultfilters import floatformat
    from django.utils.formats import date_format, localize
    from django.utils.timezone import localtime
    from django.utils.translation import gettext, ngettext

    from core.reversing import UrlFiller

    # Editions share their days and their programmes' lengths: each is written once for the page.
    @cache
    def day(value):
        return date_format(value, "DATE_FORMAT")

    @cache
    def length(hours):
        return ngettext("%(hours)s hour", "%(hours)s hours", int(floatformat(hours, "0"))) % {
            "hours": floatformat(hours, "-1")
        }

    urls = UrlFiller()
    cards = []
    for edition in editions:
        start = day(edition.start_date)
        seats_left = edition.seats_left
        cards.append(
            EditionCard(
                title=edition.programme.title,
                detail_url=urls("trainings:edition_detail", pk=edition.pk),
                enrol_url=urls("trainings:enrol", pk=edition.pk),
                start=start,
                dates=start if edition.start_date == edition.end_date else f"{start} – {day(edition.end_date)}",
                place=", ".join(part for part in (edition.venue, edition.municipality) if part),
                length=length(edition.programme.hours),
                seats=(
                    ngettext("%(seats)s seat left", "%(seats)s seats left", seats_left)
                    % {"seats": localize(seats_left)}
                    if seats_left
                    else ""
                ),
                # Shown only while enrolment has not opened.
                opens=""
                if edition.enrolment_open
                else gettext("Enrolment opens on %(date)s") % {"date": day(localtime(edition.enrolment_opens).date())},
                enrolment_open=edition.enrolment_open,
                my_status="",
            )
        )
    return cards


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
    """The accreditations that cover the edition: valid on its last day, as its certificates will say.

    The model belongs to certificates; its validity dates are read by name (`valid_from`, `valid_until`).
    An expired accreditation (or one not yet in force) is not shown on an edition it does not cover.
    """
    accessor = accreditation_accessor()
    if not accessor:
        return []
    return [
        accreditation
        for accreditation in getattr(edition.programme, accessor).all()
        if accreditation.valid_from <= edition.end_date <= accreditation.valid_until
    ]


def _users_with_profile():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("profile")


def edition_last_session_end(sessions):
    """When the last session held ends: the edition can be closed from then on."""
    ends = [session.end for session in sessions if not session.cancelled]
    return max(ends) if ends else None


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


@dataclass
class TraineeTraining:
    enrollment: Enrollment
    sessions: list
    attended_hours: Decimal
    total_hours: Decimal
    marks: list  # (session, attendance label or None) in session order
    # Her seat counts in a submitted or locked donor report: she can no longer give it up or move it herself.
    counted: bool = False

    @property
    def attended_percent(self) -> int:
        if not self.total_hours:
            return 0
        return int(self.attended_hours * 100 / self.total_hours)


def _marks_by_enrollment(enrollment_ids) -> dict[int, dict[int, str]]:
    """{enrollment: {session: status}} in one query: only the statuses are shown, so they are read as values,
    not as a model instance per mark."""
    marks: dict[int, dict[int, str]] = {pk: {} for pk in enrollment_ids}
    rows = TrainingAttendance.objects.filter(enrollment__in=enrollment_ids)
    for enrollment_id, session_id, status in rows.values_list("enrollment_id", "session_id", "status"):
        marks[enrollment_id][session_id] = status
    return marks


def trainee_trainings(*, user, today=None) -> dict:
    """The trainee's enrolments split into upcoming and past, each with her attendance; four queries."""
    from trainings.services import attended_hours, held_sessions, seats_counted

    today = today or dates.today()
    enrollments = list(
        enrollments_of(user)
        .select_related("edition__programme", "transferred_to__edition")
        .prefetch_related("edition__sessions")
        .order_by("edition__start_date", "pk")
    )
    marks = _marks_by_enrollment([enrollment.pk for enrollment in enrollments])
    # One query, only when she holds a seat in an edition that has begun: a frozen report counts that seat
    # where the edition began (trainings.services.enrollment_counted_check refuses giving it up).
    begun = [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED and e.edition.start_date <= today]
    frozen = frozen_spans(project_ids=[e.edition.project_id for e in begun]) if begun else {}
    begun_ids = {e.pk for e in begun}
    upcoming, past = [], []
    # Each label translated once for the page, not once per session shown.
    labels = choice_labels(AttendanceStatus.choices)
    statuses = choice_labels(EnrollmentStatus.choices)
    for enrollment in enrollments:
        enrollment.status_label = statuses.get(enrollment.status, enrollment.status)
        sessions = list(enrollment.edition.sessions.all())
        by_session = marks[enrollment.pk]
        total = sum((s.hours for s in held_sessions(sessions)), Decimal(0))
        item = TraineeTraining(
            enrollment=enrollment,
            sessions=sessions,
            attended_hours=attended_hours(sessions=sessions, statuses=by_session),
            total_hours=total,
            marks=[(s, labels.get(by_session.get(s.pk))) for s in sessions],
            counted=enrollment.pk in begun_ids and seats_counted(edition=enrollment.edition, spans=frozen),
        )
        is_past = enrollment.edition.end_date < today or enrollment.edition.status == EditionStatus.CLOSED
        (past if is_past else upcoming).append(item)
    past.reverse()
    return {"upcoming": upcoming, "past": past}


def session_participants(*, session):
    """Participants expected at a session, each with her mark (a TrainingAttendance, or None): two queries."""
    enrollments = list(
        Enrollment.objects.filter(edition_id=session.edition_id, status__in=PARTICIPANT_STATUSES)
        .select_related("user__profile")
        .order_by("user__profile__full_name", "pk")
    )
    marks = {
        a.enrollment_id: a
        for a in TrainingAttendance.objects.filter(session=session, enrollment__in=[e.pk for e in enrollments])
    }
    return [(enrollment, marks.get(enrollment.pk)) for enrollment in enrollments]


def participant_label(enrollment) -> str:
    """How the attendance screen names her: her name, or her email when she gave none."""
    profile = getattr(enrollment.user, "profile", None)
    return getattr(profile, "full_name", "") or enrollment.user.email


def participant_label_expression(enrollment: str):
    """participant_label in SQL, for the enrolment at the lookup path `enrollment`."""
    return Coalesce(
        NullIf(f"{enrollment}__user__profile__full_name", Value("")),
        f"{enrollment}__user__email",
        output_field=CharField(),
    )


# What the change log shows of a change (core.templatetags.attendance_tags.attendance_change_rows).
CHANGE_LOG_FIELDS = ("changed_at", "marked_at", "client_id", "applied", "old_status", "new_status", "changed_by")


def session_attendance_changes(*, session, limit=50):
    """The change log of a session's marks, newest first, in one query; each named as the screen names her
    (participant_label, worked out in SQL). Read with her mark, enrolment, account and profile, fifty changes
    were two hundred and fifty model instances with a dozen dates each, a tenth of a trainer's screen."""
    return list(
        TrainingAttendanceChange.objects.filter(attendance__session=session)
        .select_related("changed_by")
        .only(*CHANGE_LOG_FIELDS, "changed_by__email")
        .annotate(label=participant_label_expression("attendance__enrollment"))
        .order_by("-changed_at", "-pk")[:limit]
    )


def _label(status):
    return AttendanceStatus(status).label if status else None


@dataclass
class ParticipantRow:
    enrollment: Enrollment
    marks: list  # status or None per session, in session order
    hours: Decimal  # hours present at sessions held

    @property
    def labels(self) -> list:
        return [_label(mark) for mark in self.marks]


def edition_participants(*, edition):
    """Participants with attendance per session and the hours they attended; three queries whatever the size."""
    from trainings.services import attended_hours

    sessions = list(edition.sessions.all())
    enrollments = list(
        Enrollment.objects.filter(edition=edition, status__in=PARTICIPANT_STATUSES)
        .select_related("user__profile")
        .order_by("user__profile__full_name", "pk")
    )
    marks = _marks_by_enrollment([enrollment.pk for enrollment in enrollments])
    rows = []
    for enrollment in enrollments:
        by_session = marks[enrollment.pk]
        rows.append(
            ParticipantRow(
                enrollment=enrollment,
                marks=[by_session.get(s.pk) for s in sessions],
                hours=attended_hours(sessions=sessions, statuses=by_session),
            )
        )
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


def trainee_completed_trainings(*, user):
    """Her completed trainings, newest first, each with `hours_attended` (the hours she was present at
    sessions held) and its edition and programme: for her record of trainings and certificates."""
    return (
        enrollments_of(user)
        .filter(status=EnrollmentStatus.COMPLETED)
        .select_related("edition__programme")
        .order_by("-edition__end_date", "-pk")
    )


def trainee_hours_attended(*, user) -> Decimal:
    """All the hours she attended in completed trainings."""
    total = trainee_completed_trainings(user=user).aggregate(total=Sum("hours_attended"))["total"]
    return total or Decimal(0)


def enrol_intent(*, request):
    """The edition she chose to enrol in before signing in, while it is still open and she is not on it."""
    pk = request.session.get(ENROL_INTENT_SESSION_KEY)
    if not isinstance(pk, int):
        return None
    edition = catalogue_editions().filter(pk=pk).first()
    if (
        edition is None
        or enrollments_of(request.user)
        .filter(edition=edition)
        .exclude(status__in=[EnrollmentStatus.CANCELLED, EnrollmentStatus.TRANSFERRED])
        .exists()
    ):
        return None
    return edition
