"""What identifies a group member goes when she is anonymised (groups/retention.py)."""

import datetime

from core import dates
from core.enums import AgeBand, TargetGroup
from core.models import Municipality
from groups.models import Member, Membership
from website.security_retention import retention_apply


def test_anonymising_her_clears_what_reports_count_her_by(make_cohort):
    long_ago = dates.today() - datetime.timedelta(days=3 * 365)
    cohort = make_cohort(start_date=long_ago - datetime.timedelta(days=90), end_date=long_ago)
    kikinda = Municipality.objects.create(name="Kikinda")
    her = Member.objects.create(
        alias="Snežana",
        code="M-RET-9",
        age_band=AgeBand.AGE_55_64,
        municipality=kikinda,
        target_group=TargetGroup.ROMA,
    )
    Membership.objects.create(cohort=cohort, member=her, joined_on=cohort.start_date)

    retention_apply()

    her.refresh_from_db()
    assert her.anonymised_at is not None
    assert (her.alias, her.age_band, her.municipality, her.target_group) == ("Anonymised", "", None, "")
    assert Municipality.objects.filter(pk=kikinda.pk).exists()  # the list itself stays
