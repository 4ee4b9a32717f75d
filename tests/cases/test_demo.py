from accounts import demo as accounts_demo
from cases import demo
from cases.models import Case, CaseConference, CtiCourse
from cases.selectors import cti_current_phase


def test_demo_loads_twice_without_duplicates(db):
    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    demo.load(users=users)
    assert Case.objects.count() == 4
    assert Case.objects.filter(closed_on__isnull=False).count() == 1
    assert CaseConference.objects.count() == 1
    course = CtiCourse.objects.get()
    from django.utils import timezone

    assert cti_current_phase(course, timezone.localdate()) == 2
