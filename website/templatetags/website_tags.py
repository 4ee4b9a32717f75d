from functools import cache

from django import template
from django.conf import settings
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, translate_url
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page, Site

from core.pagecache import value_kept_while_unchanged
from reporting.inputs import request_page_tree_stamp

register = template.Library()


@register.filter(is_safe=True)
def title_with_site(title, site):
    """A browser tab's title: the page's, then the site's; the site's alone on the page that is the site (its
    home, whose title is the site's name: "Haven · Haven" said it twice) or on a page without a title."""
    title, site = str(title).strip(), conditional_escape(site)
    if not title or title == site:
        return site
    return mark_safe(f"{title} · {site}")  # noqa: S308 # nosec B308 B703 - the title was escaped where rendered


# What Page.get_url() reads of a page (its path below a site's root, its language).
_LINKED_PAGE_FIELDS = ("url_path", "translation_key", "locale__language_code")


@register.simple_tag(takes_context=True)
def page_language_links(context):
    """For a Wagtail page: one link per language to this page's translation, or to that language's home page.

    Falls back to the same path in the other language when the site has no content in it yet.
    Returns [] outside Wagtail pages; the switcher then posts to set_language with the same path instead.
    Made of the site's pages alone, they are kept while the page tree is unchanged (website.routing).
    """
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or request is None:
        return []
    # The request's site is the page's (it is serving it) and is kept on the request: page.get_site() asks again.
    site = Site.find_for_request(request)
    return value_kept_while_unchanged(
        name="page-language-links",
        identity=(page.translation_key, getattr(site, "pk", None), request.path),
        stamp=lambda: request_page_tree_stamp(request),
        build=lambda: language_links_build(page=page, site=site, request=request),
    )


def language_links_build(*, page, site, request) -> list[dict]:
    """page_language_links() as read from the page tree: the translations of the page and of its site's home,
    read at once with what their addresses are made of. Not translated yet: the reader lands on the home page
    of the language she chose."""
    keys = Q(translation_key=page.translation_key)
    if site is not None:
        keys |= Q(translation_key__in=Page.objects.filter(pk=site.root_page_id).values("translation_key"))
    found = Page.objects.live().filter(keys).select_related("locale").only(*_LINKED_PAGE_FIELDS)
    translations, roots = {}, {}
    for target in found:
        kept = translations if target.translation_key == page.translation_key else roots
        kept[target.locale.language_code] = target
    translations = roots | translations
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        target = translations.get(code)
        # No content in that language at all: the same page with the interface in that language.
        url = target.get_url(request) if target is not None else translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name_local": get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
            }
        )
    return links


@register.simple_tag
def public_service_links():
    """The services anyone may use without an account, in the active language (header and footer)."""
    return _service_links(get_language(), get_urlconf(), get_script_prefix())


@cache
def _service_links(language, urlconf, prefix) -> list[dict]:
    """Worked out once per language and address scheme (gettext and reverse for five links, on every page,
    were a sixth of its frame). Read only: the template loops over them."""
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import gettext

    entries = [
        ("website:get_help", gettext("Get help now")),
        ("counseling:intake", gettext("Ask for a conversation")),
        ("trainings:catalogue", gettext("Trainings")),
        ("certificates:verify_serial", gettext("Verify a certificate")),
        ("certificates:register", gettext("Accreditation register")),
    ]
    links = []
    for name, label in entries:
        try:
            links.append({"name": name, "url": reverse(name, urlconf=urlconf), "label": label})
        except NoReverseMatch:
            continue
    return links


@register.simple_tag(takes_context=True)
def error_summary_once(context, form):
    """The error summary of `form` at the top of the page, once.

    The form is marked, so that components/error_summary.html included again further down the page (the
    pages that place it themselves) says nothing, and components/form.html does not repeat its general
    errors.
    """
    from django.template.loader import render_to_string

    errors = getattr(form, "errors", None)
    if not errors or getattr(form, "summary_shown_above", False):
        return ""
    html = render_to_string("components/error_summary.html", {"form": form}, request=context.get("request"))
    form.summary_shown_above = True
    return html


@register.simple_tag(takes_context=True)
def session_idle_seconds(context):
    """Seconds of inactivity after which this login ends (accounts.middleware.SessionTimeoutMiddleware)."""
    from accounts.middleware import SESSION_KIND

    request = context.get("request")
    session = getattr(request, "session", None)
    kind = session.get(SESSION_KIND, "staff") if session is not None else "staff"
    return settings.HAVEN_SESSION_IDLE_SECONDS.get(kind, min(settings.HAVEN_SESSION_IDLE_SECONDS.values()))


# A number that falls into each plural category of the languages Haven speaks (Intl.PluralRules names).
_PLURAL_SAMPLES = {"one": 1, "few": 2, "many": 5, "other": 5}


@register.simple_tag
def session_warning_strings():
    """The time left, in words, for static/js/session-warning.js: one form per plural category."""
    from django.utils.translation import ngettext

    return {
        "minutes": {
            category: ngettext("%(count)s minute", "%(count)s minutes", n) for category, n in _PLURAL_SAMPLES.items()
        },
        "seconds": {
            category: ngettext("%(count)s second", "%(count)s seconds", n) for category, n in _PLURAL_SAMPLES.items()
        },
    }
