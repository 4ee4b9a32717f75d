from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from counseling import services
from counseling.enums import BookingStatus, SessionKind
from counseling.models import AvailabilityException, Booking, Client
from tests.counseling.conftest import at

pytestmark = pytest.mark.django_db


def book(profile, client, room, start, end, by, kind=SessionKind.EXPERIENTIAL, **kwargs):
    return services.booking_create(
        counselor=profile, client=client, room=room, start=start, end=end, kind=kind, by=by, **kwargs
    )


def test_booking_create_happy_path_opens_her_file_without_assigning_her(
    profile, make_client, room, monday, coordinator, counselor
):
    client = make_client()
    booking = book(profile, client, room, at(monday, 10), at(monday, 11), coordinator)
    assert booking.status == BookingStatus.CONFIRMED
    assert not booking.outside_availability
    # The booking opens her file to the counselor while it is recent; it does not assign her for good.
    assert profile not in client.counselors.all()
    assert counselor.has_perm("counseling.view_client", client)


@pytest.mark.parametrize(
    ("start_h", "end_h", "message"),
    [
        (10, 10, "end must be after the start"),
        (11, 10, "end must be after the start"),
    ],
)
def test_end_before_start_is_refused(profile, her_client, room, monday, counselor, start_h, end_h, message):
    with pytest.raises(ValidationError, match=message):
        book(profile, her_client, room, at(monday, start_h), at(monday, end_h), counselor)
    assert not Booking.objects.exists()


def test_overlapping_counselor_booking_is_refused(profile, make_client, room, monday, counselor, db):
    from counseling.models import Room

    other_room = Room.objects.create(name="Soba 2")
    book(profile, make_client(counselors=[profile]), room, at(monday, 10), at(monday, 11), counselor)
    with pytest.raises(ValidationError, match="already has a booking"):
        book(profile, make_client(counselors=[profile]), other_room, at(monday, 10, 30), at(monday, 11, 30), counselor)
    assert Booking.objects.count() == 1


def test_buffer_minutes_apply_around_her_bookings(profile, make_client, room, monday, counselor):
    from counseling.models import Room

    other_room = Room.objects.create(name="Soba 2")
    book(profile, make_client(counselors=[profile]), room, at(monday, 10), at(monday, 11), counselor)
    # 15 minutes' buffer: 11:10 is too close, 11:15 is fine.
    with pytest.raises(ValidationError, match="buffer"):
        book(profile, make_client(counselors=[profile]), other_room, at(monday, 11, 10), at(monday, 12), counselor)
    book(profile, make_client(counselors=[profile]), other_room, at(monday, 11, 15), at(monday, 12), counselor)
    assert Booking.objects.count() == 2


def test_room_double_booking_is_refused(profile, make_counselor, make_client, room, monday, coordinator):
    other = make_counselor()
    book(profile, make_client(), room, at(monday, 10), at(monday, 11), coordinator)
    with pytest.raises(ValidationError, match="room Soba 1 is already booked"):
        book(other, make_client(), room, at(monday, 10, 30), at(monday, 11, 30), coordinator)
    assert Booking.objects.count() == 1


def test_cancelled_booking_frees_the_time(profile, make_client, room, monday, counselor):
    first = book(profile, make_client(counselors=[profile]), room, at(monday, 10), at(monday, 11), counselor)
    services.booking_cancel(booking=first, reason="She asked to move it", by=counselor)
    book(profile, make_client(counselors=[profile]), room, at(monday, 10), at(monday, 11), counselor)
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1


def test_case_based_needs_a_trained_counselor(make_counselor, make_client, room, monday, coordinator):
    untrained = make_counselor(trained=False)
    with pytest.raises(ValidationError, match="trained for work with victims of violence"):
        book(untrained, make_client(), room, at(monday, 10), at(monday, 11), coordinator, kind=SessionKind.CASE_BASED)
    assert not Booking.objects.exists()


def test_kind_she_does_not_hold_is_refused(make_counselor, make_client, room, monday, coordinator):
    profile = make_counselor(kinds=[SessionKind.AFTERCARE])
    with pytest.raises(ValidationError, match="does not hold this kind"):
        book(profile, make_client(), room, at(monday, 10), at(monday, 11), coordinator)


def test_closed_client_is_refused(profile, make_client, room, monday, coordinator):
    client = make_client(active=False)
    with pytest.raises(ValidationError, match="file is closed"):
        book(profile, client, room, at(monday, 10), at(monday, 11), coordinator)
    assert not Booking.objects.exists()


