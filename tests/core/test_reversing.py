"""UrlFiller gives what reverse() gives, in each language, for patterns of one and of several numbers."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.reversing import UrlFiller

PATTERNS = [
    ("cases:case_detail", {"pk": 7}),
    ("cases:action_step_done", {"pk": 12, "step_pk": 3}),
    ("cases:conference_follow_up_done", {"pk": 900_000_000_000, "action_pk": 1}),
]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_filled_pattern_is_the_reversed_url(language):
    with translation.override(language):
        urls = UrlFiller()
        for name, kwargs in PATTERNS:
            for shift in (0, 1, 41):  # the pattern resolved once, filled many times
                values = {param: value + shift for param, value in kwargs.items()}
                assert urls(name, **values) == reverse(name, kwargs=values)


def test_a_number_that_is_no_number_is_refused():
    with pytest.raises(ValueError):
        UrlFiller()("cases:case_detail", pk="7/../../admin")
