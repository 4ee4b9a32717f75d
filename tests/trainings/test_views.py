"""The trainings pages, posted as the browser posts them (WebTest parses the rendered forms)."""

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import formats, translation

from accounts.enums import Role
from accounts.models import Profile
from core import dates
from core.enums import AttendanceStatus
from trainings import services
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.models import Enrollment, TrainingAttendance, TrainingCataloguePage, TrainingProgramme
from trainings.selectors import CATALOGUE_PAGE_SIZE

pytestmark = pytest.mark.django_db


def _fill(edition, trainees, count):
    return [services.enrollment_create(edition=edition, user=person) for person in trainees(count)]


def _catalogue_page(language="en"):
    from trainings.demo import _catalogue_page

    _catalogue_page()
    return TrainingCataloguePage.objects.get(locale__language_code=language)


def _form(page, action):
    """The page's form that posts to `action`."""
    return next(form for form in page.forms.values() if (form.action or "") == action)


def _form_with(page, field):
    """The page's form that has this field."""
    return next(form for form in page.forms.values() if field in form.fields)


# Public catalogue -------------------------------------------------------------------------------------------


def test_catalogue_lists_upcoming_editions_with_seats_left(django_app, make_edition, trainees):
    open_edition = make_edition(capacity=3)
    full = make_edition(capacity=1, start_in=20)
    _fill(full, trainees, 1)
    make_edition(status=EditionStatus.CANCELLED, start_in=15)
    make_edition(start_in=-3)
    response = django_app.get(reverse("trainings:catalogue"))
    editions = list(response.context["editions"])
    assert editions == [open_edition, full]
    assert editions[0].seats_left == 3 and editions[1].seats_left == 0
    assert "3 seats left" in response.text
    assert reverse("trainings:enrol", args=[open_edition.pk]) in response.text
    assert "Join the waitlist" in response.text


def test_wagtail_catalogue_page(django_app, make_edition):
    edition = make_edition()
    page = _catalogue_page()
    response = django_app.get(reverse("trainings:catalogue"))
    assert response.status_code == 302 and response["Location"] == page.url
    response = response.follow()
    assert edition.programme.title in response.text and "Enrol" in response.text


@pytest.mark.parametrize(("language", "title"), [("da", "Kurser"), ("sr-latn", "Obuke")])
def test_catalogue_exists_in_every_language(django_app, make_edition, language, title):
    from website.demo import load as website_load

    website_load(users={})
    make_edition()
    _catalogue_page()
    with translation.override(language):
        url = reverse("trainings:catalogue")
    assert url == f"/{language}/trainings/"
    response = django_app.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/{language}/")
    page = response.follow()
    assert f"<h1>{title}</h1>" in page.text
    assert f'lang="{language}"' in page.text


def test_catalogue_without_a_page_in_her_language_stays_in_her_language(django_app, make_edition):
    make_edition()
    _catalogue_page()  # English only: this site has no Danish home page
    response = django_app.get("/da/trainings/")
    assert response.status_code == 200
    assert 'lang="da"' in response.text


def test_catalogue_shows_her_status_and_offers_enrol_only_where_she_can(django_app, make_edition, trainees):
    trainee, other = trainees(2)
    mine, waiting, free = make_edition(capacity=1), make_edition(capacity=1, start_in=12), make_edition(start_in=14)
    services.enrollment_create(edition=mine, user=trainee)
    services.enrollment_create(edition=waiting, user=other)
    services.enrollment_create(edition=waiting, user=trainee)
    page = django_app.get(reverse("trainings:catalogue"), user=trainee)
    assert reverse("trainings:enrol", args=[mine.pk]) not in page.text
    assert reverse("trainings:enrol", args=[waiting.pk]) not in page.text
    assert reverse("trainings:enrol", args=[free.pk]) in page.text
    assert "You are enrolled" in page.text and "You are on the waitlist" in page.text


# On PostgreSQL committed, as on a server: a transaction that wrote what a page is kept under keeps nothing
# (reporting.inputs), and reads the stamps for naught.
@pytest.mark.django_db(transaction=connection.vendor == "postgresql")
@pytest.mark.parametrize("size", [5, 40])
def test_catalogue_query_count_is_constant(django_app, make_edition, trainee, size, django_assert_max_num_queries):
    for index in range(size):
        services.enrollment_create(edition=make_edition(start_in=5 + index, days=1, capacity=3), user=trainee)
    page = _catalogue_page()
    django_app.get(page.url, user=trainee)  # warm Wagtail's site-root cache, as on a running server
    with django_assert_max_num_queries(16):  # her session and roles, the filters, the page, her statuses
        response = django_app.get(page.url, user=trainee)
    assert len(response.context["editions"]) == min(size, CATALOGUE_PAGE_SIZE)


