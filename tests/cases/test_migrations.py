"""Data migrations of case work rewrite what is already stored."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.triggers import closed_case_triggers_install, closed_case_triggers_remove
from core.appendonly import append_only_triggers_install
from reporting.inputs import figures_inputs_triggers_install, figures_inputs_triggers_remove
from reporting.locks import lock_triggers_install, lock_triggers_remove

BEFORE = [("cases", "0003_case_lifecycle")]
AFTER = [("cases", "0004_encrypt_conference_place_and_participants")]


def _migrate(targets):
    closed_case_triggers_remove()  # as `migrate` does before it starts (cases.apps, reporting.apps)
    figures_inputs_triggers_remove()
    lock_triggers_remove()
    executor = MigrationExecutor(connection)
    for migration, backwards in executor.migration_plan(targets):
        # Each step from the state just before its migration, made from the migration's ancestors: Django's
        # `migrate` makes it from every app's whole history, models rendered, which was 80% of this test.
        before = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
        if backwards:
            executor.unapply_migration(before, migration)
        else:
            executor.apply_migration(before, migration)
    return executor.loader.project_state(targets).apps


def _migrate_to_latest():
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes("cases"))
    closed_case_triggers_install()
    # Tables that went back in time were made again without the append-only triggers `migrate` installs
    # after it ends (post_migrate): put them back, or later tests would find histories unguarded.
    append_only_triggers_install()
    # And the triggers that tell a live donor report its figures changed (reporting.inputs), and the period
    # lock's (reporting.locks).
    figures_inputs_triggers_install()
    lock_triggers_install()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_conference_places_and_participants_already_stored_are_encrypted(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["aGF2ZW4tZGV2ZWxvcG1lbnQta2V5LW5vdC1wcm9kISE="]
    # People outside case work are made with today's models: only the cases tables go back in time.
    from django.contrib.auth import get_user_model

    from counseling.models import Client, CounselorProfile

    lead = CounselorProfile.objects.create(user=get_user_model().objects.create(username="lead@example.org"))
    client = Client.objects.create(alias="Vesna", code="T-MIG-1")
    old = _migrate(BEFORE)
    case = old.get_model("cases", "Case").objects.create(
        client_id=client.pk,
        lead_counselor_id=lead.pk,
        opened_on=dt.date(2026, 1, 5),
        closed_on=dt.date(2026, 3, 1),
        outcome="other",
    )
    institution = old.get_model("cases", "Institution").objects.create(name="CSR Test", kind="social_work_centre")
    conference = old.get_model("cases", "CaseConference").objects.create(
        case=case, held_at=dt.datetime(2026, 2, 1, 10, tzinfo=dt.UTC), place="Sala 2, CSR Novi Sad"
    )
    old.get_model("cases", "ConferenceParticipant").objects.create(
        conference=conference, institution=institution, name="Marija Petrović", role="voditeljka slučaja"
    )
    try:
        new = _migrate(AFTER)
        with connection.cursor() as cursor:
            cursor.execute("SELECT place FROM cases_caseconference")
            (place,) = cursor.fetchone()
            cursor.execute("SELECT name, role FROM cases_conferenceparticipant")
            name, role = cursor.fetchone()
        # Phrases a Fernet token (URL-safe base64) cannot hold by chance: a space, a letter outside ASCII.
        assert "2, CSR" not in place and "Petrović" not in name and "slučaja" not in role
        # Read through the models as they stand at this migration (later ones add columns).
        assert new.get_model("cases", "CaseConference").objects.get().place == "Sala 2, CSR Novi Sad"
        participant = new.get_model("cases", "ConferenceParticipant").objects.get()
        assert (participant.name, participant.role) == ("Marija Petrović", "voditeljka slučaja")
    finally:
        _migrate_to_latest()
