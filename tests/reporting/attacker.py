"""An attacker who holds every published donor report of a project and knows how the figures are made.

Written apart from reporting.disclosure on purpose: it reads the reports as a reader gets them (the
published figures of every snapshot) and builds its own linear program from what anyone can know about
such figures. The tests then ask whether it can narrow any hidden small count below the protection width.

What it knows:
- a figure that stands in two places is one figure (a table's total and the indicator of the same count;
  a session kind's row and that kind's indicator);
- rows of a column of events (attendances, sessions) add up to the total; rows of a column of people
  (women, clients) are each at most the total, and together at least the total; where the rows are who
  the people are (an age band, a municipality, a target group: one each), they add up to the total;
- new and continuing add up to all; a period's figure is at most the figure to date;
- no woman was counted without attending, and each woman attends a session at most once, so
  women <= attendances <= women x sessions held; clients <= counseling sessions;
- across consecutive reports, events to date grow by exactly the period's events, people to date by exactly
  the new people (nothing happened before the project began), and by at most all people of the period;
  in the first period, to date is the period, and everyone is new;
- a report unlocked and submitted again was read in each version: a figure that did not change between
  them is the same figure in both.

A period unlocked for late data breaks some of these links: its earlier version and the next period's report
were counted from different data. The attacker is taken to guess right which links still hold: a link goes in
only where the true figures satisfy it (an equality that no longer holds may still hold as "at most"). While
no period was reported twice, every link holds.
"""

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array

HIDDEN = "x"
ADDITIVE = {"attendances": "group_attendances", "counseling_sessions": "counseling_sessions_held"}
PEOPLE = {"women": "women_in_groups", "clients": "clients_counselled"}
SURVIVOR_INDICATORS = [
    "women_in_groups",
    "group_attendances",
    "counseling_sessions_held",
    "counseling_sessions_experiential",
    "counseling_sessions_case_based",
    "counseling_sessions_aftercare",
    "counseling_sessions_home_visit",
    "clients_counselled",
]
KINDS = ["experiential", "case_based", "aftercare", "home_visit"]
BENEFICIARIES = {"women": "women_in_groups", "clients": "clients_counselled"}
# Tables whose rows put each person in exactly one row.
PARTITIONS = {
    "women_by_age_band",
    "women_by_municipality",
    "women_by_target_group",
    "clients_by_age_band",
    "clients_by_municipality",
    "clients_by_target_group",
}