def test_catalogue_filters_by_month_place_and_topic(django_app, make_edition, clock):
    from trainings.models import TrainingProgramme

    clock(dates.today().replace(day=1))
    other = TrainingProgramme.objects.create(title="Safety planning")
    this_month = make_edition(start_in=3)
    next_month = make_edition(start_in=35, municipality="Pančevo")
    online = make_edition(start_in=70, venue="", municipality="", online_link="https://meet.example.org/x")
    topic = make_edition(start_in=100, programme_=other)
    page = _catalogue_page()
    form = django_app.get(page.url).forms[0]
    form["month"] = f"{next_month.start_date:%Y-%m}"
    assert list(form.submit().context["editions"]) == [next_month]
    form = django_app.get(page.url).forms[0]
    form["place"] = "online"
    assert list(form.submit().context["editions"]) == [online]
    form = django_app.get(page.url).forms[0]
    form["programme"] = str(other.pk)
    assert list(form.submit().context["editions"]) == [topic]
    form["place"] = "Pančevo"
    assert "No upcoming training matches" in form.submit().text
    # Anything else typed into the address is ignored, never an error.
    for programme in ("abc", "²", "9" * 40):  # "²" passes str.isdigit(), and int() refuses it
        response = django_app.get(page.url, {"month": "2027-13", "place": "<x>", "programme": programme})
        assert len(response.context["editions"]) == 4
        assert this_month in response.context["editions"]


def test_catalogue_is_paginated_keeps_filters_and_forgives_a_bad_page_number(django_app, make_edition):
    editions = [make_edition(start_in=5 + index, days=1) for index in range(CATALOGUE_PAGE_SIZE + 3)]
    page = _catalogue_page()
    first = django_app.get(page.url)
    assert list(first.context["editions"]) == editions[:CATALOGUE_PAGE_SIZE]
    assert 'href="?page=2"' in first.text and "Page 1 of 2" in first.text
    second = first.click(href=r"\?page=2")
    assert list(second.context["editions"]) == editions[CATALOGUE_PAGE_SIZE:]
    filtered = django_app.get(page.url, {"place": "Zrenjanin"})
    assert 'href="?place=Zrenjanin&amp;page=2"' in filtered.text
    assert list(filtered.context["editions"]) == editions[:CATALOGUE_PAGE_SIZE]
    assert list(filtered.click(href=r"\?place=Zrenjanin&page=2").context["editions"]) == editions[CATALOGUE_PAGE_SIZE:]
    for bad in ("abc", "999", "-1", "\x00"):
        response = django_app.get(page.url, {"page": bad})
        assert len(response.context["editions"]) in (3, CATALOGUE_PAGE_SIZE)


def test_catalogue_page_leaves_out_an_edition_that_stopped_being_upcoming_after_its_keys_were_read(make_edition):
    from trainings.selectors import catalogue_filters, catalogue_page

    first, cancelled, last = (make_edition(start_in=5 + index) for index in range(3))
    filters = catalogue_filters(data={})  # the keys of all three are read with the choices
    cancelled.status = EditionStatus.CANCELLED
    cancelled.save(update_fields=["status"])
    page = catalogue_page(number=1, filters=filters)
    assert page.object_list == [first, last]
    assert [edition.seats_left for edition in page.object_list] == [first.capacity, last.capacity]


def test_catalogue_names_her_own_enrolment_on_its_card_but_not_one_she_cancelled_or_moved(
    django_app, make_edition, trainee
):
    enrolled, cancelled, moved_from, moved_to = (make_edition(start_in=5 + index) for index in range(4))
    services.enrollment_create(edition=enrolled, user=trainee)
    services.enrollment_cancel(enrollment=services.enrollment_create(edition=cancelled, user=trainee), by=trainee)
    services.enrollment_transfer(
        enrollment=services.enrollment_create(edition=moved_from, user=trainee), to_edition=moved_to, by=trainee
    )
    response = django_app.get(_catalogue_page().url, user=trainee)
    statuses = {edition.pk: edition.my_status for edition in response.context["editions"]}
    assert statuses == {
        enrolled.pk: EnrollmentStatus.ENROLLED,
        cancelled.pk: None,
        moved_from.pk: None,
        moved_to.pk: EnrollmentStatus.ENROLLED,
    }
    assert response.text.count("You are enrolled") == 2
    assert reverse("trainings:enrol", args=[cancelled.pk]) in response.text
    assert reverse("trainings:enrol", args=[moved_from.pk]) in response.text


