"""Every URL of the Wagtail admin, for every role (the admin part of the permission matrix).

Listing, create, edit, delete, inspect, history and usage of every registered viewset and snippet,
reports, settings, pages, documents, images, the admin API: a visitor who is not logged in is sent to the
one login page; every role but the coordinator gets the clear "for coordinators" page (403), never a
redirect loop; the coordinator gets the page (or a 404 for an object that does not exist), never a
refusal, a login page or an error.
"""

import pytest
from django.apps import apps
from django.test import Client as BrowserClient
from django.urls import reverse
from django.urls.converters import IntConverter
from wagtail.admin.viewsets import viewsets as admin_viewsets

from accounts.enums import Role
from accounts.middleware import session_record_mfa
from tests.security.matrix import url_patterns_walked

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = pytest.mark.reference_index

ROLES = {
    "trainee": Role.TRAINEE,
    "facilitator": Role.FACILITATOR,
    "counselor": Role.COUNSELOR,
    "trainer": Role.TRAINER,
    "project_manager": Role.PROJECT_MANAGER,
}
REFUSAL = "The administration is for coordinators"
# The admin's translations for its scripts and its icon sprite: the same for everyone, no data in them.
PUBLIC_ASSETS = {"/admin/jsi18n/", "/admin/sprite/"}
# Leaving ends the coordinator's session: asked last, on its own.
LOGOUT = "wagtailadmin_logout"


def admin_url_patterns():
    """(route, URL name, pattern) of every named URL under /admin/."""
    return [(route, name, p) for route, name, p in url_patterns_walked() if name and route.startswith("admin/")]


def _model_of(url_name):
    namespace = url_name.rpartition(":")[0].split(":")[-1]
    for viewset in admin_viewsets.viewsets:
        if not getattr(viewset, "name", None) or getattr(viewset, "model", None) is None:
            continue
        if viewset.url_namespace == namespace:
            model = viewset.model
            return apps.get_model(model) if isinstance(model, str) else model
    return None


REGEX_ARGUMENTS = {"revision_id_a": "earliest", "revision_id_b": "latest"}
# Wagtail's own page that raises on purpose, to show its error screen.
ERROR_TEST = "wagtailadmin_error_test"


def _kwargs_for(url_name, pattern, home_page):
    kwargs = {}
    model = _model_of(url_name)
    converters = dict(pattern.pattern.converters)
    for name in getattr(pattern.pattern.regex, "groupindex", {}):
        converters.setdefault(name, IntConverter() if name not in REGEX_ARGUMENTS else None)
    for name, converter in converters.items():
        if name in REGEX_ARGUMENTS:
            kwargs[name] = REGEX_ARGUMENTS[name]
            continue
        if name.endswith("page_id") or (name == "pk" and url_name.startswith("wagtailadmin_pages")):
            kwargs[name] = home_page.pk
        elif isinstance(converter, IntConverter) or name in {"pk", "object_id"}:
            first = model._default_manager.order_by("pk").first() if model is not None else None
            kwargs[name] = first.pk if first is not None else 1
        elif name == "app_label":
            kwargs[name] = "wagtailcore"
        elif name == "model_name":
            kwargs[name] = "page"
        else:
            kwargs[name] = "x"
    return kwargs


def admin_urls(home_page):
    urls = {}
    for _route, name, pattern in admin_url_patterns():
        try:
            urls[name] = reverse(name, kwargs=_kwargs_for(name, pattern, home_page))
        except Exception:
            urls[name] = None
    return urls


def _past_second_factor(user):
    client = BrowserClient()
    client.force_login(user)
    session = client.session
    session_record_mfa(session, user)
    session.save()
    return client


@pytest.fixture
def home_page(db):
    from wagtail.models import Page

    return Page.objects.filter(depth=2).first()


def test_every_admin_url_can_be_asked(home_page):
    urls = admin_urls(home_page)
    unreachable = sorted(name for name, url in urls.items() if url is None)
    assert len(urls) > 150  # the walk found the admin
    assert unreachable == [], f"admin URLs the matrix cannot build: {unreachable}"


@pytest.mark.slow
@pytest.mark.django_db
def test_every_admin_url_for_every_role(make_user, home_page):
    from accounts.roles import role_permissions_sync

    role_permissions_sync()
    urls = admin_urls(home_page)
    anonymous = BrowserClient()
    others = {label: _past_second_factor(make_user(role)) for label, role in ROLES.items()}
    problems = []
    for url in sorted(filter(None, urls.values())):
        response = anonymous.get(url)
        location = response.get("Location", "")
        one_door = response.status_code == 302 and location.startswith(
            (reverse("account_login"), reverse("account_reset_password"))
        )
        if url in PUBLIC_ASSETS and response.status_code == 200:
            continue
        if not one_door and response.status_code not in (401, 403, 404, 405):
            problems.append(f"{url} anonymous: {response.status_code}")
        for label, client in others.items():
            response = client.get(url)
            if response.status_code != 403 or REFUSAL not in response.content.decode():
                problems.append(f"{url} {label}: {response.status_code} {response.get('Location', '')}")
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_admin_url_for_the_coordinator(make_user, home_page):
    from accounts.roles import role_permissions_sync

    role_permissions_sync()
    coordinator = make_user(Role.COORDINATOR)
    client = _past_second_factor(coordinator)
    urls = admin_urls(home_page)
    problems = []
    for name, url in sorted(urls.items(), key=lambda item: item[0] == LOGOUT):
        if name == ERROR_TEST or url is None:
            continue
        response = client.get(url)
        location = response.get("Location", "")
        if response.status_code >= 500 or response.status_code in (401, 403):
            problems.append(f"{name} {url}: {response.status_code}")
        elif (
            response.status_code == 302
            and (location.startswith(reverse("account_login")) or location == url)
            and name not in (LOGOUT, "wagtailadmin_login")  # Wagtail's login is answered by allauth's
        ):
            problems.append(f"{name} {url}: sent to {location}")
    assert problems == [], "\n".join(problems)
