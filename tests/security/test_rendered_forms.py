"""The helper tests use to post a page's form refuses what the page does not render: a test cannot add a
field or a choice the template forgot."""

import pytest
from django.urls import reverse

from core.security import FORM_TOKEN_FIELD
from tests.helpers import rendered

pytestmark = pytest.mark.django_db


def test_the_form_token_comes_from_the_page(client):
    data = rendered(client, reverse("counseling:intake"), {"alias": "Vesna"})
    assert data[FORM_TOKEN_FIELD] and data["alias"] == "Vesna"


def test_a_field_the_page_does_not_render_fails_the_test(client):
    with pytest.raises(AssertionError, match="has no field"):
        rendered(client, reverse("counseling:intake"), {"alias": "Vesna", "is_admin": "1"})


def test_a_choice_the_page_does_not_offer_fails_the_test(client):
    with pytest.raises(AssertionError, match="offers no"):
        rendered(client, reverse("counseling:intake"), {"preferred_language": "klingon"})
