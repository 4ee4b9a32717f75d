"""One person's attendance choice on an attendance screen, written in Python: a facilitator's or a trainer's
phone shows one for each person, each with a radio button per answer, and the template that wrote them (an
include, a loop and a comparison per button) was the largest part of the screen."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def attendance_choice(name, label, value, choices):
    """A fieldset named by `label`, a radio button `name` for each (code, text) of `choices`, the one equal to
    `value` checked. Plain radio buttons styled as large buttons: it works without JavaScript. The line breaks
    between a button and its words are the space the template left there."""
    options = format_html_join(
        "",
        '<label class="attendance-option attendance-{}">\n<input type="radio" name="{}" value="{}"{}>\n'
        "<span>{}</span>\n</label>\n",
        ((code, name, code, " checked" if value == code else "", text) for code, text in choices),
    )
    return format_html(
        '<fieldset class="attendance-choice">\n<legend>{}</legend>\n<div class="attendance-options">\n{}</div>\n'
        "</fieldset>",
        label,
        options,
    )
