"""Demo data for counseling: counselors, rooms, weekly availability, an absence, clients and a month of bookings.

Fictional. Idempotent: natural keys (emails, room names, client codes, counselor + start) are reused.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.demo import demo_user
from accounts.enums import OrganisationType, Role
from core import dates
from core.demo import beneficiary_profile, municipalities
from counseling.enums import BookingStatus, ContactChannel, SessionKind
from counseling.models import AvailabilityException, AvailabilityWindow, Booking, Client, CounselorProfile, Room

ALL_KINDS = [kind.value for kind in SessionKind]

EXTRA_COUNSELORS = [
    # email, full name, expertise, languages, kinds, trained
    (
        "vesna.kovac@example.org",
        "Vesna Kovač",
        "Partner violence, work with mothers and children",
        "sr, hu",
        ALL_KINDS,
        True,
    ),
    (
        "mette.sorensen@example.org",
        "Mette Sørensen",
        "Migrant women, experiential counseling",
        "da, en",
        [SessionKind.EXPERIENTIAL, SessionKind.AFTERCARE],
        False,
    ),
]

ROOMS = [("Soba Lipa", "Prizemlje, levo"), ("Soba Javor", "Prvi sprat"), ("Rådgivningsrum", "Drugi sprat")]

CLIENTS = [
    # code, alias, language, children, channel, address, safe from/until, may name purpose
    ("DEMO-C-01", "Jasmina", "sr-latn", 2, ContactChannel.NEVER, "", None, None, False),
    ("DEMO-C-02", "Đurđa", "sr-latn", 0, ContactChannel.EMAIL, "djurdja@example.net", time(9), time(12), False),
    ("DEMO-C-03", "Snežana", "sr-latn", 1, ContactChannel.SMS, "+381 60 000 0003", time(10), time(14), False),
    ("DEMO-C-04", "Ljubica", "sr-latn", 3, ContactChannel.NEVER, "", None, None, False),
    ("DEMO-C-05", "Åse", "da", 1, ContactChannel.EMAIL, "aase@example.net", None, None, True),
    ("DEMO-C-06", "Zorica", "sr-latn", None, ContactChannel.NEVER, "", None, None, False),
]

# (weekday, hour, client index, kind offset): the weekly rhythm of each counselor's sessions.
RHYTHM = [(0, 9, 0), (0, 11, 1), (1, 10, 2), (2, 13, 3), (3, 9, 4), (4, 11, 5)]


def _aware(day, hour):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def load(*, users, stdout=None):
    main_user = users.get(Role.COUNSELOR)
    coordinator = users.get(Role.COORDINATOR)
    # (user, expertise, languages, kinds, trained)
    people = []
    if main_user is not None:
        people.append((main_user, "Trauma-informed counseling, safety planning", "sr, en", ALL_KINDS, True))
    for email, full_name, expertise, languages, kinds, trained in EXTRA_COUNSELORS:
        user = demo_user(
            email=email,
            role=Role.COUNSELOR,
            full_name=full_name,
            organisation="Haven Women's Centre",
            organisation_type=OrganisationType.NGO,
            job_title="Counselor",
            municipality="Novi Sad",
        )
        people.append((user, expertise, languages, kinds, trained))
    counselors = []
    for user, expertise, languages, kinds, trained in people:
        profile, _created = CounselorProfile.objects.get_or_create(user=user)
        profile.expertise, profile.languages = expertise, languages
        profile.session_kinds = list(dict.fromkeys([*profile.session_kinds, *kinds]))
        profile.trained_for_violence = profile.trained_for_violence or trained
        profile.save()
        for weekday in range(5):
            AvailabilityWindow.objects.get_or_create(
                counselor=profile, weekday=weekday, start_time=time(8), defaults={"end_time": time(16)}
            )
        counselors.append(profile)

    rooms = [Room.objects.get_or_create(name=name, defaults={"location": location})[0] for name, location in ROOMS]

    places = municipalities()
    clients = []
    for n, (code, alias, language, children, channel, address, safe_from, safe_until, purpose) in enumerate(CLIENTS):
        client, _created = Client.objects.get_or_create(
            code=code,
            defaults={
                **beneficiary_profile(n, home=places["Novi Sad"], nearby=places["Pančevo"]),
                "alias": alias,
                "preferred_language": language,
                "children_count": children,
                "contact_channel": channel,
                "contact_address": address,
                "safe_from": safe_from,
                "safe_until": safe_until,
                "messages_may_name_purpose": purpose,
                "safe_times": "Radnim danima pre podne" if safe_from else "",
                "safe_contact_instructions": "Ne ostavljati poruke na telefonu." if channel != "email" else "",
            },
        )
        clients.append(client)

    today = dates.today()
    monday = today - timedelta(days=today.weekday())
    if counselors:
        last = counselors[-1]
        AvailabilityException.objects.get_or_create(
            counselor=last,
            start=_aware(monday + timedelta(days=21), 0),
            defaults={"end": _aware(monday + timedelta(days=26), 0), "reason": "Godišnji odmor"},
        )

    # Two weeks back and two weeks ahead. Each counselor keeps her own room, so rooms never clash; hours
    # sit on a fixed grid, so running this again on another day reuses or adds bookings without overlap.
    created = 0
    now = dates.now()
    for index, profile in enumerate(counselors):
        room = rooms[index % len(rooms)]
        for week in range(-2, 2):
            for weekday, hour, client_index in RHYTHM:
                day = monday + timedelta(days=7 * week + weekday)
                client = clients[(client_index + index) % len(clients)]
                kinds = [k for k in profile.session_kinds if k != SessionKind.HOME_VISIT] or [SessionKind.EXPERIENTIAL]
                kind = kinds[(weekday + index) % len(kinds)]
                if kind == SessionKind.CASE_BASED and not profile.trained_for_violence:
                    kind = SessionKind.EXPERIENTIAL
                start = _aware(day, hour)
                if start < now:
                    status = BookingStatus.NO_SHOW if (weekday + week) % 5 == 0 else BookingStatus.HELD
                else:
                    status = BookingStatus.REQUESTED if weekday == 4 else BookingStatus.CONFIRMED
                _booking, was_created = Booking.objects.get_or_create(
                    counselor=profile,
                    start=start,
                    defaults={
                        "end": start + timedelta(minutes=60),
                        "room": room,
                        "client": client,
                        "kind": kind,
                        "status": status,
                        "created_by": coordinator,
                    },
                )
                client.counselors.add(profile)
                created += was_created
    if stdout is not None:
        stdout.write(f"    counseling: {len(counselors)} counselors, {len(rooms)} rooms, {created} new bookings")
