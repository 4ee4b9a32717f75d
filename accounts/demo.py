"""Demo logins, one per role. Every app's demo.load() receives them as `users` (role -> User)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, make_password

from accounts.enums import OrganisationType, Role
from accounts.roles import role_grant
from accounts.services import profile_save

DEMO_PASSWORD = "demo"  # noqa: S105 - demo logins only; load_demo refuses to run with DEBUG off

DEMO_USERS = [
    # email, role, full name, organisation, its type, job title, municipality
    (
        "coordinator@example.org",
        Role.COORDINATOR,
        "Milica Jovanović",
        "Haven Women's Centre",
        OrganisationType.NGO,
        "Programme coordinator",
        "Novi Sad",
    ),
    (
        "facilitator@example.org",
        Role.FACILITATOR,
        "Jelena Petrović",
        "Haven Women's Centre",
        OrganisationType.NGO,
        "Group facilitator",
        "Novi Sad",
    ),
    (
        "counselor@example.org",
        Role.COUNSELOR,
        "Ana Đorđević",
        "Haven Women's Centre",
        OrganisationType.NGO,
        "Counselor",
        "Novi Sad",
    ),
    (
        "trainer@example.org",
        Role.TRAINER,
        "Sofie Østergaard",
        "Haven Women's Centre",
        OrganisationType.NGO,
        "Trainer",
        "Novi Sad",
    ),
    (
        "manager@example.org",
        Role.PROJECT_MANAGER,
        "Dragana Čolić",
        "Haven Women's Centre",
        OrganisationType.NGO,
        "Project manager",
        "Novi Sad",
    ),
    (
        "trainee@example.org",
        Role.TRAINEE,
        "Maja Šćekić",
        "Centre for Social Work Zrenjanin",
        OrganisationType.SOCIAL_WORK,
        "Social worker",
        "Zrenjanin",
    ),
]


_hashed: dict[str, str] = {}


def _demo_password_hash() -> str:
    """The demo password hashed once per process and hasher: every demo login has the same, printed password,
    and hashing it at the production work factor (over half a second) for each of them was half of `make run`'s
    demo load."""
    algorithm = get_hasher().algorithm
    if algorithm not in _hashed:
        _hashed[algorithm] = make_password(DEMO_PASSWORD)
    return _hashed[algorithm]


def demo_user(
    *, email, role, full_name, organisation="", organisation_type="", job_title="", municipality="", language="en"
):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=email, defaults={"email": email})
    if created:
        user.password = _demo_password_hash()
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    profile_save(
        user=user,
        full_name=full_name,
        organisation=organisation,
        organisation_type=organisation_type,
        job_title=job_title,
        municipality=municipality,
        preferred_language=language,
    )
    role_grant(user=user, role=role)
    return user


def load(*, users, stdout=None):
    for email, role, full_name, organisation, organisation_type, job_title, municipality in DEMO_USERS:
        users[role] = demo_user(
            email=email,
            role=role,
            full_name=full_name,
            organisation=organisation,
            organisation_type=organisation_type,
            job_title=job_title,
            municipality=municipality,
        )
