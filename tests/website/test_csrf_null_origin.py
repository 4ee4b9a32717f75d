"""Forms keep working under Referrer-Policy no-referrer, where browsers send `Origin: null`."""

import pytest
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login_post(headers):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("account_login"))
    token = get_token(page.wsgi_request)
    return client.post(
        reverse("account_login"),
        {"login": "nobody@example.org", "password": "wrong-password-x", "csrfmiddlewaretoken": token},
        headers=headers,
    )


def test_null_origin_from_the_same_site_is_accepted():
    response = _login_post({"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200  # the form answered (wrong password), not a CSRF refusal


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site", "none", None])
def test_null_origin_from_elsewhere_is_refused(fetch_site):
    headers = {"Origin": "null"}
    if fetch_site:
        headers["Sec-Fetch-Site"] = fetch_site
    assert _login_post(headers).status_code == 403


def test_foreign_origin_is_refused_even_with_same_origin_claim():
    response = _login_post({"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 403
