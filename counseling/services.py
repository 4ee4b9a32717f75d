"""Writes for counseling. Every booking goes through booking_create / booking_reschedule, which guarantee
that nobody is double-booked: a check inside a write transaction (serialised on SQLite by IMMEDIATE
transactions, on PostgreSQL by row locks) backed by exclusion constraints on PostgreSQL.

Every service asks the same named rule as the page (counseling/rules.py) and writes the audit entry of
what it changed, so the Wagtail admin, a command or a test that calls it is held to the same rules and
leaves the same trace. `request`, where taken, only gives the audit entry the caller's address.
"""

import logging
import secrets
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from audit.enums import AuditAction
from audit.services import audit_record
from core import dates
from core.enums import AgeBand, TargetGroup
from counseling.enums import (
    ACTIVE_BOOKING_STATUSES,
    MARKABLE_STATUSES,
    BookingStatus,
    ContactChannel,
    IntakeStatus,
    MessageOutcome,
    SessionKind,
)
from counseling.models import Booking, Client, CounselorProfile, IntakeRequest, Room, booking_dates_check
from counseling.selectors import availability_problems, day_bounds
from reporting.locks import period_guard, period_lock_words

logger = logging.getLogger(__name__)

LOCK_RETRIES = 40

OVERLAP_CONSTRAINTS = {
    "booking_counselor_no_overlap": "counselor",
    "booking_room_no_overlap": "room",
}


def _may(by, perm, obj=None) -> bool:
    return by is not None and by.has_perm(perm, obj)


def _require(by, perm, obj=None) -> None:
    if not _may(by, perm, obj):
        raise PermissionDenied(_("You may not do this."))


def booking_horizon() -> date:
    """The last day a session may be booked on."""
    return dates.today() + timedelta(days=settings.HAVEN_BOOKING_HORIZON_DAYS)


def _counselor_busy_message(counselor):
    return _(
        "%(counselor)s already has a booking at this time (counting %(minutes)s minutes' buffer before and after)."
    ) % {"counselor": counselor, "minutes": counselor.buffer_minutes}


def _room_busy_message(room):
    return _("The room %(room)s is already booked at this time.") % {"room": room}


def _check_times(start: datetime, end: datetime) -> None:
    if start is None or end is None:
        raise ValidationError(_("Give a start and an end."), code="times_missing")
    booking_dates_check(start, end)
    if end <= start:
        raise ValidationError(_("The end must be after the start."), code="end_before_start")
    if dates.local_date(start) > booking_horizon():
        raise ValidationError(
            _("A session can be booked at most %(days)s days ahead, so on %(last)s at the latest.")
            % {
                "days": settings.HAVEN_BOOKING_HORIZON_DAYS,
                "last": formats.date_format(booking_horizon(), "SHORT_DATE_FORMAT"),
            },
            code="beyond_horizon",
        )


def _check_kind(counselor: CounselorProfile, kind: str) -> None:
    if kind not in SessionKind.values:
        raise ValidationError(_("Choose a kind of session."), code="kind_unknown")
    if not counselor.active:
        raise ValidationError(_("%(counselor)s is not taking bookings.") % {"counselor": counselor}, code="inactive")
    if kind == SessionKind.CASE_BASED and not counselor.trained_for_violence:
        raise ValidationError(
            _(
                "Case-based counseling may only be booked with a counselor trained for work with victims of "
                "violence against women; %(counselor)s is not marked as trained."
            )
            % {"counselor": counselor},
            code="not_trained",
        )
    if not counselor.may_hold(kind):
        raise ValidationError(
            _("%(counselor)s does not hold this kind of session (%(kind)s).")
            % {"counselor": counselor, "kind": SessionKind(kind).label},
            code="kind_not_held",
        )


def _check_room(kind: str, room: Room | None) -> None:
    if kind == SessionKind.HOME_VISIT:
        if room is not None:
            raise ValidationError(_("A home visit takes place at her home: leave the room empty."), code="room_home")
        return
    if room is None:
        raise ValidationError(_("Choose a room (only a home visit has none)."), code="room_missing")
    if not room.active:
        raise ValidationError(_("The room %(room)s is not in use.") % {"room": room}, code="room_inactive")


