"""Django's `date` filter for every template of the project (a builtin of the template engine, in place of
Django's own): the same texts, each worked out once per language, format and day or minute
(core.formatting)."""

from django import template

from core.formatting import date_filter

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    return date_filter(value, arg)
