"""The Wagtail admin as a second door: each form is posted as the admin renders it, as a coordinator, and
the same rules hold as on the pages (services carry them); listings keep a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode

from accounts.enums import Role
from core import dates
from trainings import services
from trainings.enums import EditionStatus, EndReason, EnrollmentStatus
from trainings.models import Edition, Enrollment, TrainingProgramme, TrainingSession

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.reference_index]

EDIT_FORM = "w-editor-form"


def _delete_form(page):
    return next(form for form in page.forms.values() if "delete" in (form.action or ""))


def _local(moment):
    return dates.local_time(moment).strftime("%Y-%m-%d %H:%M")


# Listings ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewset", ["training_programmes", "training_editions", "training_sessions", "enrolments"])
def test_coordinator_opens_every_listing_and_add_form(admin_as, coordinator, edition, viewset):
    assert admin_as(reverse(f"{viewset}:index"), coordinator).status_code == 200
    assert admin_as(reverse(f"{viewset}:add"), coordinator).status_code == 200


@pytest.mark.parametrize(("language", "yes", "no"), [("en", "Yes", "No"), ("da", "Ja", "Nej"), ("sr-latn", "Da", "Ne")])
def test_a_yes_or_no_column_says_yes_or_no_in_her_language(admin_as, coordinator, edition, trainees, language, yes, no):
    from accounts.models import Profile
    from trainings.models import Enrollment

    first, second = trainees(2)
    priority = services.enrollment_create(edition=edition, user=first)
    services.enrollment_create(edition=edition, user=second)
    Enrollment.objects.filter(pk=priority.pk).update(priority=True)
    Profile.objects.filter(user=coordinator).update(preferred_language=language)

    page = admin_as(reverse("enrolments:index"), coordinator)
    cells = [cell.get_text(strip=True) for cell in page.html.select("tbody td")]
    assert yes in cells and no in cells
    assert "True" not in cells and "False" not in cells


def test_the_enrolments_listing_is_filtered_by_an_edition_chosen_in_its_filter(
    admin_as, coordinator, make_edition, trainees
):
    """The edition filter names every edition (rendered in Python, core.forms.QuickSelect): the
    coordinator picks one in the form as rendered, and only its enrolments are listed."""
    first, second = _fill(make_edition, trainees, editions=2, per_edition=2)
    page = admin_as(reverse("enrolments:index"), coordinator)
    form = next(form for form in page.forms.values() if "edition" in form.fields)
    options = {value: text for value, _selected, text in form["edition"].options}
    assert options[str(first.pk)] == str(first) and options[str(second.pk)] == str(second)
    assert options[""]  # "all editions" first, as Django's own select offers
    form["edition"] = str(second.pk)
    listed = form.submit()  # to the listing's results, which the page swaps in
    assert listed.status_code == 200
    shown = {row.user.email for row in Enrollment.objects.filter(edition=second)}
    hidden = {row.user.email for row in Enrollment.objects.filter(edition=first)}
    assert all(email in listed.text for email in shown)
    assert not any(email in listed.text for email in hidden)
    # The page at the address the browser then shows keeps the choice selected.
    page = admin_as(reverse("enrolments:index") + "?" + listed.request.query_string, coordinator)
    again = next(form for form in page.forms.values() if "edition" in form.fields)
    assert again["edition"].value == str(second.pk)  # the choice stays selected


def test_the_edition_filters_offer_the_editions_of_now_and_an_older_one_opened_from_the_editions_listing(
    admin_as, coordinator, make_edition, trainees, clock, monkeypatch
):
    """A thousand editions in one select would cost more than the listing and help nobody: the filters
    offer the nearest running or upcoming editions and the most recently ended (one each here), and an
    older edition is filtered by from its own row of the editions listing. On a leap day."""
    from core import admin_listings

    monkeypatch.setattr(admin_listings, "SHORTLIST_EACH", 1)
    clock(dates.today().replace(year=2028, month=2, day=29) if dates.today().year < 2028 else dates.today())
    old, ended, running, later = (
        make_edition(start_in=-60, days=2, enrolment_opens=dates.now() - timedelta(days=90)),
        make_edition(start_in=-2, days=2, enrolment_opens=dates.now() - timedelta(days=30)),
        make_edition(start_in=0, days=2),
        make_edition(start_in=40, days=2),
    )
    for edition in (old, ended, running, later):
        Enrollment.objects.create(edition=edition, user=trainees(1)[0], status=EnrollmentStatus.ENROLLED)
    for viewset in ("enrolments", "training_sessions"):
        page = admin_as(reverse(f"{viewset}:index"), coordinator)
        form = next(form for form in page.forms.values() if "edition" in form.fields)
        offered = {value for value, _selected, _text in form["edition"].options} - {""}
        assert offered == {str(ended.pk), str(running.pk)}, viewset
        assert "For an older one, open it from the editions listing." in page.text
    # The older edition's "Enrolments" in the editions listing: its enrolments alone, chosen in the filter.
    editions = admin_as(reverse("training_editions:index"), coordinator)
    listed = editions.click(href=rf"{reverse('enrolments:index')}\?edition={old.pk}$")
    assert listed.status_code == 200
    again = next(form for form in listed.forms.values() if "edition" in form.fields)
    assert again["edition"].value == str(old.pk)
    assert old.enrollments.get().user.email in listed.text
    assert running.enrollments.get().user.email not in listed.text


def test_an_editions_row_links_only_to_listings_its_reader_may_open(admin_as, coordinator, edition):
    """Where an administrator has taken the sessions and enrolments listings from the coordinators' group,
    an edition's row no longer links to them (they would only refuse her); the import stays hers."""
    from django.contrib.auth.models import Group

    sessions = f"{reverse('training_sessions:index')}?edition={edition.pk}"
    enrolments = f"{reverse('enrolments:index')}?edition={edition.pk}"
    importing = reverse("trainings_admin:import_trainees", args=[edition.pk])
    listing = admin_as(reverse("training_editions:index"), coordinator)
    assert all(f'href="{link}"' in listing.text for link in (sessions, enrolments, importing))

    group = Group.objects.get(name=Role.COORDINATOR)
    group.permissions.remove(*group.permissions.filter(content_type__model__in=["trainingsession", "enrollment"]))
    listing = admin_as(reverse("training_editions:index"), coordinator)
    assert str(edition) in listing.text
    assert sessions not in listing.text and enrolments not in listing.text
    assert f'href="{importing}"' in listing.text


