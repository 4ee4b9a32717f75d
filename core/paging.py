"""Long staff lists a page at a time: the page links keep what else the URL asked for (a week, a filter)."""


def query_without_page(request, param="page") -> str:
    """The request's GET parameters but the page number (`param`), URL-encoded, for
    `components/pagination.html`: on a page with two lists, each list's links keep the other's page."""
    params = request.GET.copy()
    params.pop(param, None)
    return params.urlencode()