# Edition page -----------------------------------------------------------------------------------------------


def test_edition_page_shows_programme_dates_and_place(django_app, edition):
    response = django_app.get(reverse("trainings:edition_detail", args=[edition.pk]))
    assert edition.programme.title in response.text
    assert "Zrenjanin" in response.text and "Cultural Centre" in response.text
    assert formats.date_format(edition.start_date, "DATE_FORMAT") in response.text
    assert "<h2>Accreditation</h2>" not in response.text and "Accredited by" not in response.text  # none


def test_edition_page_shows_the_accreditation_that_covers_it_with_its_number(django_app, edition):
    from certificates.models import Accreditation

    today = dates.today()
    current = Accreditation.objects.create(
        body="Republic Institute for Social Protection",
        decision_number="153-02-00127/2026",
        decision_date=today - timedelta(days=300),
        valid_from=today - timedelta(days=300),
        valid_until=today + timedelta(days=300),
        points=Decimal("12.0"),
    )
    expired = Accreditation.objects.create(
        body="Chamber of Social Protection",
        decision_number="EXP-2024/7",
        decision_date=today - timedelta(days=900),
        valid_from=today - timedelta(days=900),
        valid_until=today - timedelta(days=5),
    )
    current.programmes.add(edition.programme)
    expired.programmes.add(edition.programme)
    response = django_app.get(reverse("trainings:edition_detail", args=[edition.pk]))
    assert "153-02-00127/2026" in response.text and "Republic Institute for Social Protection" in response.text
    assert "EXP-2024/7" not in response.text and "Chamber of Social Protection" not in response.text


# Enrolment --------------------------------------------------------------------------------------------------


def test_enrol_through_the_page(django_app, trainee, edition, django_capture_on_commit_callbacks):
    page = django_app.get(reverse("trainings:edition_detail", args=[edition.pk]), user=trainee)
    confirm = page.click(description="Enrol", index=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm.forms["enrol-form"].submit().follow()
    assert response.request.path == reverse("trainings:dashboard")
    assert "You are enrolled" in response.text and edition.programme.title in response.text
    assert Enrollment.objects.get(user=trainee).status == EnrollmentStatus.ENROLLED
    (message,) = mail.outbox
    assert message.to == [trainee.email]


def test_enrol_in_a_full_edition_puts_her_on_the_waitlist_behind_who_waits(django_app, make_edition, trainees):
    edition = make_edition(capacity=1)
    seated, waiting, newcomer = trainees(3)
    for person in (seated, waiting):
        services.enrollment_create(edition=edition, user=person)
    form = django_app.get(reverse("trainings:enrol", args=[edition.pk]), user=newcomer).forms["enrol-form"]
    assert "you are on the waitlist" in form.submit().follow().text
    assert Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.ENROLLED).count() == 1
    assert Enrollment.objects.get(user=newcomer).created_at > Enrollment.objects.get(user=waiting).created_at


def test_enrol_sent_twice_is_one_enrolment_and_a_message(django_app, trainee, edition):
    """Enrolment needs no form token: the database allows one enrolment per trainee and edition."""
    confirm = django_app.get(reverse("trainings:enrol", args=[edition.pk]), user=trainee)
    form = confirm.forms["enrol-form"]
    form.submit()
    again = form.submit().follow()
    assert "already" in again.text
    assert Enrollment.objects.filter(user=trainee).count() == 1


def test_enrol_in_a_cancelled_edition_shows_a_message_and_saves_nothing(django_app, trainee, make_edition):
    edition = make_edition()
    form = django_app.get(reverse("trainings:enrol", args=[edition.pk]), user=trainee).forms["enrol-form"]
    services.edition_cancel(edition=edition, by=None)
    response = form.submit().follow()
    assert "was cancelled" in response.text
    assert not Enrollment.objects.exists()


def test_enrolment_window_closed_message(django_app, trainee, make_edition, clock):
    edition = make_edition(enrolment_closes=dates.now() + timedelta(minutes=5))
    form = django_app.get(reverse("trainings:enrol", args=[edition.pk]), user=trainee).forms["enrol-form"]
    clock(edition.enrolment_closes + timedelta(minutes=1))
    assert "Enrolment for this edition has closed" in form.submit().follow().text
    assert not Enrollment.objects.exists()


def _confirmation_path(message):
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    return "/" + link.split("/", 3)[3]


