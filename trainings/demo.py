"""Demo data: three programmes, past and upcoming editions, one full with a waitlist, and the catalogue page."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import demo_user
from accounts.enums import OrganisationType, Role
from core import dates
from core.enums import AttendanceStatus
from trainings.enums import CompletionRule, EditionStatus, EnrollmentStatus
from trainings.models import (
    Edition,
    Enrollment,
    TrainingAttendance,
    TrainingCataloguePage,
    TrainingProgramme,
    TrainingSession,
)

PROGRAMMES = [
    {
        "title": "Domestic violence and its consequences for child witnesses",
        "summary": "How witnessing violence at home affects children, and how the non-violent parent's capacities "
        "can be assessed and strengthened.",
        "topics": "Dynamics of partner violence\nChildren as witnesses\nParental capacities of the non-violent parent\n"
        "Cooperation between centres for social work and NGOs",
        "target_professions": "Social workers, psychologists, teachers",
        "hours": Decimal("16.0"),
        "completion_rule": CompletionRule.MIN_SHARE,
        "min_attendance_percent": 80,
    },
    {
        "title": "Skills for working with victims of violence",
        "summary": "First contact, risk assessment and safety planning with women who survived violence.",
        "topics": "First contact and disclosure\nRisk assessment\nSafety planning\nReferral pathways",
        "target_professions": "NGO staff, police officers, health workers",
        "hours": Decimal("8.0"),
        "completion_rule": CompletionRule.ALL_SESSIONS,
        "min_attendance_percent": 100,
    },
    {
        "title": "Multi-agency case conferences",
        "summary": "Preparing and running a case conference with the survivor's consent at the centre.",
        "topics": "Consent and confidentiality\nRoles of agencies\nAction plans",
        "target_professions": "Case managers, coordinators",
        "hours": Decimal("6.0"),
        "completion_rule": CompletionRule.MIN_SHARE,
        "min_attendance_percent": 75,
    },
]

# email, full name, organisation, its type (one left blank, as some trainees leave it), job title
TRAINEES = [
    (
        "jovana.markovic@example.org",
        "Jovana Marković",
        "Centre for Social Work Pančevo",
        OrganisationType.SOCIAL_WORK,
        "Psychologist",
    ),
    (
        "nikola.stojic@example.org",
        "Nikola Stojić",
        "Police Directorate Novi Sad",
        OrganisationType.POLICE,
        "Police inspector",
    ),
    ("mette.sorensen@example.org", "Mette Sørensen", "Krisecenter Århus", OrganisationType.NGO, "Social worker"),
    ("dusica.zivkovic@example.org", "Dušica Živković", "Health Centre Kikinda", OrganisationType.HEALTH, "Nurse"),
    ("frederikke.aaberg@example.org", "Frederikke Åberg", "Kvindehuset Odense", "", "Counsellor"),
    (
        "tamara.cosic@example.org",
        "Tamara Ćosić",
        "Centre for Social Work Zrenjanin",
        OrganisationType.SOCIAL_WORK,
        "Social worker",
    ),
]


def _aware(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _edition(programme, *, start, days, municipality, venue, capacity, trainer, status=EditionStatus.OPEN):
    edition, created = Edition.objects.get_or_create(
        programme=programme,
        start_date=start,
        defaults={
            "end_date": start + timedelta(days=days - 1),
            "venue": venue,
            "municipality": municipality,
            "capacity": capacity,
            "enrolment_opens": _aware(start - timedelta(days=60), 8),
            "enrolment_closes": _aware(start - timedelta(days=2), 23),
            "language": "sr-latn",
            "status": status,
            "self_check_in": True,
        },
    )
    if created:
        hours_per_day = int(programme.hours / days)
        for offset in range(days):
            day = start + timedelta(days=offset)
            TrainingSession.objects.create(edition=edition, start=_aware(day, 9), end=_aware(day, 9 + hours_per_day))
        edition.trainers.add(trainer)
    return edition


def load(*, users, stdout=None):
    today = dates.today()
    trainer = users[Role.TRAINER]
    trainee = users[Role.TRAINEE]
    people = [trainee] + [
        demo_user(
            email=email,
            role=Role.TRAINEE,
            full_name=name,
            organisation=org,
            organisation_type=org_type,
            job_title=job,
        )
        for email, name, org, org_type, job in TRAINEES
    ]
    programmes = [TrainingProgramme.objects.get_or_create(title=p["title"], defaults=p)[0] for p in PROGRAMMES]
    child, skills, conferences = programmes

    past = _edition(
        child,
        start=today - timedelta(days=40),
        days=2,
        municipality="Novi Sad",
        venue="Haven Women's Centre",
        capacity=12,
        trainer=trainer,
    )
    upcoming_child = _edition(
        child,
        start=today + timedelta(days=21),
        days=2,
        municipality="Zrenjanin",
        venue="Cultural Centre",
        capacity=15,
        trainer=trainer,
    )
    full = _edition(
        skills,
        start=today + timedelta(days=14),
        days=1,
        municipality="Pančevo",
        venue="City Library",
        capacity=4,
        trainer=trainer,
    )
    _edition(
        conferences,
        start=today + timedelta(days=35),
        days=1,
        municipality="Kikinda",
        venue="",
        capacity=20,
        trainer=trainer,
    )
    # Past edition: attended and closed, so the trainee sees a completed training with its reason.
    for person in people[:4]:
        enrollment, created = Enrollment.objects.get_or_create(
            edition=past, user=person, defaults={"status": EnrollmentStatus.ENROLLED}
        )
        if created:
            for index, session in enumerate(past.sessions.all()):
                present = person != people[3] or index == 0
                TrainingAttendance.objects.create(
                    session=session,
                    enrollment=enrollment,
                    status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                    recorded_by=trainer,
                )
    if past.status != EditionStatus.CLOSED:
        from trainings.services import edition_close

        edition_close(edition=past, by=users.get(Role.COORDINATOR, trainer))
    # The full edition: four seats taken, three on the waitlist.
    for index, person in enumerate(people[1:]):
        status = EnrollmentStatus.ENROLLED if index < full.capacity else EnrollmentStatus.WAITLISTED
        Enrollment.objects.get_or_create(edition=full, user=person, defaults={"status": status})
    Enrollment.objects.get_or_create(
        edition=upcoming_child, user=trainee, defaults={"status": EnrollmentStatus.ENROLLED}
    )

    _catalogue_page()
    if stdout:
        stdout.write(f"    {len(programmes)} training programmes, {Edition.objects.count()} editions")


CATALOGUE_TEXT = {
    "en": ("Trainings", "Accredited trainings for staff of NGOs, centres for social work and other institutions."),
    "da": (
        "Kurser",
        "Akkrediterede kurser for ansatte i NGO'er, kommunale socialcentre og andre institutioner.",
    ),
    "sr-latn": (
        "Obuke",
        "Akreditovane obuke za zaposlene u organizacijama civilnog društva, centrima za socijalni rad i drugim "
        "ustanovama.",
    ),
}


def _catalogue_page():
    """The catalogue page under the home page of every language the site has: /da/ and /sr-latn/ visitors
    get the catalogue in their language, never a redirect to the English one."""
    from django.conf import settings
    from wagtail.models import Locale, Page

    default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    home = Page.objects.filter(depth=2, locale=default).first() if default else Page.objects.filter(depth=2).first()
    if home is None:
        return
    page = TrainingCataloguePage.objects.filter(locale=home.locale).first()
    if page is None:
        title, introduction = CATALOGUE_TEXT.get(home.locale.language_code, CATALOGUE_TEXT["en"])
        page = TrainingCataloguePage(title=title, slug="trainings-catalogue", introduction=introduction)
        home.add_child(instance=page)
        page.save_revision().publish()
    for locale in Locale.objects.exclude(pk=home.locale_id):
        if page.get_translation_or_none(locale) is not None or home.get_translation_or_none(locale) is None:
            continue  # already there, or no home page in that language to hang it under
        title, introduction = CATALOGUE_TEXT.get(locale.language_code, CATALOGUE_TEXT["en"])
        translation = page.copy_for_translation(locale).specific
        translation.title, translation.introduction = title, introduction
        translation.save()
        translation.save_revision().publish()
