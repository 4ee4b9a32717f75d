"""Pieces of the attendance screens written in Python, where a template per row was most of the screen: one
person's attendance choice (a facilitator's or a trainer's phone shows one for each person, each with a radio
button per answer; the template that wrote them was an include, a loop and a comparison per button) and the
rows of a session's change log."""

from functools import cache

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.enums import AttendanceStatus
from core.html import translated_html

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


CHANGE_ROW = '<tr{}>\n<td>{}</td>\n<td>{}{}</td>\n<td>{}</td>\n<th scope="row">{}</th>\n<td>{} → {}{}{}</td>\n</tr>'
NOT_APPLIED = format_html(' class="{}"', "not-applied")


@register.simple_tag
def attendance_change_rows(changes):
    """The rows of a session's change log (components/attendance_change_log.html): up to fifty, each with two
    moments written for people and for machines, and a status label per side. Through the template they were
    more than half of a trainer's attendance screen; here each label is translated once and each moment
    formatted once."""
    statuses = choice_labels(AttendanceStatus.choices)
    unknown = _("unknown (changed outside Haven's screens)")
    from_a_phone = format_html(' <span class="badge">{}</span>', _("from a phone"))
    overruled = format_html(' <span class="badge badge-warn">{}</span>', _("not applied: a later mark stands"))
    children = _("children %(old)s → %(new)s")

    shown_as = get_format("SHORT_DATETIME_FORMAT")

    @cache
    def moment(value):
        local = timezone.localtime(value)  # the `date` filter's "c" is the local moment's isoformat()
        return format_html('<time datetime="{}">{}</time>', local.isoformat(), dateformat.format(local, shown_as))

    rows = []
    for change in changes:
        old_children, new_children = getattr(change, "old_children", None), getattr(change, "new_children", None)
        changed_by = change.changed_by
        rows.append(
            format_html(
                CHANGE_ROW,
                "" if change.applied else NOT_APPLIED,
                moment(change.marked_at) if change.marked_at else "–",
                moment(change.changed_at),
                from_a_phone if change.client_id else "",
                (changed_by.email if changed_by is not None else "") or unknown,
                change.label,
                statuses.get(change.old_status, change.old_status) or "–",
                statuses.get(change.new_status, change.new_status),
                format_html(" ({})", translated_html(children, old=old_children, new=new_children))
                if old_children is not None and old_children != new_children
                else "",
                "" if change.applied else overruled,
            )
        )
    return format_html_join("\n", "{}", ((row,) for row in rows))


OWN_MARK_ROW = '<tr><th scope="row">{}</th><td>{}</td></tr>'


@register.simple_tag
def own_attendance_rows(marks):
    """The rows of her own attendance, session by session ((session, its mark's label or None) pairs: a
    trainee's dashboard shows them for every training she took). Through the template they were a quarter of
    the dashboard; here the two muted words are translated once and each moment formatted once."""
    cancelled = format_html('<span class="muted">{}</span>', _("cancelled"))
    not_recorded = format_html('<span class="muted">{}</span>', _("not recorded"))
    shown_as = get_format("DATETIME_FORMAT")
    return format_html_join(
        "",
        OWN_MARK_ROW,
        (
            (
                dateformat.format(timezone.localtime(session.start), shown_as),
                cancelled if session.cancelled else (mark or not_recorded),
            )
            for session, mark in marks
        ),
    )
