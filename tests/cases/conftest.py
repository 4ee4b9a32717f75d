import datetime as dt

import pytest

from accounts.enums import Role
from cases import services
from cases.enums import RISK_QUESTIONS, CaseOutcome, InstitutionKind
from cases.models import Institution
from core import dates
from counseling.enums import SessionKind
from counseling.models import Client, CounselorProfile


@pytest.fixture(autouse=True)
def _valid_encryption_key(settings):
    # Case work writes encrypted text in almost every test: use a key known to be a valid Fernet key.
    settings.FIELD_ENCRYPTION_KEYS = ["aGF2ZW4tZGV2ZWxvcG1lbnQta2V5LW5vdC1wcm9kISE="]


@pytest.fixture
def second_browser(django_app):
    """Another person's browser at the same time: its own cookies, the same test settings."""
    from django_webtest import DjangoTestApp

    return DjangoTestApp()


@pytest.fixture
def make_profile():
    def _make(user):
        profile, _created = CounselorProfile.objects.get_or_create(
            user=user, defaults={"trained_for_violence": True, "session_kinds": [SessionKind.CASE_BASED]}
        )
        return profile

    return _make


@pytest.fixture
def make_case(make_user, make_profile):
    """make_case(lead=None, opened_on=None) -> an open case with its own client and lead counselor."""
    counter = {"n": 0}

    def _make(lead=None, *, opened_on=None, **kwargs):
        counter["n"] += 1
        lead = lead or make_user(Role.COUNSELOR)
        profile = make_profile(lead)
        client = Client.objects.create(alias=f"Klijentkinja {counter['n']}", code=f"T-{counter['n']:04d}")
        client.counselors.add(profile)
        return services.case_open(
            client=client,
            lead_counselor=profile,
            opened_on=opened_on or dates.today() - dt.timedelta(days=30),
            by=lead,
            **kwargs,
        )

    return _make


@pytest.fixture
def case(make_case, counselor):
    return make_case(counselor)


@pytest.fixture
def close(counselor):
    """close(case) closes it as its lead counselor would, with an outcome and a reason."""

    def _close(case, *, by=None, closed_on=None):
        return services.case_close(
            case=case,
            closed_on=closed_on or dates.today(),
            outcome=CaseOutcome.GOALS_MET,
            reason="Ciljevi su postignuti.",
            by=by or case.lead_counselor.user,
        )

    return _close


@pytest.fixture
def outsider(make_user):
    """A counselor with cases of her own, but not this one."""
    return make_user(Role.COUNSELOR)


@pytest.fixture
def csw(db):
    return Institution.objects.create(name="Centar za socijalni rad Test", kind=InstitutionKind.SOCIAL_WORK_CENTRE)


@pytest.fixture
def police(db):
    return Institution.objects.create(name="Policijska stanica Test", kind=InstitutionKind.POLICE)


def answers(yes=()):
    return {q.code: q.code in set(yes) for q in RISK_QUESTIONS}


def risk_post(yes=(), *, assessed_on=None, notes=""):
    data = {"assessed_on": (assessed_on or dates.today()).isoformat(), "notes": notes}
    for q in RISK_QUESTIONS:
        data[f"q_{q.code}"] = "yes" if q.code in set(yes) else "no"
    return data


HIGH_YES = [q.code for q in RISK_QUESTIONS][:14]
