"""Foreign keys whose lookups another index already serves (it starts with them) have no index of their own:
one less index to write with every attendance mark, membership, enrolment and certificate. The other index
is there to serve them, on SQLite and on PostgreSQL."""

import pytest
from django.db import connection

from certificates.models import Certificate
from groups.models import Attendance, Member, Membership
from trainings.models import Edition, Enrollment

pytestmark = pytest.mark.django_db

COVERED = [(Attendance, "session"), (Membership, "cohort"), (Enrollment, "edition")]


@pytest.mark.parametrize(("model", "field_name"), COVERED)
def test_the_foreign_key_is_served_by_the_unique_index_alone(model, field_name):
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexes = [info for info in found.values() if info["index"] or info["unique"]]
    assert not [info for info in indexes if info["columns"] == [column] and not info["primary_key"]]
    assert [info for info in indexes if info["unique"] and info["columns"][0] == column]


def test_the_certificates_enrolment_is_served_by_the_index_with_its_status():
    """Which completed enrolments still await a certificate is answered from this index alone."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Certificate._meta.db_table)
    # The unique index of the valid certificates only (a partial one) serves no other lookup.
    columns = [info["columns"] for info in found.values() if info["index"] and not info["unique"]]
    assert ["enrollment_id"] not in columns
    assert ["enrollment_id", "status"] in columns


@pytest.mark.parametrize(("model", "columns"), [(Member, ["alias"]), (Edition, ["end_date"])])
def test_the_orders_that_lists_are_paged_in_have_an_index(model, columns):
    """Members (and their memberships) are listed by alias, the enrolments awaiting a certificate by their
    edition's last day, a page at a time: walked along an index, a page is found without sorting them all."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    assert columns in [info["columns"] for info in found.values() if info["index"]]


def test_a_projects_held_sessions_are_read_from_one_index_that_also_serves_its_key():
    """A donor report counts a project's held sessions of a span by client and kind from this index alone;
    it starts with the project, so the project's key has no index of its own to write with every booking."""
    from counseling.models import Booking

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Booking._meta.db_table)
    columns = [info["columns"] for info in found.values() if info["index"] and not info["primary_key"]]
    assert ["project_id", "status", "start", "client_id", "kind"] in columns
    assert ["project_id"] not in columns
