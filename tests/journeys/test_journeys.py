"""Each role's daily journey, walked through the real screens at a phone's and a laptop's size.

On every main screen: no serious or critical axe-core finding, no header control covered by another, nothing
wider than a phone's screen. A screenshot named journey-<journey>-<size>-<step>.png goes to test-artifacts/
for a reviewer to look at: the failing screen's, or every screen's with HAVEN_TEST_SCREENSHOTS=1. Each walk
starts from one address (the login page, the catalogue, the home page) and goes on by the links she clicks.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from accounts.enums import Role
from core import dates
from tests.axe import axe_in_every_document, axe_problems
from tests.helpers import accreditation_of, donor_project_with_quarters
from tests.journeys.conftest import log_in, overlapping_header_controls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ["phone", "laptop"]
LANGUAGES = ["en", "da", "sr-latn"]
PUBLIC_SERVICES = [
    "trainings:catalogue",
    "counseling:intake",
    "counseling:intake_done",
    "certificates:verify_serial",
    "certificates:register",
]


@pytest.fixture
def open_page(journey_page):
    """open_page(size) -> a page at that size, with axe-core loaded into every document it opens."""

    def _open(size):
        page = journey_page(size)
        axe_in_every_document(page.context)
        return page

    return _open


@pytest.fixture
def check(screenshot):
    """check(page, journey, size, step): the screen is named for its screenshot first (kept when the test
    fails, this screen's if a check of it fails), then no serious or critical axe finding, no header control
    covered by another and, on a phone, no sideways scrolling."""

    def _check(page, journey, size, step):
        page.wait_for_load_state()
        screenshot(page, f"journey-{journey}-{size}-{step}")
        problems = axe_problems(page, nodes=3)
        assert not problems, f"{step}: {problems}"
        overlaps = overlapping_header_controls(page)
        assert not overlaps, f"{step}: {overlaps}"
        if size == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{step}: the page is {overflow}px wider than the phone"

    return _check


def _main_nav(page):
    return page.get_by_role("navigation", name="Main")


# Set-up: what each journey needs, made with the models and services, not with the screens it tests. -----


def _group_with_a_session_today(facilitator):
    from groups.enums import CohortStatus
    from groups.models import Cohort, GroupProgramme, GroupSession, Member, Membership

    today = dates.today()
    programme = GroupProgramme.objects.create(name="Majke zajedno", usual_session_count=12)
    cohort = Cohort.objects.create(
        programme=programme,
        name="Novi Sad proleće",
        start_date=today - timedelta(days=120),
        capacity=20,
        status=CohortStatus.RUNNING,
    )
    cohort.facilitators.add(facilitator)
    for n in range(1, 5):
        member = Member.objects.create(alias=f"Alias {n:02d}", code=f"J-{n}", children_count=1)
        Membership.objects.create(cohort=cohort, member=member, joined_on=cohort.start_date)
    # Started a few minutes ago, and always today (a run just after midnight starts it at midnight).
    start = max(dates.now() - timedelta(minutes=5), dates.start_of_day(today))
    GroupSession.objects.create(cohort=cohort, start=start, end=start + timedelta(minutes=90), topic="Granice")
    return cohort


def _open_edition(title="Child witnesses of domestic violence"):
    """An open edition tomorrow, one 8-hour session."""
    from trainings.enums import EditionStatus
    from trainings.models import Edition, TrainingProgramme, TrainingSession

    now = dates.now()
    tomorrow = dates.local_date(now + timedelta(days=1))
    programme = TrainingProgramme.objects.create(title=title, hours=Decimal("8.0"))
    edition = Edition.objects.create(
        programme=programme,
        start_date=tomorrow,
        end_date=tomorrow,
        venue="Cultural Centre",
        municipality="Zrenjanin",
        capacity=10,
        enrolment_opens=now - timedelta(days=10),
        enrolment_closes=now + timedelta(hours=6),
        status=EditionStatus.OPEN,
    )
    start = dates.start_of_day(tomorrow) + timedelta(hours=9)
    TrainingSession.objects.create(edition=edition, start=start, end=start + timedelta(hours=8), title="Day 1")
    return edition


def _accreditation(programme):
    return accreditation_of(programme)


def _held_and_closed(edition, *, by):
    """The edition's session took place (she was there), the edition is closed, her certificate is issued."""
    from certificates.services import certificate_ensure
    from core.enums import AttendanceStatus
    from trainings.models import Edition, TrainingAttendance
    from trainings.services import edition_close

    held = dates.now() - timedelta(hours=9)
    edition.sessions.update(start=held, end=held + timedelta(hours=8))
    Edition.objects.filter(pk=edition.pk).update(start_date=dates.local_date(held), end_date=dates.local_date(held))
    session = edition.sessions.get()
    for enrollment in edition.enrollments.all():
        TrainingAttendance.objects.create(session=session, enrollment=enrollment, status=AttendanceStatus.PRESENT)
    edition_close(edition=Edition.objects.get(pk=edition.pk), by=by)
    return [certificate_ensure(enrollment=enrollment) for enrollment in edition.enrollments.all()]


def _certificate_of_someone(make_user):
    """The certificate of a training held yesterday or today: what a visitor checks."""
    from trainings.enums import EnrollmentStatus
    from trainings.models import Enrollment

    edition = _open_edition(title="Risk assessment in partner violence")
    _accreditation(edition.programme)
    holder = make_user(Role.TRAINEE, full_name="Dušica Živković")
    Enrollment.objects.create(edition=edition, user=holder, status=EnrollmentStatus.ENROLLED)
    [certificate] = _held_and_closed(edition, by=make_user(Role.COORDINATOR))
    return certificate


def _project_with_a_period(project_manager):
    from core.enums import AttendanceStatus
    from groups.models import Attendance, Cohort, GroupProgramme, GroupSession, Member, Membership
    from reporting.models import Indicator

    project = donor_project_with_quarters(managers=[project_manager])
    Indicator.objects.create(project=project, code="women_in_groups", target=Decimal(40))
    cohort = Cohort.objects.create(
        programme=GroupProgramme.objects.create(name="Self-support"),
        name="Novi Sad Wednesday",
        start_date=date(2022, 4, 5),
        project=project,
    )
    members = [Member.objects.create(alias=f"M{n}", code=f"C{n}") for n in range(12)]
    for member in members:
        Membership.objects.create(cohort=cohort, member=member, joined_on=cohort.start_date)
    for day in (date(2022, 4, 5), date(2022, 5, 10)):
        start = dates.start_of_day(day) + timedelta(hours=10)
        session = GroupSession.objects.create(cohort=cohort, start=start, end=start + timedelta(hours=2))
        Attendance.objects.bulk_create(
            Attendance(session=session, member=m, status=AttendanceStatus.PRESENT) for m in members
        )
    return project


def _caseload(counselor):
    """Her profile, a client with an open case, and a booking with that client today."""
    from cases import services as cases
    from counseling.enums import BookingStatus, SessionKind
    from counseling.models import Booking, Client, CounselorProfile, Room

    profile = CounselorProfile.objects.create(
        user=counselor, trained_for_violence=True, session_kinds=[SessionKind.CASE_BASED]
    )
    client = Client.objects.create(alias="Jasmina", code="T-0001")
    client.counselors.add(profile)
    case = cases.case_open(
        client=client, lead_counselor=profile, opened_on=dates.today() - timedelta(days=30), by=counselor
    )
    start = dates.start_of_day(dates.today()) + timedelta(hours=10)
    Booking.objects.create(
        counselor=profile,
        client=client,
        room=Room.objects.create(name="Soba 1", location="Prizemlje"),
        start=start,
        end=start + timedelta(hours=1),
        kind=SessionKind.CASE_BASED,
        status=BookingStatus.CONFIRMED,
    )
    return case


# The journeys. -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_facilitator_takes_todays_attendance(open_page, live_server, facilitator, check, size):
    from core.enums import AttendanceStatus
    from groups.models import Attendance

    cohort = _group_with_a_session_today(facilitator)
    page = open_page(size)

    log_in(page, live_server.url, facilitator)
    today = page.locator(".today-card")
    expect(today).to_contain_text(cohort.name)
    check(page, "facilitator", size, "1-my-page")

    today.get_by_role("link", name="Take attendance").click()
    expect(page.get_by_role("heading", name="Attendance", exact=True)).to_be_visible()
    check(page, "facilitator", size, "2-attendance")

    page.get_by_role("button", name="Mark everyone not marked yet as present").click()
    expect(page.get_by_role("radio", name="Present", exact=True).first).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    check(page, "facilitator", size, "3-saved")
    assert list(Attendance.objects.values_list("status", flat=True)) == [AttendanceStatus.PRESENT] * 4


@pytest.mark.parametrize("size", SIZES)
def test_trainee_from_sign_up_to_certificate(open_page, live_server, make_user, check, size):
    from trainings.enums import EnrollmentStatus
    from trainings.models import Enrollment

    edition = _open_edition()
    _accreditation(edition.programme)
    email = f"tijana-{size}@example.org"
    page = open_page(size)

    page.goto(live_server.url + reverse("trainings:catalogue"))
    expect(page.get_by_role("heading", name=edition.programme.title)).to_be_visible()
    check(page, "trainee", size, "1-catalogue")

    page.get_by_role("link", name="Enrol").first.click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.locator("input[name=password1]")).to_be_visible()
    check(page, "trainee", size, "2-sign-up")

    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "a-long-journey-pass")
    page.fill("input[name=password2]", "a-long-journey-pass")
    page.fill("input[name=full_name]", "Tijana Ćirić")
    page.fill("input[name=organisation]", "Centre for Social Work Pančevo")
    page.fill("input[name=job_title]", "Social worker")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    check(page, "trainee", size, "3-check-your-email")

    # She opens the link of the email she was sent.
    body = next(m.body for m in reversed(mail.outbox) if "/confirm-email/" in m.body and email in m.to)
    page.goto(re.search(r"https?://\S+/confirm-email/\S+", body).group(0))
    check(page, "trainee", size, "4-confirm-email")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if reverse("account_login") in page.url:  # signed in by the confirmation, or asked to sign in once
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", "a-long-journey-pass")
        page.locator("main form button[type=submit]").click()
    page.wait_for_url("**" + reverse("trainings:enrol", args=[edition.pk]))
    check(page, "trainee", size, "5-enrol")

    page.get_by_role("button", name="Enrol").click()
    page.wait_for_url("**" + reverse("trainings:dashboard"))
    expect(page.get_by_text("You are enrolled").first).to_be_visible()
    check(page, "trainee", size, "6-my-trainings")
    assert Enrollment.objects.get(user__email=email).status == EnrollmentStatus.ENROLLED

    # The training takes place, the edition is closed and her certificate issued.
    [certificate] = _held_and_closed(edition, by=make_user(Role.COORDINATOR))

    _main_nav(page).get_by_role("link", name="My page").click()
    link = page.get_by_role("link", name=f"Download certificate {certificate.serial} (PDF)")
    expect(link).to_be_visible()
    check(page, "trainee", size, "7-my-page-with-certificate")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@pytest.mark.parametrize("size", SIZES)
