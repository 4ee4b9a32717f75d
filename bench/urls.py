"""The site's URLs plus the floor page the benchmarks compare every page with (never served by the site)."""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template import engines
from django.urls import path, reverse

from website.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the site's error pages
from website.urls import urlpatterns as site_urlpatterns

TEMPLATE = engines["django"].from_string(
    "<!DOCTYPE html><html><body><ul>{% for user in users %}<li>{{ user.email }}</li>{% endfor %}</ul>"
    "<p>{{ padding }}</p></body></html>"
)


def floor_page(request, size):
    """A page of `size` bytes from one query and one template, nothing else."""
    users = list(get_user_model().objects.all()[:50])
    body = TEMPLATE.render({"users": users, "padding": ""}, request)
    padding = "x" * max(0, size - len(body.encode()))
    return HttpResponse(TEMPLATE.render({"users": users, "padding": padding}, request))


def floor_url(size: int) -> str:
    return reverse("bench_floor", args=[size])


urlpatterns = [path("_bench/floor/<int:size>/", floor_page, name="bench_floor"), *site_urlpatterns]
