"""What identifies a counseling client goes when she is anonymised (counseling/retention.py)."""

import datetime

from django.utils import timezone

from core.enums import AgeBand, TargetGroup
from core.models import Municipality
from counseling.models import Client
from website.security_retention import retention_apply


def test_anonymising_her_clears_what_reports_count_her_by(make_client):
    vrsac = Municipality.objects.create(name="Vršac")
    her = make_client(
        alias="Mirjana", active=False, age_band=AgeBand.AGE_18_24, municipality=vrsac, target_group=TargetGroup.MIGRANT
    )
    Client.objects.filter(pk=her.pk).update(created_at=timezone.now() - datetime.timedelta(days=6 * 365))

    retention_apply()

    her.refresh_from_db()
    assert her.anonymised_at is not None
    assert (her.alias, her.age_band, her.municipality, her.target_group) == ("Anonymised", "", None, "")
