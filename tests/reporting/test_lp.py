"""The disclosure control's linear programs: HiGHS driven directly (one program, objective after objective,
each from the last basis) answers as SciPy's `linprog` does from nothing."""

import pytest

from reporting.disclosure import _Program, _Rows


def _two_ways(lower, upper, rows):
    direct = _Program(lower, upper, _Rows.of(rows))
    assert direct.highs is not None  # SciPy's HiGHS is reachable here
    fallback = _Program(lower, upper, _Rows.of(rows))
    fallback.highs = None
    return direct, fallback


def rows_hold(rows, solution) -> bool:
    return all(
        (low is None or sum(v * solution[c] for c, v in entries) >= low - 1e-6)
        and sum(v * solution[c] for c, v in entries) <= high + 1e-6
        for entries, low, high in rows
    )


def test_each_objective_after_another_gives_what_linprog_gives():
    # Three hidden cells of a row whose total 12 is published, a column linking the first two to 5, each
    # cell between 0 and 10.
    rows = [([(0, 1.0), (1, 1.0), (2, 1.0)], 12.0, 12.0), ([(0, 1.0), (1, 1.0)], None, 5.0)]
    direct, fallback = _two_ways([0.0] * 3, [10.0] * 3, rows)
    for objective in ({0: 1.0}, {0: -1.0}, {2: 1.0}, {2: -1.0}, {1: -1.0}, [1.0, 1.0, 0.0], {0: 1.0}):
        got, expected = direct.minimise(objective), fallback.minimise(objective)
        assert got is not None and expected is not None
        # The same optimum; where it is reached at more than one point (the sum of the first two cells is
        # 2 whether they are 0 and 2 or 2 and 0), either point may come back.
        costs = objective if isinstance(objective, dict) else dict(enumerate(objective))
        assert sum(cost * got[c] for c, cost in costs.items()) == pytest.approx(
            sum(cost * expected[c] for c, cost in costs.items())
        ), objective
        assert rows_hold(rows, got) and rows_hold(rows, expected)
    # Cell 2 is at least 7 (12 less at most 5), cell 0 at most 5.
    assert direct.minimise({2: 1.0})[2] == pytest.approx(7.0)
    assert direct.minimise({0: -1.0})[0] == pytest.approx(5.0)


def test_no_solution_is_none_both_ways():
    rows = [([(0, 1.0), (1, 1.0)], 30.0, 30.0)]  # two cells of at most 10 cannot make 30
    for program in _two_ways([0.0, 0.0], [10.0, 10.0], rows):
        assert program.minimise({0: 1.0}) is None


def test_a_report_whose_programs_the_solver_cannot_solve_is_refused_not_published(monkeypatch):
    from reporting.disclosure import Policy, protect
    from tests.reporting.test_disclosure import ONE_COLUMN, one_table

    # A solver that finds nothing: no count can be shown to be protected, nor to be pinned by the links
    # alone (which would exempt it). Before, [3, 10, 20] was published with only the 3 hidden.
    monkeypatch.setattr(_Program, "minimise", lambda self, objective: None)
    protection = protect(
        figures=one_table([3, 10, 20]), order=0, first=True, policy=Policy(threshold=5), published=[], schema=ONE_COLUMN
    )
    assert not protection.ok and protection.failures
