import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.enums import AuditAction
from audit.models import AuditEntry
from core import dates
from counseling.models import Booking, Client, CounselorProfile
from groups.models import Cohort, GroupProgramme, Member, Membership

pytestmark = pytest.mark.django_db


def long_ago():
    return dates.today() - datetime.timedelta(days=3 * 365)


def recently():
    return dates.today() - datetime.timedelta(days=30)


@pytest.fixture
def cohorts():
    programme = GroupProgramme.objects.create(name="Self-support")
    old = Cohort.objects.create(
        programme=programme, name="Old", start_date=long_ago() - datetime.timedelta(days=90), end_date=long_ago()
    )
    running = Cohort.objects.create(programme=programme, name="Running", start_date=recently())
    return old, running


def _member(alias, code, cohort, left_on=None):
    member = Member.objects.create(alias=alias, code=code, children_count=2)
    Membership.objects.create(cohort=cohort, member=member, joined_on=cohort.start_date, left_on=left_on)
    return member


def test_ended_memberships_past_the_period_are_anonymised_and_counts_kept(cohorts):
    old, running = cohorts
    gone = _member("Snežana", "M-RET-1", old)
    left_long_ago = _member("Branka", "M-RET-2", running, left_on=None)
    Membership.objects.filter(member=left_long_ago).update(joined_on=long_ago(), left_on=long_ago())
    still_here = _member("Ljiljana", "M-RET-3", running)
    both = _member("Gordana", "M-RET-4", old)
    Membership.objects.create(cohort=running, member=both, joined_on=recently())
    memberships_before = Membership.objects.count()

    out = io.StringIO()
    call_command("apply_retention", stdout=out)

    assert "2 members" in out.getvalue()
    for member in (gone, left_long_ago):
        member.refresh_from_db()
        assert member.alias == "Anonymised"
        assert "RET" not in member.code
        assert member.anonymised_at is not None
        assert member.children_count == 2  # kept for the reports
    for member in (still_here, both):
        member.refresh_from_db()
        assert member.anonymised_at is None
    assert Membership.objects.count() == memberships_before
    assert Member.objects.count() == 4
    (entry,) = AuditEntry.objects.filter(action=AuditAction.ANONYMISE)
    assert sorted(entry.listed_ids.strip(",").split(",")) == sorted([str(gone.pk), str(left_long_ago.pk)])


def test_inactive_clients_past_the_period_lose_alias_contacts_and_notes(counselor):
    profile = CounselorProfile.objects.create(user=counselor)
    old = Client.objects.create(
        alias="Mirjana", code="C-RET-1", active=False, safe_contact_instructions="Only mornings", safe_times="9-11"
    )
    start = timezone.now() - datetime.timedelta(days=6 * 365)
    Booking.objects.create(
        counselor=profile,
        client=old,
        start=start,
        end=start + datetime.timedelta(hours=1),
        kind="experiential",
        notes="She talked about her brother",
    )
    Client.objects.filter(pk=old.pk).update(created_at=start)
    recent_inactive = Client.objects.create(alias="Tijana", code="C-RET-2", active=False)
    active = Client.objects.create(alias="Radmila", code="C-RET-3", active=True)
    Client.objects.filter(pk=active.pk).update(created_at=start)

    call_command("apply_retention", stdout=io.StringIO())

    old.refresh_from_db()
    assert old.alias == "Anonymised"
    assert old.safe_contact_instructions == "" and old.safe_times == ""
    assert old.anonymised_at is not None
    assert Booking.objects.get(client=old).notes == ""
    assert Booking.objects.filter(client=old).count() == 1  # the session still counts
    recent_inactive.refresh_from_db()
    active.refresh_from_db()
    assert recent_inactive.alias == "Tijana"
    assert active.alias == "Radmila"


def test_dry_run_changes_nothing(cohorts):
    old, _running = cohorts
    member = _member("Snežana", "M-RET-9", old)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Would anonymise: 1 members" in out.getvalue()
    member.refresh_from_db()
    assert member.alias == "Snežana"


def test_running_it_twice_is_harmless(cohorts):
    old, _running = cohorts
    _member("Snežana", "M-RET-10", old)
    call_command("apply_retention", stdout=io.StringIO())
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "0 members" in out.getvalue()
