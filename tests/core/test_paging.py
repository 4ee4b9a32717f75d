from django.test import RequestFactory

from core.paging import query_without_page


def test_page_links_keep_every_other_parameter_but_the_page():
    request = RequestFactory().get("/", {"view": "week", "date": "2026-03-30", "page": "3", "tag": ["a", "b & c"]})
    assert query_without_page(request) == "view=week&date=2026-03-30&tag=a&tag=b+%26+c"
    assert query_without_page(RequestFactory().get("/", {"page": "2"})) == ""
