"""Encryption at rest for free-text survivor fields.

Values are Fernet tokens made with the keys in settings.FIELD_ENCRYPTION_KEYS (newest first); older keys
still decrypt, so keys can be rotated with `manage.py rotate_encryption_key` without downtime.
The database never sees the plain text, so these fields cannot be searched or ordered in SQL.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.functions import Cast


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "HAVEN_FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field could not be decrypted: the key that wrote it is not in HAVEN_FIELD_ENCRYPTION_KEYS."
        ) from exc


class EncryptedTextField(models.TextField):
    """A TextField stored as a Fernet token. Empty values stay empty strings."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value if value is not None else ""
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return "" if not self.null else value
        return encrypt_text(value)


class Sealed:
    """An encrypted field's stored token, decrypted when first read as text.

    A list that reads many rows and shows a few (a team's caseload reads every item of ten counselors and
    shows five each) decrypts only what it shows; the rest stays sealed in memory too. Its repr never holds
    the text, so a sealed value in a log line or an error report says nothing."""

    __slots__ = ("_text", "_token")

    def __init__(self, token: str | None):
        self._token = token or ""
        self._text = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = decrypt_text(self._token) if self._token else ""
        return self._text

    def __bool__(self) -> bool:
        return bool(self._token)

    def __eq__(self, other) -> bool:
        return str(self) == str(other) if isinstance(other, str | Sealed) else NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return "<Sealed>"


def sealed(field_name: str) -> Cast:
    """An expression that reads an EncryptedTextField's column as its stored token (for `values_list`),
    to be opened with `Sealed` where it is shown."""
    return Cast(field_name, models.TextField())
