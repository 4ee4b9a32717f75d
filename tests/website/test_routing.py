"""Which page an address is, found once and kept while the site's pages are unchanged (website.routing):
the next request is served without Wagtail's routing, and a change to the page tree through any door is
followed at once; what the page shows, whether it is live and who may see it are read on every request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale, Page, PageViewRestriction, Site

from reporting.inputs import figures_inputs_stamp, figures_inputs_touch, page_tree_stamp
from tests.helpers import switcher_links
from website.models import NewsIndexPage

# On PostgreSQL committed, as on a server: a transaction that wrote a page keeps no route (it may yet be
# rolled back: reporting.inputs). SQLite's one writer sees its own stamp: the test's transaction will do.
pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


@pytest.fixture
def news():
    home = Site.objects.get(is_default_site=True).root_page
    page = NewsIndexPage(title="News", slug="news", introduction="What the centre did this spring.")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _routing_queries(client, path) -> tuple[int, list[str]]:
    """The response's status, and its queries of Wagtail's routing: the sites (which one is the request's),
    a page's children by their slug (the next page down the path)."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, [q["sql"] for q in queries if "wagtailcore_site" in q["sql"] or '"slug" =' in q["sql"]]


def test_the_next_request_for_an_address_is_served_without_routing_it_again(client, news):
    status, routing = _routing_queries(client, "/news/")
    assert status == 200 and routing  # found by Wagtail, and kept
    status, routing = _routing_queries(client, "/news/")
    assert status == 200 and routing == []
    response = client.get("/news/")
    assert "What the centre did this spring." in response.text and response.context["page"].pk == news.pk


def test_an_address_that_is_no_page_is_never_kept(client, news):
    for _ in range(2):
        status, routing = _routing_queries(client, "/no-such-page/")
        assert status == 404 and routing


def _moved_by_service(page, **_):
    page.slug = "stories"
    page.save_revision().publish()


def _moved_by_bulk_update(page, **_):
    # The ORM's update() sends no signal: only the database's own stamp sees it.
    Page.objects.filter(pk=page.pk).update(slug="stories", url_path=page.url_path.replace("news", "stories"))


def _moved_by_raw_sql(page, **_):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wagtailcore_page SET slug = %s, url_path = %s WHERE id = %s",
            ["stories", page.url_path.replace("news", "stories"), page.pk],
        )


def _moved_in_the_admin(page, admin, **_):
    form = admin(reverse("wagtailadmin_pages:edit", args=[page.pk])).forms["page-edit-form"]
    form["slug"] = "stories"
    assert form.submit("action-publish").status_code == 302


@pytest.mark.parametrize(
    "move",
    [
        pytest.param(_moved_by_service, id="service"),
        pytest.param(_moved_by_bulk_update, id="ORM bulk update"),
        pytest.param(_moved_by_raw_sql, id="raw SQL"),
        pytest.param(_moved_in_the_admin, id="Wagtail admin"),
    ],
)
def test_a_page_moved_to_another_address_through_any_door_is_no_longer_at_the_old_one(client, news, admin, move):
    assert client.get("/news/").status_code == 200
    assert _routing_queries(client, "/news/") == (200, [])  # kept
    move(news, admin=admin)
    old = client.get("/news/")
    # Wagtail leaves a redirect to the new address once a move through its own code is committed.
    assert old.status_code == 404 or (old.status_code == 301 and old.headers["Location"] == "/stories/")
    response = client.get("/stories/")
    assert response.status_code == 200 and "What the centre did this spring." in response.text


def test_what_a_kept_address_shows_whether_it_is_live_and_who_may_see_it_are_read_on_every_request(client, news):
    assert client.get("/news/").status_code == 200
    # The page's own table only: the page tree's stamp stays where it was, the page is read again.
    NewsIndexPage.objects.filter(pk=news.pk).update(introduction="What the centre did this summer.")
    assert "What the centre did this summer." in client.get("/news/").text
    restriction = PageViewRestriction.objects.create(page=news, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/news/").status_code == 302  # to the login
    restriction.delete()
    assert client.get("/news/").status_code == 200
    news.unpublish()
    assert client.get("/news/").status_code == 404


def test_each_language_and_host_keeps_its_own_page(client, news, settings):
    danish = news.copy_for_translation(Locale.objects.get_or_create(language_code="da")[0], copy_parents=True)
    danish.title, danish.introduction = "Nyheder", "Hvad centret lavede i foråret."
    danish.save_revision().publish()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    # A second site, whose pages are Wagtail's root alone: no news there.
    Site.objects.create(hostname="other.example", root_page=Page.objects.get(depth=1), is_default_site=False)
    for _ in range(2):
        assert "What the centre did this spring." in client.get("/news/").text
        assert "Hvad centret lavede i foråret." in client.get("/da/news/").text
        assert client.get("/news/", HTTP_HOST="other.example").status_code == 404


def test_the_page_trees_stamp_moves_with_its_tables_only(news):
    pages, figures = page_tree_stamp(), figures_inputs_stamp()
    assert page_tree_stamp() == pages  # reading moves nothing
    figures_inputs_touch()  # every input's stamp, as a change to a donor figure's table
    assert page_tree_stamp() == pages and figures_inputs_stamp() != figures
    figures = figures_inputs_stamp()
    Site.objects.update(site_name="Haven")
    assert page_tree_stamp() != pages and figures_inputs_stamp() == figures  # a page is no donor figure


def test_a_pages_language_links_are_kept_and_follow_a_translation_published_or_withdrawn(client, news):
    danish = news.copy_for_translation(Locale.objects.get_or_create(language_code="da")[0], copy_parents=True)
    assert switcher_links(client.get("/news/").text)["da"] == "/da/"  # a draft: the Danish home page
    danish.save_revision().publish()
    assert switcher_links(client.get("/news/").text)["da"] == "/da/news/"
    with CaptureQueriesContext(connection) as queries:
        assert switcher_links(client.get("/news/").text)["da"] == "/da/news/"
    assert not any('"translation_key" IN' in query["sql"] for query in queries)  # kept: not read again
    Page.objects.filter(pk=danish.pk).update(live=False)  # the ORM's update: no signal, the stamp moves
    assert switcher_links(client.get("/news/").text)["da"] == "/da/"


def _stamp_reads(queries) -> int:
    marker = "pg_try_advisory_lock" if connection.vendor == "postgresql" else "reporting_figuresinputsstamp"
    return sum(marker in query["sql"] for query in queries)


def test_a_page_built_afresh_reads_the_page_trees_stamp_once_for_its_route_and_its_language_links(client, news):
    """Both are kept under the stamp the route read first (reporting.inputs.request_page_tree_stamp): the
    links are built after it was read, so a change committed meanwhile leaves them under the older stamp."""
    client.get("/news/")
    Page.objects.filter(pk=news.pk).update(title="Stories")  # the tree moved: route and links built afresh
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/news/")
    assert response.status_code == 200 and "Stories" in response.text
    assert any('"translation_key" IN' in query["sql"] for query in queries)  # the links, built afresh
    assert _stamp_reads(queries) == 1
