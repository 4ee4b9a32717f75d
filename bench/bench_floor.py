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
    request = RequestFactory().get("/floor/")
    return [measure("floor: bare template view, 1 query", lambda: floor_view(request), runs=50)]
