"""Writes for counseling. Every booking goes through booking_create / booking_reschedule, which guarantee
that nobody is double-booked: a check inside a write transaction (serialised on SQLite by IMMEDIATE
transactions, on PostgreSQL by row locks) backed by exclusion constraints on PostgreSQL.
"""

import logging
import secrets
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.roles import has_role
from core import dates
from counseling.enums import (
    ACTIVE_BOOKING_STATUSES,
    MARKABLE_STATUSES,
    BookingStatus,
    ContactChannel,
    IntakeStatus,
    MessageOutcome,
    SessionKind,
)
from counseling.models import Booking, Client, CounselorProfile, IntakeRequest, Room
from counseling.selectors import availability_problems, day_bounds
from reporting.services import period_guard

logger = logging.getLogger(__name__)

LOCK_RETRIES = 40

OVERLAP_CONSTRAINTS = {
    "booking_counselor_no_overlap": "counselor",
    "booking_room_no_overlap": "room",
}


def _counselor_busy_message(counselor):
    return _(
        "%(counselor)s already has a booking at this time (counting %(minutes)s minutes' buffer before and after)."
    ) % {"counselor": counselor, "minutes": counselor.buffer_minutes}


def _room_busy_message(room):
    return _("The room %(room)s is already booked at this time.") % {"room": room}


def _check_times(start: datetime, end: datetime) -> None:
    if start is None or end is None:
        raise ValidationError(_("Give a start and an end."), code="times_missing")
    if end <= start:
        raise ValidationError(_("The end must be after the start."), code="end_before_start")


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
    if confirm_outside_availability and has_role(by, Role.COORDINATOR):
        return True
    if has_role(by, Role.COORDINATOR):
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
    if active.filter(counselor=counselor, start__lt=end + buffer, end__gt=start - buffer).exists():
        raise ValidationError(_counselor_busy_message(counselor), code="counselor_busy")
    if room is not None and active.filter(room=room, start__lt=end, end__gt=start).exists():
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
) -> Booking:
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
        client.counselors.add(counselor)
        return booking

    try:
        booking = _serialised(write)
    except IntegrityError as exc:
        raise _integrity_to_validation(exc, counselor=counselor, room=room) from exc
    logger.info("booking %s created", booking.pk)
    return booking


def booking_reschedule(
    *,
    booking: Booking,
    start: datetime,
    end: datetime,
    room: Room | None,
    by,
    confirm_outside_availability: bool = False,
) -> Booking:
    if booking.status not in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED):
        raise ValidationError(_("Only a requested or confirmed booking can be rescheduled."), code="status")
    _check_times(start, end)
    _check_room(booking.kind, room)
    _check_client(booking.client)
    counselor = booking.counselor
    outside = _check_availability(
        counselor=counselor, start=start, end=end, by=by, confirm_outside_availability=confirm_outside_availability
    )

    def write():
        _lock(counselor, room)
        _check_conflicts(counselor=counselor, room=room, start=start, end=end, exclude_pk=booking.pk)
        Booking.objects.filter(pk=booking.pk).update(
            start=start,
            end=end,
            room=room,
            outside_availability=outside,
            sequence=booking.sequence + 1,
            # A new time deserves a new reminder.
            counselor_reminded_at=None,
            client_reminded_at=None,
        )

    try:
        _serialised(write)
    except IntegrityError as exc:
        raise _integrity_to_validation(exc, counselor=counselor, room=room) from exc
    booking.refresh_from_db()
    return booking


def booking_cancel(*, booking: Booking, reason: str, by) -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the booking is cancelled."), code="reason_missing")
    if booking.status not in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED):
        raise ValidationError(_("Only a requested or confirmed booking can be cancelled."), code="status")
    booking.status = BookingStatus.CANCELLED
    booking.cancel_reason = reason[:255]
    booking.sequence += 1
    booking.save(update_fields=["status", "cancel_reason", "sequence"])
    return booking


def booking_confirm(*, booking: Booking, by) -> Booking:
    if booking.status != BookingStatus.REQUESTED:
        raise ValidationError(_("Only a requested booking can be confirmed."), code="status")
    booking.status = BookingStatus.CONFIRMED
    booking.save(update_fields=["status"])
    return booking