class Attacker:
    def __init__(self):
        self.names: dict = {}
        self.truth: list = []
        self.shown: list = []
        self.eq: list = []
        self.ub: list = []
        self.reports: list = []  # per period, the indexes its reports were read under (attacker_for)

    def figure(self, name, shown, true):
        if name not in self.names:
            self.names[name] = len(self.truth)
            self.truth.append(true)
            self.shown.append(shown)
        if shown != HIDDEN:
            self.eq.append(({name: 1}, float(shown)))
        return name

    def equal(self, *pairs, rhs=0.0):
        self.eq.append((dict(pairs), rhs))

    def at_most(self, *pairs, rhs=0.0):
        self.ub.append((dict(pairs), rhs))

    def link(self, *pairs, at_most=False, or_at_most=False):
        """sum(coefficient x figure) == 0 (at_most: <= 0) where the true figures satisfy it; an equality
        that does not hold goes in as <= 0 with or_at_most, where that holds."""
        if any(name not in self.names for name, _coefficient in pairs):
            return
        left = sum(coefficient * self.true_value(name) for name, coefficient in pairs)
        if not at_most and abs(left) <= 1e-6:
            self.equal(*pairs)
        elif (at_most or or_at_most) and left <= 1e-6:
            self.at_most(*pairs)

    def read(self, index: int, figures: dict, published: dict) -> None:
        """Take in one published report under its own index (link_periods says which period it reports)."""
        indicators = {item["code"]: item for item in figures["indicators"]}
        sessions = {"v": indicators["group_sessions_held"]["value"], "td": indicators["group_sessions_held"]["to_date"]}
        for code in SURVIVOR_INDICATORS:
            value, to_date = published["indicators"][code]
            self.figure((index, "v", code), value, indicators[code]["value"])
            self.figure((index, "td", code), to_date, indicators[code]["to_date"])
            self.at_most(((index, "v", code), 1), ((index, "td", code), -1))
        for line in ("v", "td"):
            self.equal(
                *(((index, line, f"counseling_sessions_{kind}"), 1) for kind in KINDS),
                ((index, line, "counseling_sessions_held"), -1),
            )
            women, attendances = (index, line, "women_in_groups"), (index, line, "group_attendances")
            self.at_most((women, 1), (attendances, -1))
            self.at_most((attendances, 1), (women, -float(sessions[line])))
            self.at_most(((index, line, "clients_counselled"), 1), ((index, line, "counseling_sessions_held"), -1))
        for table in figures["tables"]:
            shown = published["tables"][table["code"]]
            if table["code"] == "new_continuing":
                for row, shown_row in zip(table["rows"], shown["rows"], strict=True):
                    measure = BENEFICIARIES[row["label"]]
                    new = self.figure((index, "new", measure), shown_row[0], row["values"][0])
                    continuing = self.figure((index, "continuing", measure), shown_row[1], row["values"][1])
                    every = self.figure((index, "v", measure), shown_row[2], row["values"][2])
                    self.equal((new, 1), (continuing, 1), (every, -1))
                continue
            self._table(index, table, shown)

    def _table(self, index, table, shown):
        columns = table["columns"]
        names = {}
        for c, column in enumerate(columns):
            if column not in ADDITIVE and column not in PEOPLE:
                continue
            measure = ADDITIVE.get(column) or PEOPLE[column]
            rows = []
            for r, (row, shown_row) in enumerate(zip(table["rows"], shown["rows"], strict=True)):
                if table["code"] == "counseling_by_kind" and column == "counseling_sessions":
                    name = (index, "v", f"counseling_sessions_{row['label']}")
                else:
                    name = (index, table["code"], row["label"], column)
                self.figure(name, shown_row[c], row["values"][c])
                rows.append(name)
                names[(r, column)] = name
            total = self.figure((index, "v", measure), shown["total"][c], table["total"][c])
            if column in ADDITIVE or table["code"] in PARTITIONS:
                self.equal(*((name, 1) for name in rows), (total, -1))
            else:
                for name in rows:
                    self.at_most((name, 1), (total, -1))
                self.at_most((total, 1), *((name, -1) for name in rows))
        for r, row in enumerate(table["rows"]):
            if (r, "women") in names and (r, "attendances") in names:
                women, attendances = names[(r, "women")], names[(r, "attendances")]
                self.at_most((women, 1), (attendances, -1))
                if "group_sessions" in columns:
                    held = row["values"][columns.index("group_sessions")]
                    self.at_most((attendances, 1), (women, -float(held)))
            if (r, "clients") in names and (r, "counseling_sessions") in names:
                self.at_most((names[(r, "clients")], 1), (names[(r, "counseling_sessions")], -1))

    def link_periods(self, periods) -> None:
        """Link the reports read: `periods` lists, period by period in order, the indexes its reports were
        read under (each version, oldest first); a number n stands for periods 0..n-1, each read once under
        its own place."""
        if isinstance(periods, int):
            periods = [[index] for index in range(periods)]
        for code in SURVIVOR_INDICATORS:
            people = code in PEOPLE.values()
            for first in periods[0]:
                self.link(((first, "td", code), 1), ((first, "v", code), -1))
                if people:
                    self.link(((first, "new", code), 1), ((first, "v", code), -1))
            for earlier, later in zip(periods, periods[1:], strict=False):
                for a in earlier:
                    for b in later:
                        before, after, period = (a, "td", code), (b, "td", code), (b, "v", code)
                        if people:
                            self.link((after, 1), (before, -1), ((b, "new", code), -1), or_at_most=True)
                            self.link((after, 1), (before, -1), (period, -1), at_most=True)
                            self.link(((b, "continuing", code), 1), (before, -1), at_most=True)
                            self.link((before, 1), (after, -1), at_most=True)
                        else:
                            self.link((after, 1), (before, -1), (period, -1), or_at_most=True)
        # Versions of one period: a figure that did not change is one figure.
        for versions in periods:
            for position, a in enumerate(versions):
                for b in versions[position + 1 :]:
                    for name in [name for name in self.names if name[0] == a]:
                        self.link((name, 1), ((b, *name[1:]), -1))

    def interval(self, name, *, blind=False):
        """The smallest and largest value the figure can take given what is published (blind: given
        nothing but the links, as if every count of survivors were hidden)."""
        column = self.names[name]
        program = self._program(blind)
        found = [program.extreme(column, sign) for sign in (1, -1)]
        return round(found[0], 6), round(found[1], 6)

    def _program(self, blind):
        """The constraints, built once for all the figures asked about."""
        key = (blind, len(self.truth), len(self.eq), len(self.ub))
        if getattr(self, "_built", (None,))[0] != key:
            n = len(self.truth)

            def matrix(constraints):
                rows, columns, values, rhs = [], [], [], []
                for terms, right in constraints:
                    for figure_name, coefficient in terms.items():
                        rows.append(len(rhs))
                        columns.append(self.names[figure_name])
                        values.append(coefficient)
                    rhs.append(right)
                if not rhs:
                    return None, None
                return coo_array((values, (rows, columns)), shape=(len(rhs), n)).tocsr(), np.array(rhs)

            equal = [(terms, rhs) for terms, rhs in self.eq if not (blind and len(terms) == 1)]
            self._built = (key, _Program(n, *matrix(equal), *matrix(self.ub)))
        return self._built[1]

    def hidden_small(self, threshold):
        """Names of hidden figures whose true value is below the threshold."""
        return [
            name
            for name, position in self.names.items()
            if self.shown[position] == HIDDEN and self.truth[position] < threshold
        ]

    def true_value(self, name):
        return self.truth[self.names[name]]

    def shown_value(self, name):
        return self.shown[self.names[name]]


