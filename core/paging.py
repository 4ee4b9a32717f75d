"""Long staff lists a page at a time: the page links keep what else the URL asked for (a week, a filter)."""


def query_without_page(request) -> str:
    """The request's GET parameters but the page number, URL-encoded, for `components/pagination.html`."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