def booking_mark(*, booking: Booking, status: str, by, now: datetime | None = None) -> Booking:
    """Record what happened: held or no-show. Only once the session has begun."""
    if status not in MARKABLE_STATUSES:
        raise ValidationError(_("Mark a session as held or as a no-show."), code="status")
    if booking.status not in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED, *MARKABLE_STATUSES):
        raise ValidationError(_("A cancelled booking cannot be marked."), code="status")
    if booking.start > (now or dates.now()):
        raise ValidationError(_("The session has not begun yet: mark it once it has taken place."), code="future")
    # Held sessions are counted in donor reports: a submitted or locked period's count must not move.
    period_guard(project_id=booking.project_id, on_date=dates.local_date(booking.start))
    booking.status = status
    booking.save(update_fields=["status"])
    return booking


def booking_notes_save(*, booking: Booking, notes: str, by) -> Booking:
    booking.notes = notes.strip()
    booking.save(update_fields=["notes"])
    return booking


# Clients ----------------------------------------------------------------------------------------------------

CLIENT_FIELDS = (
    "alias",
    "preferred_language",
    "children_count",
    "contact_channel",
    "contact_address",
    "safe_contact_instructions",
    "safe_times",
    "safe_from",
    "safe_until",
    "messages_may_name_purpose",
)


def client_code_new() -> str:
    # Random, not sequential: the code must not reveal how many women the organisation counsels.
    while True:
        code = "K-" + secrets.token_hex(3).upper()
        if not Client.objects.filter(code=code).exists():
            return code


def _client_validate(values: dict) -> None:
    channel = values.get("contact_channel") or ContactChannel.NEVER
    if channel != ContactChannel.NEVER and not (values.get("contact_address") or "").strip():
        raise ValidationError(_("Give the number or address for her safe channel, or choose “never”."))
    if bool(values.get("safe_from")) != bool(values.get("safe_until")):
        raise ValidationError(_("Give both ends of her safe time for messages, or neither."))


def client_create(*, by, counselors=(), **values) -> Client:
    values = {key: value for key, value in values.items() if key in CLIENT_FIELDS}
    if not (values.get("alias") or "").strip():
        raise ValidationError(_("An alias is enough, but it is needed."))
    _client_validate(values)
    with transaction.atomic():
        client = Client.objects.create(code=client_code_new(), **values)
        own = CounselorProfile.objects.filter(user=by).first()
        chosen = list(counselors) if has_role(by, Role.COORDINATOR) else []
        if own is not None and not has_role(by, Role.COORDINATOR):
            chosen.append(own)
        if chosen:
            client.counselors.add(*chosen)
    return client


def client_update(*, client: Client, by, counselors=None, **values) -> Client:
    values = {key: value for key, value in values.items() if key in CLIENT_FIELDS}
    merged = {field: getattr(client, field) for field in CLIENT_FIELDS} | values
    _client_validate(merged)
    for key, value in values.items():
        setattr(client, key, value)
    with transaction.atomic():
        client.save()
        if counselors is not None and has_role(by, Role.COORDINATOR):
            client.counselors.set(counselors)
    return client


# Intake -----------------------------------------------------------------------------------------------------


def intake_submit(*, alias: str, preferred_language: str, safe_contact: str, safe_times: str = "", needs: str = ""):
    if not alias.strip() or not safe_contact.strip():
        raise ValidationError(_("Tell us what to call you and a safe way to reach you."))
    return IntakeRequest.objects.create(
        alias=alias.strip()[:100],
        preferred_language=preferred_language,
        safe_contact=safe_contact.strip(),
        safe_times=safe_times.strip(),
        needs=needs.strip(),
    )


def intake_accept(*, intake: IntakeRequest, by, counselors=()) -> Client:
    """Turn an intake request into a client: what she wrote about contact becomes the safe-contact note."""
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
            alias=intake.alias,
            preferred_language=intake.preferred_language,
            safe_contact_instructions=instructions,
        )
        intake.status = IntakeStatus.ACCEPTED
        intake.client = client
        intake.handled_by = by
        intake.handled_at = dates.now()
        intake.save(update_fields=["status", "client", "handled_by", "handled_at"])
    return client


def intake_close(*, intake: IntakeRequest, by) -> IntakeRequest:
    if intake.status != IntakeStatus.NEW:
        raise ValidationError(_("This request has already been handled."))
    intake.status = IntakeStatus.CLOSED
    intake.handled_by = by
    intake.handled_at = dates.now()
    intake.save(update_fields=["status", "handled_by", "handled_at"])
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
