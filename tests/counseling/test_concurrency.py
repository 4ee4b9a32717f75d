"""Two people book the same counselor at the same moment: exactly one booking may survive."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
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
@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only")
def test_postgres_exclusion_constraint_refuses_overlap_and_service_explains(
    profile, make_client, room, monday, coordinator, monkeypatch
):
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
