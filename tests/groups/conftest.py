from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from core import dates
from groups.enums import CohortStatus
from groups.models import Cohort, GroupProgramme, GroupSession, Member, Membership
from tests.helpers import donor_project


def local(year, month, day, hour=18, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def project(db):
    """A donor project the groups' tests count for (its cohorts are given it where a test needs)."""
    return donor_project()


@pytest.fixture
def programme(db):
    return GroupProgramme.objects.create(name="Majke zajedno", usual_session_count=12)


@pytest.fixture
def make_cohort(programme):
    def _make(*, facilitators=(), capacity=50, name="Novi Sad proleće", start_date=None, **extra):
        cohort = Cohort.objects.create(
            programme=programme,
            name=name,
            start_date=start_date or (dates.today() - timedelta(days=120)),
            capacity=capacity,
            status=extra.pop("status", CohortStatus.RUNNING),
            **extra,
        )
        cohort.facilitators.add(*facilitators)
        return cohort

    return _make


@pytest.fixture
def cohort(make_cohort, facilitator):
    return make_cohort(facilitators=[facilitator])


@pytest.fixture
def add_members():
    counter = {"n": 0}

    def _add(cohort, count, *, joined_on=None, children_count=None):
        memberships = []
        for _ in range(count):
            counter["n"] += 1
            member = Member.objects.create(
                alias=f"Alias {counter['n']:02d}", code=f"T-{cohort.pk}-{counter['n']}", children_count=children_count
            )
            memberships.append(
                Membership.objects.create(cohort=cohort, member=member, joined_on=joined_on or cohort.start_date)
            )
        return memberships

    return _add


@pytest.fixture
def add_session():
    def _add(cohort, start, *, minutes=90, **extra):
        return GroupSession.objects.create(cohort=cohort, start=start, end=start + timedelta(minutes=minutes), **extra)

    return _add


@pytest.fixture
def today_session(cohort, add_session):
    """A session that has just started: attendance is taken now, on the day."""
    return add_session(cohort, dates.now() - timedelta(minutes=1))
