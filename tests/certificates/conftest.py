from datetime import timedelta
from decimal import Decimal

import pytest

from core import dates
from core.enums import AttendanceStatus
from tests.helpers import accreditation_of
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingAttendance, TrainingProgramme, TrainingSession


@pytest.fixture
def programme(db):
    return TrainingProgramme.objects.create(title="Rad sa ženama koje su preživele nasilje", hours=Decimal("16.0"))


@pytest.fixture
def make_edition(programme):
    def _make(*, programme=programme, start=None, days=2):
        start = start or dates.today() - timedelta(days=30)
        opens = dates.now() - timedelta(days=90)
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
    return accreditation_of(programme, certificate_validity_months=None)


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


@pytest.fixture
def attend():
    """attend(enrollment, hours=8, present=True): one session of the edition, and her mark at it."""

    def _attend(enrollment, hours=8, present=True):
        edition = enrollment.edition
        start = dates.start_of_day(edition.start_date) + timedelta(hours=9, minutes=edition.sessions.count())
        session = TrainingSession.objects.create(edition=edition, start=start, end=start + timedelta(hours=hours))
        TrainingAttendance.objects.create(
            session=session,
            enrollment=enrollment,
            status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
        )
        return session

    return _attend


@pytest.fixture
def default_site(db):
    """The default Wagtail site (made by migrations; made again here if a flushed database lost it)."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        root = Page.objects.filter(depth=2).first() or Page.objects.get(depth=1)
        site = Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    return site


@pytest.fixture
def certificate_settings(default_site):
    from certificates.models import CertificateSettings

    return CertificateSettings.for_site(default_site)
