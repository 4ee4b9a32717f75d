"""A query compiled once (core.sql.PreparedRows) answers what the ORM answers, for each value, on each call."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.expressions import Ids
from core.sql import PreparedRows, sql_literals

pytestmark = pytest.mark.django_db


def test_each_value_gets_the_rows_the_orm_gives_it(django_assert_num_queries):
    built = []

    def build(user_id):
        built.append(user_id)
        return Group.objects.filter(user=user_id).values_list("name").order_by("name")

    names = PreparedRows(build)
    users = get_user_model().objects
    first, second = users.create_user("first"), users.create_user("second")
    first.groups.add(Group.objects.create(name="a"), Group.objects.create(name="b"))
    second.groups.add(Group.objects.get(name="b"))
    for _ in range(2):
        for user in (first, second):
            with django_assert_num_queries(1):
                rows = names(user.pk)
            assert rows == list(Group.objects.filter(user=user.pk).values_list("name").order_by("name"))
    assert names(first.pk) == [("a",), ("b",)]
    assert names(second.pk) == [("b",)]
    assert names(0) == []
    assert len(built) == 1  # compiled once, for this database


def test_the_value_goes_wherever_the_query_uses_it():
    users = get_user_model().objects
    person = users.create_user("person", first_name="same")
    users.create_user("other", first_name="same")  # its key is above hers: a bound left as the stand-in lets it in
    between = PreparedRows(
        lambda user_id: users.filter(pk__gte=user_id, pk__lte=user_id, first_name="same").values_list("username")
    )
    assert between(person.pk) == [("person",)]


def test_dates_and_sets_of_ids_are_values_too_and_rows_are_read_as_the_orm_reads_them():
    users = get_user_model().objects
    joined = {
        name: users.create_user(name, date_joined=dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC) + dt.timedelta(days=n))
        for n, name in enumerate(["leap", "march", "later"])
    }
    ids = [user.pk for user in joined.values()]

    def build(among, before, since):
        return (
            users.filter(pk__in=among, date_joined__date__lt=before, date_joined__date__gte=since)
            .order_by("pk")
            .values_list("username", "date_joined", "is_active")
        )

    found = PreparedRows(build, kinds=(Ids, dt.date, dt.date))
    for among, before, since in [
        (ids, dt.date(2028, 3, 2), dt.date(2028, 2, 29)),
        (ids[1:], dt.date(2028, 3, 31), dt.date(2028, 1, 1)),
        ([], dt.date(2029, 1, 1), dt.date(2000, 1, 1)),
        (ids, dt.date(2028, 2, 29), dt.date(2028, 2, 1)),
    ]:
        rows = found(Ids(among), before, since)
        assert rows == list(build(Ids(among), before, since))
        assert all(isinstance(joined_at, dt.datetime) and joined_at.tzinfo for _name, joined_at, _active in rows)
        assert all(active is True for *_rest, active in rows)
    assert [name for name, *_rest in found(Ids(ids), dt.date(2028, 3, 2), dt.date(2028, 2, 29))] == ["leap", "march"]


def test_moments_are_values_too_whatever_their_time_zone():
    users = get_user_model().objects
    belgrade = ZoneInfo("Europe/Belgrade")
    # Around the night the clocks go back in Belgrade: 02:30 local happens twice, an hour apart in UTC.
    for name, moment in [
        ("first", dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)),  # 02:30 summer time
        ("second", dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)),  # 02:30 winter time
        ("later", dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)),
    ]:
        users.create_user(name, date_joined=moment)

    def build(start, end):
        return users.filter(date_joined__gte=start, date_joined__lt=end).order_by("pk").values_list("username")

    found = PreparedRows(build, kinds=(dt.datetime, dt.datetime))
    for start, end in [
        (dt.datetime(2026, 10, 25, 2, 30, tzinfo=belgrade), dt.datetime(2026, 10, 25, 3, 0, tzinfo=belgrade)),
        (dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=belgrade), dt.datetime(2026, 10, 25, 3, tzinfo=belgrade)),
        (dt.datetime(2026, 10, 25, tzinfo=belgrade), dt.datetime(2026, 10, 26, tzinfo=belgrade)),
        (dt.datetime(2026, 10, 25, 9, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 9, 0, 1, tzinfo=dt.UTC)),
    ]:
        assert found(start, end) == list(build(start, end))
    assert found(
        dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=belgrade), dt.datetime(2026, 10, 25, 3, tzinfo=belgrade)
    ) == [("second",)]


def test_a_value_the_query_computes_with_is_refused():
    with pytest.raises(ValueError, match="does not use each value"):
        PreparedRows(
            lambda since: Group.objects.filter(user__date_joined__date__gte=since + dt.timedelta(days=1)).values_list(
                "name"
            ),
            kinds=(dt.date,),
        )(dt.date(2028, 2, 29))
    with pytest.raises(TypeError):
        PreparedRows(lambda name: Group.objects.filter(name=name).values_list("pk"), kinds=(str,))("x")


def test_a_query_without_the_value_is_refused():
    with pytest.raises(ValueError, match="does not use each value"):
        PreparedRows(lambda user_id: Group.objects.values_list("name"))(1)


def test_only_plain_codes_become_literals():
    assert sql_literals(["held", "no_show"]) == "'held', 'no_show'"
    with pytest.raises(ValueError):
        sql_literals(["held'; DROP TABLE x; --"])
