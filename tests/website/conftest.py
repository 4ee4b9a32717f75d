import datetime
import io
from itertools import count

import pytest
from django.utils import timezone
from wagtail.models import Site

from counseling.enums import BookingStatus, SessionKind
from counseling.models import Booking, Client, CounselorProfile, Room
from groups.models import Cohort, GroupProgramme, GroupSession
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingProgramme, TrainingSession

_codes = count(1)


def at(days, hour=10):
    """An aware datetime `days` from today at `hour`, in the organisation's time zone."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture(scope="module")
def _demo_site_once(module_transaction, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    from website import demo

    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        demo.load(users={}, stdout=io.StringIO())
        return Site.objects.get(is_default_site=True).pk, media


@pytest.fixture
def shared_demo_site(_demo_site_once, db, settings):
    """demo_site, built once for the module (see module_transaction): for tests that do not commit."""
    site_pk, settings.MEDIA_ROOT = _demo_site_once
    return Site.objects.get(pk=site_pk)


@pytest.fixture
def make_group_sessions(db):
    def _make(facilitator, n=1, *, days=3, **fields):
        programme, _ = GroupProgramme.objects.get_or_create(name="Strength together")
        cohort = Cohort.objects.create(
            programme=programme,
            name=f"Spring group {next(_codes)}",
            start_date=timezone.localdate(),
            venue="Centre Novi Sad",
            room="Room 1",
        )
        cohort.facilitators.add(facilitator)
        return [
            GroupSession.objects.create(
                cohort=cohort, start=at(days + i), end=at(days + i, 12), topic="Boundaries", **fields
            )
            for i in range(n)
        ]

    return _make


@pytest.fixture
def make_bookings(db):
    def _make(counselor_user, n=1, *, days=2, client_alias="Vesna", **fields):
        profile, _ = CounselorProfile.objects.get_or_create(
            user=counselor_user, defaults={"session_kinds": [SessionKind.CASE_BASED], "trained_for_violence": True}
        )
        room, _ = Room.objects.get_or_create(name="Room 2", defaults={"location": "First floor"})
        client = Client.objects.create(alias=client_alias, code=f"C-{next(_codes)}")
        fields.setdefault("room", room)
        return [
            Booking.objects.create(
                counselor=profile,
                client=client,
                start=at(days + i, 9),
                end=at(days + i, 10),
                kind=SessionKind.CASE_BASED,
                status=BookingStatus.CONFIRMED,
                **fields,
            )
            for i in range(n)
        ]

    return _make


@pytest.fixture
def make_edition(db):
    def _make(*, sessions=2, status=EditionStatus.OPEN, trainer=None, trainee=None, enrolment=None):
        programme = TrainingProgramme.objects.create(title=f"Risk assessment in partner violence {next(_codes)}")
        edition = Edition.objects.create(
            programme=programme,
            start_date=timezone.localdate() + datetime.timedelta(days=10),
            end_date=timezone.localdate() + datetime.timedelta(days=10 + sessions),
            venue="Hotel Park",
            municipality="Novi Sad",
            enrolment_opens=timezone.now() - datetime.timedelta(days=5),
            enrolment_closes=timezone.now() + datetime.timedelta(days=5),
            status=status,
        )
        for i in range(sessions):
            TrainingSession.objects.create(
                edition=edition, start=at(10 + i, 9), end=at(10 + i, 16), title=f"Day {i + 1}"
            )
        if trainer:
            edition.trainers.add(trainer)
        if trainee:
            Enrollment.objects.create(edition=edition, user=trainee, status=enrolment or EnrollmentStatus.ENROLLED)
        return edition

    return _make
