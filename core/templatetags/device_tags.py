"""The words the offline page script shows, translated on the server (see core.offline.device_strings)."""

from django import template
from django.utils.html import json_script

from core.offline import device_strings

register = template.Library()


@register.simple_tag
def offline_strings():
    return json_script(device_strings(), "haven-offline-strings")