def test_signed_out_enrol_is_carried_through_sign_up_and_email_confirmation(
    django_app, edition, django_capture_on_commit_callbacks
):
    """The reported journey: today she ends on "You are not enrolled" after nine clicks."""
    detail = django_app.get(reverse("trainings:edition_detail", args=[edition.pk]))
    signed_out = detail.click(description="Enrol", index=0)
    assert "To enrol you need an account" in signed_out.text
    signup = signed_out.click(description="Create an account")
    form = _form_with(signup, "password1")
    form["email"] = "vesna.ilic@example.org"
    form["password1"] = form["password2"] = "a-long-journey-pass"
    form["full_name"] = "Vesna Ilić"
    form["organisation"] = "Health Centre Kikinda"
    form["job_title"] = "Nurse"
    form.submit()
    confirm = django_app.get(_confirmation_path(mail.outbox[-1]))
    landed = next(f for f in confirm.forms.values() if "confirm-email" in (f.action or "")).submit().maybe_follow()
    if "/accounts/login/" in landed.request.path:
        # Opened on another device or after her session ended: she signs in, and still lands on the edition.
        login = _form_with(landed, "password")
        login["login"] = "vesna.ilic@example.org"
        login["password"] = "a-long-journey-pass"
        landed = login.submit().maybe_follow()
    assert landed.request.path == reverse("trainings:enrol", args=[edition.pk])
    with django_capture_on_commit_callbacks(execute=True):
        done = landed.forms["enrol-form"].submit().follow()
    assert "You are enrolled" in done.text
    assert Enrollment.objects.get(user__email="vesna.ilic@example.org").status == EnrollmentStatus.ENROLLED


def test_home_page_offers_the_edition_she_chose_before_signing_in(django_app, client, trainee, edition):
    client.get(reverse("trainings:enrol", args=[edition.pk]))  # chosen while signed out
    client.force_login(trainee)
    content = client.get(reverse("home")).content.decode()
    assert "Continue your enrolment" in content
    assert reverse("trainings:enrol", args=[edition.pk]) in content


def test_cancel_and_foreign_enrolment_gives_404(django_app, trainees, edition):
    owner, other = trainees(2)
    enrollment = services.enrollment_create(edition=edition, user=owner)
    cancel_url = reverse("trainings:cancel", args=[enrollment.pk])
    assert django_app.get(reverse("trainings:transfer", args=[enrollment.pk]), user=other, status=404)
    dashboard = django_app.get(reverse("trainings:dashboard"), user=owner)
    response = _form(dashboard, cancel_url).submit().follow()
    assert "cancelled" in response.text
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CANCELLED


def test_confirm_offer_through_the_page(django_app, make_edition, trainees):
    edition = make_edition(capacity=1, promotion_needs_confirmation=True)
    holder, waiting = trainees(2)
    seat = services.enrollment_create(edition=edition, user=holder)
    offered = services.enrollment_create(edition=edition, user=waiting)
    services.enrollment_cancel(enrollment=seat, by=holder)
    dashboard = django_app.get(reverse("trainings:dashboard"), user=waiting)
    _form(dashboard, reverse("trainings:confirm_offer", args=[offered.pk])).submit()
    offered.refresh_from_db()
    assert offered.status == EnrollmentStatus.ENROLLED


def test_transfer_through_the_page_and_refused_when_she_would_lose_her_seat(django_app, trainees, make_edition):
    trainee, other = trainees(2)
    first, second, full = make_edition(), make_edition(start_in=40), make_edition(start_in=50, capacity=1)
    services.enrollment_create(edition=full, user=other)
    enrollment = services.enrollment_create(edition=first, user=trainee)
    page = django_app.get(reverse("trainings:transfer", args=[enrollment.pk]), user=trainee)
    form = _form_with(page, "edition")
    assert {value for value, *_rest in form["edition"].options} == {str(second.pk), str(full.pk)}
    form["edition"] = str(full.pk)
    refused = form.submit()
    assert "keep your seat" in refused.text
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ENROLLED
    form = _form_with(refused, "edition")
    form["edition"] = str(second.pk)
    form.submit()
    assert Enrollment.objects.get(edition=second, user=trainee).status == EnrollmentStatus.ENROLLED


@pytest.mark.parametrize("size", [5, 40])
def test_dashboard_query_count_is_constant(django_app, trainee, make_edition, size, django_assert_max_num_queries):
    for index in range(size):
        services.enrollment_create(edition=make_edition(start_in=3 + index, capacity=5), user=trainee)
    django_app.get(reverse("trainings:dashboard"), user=trainee)
    with django_assert_max_num_queries(12):
        response = django_app.get(reverse("trainings:dashboard"), user=trainee)
    assert len(response.context["upcoming"]) == size


