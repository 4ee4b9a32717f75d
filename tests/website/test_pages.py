import datetime
import io
import re

import pytest
from django.urls import reverse
from wagtail.models import Locale, Page

from tests.helpers import switcher_links
from website import demo
from website.models import (
    ContactPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectIndexPage,
    ProjectPage,
    ServicePage,
)


@pytest.fixture
def demo_site(shared_demo_site):
    return shared_demo_site


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.slow
def test_demo_builds_every_page_type_and_runs_twice(demo_site):
    counts = {model: model.objects.count() for model in [ServicePage, ProjectPage, NewsPage, ContactPage]}
    demo.load(users={}, stdout=io.StringIO())

    assert {model: model.objects.count() for model in counts} == counts
    english = Locale.objects.get(language_code="en")
    slugs = set(ServicePage.objects.filter(locale=english).values_list("slug", flat=True))
    assert {"case-based-counseling", "self-support-groups", "aftercare", "coordinating-counseling"} <= slugs
    assert ProjectPage.objects.filter(locale=english).count() == 2
    assert ProjectPage.objects.filter(donor_logo__isnull=False).exists()
    assert NewsIndexPage.objects.exists() and ProjectIndexPage.objects.exists()
    assert {loc.language_code for loc in Locale.objects.all()} >= {"en", "da", "sr-latn"}


def test_home_page_lists_the_sections(client, demo_site):
    content = html(client.get("/"))
    assert "<title>Haven</title>" in content  # the site's name once, not "Haven · Haven"
    assert "<title>Case-based counseling · Haven</title>" in html(client.get("/case-based-counseling/"))
    for title in ["Case-based counseling", "Self-support groups", "Aftercare", "Coordinating counseling", "Contact"]:
        assert title in content


def test_service_page_renders_every_block(client, demo_site):
    content = html(client.get("/case-based-counseling/"))
    assert "<h1>Case-based counseling</h1>" in content
    assert 'class="callout callout-safety"' in content  # callout
    assert "<details>" in content and "<summary>Do I have to give my real name?</summary>" in content  # FAQ
    assert 'class="contact-box"' in content and 'href="tel:+381215550147"' in content  # contact block
    assert 'aria-label="You are here"' in content  # breadcrumbs


def test_project_page_shows_donor_duration_partners_target_groups_activities(client, demo_site):
    index = html(client.get("/projects/"))
    assert "Nordic Equality Fund" in index
    content = html(client.get("/projects/safe-at-home/"))
    for text in [
        "Nordic Equality Fund",
        "Centre for Social Work Zrenjanin",
        "Women survivors of partner violence",
        "Four accredited trainings",
        '<time datetime="2026-01-01">',
        'class="donor-logo"',
    ]:
        assert text in content


def test_news_and_contact_pages(client, demo_site):
    news = html(client.get("/news/"))
    assert news.index("A new self-support group starts") < news.index("Sixteen days of activism")  # newest first
    assert "Sixteen days" in html(client.get("/news/sixteen-days/"))
    contact = html(client.get("/contact/"))
    assert "Bulevar oslobođenja 12" in contact and "mailto:podrska@example.org" in contact


@pytest.mark.parametrize("size", [5, 40])
def test_news_index_queries_stay_constant(client, demo_site, django_assert_max_num_queries, size):
    news_index = NewsIndexPage.objects.get(locale__language_code="en")
    for i in range(size):
        news_index.add_child(instance=NewsPage(title=f"Item {i}", slug=f"item-{i}", date=datetime.date(2026, 3, 1)))
    with django_assert_max_num_queries(20):
        response = client.get("/news/")
    assert response.status_code == 200


def test_home_page_allows_the_training_catalogue_when_the_trainings_app_has_it():
    from django.apps import apps

    try:
        apps.get_model("trainings", "TrainingCataloguePage")
    except LookupError:
        pytest.skip("the trainings app has no catalogue page")
    allowed = {model._meta.label for model in HomePage.allowed_subpage_models()}
    assert "trainings.TrainingCataloguePage" in allowed
    assert {"website.ServicePage", "website.ProjectIndexPage", "website.NewsIndexPage"} <= allowed


# Languages --------------------------------------------------------------------------------------------------


def test_switcher_links_to_the_translation_of_the_same_page(client, demo_site):
    links = switcher_links(html(client.get("/case-based-counseling/")))
    assert links == {
        "en": "/case-based-counseling/",
        "da": "/da/case-based-counseling/",
        "sr-latn": "/sr-latn/case-based-counseling/",
    }
    danish = html(client.get(links["da"]))
    assert '<html lang="da">' in danish
    assert "Sagsbaseret rådgivning" in danish
    serbian = html(client.get(links["sr-latn"]))
    assert "Savetovanje po modelu vođenja slučaja" in serbian
    assert "Ako ste sada u opasnosti" in serbian


def test_switcher_on_an_untranslated_page_goes_to_that_languages_home(client, demo_site):
    home = demo_site.root_page
    page = ServicePage(title="Legal advice", slug="legal-advice", introduction="New, not translated yet.")
    home.add_child(instance=page)
    page.save_revision().publish()
    links = switcher_links(html(client.get("/legal-advice/")))
    assert links["da"] == "/da/"
    assert "Støtte, rådgivning og uddannelse" in html(client.get(links["da"]))


