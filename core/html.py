"""Pieces of pages written in Python where a template tag per row cost more than the row."""

from django.utils.html import format_html
from django.utils.safestring import SafeString


def translated_html(message: str, **values) -> SafeString:
    """What `{% blocktranslate with name=value %}` writes: the translated `message` as it is, each
    %(name)s placeholder replaced by its value, escaped."""
    template = message.replace("{", "{{").replace("}", "}}")
    for name in values:
        template = template.replace(f"%({name})s", "{" + name + "}")
    return format_html(template, **values)