def test_dashboard_shows_completion_reason_and_hours(django_app, trainee, edition, coordinator, trainer, after):
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    after(edition)
    first = edition.sessions.first()
    services.attendance_record(session=first, marks={enrollment.pk: AttendanceStatus.PRESENT}, by=trainer)
    services.edition_close(edition=edition, by=coordinator)
    content = django_app.get(reverse("trainings:dashboard"), user=trainee).text
    assert "Not completed" in content
    assert "8.0 of 16.0 hours" in content
    assert "My attendance: 8 of 16 hours" in content
    assert "Hours attended:</strong> 8" in content
    assert "Present" in content and "not recorded" in content  # her marks, session by session

    Profile.objects.filter(user=trainee).update(preferred_language="da")
    django_app.reset()
    with translation.override("da"):
        status, mark = str(EnrollmentStatus.NOT_COMPLETED.label), str(AttendanceStatus.PRESENT.label)
        # The reason too, written when she reads it: in her language, with its decimal comma.
        reason = Enrollment.objects.get(pk=enrollment.pk).reason_shown()
    assert (status, mark) != ("Not completed", "Present") and "8,0" in reason and "hours" not in reason
    content = django_app.get(reverse("trainings:dashboard"), user=trainee).text
    assert status in content and mark in content and reason in content
    # The coordinator reads the same enrolment in her own language.
    participants = django_app.get(reverse("trainings:participants", args=[edition.pk]), user=coordinator).text
    assert "8.0 of 16.0 hours" in participants and reason not in participants


def test_home_page_panel_for_trainee(django_app, trainee, edition):
    services.enrollment_create(edition=edition, user=trainee)
    assert edition.programme.title in django_app.get(reverse("home"), user=trainee).text


# Trainer ----------------------------------------------------------------------------------------------------


def test_trainer_sees_only_her_editions(django_app, trainer, make_user, make_edition):
    mine = make_edition(trainers=[trainer])
    theirs = make_edition(trainers=[make_user(Role.TRAINER)])
    response = django_app.get(reverse("trainings:trainer_editions"), user=trainer)
    assert mine.programme.title in response.text
    assert list(response.context["upcoming"]) == [mine]
    for name in ("participants", "participants_xlsx", "sign_in_sheet"):
        django_app.get(reverse(f"trainings:{name}", args=[theirs.pk]), user=trainer, status=404)
    session = theirs.sessions.first()
    django_app.get(reverse("trainings:session_attendance", args=[session.pk]), user=trainer, status=404)


def test_trainee_cannot_open_trainer_pages(django_app, trainee, edition):
    django_app.get(reverse("trainings:trainer_editions"), user=trainee, status=403)
    django_app.get(reverse("trainings:participants", args=[edition.pk]), user=trainee, status=404)


def test_attendance_page_records_marks_from_the_day_of_the_session(django_app, trainer, edition, trainees, clock):
    enrollments = _fill(edition, trainees, 2)
    session = edition.sessions.first()
    url = reverse("trainings:session_attendance", args=[session.pk])
    early = django_app.get(url, user=trainer)
    assert "from the day of the session" in early.text
    assert not [form for form in early.forms.values() if f"e-{enrollments[0].pk}" in form.fields]
    clock(session.start)
    form = _form_with(django_app.get(url, user=trainer), f"e-{enrollments[0].pk}")
    form[f"e-{enrollments[0].pk}"] = "present"
    form[f"e-{enrollments[1].pk}"] = "excused"
    response = form.submit().follow()
    assert "Attendance saved for 2 people." in response.text
    marks = dict(TrainingAttendance.objects.values_list("enrollment_id", "status"))
    assert marks == {enrollments[0].pk: "present", enrollments[1].pk: "excused"}