def _check_client(client: Client) -> None:
    if not client.active or client.anonymised_at:
        raise ValidationError(
            _("This client's file is closed, so she cannot be booked. Reopen her file first."), code="client_closed"
        )


def _check_availability(*, counselor, start, end, by, confirm_outside_availability) -> bool:
    """True when the booking lies outside her availability and a coordinator confirmed it."""
    problems = availability_problems(counselor=counselor, start=start, end=end)
    if not problems:
        return False
    may_override = _may(by, "counseling.override_availability")
    if confirm_outside_availability and may_override:
        return True
    if may_override:
        hint = _("Tick “book outside her availability” to book anyway.")
    else:
        hint = _("Choose another time, or ask a coordinator.")
    raise ValidationError(
        " ".join([_("This time is outside the counselor's availability."), *problems, hint]),
        code="outside_availability",
    )


def _check_conflicts(*, counselor, room, start, end, exclude_pk=None) -> None:
    buffer = timedelta(minutes=counselor.buffer_minutes)
    active = Booking.objects.filter(status__in=ACTIVE_BOOKING_STATUSES).exclude(pk=exclude_pk)
    if active.overlapping(start - buffer, end + buffer).filter(counselor=counselor).exists():
        raise ValidationError(_counselor_busy_message(counselor), code="counselor_busy")
    if room is not None and active.overlapping(start, end).filter(room=room).exists():
        raise ValidationError(_room_busy_message(room), code="room_busy")


def _lock(counselor, room) -> None:
    # Same order everywhere (counselor, then room) so two bookings cannot deadlock. A no-op on SQLite, where
    # the IMMEDIATE transaction already holds the write lock.
    CounselorProfile.objects.select_for_update().filter(pk=counselor.pk).exists()
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).exists()


def _serialised(write):
    """Run `write` in a transaction; on SQLite, retry while another writer holds the lock.

    A file database waits by itself (busy timeout), but a shared-cache database, as used by tests, reports
    "table is locked" at once; retrying the whole transaction is safe because nothing was written.
    """
    for attempt in range(LOCK_RETRIES):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as exc:
            if "locked" not in str(exc) or connection.in_atomic_block or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    return None  # not reached


def _integrity_to_validation(exc: IntegrityError, *, counselor, room) -> ValidationError:
    text = str(exc)
    for name, what in OVERLAP_CONSTRAINTS.items():
        if name in text:
            message = _counselor_busy_message(counselor) if what == "counselor" else _room_busy_message(room)
            return ValidationError(message, code=f"{what}_busy")
    raise exc


def booking_create(
    *,
    counselor: CounselorProfile,
    client: Client,
    room: Room | None,
    start: datetime,
    end: datetime,
    kind: str,
    by,
    status: str = BookingStatus.CONFIRMED,
    confirm_outside_availability: bool = False,
    project=None,
    request=None,
) -> Booking:
    _require(by, "counseling.add_booking")
    _require(by, "counseling.book_with_counselor", counselor)
    _require(by, "counseling.view_client", client)
    _check_times(start, end)
    _check_kind(counselor, kind)
    _check_room(kind, room)
    _check_client(client)
    if status not in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED):
        raise ValidationError(_("A new booking is either requested or confirmed."), code="status")
    outside = _check_availability(
        counselor=counselor, start=start, end=end, by=by, confirm_outside_availability=confirm_outside_availability
    )

    def write():
        _lock(counselor, room)
        _check_conflicts(counselor=counselor, room=room, start=start, end=end)
        booking = Booking.objects.create(
            counselor=counselor,
            client=client,
            room=room,
            start=start,
            end=end,
            kind=kind,
            status=status,
            outside_availability=outside,
            project=project,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        # No assignment to her counselors: a booking opens her file only while it is recent (rules.py).
        audit_record(actor=by, action=AuditAction.CREATE, obj=booking, request=request)
        return booking

    try:
        booking = _serialised(write)
    except IntegrityError as exc:
        raise _integrity_to_validation(exc, counselor=counselor, room=room) from exc
    logger.info("booking %s created", booking.pk)
    return booking


def _check_open(booking: Booking, message: str) -> None:
    if booking.status not in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED):
        raise ValidationError(message, code="status")


