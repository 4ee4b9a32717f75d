from django.test import RequestFactory

from core.paging import query_without_page


def test_page_links_keep_every_other_parameter_but_the_page():
    request = RequestFactory().get("/", {"view": "week", "date": "2026-03-30", "page": "3", "tag": ["a", "b & c"]})
    assert query_without_page(request) == "view=week&date=2026-03-30&tag=a&tag=b+%26+c"
    assert query_without_page(RequestFactory().get("/", {"page": "2"})) == ""


def test_a_page_with_two_lists_keeps_the_other_lists_page():
    request = RequestFactory().get("/", {"q": "Maja", "page": "2", "awaiting_page": "3"})
    assert query_without_page(request) == "q=Maja&awaiting_page=3"
    assert query_without_page(request, "awaiting_page") == "q=Maja&page=2"