def test_attendance_sent_back_with_an_error_shows_the_marks_she_sent(
    django_app, trainer, make_edition, trainees, clock
):
    """A participant cancelled while the trainer had the screen open: nothing is saved, and the screen comes
    back with the marks she chose, not the saved ones she had changed."""
    edition = make_edition(trainers=[trainer], capacity=3)
    first, second, leaving = _fill(edition, trainees, 3)
    session = edition.sessions.first()
    clock(session.start)
    services.attendance_record(session=session, marks={first.pk: "present"}, by=trainer)
    url = reverse("trainings:session_attendance", args=[session.pk])
    form = _form_with(django_app.get(url, user=trainer), f"e-{first.pk}")
    form[f"e-{first.pk}"] = "absent"
    form[f"e-{second.pk}"] = "excused"
    form[f"e-{leaving.pk}"] = "present"
    services.enrollment_cancel(enrollment=leaving, by=leaving.user)
    page = form.submit()
    assert "Attendance can only be recorded for people enrolled in this edition. Nothing was saved." in page.text
    assert dict(TrainingAttendance.objects.values_list("enrollment_id", "status")) == {first.pk: "present"}
    again = _form_with(page, f"e-{first.pk}")
    assert (again[f"e-{first.pk}"].value, again[f"e-{second.pk}"].value) == ("absent", "excused")
    assert f"e-{leaving.pk}" not in again.fields


def test_attendance_changed_after_closing_changes_completion_on_the_page(
    django_app, trainer, coordinator, edition, trainee, after
):
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    after(edition)
    for session in edition.sessions.all():
        services.attendance_record(session=session, marks={enrollment.pk: "present"}, by=trainer)
    services.edition_close(edition=edition, by=coordinator)
    page = django_app.get(reverse("trainings:session_attendance", args=[edition.sessions.last().pk]), user=trainer)
    form = _form_with(page, f"e-{enrollment.pk}")
    form[f"e-{enrollment.pk}"] = "absent"
    form.submit()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.NOT_COMPLETED
    assert enrollment.hours_attended == Decimal("8.0")


def test_attendance_page_shows_the_change_log_with_both_times(
    django_app, trainer, coordinator, edition, trainees, clock
):
    (enrollment,) = _fill(edition, trainees, 1)
    session = edition.sessions.first()
    clock(session.start + timedelta(hours=1))
    url = reverse("trainings:session_attendance", args=[session.pk])
    form = _form_with(django_app.get(url, user=trainer), f"e-{enrollment.pk}")
    form[f"e-{enrollment.pk}"] = "absent"
    form.submit()
    form = _form_with(django_app.get(url, user=coordinator), f"e-{enrollment.pk}")
    form[f"e-{enrollment.pk}"] = "excused"
    page = form.submit().follow()
    assert "Change log (2 entries)" in page.text
    assert "Marked" in page.text and "Received" in page.text
    assert "Absent → Excused" in page.text and coordinator.email in page.text
    assert enrollment.user.profile.full_name in page.text
    # The row says which mark the screen showed, so that a mark sent later from a phone can tell whether
    # someone else changed it meanwhile.
    attendance = TrainingAttendance.objects.get()
    assert f'data-seen="{attendance.recorded_at.isoformat()}"' in page.text


def test_the_change_log_names_each_trainee_as_the_screen_does(trainer, edition, trainees, clock):
    """Her name, or her e-mail address when she gave none or has no profile: worked out with the log's query."""
    from trainings.selectors import participant_label, session_attendance_changes

    type(edition).objects.filter(pk=edition.pk).update(capacity=3)
    named, unnamed, without_profile = _fill(edition, trainees, 3)
    Profile.objects.filter(user=unnamed.user).update(full_name="")
    Profile.objects.filter(user=without_profile.user).delete()
    session = edition.sessions.first()
    clock(session.start)
    marks = {named.pk: "present", unnamed.pk: "absent", without_profile.pk: "excused"}
    services.attendance_record(session=session, marks=marks, by=trainer)

    changes = session_attendance_changes(session=session)

    expected = {named.user.profile.full_name, unnamed.user.email, without_profile.user.email}
    assert {change.label for change in changes} == expected
    fresh = Enrollment.objects.select_related("user__profile").filter(pk__in=marks)
    assert {participant_label(enrollment) for enrollment in fresh} == expected
    assert {change.changed_by.email for change in changes} == {trainer.email}


def test_the_device_copy_holds_the_marks_but_no_change_log(client_for, trainer, edition, trainees, clock):
    (enrollment,) = _fill(edition, trainees, 1)
    session = edition.sessions.first()
    clock(session.start)
    services.attendance_record(session=session, marks={enrollment.pk: "present"}, by=trainer)
    url = reverse("trainings:session_attendance", args=[session.pk])
    client = client_for(trainer)
    assert "Change log (1 entry)" in client.get(url).content.decode()
    copy = client.get(url + "?device=1").content.decode()
    assert 'id="attendance-form"' in copy and enrollment.user.profile.full_name in copy
    assert "Change log" not in copy


