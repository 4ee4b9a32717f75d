from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certificates.models import Accreditation
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingProgramme


@pytest.fixture
def programme(db):
    return TrainingProgramme.objects.create(title="Rad sa ženama koje su preživele nasilje", hours=Decimal("16.0"))


@pytest.fixture
def make_edition(programme):
    def _make(*, programme=programme, start=None, days=2):
        start = start or timezone.localdate() - timedelta(days=30)
        opens = timezone.now() - timedelta(days=90)
        return Edition.objects.create(
            programme=programme,
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            enrolment_opens=opens,
            enrolment_closes=opens + timedelta(days=30),
            status=EditionStatus.CLOSED,
        )

    return _make


@pytest.fixture
def edition(make_edition):
    return make_edition()


@pytest.fixture
def accreditation(programme):
    today = timezone.localdate()
    accreditation = Accreditation.objects.create(
        body="Republički zavod za socijalnu zaštitu",
        decision_number="153-02-00042/2025",
        decision_date=today - timedelta(days=400),
        valid_from=today - timedelta(days=365),
        valid_until=today + timedelta(days=365),
        points=Decimal("12.0"),
        professions="Socijalni radnici, psiholozi",
        certificate_validity_months=None,
    )
    accreditation.programmes.add(programme)
    return accreditation


@pytest.fixture
def make_enrollment(make_user, edition):
    def _make(*, user=None, edition=edition, status=EnrollmentStatus.COMPLETED, full_name=None):
        from accounts.enums import Role

        user = user or make_user(Role.TRAINEE, full_name=full_name)
        return Enrollment.objects.create(edition=edition, user=user, status=status)

    return _make


@pytest.fixture
def completed_enrollment(make_enrollment, trainee):
    return make_enrollment(user=trainee)


@pytest.fixture
def issue():
    from certificates.services import certificate_issue

    return certificate_issue


@pytest.fixture
def certificate(completed_enrollment, accreditation, issue):
    return issue(enrollment=completed_enrollment)
