"""The free-slot finder: 20 counselors over 4 weeks, against a realistic calendar (constant query count)."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

COUNSELORS = 20
DAYS = 28


def _data():
    from counseling.enums import SessionKind
    from counseling.models import AvailabilityException, AvailabilityWindow, Booking, Client, CounselorProfile, Room

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = today + timedelta(days=7 - today.weekday())  # next Monday
    rooms = [Room.objects.get_or_create(name=f"Bench room {n}")[0] for n in range(10)]
    client, _created = Client.objects.get_or_create(code="BENCH-C-1", defaults={"alias": "Bench"})
    profiles = []
    for n in range(COUNSELORS):
        user, _created = get_user_model().objects.get_or_create(
            username=f"bench-counselor-{n}@example.org", defaults={"email": f"bench-counselor-{n}@example.org"}
        )
        profile, created = CounselorProfile.objects.get_or_create(
            user=user,
            defaults={
                "session_kinds": [k.value for k in SessionKind],
                "trained_for_violence": True,
                "min_notice_hours": 0,
            },
        )
        if created:
            AvailabilityWindow.objects.bulk_create(
                AvailabilityWindow(counselor=profile, weekday=d, start_time=time(8), end_time=time(16))
                for d in range(5)
            )
        profiles.append(profile)
    window_start = datetime.combine(first, time.min, tzinfo=tz)
    if not Booking.objects.filter(counselor__in=profiles, start__gte=window_start).exists():
        bookings = []
        for n, profile in enumerate(profiles):
            AvailabilityException.objects.create(
                counselor=profile,
                start=window_start + timedelta(days=n % DAYS),
                end=window_start + timedelta(days=n % DAYS + 1),
            )
            for day in range(DAYS):
                for slot in range(3):
                    # Counselors of one parity share hours; each pair of counselors has its own room.
                    hour = 8 + 2 * slot + n % 2
                    start = datetime.combine(first + timedelta(days=day), time(hour), tzinfo=tz)
                    bookings.append(
                        Booking(
                            counselor=profile,
                            client=client,
                            room=rooms[n // 2] if (n + slot) % 4 else None,
                            kind=SessionKind.EXPERIENTIAL if (n + slot) % 4 else SessionKind.HOME_VISIT,
                            start=start,
                            end=start + timedelta(minutes=60),
                        )
                    )
        Booking.objects.bulk_create(bookings)
    return profiles, first


def run(measure):
    from counseling.enums import SessionKind
    from counseling.models import CounselorProfile
    from counseling.selectors import slots_free

    profiles, first = _data()
    counselors = CounselorProfile.objects.filter(pk__in=[p.pk for p in profiles])

    def find():
        return slots_free(
            counselors=counselors,
            kind=SessionKind.EXPERIENTIAL,
            duration=timedelta(minutes=60),
            first_day=first,
            days=DAYS,
        )

    found = len(find())
    return [
        measure(
            f"counseling: slot finder, {COUNSELORS} counselors x {DAYS} days",
            find,
            runs=10,
            note=f"{found} free slots proposed",
        )
    ]