@pytest.mark.parametrize("size", [5, 40])
def test_attendance_page_query_count_is_constant(
    django_app, trainer, make_edition, trainees, size, django_assert_max_num_queries
):
    edition = make_edition(capacity=size, trainers=[trainer])
    _fill(edition, trainees, size)
    session = edition.sessions.first()
    url = reverse("trainings:session_attendance", args=[session.pk])
    django_app.get(url, user=trainer)
    with django_assert_max_num_queries(12):
        response = django_app.get(url, user=trainer)
    assert len(response.context["participants"]) == size


@pytest.mark.parametrize("size", [5, 40])
def test_participants_query_count_is_constant(
    django_app, trainer, make_edition, trainees, size, django_assert_max_num_queries
):
    edition = make_edition(capacity=size, trainers=[trainer])
    _fill(edition, trainees, size)
    url = reverse("trainings:participants", args=[edition.pk])
    django_app.get(url, user=trainer)
    with django_assert_max_num_queries(14):
        response = django_app.get(url, user=trainer)
    assert len(response.context["rows"]) == size


def test_participants_xlsx_and_sign_in_sheet(django_app, trainer, edition, trainees, clock):
    from openpyxl import load_workbook

    enrollments = _fill(edition, trainees, 2)
    session = edition.sessions.first()
    clock(session.start)
    services.attendance_record(session=session, marks={enrollments[0].pk: "present"}, by=trainer)
    response = django_app.get(reverse("trainings:participants_xlsx", args=[edition.pk]), user=trainer)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.body)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "Organisation", "Job title")
    assert "Hours attended" in rows[0]
    assert len(rows) == 3
    assert enrollments[0].user.profile.full_name in {row[0] for row in rows[1:]}
    assert 8.0 in {row[rows[0].index("Hours attended")] for row in rows[1:]}
    marked = next(row for row in rows[1:] if row[0] == enrollments[0].user.profile.full_name)
    assert marked[rows[0].index("Status")] == "Enrolled"
    assert marked[5] == "Present"  # the first session's column
    assert [row[5] for row in rows[1:] if row is not marked] == [None]  # not marked: an empty cell
    sheet = django_app.get(reverse("trainings:sign_in_sheet", args=[edition.pk]), user=trainer).text
    assert enrollments[1].user.profile.full_name in sheet and "Signature" in sheet


def test_self_check_in_on_the_day_with_a_rotating_code(django_app, make_user, make_edition, trainer, trainee, clock):
    edition = make_edition(self_check_in=True, trainers=[trainer])
    enrollment = services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.first()
    qr_url = reverse("trainings:check_in_qr", args=[session.pk])
    assert "<svg" not in django_app.get(qr_url, user=trainer).text  # not before the day
    clock(session.start - timedelta(hours=1))
    qr = django_app.get(qr_url, user=trainer)
    assert "<svg" in qr.text and 'http-equiv="refresh"' in qr.text
    check_in = django_app.get(qr.context["check_in_url"], user=trainee)
    _form_with(check_in, "t").submit()
    assert TrainingAttendance.objects.get(enrollment=enrollment).status == AttendanceStatus.PRESENT
    django_app.get(reverse("trainings:check_in", args=[session.pk]), user=make_user(Role.TRAINEE), status=404)


def test_check_in_page_says_when_it_opens(django_app, make_edition, trainee):
    edition = make_edition(self_check_in=True)
    services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.first()
    page = django_app.get(reverse("trainings:check_in", args=[session.pk]), user=trainee)
    assert "on the day of the session only" in page.text
    assert "I am here" not in page.text


def test_expired_check_in_code_saves_nothing(django_app, trainee, make_edition, clock):
    edition = make_edition(self_check_in=True)
    services.enrollment_create(edition=edition, user=trainee)
    session = edition.sessions.first()
    clock(session.start)
    token = services.check_in_token(session=session)
    page = django_app.get(reverse("trainings:check_in", args=[session.pk]), {"t": token}, user=trainee)
    clock(session.start + timedelta(minutes=10))
    response = _form_with(page, "t").submit().maybe_follow()
    assert "expired" in response.text
    assert not TrainingAttendance.objects.exists()


# Coordinator ------------------------------------------------------------------------------------------------


