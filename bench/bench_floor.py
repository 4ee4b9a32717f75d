"""The floor: a bare Django template view with one query, for comparison with every real page."""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory

TEMPLATE = engines["django"].from_string("<ul>{% for user in users %}<li>{{ user.email }}</li>{% endfor %}</ul>")


def floor_view(request):
    users = list(get_user_model().objects.all()[:50])
    return HttpResponse(TEMPLATE.render({"users": users}, request))


def run(measure):
    from bench.dataset import TRAINEE, dataset_user
    from bench.harness import logged_in
    from bench.urls import floor_url

    request = RequestFactory().get("/floor/")
    client = logged_in(dataset_user(TRAINEE))

    def through_middleware():
        assert client.get(floor_url(50_000)).status_code == 200

    return [
        measure("floor: bare template view, 1 query", lambda: floor_view(request), runs=50),
        # What each page's own floor costs: the same view through every middleware, logged in, 50 KB.
        measure("floor: 50 KB page through every middleware", through_middleware, runs=50),
    ]
