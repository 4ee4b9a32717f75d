"""UrlFiller and key_parts give what reverse() gives, in each language, for patterns of one and of several
numbers."""

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from core.reversing import UrlFiller, key_parts

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


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_records_url_is_its_key_between_the_two_parts(language):
    with translation.override(language):
        before, after = key_parts("audit_log:inspect")
        for pk in (1, 7, 900_000_000_000):
            assert f"{before}{pk}{after}" == reverse("audit_log:inspect", kwargs={"pk": pk})
        with pytest.raises(NoReverseMatch):  # a pattern of two numbers
            key_parts("cases:action_step_done")
