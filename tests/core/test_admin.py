"""The municipalities listing of the Wagtail admin asks a fixed number of queries, however long the list."""

import pytest
from django.urls import reverse

from core.models import Municipality
from counseling.models import Client
from groups.models import Member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coordinator_permissions")]


@pytest.mark.parametrize("size", [2, 12])
def test_the_municipality_listing_runs_a_constant_number_of_queries(size, admin, django_assert_max_num_queries):
    # Each municipality is recorded for a group member and a counseling client: a per-row look at who lives
    # there (a usage count, a member total) would add queries with every municipality.
    for n in range(size):
        municipality = Municipality.objects.create(name=f"Opština {n + 1:02d}")
        Member.objects.create(alias=f"Alias {n + 1}", code=f"M-MUN-{n + 1}", municipality=municipality)
        Client.objects.create(alias=f"Ruža {n + 1}", code=f"K-MUN-{n + 1}", municipality=municipality)
    url = reverse("municipalities:index")
    admin(url)  # warm the session and Wagtail's caches (content types, site, permissions)
    # Measured on SQLite: 12 queries at 2 and at 12 municipalities.
    with django_assert_max_num_queries(13):
        page = admin(url)
    assert page.text.count("Opština ") >= size
