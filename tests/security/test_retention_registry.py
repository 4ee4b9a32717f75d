"""The retention registry covers every table that holds survivor data (audit/retention.py).

The model graph is walked from every survivor record (a group member, a counseling client, a case, an
intake request): each model linked to one, and each of its text fields, must be blanked by a declaration
or kept for a stated reason. A new model or field that links to a survivor fails here until its app says
what happens to it.
"""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models

from audit import retention
from audit.enums import AuditAction
from audit.models import AuditEntry
from core import dates
from core.appendonly import AppendOnlyModel

SURVIVOR_RECORDS = ["groups.Member", "counseling.Client", "cases.Case", "counseling.IntakeRequest"]


def _survivor_paths(model, roots, depth=4, seen=()):
    """Lookup paths from `model` to any survivor record along foreign keys and one-to-ones."""
    for model_field in model._meta.concrete_fields:
        if not isinstance(model_field, models.ForeignKey):
            continue
        target = model_field.related_model
        if target in roots:
            yield model_field.name, target
        if depth > 1 and target not in seen and target is not model:
            for rest, root in _survivor_paths(target, roots, depth - 1, (*seen, model)):
                yield f"{model_field.name}__{rest}", root


def _text_fields(model):
    return {
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    }


def survivor_linked_models():
    roots = {apps.get_model(label) for label in SURVIVOR_RECORDS}
    linked = set(roots)
    for model in apps.get_models():
        if model._meta.app_label.startswith(("wagtail", "auth", "contenttypes", "sessions", "taggit")):
            continue
        if any(True for _ in _survivor_paths(model, roots)):
            linked.add(model)
    return linked


def covered_fields(model):
    label = model._meta.label
    covered = set()
    for subject in retention.subjects():
        if subject.model == label:
            covered |= set(subject.replace) | ({"*"} if subject.purge else set())
    for linked in retention.all_linked():
        if linked.model == label:
            covered |= set(linked.blank)
    for kept in retention.kept():
        if kept.model == label:
            covered |= set(kept.fields)
    return covered


def test_every_model_with_a_survivor_link_is_covered():
    found = sorted(model._meta.label for model in survivor_linked_models())
    # The walk itself is checked: these are the tables the retention report was about.
    for label in ("counseling.IntakeRequest", "counseling.Booking", "cases.ConferenceParticipant", "groups.Member"):
        assert label in found
    uncovered = {}
    for model in survivor_linked_models():
        covered = covered_fields(model)
        if "*" in covered:  # the rows themselves are deleted
            continue
        missing = _text_fields(model) - covered
        if missing:
            uncovered[model._meta.label] = sorted(missing)
    assert uncovered == {}, (
        f"text fields linked to a survivor that no retention.py blanks or keeps for a stated reason: {uncovered}"
    )


def test_declarations_name_real_fields_and_paths():
    for subject in retention.subjects():
        model = subject.model_class
        assert subject.name in settings.HAVEN_RETENTION_DAYS, subject.name
        for name in subject.replace:
            model._meta.get_field(name)
    for linked in retention.all_linked():
        model = linked.model_class
        subject = next(s for s in retention.subjects() if s.name == linked.subject)
        # The path leads to the subject's model.
        target = model
        for step in linked.path.split("__"):
            target = target._meta.get_field(step).related_model
        assert target is subject.model_class, linked
        for name in linked.blank:
            model._meta.get_field(name)
        if issubclass(model, AppendOnlyModel):
            assert set(linked.blank) <= set(model.append_only_clearable), (
                f"{linked.model}: an append-only history may only have its clearable fields blanked"
            )
    for kept in retention.kept():
        assert kept.reason
        for name in kept.fields:
            apps.get_model(kept.model)._meta.get_field(name)


# ---- The records of the report, end to end ----------------------------------------------------------------


def long_ago(days=6 * 365):
    return dates.now() - dt.timedelta(days=days)


@pytest.mark.django_db
def test_a_client_made_from_an_intake_request_leaves_nothing_in_the_request(counselor):
    from counseling.enums import IntakeStatus
    from counseling.models import Booking, Client, CounselorProfile, IntakeRequest

    profile = CounselorProfile.objects.create(user=counselor)
    client = Client.objects.create(alias="Mirjana", code="C-RET-20", active=False, safe_times="mornings")
    intake = IntakeRequest.objects.create(
        alias="Mirjana",
        preferred_language="sr-latn",
        safe_contact="+381 60 000 0000, text only",
        safe_times="mornings",
        needs="She needs a lawyer for custody",
        status=IntakeStatus.ACCEPTED,
        client=client,
    )
    start = long_ago()
    booking = Booking.objects.create(
        counselor=profile,
        client=client,
        start=start,
        end=start + dt.timedelta(hours=1),
        kind="experiential",
        cancel_reason="Her husband found the message",
        notes="Talked about the custody hearing",
    )
    Client.objects.filter(pk=client.pk).update(created_at=start)
    IntakeRequest.objects.filter(pk=intake.pk).update(created_at=dates.now(), handled_at=dates.now())

    call_command("apply_retention", stdout=io.StringIO())

    client.refresh_from_db()
    intake.refresh_from_db()
    booking.refresh_from_db()
    assert client.alias == "Anonymised" and client.anonymised_at is not None
    assert (intake.alias, intake.safe_contact, intake.safe_times, intake.needs) == ("", "", "", "")
    assert (booking.cancel_reason, booking.notes) == ("", "")
    entry = AuditEntry.objects.get(action=AuditAction.ANONYMISE)
    assert f",{client.pk}," in entry.listed_ids


