"""Dates out of range get a clear message, never a 500; a session is booked within the horizon only, at every
door. Tried on awkward days: month ends, 29 February and the nights the clocks change."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse

from counseling import services
from counseling.enums import SessionKind
from counseling.models import Booking
from tests.counseling.conftest import at, booked_at_ten

pytestmark = pytest.mark.django_db

ABSURD = ["9999-12-31", "0001-01-01", "1899-12-31", "2026-02-30", "yesterday"]


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("view", ["day", "week"])
def test_the_calendar_says_why_it_shows_today_instead(client_for, counselor, profile, value, view):
    response = client_for(counselor).get(reverse("counseling:my_bookings"), {"date": value, "view": view})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose a date between" in text or "That is not a date" in text
    assert "My bookings" in text  # still her page, with today on it


@pytest.mark.parametrize("value", ABSURD)
def test_the_slot_finder_refuses_an_absurd_first_day_with_a_form_error(client_for, counselor, profile, value):
    response = client_for(counselor).get(
        reverse("counseling:slots"), {"kind": SessionKind.EXPERIENTIAL, "first_day": value, "weeks": 1, "minutes": 60}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and "Free times" not in text


def _booking_form(django_app, user):
    page = django_app.get(reverse("counseling:booking_new"), user=user)
    return next(form for form in page.forms.values() if "client" in form.fields)


@pytest.mark.parametrize(
    "today",
    [dt.date(2027, 1, 31), dt.date(2028, 2, 29), dt.date(2027, 3, 28), dt.date(2027, 10, 31), dt.date(2027, 12, 31)],
)
def test_a_booking_beyond_the_horizon_is_refused_at_the_form(
    clock, django_app, coordinator, profile, her_client, today
):
    clock(today)
    horizon = today + dt.timedelta(days=settings.HAVEN_BOOKING_HORIZON_DAYS)
    form = _booking_form(django_app, coordinator)
    assert form["date"].attrs["max"] == horizon.isoformat()
    form["counselor"] = str(profile.pk)
    form["client"] = str(her_client.pk)
    form["kind"] = SessionKind.HOME_VISIT
    form["date"] = (horizon + dt.timedelta(days=1)).isoformat()
    form["start_time"], form["end_time"] = "10:00", "11:00"
    form["confirm_outside_availability"] = True
    response = form.submit()
    assert response.status_code == 200
    assert "at most" in response.text and 'href="#id_date"' in response.text  # the summary links to the field
    assert not Booking.objects.exists()
    # The horizon's last day itself is fine.
    form = _booking_form(django_app, coordinator)
    form["counselor"] = str(profile.pk)
    form["client"] = str(her_client.pk)
    form["kind"] = SessionKind.HOME_VISIT
    form["date"] = horizon.isoformat()
    form["start_time"], form["end_time"] = "10:00", "11:00"
    form["confirm_outside_availability"] = True
    assert form.submit().status_code == 302
    assert Booking.objects.get().start == at(horizon, 10)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_an_absurd_booking_date_is_a_form_error(django_app, coordinator, profile, her_client, value):
    form = _booking_form(django_app, coordinator)
    form["counselor"] = str(profile.pk)
    form["client"] = str(her_client.pk)
    form["kind"] = SessionKind.HOME_VISIT
    form["date"] = value
    form["start_time"], form["end_time"] = "10:00", "11:00"
    response = form.submit()
    assert response.status_code == 200
    assert "Choose a date between" in response.text
    assert not Booking.objects.exists()


def test_the_service_refuses_a_booking_beyond_the_horizon(coordinator, profile, her_client, today):
    beyond = today + dt.timedelta(days=settings.HAVEN_BOOKING_HORIZON_DAYS + 1)
    with pytest.raises(ValidationError, match="at most"):
        services.booking_create(
            counselor=profile,
            client=her_client,
            room=None,
            start=at(beyond, 10),
            end=at(beyond, 11),
            kind=SessionKind.HOME_VISIT,
            by=coordinator,
            confirm_outside_availability=True,
        )
    assert not Booking.objects.exists()


def test_the_service_refuses_to_move_a_booking_beyond_the_horizon(
    coordinator, profile, her_client, room, monday, today
):
    booking = booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=coordinator)
    beyond = today + dt.timedelta(days=settings.HAVEN_BOOKING_HORIZON_DAYS + 1)
    with pytest.raises(ValidationError, match="at most"):
        services.booking_reschedule(
            booking=booking, start=at(beyond, 10), end=at(beyond, 11), room=room, by=coordinator
        )
    booking.refresh_from_db()
    assert booking.start == at(monday, 10) and booking.sequence == 0


def test_the_shell_cannot_save_a_booking_in_year_9999(profile, her_client):
    """One such row broke her calendar feed for good: the model refuses it, whichever door."""
    start = dt.datetime(9999, 12, 30, 10, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="Choose a date between"):
        Booking.objects.create(
            counselor=profile,
            client=her_client,
            kind=SessionKind.HOME_VISIT,
            start=start,
            end=start + dt.timedelta(hours=1),
        )
    assert not Booking.objects.exists()


def test_a_queryset_cannot_move_a_booking_to_year_9999_nor_insert_one_there(
    coordinator, profile, her_client, room, monday
):
    """A queryset's update and bulk insert do not call the model's save: they refuse the same dates."""
    booking = booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=coordinator)
    start = dt.datetime(9999, 12, 30, 10, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="Choose a date between"):
        Booking.objects.filter(pk=booking.pk).update(start=start, end=start + dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="Choose a date between"):
        Booking.objects.bulk_create(
            [
                Booking(
                    counselor=profile,
                    client=her_client,
                    kind=SessionKind.HOME_VISIT,
                    start=start,
                    end=start + dt.timedelta(hours=1),
                )
            ]
        )
    assert list(Booking.objects.values_list("start", flat=True)) == [at(monday, 10)]
    Booking.objects.filter(pk=booking.pk).update(start=F("start") - dt.timedelta(hours=1))  # the database's sum
    assert Booking.objects.get().start == at(monday, 9)


class _Times:
    """The booking forms' date + from + until, on their own."""

    @staticmethod
    def form(day, start, end):
        from django import forms

        from counseling.forms import TimesMixin

        class TimesForm(TimesMixin, forms.Form):
            date = forms.DateField()
            start_time = forms.TimeField()
            end_time = forms.TimeField()

        return TimesForm({"date": day, "start_time": start, "end_time": end})


@pytest.mark.parametrize(
    "day,start,expected_utc",
    [
        ("2027-03-28", "02:30", dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)),  # skipped hour: 03:30 CEST
        ("2027-10-31", "02:30", dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)),  # twice: the first (CEST)
        ("2028-02-29", "23:30", dt.datetime(2028, 2, 29, 22, 30, tzinfo=dt.UTC)),
    ],
)
def test_a_booking_time_follows_the_one_wall_clock_policy(day, start, expected_utc):
    assert settings.TIME_ZONE == "Europe/Belgrade"
    form = _Times.form(day, start, "23:59")
    assert form.is_valid(), form.errors
    # In UTC: PEP 495 makes an ambiguous local time unequal to any time of another zone.
    assert form.cleaned_data["start"].astimezone(dt.UTC) == expected_utc
