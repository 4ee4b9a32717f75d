"""Counseling on the data set: the free-slot finder over the 20 counselors' next four weeks (as a job and as
the coordinator's page), a counselor's week, the coordinator's week of every counselor, a client list."""

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse

from bench.dataset import COORDINATOR, COUNSELOR, dataset_user
from bench.harness import logged_in, page
from core import dates
from counseling.enums import SessionKind
from counseling.models import Booking, CounselorProfile
from counseling.selectors import slots_free

DAYS = 28


def _next_monday():
    today = dates.today()
    return today + timedelta(days=7 - today.weekday())


def run(measure):
    counselors = CounselorProfile.objects.filter(user__username__startswith=COUNSELOR)
    first = _next_monday()
    counselor, coordinator = dataset_user(COUNSELOR), dataset_user(COORDINATOR)
    as_counselor, as_coordinator = logged_in(counselor), logged_in(coordinator)

    def find():
        return slots_free(
            counselors=counselors,
            kind=SessionKind.EXPERIENTIAL,
            duration=timedelta(minutes=60),
            first_day=first,
            days=DAYS,
        )

    booked = Booking.objects.filter(counselor__in=counselors, start__date__gte=first).count()
    search = urlencode({"kind": SessionKind.EXPERIENTIAL, "first_day": first.isoformat(), "weeks": 4, "minutes": 60})
    week = reverse("counseling:my_bookings") + "?view=week"
    this_week = dates.today() - timedelta(days=dates.today().weekday())
    in_week = Booking.objects.filter(start__date__gte=this_week, start__date__lt=this_week + timedelta(days=7))
    return [
        measure(
            f"counseling: slot finder, {counselors.count()} counselors x {DAYS} days",
            find,
            runs=10,
            note=f"{len(find())} free slots proposed around {booked} bookings",
        ),
        measure(
            "counseling: slot finder page, 4 weeks (first 200)",
            page(as_coordinator, reverse("counseling:slots") + "?" + search),
            runs=10,
        ),
        measure(
            f"counseling: counselor's week ({in_week.filter(counselor__user=counselor).count()} bookings)",
            page(as_counselor, week),
            runs=10,
        ),
        measure(
            f"counseling: coordinator's week ({in_week.count()} bookings)",
            page(as_coordinator, week),
            runs=10,
        ),
        measure(
            f"counseling: counselor's clients ({counselor.counselor_profile.clients.count()})",
            page(as_counselor, reverse("counseling:client_list")),
            runs=10,
        ),
    ]
