"""The catalogue kept whole for visitors who are not logged in (TrainingCataloguePage.serve): the next visitor
gets the kept page, and a change through any door, or the clock passing an opening, a closing or midnight,
shows at once. Signed in, what the catalogue shows everyone alike is kept the same way and made hers with
her own enrolments (trainings.selectors.catalogue_context): the same doors and moments show at once, and
no one's enrolments reach another's page."""

import datetime as dt
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page

from core import dates
from tests.helpers import tags_squeezed
from trainings import services
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment, TrainingCataloguePage

# On PostgreSQL committed, as on a server: a transaction that wrote to a trainings table keeps no page there,
# since what it wrote may yet be rolled back (reporting.inputs). SQLite has one writer, whose stamp its own
# transaction sees: the test's transaction will do, a second faster.
pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")

EDIT_FORM = "w-editor-form"


@pytest.fixture
def catalogue():
    from trainings.demo import _catalogue_page

    _catalogue_page()
    return TrainingCataloguePage.objects.get(locale__language_code="en")


def _visit(client, page, **query):
    response = client.get(page.url, query)
    assert response.status_code == 200
    return response


def _kept(response) -> bool:
    # A kept page is sent as it was built: no template is rendered for it.
    return response.context is None


def test_the_next_visitor_gets_the_kept_page_in_fewer_queries(
    client, catalogue, make_edition, django_assert_max_num_queries
):
    make_edition(capacity=3)
    first = _visit(client, catalogue)
    assert not _kept(first) and "3 seats left" in first.text
    with django_assert_max_num_queries(9):  # Wagtail's routing, the stamp, the kept page
        second = _visit(client, catalogue)
    assert _kept(second) and second.content == first.content
    assert dict(second.headers) == dict(first.headers)  # the middleware's headers, as on the page built


def _seat_taken_by_service(edition, trainees, **_):
    services.enrollment_create(edition=edition, user=trainees(1)[0])


def _seat_given_back_by_bulk_update(edition, trainees, **_):
    # The ORM's update() sends no signal: only the database's own stamp sees it.
    Enrollment.objects.filter(edition=edition).update(status=EnrollmentStatus.CANCELLED)


def _capacity_raised_by_raw_sql(edition, **_):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {edition._meta.db_table} SET capacity = 6 WHERE id = %s", [edition.pk])  # noqa: S608


def _capacity_raised_in_the_admin(edition, admin, **_):
    form = admin(reverse("training_editions:edit", args=[edition.pk])).forms[EDIT_FORM]
    form["capacity"] = "5"
    assert form.submit().status_code == 302


# Each door a change may come through, and what the catalogue then shows of the edition with 2 seats left.
DOORS = pytest.mark.parametrize(
    ("change", "seats"),
    [
        pytest.param(_seat_taken_by_service, "1 seat left", id="service"),
        pytest.param(_seat_given_back_by_bulk_update, "3 seats left", id="ORM bulk update"),
        pytest.param(_capacity_raised_by_raw_sql, "5 seats left", id="raw SQL"),
        pytest.param(_capacity_raised_in_the_admin, "4 seats left", id="Wagtail admin"),
    ],
)


@DOORS
def test_a_change_through_any_door_shows_to_the_next_visitor(
    client, catalogue, make_edition, trainees, admin, change, seats
):
    edition = make_edition(capacity=3)
    services.enrollment_create(edition=edition, user=trainees(1)[0])
    _visit(client, catalogue)
    assert "2 seats left" in _visit(client, catalogue).text
    change(edition=edition, trainees=trainees, admin=admin)
    response = _visit(client, catalogue)
    assert not _kept(response) and seats in response.text


def _signed_in_visit(django_app, page, user):
    """Her page, and whether the catalogue's editions were read again for it (not taken as kept)."""
    with CaptureQueriesContext(connection) as queries:
        response = django_app.get(page.url, user=user)
    assert response.status_code == 200
    read = any('"trainings_edition"' in query["sql"] for query in queries.captured_queries)
    return response, read


@DOORS
def test_signed_in_a_change_through_any_door_shows_at_once(
    django_app, catalogue, make_edition, trainees, trainee, admin, change, seats
):
    edition = make_edition(capacity=3)
    services.enrollment_create(edition=edition, user=trainees(1)[0])
    _signed_in_visit(django_app, catalogue, trainee)
    response, read = _signed_in_visit(django_app, catalogue, trainee)
    assert not read and "2 seats left" in response.text  # kept: no edition read again
    change(edition=edition, trainees=trainees, admin=admin)
    response, read = _signed_in_visit(django_app, catalogue, trainee)
    assert read and seats in response.text


