from accounts.enums import Role
from groups import demo
from groups.enums import CohortStatus
from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member
from groups.selectors import followups_for


def test_demo_load_is_idempotent_and_realistic(facilitator):
    users = {Role.FACILITATOR: facilitator}
    demo.load(users=users)
    counts = (GroupProgramme.objects.count(), Cohort.objects.count(), GroupSession.objects.count())
    attendance = Attendance.objects.count()
    demo.load(users=users)

    assert counts == (2, 4, GroupSession.objects.count())
    assert counts[2] == 12 + 12 + 12 + 10
    assert Attendance.objects.count() == attendance > 0
    assert Member.objects.count() == 24
    assert Cohort.objects.filter(status=CohortStatus.RUNNING).count() == 2
    assert set(Cohort.objects.values_list("facilitators", flat=True)) == {facilitator.pk}
    assert followups_for(facilitator), "the demo shows someone to follow up"


def test_demo_members_are_counted_by_age_band_municipality_and_target_group(facilitator):
    demo.load(users={Role.FACILITATOR: facilitator})
    serbian = Member.objects.filter(memberships__cohort__name__contains="Novi Sad").distinct()
    danish = Member.objects.filter(memberships__cohort__name__contains="Nørrebro").distinct()
    assert {m.municipality.name for m in serbian if m.municipality} == {"Novi Sad", "Sremska Mitrovica"}
    assert any(m.municipality is None for m in serbian)  # some did not say
    assert not danish.exclude(municipality=None).exists()  # their municipalities are not on the list
    assert Member.objects.exclude(age_band="").exists() and Member.objects.filter(age_band="").exists()
