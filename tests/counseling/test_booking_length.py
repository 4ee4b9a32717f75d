"""A booking lasts at most a day, at every door: the pages (one day, from and until, even the night the clocks
go back), the Wagtail admin (it has no times to change), the services, the ORM and the database. The bound
lets "the bookings of these days" be read through the start index (Booking.objects.overlapping)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from counseling import services
from counseling.enums import SessionKind
from counseling.models import BOOKING_LONGEST, Booking
from tests.counseling.conftest import at

pytestmark = pytest.mark.django_db

TOO_LONG = "A booking lasts at most a day."


def _book(profile, client, start, end, by):
    return services.booking_create(
        counselor=profile,
        client=client,
        room=None,
        start=start,
        end=end,
        kind=SessionKind.HOME_VISIT,
        by=by,
        confirm_outside_availability=True,
    )


def test_a_whole_day_is_booked_through_the_form_the_night_the_clocks_go_back(
    clock, django_app, coordinator, profile, her_client
):
    """00:00 to 23:59 on 31 October 2027 is 24 hours and 59 minutes: the longest booking a form can make."""
    clock(dt.date(2027, 10, 20))
    page = django_app.get(reverse("counseling:booking_new"), user=coordinator)
    form = next(form for form in page.forms.values() if "client" in form.fields)
    form["counselor"] = str(profile.pk)
    form["client"] = str(her_client.pk)
    form["kind"] = SessionKind.HOME_VISIT
    form["date"] = "2027-10-31"
    form["start_time"], form["end_time"] = "00:00", "23:59"
    form["confirm_outside_availability"] = True
    assert form.submit().status_code == 302
    booking = Booking.objects.get()
    assert booking.end - booking.start == dt.timedelta(hours=24, minutes=59) <= BOOKING_LONGEST


def test_the_admin_offers_no_times_to_lengthen_a_booking(admin, coordinator_permissions, profile, her_client, monday):
    booking = _book(profile, her_client, at(monday, 10), at(monday, 11), profile.user)
    page = admin(reverse("counseling_bookings:edit", args=[booking.pk]))
    fields = {name for form in page.forms.values() for name in form.fields}
    assert "reason" in fields and not fields & {"start", "end", "date", "start_time", "end_time"}


def test_the_services_refuse_a_booking_longer_than_a_day(coordinator, profile, her_client, monday):
    start = at(monday, 10)
    with pytest.raises(ValidationError, match=TOO_LONG):
        _book(profile, her_client, start, start + BOOKING_LONGEST + dt.timedelta(minutes=1), coordinator)
    assert not Booking.objects.exists()

    booking = _book(profile, her_client, start, at(monday, 11), coordinator)
    with pytest.raises(ValidationError, match=TOO_LONG):
        services.booking_reschedule(
            booking=booking, start=start, end=start + dt.timedelta(days=2), room=None, by=coordinator
        )
    booking.refresh_from_db()
    assert booking.end == at(monday, 11) and booking.sequence == 0


def test_the_orm_and_the_database_refuse_a_booking_longer_than_a_day(profile, her_client, monday):
    start = at(monday, 10)
    values = {"counselor": profile, "client": her_client, "kind": SessionKind.HOME_VISIT, "start": start}
    too_long = start + BOOKING_LONGEST + dt.timedelta(seconds=1)
    with pytest.raises(ValidationError, match=TOO_LONG):
        Booking.objects.create(**values, end=too_long)
    with pytest.raises(ValidationError) as refused:
        Booking(**values, end=too_long).full_clean()
    assert TOO_LONG in str(refused.value)
    # A bulk insert, which calls no save(): the queryset refuses it in the same words.
    with pytest.raises(ValidationError, match=TOO_LONG), transaction.atomic():
        Booking.objects.bulk_create([Booking(**values, end=too_long)])
    assert not Booking.objects.exists()

    booking = Booking.objects.create(**values, end=start + BOOKING_LONGEST)  # exactly the longest is fine
    # Past the ORM's checks (an end only the database works out): the database's own constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(end=F("end") + dt.timedelta(seconds=1))
    booking.refresh_from_db()
    assert booking.end == start + BOOKING_LONGEST


def test_overlapping_finds_the_longest_booking_that_began_the_day_before(make_counselor, her_client, monday):
    window_start, window_end = at(monday, 0), at(monday + dt.timedelta(days=7), 0)

    def book(start, end):  # each her own counselor: PostgreSQL keeps one counselor's bookings apart
        return Booking.objects.create(
            counselor=make_counselor(), client=her_client, kind=SessionKind.HOME_VISIT, start=start, end=end
        )

    minute, hour = dt.timedelta(minutes=1), dt.timedelta(hours=1)
    longest = book(window_start - BOOKING_LONGEST + minute, window_start + minute)
    book(window_start - BOOKING_LONGEST, window_start)  # ends as the days start
    inside = book(at(monday, 10), at(monday, 11))
    last = book(window_end - hour, window_end + 2 * hour)
    book(window_end, window_end + hour)  # starts as they end
    assert set(Booking.objects.overlapping(window_start, window_end)) == {longest, inside, last}
