"""The rows of a list of due items, written in Python: a caseload shows dozens of items, each with a form or
two, and the row template's tags (dates, the CSRF field, each hidden field, each label) were a fifth of the
page."""

import unicodedata
from functools import cache

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html, format_html_join
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


@register.simple_tag(takes_context=True)
def due_item_rows(context, items, show_case=False):
    """The <tr> of each item (`cases.selectors.DueItem`) as the table in cases/_due_items.html lays them out:
    the date (with a badge when overdue), what is due and its detail, the client when `show_case`, and a
    POST form per action that comes back to this page."""
    csrf_field = CsrfTokenNode().render(context)
    request = context.get("request")
    next_field = format_html(
        '<input type="hidden" name="next" value="{}">', request.get_full_path() if request is not None else ""
    )
    overdue_badge = format_html(' <span class="badge badge-warn">{}</span>', gettext("overdue"))
    day = cache(lambda on: conditional_escape(date_format(on, "DATE_FORMAT")))  # each date formatted once
    rows = []
    for item in items:
        detail = ""
        if item.detail:
            detail = format_html('<br><span class="muted">{}</span>', _shortened(str(item.detail)))
        case = ""
        if show_case:
            client = item.case.client
            case = format_html('<td><a href="{}">{} ({})</a></td>', item.case_url, client.alias, client.code)
        forms = format_html_join(
            "",
            '<form method="post" action="{}" class="inline-form" id="due-{}-{}">{}{}{}'
            '<button type="submit" class="button-small">{}</button></form> ',
            (
                (
                    action.url,
                    item.key,
                    number,
                    csrf_field,
                    next_field,
                    format_html_join(
                        "",
                        '<input type="hidden" name="{}" value="{}">',
                        ((name, localize(value)) for name, value in action.fields.items()),
                    ),
                    action.label,
                )
                for number, action in enumerate(item.actions, start=1)
            ),
        )
        rows.append(
            (
                format_html(' class="{}"', "overdue") if item.overdue else "",
                day(item.due_on),
                overdue_badge if item.overdue else "",
                item.url,
                item.kind_label,
                item.title,
                detail,
                case,
                forms,
            )
        )
    # Every value escaped by format_html_join, each piece built by it or by format_html above.
    return format_html_join(
        "", '<tr{}><th scope="row">{}{}</th><td><a href="{}">{}: {}</a>{}</td>{}<td>{}</td></tr>\n', rows
    )
