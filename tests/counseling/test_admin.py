"""The counseling listings of the Wagtail admin fetch their rows, and the choices of their filters, in a fixed
number of queries, however many counselors, rooms and bookings there are."""

from datetime import timedelta

import pytest
from django.urls import reverse

from counseling.enums import SessionKind
from counseling.models import Booking, Room
from tests.counseling.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coordinator_permissions")]


@pytest.mark.parametrize("size", [2, 12])
def test_the_booking_listing_and_its_counselor_filter_run_a_constant_number_of_queries(
    size, admin, make_counselor, make_client, monday, django_assert_max_num_queries
):
    # Each booking has its own counselor, room and client: a row's names, or a choice of the filter by
    # counselor, fetched one by one would add queries with every booking.
    for n in range(size):
        counselor = make_counselor(windows=())
        room = Room.objects.create(name=f"Soba {n + 1}", location="Prizemlje")
        day = monday + timedelta(days=n // 8)
        Booking.objects.create(
            counselor=counselor,
            room=room,
            client=make_client(counselors=[counselor]),
            kind=SessionKind.EXPERIENTIAL,
            start=at(day, 8 + n % 8),
            end=at(day, 8 + n % 8, 45),
        )
    url = reverse("counseling_bookings:index")
    admin(url)  # warm the session and Wagtail's caches (content types, site, permissions)
    # Measured on SQLite: 14 queries at 2 and at 12 bookings. Before the filter by counselor fetched its
    # choices' names with them it was 38 at 12 bookings: a user and a profile query for every counselor.
    with django_assert_max_num_queries(15):
        page = admin(url)
    assert page.text.count("Soba ") >= size


def test_the_booking_filter_by_counselor_names_her_and_keeps_only_her_bookings(
    admin, make_user, make_counselor, make_client, monday
):
    for n, name in enumerate(("Jelena Perić", "Vesna Ilić")):
        counselor = make_counselor(make_user(full_name=name), windows=())
        Booking.objects.create(
            counselor=counselor,
            room=Room.objects.create(name=f"Soba {name}", location="Prizemlje"),
            client=make_client(counselors=[counselor]),
            kind=SessionKind.EXPERIENTIAL,
            start=at(monday, 9 + n),
            end=at(monday, 9 + n, 45),
        )
    url = reverse("counseling_bookings:index")
    jelena = Booking.objects.get(counselor__user__profile__full_name="Jelena Perić").counselor
    filtered = admin(url, params={"counselor": jelena.pk})
    assert "Soba Jelena Perić" in filtered.text and "Soba Vesna Ilić" not in filtered.text
    assert "Vesna Ilić" in filtered.text  # still a choice of the filter, by her name
