"""Case work pages with a realistic amount of data: the case list, a case, its action plan and history,
the plan as on a date, and the coordinator's CTI dashboard."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.middleware import SESSION_MFA_OK
from accounts.roles import role_grant
from cases import services
from cases.enums import RISK_QUESTIONS, ActionArea, StepOwner, StepStatus
from cases.models import Case
from counseling.models import Client as CounselingClient
from counseling.models import CounselorProfile

CASES = 60
STEPS = 40


def _user(email, role):
    user, _created = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
    role_grant(user=user, role=role)
    return user


def _data():
    counselor = _user("bench-cases-counselor@example.org", Role.COUNSELOR)
    coordinator = _user("bench-cases-coordinator@example.org", Role.COORDINATOR)
    profile, _created = CounselorProfile.objects.get_or_create(user=counselor, defaults={"trained_for_violence": True})
    today = timezone.localdate()
    if not Case.objects.filter(lead_counselor=profile).exists():
        for index in range(CASES):
            client = CounselingClient.objects.create(alias=f"Bench {index}", code=f"BENCH-CASE-{index:04d}")
            case = services.case_open(
                client=client, lead_counselor=profile, opened_on=today - dt.timedelta(days=200), by=counselor
            )
            answers = {q.code: (i + index) % 3 == 0 for i, q in enumerate(RISK_QUESTIONS)}
            services.risk_assessment_record(case=case, assessed_on=today, answers=answers, by=counselor)
            services.cti_course_save(case=case, start_on=today - dt.timedelta(days=index * 4), by=counselor)
        case = Case.objects.filter(lead_counselor=profile).order_by("pk").first()
        for index in range(STEPS):
            services.action_step_add(
                case=case,
                expected_version=index,
                by=counselor,
                area=ActionArea.EMPLOYMENT,
                description=f"Korak {index}",
                owner=StepOwner.CLIENT,
                owner_institution=None,
                due_on=today + dt.timedelta(days=index),
                status=StepStatus.PLANNED,
            )
    case = Case.objects.filter(lead_counselor=profile).order_by("pk").first()
    return counselor, coordinator, case


def _logged_in(user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    # As after a completed second-factor login: the MFA middleware still runs, it just lets her through.
    session = client.session
    session[SESSION_MFA_OK] = True
    session.save()
    return client


def run(measure):
    counselor, coordinator, case = _data()
    as_counselor = _logged_in(counselor)
    as_coordinator = _logged_in(coordinator)
    today = timezone.localdate().isoformat()

    def get(client, url):
        def _get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.get("Location"))

        return _get

    dashboard_url = reverse("cases:cti_dashboard")
    plan_url = reverse("cases:action_plan", args=[case.pk])
    history_url = reverse("cases:action_plan_history", args=[case.pk])
    return [
        measure(f"cases: case list ({CASES} cases)", get(as_counselor, reverse("cases:case_list")), runs=10),
        measure("cases: case detail", get(as_counselor, reverse("cases:case_detail", args=[case.pk])), runs=10),
        measure(f"cases: action plan ({STEPS} steps)", get(as_counselor, plan_url), runs=10),
        measure(
            f"cases: action plan as on a date ({STEPS} steps)", get(as_counselor, plan_url + f"?on={today}"), runs=10
        ),
        measure("cases: action plan history", get(as_counselor, history_url), runs=10),
        measure(f"cases: CTI dashboard ({CASES} courses)", get(as_coordinator, dashboard_url), runs=10),
    ]
