from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page

register = template.Library()


@register.simple_tag(takes_context=True)
def page_language_links(context):
    """For a Wagtail page: one link per language to this page's translation, or to that language's home page.

    Falls back to the same path in the other language when the site has no content in it yet.
    Returns [] outside Wagtail pages; the switcher then posts to set_language with the same path instead.
    """
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or request is None:
        return []
    translations = {
        p.locale.language_code: p for p in page.get_translations(inclusive=True).live().select_related("locale")
    }
    missing = [code for code, _name in settings.LANGUAGES if code not in translations]
    if missing:
        # Not translated yet: the reader lands on the home page of the language she chose.
        site = page.get_site()
        if site is not None:
            for root in site.root_page.get_translations(inclusive=True).live().select_related("locale"):
                translations.setdefault(root.locale.language_code, root)
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