@pytest.mark.parametrize("chosen", ["²", "9" * 40, "abc", "-1"])
def test_an_edition_typed_into_the_address_never_fails_a_listing_or_an_add_form(admin_as, coordinator, edition, chosen):
    for url in [
        reverse(f"{viewset}:{view}") for viewset in ("enrolments", "training_sessions") for view in ("index", "add")
    ]:
        assert admin_as(url + "?" + urlencode({"edition": chosen}), coordinator).status_code == 200


def test_trainer_and_trainee_cannot_use_the_admin_screens(django_app, trainer, trainee, edition):
    for user in (trainer, trainee):
        response = django_app.get(reverse("enrolments:index"), user=user, expect_errors=True)
        assert response.status_code in (302, 403)


def _fill(make_edition, trainees, editions, per_edition):
    made = [make_edition(start_in=5 + index, capacity=per_edition, days=2) for index in range(editions)]
    for edition in made:
        for person in trainees(per_edition):
            services.enrollment_create(edition=edition, user=person)
    return made


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize(
    ("viewset", "limit"),
    # 12-13 on PostgreSQL at 2, 12 and 40 editions; before, each row's edition fetched its programme.
    [("training_programmes", 13), ("training_editions", 13), ("training_sessions", 13), ("enrolments", 13)],
)
def test_admin_listing_queries_do_not_grow_with_the_data(
    admin_as, coordinator, make_edition, trainees, size, viewset, limit, django_assert_max_num_queries
):
    _fill(make_edition, trainees, editions=size, per_edition=2)
    for index in range(size):
        TrainingProgramme.objects.create(title=f"Programme {index}")
    url = reverse(f"{viewset}:index")
    admin_as(url, coordinator)  # warm the session and the permission caches, as on a running server
    with django_assert_max_num_queries(limit):
        response = admin_as(url, coordinator)
    assert response.status_code == 200


# Editions ---------------------------------------------------------------------------------------------------


