"""Ids as an address's parameters give them: what `int` takes and a database integer holds, or nothing."""

import pytest

from core.forms import id_from


@pytest.mark.parametrize(
    ("given", "expected"),
    [("12", 12), ("0", 0), (0, 0), (7, 7), ("9" * 18, int("9" * 18))],
)
def test_an_id_is_read(given, expected):
    assert id_from(given) == expected


@pytest.mark.parametrize("given", [None, "", "²", "٣", "-1", " 12", "1.5", "abc", "9" * 19, "\x00"])
def test_anything_else_is_no_id(given):
    # "²" and "٣" pass str.isdigit(); int() refuses the one and reads the other as 3.
    assert id_from(given) is None
