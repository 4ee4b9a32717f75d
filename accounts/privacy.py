"""A person's own data: download it, or delete the account.

Deleting keeps the user row (inactive, with no name, email or password) so that enrolments and
certificates still count and a certificate's public verification keeps working from the details frozen
on the certificate itself.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.forms.models import model_to_dict

from accounts.roles import user_roles
from core.fields import EncryptedTextField

# Project apps whose rows a person may hold through a foreign key named "user" (or "holder": a certificate).
_PERSONAL_DATA_APPS = ("accounts", "trainings", "certificates", "groups", "counseling", "reporting")
_PERSON_FIELDS = ("user", "holder")


def _rows_of(user):
    User = get_user_model()
    for app_label in _PERSONAL_DATA_APPS:
        if not apps.is_installed(app_label):
            continue
        for model in apps.get_app_config(app_label).get_models():
            user_field = next(
                (
                    f
                    for f in model._meta.concrete_fields
                    if f.name in _PERSON_FIELDS and f.is_relation and f.related_model is User
                ),
                None,
            )
            if user_field is None:
                continue
            # Encrypted fields hold survivor or staff notes, never a trainee's own data.
            exclude = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            held = model._default_manager.filter(**{user_field.name: user})
            rows = [model_to_dict(obj, exclude=exclude) for obj in held]
            if rows:
                yield model._meta.label, rows


def personal_data_export(*, user) -> dict:
    return {
        "account": {
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "roles": sorted(user_roles(user)),
        },
        "records": dict(_rows_of(user)),
    }


def may_delete_own_account(user) -> bool:
    """Only trainees delete themselves: staff accounts are closed by a coordinator, who hands over their work."""
    return user.has_perm("accounts.delete_own_account")


@transaction.atomic
def account_delete(*, user) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from accounts.models import Profile

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Profile.objects.filter(user=user).delete()
    user.groups.clear()
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    # Deactivation also ends every session of the account (accounts.signals).
    user.is_active = False
    user.save()


def export_filename() -> str:
    return f"{settings.WAGTAIL_SITE_NAME.lower()}-my-data.json"
