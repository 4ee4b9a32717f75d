import pytest

from accounts import demo as accounts_demo
from trainings import demo
from trainings.enums import EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingCataloguePage, TrainingProgramme


@pytest.mark.django_db
def test_demo_data_is_complete_and_idempotent():
    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    demo.load(users=users)
    assert TrainingProgramme.objects.count() == 3
    assert Edition.objects.count() == 4
    assert Enrollment.objects.filter(status=EnrollmentStatus.WAITLISTED).exists()
    assert Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).exists()
    assert TrainingCataloguePage.objects.live().count() == 1