def test_coordinator_approves_rejects_and_closes_after_the_last_session(
    django_app, coordinator, make_edition, trainees, after, django_capture_on_commit_callbacks
):
    edition = make_edition(requires_approval=True)
    approved, rejected = trainees(2)
    pending = services.enrollment_create(edition=edition, user=approved)
    other = services.enrollment_create(edition=edition, user=rejected)
    page = django_app.get(reverse("trainings:approvals"), user=coordinator)
    assert approved.profile.full_name in page.text
    _form(page, reverse("trainings:approve", args=[pending.pk])).submit()
    page = django_app.get(reverse("trainings:approvals"), user=coordinator)
    form = _form(page, reverse("trainings:reject", args=[other.pk]))
    form["reason"] = "The training is for social workers"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        form.submit()
    (message,) = mail.outbox
    assert message.to == [rejected.email] and "The training is for social workers" in message.body
    assert Enrollment.objects.get(pk=pending.pk).status == EnrollmentStatus.ENROLLED

    participants_url = reverse("trainings:participants", args=[edition.pk])
    close_url = reverse("trainings:edition_close", args=[edition.pk])
    close = _form(django_app.get(participants_url, user=coordinator), close_url)
    assert "can be closed after that" in close.submit().follow().text
    after(edition)
    close = _form(django_app.get(participants_url, user=coordinator), close_url)
    assert "The edition is closed" in close.submit().follow().text
    assert Enrollment.objects.get(pk=pending.pk).status == EnrollmentStatus.NOT_COMPLETED


def test_trainer_cannot_close_or_approve(django_app, trainer, edition, trainees):
    _fill(edition, trainees, 1)
    django_app.get(reverse("trainings:approvals"), user=trainer, status=403)
    page = django_app.get(reverse("trainings:participants", args=[edition.pk]), user=trainer)
    assert "Close edition" not in page.text
    edition.refresh_from_db()
    assert edition.status == EditionStatus.OPEN


def test_home_page_panel_for_coordinator_counts_pending(django_app, coordinator, make_edition, trainee):
    services.enrollment_create(edition=make_edition(requires_approval=True), user=trainee)
    content = django_app.get(reverse("home"), user=coordinator).text
    assert "1 enrolment waits for your approval." in content
    assert reverse("trainings:approvals") in content


def test_catalogue_shows_when_enrolment_opens(django_app, make_edition):
    now = dates.now()
    edition = make_edition(enrolment_opens=now + timedelta(days=1), enrolment_closes=now + timedelta(days=5))
    content = django_app.get(reverse("trainings:catalogue")).text
    assert "Enrolment opens on" in content
    assert reverse("trainings:enrol", args=[edition.pk]) not in content


def test_catalogue_cards_speak_her_language_with_its_dates_numbers_and_plurals(django_app, make_edition, clock):
    """The cards' dates, lengths, seats and opening day are written in Python (selectors.catalogue_cards): the
    same words, forms and plurals the template wrote, in each language."""
    clock(date(2027, 2, 26))
    short = TrainingProgramme.objects.create(title="Safety planning", summary="One afternoon.", hours=Decimal("1.5"))
    one_day = make_edition(programme_=short, capacity=1, start_in=3, days=1, venue="", municipality="")
    two_days = make_edition(capacity=2, start_in=4, days=2, venue="", municipality="Pančevo")
    opens = dates.now() + timedelta(days=1)
    later = make_edition(start_in=6, enrolment_opens=opens, enrolment_closes=opens + timedelta(days=2))

    danish = django_app.get("/da/trainings/").text  # this site has no Danish catalogue page: the list itself
    assert "1. marts 2027" in danish  # one day: one date
    assert "2. marts 2027 – 3. marts 2027" in danish
    assert "1,5 timer" in danish and "16 timer" in danish
    assert "1 plads tilbage" in danish and "2 pladser tilbage" in danish
    assert "<dd>Online</dd>" in danish and "<dd>Pančevo</dd>" in danish
    assert "Tilmeldingen åbner den 27. februar 2027" in danish
    assert reverse("trainings:enrol", args=[one_day.pk]) in danish
    assert reverse("trainings:enrol", args=[two_days.pk]) in danish
    assert reverse("trainings:enrol", args=[later.pk]) not in danish

    english = django_app.get("/trainings/").text
    assert "1.5 hours" in english and "1 seat left" in english and "2 seats left" in english
    assert "Enrolment opens on" in english


def test_an_editions_sessions_are_named_as_training_days_in_danish(django_app, make_edition):
    """The word "Sessions" names a training's days, a group's meetings, a case's talks and her login sessions: in
    Danish four words, each heading asking for its own."""
    edition = make_edition()
    page = django_app.get("/da" + reverse("trainings:edition_detail", args=[edition.pk]))
    headings = [h2.get_text(strip=True) for h2 in page.html.select("main h2")]
    assert "Kursusgange" in headings, headings
    assert "Samtaler" not in headings
