"""core.expressions: Ids, a set of ids sent as one parameter, and AsReturned, an integer read as the
database returns it, on SQLite and on PostgreSQL alike."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, IntegerField, Value, When
from django.test.utils import CaptureQueriesContext

from core.expressions import AsReturned, Ids

pytestmark = pytest.mark.django_db


def test_the_rows_named_and_only_those(make_user):
    users = [make_user() for _ in range(4)]
    wanted = [users[0].pk, users[2].pk, users[2].pk, 10**9]  # repeated, and an id no row has
    found = get_user_model().objects.filter(pk__in=Ids(wanted)).order_by("pk")
    assert list(found.values_list("pk", flat=True)) == [users[0].pk, users[2].pk]
    assert not get_user_model().objects.filter(pk__in=Ids([])).exists()
    assert get_user_model().objects.exclude(pk__in=Ids(wanted)).count() == 2


def test_more_ids_than_a_query_may_carry_parameters_are_one_parameter(make_user):
    """SQLite takes at most 32,766 parameters in a statement, PostgreSQL 65,535: one array carries them all."""
    user = make_user()
    ids = [user.pk, *range(10**9, 10**9 + 70_000)]
    with CaptureQueriesContext(connection) as queries:
        assert list(get_user_model().objects.filter(pk__in=Ids(ids)).values_list("pk", flat=True)) == [user.pk]
    assert len(queries.captured_queries) == 1


def test_as_returned_counts_are_the_same_ints_with_no_converter_per_row(make_user):
    from accounts.enums import Role

    for role in (Role.TRAINER, Role.TRAINER, Role.COUNSELOR):
        make_user(role)
    people = get_user_model().objects.values("groups__name").order_by("groups__name")
    early = Case(When(pk__lt=10**9, then=Value(1)), default=Value(0), output_field=IntegerField())
    plain = list(people.annotate(n=Count("id"), early=early))
    read = people.annotate(n=AsReturned(Count("id")), early=AsReturned(early))
    assert list(read) == plain
    assert {type(row["n"]) for row in read} == {int}
    compiler = read.query.get_compiler(connection=connection)
    compiler.setup_query()
    assert not compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
