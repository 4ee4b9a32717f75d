"""No double booking, guaranteed by PostgreSQL itself.

Two exclusion constraints over tstzrange(start, end): one per counselor, one per room, for the statuses that
occupy time. They exist only in the PostgreSQL schema, not in the model state, because SQLite has no
exclusion constraint: there triggers refuse the same rows under the same names (counseling/triggers.py),
and the booking service's check runs inside an IMMEDIATE transaction, which serialises writers.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import Func, Q

ACTIVE = ["requested", "confirmed", "held", "no_show"]


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class AddConstraintOnPostgres(migrations.AddConstraint):
    """AddConstraint that runs only on PostgreSQL and leaves the model state alone."""

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_constraint(to_state.apps.get_model(app_label, self.model_name), self.constraint)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_constraint(to_state.apps.get_model(app_label, self.model_name), self.constraint)

    def describe(self):
        return f"Create PostgreSQL-only constraint {self.constraint.name} on {self.model_name}"


def _span():
    return TsTzRange("start", "end", RangeBoundary(inclusive_lower=True, inclusive_upper=False))


class Migration(migrations.Migration):
    dependencies = [("counseling", "0002_booking_guards_intake")]

    operations = [
        BtreeGistExtension(),
        AddConstraintOnPostgres(
            model_name="booking",
            constraint=ExclusionConstraint(
                name="booking_counselor_no_overlap",
                expressions=[("counselor", RangeOperators.EQUAL), (_span(), RangeOperators.OVERLAPS)],
                condition=Q(status__in=ACTIVE),
            ),
        ),
        AddConstraintOnPostgres(
            model_name="booking",
            constraint=ExclusionConstraint(
                name="booking_room_no_overlap",
                expressions=[("room", RangeOperators.EQUAL), (_span(), RangeOperators.OVERLAPS)],
                condition=Q(room__isnull=False, status__in=ACTIVE),
            ),
        ),
    ]
