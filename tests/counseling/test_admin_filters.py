"""The admin's filters by counselor name each counselor as her record does, read as values."""

import django_filters
import pytest
from django.contrib.auth import get_user_model
from wagtail.admin.filters import WagtailFilterSet

from accounts.models import Profile
from cases.models import Case
from cases.wagtail_hooks import _CaseFilterSet
from core.forms import QuickSelect
from counseling.models import Booking, CounselorProfile
from counseling.wagtail_hooks import _BookingFilterSet


class _AsBefore(WagtailFilterSet):
    """The filter as it was written before: a model instance per counselor, named by str()."""

    counselor = django_filters.ModelChoiceFilter(
        queryset=CounselorProfile.objects.select_related("user__profile"), widget=QuickSelect
    )

    class Meta:
        model = Booking
        fields = ["counselor"]


@pytest.fixture
def counselors(make_counselor):
    named = make_counselor()
    Profile.objects.filter(user=named.user).update(full_name='Ana <b>"Perić"</b> & Co')
    unnamed = make_counselor()
    Profile.objects.filter(user=unnamed.user).update(full_name="")
    without_profile = CounselorProfile.objects.create(
        user=get_user_model().objects.create(username="no-profile@example.org")
    )
    return named, unnamed, without_profile


def test_the_counselor_filter_names_each_counselor_as_her_record_does(counselors, django_assert_num_queries):
    named, unnamed, without_profile = counselors
    before = str(_AsBefore({}, queryset=Booking.objects.all()).form["counselor"])
    with django_assert_num_queries(1):
        now = str(_BookingFilterSet({}, queryset=Booking.objects.all()).form["counselor"])
    assert now == before
    assert "Ana &lt;b&gt;&quot;Perić&quot;&lt;/b&gt; &amp; Co" in now
    assert f'<option value="{without_profile.pk}">no-profile@example.org</option>' in now
    assert f'<option value="{unnamed.pk}"></option>' in now
    chosen = str(_CaseFilterSet({"lead_counselor": str(named.pk)}, queryset=Case.objects.all()).form["lead_counselor"])
    assert f'<option value="{named.pk}" selected>' in chosen


def test_a_counselor_who_is_not_one_is_refused(counselors):
    named, _unnamed, _without = counselors
    assert _BookingFilterSet({"counselor": str(named.pk)}, queryset=Booking.objects.all()).form.is_valid()
    refused = _BookingFilterSet({"counselor": "999999"}, queryset=Booking.objects.all()).form
    assert not refused.is_valid() and "counselor" in refused.errors
