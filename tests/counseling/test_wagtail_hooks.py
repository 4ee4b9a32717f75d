"""The Wagtail admin is one more door: each form is posted as a coordinator would, and meets the services."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from core.enums import AgeBand, TargetGroup
from core.models import Municipality
from counseling import services
from counseling.enums import BookingStatus, SessionKind
from counseling.models import AvailabilityWindow, Booking, Client, CounselorProfile, Room
from tests.counseling.conftest import at, booked_at_ten

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coordinator_permissions"), pytest.mark.reference_index]


def _form(page, field):
    """The page's form that holds `field` (the admin's edit form, not its search or logout forms)."""
    return next(form for form in page.forms.values() if field in form.fields)


def _entries(obj, action, **extra):
    return AuditEntry.objects.filter(object_id=str(obj.pk), action=action, **extra)


VIEWSETS = [
    "counseling_counselors",
    "counseling_rooms",
    "counseling_windows",
    "counseling_absences",
    "counseling_clients",
]


@pytest.mark.parametrize("name", VIEWSETS)
def test_coordinator_reaches_each_admin_screen(client_for, coordinator, name):
    web = client_for(coordinator)
    assert web.get(reverse(f"{name}:index")).status_code == 200
    assert web.get(reverse(f"{name}:add")).status_code == 200


def test_counselor_has_no_admin_screens(client_for, counselor):
    for url in (reverse("counseling_clients:index"), reverse("counseling_bookings:index")):
        assert client_for(counselor).get(url).status_code in (302, 403)


def test_admin_counselor_form_stores_session_kinds(client_for, coordinator, counselor):
    response = client_for(coordinator).post(
        reverse("counseling_counselors:add"),
        {
            "user": counselor.pk,
            "expertise": "Trauma",
            "languages": "sr, da",
            "session_kinds": ["experiential", "case_based"],
            "trained_for_violence": "on",
            "buffer_minutes": 10,
            "min_notice_hours": 12,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CounselorProfile.objects.get().session_kinds == ["experiential", "case_based"]


def test_opening_a_client_in_the_admin_is_audited(client_for, coordinator, make_client):
    her = make_client(safe_contact_instructions="Only after 18h")
    response = client_for(coordinator).get(reverse("counseling_clients:edit", args=[her.pk]))
    assert response.status_code == 200
    assert _entries(her, "view", detail="admin").exists()
    assert Client.objects.count() == 1


# Clients: through the services ------------------------------------------------------------------------------


def test_a_client_created_in_the_admin_goes_through_the_service(admin, profile):
    form = _form(admin(reverse("counseling_clients:add")), "alias")
    form["alias"] = "Zorica"
    form["interpreter_needed"] = True
    form["interpreter_language"] = "Romani"
    form["counselors"] = [str(profile.pk)]
    response = form.submit()
    assert response.status_code == 302, response.text[:3000]
    her = Client.objects.get()
    assert her.code.startswith("K-") and her.interpreter_language == "Romani"
    assert list(her.counselors.all()) == [profile]
    assert _entries(her, "create").count() == 1  # written once, by the service


def test_the_admin_records_what_reports_count_her_by(admin, make_client):
    sombor = Municipality.objects.create(name="Sombor")
    her = make_client(alias="Vesna")
    form = _form(admin(reverse("counseling_clients:edit", args=[her.pk])), "alias")
    form["age_band"] = AgeBand.AGE_45_54
    form["municipality"] = str(sombor.pk)
    form["target_group"] = TargetGroup.DISABILITY
    assert form.submit().status_code == 302
    her.refresh_from_db()
    assert (her.age_band, her.municipality, her.target_group) == ("45_54", sombor, "disability")
    assert _entries(her, "change").count() == 1  # through the service


def test_an_admin_change_the_service_refuses_shows_why_and_saves_nothing(admin, make_client):
    her = make_client(alias="Vesna")
    form = _form(admin(reverse("counseling_clients:edit", args=[her.pk])), "alias")
    form["alias"] = "Vesna M."
    form["interpreter_needed"] = True
    form["interpreter_language"] = ""
    response = form.submit()
    assert response.status_code == 200
    assert "Say which language she needs interpreted." in response.text
    her.refresh_from_db()
    assert her.alias == "Vesna" and not her.interpreter_needed
    assert not _entries(her, "change").exists()


def test_an_admin_change_is_saved_and_audited_by_the_service(admin, make_client, profile):
    her = make_client(alias="Vesna")
    form = _form(admin(reverse("counseling_clients:edit", args=[her.pk])), "alias")
    form["safe_times"] = "Weekdays after 17h"
    form["counselors"] = [str(profile.pk)]
    assert form.submit().status_code == 302
    her.refresh_from_db()
    assert her.safe_times == "Weekdays after 17h" and list(her.counselors.all()) == [profile]
    assert _entries(her, "change").count() == 1


def test_a_client_file_cannot_be_deleted_in_the_admin(admin, client_for, coordinator, make_client):
    her = make_client()
    edit = admin(reverse("counseling_clients:edit", args=[her.pk]))
    assert reverse("counseling_clients:delete", args=[her.pk]) not in edit.text
    response = client_for(coordinator).post(reverse("counseling_clients:delete", args=[her.pk]))
    assert response.status_code in (302, 403)
    assert Client.objects.filter(pk=her.pk).exists()


def test_client_search_is_posted_and_keeps_the_alias_out_of_the_url(admin, make_client):
    make_client(alias="Snežana")
    make_client(alias="Milica")
    page = admin(reverse("counseling_clients:index"))
    assert 'name="q"' not in page.text  # Wagtail's GET search box is gone
    form = page.forms["find-form"]
    assert form.method.upper() == "POST"
    form["find"] = "Snež"
    results = form.submit()
    assert results.request.url.endswith(reverse("counseling_clients:index"))
    assert "Snežana" in results.text and "Milica" not in results.text
    # A query in the URL, as an old bookmark would carry it, filters nothing.
    assert "Milica" in admin(reverse("counseling_clients:index") + "?q=Sne").text


@pytest.mark.parametrize("count", [5, 40])
def test_client_listing_has_constant_queries(admin, make_client, count, django_assert_max_num_queries):
    for _n in range(count):
        make_client()
    admin(reverse("counseling_clients:index"))  # warm the session and Wagtail's caches
    with django_assert_max_num_queries(30):
        assert admin(reverse("counseling_clients:index")).status_code == 200


# Bookings: read-only, cancelled only through the service -------------------------------------------------


@pytest.fixture
def booking(profile, her_client, room, monday, coordinator):
    return booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=coordinator)


def test_a_booking_cancelled_in_the_admin_goes_through_the_cancel_service(admin, booking):
    page = admin(reverse("counseling_bookings:edit", args=[booking.pk]))
    assert "Cancel booking" in page.text
    form = _form(page, "reason")
    form["reason"] = "She moved to another town"
    response = form.submit()
    assert response.status_code == 302, response.text[:3000]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "She moved to another town"
    assert booking.sequence == 1  # her calendar entry changes
    assert _entries(booking, "change", detail="cancel").count() == 1


def test_cancelling_in_the_admin_without_a_reason_saves_nothing(admin, booking):
    form = _form(admin(reverse("counseling_bookings:edit", args=[booking.pk])), "reason")
    form["reason"] = ""
    response = form.submit()
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.sequence == 0


def test_cancelling_in_the_admin_a_booking_a_locked_report_counts_is_refused(
    admin, booking, coordinator, project_manager
):
    from reporting.enums import Transition
    from reporting.models import DonorProject, ReportingPeriod
    from tests.reporting.test_services import walk

    day = booking.start.date()
    project = DonorProject.objects.create(
        title="Safe Together", donor="Ministry", grant_number="G-1", start_date=day, end_date=day + timedelta(days=90)
    )
    project.managers.add(project_manager)
    period = ReportingPeriod.objects.create(
        project=project, label="Q1", start_date=day, end_date=day + timedelta(days=89), due_date=day + timedelta(100)
    )
    Booking.objects.filter(pk=booking.pk).update(project=project)
    walk(period, project_manager, coordinator, Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK)
    form = _form(admin(reverse("counseling_bookings:edit", args=[booking.pk])), "reason")
    form["reason"] = "Storm"
    response = form.submit()
    assert response.status_code == 200
    assert "Q1" in response.text
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_bookings_cannot_be_added_or_deleted_in_the_admin_and_a_cancelled_one_not_changed(
    admin, client_for, coordinator, booking
):
    web = client_for(coordinator)
    assert web.get(reverse("counseling_bookings:add")).status_code in (302, 403)
    assert web.post(reverse("counseling_bookings:delete", args=[booking.pk])).status_code in (302, 403)
    assert Booking.objects.filter(pk=booking.pk).exists()
    services.booking_cancel(booking=booking, reason="Ill", by=coordinator)
    refused = web.get(reverse("counseling_bookings:edit", args=[booking.pk]), follow=True)
    assert "Only a requested or confirmed booking can be cancelled." in refused.content.decode()
    # She can still be looked at, without her session notes.
    inspect = web.get(reverse("counseling_bookings:inspect", args=[booking.pk]))
    assert inspect.status_code == 200


def test_the_cancel_service_and_the_orm_give_her_calendar_entry_a_new_sequence(booking, coordinator):
    services.booking_cancel(booking=booking, reason="Ill", by=coordinator)
    assert Booking.objects.get(pk=booking.pk).sequence == 1
    # The shell: a change of time saved through the ORM moves her calendar entry's SEQUENCE too.
    again = Booking.objects.get(pk=booking.pk)
    again.start, again.end = again.start + timedelta(hours=1), again.end + timedelta(hours=1)
    again.save()
    assert Booking.objects.get(pk=booking.pk).sequence == 2
    again.save()  # nothing changed: no new SEQUENCE
    assert Booking.objects.get(pk=booking.pk).sequence == 2


def test_a_booking_moved_past_the_model_still_gets_a_new_sequence(booking, room):
    """A queryset's update and raw SQL do not call the model's save: the database raises the SEQUENCE when
    her calendar entry's time, room or status changes, and leaves it for anything else."""
    Booking.objects.filter(pk=booking.pk).update(start=booking.start - timedelta(hours=1))
    assert Booking.objects.get(pk=booking.pk).sequence == 1
    Booking.objects.filter(pk=booking.pk).update(room=Room.objects.create(name="Room 9"))
    assert Booking.objects.get(pk=booking.pk).sequence == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE counseling_booking SET status = %s WHERE id = %s", [BookingStatus.CANCELLED, booking.pk])
    assert Booking.objects.get(pk=booking.pk).sequence == 3
    Booking.objects.filter(pk=booking.pk).update(cancel_reason="")  # not on her calendar
    assert Booking.objects.get(pk=booking.pk).sequence == 3
    Booking.objects.filter(pk=booking.pk).update(end=booking.end + timedelta(hours=1), sequence=7)  # one who did
    assert Booking.objects.get(pk=booking.pk).sequence == 7


