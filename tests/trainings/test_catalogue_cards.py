"""The catalogue's cards written in Python (trainings.templatetags.catalogue_tags) are the HTML the card's
template writes (trainings/_edition_card.html), in every language, for every state a card can be in, and
escape what the template escapes."""

from dataclasses import replace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from trainings.selectors import EditionCard
from trainings.templatetags.catalogue_tags import cards_written

OPEN = EditionCard(
    title="Safety planning <basics> & \"risk\" 'assessment'",
    detail_url="/trainings/editions/7/?a=1&b=2",
    enrol_url="/trainings/editions/7/enrol/",
    start="3 March 2027",
    dates="3 March 2027 – 4 March 2027",
    place="Cultural Centre, Novi Sad",
    length="16 hours",
    seats="2 seats left",
    opens="",
    enrolment_open=True,
    my_status="",
)

CARDS = [
    pytest.param(OPEN, id="open"),
    pytest.param(replace(OPEN, seats=""), id="full: the waitlist"),
    pytest.param(replace(OPEN, place=""), id="online"),
    pytest.param(replace(OPEN, enrolment_open=False, opens="Enrolment opens on 1 February 2027"), id="not open yet"),
    *(
        pytest.param(replace(OPEN, my_status=status), id=f"hers: {status}")
        for status in ("enrolled", "waitlisted", "pending", "offered", "completed", "not_completed", "cancelled")
    ),
]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("card", CARDS)
def test_a_card_written_is_the_card_the_template_writes(card, language):
    with translation.override(language):
        assert cards_written([card]) == render_to_string("trainings/_edition_card.html", {"card": card})


def test_the_cards_are_written_one_after_another_and_none_is_nothing():
    cards = [OPEN, replace(OPEN, title="Case conferences", seats="")]
    assert cards_written(cards) == "".join(
        render_to_string("trainings/_edition_card.html", {"card": card}) for card in cards
    )
    assert cards_written([]) == ""
    assert "&lt;basics&gt; &amp; &quot;risk&quot; &#x27;assessment&#x27;" in cards_written([OPEN])
