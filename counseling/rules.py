"""Who may do what in counseling, and the querysets scoped to the user that every view starts from.

Views and services ask `user.has_perm("counseling.<action>_<model>", obj)`; a lookup by id goes through one of
the `*_for(user)` querysets below first, so a foreign id is a 404 before any rule is asked.

Her file (a client) is open to coordinators and to a counselor who works with her now:
- a counselor assigned to her (`Client.counselors`: chosen by a coordinator, or the counselor who opened
  her file), as long as the assignment stands;
- a counselor with a booking with her (not cancelled) that starts no earlier than
  `HAVEN_CLIENT_ACCESS_DAYS` days ago, upcoming bookings included;
- whoever an app above counseling says works with her now: cases registers its case roles (lead counselor,
  co-workers) through `client_access_register`, since counseling may not import cases.
A booking made long ago, or a cancelled one, opens nothing.
"""

from collections.abc import Callable
from datetime import timedelta

import rules
from django.conf import settings
from django.db.models import Q

from accounts.rules import is_coordinator, is_counselor
from core import dates
from counseling.enums import BookingStatus
from counseling.models import CLIENT_SECRETS, Booking, Client, CounselorProfile

# name -> extension(user) -> Q over Client: further clients whose file she may open.
_client_access_extensions: dict[str, Callable] = {}


def client_access_register(name: str, extension: Callable) -> None:
    """Let an app above counseling open more files: `extension(user)` returns a `Q` over `Client`.

    Return `Q(pk__in=<queryset of client ids>)` rather than a join, so that no client is listed twice.
    Registering again under the same name replaces the extension (so `ready()` may run twice).
    """
    _client_access_extensions[name] = extension


def client_access_since():
    """Bookings that start at or after this moment open her file to the booking's counselor."""
    return dates.now() - timedelta(days=settings.HAVEN_CLIENT_ACCESS_DAYS)


def client_access(user) -> Q:
    """The clients whose file this counselor may open now (see the module's docstring)."""
    assigned = Client.counselors.through.objects.filter(counselorprofile__user=user).values("client_id")
    booked = (
        Booking.objects.filter(counselor__user=user, start__gte=client_access_since())
        .exclude(status=BookingStatus.CANCELLED)
        .values("client_id")
    )
    access = Q(pk__in=assigned) | Q(pk__in=booked)
    for extension in _client_access_extensions.values():
        access |= extension(user)
    return access


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


# Querysets scoped to the user --------------------------------------------------------------------------------


def counselors_for(user):
    """Counselors the user may book for: every active one for coordinators, herself for a counselor."""
    qs = CounselorProfile.objects.filter(active=True).select_related("user__profile")
    if is_coordinator(user):
        return qs
    if is_counselor(user):
        return qs.filter(user=user)
    return qs.none()


def clients_for(user):
    """Every client for coordinators; for a counselor, the clients she works with now."""
    if is_coordinator(user):
        return Client.objects.all()
    if is_counselor(user) and _signed_in(user):
        return Client.objects.filter(client_access(user))
    return Client.objects.none()


def bookings_for(user):
    """Every booking for coordinators; her own for a counselor (her calendar and her notes stay hers)."""
    qs = Booking.objects.select_related("counselor__user__profile", "room", "client").defer(*CLIENT_SECRETS)
    if is_coordinator(user):
        return qs
    if is_counselor(user):
        return qs.filter(counselor__user=user)
    return qs.none()


# Predicates --------------------------------------------------------------------------------------------------


@rules.predicate
def is_booking_counselor(user, booking):
    return booking is not None and booking.counselor.user_id == user.pk


@rules.predicate
def is_that_counselor(user, counselor):
    return counselor is not None and counselor.user_id == user.pk


@rules.predicate
def works_with_client(user, client):
    return client is not None and _signed_in(user) and clients_for(user).filter(pk=client.pk).exists()


@rules.predicate
def is_open_booking(user, booking):
    return booking is not None and booking.status in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


rules.add_perm("counseling.add_booking", is_coordinator | is_counselor)
# Whose calendar a booking may go into: anyone's for coordinators, her own for a counselor.
rules.add_perm("counseling.book_with_counselor", is_coordinator | (is_counselor & is_that_counselor))
rules.add_perm("counseling.view_booking", is_coordinator | is_booking_counselor)
rules.add_perm("counseling.change_booking", is_coordinator | is_booking_counselor)
# Moving or cancelling: only a booking that is still requested or confirmed.
rules.add_perm("counseling.reschedule_booking", (is_coordinator | is_booking_counselor) & is_open_booking)
rules.add_perm("counseling.cancel_booking", (is_coordinator | is_booking_counselor) & is_open_booking)
# Session notes: only the counselor of the booking and coordinators.
rules.add_perm("counseling.view_booking_notes", is_coordinator | is_booking_counselor)
rules.add_perm("counseling.override_availability", is_coordinator)
rules.add_perm("counseling.find_slots", is_coordinator | is_counselor)
rules.add_perm("counseling.view_own_sessions", is_counselor)
rules.add_perm("counseling.list_client", is_coordinator | is_counselor)
rules.add_perm("counseling.add_client", is_coordinator | is_counselor)
rules.add_perm("counseling.view_client", is_coordinator | works_with_client)
rules.add_perm("counseling.change_client", is_coordinator | works_with_client)
# Choosing her counselors and closing or reopening her file.
rules.add_perm("counseling.assign_client", is_coordinator)
rules.add_perm("counseling.view_intakerequest", is_coordinator)
rules.add_perm("counseling.change_intakerequest", is_coordinator)
