"""Foreign keys whose lookups a unique index already serves (it starts with them) have no index of their own:
one less index to write with every attendance mark, membership and enrolment. The unique index is there to
serve them, on SQLite and on PostgreSQL."""

import pytest
from django.db import connection

from groups.models import Attendance, Membership
from trainings.models import Enrollment

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
