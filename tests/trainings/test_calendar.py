"""One calendar source for an edition: the download, the email attachment and the feed carry the same
per-session events with the same UIDs; the calendar itself keeps one UID; a change shows as a change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from trainings import calendar, services
from website.services import calendar_feed_get_or_create

pytestmark = pytest.mark.django_db


def _events(body: bytes) -> dict:
    parsed = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def test_download_has_the_feeds_events_with_the_same_uids(client, edition, trainee):
    services.enrollment_create(edition=edition, user=trainee)
    download = client.get(reverse("trainings:edition_ics", args=[edition.pk]))
    assert download["Content-Type"].startswith("text/calendar")
    feed = calendar_feed_get_or_create(user=trainee)
    from_feed = _events(client.get(reverse("website_public:calendar_feed", kwargs={"token": feed.token})).content)
    from_download = _events(download.content)
    expected = {f"training-session-{session.pk}@haven" for session in edition.sessions.all()}
    assert set(from_download) == set(from_feed) == expected
    for uid, event in from_download.items():
        assert event["DTSTART"].dt == from_feed[uid]["DTSTART"].dt
        assert event["SEQUENCE"] == from_feed[uid]["SEQUENCE"]


def test_the_calendar_uid_stays_the_same_on_every_fetch(client, edition, trainee):
    url = reverse("trainings:edition_ics", args=[edition.pk])
    first, second = (Calendar.from_ical(client.get(url).content) for _ in range(2))
    assert str(first["UID"]) == str(second["UID"]) == f"training-edition-{edition.pk}@haven"
    feed = calendar_feed_get_or_create(user=trainee)
    feed_url = reverse("website_public:calendar_feed", kwargs={"token": feed.token})
    uids = {str(Calendar.from_ical(client.get(feed_url).content)["UID"]) for _ in range(2)}
    assert uids == {f"calendar-feed-{feed.pk}@haven"}


def test_a_moved_and_a_cancelled_session_show_as_changes(client, edition, coordinator):
    first, second = edition.sessions.all()
    services.training_session_change(
        session=first,
        start=first.start + timedelta(hours=2),
        end=first.end + timedelta(hours=2),
        title=first.title,
        cancelled=False,
        by=coordinator,
    )
    services.training_session_change(
        session=second, start=second.start, end=second.end, title=second.title, cancelled=True, by=coordinator
    )
    events = _events(client.get(reverse("trainings:edition_ics", args=[edition.pk])).content)
    moved, cancelled = events[calendar.session_uid(first.pk)], events[calendar.session_uid(second.pk)]
    assert moved["SEQUENCE"] == 1 and str(moved["STATUS"]) == "CONFIRMED"
    assert moved["DTSTART"].dt == first.start + timedelta(hours=2)
    assert cancelled["SEQUENCE"] == 1 and str(cancelled["STATUS"]) == "CANCELLED"


def test_single_session_download_is_the_same_event(client, edition):
    session = edition.sessions.first()
    body = client.get(reverse("website:training_session_ics", kwargs={"pk": session.pk})).content
    assert set(_events(body)) == {calendar.session_uid(session.pk)}
