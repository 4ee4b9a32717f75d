from django.conf import settings
from django.db import transaction

from accounts.enums import Role
from accounts.models import Profile
from accounts.roles import role_grant


@transaction.atomic
def profile_save(
    *,
    user,
    full_name,
    organisation="",
    organisation_type="",
    job_title="",
    municipality="",
    preferred_language="en",
):
    profile, _created = Profile.objects.update_or_create(
        user=user,
        defaults={
            "full_name": full_name.strip(),
            "organisation": organisation.strip(),
            "organisation_type": organisation_type,
            "job_title": job_title.strip(),
            "municipality": municipality.strip(),
            "preferred_language": preferred_language,
        },
    )
    return profile


@transaction.atomic
def trainee_sign_up(
    *, user, full_name, organisation, job_title, organisation_type="", municipality="", preferred_language="en"
):
    """Self sign-up makes a trainee: other roles are only ever given by a coordinator."""
    profile = profile_save(
        user=user,
        full_name=full_name,
        organisation=organisation,
        organisation_type=organisation_type,
        job_title=job_title,
        municipality=municipality,
        preferred_language=preferred_language,
    )
    role_grant(user=user, role=Role.TRAINEE)
    return profile


def profile_language_set(*, user, language: str) -> None:
    """The language of every page and email for her, chosen in the language switcher."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    Profile.objects.filter(user=user).update(preferred_language=language)
