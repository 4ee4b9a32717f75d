from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from trainings.enums import CompletionRule, EditionStatus
from trainings.models import Edition, TrainingProgramme, TrainingSession


def aware(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def programme(db):
    return TrainingProgramme.objects.create(
        title="Child witnesses of domestic violence",
        summary="Consequences for children and the non-violent parent's capacities.",
        hours=Decimal("16.0"),
        completion_rule=CompletionRule.MIN_SHARE,
        min_attendance_percent=75,
    )


@pytest.fixture
def make_edition(programme):
    """make_edition(capacity=2, start_in=10, days=2, **fields): an open edition with one 8-hour session a day."""

    def _make(*, capacity=2, start_in=10, days=2, trainers=(), programme_=None, **fields):
        today = timezone.localdate()
        start = today + timedelta(days=start_in)
        now = timezone.now()
        values = {
            "programme": programme_ or programme,
            "start_date": start,
            "end_date": start + timedelta(days=days - 1),
            "venue": "Cultural Centre",
            "municipality": "Zrenjanin",
            "capacity": capacity,
            "enrolment_opens": now - timedelta(days=30),
            "enrolment_closes": now + timedelta(days=max(start_in - 1, 1)),
            "status": EditionStatus.OPEN,
        }
        values.update(fields)
        edition = Edition.objects.create(**values)
        for offset in range(days):
            day = start + timedelta(days=offset)
            TrainingSession.objects.create(
                edition=edition, start=aware(day, 9), end=aware(day, 17), title=f"Day {offset + 1}"
            )
        if trainers:
            edition.trainers.add(*trainers)
        return edition

    return _make


@pytest.fixture
def edition(make_edition, trainer):
    return make_edition(trainers=[trainer])
