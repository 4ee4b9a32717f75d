import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from counseling import services
from counseling.enums import IntakeStatus
from counseling.models import Client, IntakeRequest
from tests.helpers import rendered

pytestmark = pytest.mark.django_db

SERBIAN_REFUSAL = "Iz ove veze smo u poslednjih sat vremena primili više zahteva"
FORM = {
    "alias": "Snežana",
    "preferred_language": "sr-latn",
    "safe_contact": "Call 060 123 4567, do not leave a message",
    "safe_times": "Weekdays 9-12",
    "needs": "Talking about what happened",
}


def _send(client, data):
    """Her request, sent from the intake form as the page renders it."""
    url = reverse("counseling:intake")
    return client.post(url, rendered(client, url, data))


def test_public_intake_needs_no_account_and_confirms_without_identifying(client):
    response = _send(client, FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("counseling:intake_done")
    done = client.get(response["Location"]).content.decode()
    assert "What happens next" in done
    for key, value in FORM.items():
        if key == "preferred_language":
            continue
        assert value not in done
    intake = IntakeRequest.objects.get()
    assert intake.status == IntakeStatus.NEW
    assert intake.safe_contact == FORM["safe_contact"]


def test_intake_safe_contact_is_encrypted_at_rest(client):
    _send(client, FORM)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT safe_contact, needs FROM counseling_intakerequest")
        stored = cursor.fetchone()
    # Whole phrases: a ciphertext is base64, which by chance holds a short run like "060" about once in two
    # thousand runs, but never a space.
    assert "060 123 4567" not in stored[0] and "Talking about what happened" not in stored[1]
    assert "happened" not in stored[1]


def test_intake_missing_contact_is_refused(client):
    response = _send(client, FORM | {"safe_contact": ""})
    assert response.status_code == 200
    assert not IntakeRequest.objects.exists()


def _queue_form(page, name, intake):
    """The queue's form that posts to `name` for this request."""
    action = reverse(name, args=[intake.pk])
    return next(form for form in page.forms.values() if form.action == action)


def test_coordinator_queue_turns_request_into_client(client, django_app, coordinator, profile):
    _send(client, FORM)
    intake = IntakeRequest.objects.get()
    queue = django_app.get(reverse("counseling:intake_queue"), user=coordinator)
    assert "Snežana" in queue.text
    form = _queue_form(queue, "counseling:intake_accept", intake)
    form["counselors"] = [profile.pk]
    response = form.submit()
    her = Client.objects.get()
    assert response["Location"] == reverse("counseling:client_detail", args=[her.pk])
    assert her.alias == "Snežana" and list(her.counselors.all()) == [profile]
    assert "060 123 4567" in her.safe_contact_instructions
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.ACCEPTED
    assert "Snežana" not in django_app.get(reverse("counseling:intake_queue")).text


def test_coordinator_closes_a_request_from_the_queue_without_a_file(client, django_app, coordinator, profile):
    _send(client, FORM)
    intake = IntakeRequest.objects.get()
    queue = django_app.get(reverse("counseling:intake_queue"), user=coordinator)
    assert _queue_form(queue, "counseling:intake_close", intake).submit().status_code == 302
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.CLOSED
    assert not Client.objects.exists()
    assert "Snežana" not in django_app.get(reverse("counseling:intake_queue")).text


def test_counselor_cannot_see_the_intake_queue(client, client_for, counselor):
    _send(client, FORM)
    intake = IntakeRequest.objects.get()
    web = client_for(counselor)
    assert web.get(reverse("counseling:intake_queue")).status_code == 403
    # crafted: the queue is not hers, so no page offers her the close button.
    assert web.post(reverse("counseling:intake_close", args=[intake.pk])).status_code == 403


def test_intake_sent_twice_is_one_request(client):
    data = rendered(client, reverse("counseling:intake"), FORM)
    assert client.post(reverse("counseling:intake"), data).status_code == 302
    again = client.post(reverse("counseling:intake"), data)
    assert again.status_code == 200
    assert "This form was already sent" in again.content.decode()
    assert IntakeRequest.objects.count() == 1


# Abuse protection -------------------------------------------------------------------------------------------


def _intake_form(django_app, **extra):
    page = django_app.get(reverse("counseling:intake"), **extra)
    form = next(form for form in page.forms.values() if "safe_contact" in form.fields)
    for name, value in FORM.items():
        form[name] = value
    return form


def test_the_hidden_field_filled_in_refuses_the_request_with_a_message(django_app):
    form = _intake_form(django_app)
    form["website"] = "http://cheap-pills.example"
    response = form.submit()
    assert response.status_code == 200
    assert "Please leave the last field empty" in response.text
    assert "There is a problem" in response.text  # the error summary heads the page
    assert not IntakeRequest.objects.exists()


def test_the_hidden_field_is_out_of_sight_and_out_of_the_reading_order(django_app):
    page = django_app.get(reverse("counseling:intake"))
    trap = page.html.select_one(".intake-trap")
    assert trap["aria-hidden"] == "true"
    assert trap.select_one("input")["tabindex"] == "-1"


def test_too_many_requests_from_one_address_are_refused_and_another_address_still_gets_through(django_app, settings):
    settings.HAVEN_INTAKE_PER_HOUR = 2
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    one = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _n in range(2):
        assert _intake_form(django_app, extra_environ=one).submit(extra_environ=one).status_code == 302
    refused = _intake_form(django_app, extra_environ=one).submit(extra_environ=one, status=429)
    assert "several requests from this connection" in refused.text
    assert IntakeRequest.objects.count() == 2
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _intake_form(django_app, extra_environ=other).submit(extra_environ=other).status_code == 302
    assert IntakeRequest.objects.count() == 3


def test_the_refusal_is_said_in_her_language(django_app, settings):
    settings.HAVEN_INTAKE_PER_HOUR = 0
    try:
        page = django_app.get("/sr-latn" + reverse("counseling:intake"))
        form = next(form for form in page.forms.values() if "safe_contact" in form.fields)
        for name, value in FORM.items():
            form[name] = value
        refused = form.submit(status=429)
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request switched this thread to Serbian
    assert SERBIAN_REFUSAL in refused.text
    assert not IntakeRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"), [("alias", 100), ("safe_contact", 500), ("safe_times", 500), ("needs", 4000)]
)
def test_every_field_has_a_size_limit_at_the_form_and_at_the_service(django_app, field, limit):
    form = _intake_form(django_app)
    form[field] = "x" * (limit + 1)
    response = form.submit()
    assert response.status_code == 200
    assert "at most" in response.text or "Ensure this value has at most" in response.text
    with pytest.raises(ValidationError):
        services.intake_submit(**(FORM | {field: "x" * (limit + 1)}))
    assert not IntakeRequest.objects.exists()


def test_the_alias_of_a_request_is_encrypted_at_rest(client):
    _send(client, FORM)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT alias, safe_times FROM counseling_intakerequest")
        alias, times = cursor.fetchone()
    assert "Snežana" not in alias and "Weekdays" not in times
    assert IntakeRequest.objects.get().alias == "Snežana"
