"""Pieces of the attendance screens written in Python, where a template per row was most of the screen: one
person's attendance choice (a facilitator's or a trainer's phone shows one for each person, each with a radio
button per answer; the template that wrote them was an include, a loop and a comparison per button) and the
rows of a session's change log."""

from functools import cache

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.enums import AttendanceStatus
from core.html import escaped, translated_html

register = template.Library()


@register.simple_tag
def attendance_choice(name, label, value, choices):
    """A fieldset named by `label`, a radio button `name` for each (code, text) of `choices`, the one equal to
    `value` checked. Plain radio buttons styled as large buttons: it works without JavaScript. The line breaks
    between a button and its words are the space the template left there. Every value escaped by
    `escaped`, as {{ }} would."""
    name = escaped(name)
    options = "".join(
        f'<label class="attendance-option attendance-{escaped(code)}">\n<input type="radio" name="{name}" '
        f'value="{escaped(code)}"{" checked" if value == code else ""}>\n<span>{escaped(text)}</span>\n</label>\n'
        for code, text in choices
    )
    return mark_safe(  # noqa: S308  # nosec B308 B703 - every value escaped above
        f'<fieldset class="attendance-choice">\n<legend>{escaped(label)}</legend>\n'
        f'<div class="attendance-options">\n{options}</div>\n</fieldset>'
    )


NOT_APPLIED = ' class="not-applied"'


@register.simple_tag
def attendance_change_rows(changes):
    """The rows of a session's change log (components/attendance_change_log.html): up to fifty, each with two
    moments written for people and for machines, and a status label per side. Through the template they were
    more than half of a trainer's attendance screen; here each label is translated once and each moment
    formatted once. Every value escaped by `escaped`, as {{ }} would."""
    statuses = {code: escaped(label) for code, label in choice_labels(AttendanceStatus.choices).items()}
    unknown = _("unknown (changed outside Haven's screens)")
    # Translated outside the f-strings: the message extractor does not read inside them.
    phone_label, overruled_label = _("from a phone"), _("not applied: a later mark stands")
    from_a_phone = f' <span class="badge">{escaped(phone_label)}</span>'
    overruled = f' <span class="badge badge-warn">{escaped(overruled_label)}</span>'
    children = _("children %(old)s → %(new)s")

    shown_as = get_format("SHORT_DATETIME_FORMAT")

    @cache
    def moment(value):
        local = timezone.localtime(value)  # the `date` filter's "c" is the local moment's isoformat()
        return f'<time datetime="{escaped(local.isoformat())}">{escaped(dateformat.format(local, shown_as))}</time>'

    rows = []
    for change in changes:
        old_children, new_children = getattr(change, "old_children", None), getattr(change, "new_children", None)
        changed_by = change.changed_by
        old = statuses.get(change.old_status) or escaped(change.old_status or "") or "–"
        new = statuses.get(change.new_status) or escaped(change.new_status)
        counted = ""
        if old_children is not None and old_children != new_children:
            counted = f" ({translated_html(children, old=old_children, new=new_children)})"
        rows.append(
            f"<tr{'' if change.applied else NOT_APPLIED}>\n"
            f"<td>{moment(change.marked_at) if change.marked_at else '–'}</td>\n"
            f"<td>{moment(change.changed_at)}{from_a_phone if change.client_id else ''}</td>\n"
            f"<td>{escaped((changed_by.email if changed_by is not None else '') or unknown)}</td>\n"
            f'<th scope="row">{escaped(change.label)}</th>\n'
            f"<td>{old} → {new}{counted}{'' if change.applied else overruled}</td>\n</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308  # nosec B308 B703 - every value escaped above


@register.simple_tag
def own_attendance_rows(marks):
    """The rows of her own attendance, session by session ((session, its mark's label or None) pairs: a
    trainee's dashboard shows them for every training she took). Through the template they were a quarter of
    the dashboard; here the two muted words are translated once and each moment formatted once. Every value
    escaped by `escaped`, as {{ }} would."""
    cancelled_label, not_recorded_label = _("cancelled"), _("not recorded")  # outside the f-strings, for makemessages
    cancelled = f'<span class="muted">{escaped(cancelled_label)}</span>'
    not_recorded = f'<span class="muted">{escaped(not_recorded_label)}</span>'
    shown_as = get_format("DATETIME_FORMAT")
    return mark_safe(  # noqa: S308  # nosec B308 B703 - every value escaped
        "".join(
            f'<tr><th scope="row">{escaped(dateformat.format(timezone.localtime(session.start), shown_as))}</th>'
            f"<td>{cancelled if session.cancelled else escaped(mark) if mark else not_recorded}</td></tr>"
            for session, mark in marks
        )
    )
