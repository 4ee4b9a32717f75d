"""Every session and booking page offers its single-event .ics download, and the link works."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_cohort_page_links_each_session_to_its_ics(client_for, facilitator, make_group_sessions):
    session = make_group_sessions(facilitator)[0]
    client = client_for(facilitator)
    page = client.get(reverse("groups:cohort_detail", args=[session.cohort_id])).content.decode()
    ics_url = reverse("website:group_session_ics", args=[session.pk])
    assert ics_url in page
    response = client.get(ics_url)
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.content


def test_booking_page_links_to_its_ics_without_the_alias(client_for, counselor, make_bookings):
    booking = make_bookings(counselor, client_alias="Ljiljanka")[0]
    client = client_for(counselor)
    page = client.get(reverse("counseling:booking_detail", args=[booking.pk])).content.decode()
    ics_url = reverse("website:booking_ics", args=[booking.pk])
    assert ics_url in page
    response = client.get(ics_url)
    assert response.status_code == 200
    assert b"Ljiljanka" not in response.content
