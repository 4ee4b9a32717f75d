"""Small security building blocks other apps reuse.

- One-time form tokens: a form that creates something carries a signed, single-use token, so a double
  click, a reload after POST or a replayed request creates one record, not two.
- Optimistic locking: an edit of a safety or action plan says which version it started from; if someone
  saved in between, nothing is overwritten and she is told so.
- Ending every session of a user (deactivation, account deletion).
"""

import secrets
from datetime import timedelta
from importlib import import_module

from django import forms
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core import dates

FORM_TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret
_FORM_TOKEN_SALT = "haven.form-token"  # noqa: S105 - a signing namespace; the secret is SECRET_KEY
DUPLICATE_SUBMIT_MESSAGE = _(
    "This form was already sent, so it was not saved a second time. "
    "Check the list to see what was saved, or open the form again."
)
STALE_EDIT_MESSAGE = _(
    "Someone else saved this while you were editing it, so your changes were not saved. "
    "Reload the page to see the current version, then make your changes again."
)


def form_token_issue() -> str:
    """A signed token naming a fresh nonce. Nothing is stored until the token is spent."""
    return signing.dumps(secrets.token_urlsafe(24), salt=_FORM_TOKEN_SALT, compress=False)


def form_token_consume(token: str) -> bool:
    """Spend a token: True the first time, False for a replay, a forgery or an expired token.

    The unique row decides: of two simultaneous submits exactly one insert succeeds, which a value kept
    in the session (read by both requests before either writes) cannot guarantee.
    """
    from core.models import UsedFormToken

    max_age = settings.HAVEN_RETENTION_DAYS["form_token"] * 24 * 60 * 60
    try:
        nonce = signing.loads(token or "", salt=_FORM_TOKEN_SALT, max_age=max_age)
    except signing.BadSignature:
        return False
    if not isinstance(nonce, str) or not nonce:
        return False
    try:
        with transaction.atomic():
            UsedFormToken.objects.create(token=nonce[:64])
    except IntegrityError:
        return False
    return True


def form_tokens_purge() -> int:
    """Spent tokens older than their lifetime can be forgotten: the signature refuses them anyway."""
    from core.models import UsedFormToken

    cutoff = dates.now() - timedelta(days=settings.HAVEN_RETENTION_DAYS["form_token"])
    deleted, _details = UsedFormToken.objects.filter(used_at__lt=cutoff).delete()
    return deleted


class OneTimeTokenFormMixin(forms.Form):
    """Mix into a Form or ModelForm that creates a record; render `{{ form.form_token }}` (hidden).

    The token is spent only when everything else is valid, so a form sent back with errors can be
    corrected and sent again. If the view later adds an error (a service refused), a new token is
    issued so the corrected form can be sent once more.
    """

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._token_spent = False
        if not self.is_bound:
            self.initial[FORM_TOKEN_FIELD] = form_token_issue()

    def _post_clean(self):
        super()._post_clean()
        # Out of cleaned_data, so views can pass cleaned_data straight to a service as keyword arguments.
        token = self.cleaned_data.pop(FORM_TOKEN_FIELD, "")
        if self._errors:
            return
        if form_token_consume(token):
            self._token_spent = True
        else:
            self.add_error(None, ValidationError(DUPLICATE_SUBMIT_MESSAGE, code="duplicate_submit"))

    def add_error(self, field, error):
        super().add_error(field, error)
        if self._token_spent:
            self._token_spent = False
            self.data = self.data.copy()
            self.data[self.add_prefix(FORM_TOKEN_FIELD)] = form_token_issue()


class VersionedFormMixin(forms.Form):
    """A hidden copy of the version the editor started from; pass it to versioned_update()."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def versioned_update(*, instance, expected_version: int, changes: dict, version_field: str = "version") -> None:
    """Write `changes` only if nobody saved since `expected_version`; raise ValidationError otherwise.

    One conditional UPDATE: the check and the write cannot be split by another request.
    """
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, **{version_field: expected_version}).update(
        **changes, **{version_field: F(version_field) + 1}
    )
    if updated != 1:
        raise ValidationError(STALE_EDIT_MESSAGE, code="stale_edit")
    for name, value in changes.items():
        setattr(instance, name, value)
    setattr(instance, version_field, expected_version + 1)


def user_sessions_end(*, user) -> int:
    """Delete every stored session of this user; returns how many ended."""
    from django.contrib.sessions.models import Session

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = []
    for session in Session.objects.filter(expire_date__gt=dates.now()).iterator():
        data = store_class().decode(session.session_data)
        if str(data.get(SESSION_KEY)) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)