def test_raising_the_capacity_in_the_admin_promotes_the_waitlist_in_order(
    admin_as, coordinator, make_edition, trainees, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=2)
    seated, first_waiting, second_waiting = trainees(2), *trainees(2)
    for person in (*seated, first_waiting, second_waiting):
        services.enrollment_create(edition=edition, user=person)
    mail.outbox.clear()
    form = admin_as(reverse("training_editions:edit", args=[edition.pk]), coordinator).forms[EDIT_FORM]
    form["capacity"] = "3"
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit()
    assert response.status_code == 302
    assert Enrollment.objects.get(user=first_waiting).status == EnrollmentStatus.ENROLLED
    assert Enrollment.objects.get(user=second_waiting).status == EnrollmentStatus.WAITLISTED
    assert [message.to for message in mail.outbox] == [[first_waiting.email]]


def test_admin_cannot_lower_the_capacity_below_the_seats_held(admin_as, coordinator, make_edition, trainees):
    edition = make_edition(capacity=3)
    for person in trainees(3):
        services.enrollment_create(edition=edition, user=person)
    form = admin_as(reverse("training_editions:edit", args=[edition.pk]), coordinator).forms[EDIT_FORM]
    form["capacity"] = "2"
    response = form.submit()
    assert response.status_code == 200
    assert "3 seats are already held" in response.text
    edition.refresh_from_db()
    assert edition.capacity == 3


def test_admin_refuses_a_project_change_a_locked_report_counts(
    admin_as, coordinator, make_edition, project, period_lock, clock
):
    clock(dates.today())
    edition = make_edition(start_in=-20, project=project)
    period_lock(dates.today() - timedelta(days=40), dates.today() - timedelta(days=1))
    form = admin_as(reverse("training_editions:edit", args=[edition.pk]), coordinator).forms[EDIT_FORM]
    form["project"] = ""
    response = form.submit()
    assert response.status_code == 200
    assert "its project stays" in response.text
    edition.refresh_from_db()
    assert edition.project == project


def test_admin_closes_an_edition_only_after_its_last_session(admin_as, coordinator, make_edition, trainees, after):
    edition = make_edition(start_in=1)
    form = admin_as(reverse("training_editions:edit", args=[edition.pk]), coordinator).forms[EDIT_FORM]
    form["status"] = EditionStatus.CLOSED
    response = form.submit()
    assert response.status_code == 200
    assert "can be closed after that" in response.text
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.OPEN

    after(edition)
    form = admin_as(reverse("training_editions:edit", args=[edition.pk]), coordinator).forms[EDIT_FORM]
    form["status"] = EditionStatus.CLOSED
    assert form.submit().status_code == 302
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.CLOSED


def test_admin_deletes_only_an_edition_nobody_enrolled_in_and_no_locked_report_counts(
    admin_as, coordinator, make_edition, trainee, project, period_lock
):
    enrolled = make_edition()
    services.enrollment_create(edition=enrolled, user=trainee)
    page = admin_as(reverse("training_editions:delete", args=[enrolled.pk]), coordinator)
    assert not [form for form in page.forms.values() if "delete" in (form.action or "")]
    with pytest.raises(ValidationError, match="Cancel it instead"):
        services.edition_delete(edition=enrolled, by=coordinator)

    counted = make_edition(start_in=-20, project=project)
    period_lock(dates.today() - timedelta(days=40), dates.today() - timedelta(days=1))
    response = _delete_form(admin_as(reverse("training_editions:delete", args=[counted.pk]), coordinator)).submit()
    assert "locked" in response.follow().text
    assert Edition.objects.filter(pk__in=[enrolled.pk, counted.pk]).count() == 2

    empty = make_edition()
    _delete_form(admin_as(reverse("training_editions:delete", args=[empty.pk]), coordinator)).submit()
    assert not Edition.objects.filter(pk=empty.pk).exists()


# Sessions ---------------------------------------------------------------------------------------------------