def test_signed_in_her_enrolments_are_on_her_page_only(django_app, catalogue, make_edition, trainees):
    edition = make_edition(capacity=3)
    enrolled, other = trainees(2)
    services.enrollment_create(edition=edition, user=enrolled)
    enrol = reverse("trainings:enrol", args=[edition.pk])
    hers, _read = _signed_in_visit(django_app, catalogue, enrolled)
    theirs, read = _signed_in_visit(django_app, catalogue, other)
    again, read_again = _signed_in_visit(django_app, catalogue, enrolled)
    assert not read and not read_again  # both from what was kept for everyone
    assert "You are enrolled" in hers.text and enrol not in hers.text
    assert "You are enrolled" not in theirs.text and enrol in theirs.text
    assert tags_squeezed(again.text, tokens_masked=True) == tags_squeezed(hers.text, tokens_masked=True)


def test_signed_in_an_opening_shows_at_that_moment(django_app, catalogue, make_edition, trainee, clock):
    now = clock(dates.start_of_day(dates.today() + timedelta(days=1)) + timedelta(hours=8), tick=False)
    opening = make_edition(start_in=20, enrolment_opens=now + timedelta(hours=1))
    enrol = reverse("trainings:enrol", args=[opening.pk])
    before, _read = _signed_in_visit(django_app, catalogue, trainee)
    kept, read = _signed_in_visit(django_app, catalogue, trainee)
    assert enrol not in before.text and not read and enrol not in kept.text
    clock(now + timedelta(hours=1), tick=False)
    opened, read = _signed_in_visit(django_app, catalogue, trainee)
    assert read and enrol in opened.text


def test_a_change_to_another_apps_tables_leaves_the_kept_catalogue(client, catalogue, make_edition):
    from counseling.models import Room

    make_edition()
    _visit(client, catalogue)
    Room.objects.create(name="Room 9")  # counted for donors too, but nothing the catalogue shows
    assert _kept(_visit(client, catalogue))


def test_a_published_title_and_introduction_show_to_the_next_visitor(client, catalogue, make_edition):
    make_edition()
    _visit(client, catalogue)
    catalogue.title = "Courses for professionals"
    catalogue.save_revision().publish()
    assert "<h1>Courses for professionals</h1>" in _visit(client, catalogue).text
    catalogue.introduction = "New dates for spring."
    catalogue.save_revision().publish()
    assert "New dates for spring." in _visit(client, catalogue).text


def test_someone_logged_in_never_gets_the_kept_page_and_hers_is_not_kept(
    client, django_app, catalogue, make_edition, trainee
):
    edition = make_edition()
    services.enrollment_create(edition=edition, user=trainee)
    _visit(client, catalogue)
    _visit(client, catalogue)
    hers = django_app.get(catalogue.url, user=trainee)
    assert "You are enrolled" in hers.text
    after = _visit(client, catalogue)
    assert _kept(after) and "You are enrolled" not in after.text


def test_enrolment_opening_and_closing_show_at_that_moment(client, catalogue, make_edition, clock):
    now = clock(dates.start_of_day(dates.today() + timedelta(days=1)) + timedelta(hours=8), tick=False)
    opening = make_edition(start_in=20, enrolment_opens=now + timedelta(hours=1))
    closing = make_edition(start_in=30, enrolment_closes=now + timedelta(hours=2))
    enrol = reverse("trainings:enrol", args=[opening.pk])
    before = _visit(client, catalogue)
    assert enrol not in before.text and "Enrolment opens on" in before.text
    assert _kept(_visit(client, catalogue))
    clock(now + timedelta(hours=1), tick=False)
    assert enrol in _visit(client, catalogue).text
    clock(now + timedelta(hours=2), tick=False)
    assert reverse("trainings:edition_detail", args=[closing.pk]) not in _visit(client, catalogue).text


def test_a_change_to_the_sites_pages_through_any_door_shows_in_the_kept_catalogue_at_once(client, catalogue):
    """Its title, address and language links are the page tree's (reporting.inputs): a change there moves no
    trainings table, and the ORM's update sends no signal."""
    _visit(client, catalogue)
    assert _kept(_visit(client, catalogue))
    Page.objects.filter(pk=catalogue.pk).update(title="Courses for professionals")
    again = _visit(client, catalogue)
    # In its heading and in the page's title around it (kept apart from the catalogue: below).
    assert not _kept(again) and "<h1>Courses for professionals</h1>" in again.text
    assert "<title>Courses for professionals · " in again.text


def _whole(client, page, monkeypatch):
    """The page as built whole from its template (as for someone signed in), nothing of it kept."""
    from django.core.cache import caches

    caches["kept"].clear()
    with monkeypatch.context() as patched:
        patched.setattr(TrainingCataloguePage, "_frame", lambda self, request: None)
        return _visit(client, page)


def test_after_a_change_to_its_editions_the_catalogue_is_built_in_the_page_kept_around_it(
    client, catalogue, make_edition, trainees, monkeypatch
):
    """What is around it (header, language links, footer) is made of the site's pages alone, and kept under
    their stamp: a seat taken leaves it, and the page is the one built whole."""
    edition = make_edition(capacity=3)
    _visit(client, catalogue)
    Enrollment.objects.create(edition=edition, user=trainees(1)[0], status=EnrollmentStatus.ENROLLED)
    with CaptureQueriesContext(connection) as queries:
        response = _visit(client, catalogue)
    assert not _kept(response) and "2 seats left" in response.text
    assert not any('"translation_key" IN' in query["sql"] for query in queries)  # its language links: kept
    assert response.content == _whole(client, catalogue, monkeypatch).content


