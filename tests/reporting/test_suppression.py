"""Small-cell suppression, tested as properties over many random tables."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.suppression import SECONDARY, suppress, suppress_one

counts = st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8)
thresholds = st.integers(min_value=1, max_value=10)


def test_small_counts_show_as_less_than_five():
    assert suppress_one(3, threshold=4) == "<5"
    assert suppress_one(4, threshold=4) == "<5"
    assert suppress_one(5, threshold=4) == 5
    assert suppress_one(0, threshold=4) == 0
    assert suppress_one(None, threshold=4) is None


def test_threshold_is_per_project():
    assert suppress_one(9, threshold=9) == "<10"
    assert suppress_one(2, threshold=1) == 2


def test_a_lone_hidden_cell_takes_a_second_with_it():
    cells, total = suppress([3, 10, 20], threshold=4, total=33)
    assert cells == ["<5", SECONDARY, 20]
    assert total == 33


def test_zero_is_never_the_second_cell():
    cells, total = suppress([2, 0, 7], threshold=4, total=9)
    assert cells == ["<5", 0, SECONDARY]


def test_only_non_zero_cell_hides_the_total():
    cells, total = suppress([3, 0, 0], threshold=4, total=3)
    assert cells == ["<5", 0, 0]
    assert total == "<5"


@settings(max_examples=300, deadline=None)
@given(values=counts, threshold=thresholds)
def test_no_small_count_is_ever_shown(values, threshold):
    cells, total = suppress(values, threshold=threshold, total=sum(values))
    for cell in [*cells, total]:
        assert not (isinstance(cell, int) and 1 <= cell <= threshold)


@settings(max_examples=300, deadline=None)
@given(values=counts, threshold=thresholds)
def test_shown_cells_are_true(values, threshold):
    cells, total = suppress(values, threshold=threshold, total=sum(values))
    for value, cell in zip(values, cells, strict=True):
        assert cell == value or isinstance(cell, str)
    assert total == sum(values) or isinstance(total, str)


@settings(max_examples=300, deadline=None)
@given(values=counts, threshold=thresholds)
def test_a_hidden_cell_cannot_be_worked_out_from_the_total(values, threshold):
    cells, total = suppress(values, threshold=threshold, total=sum(values))
    hidden = [value for value, cell in zip(values, cells, strict=True) if isinstance(cell, str)]
    if isinstance(total, int) and hidden:
        # Total minus the shown cells gives only the sum of the hidden ones: it must mix two non-zero cells.
        assert len([value for value in hidden if value]) >= 2


@settings(max_examples=200, deadline=None)
@given(values=counts, threshold=thresholds)
def test_without_a_total_only_small_cells_are_hidden(values, threshold):
    cells, _total = suppress(values, threshold=threshold)
    assert [isinstance(cell, str) for cell in cells] == [1 <= value <= threshold for value in values]