def test_moving_a_session_in_the_admin_bumps_sequence_and_tells_those_enrolled(
    admin_as, coordinator, make_edition, trainees, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=3)
    enrolled, waiting = trainees(1), None
    services.enrollment_create(edition=edition, user=enrolled[0])
    session = edition.sessions.first()
    mail.outbox.clear()
    form = admin_as(reverse("training_sessions:edit", args=[session.pk]), coordinator).forms[EDIT_FORM]
    form["start"] = _local(session.start + timedelta(hours=1))
    form["end"] = _local(session.end + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert form.submit().status_code == 302
    session.refresh_from_db()
    assert session.sequence == 1
    assert [message.to for message in mail.outbox] == [[enrolled[0].email]]
    assert edition.programme.title not in mail.outbox[0].subject
    assert waiting is None


def test_admin_cancelling_a_session_in_a_locked_period_is_refused(
    admin_as, coordinator, make_edition, trainee, project, period_lock, clock
):
    edition = make_edition(start_in=3, project=project)
    services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.first()
    period_lock(dates.today(), dates.today() + timedelta(days=10))
    form = admin_as(reverse("training_sessions:edit", args=[session.pk]), coordinator).forms[EDIT_FORM]
    form["cancelled"] = True
    response = form.submit()
    assert response.status_code == 200
    assert "locked" in response.text
    session.refresh_from_db()
    assert not session.cancelled and session.sequence == 0


def test_admin_adds_a_session_within_the_edition_only(admin_as, coordinator, edition):
    page = admin_as(reverse("training_sessions:add") + f"?edition={edition.pk}", coordinator)
    form = page.forms[EDIT_FORM]
    day = edition.end_date + timedelta(days=3)
    form["start"] = f"{day:%Y-%m-%d} 09:00"
    form["end"] = f"{day:%Y-%m-%d} 12:00"
    response = form.submit()
    assert response.status_code == 200
    assert "must fall within the edition" in response.text
    assert edition.sessions.count() == 2


def test_admin_deleting_a_session_people_expect_is_refused(admin_as, coordinator, edition, trainee):
    services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.first()
    response = _delete_form(admin_as(reverse("training_sessions:delete", args=[session.pk]), coordinator)).submit()
    assert "cancel the session instead" in response.follow().text
    assert TrainingSession.objects.filter(pk=session.pk).exists()


# Enrolments -------------------------------------------------------------------------------------------------


def test_admin_enrolment_form_respects_capacity_and_enrols_on_her_behalf(
    admin_as, coordinator, make_edition, trainees, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=1)
    services.enrollment_create(edition=edition, user=trainees(1)[0])
    form = admin_as(reverse("enrolments:add"), coordinator).forms[EDIT_FORM]
    form["edition"] = str(edition.pk)
    form["email"] = "new.person@example.org"
    form["full_name"] = "Ljiljana Đorđević"
    form["organisation"] = "Centre for Social Work Pančevo"
    form["language"] = "sr-latn"
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit()
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user__email="new.person@example.org")
    assert enrollment.status == EnrollmentStatus.WAITLISTED
    assert Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.ENROLLED).count() == 1
    (message,) = mail.outbox
    assert "na listu čekanja" in message.body
    assert "/accounts/password/reset/" in message.body


def test_admin_status_change_goes_through_the_workflow(
    admin_as, coordinator, make_edition, trainees, django_capture_on_commit_callbacks
):
    edition = make_edition(capacity=1, requires_approval=True)
    pending, waiting = trainees(2)
    first = services.enrollment_create(edition=edition, user=pending)
    services.enrollment_create(edition=edition, user=waiting)
    mail.outbox.clear()
    form = admin_as(reverse("enrolments:edit", args=[first.pk]), coordinator).forms[EDIT_FORM]
    assert {value for value, *_rest in form["status"].options} == {"pending", "enrolled", "cancelled"}
    form["status"] = EnrollmentStatus.CANCELLED
    form["reason"] = "Not a target profession"
    with django_capture_on_commit_callbacks(execute=True):
        assert form.submit().status_code == 302
    first.refresh_from_db()
    assert first.status == EnrollmentStatus.CANCELLED
    # Not approved: she is told; the seat went to the waitlist, in turn waiting for approval.
    assert Enrollment.objects.get(user=waiting).status == EnrollmentStatus.PENDING_APPROVAL
    assert {tuple(message.to) for message in mail.outbox} == {(pending.email,), (waiting.email,)}


def test_admin_cannot_give_a_waiting_trainee_a_seat_out_of_turn(admin_as, coordinator, make_edition, trainees):
    edition = make_edition(capacity=1)
    seated, waiting = trainees(2)
    services.enrollment_create(edition=edition, user=seated)
    enrollment = services.enrollment_create(edition=edition, user=waiting)
    form = admin_as(reverse("enrolments:edit", args=[enrollment.pk]), coordinator).forms[EDIT_FORM]
    assert "enrolled" not in {value for value, *_rest in form["status"].options}
    form["status"].force_value(EnrollmentStatus.ENROLLED)  # what a hand-made request could send
    response = form.submit()
    assert response.status_code == 200
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.WAITLISTED