@pytest.mark.parametrize("count", [5, 40])
def test_booking_listing_has_constant_queries(
    admin, profile, make_client, count, django_assert_max_num_queries, monday
):
    for n in range(count):
        Booking.objects.create(
            counselor=profile,
            client=make_client(),
            kind=SessionKind.HOME_VISIT,
            start=at(monday + timedelta(days=n // 8), 8 + n % 8),
            end=at(monday + timedelta(days=n // 8), 8 + n % 8, 45),
        )
    admin(reverse("counseling_bookings:index"))
    with django_assert_max_num_queries(30):
        assert admin(reverse("counseling_bookings:index")).status_code == 200


# Availability: the database's rules, said in words --------------------------------------------------------


def test_a_window_that_ends_before_it_starts_is_refused_with_a_message(admin, profile):
    windows = AvailabilityWindow.objects.count()
    form = _form(admin(reverse("counseling_windows:add")), "start_time")
    form["counselor"] = str(profile.pk)
    form["weekday"] = "2"
    form["start_time"] = "16:00"
    form["end_time"] = "09:00"
    response = form.submit()
    assert response.status_code == 200
    assert "The window must end after it starts." in response.text
    assert AvailabilityWindow.objects.count() == windows


def test_rooms_and_counselors_are_made_inactive_not_deleted(client_for, coordinator, booking):
    web = client_for(coordinator)
    room = Room.objects.get()
    assert web.post(reverse("counseling_rooms:delete", args=[room.pk])).status_code in (302, 403)
    assert web.post(reverse("counseling_counselors:delete", args=[booking.counselor_id])).status_code in (302, 403)
    assert (
        Room.objects.filter(pk=room.pk).exists() and CounselorProfile.objects.filter(pk=booking.counselor_id).exists()
    )


@pytest.mark.parametrize(
    "listing", ["counseling_counselors", "counseling_windows", "counseling_absences", "counseling_rooms"]
)
def test_the_counselors_listings_ask_as_many_queries_for_two_counselors_as_for_eight(
    listing, django_app, coordinator, make_counselor
):
    from datetime import timedelta

    from core import dates
    from counseling.models import AvailabilityException, Room

    def add(n):
        for _ in range(n):
            counselor = make_counselor()
            start = dates.now() + timedelta(days=3)
            AvailabilityException.objects.create(
                counselor=counselor, start=start, end=start + timedelta(hours=4), reason="Training"
            )
            Room.objects.create(name=f"Room {Room.objects.count()}", location="Novi Sad")

    url = reverse(f"{listing}:index")
    add(2)
    few = queries_of_admin(django_app, url, coordinator)
    add(6)
    assert queries_of_admin(django_app, url, coordinator) == few


def queries_of_admin(app, url, user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app.get(url, user=user)
    with CaptureQueriesContext(connection) as captured:
        assert app.get(url, user=user).status_code == 200
    return len(captured)