def _check_period(booking: Booking, start: datetime) -> None:
    # Activity a submitted or locked report counts must not move, into or out of its period.
    period_guard(project_id=booking.project_id, on_date=dates.local_date(start))


def booking_reschedule(
    *,
    booking: Booking,
    start: datetime,
    end: datetime,
    room: Room | None,
    by,
    confirm_outside_availability: bool = False,
    request=None,
) -> Booking:
    _require(by, "counseling.change_booking", booking)
    _check_open(booking, _("Only a requested or confirmed booking can be rescheduled."))
    _check_times(start, end)
    _check_room(booking.kind, room)
    _check_client(booking.client)
    _check_period(booking, booking.start)
    _check_period(booking, start)
    counselor = booking.counselor
    outside = _check_availability(
        counselor=counselor, start=start, end=end, by=by, confirm_outside_availability=confirm_outside_availability
    )

    def write():
        _lock(counselor, room)
        _check_conflicts(counselor=counselor, room=room, start=start, end=end, exclude_pk=booking.pk)
        booking.start, booking.end, booking.room, booking.outside_availability = start, end, room, outside
        # A new time deserves a new reminder. The calendar SEQUENCE goes up in Booking.save.
        booking.counselor_reminded_at = booking.client_reminded_at = None
        booking.save(
            update_fields=[
                "start",
                "end",
                "room",
                "outside_availability",
                "counselor_reminded_at",
                "client_reminded_at",
            ]
        )
        audit_record(actor=by, action=AuditAction.CHANGE, obj=booking, request=request, detail="time")

    try:
        _serialised(write)
    except IntegrityError as exc:
        booking.refresh_from_db()  # the times set above were not saved
        raise _integrity_to_validation(exc, counselor=counselor, room=room) from exc
    return booking


CANCEL_REASON_MAX = Booking._meta.get_field("cancel_reason").max_length


def booking_cancel(*, booking: Booking, reason: str, by, request=None) -> Booking:
    _require(by, "counseling.change_booking", booking)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the booking is cancelled."), code="reason_missing")
    if len(reason) > CANCEL_REASON_MAX:
        raise ValidationError(
            _("Keep the reason to %(count)s characters.") % {"count": CANCEL_REASON_MAX}, code="reason_long"
        )
    _check_open(booking, _("Only a requested or confirmed booking can be cancelled."))
    _check_period(booking, booking.start)
    with transaction.atomic():
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = reason
        booking.save(update_fields=["status", "cancel_reason"])  # the calendar SEQUENCE goes up in save
        audit_record(actor=by, action=AuditAction.CHANGE, obj=booking, request=request, detail="cancel")
    return booking


def booking_confirm(*, booking: Booking, by, request=None) -> Booking:
    _require(by, "counseling.change_booking", booking)
    if booking.status != BookingStatus.REQUESTED:
        raise ValidationError(_("Only a requested booking can be confirmed."), code="status")
    with transaction.atomic():
        booking.status = BookingStatus.CONFIRMED
        booking.save(update_fields=["status"])
        audit_record(actor=by, action=AuditAction.CHANGE, obj=booking, request=request, detail="confirmed")
    return booking


