"""The rows of a list of due items, written in Python: a caseload shows dozens of items, each with a form or
two, and the row template's tags (dates, the CSRF field, each hidden field, each label) were a fifth of the
page."""

import unicodedata
from functools import cache

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.formats import date_format, localize
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from core.html import escaped

register = template.Library()

DETAIL_CHARS = 120


def _shortened(text: str) -> str:
    """What `truncatechars:120` writes. A text of at most 120 code points is never cut, whatever it holds:
    it is only normalised, as Truncator would, without counting it character by character (most of a
    caseload's details are short)."""
    if len(text) <= DETAIL_CHARS:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(DETAIL_CHARS)


@register.simple_tag(takes_context=True)
def due_item_rows(context, items, show_case=False):
    """The <tr> of each item (`cases.selectors.DueItem`) as the table in cases/_due_items.html lays them out:
    the date (with a badge when overdue), what is due and its detail, the client when `show_case`, and a
    POST form per action that comes back to this page. Every value escaped by `escaped`."""
    request = context.get("request")
    # The same on every form of the page: its token and the way back.
    hidden = CsrfTokenNode().render(context) + (
        '<input type="hidden" name="next" value="{}">'.format(escaped(request.get_full_path() if request else ""))
    )
    overdue_badge = ' <span class="badge badge-warn">{}</span>'.format(escaped(gettext("overdue")))
    day = cache(lambda on: escaped(date_format(on, "DATE_FORMAT")))  # each date formatted once
    rows = []
    for item in items:
        detail = ""
        if item.detail:
            detail = f'<br><span class="muted">{escaped(_shortened(str(item.detail)))}</span>'
        case = ""
        if show_case:
            client = item.case.client
            alias, code = escaped(client.alias), escaped(client.code)
            case = f'<td><a href="{escaped(item.case_url)}">{alias} ({code})</a></td>'
        forms = []
        for number, action in enumerate(item.actions, start=1):
            fields = "".join(
                f'<input type="hidden" name="{escaped(name)}" value="{escaped(localize(value))}">'
                for name, value in action.fields.items()
            )
            forms.append(
                f'<form method="post" action="{escaped(action.url)}" class="inline-form" '
                f'id="due-{escaped(item.key)}-{number}">{hidden}{fields}'
                f'<button type="submit" class="button-small">{escaped(action.label)}</button></form> '
            )
        rows.append(
            '<tr{}><th scope="row">{}{}</th><td><a href="{}">{}: {}</a>{}</td>{}<td>{}</td></tr>\n'.format(
                ' class="overdue"' if item.overdue else "",
                day(item.due_on),
                overdue_badge if item.overdue else "",
                escaped(item.url),
                escaped(item.kind_label),
                escaped(item.title),
                detail,
                case,
                "".join(forms),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308 B703 - every value above escaped by escaped
