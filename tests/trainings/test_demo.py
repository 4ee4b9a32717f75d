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


@pytest.mark.django_db
def test_demo_catalogue_page_exists_in_every_language():
    from website.demo import load as website_load

    users = {}
    accounts_demo.load(users=users)
    website_load(users=users)
    demo.load(users=users)
    demo.load(users=users)
    pages = TrainingCataloguePage.objects.live()
    assert sorted(pages.values_list("locale__language_code", flat=True)) == ["da", "en", "sr-latn"]
    assert {page.title for page in pages} == {"Trainings", "Kurser", "Obuke"}
    assert len({page.translation_key for page in pages}) == 1
