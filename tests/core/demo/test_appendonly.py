"""Histories can only grow: every door is tried on every append-only table, with the demo's own rows.

The doors: the model's save and delete, the queryset's update and delete, and raw SQL (which meets the
database trigger). Clearing what retention clears stays possible; nothing else changes.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from core.appendonly import AppendOnlyError, append_only_models

EXPECTED = {
    "audit.AuditEntry",
    "cases.SafetyPlanVersion",
    "cases.ActionStepChange",
    "cases.Disclosure",
    "groups.AttendanceChange",
    "reporting.PeriodLogEntry",
    "trainings.TrainingAttendanceChange",
}


@pytest.fixture(scope="module")
def _demo_once(demo_loaded, module_transaction, django_db_blocker):
    from django.contrib.auth import get_user_model

    from audit.enums import AuditAction
    from audit.services import audit_record
    from groups.models import Attendance, AttendanceChange

    with django_db_blocker.unblock():
        # The demo reads nobody's file, so the audit log gets one entry of its own.
        user = get_user_model().objects.get(email="counselor@example.org")
        audit_record(actor=user, action=AuditAction.VIEW, obj=user, detail="demo")
        # Nor does it correct a mark after the session day; a correction is inserted as the service would.
        attendance = Attendance.objects.order_by("pk").first()
        AttendanceChange.objects.create(
            attendance=attendance, changed_by=user, old_status=attendance.status, new_status=attendance.status
        )


@pytest.fixture
def demo(_demo_once, db):
    """The demo data (loaded once for this package) with a row in every history (added once for this module);
    each test's changes are rolled back with its own transaction (see module_transaction)."""


def test_the_histories_are_the_append_only_tables():
    assert {model._meta.label for model in append_only_models()} >= EXPECTED


def _raw_change(model):
    """An UPDATE that really changes one column the history must keep."""
    from django.db import models

    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.name in model.append_only_clearable:
            continue
        column = f'"{field.column}"'
        if isinstance(field, models.CharField | models.TextField):
            return field, f"{column} = {column} || 'x'"
        if isinstance(field, models.IntegerField):
            return field, f"{column} = {column} + 1"
    raise AssertionError(model)


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_door_refuses_to_change_or_delete_a_history_row(demo):
    # One demo for every table: loading it is the slow part.
    for label in sorted(EXPECTED):
        _try_every_door(label)


def _demo_row(label):
    """(the append-only model named `label`, the demo's first row of it)"""
    model = next(m for m in append_only_models() if m._meta.label == label)
    row = model.objects.order_by("pk").first()
    assert row is not None, f"the demo has no {label} row to try the doors with"
    return model, row


def _try_every_door(label):
    model, row = _demo_row(label)
    before = model.objects.filter(pk=row.pk).values().get()
    field, change = _raw_change(model)
    table = model._meta.db_table

    with pytest.raises(AppendOnlyError) as refused:
        row.save()
    assert "cannot be changed or deleted" in str(refused.value)
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(**{field.name: getattr(row, field.name)})
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f'UPDATE "{table}" SET {change} WHERE id = %s', [row.pk])  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f'DELETE FROM "{table}" WHERE id = %s', [row.pk])  # noqa: S608

    assert model.objects.filter(pk=row.pk).values().get() == before


def test_what_retention_clears_can_still_be_cleared(demo):
    for label in sorted(EXPECTED):
        _clear(label)


def _clear(label):
    model, row = _demo_row(label)
    clears = {}
    for name in model.append_only_clearable:
        field = model._meta.get_field(name)
        clears[name] = None if field.is_relation else ""
    assert clears, f"{label} clears nothing"
    assert model.objects.filter(pk=row.pk).update(**clears) == 1
    # Clearing through raw SQL passes the trigger too; filling a cleared column again does not.
    name, value = next(iter(clears.items()))
    column = model._meta.get_field(name).column
    cleared = "NULL" if value is None else "''"
    _raw(f'UPDATE "{model._meta.db_table}" SET "{column}" = {cleared} WHERE id = %s', [row.pk])  # noqa: S608
    if value == "":
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(f'UPDATE "{model._meta.db_table}" SET "{column}" = \'x\' WHERE id = %s', [row.pk])  # noqa: S608
