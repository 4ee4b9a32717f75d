"""The coordinator's admin listings (first page of each, as she opens them, filters and sort as the
listing starts) and the calendar feeds, on the data set: each listing's queries and CPU time should follow
the page of rows shown, not the size of the table behind it."""

from django.test import Client
from django.urls import reverse

from bench.dataset import COORDINATOR, COUNSELOR, FACILITATOR, TRAINER, dataset_user
from bench.harness import logged_in, page
from reporting.enums import PeriodStatus
from reporting.models import ReportingPeriod
from website import feeds
from website.services import calendar_feed_get_or_create

LISTINGS = [
    ("training editions", "training_editions"),
    ("enrolments", "enrolments"),
    ("training sessions", "training_sessions"),
    ("group cohorts", "group_cohorts"),
    ("group members", "group_members"),
    ("group memberships", "group_memberships"),
    ("group sessions", "group_sessions"),
    ("counseling clients", "counseling_clients"),
    ("counseling bookings", "counseling_bookings"),
    ("counselors", "counseling_counselors"),
    ("cases", "case_admin"),
    ("issued certificates", "issued_certificates"),
    ("reporting periods", "reporting_periods"),
    ("audit log", "audit_log"),
]
FEEDS = [("counselor", COUNSELOR), ("facilitator", FACILITATOR), ("trainer", TRAINER)]


def run(measure):
    coordinator = logged_in(dataset_user(COORDINATOR))
    rows = [
        measure(f"admin: {label} listing", page(coordinator, reverse(f"{viewset}:index")), runs=10)
        for label, viewset in LISTINGS
    ]
    # Wagtail's frame alone: a listing whose filter leaves no row (no period of the data set is in review).
    assert not ReportingPeriod.objects.filter(status=PeriodStatus.IN_REVIEW).exists()
    rows.append(
        measure(
            "admin: reporting periods listing, filtered to no row (the frame alone)",
            page(coordinator, reverse("reporting_periods:index") + f"?status={PeriodStatus.IN_REVIEW}"),
            runs=10,
        )
    )
    anonymous = Client(HTTP_HOST="localhost")  # a calendar client: no session, the secret in the URL
    for label, prefix in FEEDS:
        feed = calendar_feed_get_or_create(user=dataset_user(prefix))
        url = reverse("website_public:calendar_feed", kwargs={"token": feed.token})
        rows.append(measure(f"feeds: a {label}'s calendar feed", page(anonymous, url), runs=10))
    # A feed is written once per content (website.feeds.feed_ics): the rows above are the fetches of an
    # unchanged feed, as calendar programs make them; this is the first fetch after one of her events changed.
    feed = calendar_feed_get_or_create(user=dataset_user(COUNSELOR))
    events = feeds.feed_events_for(feed.user)
    rows.append(
        measure(
            f"feeds: writing a counselor's feed afresh ({len(events)} events)",
            lambda: feeds.calendar_build(feeds.feed_events_for(feed.user), name="", uid=feeds.feed_calendar_uid(feed)),
            runs=10,
        )
    )
    return rows
