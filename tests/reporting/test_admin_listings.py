"""The donor-reporting listings of the administration ask the same number of queries for few and for many
projects (no query per row)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import role_permissions_sync
from reporting.enums import IndicatorSource, ResultType
from reporting.models import IndicatorTarget, Programme, Result, ResultIndicator
from tests.helpers import donor_project_with_quarters

pytestmark = pytest.mark.django_db

LISTINGS = ["programmes", "donor_projects", "result_indicators", "reporting_periods"]


def add_projects(n, manager):
    programme = Programme.objects.create(name=f"Programme {Programme.objects.count()}")
    for _ in range(n):
        project = donor_project_with_quarters(managers=[manager])
        project.programme = programme
        project.save()
        result = Result.objects.create(project=project, result_type=ResultType.OUTPUT, title="Groups held")
        for measure in ("women_in_groups", "group_sessions_held"):
            indicator = ResultIndicator.objects.create(
                result=result, title=measure, source=IndicatorSource.COMPUTED, measure=measure, target=Decimal(40)
            )
            for period in project.periods.all():
                IndicatorTarget.objects.create(indicator=indicator, period=period, value=Decimal(10))


def queries(app, url, user) -> int:
    app.get(url, user=user)  # warms the caches of content types, site and permissions
    with CaptureQueriesContext(connection) as captured:
        assert app.get(url, user=user).status_code == 200
    return len(captured)


@pytest.mark.parametrize("listing", LISTINGS)
def test_a_reporting_listing_asks_as_many_queries_for_two_projects_as_for_eight(
    listing, django_app, coordinator, project_manager
):
    role_permissions_sync()
    url = reverse(f"{listing}:index")
    add_projects(2, project_manager)
    few = queries(django_app, url, coordinator)
    add_projects(6, project_manager)
    assert queries(django_app, url, coordinator) == few
