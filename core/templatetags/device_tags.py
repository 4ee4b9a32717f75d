"""The words the offline page script shows, translated on the server (see core.offline.device_strings)."""

from functools import cache

from django import template
from django.utils.html import json_script
from django.utils.translation import get_language, override

from core.offline import device_strings

register = template.Library()


@cache
def _strings_in(language: str):
    """The script element of `language`, written once: thirty-odd translations and their plural forms, on
    every page of the site, were a fifth of its frame. Translations are read once per process, so the text
    of a language never changes while it runs."""
    with override(language):
        return json_script(device_strings(), "haven-offline-strings")


@register.simple_tag
def offline_strings():
    return _strings_in(get_language())
