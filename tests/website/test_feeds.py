import pytest
from django.urls import reverse
from icalendar import Calendar

from counseling.enums import BookingStatus
from trainings.enums import EditionStatus, EnrollmentStatus
from website import feeds
from website.models import CalendarFeed
from website.services import calendar_feed_get_or_create, calendar_feed_regenerate


def feed_path(feed):
    return reverse("website_public:calendar_feed", kwargs={"token": feed.token})


def events_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return calendar, {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_url_is_language_neutral(db, facilitator):
    feed = calendar_feed_get_or_create(user=facilitator)
    assert feed_path(feed) == f"/feeds/{feed.token}.ics"
    assert len(feed.token) >= 43  # 32 random bytes


def test_facilitator_feed_has_her_group_sessions_with_stable_uid_and_time_zone(
    client, facilitator, make_user, make_group_sessions
):
    mine = make_group_sessions(facilitator, 2)
    make_group_sessions(make_user(), 1)  # another facilitator's cohort
    feed = calendar_feed_get_or_create(user=facilitator)

    calendar, events = events_of(client.get(feed_path(feed)))

    assert set(events) == {f"group-session-{s.pk}@haven" for s in mine}
    event = events[f"group-session-{mine[0].pk}@haven"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert "Spring group" in str(event["SUMMARY"])
    assert event["DTSTART"].dt.tzinfo is not None
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Belgrade"]
    assert b"TZID=Europe/Belgrade" in client.get(feed_path(feed)).content


def test_changed_session_raises_sequence_and_cancelled_session_stays_cancelled(
    client, facilitator, make_group_sessions
):
    session, other = make_group_sessions(facilitator, 2)
    session.sequence = 3
    session.cancelled = True
    session.cancel_reason = "Vesna is ill"
    session.notes = "private note about a member"
    session.save()
    feed = calendar_feed_get_or_create(user=facilitator)

    response = client.get(feed_path(feed))
    _calendar, events = events_of(response)

    event = events[f"group-session-{session.pk}@haven"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert b"Vesna" not in response.content
    assert b"private note" not in response.content


def test_counselor_feed_never_names_the_client_or_the_kind(client, counselor, make_bookings):
    booking, cancelled = make_bookings(counselor, 2, client_alias="Dragana Secret")
    cancelled.status = BookingStatus.CANCELLED
    cancelled.sequence = 1
    cancelled.save()
    away = make_bookings(counselor, 1, days=20, room=None, client_alias="Home Visit Alias")[0]
    feed = calendar_feed_get_or_create(user=counselor)

    response = client.get(feed_path(feed))
    _calendar, events = events_of(response)

    assert str(events[f"booking-{booking.pk}@haven"]["SUMMARY"]) == "Counseling - Room 2"
    assert str(events[f"booking-{cancelled.pk}@haven"]["STATUS"]) == "CANCELLED"
    assert events[f"booking-{cancelled.pk}@haven"]["SEQUENCE"] == 1
    assert str(events[f"booking-{away.pk}@haven"]["SUMMARY"]) == "Counseling - away from the office"
    body = response.content.decode()
    for leak in ["Dragana", "Secret", "Home Visit Alias", "Case-based", "case_based", "C-"]:
        assert leak not in body


def test_trainee_feed_has_enrolled_sessions_and_keeps_dropped_ones_cancelled(client, trainee, make_edition):
    enrolled = make_edition(trainee=trainee)
    dropped = make_edition(trainee=trainee, enrolment=EnrollmentStatus.CANCELLED)
    waiting = make_edition(trainee=trainee, enrolment=EnrollmentStatus.WAITLISTED)
    cancelled_edition = make_edition(trainee=trainee, status=EditionStatus.CANCELLED)
    feed = calendar_feed_get_or_create(user=trainee)

    _calendar, events = events_of(client.get(feed_path(feed)))

    def uids(edition):
        return {f"training-session-{s.pk}@haven" for s in edition.sessions.all()}

    assert uids(enrolled) | uids(dropped) | uids(cancelled_edition) == set(events)
    assert not uids(waiting) & set(events)
    for uid in uids(enrolled):
        assert str(events[uid]["STATUS"]) == "CONFIRMED"
    for uid in uids(dropped) | uids(cancelled_edition):
        assert str(events[uid]["STATUS"]) == "CANCELLED"
    for uid in uids(dropped):
        assert events[uid]["SEQUENCE"] == 1


def test_trainer_feed_has_her_sessions(client, trainer, make_user, make_edition):
    mine = make_edition(trainer=trainer, sessions=3)
    make_edition(trainer=make_user())
    feed = calendar_feed_get_or_create(user=trainer)

    _calendar, events = events_of(client.get(feed_path(feed)))

    assert set(events) == {f"training-session-{s.pk}@haven" for s in mine.sessions.all()}
    assert "Hotel Park" in str(next(iter(events.values()))["LOCATION"])


def test_regenerating_revokes_the_old_token(client, facilitator):
    old = calendar_feed_get_or_create(user=facilitator)
    assert calendar_feed_get_or_create(user=facilitator) == old  # stable until regenerated

    new = calendar_feed_regenerate(user=facilitator)

    assert new.token != old.token
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    assert CalendarFeed.objects.filter(user=facilitator, revoked_at__isnull=True).count() == 1


def test_unknown_and_revoked_tokens_get_the_same_empty_404(client, facilitator):
    old = calendar_feed_get_or_create(user=facilitator)
    calendar_feed_regenerate(user=facilitator)

    revoked = client.get(feed_path(old))
    unknown = client.get("/feeds/not-a-real-token-at-all.ics")

    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content == b""


def test_inactive_users_feed_is_gone(client, facilitator):
    feed = calendar_feed_get_or_create(user=facilitator)
    facilitator.is_active = False
    facilitator.save()
    assert client.get(feed_path(feed)).status_code == 404


@pytest.mark.parametrize("size", [5, 40])
def test_feed_queries_stay_constant(
    client, django_assert_max_num_queries, make_user, make_group_sessions, make_bookings, make_edition, size
):
    from accounts.enums import Role

    person = make_user(Role.FACILITATOR)
    make_group_sessions(person, size)
    make_bookings(person, size, days=60)
    make_edition(trainer=person, sessions=size)
    make_edition(trainee=person, sessions=size)
    feed = calendar_feed_get_or_create(user=person)

    with django_assert_max_num_queries(6):
        response = client.get(feed_path(feed))

    assert response.content.count(b"BEGIN:VEVENT") == 4 * size


def test_feed_uses_the_owners_language(client, facilitator, make_group_sessions):
    from accounts.models import Profile

    Profile.objects.filter(user=facilitator).update(preferred_language="da")
    make_group_sessions(facilitator, 1)
    feed = calendar_feed_get_or_create(user=facilitator)
    # The owner's language, not the subscriber app's: the feed is the same for every device she syncs.
    response = client.get(feed_path(feed), HTTP_ACCEPT_LANGUAGE="sr-latn")
    assert response.status_code == 200


def test_calendar_page_shows_copies_and_regenerates_the_link(client_for, facilitator):
    client = client_for(facilitator)
    page = client.get(reverse("website:calendar_settings"))
    old = CalendarFeed.objects.get(user=facilitator, revoked_at__isnull=True)
    assert page.status_code == 200
    assert f"/feeds/{old.token}.ics" in page.content.decode()
    assert 'for="feed-url"' in page.content.decode()

    response = client.post(reverse("website:calendar_regenerate"), follow=True)

    new = CalendarFeed.objects.get(user=facilitator, revoked_at__isnull=True)
    assert new.token != old.token
    content = response.content.decode()
    assert f"/feeds/{new.token}.ics" in content
    assert old.token not in content


def test_calendar_page_needs_login_and_regenerate_needs_post(client, client_for, facilitator):
    assert client.get(reverse("website:calendar_settings")).status_code == 302
    assert client_for(facilitator).get(reverse("website:calendar_regenerate")).status_code == 405


def test_home_page_links_to_the_calendar_page(client_for, trainee):
    response = client_for(trainee).get(reverse("home"))
    assert reverse("website:calendar_settings") in response.content.decode()


# Single-event downloads --------------------------------------------------------------------------------------


def test_group_session_download_for_her_facilitator_and_404_for_others(
    client_for, facilitator, make_user, make_group_sessions
):
    from accounts.enums import Role

    session = make_group_sessions(facilitator, 1)[0]
    url = reverse("website:group_session_ics", kwargs={"pk": session.pk})

    response = client_for(facilitator).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    _calendar, events = events_of(response)
    assert list(events) == [f"group-session-{session.pk}@haven"]

    assert client_for(make_user(Role.FACILITATOR)).get(url).status_code == 404
    assert client_for(make_user(Role.COORDINATOR)).get(url).status_code == 200


def test_booking_download_is_her_own_only(client_for, counselor, make_user, make_bookings):
    from accounts.enums import Role

    booking = make_bookings(counselor, 1, client_alias="Zorana")[0]
    url = reverse("website:booking_ics", kwargs={"pk": booking.pk})

    response = client_for(counselor).get(url)
    assert response.status_code == 200
    assert b"Zorana" not in response.content
    assert client_for(make_user(Role.COUNSELOR)).get(url).status_code == 404


def test_edition_and_session_downloads_are_public_once_published(client, make_edition):
    edition = make_edition(sessions=3)
    planned = make_edition(status=EditionStatus.PLANNED)

    response = client.get(reverse("website:edition_ics", kwargs={"pk": edition.pk}))
    assert response.content.count(b"BEGIN:VEVENT") == 3
    session = edition.sessions.first()
    response = client.get(reverse("website:training_session_ics", kwargs={"pk": session.pk}))
    assert response.content.count(b"BEGIN:VEVENT") == 1
    assert client.get(reverse("website:edition_ics", kwargs={"pk": planned.pk})).status_code == 404


def test_edition_ics_bytes_for_enrolment_emails(make_edition):
    edition = make_edition(sessions=2)
    calendar = Calendar.from_ical(feeds.edition_ics_bytes(edition))
    assert len(calendar.walk("VEVENT")) == 2
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_an_unchanged_feed_is_written_once_and_any_change_reaches_the_next_fetch(
    client, counselor, coordinator, make_bookings, monkeypatch
):
    """Calendar programs fetch the same feed again and again: it is written (icalendar) once per content, and a
    change of an event, through whichever door, or of her language is in the very next fetch."""
    from accounts.models import Profile
    from counseling import services

    written = []
    build = feeds.calendar_build
    monkeypatch.setattr(feeds, "calendar_build", lambda *a, **kw: written.append(1) or build(*a, **kw))
    booking, other = make_bookings(counselor, 2)
    feed = calendar_feed_get_or_create(user=counselor)

    first = client.get(feed_path(feed)).content
    assert client.get(feed_path(feed)).content == first and len(written) == 1

    services.booking_cancel(booking=booking, reason="She moved", by=coordinator)  # a page's or the admin's door
    _calendar, events = events_of(client.get(feed_path(feed)))
    assert str(events[f"booking-{booking.pk}@haven"]["STATUS"]) == "CANCELLED" and len(written) == 2

    other.end = other.end.replace(minute=30)  # the ORM's door, past every service
    other.save()
    _calendar, events = events_of(client.get(feed_path(feed)))
    assert events[f"booking-{other.pk}@haven"]["DTEND"].dt.minute == 30 and len(written) == 3

    Profile.objects.filter(user=counselor).update(preferred_language="da")
    calendar, events = events_of(client.get(feed_path(feed)))
    assert str(calendar["X-WR-CALNAME"]) == "Min Haven-kalender"
    assert str(events[f"booking-{other.pk}@haven"]["SUMMARY"]) == "Rådgivning - Room 2" and len(written) == 4


def test_two_people_with_the_same_sessions_each_get_their_own_calendar(
    client, facilitator, make_user, make_group_sessions
):
    from accounts.enums import Role

    colleague = make_user(Role.FACILITATOR)
    (session,) = make_group_sessions(facilitator, 1)
    session.cohort.facilitators.add(colleague)
    mine, theirs = calendar_feed_get_or_create(user=facilitator), calendar_feed_get_or_create(user=colleague)
    assert str(events_of(client.get(feed_path(mine)))[0]["UID"]) == feeds.feed_calendar_uid(mine)
    assert str(events_of(client.get(feed_path(theirs)))[0]["UID"]) == feeds.feed_calendar_uid(theirs)