PREFIXES = {"en": "", "da": "/da", "sr-latn": "/sr-latn"}


def test_switcher_reads_the_translations_of_the_page_and_of_its_sites_home_in_one_query(
    rf, demo_site, django_assert_num_queries
):
    from wagtail.models import Site

    from website.templatetags.website_tags import language_links_build

    home = demo_site.root_page
    untranslated = ServicePage(title="Legal advice", slug="legal-advice", introduction="New, not translated yet.")
    home.add_child(instance=untranslated)
    untranslated.save_revision().publish()
    translated = Page.objects.get(url_path__endswith="/case-based-counseling/", locale__language_code="en")
    for page, expected in (
        (untranslated, {"en": "/legal-advice/", "da": "/da/", "sr-latn": "/sr-latn/"}),
        (translated.specific, {code: f"{prefix}/case-based-counseling/" for code, prefix in PREFIXES.items()}),
    ):
        request = rf.get(page.url, HTTP_HOST="localhost")
        site = Site.find_for_request(request)  # as serving the page left it on the request
        page.get_url(request)
        with django_assert_num_queries(1):  # built once for the page tree's stamp (tests/website/test_routing.py)
            links = language_links_build(page=page, site=site, request=request)
        assert {link["code"]: link["url"] for link in links} == expected


def test_every_public_page_of_the_demo_exists_in_every_language(client, demo_site):
    from website.demo_translations import TRANSLATIONS

    english = Page.objects.live().filter(locale__language_code="en", depth__gte=2, content_type__app_label="website")
    assert english.count() >= 12
    for page in english:
        codes = {p.locale.language_code for p in page.get_translations(inclusive=True).live()}
        assert codes == {"en", "da", "sr-latn"}, page.url_path
        path = page.get_url()
        for code in ("da", "sr-latn"):
            response = client.get(f"/{code}{path}")
            assert response.status_code == 200, (code, path)
            content = html(response)
            slug = "" if page.depth == 2 else page.slug
            assert TRANSLATIONS[code][slug]["title"] in content, (code, path)


@pytest.mark.parametrize("code", ["da", "sr-latn"])
def test_translated_pages_show_their_letters_not_escapes_or_stray_quotes(client, demo_site, code):
    from website import demo

    demo.load(users={})  # a second run keeps every page as it is
    content = re.sub(r"<script\b.*?</script>", "", html(client.get(f"/{code}/")), flags=re.S)  # JSON may escape
    assert "\\u" not in content
    assert '<p class="lead">"' not in content and '"<p>' not in content
    assert {"da": "fortæller", "sr-latn": "Sve što nudimo"}[code] in content


def test_switcher_on_other_pages_posts_to_set_language_with_the_same_path(client, demo_site):
    content = html(client.get("/leave-safely/"))
    assert 'action="/i18n/setlang/"' in content
    assert 'name="next" type="hidden" value="/leave-safely/"' in content
    response = client.post("/i18n/setlang/", {"language": "sr-latn", "next": "/leave-safely/"})
    assert response.status_code == 302
    assert response["Location"] == "/sr-latn/leave-safely/"


def test_page_content_is_translatable_in_the_admin(demo_site):
    from django.conf import settings

    assert settings.WAGTAIL_I18N_ENABLED
    service = ServicePage.objects.get(slug="case-based-counseling", locale__language_code="en")
    codes = {page.locale.language_code for page in service.get_translations(inclusive=True)}
    assert codes == {"en", "da", "sr-latn"}
    assert Page.objects.filter(locale__language_code="da", depth=2).exists()


# Quick exit and privacy -------------------------------------------------------------------------------------


def test_quick_exit_is_a_real_link_first_in_keyboard_order(client, demo_site):
    content = html(client.get("/case-based-counseling/"))
    body = content[content.index("<body") :]
    first_focusable = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
    assert "data-quick-exit" in first_focusable
    assert 'href="https://' in first_focusable
    assert "noreferrer" in first_focusable
    assert 'src="/static/js/quick-exit.js"' in content
    assert reverse("website:leave_safely") in content


def test_no_third_party_resources_and_no_referrer(client, demo_site):
    for path in ["/", "/case-based-counseling/", "/projects/safe-at-home/", reverse("website:leave_safely")]:
        response = client.get(path)
        content = html(response)
        assert response["Referrer-Policy"] == "no-referrer"
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", content):
            for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
                assert not url.startswith(("http:", "https:", "//")), (path, tag)
        assert "style=" not in content
        assert "<script>" not in content  # no inline scripts


def test_leave_safely_page_explains_how_to_clear_history(client, db):
    content = html(client.get("/leave-safely/"))
    assert "Clear your browsing history" in content
    assert "Shift key three times" in content


def test_quick_exit_script_covers_shift_three_times_back_and_return():
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "js" / "quick-exit.js").read_text()
    assert "location.replace" in script
    assert '"Shift"' in script
    assert "Escape" not in script.replace("not Escape", "")
    assert "pageshow" in script and "persisted" in script