def booking_mark(*, booking: Booking, status: str, by, now: datetime | None = None, request=None) -> Booking:
    """Record what happened: held or no-show. Only once the session has begun."""
    _require(by, "counseling.change_booking", booking)
    if status not in MARKABLE_STATUSES:
        raise ValidationError(_("Mark a session as held or as a no-show."), code="status")
    if booking.status not in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED, *MARKABLE_STATUSES):
        raise ValidationError(_("A cancelled booking cannot be marked."), code="status")
    if booking.start > (now or dates.now()):
        raise ValidationError(_("The session has not begun yet: mark it once it has taken place."), code="future")

    # Held sessions are counted in donor reports: a submitted or locked period's count must not move.
    def guard():
        period_guard(project_id=booking.project_id, on_date=dates.local_date(booking.start))

    guard()
    with period_lock_words(guard), transaction.atomic():
        booking.status = status
        booking.save(update_fields=["status"])
        audit_record(actor=by, action=AuditAction.CHANGE, obj=booking, request=request, detail="marked")
    return booking


def booking_notes_save(*, booking: Booking, notes: str, by, request=None) -> Booking:
    _require(by, "counseling.view_booking_notes", booking)
    with transaction.atomic():
        booking.notes = notes.strip()
        booking.save(update_fields=["notes"])
        audit_record(actor=by, action=AuditAction.CHANGE, obj=booking, request=request, detail="notes")
    return booking


# Clients ----------------------------------------------------------------------------------------------------

CLIENT_FIELDS = (
    "alias",
    "preferred_language",
    "children_count",
    "age_band",
    "municipality",
    "target_group",
    "interpreter_needed",
    "interpreter_language",
    "contact_channel",
    "contact_address",
    "safe_contact_instructions",
    "safe_times",
    "safe_from",
    "safe_until",
    "messages_may_name_purpose",
)
# Only for those who may assign her counselors (coordinators): her code and whether her file is open.
CLIENT_ASSIGN_FIELDS = ("code", "active")


def client_code_new() -> str:
    # Random, not sequential: the code must not reveal how many women the organisation counsels.
    while True:
        code = "K-" + secrets.token_hex(3).upper()
        if not Client.objects.filter(code=code).exists():
            return code


def _client_values(values: dict, by) -> dict:
    allowed = CLIENT_FIELDS + (CLIENT_ASSIGN_FIELDS if _may(by, "counseling.assign_client") else ())
    return {key: value for key, value in values.items() if key in allowed}


