"""Two people book the same counselor at the same moment: exactly one booking may survive."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.utils import IntegrityError

from counseling import services
from counseling.enums import SessionKind
from counseling.models import Booking, Room
from tests.counseling.conftest import at, booked_at_ten


def _race(attempts):
    barrier = threading.Barrier(len(attempts))
    outcomes = []

    def run(kwargs):
        try:
            barrier.wait(timeout=10)
            services.booking_create(**kwargs)
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(kwargs,)) for kwargs in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_bookings_at_once_exactly_one_succeeds(profile, make_client, room, monday, coordinator):
    other_room = Room.objects.create(name="Soba 2")
    common = {"counselor": profile, "kind": SessionKind.EXPERIENTIAL, "by": coordinator}
    outcomes = _race(
        [
            {**common, "client": make_client(), "room": room, "start": at(monday, 10), "end": at(monday, 11)},
            {
                **common,
                "client": make_client(),
                "room": other_room,
                "start": at(monday, 10, 30),
                "end": at(monday, 11, 30),
            },
        ]
    )
    assert outcomes.count("booked") == 1, outcomes
    assert any("already has a booking" in outcome for outcome in outcomes)
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_counselors_racing_for_one_room_exactly_one_succeeds(
    make_counselor, make_client, room, monday, coordinator
):
    first, second = make_counselor(), make_counselor()
    common = {
        "room": room,
        "kind": SessionKind.EXPERIENTIAL,
        "by": coordinator,
        "start": at(monday, 9),
        "end": at(monday, 10),
    }
    outcomes = _race(
        [
            {**common, "counselor": first, "client": make_client()},
            {**common, "counselor": second, "client": make_client()},
        ]
    )
    assert outcomes.count("booked") == 1, outcomes
    assert any("already booked" in outcome for outcome in outcomes)
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_an_overlap_and_the_service_explains(
    profile, make_client, room, monday, coordinator, monkeypatch
):
    """PostgreSQL's exclusion constraints, SQLite's triggers (counseling.triggers): the same refusal."""
    booked_at_ten(
        counselor=profile,
        client=make_client(),
        room=room,
        day=monday,
        by=coordinator,
    )
    with pytest.raises(IntegrityError):
        from django.db import transaction

        with transaction.atomic():
            Booking.objects.create(
                counselor=profile,
                client=make_client(),
                start=at(monday, 10, 30),
                end=at(monday, 11, 30),
                kind=SessionKind.HOME_VISIT,
            )
    # Without the service's own check, the database still refuses, and the service says why in words.
    monkeypatch.setattr(services, "_check_conflicts", lambda **kwargs: None)
    with pytest.raises(ValidationError, match="already has a booking"):
        services.booking_create(
            counselor=profile,
            client=make_client(),
            room=None,
            start=at(monday, 10, 30),
            end=at(monday, 11, 30),
            kind=SessionKind.HOME_VISIT,
            by=coordinator,
        )
    assert Booking.objects.count() == 1


def _refused(write, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        write()


@pytest.mark.django_db
def test_no_door_double_books_a_counselor_or_a_room(
    profile, make_counselor, make_user, make_client, room, monday, coordinator
):
    """Every door below the services: a model's save, a bulk insert, a queryset update and raw SQL (whose
    moments SQLite keeps with their UTC offset). What does not occupy the same time is still written: one after
    the other, a cancelled booking, two home visits (no room) of two counselors, a room freed by a cancellation."""
    from counseling.enums import BookingStatus

    first = booked_at_ten(counselor=profile, client=make_client(), room=room, day=monday, by=coordinator)
    other = make_counselor(make_user("Counselor"))

    def booking(counselor, start, end, *, room=None, status=BookingStatus.CONFIRMED):
        return Booking(
            counselor=counselor, client=make_client(), room=room, start=start, end=end,
            kind=SessionKind.EXPERIENTIAL if room else SessionKind.HOME_VISIT, status=status,
        )  # fmt: skip

    half_past = (at(monday, 10, 30), at(monday, 11, 30))
    _refused(lambda: booking(profile, *half_past).save(), "booking_counselor_no_overlap")
    _refused(lambda: Booking.objects.bulk_create([booking(other, *half_past, room=room)]), "booking_room_no_overlap")
    later = Booking.objects.bulk_create([booking(profile, at(monday, 12), at(monday, 13))])[0]
    _refused(
        lambda: Booking.objects.filter(pk=later.pk).update(start=at(monday, 10, 45)), "booking_counselor_no_overlap"
    )
    with connection.cursor() as cursor:
        # Moved to ten o'clock, to another counselor but the same room: the room is taken then.
        _refused(
            lambda: cursor.execute(
                'UPDATE "counseling_booking" SET "start" = %s, "end" = %s, "counselor_id" = %s, "room_id" = %s '
                'WHERE "id" = %s',
                [at(monday, 10), at(monday, 11), other.pk, room.pk, later.pk],
            ),
            "booking_room_no_overlap",
        )
    assert Booking.objects.count() == 2
    assert Booking.objects.get(pk=later.pk).start == at(monday, 12)

    # Not the same time, or not occupying it: written.
    Booking.objects.bulk_create(
        [
            booking(profile, at(monday, 11), at(monday, 12)),  # right after the first
            booking(profile, *half_past, status=BookingStatus.CANCELLED),
            booking(other, *half_past),  # a home visit of another counselor
        ]
    )
    Booking.objects.filter(pk=first.pk).update(status=BookingStatus.CANCELLED)
    booking(profile, at(monday, 10), at(monday, 11), room=room).save()  # her hour and room, the first cancelled
    assert Booking.objects.count() == 6
