"""Importing trainees from a coordinator's list: every row checked and shown before anything is saved."""

from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from webtest import Upload

from trainings import imports, services
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "Ime i prezime;E-pošta;Organizacija;Radno mesto;Jezik\n"
    "Jelena Petrović;jelena.petrovic@example.org;Centar za socijalni rad Pančevo;Psiholog;sr\n"
    "Mette Holm;mette.holm@example.org;Krisecenter Århus;Socialrådgiver;dansk\n"
    "Ana Kovač;ana.kovac@example.org;Dom zdravlja Kikinda;Medicinska sestra;\n"
)


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_in_serbian_headings_with_semicolons_is_read():
    people = imports.people_read(SimpleUploadedFile("lista.csv", GOOD_CSV.encode()))
    assert [person["email"] for person in people] == [
        "jelena.petrovic@example.org",
        "mette.holm@example.org",
        "ana.kovac@example.org",
    ]
    assert people[0]["full_name"] == "Jelena Petrović" and people[0]["line"] == 2


def test_xlsx_is_read_and_a_file_without_an_email_column_is_refused():
    content = _xlsx([["Email", "Full name"], ["a@example.org", "Ana"], [None, None]])
    assert imports.people_read(SimpleUploadedFile("list.xlsx", content)) == [
        {"line": 2, "email": "a@example.org", "full_name": "Ana"}
    ]
    with pytest.raises(ValidationError, match="Email"):
        imports.people_read(SimpleUploadedFile("list.csv", b"Name,Phone\nAna,123\n"))
    with pytest.raises(ValidationError, match=".csv or .xlsx"):
        imports.people_read(SimpleUploadedFile("list.pdf", b"%PDF"))
    with pytest.raises(ValidationError, match="Excel"):
        imports.people_read(SimpleUploadedFile("list.xlsx", b"not a workbook"))


def test_preview_says_what_each_row_would_do_and_saves_nothing(make_edition, trainee):
    edition = make_edition(capacity=2)
    services.enrollment_create(edition=edition, user=trainee)
    people = [
        {"line": 2, "email": "new.one@example.org", "full_name": "New One"},
        {"line": 3, "email": trainee.email.upper(), "full_name": ""},  # already enrolled, other capitals
        {"line": 4, "email": "not-an-address", "full_name": "X"},
        {"line": 5, "email": "new.one@example.org", "full_name": "New One"},
        {"line": 6, "email": "no.name@example.org", "full_name": ""},
        {"line": 7, "email": "lang@example.org", "full_name": "Lang", "language": "klingon"},
        {"line": 8, "email": "second@example.org", "full_name": "Second"},
    ]
    preview = imports.import_preview(edition=edition, people=people)
    errors = {row.line: row.errors for row in preview.rows}
    assert errors[2] == [] and errors[8] == []
    assert "already enrolled" in errors[3][0]
    assert "not an email address" in errors[4][0]
    assert "earlier row" in errors[5][0]
    assert "full name" in errors[6][0]
    assert "not known" in errors[7][0]
    assert [row.outcome for row in preview.rows if not row.errors] == [
        imports.OUTCOME_SEAT,
        imports.OUTCOME_WAITLIST,
    ]
    assert not preview.ok
    assert Enrollment.objects.count() == 1
    assert not get_user_model().objects.filter(email="new.one@example.org").exists()


def _import_page(admin_as, coordinator, edition):
    return admin_as(reverse("trainings_admin:import_trainees", args=[edition.pk]), coordinator)


def test_admin_import_shows_errors_first_and_saves_nothing(admin_as, coordinator, make_edition):
    edition = make_edition(capacity=5)
    form = _import_page(admin_as, coordinator, edition).forms["trainee-import-form"]
    form["file"] = Upload("list.csv", b"Email,Full name\nnot-an-address,Ana\nvera@example.org,Vera\n")
    preview = form.submit()
    assert "is not an email address" in preview.text
    assert "trainee-import-confirm" not in preview.forms
    assert not Enrollment.objects.exists()
    assert not get_user_model().objects.filter(email="vera@example.org").exists()


def test_admin_import_preview_then_confirm_enrols_everyone_in_order(
    admin_as, coordinator, make_edition, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=2)
    form = _import_page(admin_as, coordinator, edition).forms["trainee-import-form"]
    form["file"] = Upload("lista.csv", GOOD_CSV.encode())
    preview = form.submit()
    assert "2 will be enrolled, 1 will join the waitlist, 3 new accounts" in preview.text
    assert not Enrollment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = preview.forms["trainee-import-confirm"].submit().follow()
    assert "3 trainees were imported: 2 enrolled, 1 on the waitlist" in done.text
    statuses = dict(Enrollment.objects.values_list("user__email", "status"))
    assert statuses == {
        "jelena.petrovic@example.org": EnrollmentStatus.ENROLLED,
        "mette.holm@example.org": EnrollmentStatus.ENROLLED,
        "ana.kovac@example.org": EnrollmentStatus.WAITLISTED,
    }
    assert get_user_model().objects.get(email="mette.holm@example.org").profile.preferred_language == "da"
    assert len(mail.outbox) == 3


def test_admin_import_confirmation_cannot_be_forged_or_replayed(admin_as, coordinator, make_edition):
    edition = make_edition(capacity=5)
    form = _import_page(admin_as, coordinator, edition).forms["trainee-import-form"]
    form["file"] = Upload("list.csv", b"Email,Full name\nvera@example.org,Vera\n")
    confirm = form.submit().forms["trainee-import-confirm"]
    confirm["preview"].force_value(confirm["preview"].value[:-3] + "abc")
    assert "not valid" in confirm.submit().text
    assert not Enrollment.objects.exists()
    form = _import_page(admin_as, coordinator, edition).forms["trainee-import-form"]
    form["file"] = Upload("list.csv", b"Email,Full name\nvera@example.org,Vera\n")
    confirm = form.submit().forms["trainee-import-confirm"]
    confirm.submit()
    again = confirm.submit()
    assert "already enrolled" in again.text
    assert Enrollment.objects.count() == 1


def test_only_coordinators_import(django_app, trainer, edition):
    url = reverse("trainings_admin:import_trainees", args=[edition.pk])
    assert django_app.get(url, user=trainer, expect_errors=True).status_code in (302, 403)