def test_admin_deletes_only_an_enrolment_that_never_came(admin_as, coordinator, edition, trainee):
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    response = _delete_form(admin_as(reverse("enrolments:delete", args=[enrollment.pk]), coordinator)).submit()
    assert "cancel it first" in response.follow().text
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
    services.enrollment_cancel(enrollment=enrollment, by=trainee)
    _delete_form(admin_as(reverse("enrolments:delete", args=[enrollment.pk]), coordinator)).submit()
    assert not Enrollment.objects.filter(pk=enrollment.pk).exists()


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_enrolments_exports_say_what_the_listing_shows_in_her_language(
    admin_as, coordinator, edition, trainees, language
):
    """CSV and XLSX from the listing's own export links: the status's label, yes or no, the moment she enrolled
    in local time to the minute, the sheet named after the enrolments (Wagtail wrote `enrolled`, False,
    2026-12-07 20:29:32.988807+00:00 and Sheet1)."""
    import csv
    import io

    from django.utils import timezone, translation
    from openpyxl import load_workbook

    from accounts.models import Profile

    (trainee,) = trainees(1)
    enrolment = services.enrollment_create(edition=edition, user=trainee)
    # A reason recorded as its code: the export writes it in her language.
    Enrollment.objects.filter(pk=enrolment.pk).update(completion_code=EndReason.OFFER_EXPIRED)
    Profile.objects.filter(user=coordinator).update(preferred_language=language)
    with translation.override(language):
        status, no = enrolment.get_status_display(), translation.gettext("No")
        reason = Enrollment.objects.get(pk=enrolment.pk).reason_shown()
        sheet_name = str(Enrollment._meta.verbose_name_plural).capitalize()
    moment = timezone.localtime(enrolment.created_at).replace(tzinfo=None, second=0, microsecond=0)

    page = admin_as(reverse("enrolments:index"), coordinator)
    rows = list(csv.reader(io.StringIO(page.click(href="export=csv").text)))
    assert rows[1][2:5] == [status, no, str(moment)] and rows[1][6] == reason, rows

    book = load_workbook(io.BytesIO(page.click(href="export=xlsx").body))
    assert book.sheetnames == [sheet_name]
    (row,) = book.active.iter_rows(min_row=2, values_only=True)
    assert row[2:5] == (status, no, moment) and row[6] == reason


def test_an_address_that_reads_as_a_formula_stays_text_in_the_admins_csv(
    django_app, admin_as, coordinator, edition, trainees
):
    """A trainee chooses her own email address on the sign-up page, and "+1+1@example.org" is a valid one; in
    the CSV a coordinator opens in a spreadsheet program, the login it gives her (+1+1) reads as a formula.
    Written with an apostrophe first it stays text, in the enrolments' export and in Wagtail's own site
    history, where a record's label starts with her login."""
    import csv
    import io

    from django.contrib.auth import get_user_model

    page = django_app.get(reverse("account_signup"))
    form = next(form for form in page.forms.values() if "email" in form.fields and "password1" in form.fields)
    form["email"] = "+1+1@example.org"
    form["password1"] = form["password2"] = "Sunflower-Harbour-91"
    form["full_name"] = "=1+1"
    form["organisation"] = "Centre for Social Work Subotica"
    form["job_title"] = "Psychologist"
    assert form.submit().status_code == 302
    trainee = get_user_model().objects.get(email="+1+1@example.org")
    enrolment = services.enrollment_create(edition=edition, user=trainee)
    django_app.reset()

    listing = admin_as(reverse("enrolments:index"), coordinator)
    rows = list(csv.reader(io.StringIO(listing.click(href="export=csv").text)))
    assert rows[1][0] == "'" + trainee.get_username(), rows
    # The admin's edit form logs the enrolment under its label, which starts with her login.
    admin_as(reverse("enrolments:edit", args=[enrolment.pk]), coordinator).forms[EDIT_FORM].submit()
    history = admin_as(reverse("wagtailadmin_reports:site_history"), coordinator)
    rows = list(csv.reader(io.StringIO(history.click(href="export=csv").text)))
    labels = [cell for row in rows[1:] for cell in row if trainee.get_username() in cell]
    assert labels and all(cell.startswith("'") for cell in labels), rows
    assert not [cell for row in rows[1:] for cell in row if cell[:1] in ("=", "+", "-", "@")], rows