def test_project_manager_reads_a_donor_report(open_page, live_server, project_manager, check, size):
    project = _project_with_a_period(project_manager)
    page = open_page(size)

    log_in(page, live_server.url, project_manager)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, "project-manager", size, "1-my-page")

    _main_nav(page).get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Donor reports")).to_be_visible()
    check(page, "project-manager", size, "2-reports")

    page.get_by_role("link", name=project.title, exact=True).click()
    expect(page.get_by_role("heading", name=project.title)).to_be_visible()
    check(page, "project-manager", size, "3-project")

    page.get_by_role("link", name="Q2 2022", exact=True).click()
    expect(page.get_by_role("heading", name="Donor report: Q2 2022")).to_be_visible()
    expect(page.get_by_text("30.0 % of the target (12 of 40)").first).to_be_visible()
    check(page, "project-manager", size, "4-donor-report")


@pytest.mark.parametrize("size", SIZES)
def test_counselor_goes_from_her_week_to_a_case(open_page, live_server, counselor, check, size):
    case = _caseload(counselor)
    client = case.client
    page = open_page(size)

    log_in(page, live_server.url, counselor)
    expect(page.get_by_text(client.alias).first).to_be_visible()  # today's session, on her page
    check(page, "counselor", size, "1-my-page")

    _main_nav(page).get_by_role("link", name="My bookings").click()
    page.get_by_role("link", name="Week view").click()
    expect(page.locator("li.week-day-today").get_by_role("link", name=client.alias)).to_be_visible()
    check(page, "counselor", size, "2-week")

    _main_nav(page).get_by_role("link", name="My page").click()
    page.get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    check(page, "counselor", size, "3-caseload")

    page.get_by_role("link", name=f"{client.alias} ({client.code})").first.click()
    expect(page.get_by_role("heading", name=f"Case of {client.alias} ({client.code})")).to_be_visible()
    check(page, "counselor", size, "4-case")


