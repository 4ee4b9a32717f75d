from django import template

from certificates.enums import VerificationState
from certificates.exports import certificate_date as _certificate_date

register = template.Library()


@register.filter
def certificate_date(value):
    """A date as certificates print it, in the active language's own form."""
    return _certificate_date(value)


@register.filter
def verification_label(state):
    return VerificationState(state).label
