"""Small helpers shared by tests of several apps."""

from core.security import FORM_TOKEN_FIELD, form_token_issue


def tokened(data=None, **extra) -> dict:
    """Form data as a browser sends it from a freshly opened form: with its one-time form token."""
    return {**(data or {}), **extra, FORM_TOKEN_FIELD: form_token_issue()}
