"""The catalogue's cards written in Python (trainings/_edition_card.html is the same HTML as a template).

Twenty cards through the template's loop, each some thirty nodes, were the largest part of a catalogue built
afresh; written here, each text is escaped as the template escapes it and each label translated once."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.html import escaped

register = template.Library()


def _statuses() -> dict[str, str]:
    """Her enrolment's status as trainings/_my_status.html says it."""
    return {
        "enrolled": gettext("You are enrolled"),
        "waitlisted": gettext("You are on the waitlist"),
        "pending": gettext("Your enrolment waits for approval"),
        "offered": gettext("A seat is offered to you: confirm it"),
        "completed": gettext("You completed this training"),
        "not_completed": gettext("You did not complete this training"),
    }


@register.filter
def cards_written(cards) -> str:
    """The cards (trainings.selectors.EditionCard) as list items, one a line."""
    if not cards:
        return ""
    escape = escaped
    # Each label translated and escaped once for the page.
    dates, place, length = escape(gettext("Dates")), escape(gettext("Place")), escape(gettext("Length"))
    seats, online = escape(gettext("Seats left")), escape(gettext("Online"))
    full, details = escape(gettext("Full: waitlist open")), escape(gettext("Details"))
    enrol, waitlist = escape(gettext("Enrol")), escape(gettext("Join the waitlist"))
    statuses = mine = None
    written = []
    for card in cards:
        title, detail_url = escape(card.title), escape(card.detail_url)
        shown_seats = (
            f'<span class="badge badge-ok">{escape(card.seats)}</span>'
            if card.seats
            else f'<span class="badge badge-warn">{full}</span>'
        )
        if card.my_status:
            if statuses is None:
                statuses = _statuses()
                dashboard, my_trainings = escape(reverse("trainings:dashboard")), escape(gettext("My trainings"))
                mine = f' <a href="{dashboard}">{my_trainings}</a>'
            badge = " badge-ok" if card.my_status == "enrolled" else " badge-warn"
            action = f'<span class="badge{badge}">{escape(statuses.get(card.my_status, ""))}</span>{mine}'
        elif not card.enrolment_open:
            action = f'<span class="badge">{escape(card.opens)}</span>'
        else:
            action = (
                f'<a class="button" href="{escape(card.enrol_url)}">{enrol if card.seats else waitlist}'
                f'<span class="visually-hidden"> – {title}, {escape(card.start)}</span></a>'
            )
        written.append(
            f'<li class="card edition-card">\n'
            f'    <h2><a href="{detail_url}">{title}</a></h2>\n'
            f'    <dl class="facts">\n'
            f"        <dt>{dates}</dt>\n"
            f"        <dd>{escape(card.dates)}</dd>\n"
            f"        <dt>{place}</dt>\n"
            f"        <dd>{escape(card.place) if card.place else online}</dd>\n"
            f"        <dt>{length}</dt>\n"
            f"        <dd>{escape(card.length)}</dd>\n"
            f"        <dt>{seats}</dt>\n"
            f"        <dd>{shown_seats}</dd>\n"
            f"    </dl>\n"
            f'    <p class="edition-actions">{action}\n'
            f'    <a href="{detail_url}">{details}<span class="visually-hidden"> – {title}</span></a></p>\n'
            f"</li>\n"
        )
    # Each text escaped above.
    return mark_safe("".join(written))  # noqa: S308  # nosec B308 B703