def test_home_visit_has_no_room_and_others_need_one(profile, her_client, room, monday, counselor):
    with pytest.raises(ValidationError, match="home visit"):
        book(profile, her_client, room, at(monday, 10), at(monday, 11), counselor, kind=SessionKind.HOME_VISIT)
    with pytest.raises(ValidationError, match="Choose a room"):
        book(profile, her_client, None, at(monday, 10), at(monday, 11), counselor)
    visit = book(profile, her_client, None, at(monday, 10), at(monday, 11), counselor, kind=SessionKind.HOME_VISIT)
    assert visit.room is None


def test_outside_availability_refused_for_counselor(profile, her_client, room, monday, counselor):
    with pytest.raises(ValidationError, match="outside the counselor's availability"):
        book(profile, her_client, room, at(monday, 19), at(monday, 20), counselor, confirm_outside_availability=True)
    assert not Booking.objects.exists()


def test_coordinator_books_outside_availability_only_after_confirming(profile, her_client, room, monday, coordinator):
    with pytest.raises(ValidationError, match="Tick"):
        book(profile, her_client, room, at(monday, 19), at(monday, 20), coordinator)
    booking = book(
        profile, her_client, room, at(monday, 19), at(monday, 20), coordinator, confirm_outside_availability=True
    )
    assert booking.outside_availability


def test_coordinator_override_never_allows_overlap(profile, make_client, room, monday, coordinator):
    book(profile, make_client(), room, at(monday, 19), at(monday, 20), coordinator, confirm_outside_availability=True)
    with pytest.raises(ValidationError, match="already has a booking"):
        book(
            profile,
            make_client(),
            None,
            at(monday, 19),
            at(monday, 20),
            coordinator,
            kind=SessionKind.HOME_VISIT,
            confirm_outside_availability=True,
        )
    assert Booking.objects.count() == 1


def test_absence_and_minimum_notice_count_as_outside_availability(profile, her_client, room, monday, counselor):
    AvailabilityException.objects.create(counselor=profile, start=at(monday, 0), end=at(monday, 23), reason="Leave")
    with pytest.raises(ValidationError, match="absent"):
        book(profile, her_client, room, at(monday, 10), at(monday, 11), counselor)
    soon = timezone.now() + timedelta(hours=2)
    with pytest.raises(ValidationError, match="minimum notice"):
        book(profile, her_client, room, soon, soon + timedelta(hours=1), counselor)


def test_reschedule_checks_conflicts_but_not_against_itself(profile, make_client, room, monday, counselor):
    first = book(profile, make_client(counselors=[profile]), room, at(monday, 10), at(monday, 11), counselor)
    book(profile, make_client(counselors=[profile]), room, at(monday, 13), at(monday, 14), counselor)
    services.booking_reschedule(
        booking=first, start=at(monday, 10, 30), end=at(monday, 11, 30), room=room, by=counselor
    )
    first.refresh_from_db()
    assert first.start == at(monday, 10, 30) and first.sequence == 1
    with pytest.raises(ValidationError, match="already has a booking"):
        services.booking_reschedule(booking=first, start=at(monday, 13), end=at(monday, 14), room=room, by=counselor)
    first.refresh_from_db()
    assert first.start == at(monday, 10, 30)


def test_cancel_needs_a_reason(profile, her_client, room, monday, counselor):
    booking = book(profile, her_client, room, at(monday, 10), at(monday, 11), counselor)
    with pytest.raises(ValidationError, match="Say why"):
        services.booking_cancel(booking=booking, reason="  ", by=counselor)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_mark_held_only_after_start(profile, her_client, room, monday, counselor):
    booking = book(profile, her_client, room, at(monday, 10), at(monday, 11), counselor)
    with pytest.raises(ValidationError, match="not begun"):
        services.booking_mark(booking=booking, status=BookingStatus.HELD, by=counselor)
    services.booking_mark(booking=booking, status=BookingStatus.NO_SHOW, by=counselor, now=at(monday, 12))
    assert Booking.objects.get().status == BookingStatus.NO_SHOW


def test_client_create_gives_random_code_and_links_counselor(profile, counselor):
    client = services.client_create(by=counselor, alias="Vesna")
    assert client.code.startswith("K-")
    assert list(client.counselors.all()) == [profile]


def test_client_with_channel_needs_an_address(counselor):
    with pytest.raises(ValidationError, match="safe channel"):
        services.client_create(by=counselor, alias="Vesna", contact_channel="email")
    assert not Client.objects.exists()
