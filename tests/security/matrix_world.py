"""The world the permission matrix is checked in: the demo data plus two outsiders.

"this cohort" is a cohort of the demo facilitator, "this client" a client of the demo counselor; the
outsiders hold the same roles but none of those objects.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.enums import Role
from accounts.roles import has_role

ROLES = [
    "anonymous",
    "trainee",
    "facilitator_this",
    "facilitator_other",
    "counselor_this",
    "counselor_other",
    "trainer",
    "project_manager",
    "coordinator",
]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def _demo_user(role):
    users = get_user_model().objects.filter(email__endswith="@example.org").order_by("pk")  # stable on PostgreSQL
    return next(u for u in users if has_role(u, role))


def _first(queryset, what):
    obj = queryset.first()
    assert obj is not None, f"the demo data has no {what}: the permission matrix needs one"
    return obj


def world_build(make_user) -> World:
    from wagtail.documents.models import Document

    from cases.enums import ActionArea, ConsentForm, CtiArea, CtiPhase, InstitutionKind, StepOwner
    from cases.models import (
        ActionPlan,
        ActionStep,
        Case,
        CaseConference,
        ConsentRecord,
        CtiCourse,
        CtiGoal,
        FollowUpAction,
        Institution,
        Referral,
    )
    from certificates.models import Certificate
    from counseling.models import Booking, Client, CounselorProfile, IntakeRequest
    from groups.models import Cohort, GroupSession
    from reporting.models import DonorProject, ReportingPeriod, ResultIndicator
    from trainings.models import Edition, Enrollment, TrainingSession
    from website.services import calendar_feed_get_or_create

    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())

    world = World()
    world.users = {
        "anonymous": None,
        "trainee": _demo_user(Role.TRAINEE),
        "facilitator_this": _demo_user(Role.FACILITATOR),
        "facilitator_other": make_user(Role.FACILITATOR, email="other.facilitator@example.net"),
        "counselor_this": _demo_user(Role.COUNSELOR),
        "counselor_other": make_user(Role.COUNSELOR, email="other.counselor@example.net"),
        "trainer": _demo_user(Role.TRAINER),
        "project_manager": _demo_user(Role.PROJECT_MANAGER),
        "coordinator": _demo_user(Role.COORDINATOR),
    }
    CounselorProfile.objects.get_or_create(
        user=world.users["counselor_other"], defaults={"session_kinds": ["experiential", "case_based"]}
    )
    facilitator = world.users["facilitator_this"]
    counselor = world.users["counselor_this"]
    trainee = world.users["trainee"]
    trainer = world.users["trainer"]

    cohort = _first(Cohort.objects.filter(facilitators=facilitator), "cohort of the facilitator")
    case = _first(Case.objects.filter(lead_counselor__user=counselor), "case of the counselor")
    edition = _first(Edition.objects.filter(trainers=trainer), "edition of the trainer")
    enrollment = _first(Enrollment.objects.filter(user=trainee), "enrolment of the trainee")
    project = _first(DonorProject.objects.filter(managers=world.users["project_manager"]), "managed project")
    intake = IntakeRequest.objects.first() or IntakeRequest.objects.create(
        alias="Intake", preferred_language="en", safe_contact="x"
    )
    document = Document.objects.first() or Document.objects.create(title="Leaflet", file="documents/leaflet.pdf")
    institution = Institution.objects.first() or Institution.objects.create(
        name="Centre for Social Work Novi Sad", kind=InstitutionKind.SOCIAL_WORK_CENTRE
    )
    today = timezone.localdate()
    step = ActionStep.objects.filter(plan__case=case).first() or ActionStep.objects.create(
        plan=ActionPlan.objects.get_or_create(case=case)[0],
        area=ActionArea.SUBSIDIES,
        description="Apply for child benefit",
        owner=StepOwner.CLIENT,
    )
    consent = ConsentRecord.objects.filter(case=case).first() or ConsentRecord.objects.create(
        case=case,
        recipient=institution,
        purpose="Housing application",
        given_how=ConsentForm.WRITTEN,
        valid_from=today,
        valid_until=today + timedelta(days=180),
    )
    referral = Referral.objects.filter(case=case).first() or Referral.objects.create(
        case=case, institution=institution, reason="Legal aid", sent_on=today
    )
    course = CtiCourse.objects.filter(case=case).first() or CtiCourse.objects.create(case=case, start_on=today)
    cti_goal = CtiGoal.objects.filter(course=course).first() or CtiGoal.objects.create(
        course=course, phase=CtiPhase.TRANSITION, area=CtiArea.HOUSING
    )
    conference = CaseConference.objects.filter(case=case).first() or CaseConference.objects.create(
        case=case, held_at=timezone.now() + timedelta(days=3)
    )
    follow_up = FollowUpAction.objects.filter(conference=conference).first() or FollowUpAction.objects.create(
        conference=conference, description="Call the school", institution=institution, due_on=today
    )
    world.objects = {
        "cohort": cohort,
        "group_session": _first(GroupSession.objects.filter(cohort=cohort), "session of the cohort"),
        "client": _first(Client.objects.filter(counselors__user=counselor), "client of the counselor"),
        "booking": _first(Booking.objects.filter(counselor__user=counselor), "booking of the counselor"),
        "intake": intake,
        "case": case,
        "step": step,
        "consent": consent,
        "referral": referral,
        "cti_goal": cti_goal,
        "conference": conference,
        "follow_up": follow_up,
        "edition": edition,
        "training_session": _first(TrainingSession.objects.filter(edition=edition), "training session"),
        "enrollment": enrollment,
        "certificate": _first(Certificate.objects.filter(enrollment__user=trainee), "certificate of the trainee"),
        "project": project,
        "period": _first(ReportingPeriod.objects.filter(project=project), "reporting period"),
        "indicator": _first(ResultIndicator.objects.filter(result__project=project), "result indicator"),
        "feed": calendar_feed_get_or_create(user=counselor),
        "document": document,
    }
    return world
