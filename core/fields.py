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
