"""The municipalities coordinators keep in the Wagtail admin (core/wagtail_hooks.py)."""

import pytest
from django.urls import reverse
from wagtail.models import ReferenceIndex

from core.models import Municipality
from groups.services import member_create

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coordinator_permissions"), pytest.mark.reference_index]


def _form(page, field):
    return next(form for form in page.forms.values() if field in form.fields)


def _delete(admin, pk):
    url = reverse("municipalities:delete", args=[pk])
    return next(form for form in admin(url).forms.values() if form.action == url).submit().follow()


def test_a_coordinator_adds_and_renames_municipalities_listed_by_name(admin):
    for name in ("Zrenjanin", "Kikinda"):
        form = _form(admin(reverse("municipalities:add")), "name")
        form["name"] = name
        assert form.submit().status_code == 302
    page = admin(reverse("municipalities:index"))
    assert page.text.index("Kikinda") < page.text.index("Zrenjanin")
    kikinda = Municipality.objects.get(name="Kikinda")
    form = _form(admin(reverse("municipalities:edit", args=[kikinda.pk])), "name")
    form["name"] = "Zrenjanin"
    assert "already exists" in form.submit().text  # one spelling each
    form["name"] = "Kikinda (grad)"
    assert form.submit().status_code == 302
    assert list(Municipality.objects.values_list("name", flat=True)) == ["Kikinda (grad)", "Zrenjanin"]


def test_a_municipality_recorded_for_someone_is_not_deleted(admin):
    used, unused = Municipality.objects.create(name="Sombor"), Municipality.objects.create(name="Vršac")
    member_create(alias="Dušica", municipality=used)
    assert "cannot be deleted" in _delete(admin, used.pk).text
    assert Municipality.objects.filter(pk=used.pk).exists()
    _delete(admin, unused.pk)
    assert not Municipality.objects.filter(pk=unused.pk).exists()


def test_the_delete_page_names_no_one_and_the_reference_index_keeps_no_one(admin, django_capture_on_commit_callbacks):
    sombor = Municipality.objects.create(name="Sombor")
    admin(reverse("municipalities:index"))  # the admin's viewsets are registered, members' among them
    with django_capture_on_commit_callbacks(execute=True):
        member_create(alias="Dušica", municipality=sombor)
    assert "Dušica" not in admin(reverse("municipalities:delete", args=[sombor.pk])).text
    # Which women live where stays in their records only, where retention reaches it.
    assert not ReferenceIndex.objects.filter(to_object_id=str(sombor.pk)).exists()


def test_only_coordinators_keep_the_list(client_for, facilitator, counselor):
    for user in (facilitator, counselor):
        assert client_for(user).get(reverse("municipalities:index")).status_code in (302, 403)
