"""The rows of a list of due items, written in Python: a caseload shows dozens of items, each with a form or
two, and the row template's tags (dates, the CSRF field, each hidden field, each label) were a fifth of the
page."""

import html
import unicodedata
from functools import cache

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.formats import date_format, localize
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

register = template.Library()

DETAIL_CHARS = 120


def _shortened(text: str) -> str:
    """What `truncatechars:120` writes. A text of at most 120 code points is never cut, whatever it holds:
    it is only normalised, as Truncator would, without counting it character by character (most of a
    caseload's details are short)."""
    if len(text) <= DETAIL_CHARS:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(DETAIL_CHARS)


def _escaped(value) -> str:
    """What {{ value }} writes: a safe string as it is, anything else escaped (conditional_escape, without
    its lazy-string wrapper, which was a tenth of a caseload's rows)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@register.simple_tag(takes_context=True)
def due_item_rows(context, items, show_case=False):
    """The <tr> of each item (`cases.selectors.DueItem`) as the table in cases/_due_items.html lays them out:
    the date (with a badge when overdue), what is due and its detail, the client when `show_case`, and a
    POST form per action that comes back to this page. Every value escaped by `_escaped`."""
    request = context.get("request")
    # The same on every form of the page: its token and the way back.
    hidden = CsrfTokenNode().render(context) + (
        '<input type="hidden" name="next" value="{}">'.format(_escaped(request.get_full_path() if request else ""))
    )
    overdue_badge = ' <span class="badge badge-warn">{}</span>'.format(_escaped(gettext("overdue")))
    day = cache(lambda on: _escaped(date_format(on, "DATE_FORMAT")))  # each date formatted once
    rows = []
    for item in items:
        detail = ""
        if item.detail:
            detail = f'<br><span class="muted">{_escaped(_shortened(str(item.detail)))}</span>'
        case = ""
        if show_case:
            client = item.case.client
            alias, code = _escaped(client.alias), _escaped(client.code)
            case = f'<td><a href="{_escaped(item.case_url)}">{alias} ({code})</a></td>'
        forms = []
        for number, action in enumerate(item.actions, start=1):
            fields = "".join(
                f'<input type="hidden" name="{_escaped(name)}" value="{_escaped(localize(value))}">'
                for name, value in action.fields.items()
            )
            forms.append(
                f'<form method="post" action="{_escaped(action.url)}" class="inline-form" '
                f'id="due-{_escaped(item.key)}-{number}">{hidden}{fields}'
                f'<button type="submit" class="button-small">{_escaped(action.label)}</button></form> '
            )
        rows.append(
            '<tr{}><th scope="row">{}{}</th><td><a href="{}">{}: {}</a>{}</td>{}<td>{}</td></tr>\n'.format(
                ' class="overdue"' if item.overdue else "",
                day(item.due_on),
                overdue_badge if item.overdue else "",
                _escaped(item.url),
                _escaped(item.kind_label),
                _escaped(item.title),
                detail,
                case,
                "".join(forms),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308 B703 - every value above escaped by _escaped