def _client_validate(values: dict, *, pk=None) -> None:
    if not (values.get("alias") or "").strip():
        raise ValidationError(_("An alias is enough, but it is needed."), code="alias_missing")
    for name, value in values.items():
        limit = getattr(Client._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise ValidationError(
                _("%(field)s: at most %(count)s characters.")
                % {"field": Client._meta.get_field(name).verbose_name, "count": limit},
                code="too_long",
            )
    if values.get("age_band") and values["age_band"] not in AgeBand.values:
        raise ValidationError(_("Choose an age band from the list."), code="age_band")
    if values.get("target_group") and values["target_group"] not in TargetGroup.values:
        raise ValidationError(_("Choose a target group from the list."), code="target_group")
    channel = values.get("contact_channel") or ContactChannel.NEVER
    if channel != ContactChannel.NEVER and not (values.get("contact_address") or "").strip():
        raise ValidationError(_("Give the number or address for her safe channel, or choose “never”."))
    if bool(values.get("safe_from")) != bool(values.get("safe_until")):
        raise ValidationError(_("Give both ends of her safe time for messages, or neither."))
    if values.get("interpreter_needed") and not (values.get("interpreter_language") or "").strip():
        raise ValidationError(_("Say which language she needs interpreted."), code="interpreter_language")
    code = values.get("code")
    if code is not None and Client.objects.filter(code=code).exclude(pk=pk).exists():
        raise ValidationError(_("Another client has this code."), code="code_taken")


def client_create(*, by, counselors=(), request=None, audit_detail="", **values) -> Client:
    """Open her file. A counselor who opens it is assigned to her; a coordinator chooses her counselors."""
    _require(by, "counseling.add_client")
    values = _client_values(values, by)
    _client_validate(values)
    with transaction.atomic():
        client = Client.objects.create(**{"code": client_code_new(), **values})
        if _may(by, "counseling.assign_client"):
            chosen = list(counselors)
        else:
            chosen = list(CounselorProfile.objects.filter(user=by)[:1])
        if chosen:
            client.counselors.add(*chosen)
        audit_record(actor=by, action=AuditAction.CREATE, obj=client, request=request, detail=audit_detail)
    return client


def client_update(*, client: Client, by, counselors=None, request=None, **values) -> Client:
    """Change her file. Her counselors, her code and whether her file is open change only for coordinators."""
    _require(by, "counseling.change_client", client)
    values = _client_values(values, by)
    merged = {field: getattr(client, field) for field in CLIENT_FIELDS} | values
    _client_validate(merged, pk=client.pk)
    for key, value in values.items():
        setattr(client, key, value)
    with transaction.atomic():
        client.save()
        if counselors is not None and _may(by, "counseling.assign_client"):
            client.counselors.set(counselors)
        audit_record(actor=by, action=AuditAction.CHANGE, obj=client, request=request)
    return client


# Intake -----------------------------------------------------------------------------------------------------


def intake_submit(*, alias: str, preferred_language: str, safe_contact: str, safe_times: str = "", needs: str = ""):
    """Her request from the public form. Refused whole (nothing saved) when a field is missing or too long."""
    values = {"alias": alias, "safe_contact": safe_contact, "safe_times": safe_times, "needs": needs}
    values = {name: (value or "").strip() for name, value in values.items()}
    if not values["alias"] or not values["safe_contact"]:
        raise ValidationError(_("Tell us what to call you and a safe way to reach you."), code="missing")
    for name, value in values.items():
        limit = IntakeRequest._meta.get_field(name).max_length
        if len(value) > limit:
            raise ValidationError(
                _("Please shorten your message: each answer may be at most %(count)s characters.") % {"count": limit},
                code="too_long",
            )
    if preferred_language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a language from the list."), code="language")
    return IntakeRequest.objects.create(preferred_language=preferred_language, **values)


def intake_accept(*, intake: IntakeRequest, by, counselors=(), request=None) -> Client:
    """Turn an intake request into a client: what she wrote about contact becomes the safe-contact note."""
    _require(by, "counseling.change_intakerequest", intake)
    if intake.status != IntakeStatus.NEW:
        raise ValidationError(_("This request has already been handled."))
    instructions = "\n".join(
        part
        for part in (
            _("Safe way to contact: %(way)s") % {"way": intake.safe_contact},
            _("Safe times: %(times)s") % {"times": intake.safe_times} if intake.safe_times else "",
            _("Asked for help with: %(needs)s") % {"needs": intake.needs} if intake.needs else "",
        )
        if part
    )
    with transaction.atomic():
        client = client_create(
            by=by,
            counselors=counselors,
            request=request,
            audit_detail="from intake",
            alias=intake.alias[: Client._meta.get_field("alias").max_length],
            preferred_language=intake.preferred_language,
            safe_contact_instructions=instructions,
        )
        intake.status = IntakeStatus.ACCEPTED
        intake.client = client
        intake.handled_by = by
        intake.handled_at = dates.now()
        intake.save(update_fields=["status", "client", "handled_by", "handled_at"])
        audit_record(actor=by, action=AuditAction.CHANGE, obj=intake, request=request, detail="accepted")
    return client


def intake_close(*, intake: IntakeRequest, by, request=None) -> IntakeRequest:
    _require(by, "counseling.change_intakerequest", intake)
    if intake.status != IntakeStatus.NEW:
        raise ValidationError(_("This request has already been handled."))
    with transaction.atomic():
        intake.status = IntakeStatus.CLOSED
        intake.handled_by = by
        intake.handled_at = dates.now()
        intake.save(update_fields=["status", "handled_by", "handled_at"])
        audit_record(actor=by, action=AuditAction.CHANGE, obj=intake, request=request, detail="closed")
    return intake


# Messages ---------------------------------------------------------------------------------------------------


def _is_safe_time(client: Client, now: datetime) -> bool:
    if client.safe_from is None or client.safe_until is None:
        return True
    moment = dates.local_time(now).time()
    if client.safe_from <= client.safe_until:
        return client.safe_from <= moment <= client.safe_until
    return moment >= client.safe_from or moment <= client.safe_until  # a window across midnight


def client_reminder_message(*, booking: Booking) -> tuple[str, str, str]:
    """(from, subject, body) for her reminder; neutral unless she chose messages that name the purpose."""
    client = booking.client
    when = dates.local_time(booking.start)
    with translation.override(client.preferred_language):
        day = formats.date_format(when, "DATE_FORMAT")
        hour = formats.time_format(when, "TIME_FORMAT")
        if client.messages_may_name_purpose:
            subject = _("Reminder: your counseling session on %(day)s") % {"day": day}
            body = _("This is a reminder of your counseling session on %(day)s at %(hour)s%(place)s.") % {
                "day": day,
                "hour": hour,
                "place": f" ({booking.room.location or booking.room.name})" if booking.room else "",
            }
            sender = settings.DEFAULT_FROM_EMAIL
        else:
            subject = _("Your appointment on %(day)s") % {"day": day}
            body = _("This is a reminder of your appointment on %(day)s at %(hour)s.") % {"day": day, "hour": hour}
            sender = settings.NEUTRAL_FROM_EMAIL
    return sender, subject, body


def client_reminder_send(*, booking: Booking, now: datetime | None = None) -> MessageOutcome:
    """Send her a reminder only through her safe channel, at a safe time; by default never."""
    client = booking.client
    now = now or dates.now()
    if client.contact_channel == ContactChannel.NEVER:
        return MessageOutcome.NEVER
    if not _is_safe_time(client, now):
        return MessageOutcome.NOT_SAFE_NOW
    if not client.contact_address:
        return MessageOutcome.NO_ADDRESS
    if client.contact_channel != ContactChannel.EMAIL:
        # No SMS or telephony gateway is configured; a person calls her instead.
        return MessageOutcome.NO_GATEWAY
    sender, subject, body = client_reminder_message(booking=booking)
    EmailMessage(subject=subject, body=body, from_email=sender, to=[client.contact_address]).send()
    booking.client_reminded_at = now
    booking.save(update_fields=["client_reminded_at"])
    return MessageOutcome.SENT


def _bookings_on(day: date):
    start, end = day_bounds(day)
    return Booking.objects.filter(
        start__gte=start, start__lt=end, status__in=(BookingStatus.REQUESTED, BookingStatus.CONFIRMED)
    )


def counselor_reminders_send(*, day: date) -> int:
    """One email per counselor listing her sessions on `day`. Subjects name no client; bodies use codes."""
    bookings = list(
        _bookings_on(day)
        .filter(counselor_reminded_at__isnull=True)
        .select_related("counselor__user__profile", "room", "client")
        .order_by("counselor_id", "start")
    )
    by_counselor: dict[int, list[Booking]] = {}
    for booking in bookings:
        by_counselor.setdefault(booking.counselor_id, []).append(booking)
    sent = 0
    for items in by_counselor.values():
        user = items[0].counselor.user
        if not user.email:
            continue
        language = getattr(getattr(user, "profile", None), "preferred_language", None) or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = _("Your sessions on %(day)s") % {"day": formats.date_format(day, "DATE_FORMAT")}
            lines = [
                "{start}-{end}  {kind}  {place}  {code}".format(
                    start=formats.time_format(dates.local_time(b.start), "H:i"),
                    end=formats.time_format(dates.local_time(b.end), "H:i"),
                    kind=b.get_kind_display(),
                    place=b.room.name if b.room else _("home visit"),
                    code=b.client.code,
                )
                for b in items
            ]
            body = "\n".join([_("Your sessions:"), "", *lines])
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send()
        Booking.objects.filter(pk__in=[b.pk for b in items]).update(counselor_reminded_at=dates.now())
        sent += 1
    return sent


def client_reminders_send(*, day: date, now: datetime | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for booking in _bookings_on(day).filter(client_reminded_at__isnull=True).select_related("client", "room"):
        outcome = client_reminder_send(booking=booking, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
