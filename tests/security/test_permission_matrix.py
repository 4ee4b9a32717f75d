"""Every URL of the project, every role: the expected answer, from one table (tests/security/matrix.py).

A URL without a row fails `test_every_url_has_a_row`, so nobody can add a page without deciding who may
see it. Answers: "200", "login" (302 to the login page), "302" (elsewhere), "403", "404", "405".
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as BrowserClient
from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver

from tests.security.matrix import EXCLUDED_PREFIXES, MATRIX, matrix_url
from tests.security.matrix_world import ROLES, world_build


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            # The language prefix reads as "da/" while Danish is active: the routes are the same in every language.
            part = "" if isinstance(pattern.pattern, LocalePrefixPattern) else str(pattern.pattern)
            yield from _walk(pattern.url_patterns, prefix + part, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def project_urls() -> dict[str, str]:
    """URL name -> route for every URL of the project outside the Wagtail admin and allauth internals."""
    urls = {}
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES) or route.lstrip("^").startswith(EXCLUDED_PREFIXES):
            continue
        urls[name or route] = route
    return urls


def test_every_url_has_a_row():
    urls = project_urls()
    missing = sorted(set(urls) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(urls))
    assert missing == [], f"URLs without a row in tests/security/matrix.py: {missing}"
    assert stale == [], f"rows for URLs that no longer exist: {stale}"
    for name, answers in MATRIX.items():
        assert set(answers) == set(ROLES), name


def _answer(response):
    if response.status_code == 302:
        return "login" if "/accounts/login/" in response["Location"] else "302"
    return str(response.status_code)


@pytest.mark.slow
@pytest.mark.django_db
def test_permission_matrix(make_user):
    world = world_build(make_user)
    clients = {}
    for role, user in world.users.items():
        clients[role] = BrowserClient()
        if user is not None:
            clients[role].force_login(user)
    observed, mismatches = {}, []
    for name in sorted(project_urls()):
        url = matrix_url(name, world.objects)
        observed[name] = {}
        for role in ROLES:
            got = _answer(clients[role].get(url))
            observed[name][role] = got
            expected = MATRIX.get(name, {}).get(role)
            if got != expected:
                mismatches.append(f"{name} {url} as {role}: expected {expected}, got {got}")
    if os.environ.get("HAVEN_MATRIX_PRINT"):
        for name, answers in observed.items():
            print(f'    "{name}": row({", ".join(repr(answers[r]) for r in ROLES)}),')
    assert mismatches == [], "\n".join(mismatches)
    assert get_user_model().objects.filter(email="other.counselor@example.net").exists()