def test_its_introduction_changed_in_its_own_table_alone_shows_to_the_next_visitor(client, catalogue, monkeypatch):
    """The introduction is the catalogue page's own field, in a trainings table: it is built with the
    editions, not kept with what is around them (the ORM's update writes that table alone)."""
    _visit(client, catalogue)
    TrainingCataloguePage.objects.filter(pk=catalogue.pk).update(introduction="New dates for spring.")
    again = _visit(client, catalogue)
    assert "New dates for spring." in again.text and again.content == _whole(client, catalogue, monkeypatch).content


@pytest.mark.parametrize(
    "evening",
    [
        pytest.param(dt.date(2028, 2, 29), id="29 February"),
        pytest.param(dt.date(2026, 12, 31), id="the year's last day"),
        pytest.param(dt.date(2027, 3, 27), id="the night the clocks go forward"),
        pytest.param(dt.date(2027, 10, 30), id="the night the clocks go back"),
    ],
)
def test_an_edition_starting_today_leaves_the_kept_catalogue_at_midnight(
    client, catalogue, make_edition, clock, evening
):
    clock(dates.start_of_day(evening) + timedelta(hours=7), tick=False)
    today = make_edition(start_in=0, days=1, enrolment_closes=dates.end_of_day(evening) + timedelta(days=1))
    tomorrow = make_edition(start_in=1, days=1, enrolment_closes=dates.end_of_day(evening) + timedelta(days=2))
    detail = [reverse("trainings:edition_detail", args=[edition.pk]) for edition in (today, tomorrow)]
    clock(dates.end_of_day(evening) - timedelta(minutes=1), tick=False)
    late = _visit(client, catalogue)
    assert all(url in late.text for url in detail)
    clock(dates.end_of_day(evening), tick=False)
    after_midnight = _visit(client, catalogue)
    assert detail[0] not in after_midnight.text and detail[1] in after_midnight.text


def test_an_unpublished_translation_leaves_the_kept_catalogues_language_links(client, make_edition):
    from trainings.demo import _catalogue_page
    from website.demo import load as website_load

    website_load(users={})
    make_edition()
    _catalogue_page()
    english = TrainingCataloguePage.objects.get(locale__language_code="en")
    danish = TrainingCataloguePage.objects.get(locale__language_code="da")
    _visit(client, english)
    assert f'href="{danish.url}"' in _visit(client, english).text
    danish.unpublish()
    assert f'href="{danish.url}"' not in _visit(client, english).text


def test_the_moment_a_catalogue_holds_until_is_read_with_its_filters(make_edition, clock):
    """The next opening still ahead, the soonest closing, or midnight: whichever comes first, from the rows the
    filters read (a kept catalogue holds until then); editions that are not upcoming leave it."""
    from trainings.enums import EditionStatus
    from trainings.selectors import CatalogueReading, catalogue_filters

    now = clock(dates.start_of_day(dates.today() + timedelta(days=1)) + timedelta(hours=8), tick=False)
    midnight = dates.end_of_day(dates.today())
    assert catalogue_filters(data={}).changes_at == midnight  # nothing upcoming: the day's end
    make_edition(start_in=20, enrolment_opens=now - timedelta(hours=1))  # open already: its opening is past
    make_edition(start_in=20, enrolment_closes=now + timedelta(hours=9))
    make_edition(start_in=20, enrolment_opens=now + timedelta(hours=7), status=EditionStatus.CANCELLED)
    make_edition(start_in=-1, enrolment_closes=now + timedelta(hours=1))  # started: not in the catalogue
    assert catalogue_filters(data={}).changes_at == now + timedelta(hours=9)
    make_edition(start_in=30, enrolment_opens=now + timedelta(hours=6))
    assert catalogue_filters(data={}).changes_at == now + timedelta(hours=6)
    make_edition(start_in=30, enrolment_closes=now + timedelta(hours=2))
    reading = CatalogueReading({})
    assert reading.changes_at() == now + timedelta(hours=2)
    assert reading.filters is reading.filters  # read once for the moment and the page
    assert catalogue_filters(data={"month": "nonsense"}).changes_at == now + timedelta(hours=2)  # for any choice


def test_a_first_view_after_a_change_reads_the_upcoming_editions_once_for_its_filters_and_moment(
    client, catalogue, make_edition
):
    make_edition(capacity=3)
    _visit(client, catalogue)
    make_edition(capacity=4)  # a change: the kept page no longer holds
    with CaptureQueriesContext(connection) as queries:
        response = _visit(client, catalogue)
    assert not _kept(response) and "4 seats left" in response.text
    upcoming = [
        q["sql"] for q in queries if 'FROM "trainings_edition"' in q["sql"] and '"enrolment_closes" >' in q["sql"]
    ]
    # The filters' choices and the moment the page holds until in one read, the page's own editions (their
    # cards) in another: not a third to work out the moment.
    assert len(upcoming) == 2, upcoming
