"""Survivor text in counseling is encrypted at rest; rows written in plain text before are encrypted once."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from counseling import services
from counseling.enums import SessionKind
from counseling.models import Booking, Client, IntakeRequest
from tests.counseling.conftest import at, booked_at_ten

pytestmark = pytest.mark.django_db


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - names from the test
        return cursor.fetchone()[0]


def test_safe_times_and_cancel_reasons_are_encrypted_at_rest(coordinator, profile, room, monday, make_client):
    her = make_client(safe_times="Only on Tuesday mornings", counselors=[profile])
    booking = booked_at_ten(counselor=profile, client=her, room=room, day=monday, by=coordinator)
    services.booking_cancel(booking=booking, reason="Her husband read the message", by=coordinator)
    assert "Tuesday" not in _raw("counseling_client", "safe_times", her.pk)
    assert "husband" not in _raw("counseling_booking", "cancel_reason", booking.pk)
    assert Client.objects.get(pk=her.pk).safe_times == "Only on Tuesday mornings"
    assert Booking.objects.get(pk=booking.pk).cancel_reason == "Her husband read the message"


def test_the_migration_encrypts_what_was_stored_in_plain_text_once(make_client, profile, monday):
    her = make_client()
    booking = Booking.objects.create(
        counselor=profile, client=her, kind=SessionKind.HOME_VISIT, start=at(monday, 10), end=at(monday, 11)
    )
    intake = IntakeRequest.objects.create(alias="x", safe_contact="060 111")
    with connection.cursor() as cursor:  # as the columns held them before the migration
        cursor.execute("UPDATE counseling_client SET safe_times = %s WHERE id = %s", ["After 18h", her.pk])
        cursor.execute("UPDATE counseling_booking SET cancel_reason = %s WHERE id = %s", ["She is ill", booking.pk])
        cursor.execute("UPDATE counseling_intakerequest SET alias = %s WHERE id = %s", ["Snežana", intake.pk])
    migration = importlib.import_module("counseling.migrations.0004_encrypt_survivor_text_interpreter")

    class Editor:
        connection = connection

    migration.encrypt(apps, Editor)
    once = _raw("counseling_client", "safe_times", her.pk)
    assert "After 18h" not in once  # with its space: "18h" alone turns up in a Fernet token by chance
    migration.encrypt(apps, Editor)  # a second run leaves encrypted values alone
    assert _raw("counseling_client", "safe_times", her.pk) == once
    assert Client.objects.get(pk=her.pk).safe_times == "After 18h"
    assert Booking.objects.get(pk=booking.pk).cancel_reason == "She is ill"
    assert IntakeRequest.objects.get(pk=intake.pk).alias == "Snežana"
    migration.decrypt(apps, Editor)
    assert _raw("counseling_intakerequest", "alias", intake.pk) == "Snežana"


def test_a_booking_is_named_by_its_kind_and_local_time_never_by_her(coordinator, profile, room, monday, make_client):
    """Its name (the admin's titles and logs) gives the wall clock's ten o'clock, not UTC, and not her alias."""
    from django.utils import translation
    from django.utils.formats import date_format

    her = make_client(alias="Mila")
    booking = booked_at_ten(counselor=profile, client=her, room=room, day=monday, by=coordinator)
    with translation.override("en"):
        name = str(booking)
        assert name == f"Experiential counseling {date_format(monday)}, 10:00"
    assert "Mila" not in name
