import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.test import override_settings
from django.urls import path

from audit.enums import LegalBasis
from audit.models import CompelledDisclosure
from core.security import (
    OneTimeTokenFormMixin,
    form_token_consume,
    form_token_issue,
    versioned_update,
)
from counseling.models import Client
from groups.models import Member
from website.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


class MemberCreateForm(OneTimeTokenFormMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = ["alias", "code"]


_TEMPLATE = engines["django"].from_string(
    '<form method="post">{% csrf_token %}{{ form.non_field_errors }}{{ form.as_div }}</form>'
)


def member_create(request):
    form = MemberCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("/done/")
    return HttpResponse(_TEMPLATE.render({"form": form}, request))


# The site's own addresses stay: its middleware and error pages link to the profile and the login.
urlpatterns = [path("member/new/", member_create), *site_urlpatterns]


def _token(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


@override_settings(ROOT_URLCONF=__name__)
def test_a_double_submit_creates_one_record(client):
    token = _token(client.get("/member/new/").content.decode())
    data = {"alias": "Vesna", "code": "M-TOK-1", "form_token": token}
    assert client.post("/member/new/", data).status_code == 302
    second = client.post("/member/new/", {**data, "code": "M-TOK-2"})
    assert second.status_code == 200
    assert "already sent" in second.content.decode()
    assert Member.objects.count() == 1


@override_settings(ROOT_URLCONF=__name__)
def test_a_form_with_errors_can_be_corrected_and_sent_with_the_same_token(client):
    token = _token(client.get("/member/new/").content.decode())
    first = client.post("/member/new/", {"alias": "", "code": "M-TOK-3", "form_token": token})
    assert first.status_code == 200
    assert not Member.objects.exists()
    resent_token = _token(first.content.decode())
    assert resent_token == token
    assert client.post("/member/new/", {"alias": "Vesna", "code": "M-TOK-3", "form_token": token}).status_code == 302
    assert Member.objects.count() == 1


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("token", ["", "forged", "x" * 500])
def test_missing_or_forged_tokens_save_nothing(client, token):
    response = client.post("/member/new/", {"alias": "Vesna", "code": "M-TOK-4", "form_token": token})
    assert response.status_code == 200
    assert not Member.objects.exists()


def test_a_token_is_spent_once():
    token = form_token_issue()
    assert form_token_consume(token) is True
    assert form_token_consume(token) is False
    assert form_token_consume(form_token_issue()) is True


def test_a_later_error_gives_the_form_a_fresh_token():
    token = form_token_issue()
    form = MemberCreateForm({"alias": "Vesna", "code": "M-TOK-5", "form_token": token})
    assert form.is_valid()
    form.add_error(None, ValidationError("The service refused."))
    assert form.data["form_token"] != token
    assert form_token_consume(form.data["form_token"]) is True


@pytest.fixture
def disclosure():
    return CompelledDisclosure.objects.create(
        client=Client.objects.create(alias="Dragica", code="C-LOCK-1"),
        released_what="Session dates",
        released_to="Court",
        legal_basis=LegalBasis.COURT_ORDER,
        legal_reference="P-1/2026",
        released_on="2026-10-01",
    )


def test_concurrent_edits_do_not_silently_overwrite_each_other(disclosure):
    first_editor = CompelledDisclosure.objects.get(pk=disclosure.pk)
    second_editor = CompelledDisclosure.objects.get(pk=disclosure.pk)
    versioned_update(
        instance=first_editor, expected_version=first_editor.version, changes={"released_to": "Basic Court"}
    )
    with pytest.raises(ValidationError) as error:
        versioned_update(
            instance=second_editor, expected_version=second_editor.version, changes={"released_to": "Police"}
        )
    assert error.value.code == "stale_edit"
    assert "Someone else saved" in error.value.messages[0]
    stored = CompelledDisclosure.objects.get(pk=disclosure.pk)
    assert stored.released_to == "Basic Court"
    assert stored.version == 1