@pytest.mark.django_db
def test_handled_intake_requests_are_deleted_after_their_period_and_waiting_ones_never(settings):
    from counseling.enums import IntakeStatus
    from counseling.models import IntakeRequest

    days = settings.HAVEN_RETENTION_DAYS["intake_request"]

    def request(status, handled_days_ago):
        intake = IntakeRequest.objects.create(
            alias="Vesna", preferred_language="sr-latn", safe_contact="email only", status=status
        )
        moment = dates.now() - dt.timedelta(days=handled_days_ago)
        IntakeRequest.objects.filter(pk=intake.pk).update(created_at=moment, handled_at=moment)
        return intake

    closed_long_ago = request(IntakeStatus.CLOSED, days + 2)
    closed_recently = request(IntakeStatus.CLOSED, days - 2)
    waiting_for_years = request(IntakeStatus.NEW, 3 * 365)

    out = io.StringIO()
    call_command("apply_retention", stdout=out)

    assert not IntakeRequest.objects.filter(pk=closed_long_ago.pk).exists()
    assert IntakeRequest.objects.filter(pk__in=[closed_recently.pk, waiting_for_years.pk]).count() == 2
    assert "intake requests deleted: 1" in out.getvalue()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, listed_ids=f",{closed_long_ago.pk},").exists()


@pytest.mark.django_db
def test_an_open_case_keeps_her_counseling_file(counselor):
    from cases import services
    from counseling.enums import SessionKind
    from counseling.models import Client, CounselorProfile

    profile = CounselorProfile.objects.create(
        user=counselor, trained_for_violence=True, session_kinds=[SessionKind.CASE_BASED]
    )
    client = Client.objects.create(alias="Radmila", code="C-RET-21")
    client.counselors.add(profile)
    services.case_open(client=client, lead_counselor=profile, opened_on=dates.today(), by=counselor)
    Client.objects.filter(pk=client.pk).update(created_at=long_ago(), active=False)

    call_command("apply_retention", stdout=io.StringIO())

    client.refresh_from_db()
    assert client.alias == "Radmila"


@pytest.mark.django_db
def test_a_closed_case_past_its_period_keeps_no_conference_place_or_participant(counselor, clock):
    from cases import services
    from cases.enums import CaseOutcome
    from cases.models import CaseConference, ConferenceParticipant, Institution
    from counseling.enums import SessionKind
    from counseling.models import Client, CounselorProfile

    profile = CounselorProfile.objects.create(
        user=counselor, trained_for_violence=True, session_kinds=[SessionKind.CASE_BASED]
    )
    client = Client.objects.create(alias="Snežana", code="C-RET-22")
    client.counselors.add(profile)
    opened = dates.today() - dt.timedelta(days=6 * 365)
    clock(opened + dt.timedelta(days=10))
    case = services.case_open(client=client, lead_counselor=profile, opened_on=opened, by=counselor)
    conference = CaseConference.objects.create(
        case=case, held_at=dates.now(), place="Her sister's flat", agenda="Custody", decisions="Move to shelter"
    )
    police = Institution.objects.create(name="Police Novi Sad", kind="police")
    participant = ConferenceParticipant.objects.create(
        conference=conference, institution=police, name="Inspector Marko Marković", role="Investigator"
    )
    services.case_close(
        case=case, closed_on=dates.today(), outcome=CaseOutcome.GOALS_MET, reason="Safe now", by=counselor
    )
    clock(dates.today() + dt.timedelta(days=settings.HAVEN_RETENTION_DAYS["closed_case"] + 5))

    call_command("apply_retention", stdout=io.StringIO())

    conference.refresh_from_db()
    participant.refresh_from_db()
    case.refresh_from_db()
    assert (conference.place, conference.agenda, conference.decisions) == ("", "", "")
    assert (participant.name, participant.role) == ("", "")
    assert case.closure_reason == ""
    assert CaseConference.objects.filter(case=case).count() == 1  # counted as before
