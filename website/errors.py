"""Error pages in the person's language, with the quick exit and the site's navigation, instead of Django's
plain ones; and the page for a form refused by the CSRF check, which gives her typed work back."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from website.middleware import posted_fields

logger = logging.getLogger(__name__)


def _error_page(request, template, status):
    response = render(request, template, status=status)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def server_error(request):
    try:
        return _error_page(request, "500.html", 500)
    except Exception:  # the page that says "something went wrong" must not fail itself
        logger.exception("The error page could not be shown")
        return HttpResponseServerError(b"<!DOCTYPE html><title>Error</title><p>Something went wrong.</p>")


def _same_origin(request) -> bool:
    """Was the refused form sent by one of Haven's own pages? (Only then is it offered back.)

    Browsers say so in Sec-Fetch-Site, which no page can forge; without it the Origin must be this site.
    """
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.META.get("HTTP_ORIGIN", "")
    return bool(origin) and origin == f"{request.scheme}://{request.get_host()}"


def csrf_failure(request, reason=""):
    """The form's security token had expired or was replaced (most often: she logged in again in another tab).

    Nothing was saved. What she sent from one of Haven's own pages is shown again, and can be sent once
    more with a fresh token; a form sent from another site is not repeated.
    """
    fields = posted_fields(request.POST) if request.method == "POST" and _same_origin(request) else []
    context = {
        "kept_fields": fields,
        "kept_path": request.get_full_path(),
        "had_files": bool(request.method == "POST" and request.FILES),
    }
    response = render(request, "csrf_failure.html", context, status=403)
    add_never_cache_headers(response)
    return response
