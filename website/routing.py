"""Which page an address of the site is, kept while the site's pages are unchanged.

Wagtail finds the page of every request afresh: the site of its host, the home page in the request's
language, each page down its path, each one's own type (six queries, about three milliseconds, on every
public page: more than the whole of a kept catalogue). What it finds changes only when a page, a site or a
locale does, and database triggers move the page tree's stamp on any change to those tables, whatever made
it (reporting.inputs: the Wagtail admin, the ORM's bulk update, raw SQL). So the site and the page found are
kept under that stamp, for the host, the path and the language, and handed to Wagtail as what it found for
this request (Site.find_for_request and Page.route_for_request keep their answers on the request).

The page itself is read again on every request, by its key: what it shows is never kept here (a change to
its own type's table alone moves no stamp of the tree), nor who may see it (Wagtail's view restrictions are
checked on every request, after this). An address that is no page is not kept.
"""

from django.apps import apps
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from core.pagecache import value_kept_while_unchanged
from reporting.inputs import request_page_tree_stamp


def _found(request, path):
    site = Site.find_for_request(request)
    route = Page.route_for_request(request, path)
    if site is None or route is None:
        return None
    page = route.page
    return {
        "site": site,
        "page": (page._meta.app_label, page._meta.model_name, page.pk),
        "args": route.args,
        "kwargs": route.kwargs,
    }


def page_route_keep(request, *, path: str) -> None:
    """Tell Wagtail which site and page `path` is, as kept from an earlier request while the page tree is
    unchanged; or let it find them, and keep what it found."""
    built = []

    def build():
        built.append(True)
        return _found(request, path)

    kept = value_kept_while_unchanged(
        name="page-route",
        identity=(request._get_raw_host(), request.get_port(), path),
        stamp=lambda: request_page_tree_stamp(request),
        build=build,
    )
    if built or kept is None:
        return
    app_label, model_name, pk = kept["page"]
    model = apps.get_model(app_label, model_name)
    try:
        page = model.objects.get(pk=pk)
    except model.DoesNotExist:  # deleted by a writer whose transaction has not ended: let Wagtail look
        return
    request._wagtail_site = kept["site"]
    request._wagtail_route_for_request = RouteResult(page, kept["args"], kept["kwargs"])


class KeptRouteMiddleware:
    """Last in the list: the request's language is settled by then (the identity of a kept route)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is wagtail_serve:
            path = view_kwargs.get("path", view_args[0] if view_args else "")
            page_route_keep(request, path=path)
