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
  in the first period, to date is the period, and everyone is new.
"""

import numpy as np
from scipy.optimize import linprog

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

    def read(self, index: int, figures: dict, published: dict) -> None:
        """Take in one published report (index = the period's place in the project)."""
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

    def link_periods(self, count: int) -> None:
        """The reports of periods 0..count-1, each read once: consecutive "to date" figures."""
        for code in SURVIVOR_INDICATORS:
            people = code in PEOPLE.values()
            first_td, first_v = (0, "td", code), (0, "v", code)
            self.equal((first_td, 1), (first_v, -1))
            if people:
                self.equal(((0, "new", code), 1), (first_v, -1))
            for index in range(1, count):
                before, after, period = (index - 1, "td", code), (index, "td", code), (index, "v", code)
                if people:
                    self.equal((after, 1), (before, -1), ((index, "new", code), -1))
                    self.at_most((after, 1), (before, -1), (period, -1))
                    self.at_most(((index, "continuing", code), 1), (before, -1))
                else:
                    self.equal((after, 1), (before, -1), (period, -1))

    def interval(self, name, *, blind=False):
        """The smallest and largest value the figure can take given what is published (blind: given
        nothing but the links, as if every count of survivors were hidden)."""
        n = len(self.truth)
        index = self.names
        bounds = [(0, 10**7)] * n
        eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []
        for terms, rhs in self.eq:
            if blind and len(terms) == 1:
                continue
            row = np.zeros(n)
            for key, coefficient in terms.items():
                row[index[key]] += coefficient
            eq_rows.append(row)
            eq_rhs.append(rhs)
        for terms, rhs in self.ub:
            row = np.zeros(n)
            for key, coefficient in terms.items():
                row[index[key]] += coefficient
            ub_rows.append(row)
            ub_rhs.append(rhs)
        found = []
        for sign in (1, -1):
            objective = np.zeros(n)
            objective[index[name]] = sign
            result = linprog(
                objective,
                A_eq=np.array(eq_rows) if eq_rows else None,
                b_eq=eq_rhs or None,
                A_ub=np.array(ub_rows) if ub_rows else None,
                b_ub=ub_rhs or None,
                bounds=bounds,
                method="highs",
            )
            assert result.status == 0, (name, result.message)
            found.append(result.x[index[name]])
        return round(found[0], 6), round(found[1], 6)

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
    """The attacker holding every report of the project, all of whose periods are frozen (each read once,
    in its latest version)."""
    attacker = Attacker()
    periods = list(project.periods.order_by("start_date"))
    for index, period in enumerate(periods):
        snapshot = period.snapshots.order_by("-created_at", "-id").first()
        attacker.read(index, snapshot.data, snapshot.data["published"])
    attacker.link_periods(len(periods))
    return attacker
