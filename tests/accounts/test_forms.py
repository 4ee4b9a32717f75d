"""Where a trainee says what kind of organisation she works for: sign-up and her profile (accounts/forms.py),
each posted as the page renders it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.enums import OrganisationType

pytestmark = pytest.mark.django_db


def _form(page, field):
    return next(form for form in page.forms.values() if field in form.fields)


def test_sign_up_asks_the_type_of_organisation(django_app):
    form = _form(django_app.get(reverse("account_signup")), "organisation_type")
    form["email"] = "new.trainee@example.org"
    form["password1"] = form["password2"] = "Sunflower-Harbour-91"
    form["full_name"] = "Ivana Marković"
    form["organisation"] = "Centre for Social Work Subotica"
    form["organisation_type"] = OrganisationType.SOCIAL_WORK
    form["job_title"] = "Psychologist"
    assert form.submit().status_code == 302
    user = get_user_model().objects.get(email="new.trainee@example.org")
    assert user.profile.organisation_type == "social_work"


def test_the_type_of_organisation_may_be_left_out_and_changed_on_the_profile(django_app, trainee):
    form = _form(django_app.get(reverse("accounts:profile"), user=trainee), "organisation_type")
    assert form["organisation_type"].value == ""
    form["organisation_type"] = OrganisationType.POLICE
    assert form.submit().status_code == 302
    trainee.profile.refresh_from_db()
    assert trainee.profile.organisation_type == "police"
    form = _form(django_app.get(reverse("accounts:profile"), user=trainee), "organisation_type")
    form["organisation_type"] = ""
    form.submit()
    trainee.profile.refresh_from_db()
    assert trainee.profile.organisation_type == ""