@pytest.mark.parametrize("size", SIZES)
def test_public_visitor_in_each_language(open_page, live_server, demo_site, make_user, check, size):
    """Home, the trainings, asking for a conversation, verifying a certificate and the accreditation register,
    in English, Danish and Serbian: each page in her language, reached by the services' links in the header."""
    from counseling.models import IntakeRequest

    _open_edition()
    certificate = _certificate_of_someone(make_user)
    page = open_page(size)
    html = page.locator("html")

    for n, language in enumerate(LANGUAGES, start=1):
        journey = f"visitor-{language}"
        with translation.override(language):
            home = "/" if language == "en" else f"/{language}/"
            address = {name: reverse(name) for name in PUBLIC_SERVICES}

        def go_to(name, language=language, address=address):
            page.locator(f".service-nav a[href='{address[name]}']").click()
            page.wait_for_url(f"**{address[name]}")
            expect(html).to_have_attribute("lang", language)
            expect(page.get_by_role("heading", level=1)).to_be_visible()

        page.goto(live_server.url + home)
        expect(html).to_have_attribute("lang", language)
        check(page, journey, size, "1-home")

        go_to("trainings:catalogue")
        expect(page.locator(".edition-card").first).to_be_visible()
        check(page, journey, size, "2-trainings")

        go_to("counseling:intake")
        check(page, journey, size, "3-ask-for-a-conversation")
        page.fill("input[name=alias]", "Vesna")
        page.fill("textarea[name=safe_contact]", "SMS to 060 123 4567, no voice messages")
        page.locator("main form:has(input[name=alias]) button[type=submit]").click()
        page.wait_for_url(f"**{address['counseling:intake_done']}")
        expect(html).to_have_attribute("lang", language)
        check(page, journey, size, "4-conversation-asked")
        assert IntakeRequest.objects.count() == n

        go_to("certificates:verify_serial")
        check(page, journey, size, "5-verify")
        page.fill("input[name=code]", certificate.verification_code)
        page.locator("#verify-form button[type=submit]").click()
        expect(page.locator(".certificate-state-valid")).to_be_visible()
        expect(page.get_by_text(certificate.serial).first).to_be_visible()
        expect(html).to_have_attribute("lang", language)
        check(page, journey, size, "6-verified")

        go_to("certificates:register")
        expect(page.get_by_text("153-02-00042/2025").first).to_be_visible()
        check(page, journey, size, "7-register")
