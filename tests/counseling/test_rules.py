"""Who opens her file: coordinators, counselors assigned to her, counselors with a recent or upcoming booking
(not cancelled), and whoever an app above counseling names (cases: the case roles). Nothing else, for good."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse

from core import dates
from counseling import rules, services
from counseling.enums import BookingStatus, SessionKind
from counseling.models import Booking
from tests.counseling.conftest import at, booked_at_ten

pytestmark = pytest.mark.django_db


def _book(profile, client, start, status=BookingStatus.CONFIRMED):
    return Booking.objects.create(
        counselor=profile,
        client=client,
        room=None,
        kind=SessionKind.HOME_VISIT,
        start=start,
        end=start + timedelta(hours=1),
        status=status,
    )


def _opens(web, client):
    return web.get(reverse("counseling:client_detail", args=[client.pk])).status_code == 200


def test_a_booking_opens_her_file_only_while_it_is_recent(client_for, counselor, profile, make_client, clock):
    her = make_client()
    clock(dates.today())
    _book(profile, her, dates.now() - timedelta(days=3))
    web = client_for(counselor)
    assert _opens(web, her)
    assert counselor.has_perm("counseling.view_client", her)
    # The same booking, the access period later: her file is closed to the counselor, whatever the door.
    clock(dates.now() + timedelta(days=settings.HAVEN_CLIENT_ACCESS_DAYS))
    assert not _opens(web, her)
    assert her not in rules.clients_for(counselor)
    assert not counselor.has_perm("counseling.view_client", her)
    assert not counselor.has_perm("counseling.change_client", her)


def test_an_upcoming_booking_opens_her_file(client_for, counselor, profile, make_client, monday):
    her = make_client()
    _book(profile, her, at(monday, 10))
    assert _opens(client_for(counselor), her)


def test_a_cancelled_booking_opens_nothing(client_for, counselor, profile, make_client, monday):
    her = make_client()
    _book(profile, her, at(monday, 10), status=BookingStatus.CANCELLED)
    assert not _opens(client_for(counselor), her)
    assert not counselor.has_perm("counseling.view_client", her)


def test_an_assignment_opens_her_file_until_it_is_taken_back(client_for, counselor, profile, make_client, coordinator):
    her = make_client(counselors=[profile])
    web = client_for(counselor)
    assert _opens(web, her)
    services.client_update(client=her, by=coordinator, counselors=[])
    assert not _opens(web, her)


def test_a_counselor_cannot_book_a_client_she_does_not_work_with_through_the_service(
    counselor, profile, make_client, room, monday
):
    stranger = make_client()
    with pytest.raises(PermissionDenied):
        booked_at_ten(counselor=profile, client=stranger, room=room, day=monday, by=counselor)
    assert not Booking.objects.exists()


def test_a_counselor_cannot_book_into_another_counselors_calendar_through_the_service(
    counselor, profile, make_counselor, make_client, room, monday
):
    other = make_counselor()
    her = make_client(counselors=[profile, other])
    with pytest.raises(PermissionDenied):
        booked_at_ten(counselor=other, client=her, room=room, day=monday, by=counselor)
    assert not Booking.objects.exists()


@pytest.fixture
def extension():
    """Register an access extension as cases does, and take it away again after the test."""
    added = []

    def _register(name, function):
        rules.client_access_register(name, function)
        added.append(name)

    yield _register
    for name in added:
        rules._client_access_extensions.pop(name, None)


def test_an_app_above_counseling_can_open_files_through_the_registry(
    client_for, counselor, make_user, make_client, extension
):
    from accounts.enums import Role

    her, not_her = make_client(), make_client()
    colleague = make_user(Role.COUNSELOR)
    # As cases would: her case roles, expressed as a set of client ids, for this user only.
    extension("test-case-roles", lambda user: Q(pk__in=[her.pk] if user == counselor else []))
    web = client_for(counselor)
    assert _opens(web, her) and not _opens(web, not_her)
    assert counselor.has_perm("counseling.view_client", her)
    assert list(rules.clients_for(counselor)) == [her]
    assert list(rules.clients_for(colleague)) == []
    # Registering again under the same name replaces the extension: no client is counted twice.
    extension("test-case-roles", lambda user: Q(pk__in=[her.pk]))
    assert list(rules.clients_for(counselor)) == [her]


def test_the_booking_form_offers_only_the_clients_she_works_with(django_app, counselor, profile, make_client, monday):
    mine, old, stranger = make_client(counselors=[profile]), make_client(), make_client()
    _book(profile, old, dates.now() - timedelta(days=settings.HAVEN_CLIENT_ACCESS_DAYS + 1))
    page = django_app.get(reverse("counseling:booking_new"), user=counselor)
    form = next(form for form in page.forms.values() if "client" in form.fields)
    offered = {value for value, _selected, _label in form["client"].options if value}
    assert offered == {str(mine.pk)}
    assert str(stranger.pk) not in offered


def test_migration_removes_the_assignments_that_bookings_made(profile, make_counselor, make_client, monday):
    booked_only = make_client(counselors=[profile])
    _book(profile, booked_only, at(monday, 10))
    assigned_only = make_client(counselors=[profile])
    other = make_counselor()
    both = make_client(counselors=[profile, other])
    _book(other, both, at(monday, 12))
    module = importlib.import_module("counseling.migrations.0005_client_access_follows_current_work")
    module.forwards(apps, None)
    assert list(booked_only.counselors.all()) == []
    assert list(assigned_only.counselors.all()) == [profile]
    assert list(both.counselors.all()) == [profile]