class _Program:
    """The attacker's linear program, minimised for one figure after another.

    Asked thousands of times over the tests, each time with another objective and the same constraints: the
    program is given to HiGHS once (SciPy's own copy) and each question only changes the objective, the next
    solve starting from the last one's basis. SciPy's `linprog`, which checks its inputs and starts from
    nothing on every call, gave the same answers to all 6,520 questions of the reporting tests in between
    five and six times the time; it answers still where that copy of HiGHS cannot be reached. Written apart
    from the application's own driver (reporting.disclosure), like the rest of the attacker."""

    def __init__(self, n, a_eq, b_eq, a_ub, b_ub):
        self.n, self.a_eq, self.b_eq, self.a_ub, self.b_ub = n, a_eq, b_eq, a_ub, b_ub
        self.column = None
        try:
            from scipy.optimize._highspy._core import HighsModelStatus, _Highs
        except ImportError:
            self.highs = None
            return
        self.optimal = HighsModelStatus.kOptimal
        self.highs = _Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        self.highs.addVars(n, np.zeros(n), np.full(n, float(10**7)))
        rows = [] if a_eq is None else [(a_eq, b_eq, b_eq)]
        rows += [] if a_ub is None else [(a_ub, np.full(len(b_ub), -np.inf), b_ub)]
        for matrix, low, high in rows:
            self.highs.addRows(
                matrix.shape[0],
                np.asarray(low, dtype=float),
                np.asarray(high, dtype=float),
                matrix.nnz,
                matrix.indptr[:-1].astype(np.int32),
                matrix.indices.astype(np.int32),
                matrix.data.astype(float),
            )

    def extreme(self, column: int, sign: int) -> float:
        """The figure's value at the solution minimising sign x figure."""
        if self.highs is None:
            objective = np.zeros(self.n)
            objective[column] = sign
            bounds = [(0, 10**7)] * self.n
            result = linprog(
                objective, A_eq=self.a_eq, b_eq=self.b_eq, A_ub=self.a_ub, b_ub=self.b_ub, bounds=bounds, method="highs"
            )
            assert result.status == 0, (column, result.message)
            return result.x[column]
        changed = {column: float(sign)}
        if self.column is not None and self.column != column:
            changed[self.column] = 0.0
        self.highs.changeColsCost(
            len(changed), np.array(list(changed), dtype=np.int32), np.array(list(changed.values()), dtype=float)
        )
        self.column = column
        self.highs.run()
        assert self.highs.getModelStatus() == self.optimal, (column, self.highs.getModelStatus())
        return self.highs.getSolution().col_value[column]


def assert_no_hidden_small_count_is_narrowed(attacker: Attacker, threshold: int) -> int:
    """Every hidden count below the threshold keeps an interval at least `threshold` wide, unless the
    links alone (no figure published) already pin it that tightly. Returns how many were checked."""
    checked = 0
    for name in attacker.hidden_small(threshold):
        low, high = attacker.interval(name)
        assert low - 1e-6 <= attacker.true_value(name) <= high + 1e-6
        if high - low >= threshold:
            checked += 1
            continue
        blind_low, blind_high = attacker.interval(name, blind=True)
        assert high - low >= min(threshold, blind_high - blind_low) - 1e-6, (name, low, high, attacker.true_value(name))
        checked += 1
    return checked


def attacker_for(project) -> Attacker:
    """The attacker holding every report the project ever published, all of whose periods are frozen: each
    snapshot of each period, so both versions of a report that was unlocked and submitted again."""
    attacker = Attacker()
    periods, read = [], 0
    for period in project.periods.order_by("start_date"):
        versions = []
        for snapshot in period.snapshots.order_by("created_at", "id"):
            attacker.read(read, snapshot.data, snapshot.data["published"])
            versions.append(read)
            read += 1
        assert versions, f"{period.label} has published no report"
        periods.append(versions)
    attacker.link_periods(periods)
    attacker.reports = periods
    return attacker
