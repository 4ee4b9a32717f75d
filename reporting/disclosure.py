"""Disclosure control across linked tables: no published figure, alone or with others, gives a small count away.

A reader of a project's donor reports holds every report submitted so far: each period's indicators with
their "project to date" column, each breakdown with its totals, and earlier versions of a report that was
unlocked and submitted again. Those figures are linked: a table's rows add up to its total, the "to date"
figures of two consecutive periods differ by the later period, the new and the continuing women make up
all women of a period, no more women attended than there were attendances. Subtraction across any of these
links undoes a hidden cell unless the hidden cells are chosen together. So this module treats the project
as one linked system, as national statistics offices treat linked tables:

1. Every figure of the report being produced, every figure of every report already published (as it was
   published: frozen, never recomputed) and every relation between them that holds in the data is put
   into one system. Counts of survivors are its unknowns; figures about professionals and activities
   (sessions held) are published as they are and enter only as constants.
2. Primary protection: a count of survivors below the project's threshold (zero too, unless the project
   publishes zeros) is hidden, or, with rounding, every count of survivors is rounded to a multiple of 5.
   A count that is zero because nothing took place (no group session held) protects no one and is shown.
3. The audit: for every protected count, a linear program (SciPy's `linprog` with HiGHS) finds the
   smallest and the largest value it could take given everything published. A hidden count must keep an
   interval at least as wide as the threshold; a rounded one at least as wide as a rounded zero (0 to 2).
4. Secondary protection: while a count fails the audit, the smallest other count of the new report that
   appears in one of the relations pinning it is hidden as well (the least information given up first),
   and the audit runs again. Earlier reports are never changed; when nothing left in the new report can
   protect a count, the report is refused and says which figure is at stake.

Hidden cells all look the same (HIDDEN): a reader cannot tell a small count from one hidden to protect it.

The module works on plain figures (the JSON a snapshot keeps) and a Schema that says what each figure
counts; it runs no query.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from math import ceil, floor

import numpy as np

HIDDEN = "x"
SUPPRESS = "suppress"
ROUND = "round5"
ROUNDING_BASE = 5
# A rounded figure r stands for r-2 .. r+2: the attacker may narrow it no further than a rounded zero (0..2).
ROUNDED_WIDTH = ROUNDING_BASE // 2
TOTAL_ROW = "\x00total"
# Unknowns are bounded above for the solver; an interval reaching this far is "unbounded".
_BIG = 10**7
_EPS = 1e-6
# The interval of a count whose program the solver did not solve: narrower than any need (so the audit
# refuses), and never taken for a count the links pin down (which would exempt it).
_UNSOLVED = (0.0, -1.0)


@dataclass(frozen=True)
class Policy:
    """How a project protects its reports: hide small counts (the default) or round every count to base 5."""

    method: str = SUPPRESS
    threshold: int = 5  # counts below this are protected
    publish_zeros: bool = False

    def as_dict(self) -> dict:
        return {"method": self.method, "threshold": self.threshold, "publish_zeros": self.publish_zeros}

    @classmethod
    def from_dict(cls, data: dict) -> "Policy":
        return cls(
            method=data.get("method", SUPPRESS),
            threshold=int(data.get("threshold", 5)),
            publish_zeros=bool(data.get("publish_zeros", False)),
        )


@dataclass(frozen=True)
class Quantity:
    """What one measure counts, as far as the links between figures are concerned."""

    sensitive: bool  # a count of survivors: protected
    people: bool = False  # distinct people: parts of a split overlap, so they do not add up
    people_of: str = ""  # events: the measure of the people they happened to (each of them had one at least)
    occasions: str = ""  # events: the measure of the occasions (at most one event per person and occasion)
    part_of: str = ""  # the measure this one is a part of (sessions of one kind -> all sessions)
    part_key: str = ""  # this part's row in its parent's split


@dataclass(frozen=True)
class Schema:
    quantities: dict  # measure code -> Quantity
    columns: dict  # a table's column code -> measure code
    beneficiaries: dict  # a new-and-continuing row -> measure code of the people it counts

    def part(self, parent: str, row_label: str) -> str:
        return self._parts.get((parent, row_label), "")

    @cached_property
    def _parts(self) -> dict:
        parts: dict = {}
        for code, quantity in self.quantities.items():
            parts.setdefault((quantity.part_of, quantity.part_key), code)
        return parts

    @cached_property
    def sensitive(self) -> frozenset:
        """The measures that count survivors."""
        return frozenset(code for code, quantity in self.quantities.items() if quantity.sensitive)


@dataclass
class Cell:
    key: tuple
    value: object
    measure: str
    # Every line the figure appears in, with the measure it stands for there: an indicator line, a
    # "to date" line, a table row. A line's people, events and occasions bound one another.
    rows: list = field(default_factory=list)


@dataclass
class Instance:
    """One version of one period's report: its true figures and, once published, what was shown."""

    order: int  # the period's place in the project (0 = first)
    figures: dict
    policy: Policy
    shown: dict | None = None  # key -> shown value (a number or HIDDEN); None while being protected
    first: bool = False  # the period starts with the project: its "to date" is the period itself
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # work done once per report


@dataclass
class Failure:
    key: tuple
    low: float
    high: float
    needed: int


@dataclass
class Protection:
    shown: dict  # key -> shown value
    policy: Policy
    failures: list = field(default_factory=list)
    lp_solves: int = 0
    lp_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


# Figures as cells.


def cells_of(figures: dict, schema: Schema, placed: list | None = None) -> dict[tuple, Cell]:
    """Every figure of one report, each under one key: a table's total is the indicator it equals.
    `placed` is given each table's {position: cell}, for the links of its rows and columns."""
    cells: dict[tuple, Cell] = {}
    indicators = {item["code"] for item in figures.get("indicators", [])}
    for item in figures.get("indicators", []):
        code = item["code"]
        cells[("v", code)] = Cell(("v", code), item["value"], code, [(("v",), code)])
        cells[("td", code)] = Cell(("td", code), item["to_date"], code, [(("td",), code)])
    for table in figures.get("tables", []):
        positions = {}
        for position, cell in _table_cells(table, schema, indicators):
            positions[position] = cell
            known = cells.setdefault(cell.key, cell)
            if known is not cell:
                known.rows.extend(cell.rows)
        if placed is not None:
            placed.append(positions)
    return cells


def _table_cells(table: dict, schema: Schema, indicators: set):
    """(position, Cell) for every cell of a table; position is ("row", r, c) or ("total", c)."""
    code = table["code"]
    columns = table["columns"]
    if table.get("row_totals"):
        # New and continuing: a row per kind of beneficiary; its last column is the row's total.
        for r, row in enumerate(table["rows"]):
            measure = schema.beneficiaries.get(row["label"], "")
            for c, column in enumerate(columns):
                last = c == len(columns) - 1
                if last and measure in indicators:
                    key = ("v", measure)
                    yield ("row", r, c), Cell(key, row["values"][c], measure, [(("v",), measure)])
                else:
                    # New and continuing have no companions of their own: no "rows" for them.
                    yield ("row", r, c), Cell(("nc", measure or row["label"], column), row["values"][c], measure)
        return
    for r, row in enumerate(table["rows"]):
        for c, column in enumerate(columns):
            measure = schema.columns.get(column, "")
            part = schema.part(measure, row["label"]) if measure else ""
            if part and part in indicators:
                key, context = ("v", part), ("t", code, row["label"])
            else:
                key, context = ("t", code, row["label"], column), ("t", code, row["label"])
            yield ("row", r, c), Cell(key, row["values"][c], measure, [(context, measure)])
    if table.get("total") is not None:
        for c, column in enumerate(columns):
            measure = schema.columns.get(column, "")
            if measure in indicators:
                key, context = ("v", measure), ("v",)
            else:
                key, context = ("t", code, TOTAL_ROW, column), ("t", code, TOTAL_ROW)
            yield ("total", c), Cell(key, table["total"][c], measure, [(context, measure)])


def shown_figures(figures: dict, shown: dict, schema: Schema) -> dict:
    """The report as published: figures with every protected cell replaced by what is shown."""
    indicators = {item["code"] for item in figures.get("indicators", [])}
    result = {"indicators": {}, "tables": {}}
    for item in figures.get("indicators", []):
        code = item["code"]
        result["indicators"][code] = [
            shown.get(("v", code), item["value"]),
            shown.get(("td", code), item["to_date"]),
        ]
    for table in figures.get("tables", []):
        rows = [list(row["values"]) for row in table["rows"]]
        total = list(table["total"]) if table.get("total") is not None else None
        for position, cell in _table_cells(table, schema, indicators):
            value = shown.get(cell.key, cell.value)
            if position[0] == "row":
                rows[position[1]][position[2]] = value
            else:
                total[position[1]] = value
        result["tables"][table["code"]] = {"rows": rows, "total": total}
    return result


def shown_of(figures: dict, published: dict, schema: Schema) -> dict:
    """The reverse of shown_figures: key -> shown value, read back from a published report."""
    indicators = {item["code"] for item in figures.get("indicators", [])}
    shown = {}
    for item in figures.get("indicators", []):
        value, to_date = published["indicators"].get(item["code"], [item["value"], item["to_date"]])
        shown[("v", item["code"])] = value
        shown[("td", item["code"])] = to_date
    for table in figures.get("tables", []):
        table_shown = published["tables"].get(table["code"])
        if table_shown is None:
            continue
        for position, cell in _table_cells(table, schema, indicators):
            if position[0] == "row":
                shown.setdefault(cell.key, table_shown["rows"][position[1]][position[2]])
            elif table_shown["total"] is not None:
                shown.setdefault(cell.key, table_shown["total"][position[1]])
    return shown


# The links between figures. Each is a candidate: it enters the system only where it holds in the data,
# so the system always has the true figures as a solution, and an attacker who assumes a link that
# usually holds (the periods tile the project, nobody came before it began) is assumed to be right.


@dataclass
class Relation:
    terms: dict  # (instance index, key) -> coefficient
    sense: str  # "==" or "<="
    rhs: float = 0.0


def _count(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Links:
    def __init__(self, instances: list[Instance], cells: list[dict], schema: Schema):
        self.instances = instances
        self.cells = cells
        self.schema = schema
        self.relations: list[Relation] = []

    def value(self, var):
        cell = self.cells[var[0]].get(var[1])
        return cell.value if cell is not None else None

    def add(self, terms: Iterable, sense: str, rhs: float = 0.0, *, also_weaker: str = "") -> None:
        """Add sum(coefficient * var) <sense> rhs where it holds; an equality that does not hold may
        still hold as the weaker inequality `also_weaker` ("<=" or ">=")."""
        cells, counted = self.cells, self.schema.sensitive
        merged: dict = {}
        left = 0.0
        for var, coefficient in terms:
            cell = cells[var[0]].get(var[1])
            if cell is None or not _count(cell.value):
                return
            value = cell.value
            merged[var] = merged.get(var, 0.0) + coefficient
            left += coefficient * value
        merged = {var: c for var, c in merged.items() if c}
        if not any(cells[var[0]][var[1]].measure in counted for var in merged):
            return
        if sense == "==" and abs(left - rhs) <= _EPS:
            self.relations.append(Relation(merged, "==", rhs))
        elif sense == "<=" and left <= rhs + _EPS:
            self.relations.append(Relation(merged, "<=", rhs))
        elif sense == ">=" and left >= rhs - _EPS:
            self.relations.append(Relation({var: -c for var, c in merged.items()}, "<=", -rhs))
        elif also_weaker:
            self.add(merged.items(), also_weaker, rhs)

    def build(self) -> list[Relation]:
        for index, instance in enumerate(self.instances):
            # A published report's own links do not change: worked out once per report and place.
            cached = instance.cache.get(("within", index))
            if cached is None:
                start = len(self.relations)
                self._within(index)
                instance.cache[("within", index)] = self.relations[start:]
            else:
                self.relations.extend(cached)
        self._across()
        return self.relations

    def _within(self, i: int) -> None:
        cells = self.cells[i]
        quantities = self.schema.quantities
        # Companions in one line (an indicator line, a to-date line, a table row): people, events, occasions.
        for members in _lines(cells).values():
            for measure, key in members.items():
                quantity = quantities.get(measure)
                if quantity is None or not quantity.people_of or quantity.people_of not in members:
                    continue
                people = (i, members[quantity.people_of])
                self.add([(people, 1), ((i, key), -1)], "<=")
                if quantity.occasions in members:
                    occasions = self.value((i, members[quantity.occasions]))
                    if _count(occasions):
                        self.add([((i, key), 1), (people, -occasions)], "<=")
        # Parts of an indicator (sessions by kind) add up to it, this period and to date.
        parents: dict[str, list[str]] = {}
        for code, quantity in quantities.items():
            if quantity.part_of:
                parents.setdefault(quantity.part_of, []).append(code)
        for parent, parts in parents.items():
            for line in ("v", "td"):
                terms = [((i, (line, part)), 1) for part in parts if (line, part) in cells]
                if terms:
                    self.add([*terms, ((i, (line, parent)), -1)], "==", also_weaker="<=")
        first = self.instances[i].first
        for key in cells:
            # A period's figure is part of the figure to date (all of it in the project's first period);
            # so are the period's new beneficiaries.
            if key[0] == "v" and ("td", key[1]) in cells:
                self.add([((i, key), 1), ((i, ("td", key[1])), -1)], "==" if first else "<=", also_weaker="<=")
            if key[0] == "nc" and key[2] == "new" and ("td", key[1]) in cells:
                self.add([((i, key), 1), ((i, ("td", key[1])), -1)], "==" if first else "<=", also_weaker="<=")
        tables = self.instances[i].figures.get("tables", [])
        for table, placed in zip(tables, self.instances[i].cache["placed"], strict=True):
            self._table(i, table, placed)

    def _table(self, i: int, table: dict, placed: dict) -> None:
        columns = table["columns"]
        if table.get("row_totals"):
            for r in range(len(table["rows"])):
                parts = [((i, placed[("row", r, c)].key), 1) for c in range(len(columns) - 1)]
                self.add([*parts, ((i, placed[("row", r, len(columns) - 1)].key), -1)], "==")
            return
        if table.get("total") is None:
            return
        for c, column in enumerate(columns):
            quantity = self.schema.quantities.get(self.schema.columns.get(column, ""))
            if quantity is None:
                continue
            total = (i, placed[("total", c)].key)
            rows = [(i, placed[("row", r, c)].key) for r in range(len(table["rows"]))]
            if quantity.people:
                for row in rows:
                    self.add([(row, 1), (total, -1)], "<=")
                self.add([*((row, 1) for row in rows), (total, -1)], "==", also_weaker=">=")
            else:
                self.add([*((row, 1) for row in rows), (total, -1)], "==", also_weaker="<=")

    def _across(self) -> None:
        by_order: dict[int, list[int]] = {}
        for index, instance in enumerate(self.instances):
            by_order.setdefault(instance.order, []).append(index)
        orders = sorted(by_order)
        # Versions of one period (a report unlocked and submitted again): a figure that did not change is
        # the same figure in both.
        for versions in by_order.values():
            for a_pos, a in enumerate(versions):
                for b in versions[a_pos + 1 :]:
                    for key in self.cells[a].keys() & self.cells[b].keys():
                        self.add([((a, key), 1), ((b, key), -1)], "==")
        # Consecutive periods: the later "to date" is the earlier one plus the later period.
        for before, after in zip(orders, orders[1:], strict=False):
            adjacent = after == before + 1
            for a in by_order[before]:
                for b in by_order[after]:
                    self._consecutive(a, b, adjacent)

    def _consecutive(self, a: int, b: int, adjacent: bool) -> None:
        for key in self.cells[b]:
            if key[0] != "td" or key not in self.cells[a]:
                continue
            code = key[1]
            quantity = self.schema.quantities.get(code)
            if quantity is None:
                continue
            earlier, later, period = (a, key), (b, key), (b, ("v", code))
            if quantity.people:
                self.add([(earlier, 1), (later, -1)], "<=")
                if adjacent:
                    self.add([(later, 1), (earlier, -1), (period, -1)], "<=")
                new, continuing = (b, ("nc", code, "new")), (b, ("nc", code, "continuing"))
                if new[1] in self.cells[b]:
                    # Nobody new in this period was counted before it; with no activity before the
                    # project began, exactly the new ones join the count to date, and the continuing
                    # ones were all counted in it already.
                    self.add([(new, 1), (later, -1), (earlier, 1)], "==" if adjacent else "<=", also_weaker="<=")
                    if adjacent:
                        self.add([(continuing, 1), (earlier, -1)], "<=")
            else:
                self.add([(earlier, 1), (period, 1), (later, -1)], "==" if adjacent else "<=", also_weaker="<=")


# The audit.


def _rounded(value: int) -> int:
    return ROUNDING_BASE * floor(value / ROUNDING_BASE + 0.5)


def _protected(cell: Cell, policy: Policy, schema: Schema, occasions_zero: bool) -> bool:
    """A count of survivors small enough to need protection (a zero where nothing took place needs none)."""
    quantity = schema.quantities.get(cell.measure)
    if quantity is None or not quantity.sensitive or not _count(cell.value):
        return False
    if cell.value == 0 and (policy.publish_zeros or occasions_zero):
        return False
    return cell.value < policy.threshold


def _lines(cells: dict) -> dict[tuple, dict[str, tuple]]:
    """line -> {measure: key}: the figures that stand side by side in one line of the report."""
    lines: dict[tuple, dict[str, tuple]] = {}
    for key, cell in cells.items():
        for line, measure in cell.rows:
            if measure:
                lines.setdefault(line, {})[measure] = key
    return lines


def _nothing_took_place(cells: dict, schema: Schema) -> set:
    """Keys of counts that are zero because their line's occasions are zero (no session was held)."""
    structural = set()
    for members in _lines(cells).values():
        for measure, key in members.items():
            quantity = schema.quantities.get(measure)
            if quantity is None or not quantity.occasions or quantity.occasions not in members:
                continue
            if cells[members[quantity.occasions]].value == 0:
                structural.add(key)
                if quantity.people_of in members:
                    structural.add(members[quantity.people_of])
    return structural


class _System:
    """The linked system of all instances, with what each published cell tells a reader."""

    def __init__(self, instances: list[Instance], schema: Schema):
        self.instances = instances
        self.schema = schema
        self.cells = []
        for instance in instances:
            if "cells" not in instance.cache:
                instance.cache["placed"] = []
                instance.cache["cells"] = cells_of(instance.figures, schema, instance.cache["placed"])
            self.cells.append(instance.cache["cells"])
        self.relations = _Links(instances, self.cells, schema).build()
        self.structural = [_nothing_took_place(cells, schema) for cells in self.cells]
        self.by_var: dict[tuple, list[int]] = {}
        for index, relation in enumerate(self.relations):
            for var in relation.terms:
                self.by_var.setdefault(var, []).append(index)
        self.solves = 0
        self.lp_seconds = 0.0  # CPU time in the linear programs: the audit's share of the work

    def value(self, var):
        return self.cells[var[0]][var[1]].value

    def sensitive(self, var) -> bool:
        return self.cells[var[0]][var[1]].measure in self.schema.sensitive

    def hideable(self, var, shown: dict) -> bool:
        """A count of the new report that hiding could help: shown now, and not zero for want of sessions."""
        return (
            self.sensitive(var)
            and shown.get(var[1]) != HIDDEN
            and _count(self.value(var))
            and var[1] not in self.structural[var[0]]
        )

    def bounds(self, var, shown: dict) -> tuple[float, float] | None:
        """What the reader knows of the cell on its own: None if exactly its value (a constant)."""
        if not self.sensitive(var):
            return None
        value = shown.get(var[1], self.value(var))
        if value == HIDDEN:
            return (0.0, float(_BIG))
        if self.instances[var[0]].policy.method == ROUND and var[1] not in self.structural[var[0]]:
            return (max(0.0, value - ROUNDED_WIDTH), float(value + ROUNDED_WIDTH))
        return None

    def needs(self, var, shown: dict) -> int | None:
        """The width the cell's interval must keep, or None if the cell needs no protection."""
        instance = self.instances[var[0]]
        cell = self.cells[var[0]][var[1]]
        if not _protected(cell, instance.policy, self.schema, var[1] in self.structural[var[0]]):
            return None
        value = shown.get(var[1], cell.value)
        if value == HIDDEN:
            return instance.policy.threshold
        if instance.policy.method == ROUND:
            return ROUNDED_WIDTH
        return None  # published as it is: nothing left to protect

    def unknowns(self, i: int, shown: dict) -> list:
        """The cells of report i a reader does not know exactly (a published report's never change)."""
        published = self.instances[i].shown is shown
        if published and "unknowns" in self.instances[i].cache:
            return self.instances[i].cache["unknowns"]
        found = [(i, key) for key in self.cells[i] if self.bounds((i, key), shown) is not None]
        if published:
            self.instances[i].cache["unknowns"] = found
        return found

    def components(self, shown_by_instance: list[dict]) -> list[tuple[list, list[int]]]:
        """Groups of unknowns linked by relations: (unknowns, relation indexes) for each group, in the order
        of their first unknown; each group's unknowns and relations in their own order."""
        from scipy.sparse import coo_array
        from scipy.sparse.csgraph import connected_components

        unknowns = [var for i, shown in enumerate(shown_by_instance) for var in self.unknowns(i, shown)]
        if not unknowns:
            return []
        # Each relation links its unknowns to the first of them met here; -1: it names none. Walked from the
        # unknowns (a few hundred) through the relations each is in, not through every term of every relation
        # (some 30,000 at ten times the bench's data, asked some twenty times for one report).
        firsts, linked, to = [-1] * len(self.relations), [], []
        for index, var in enumerate(unknowns):
            for relation in self.by_var.get(var, ()):
                first = firsts[relation]
                if first < 0:
                    firsts[relation] = index
                else:
                    linked.append(first)
                    to.append(index)
        links = coo_array((np.ones(len(linked)), (linked, to)), shape=(len(unknowns), len(unknowns)))
        labels = connected_components(links, directed=False)[1].tolist()
        groups: dict = {}
        for var, label in zip(unknowns, labels, strict=True):
            groups.setdefault(label, ([], []))[0].append(var)
        for index, first in enumerate(firsts):
            if first >= 0:
                groups[labels[first]][1].append(index)
        return list(groups.values())

    def intervals(
        self, groups: list[tuple[list, list[int]]], shown_by_instance: list[dict], only=None, skip=frozenset()
    ) -> dict:
        """var -> (low, high) for every cell that needs protection in the given groups (or the cells `only`),
        but those in `skip`.

        Exact where the interval is narrower than the cell needs; where it is wide enough, possibly only
        an inner part of it, found cheaply (two points the figures allow, far enough apart prove it).

        First, per group, the sum of its cells is minimised and maximised: one program for all groups, and
        for most cells the two solutions are already far enough apart. The cells left get a copy of their
        group each, per direction, side by side in a second program: the copies share nothing, so
        minimising the sum of their objectives minimises each.
        """
        wanted = []
        for members, relations in groups:
            targets = (
                [var for var in members if var in only]
                if only is not None
                else self.targets(members, shown_by_instance)
            )
            if skip:
                targets = [var for var in targets if var not in skip]
            if targets:
                wanted.append((members, relations, targets))
        if not wanted:
            return {}
        found = {}
        prepared: dict = {}  # each group's program, built once for all the programs below
        # Phase one: every group once with all its cells pushed down, which gives each a low value; then
        # with the cells pushed up, each no further than its low value plus the width it needs (so that no
        # cell takes a shared total all for itself), again with those still short of it, while that helps.
        # A cell that gets there needs nothing more.
        down = self._solve(
            [(m, r, [(var, 1.0) for var in t], "down") for m, r, t in wanted], shown_by_instance, prepared
        )
        lows, caps, pending = {}, {}, []
        for members, relations, targets in wanted:
            short = []
            for var in targets:
                if (id(members), "down", var) in down:
                    lows[var] = down[(id(members), "down", var)]
                    caps[var] = lows[var] + self._needed(var, shown_by_instance, only)
                    short.append(var)
            pending.append((members, relations, short))
        while any(short for _m, _r, short in pending):
            up = self._solve(
                [
                    (m, r, [(var, -1.0) for var in short], "up", {var: caps[var] for var in short})
                    for m, r, short in pending
                    if short
                ],
                shown_by_instance,
                prepared,
            )
            still = []
            for members, relations, short in pending:
                reached = [var for var in short if up.get((id(members), "up", var), -1) >= caps[var]]
                for var in reached:
                    found[var] = (lows[var], caps[var])
                # A group where nobody got further is left to the exact programs below.
                still.append((members, relations, [var for var in short if var not in reached] if reached else []))
            pending = still
        left = []
        for members, relations, targets in wanted:
            exact = [var for var in targets if var not in found]
            if exact:
                left.append((members, relations, exact))
        # Phase two: each cell pushed down and up on its own, one program per group with only its objective
        # changed from one cell to the next (the solver starts from the last answer, a few steps away).
        for members, relations, exact in left:
            points = self._solve_each(members, relations, exact, shown_by_instance, prepared)
            for var in exact:
                low, high = points.get((var, 1.0)), points.get((var, -1.0))
                # The true figures always solve the system; a solver fault protects nothing: refuse.
                found[var] = (low, high) if low is not None and high is not None else _UNSOLVED
        return found

    def _program(self, members, relations, shown_by_instance, prepared=None) -> "_Block":
        """The group's cells (their bounds) and its relations, with every cell outside the group at its
        published value. `prepared` keeps it for the calls that follow with the same cells shown."""
        key = id(members)
        if prepared is not None and key in prepared:
            return prepared[key]
        local = {var: index for index, var in enumerate(members)}
        bounds = [self.bounds(var, shown_by_instance[var[0]]) for var in members]
        # Inequalities first, then equalities, each in the order of the relations.
        kinds = {"<=": ([], [], [], []), "==": ([], [], [], [])}
        for relation_index in relations:
            relation = self.relations[relation_index]
            rhs = relation.rhs
            starts, columns, values, rhss = kinds["==" if relation.sense == "==" else "<="]
            starts.append(len(columns))
            for var, coefficient in relation.terms.items():
                column = local.get(var)
                if column is None:
                    rhs -= coefficient * self.value(var)
                else:
                    columns.append(column)
                    values.append(coefficient)
            rhss.append(rhs)
        ub, eq = kinds["<="], kinds["=="]
        block = _Block(
            local=local,
            lower=np.array([low for low, _high in bounds], dtype=float),
            upper=np.array([high for _low, high in bounds], dtype=float),
            rows=_Rows(
                low=np.array([-np.inf] * len(ub[3]) + eq[3], dtype=float),
                high=np.array(ub[3] + eq[3], dtype=float),
                starts=np.array(ub[0] + [len(ub[1]) + start for start in eq[0]], dtype=np.int32),
                columns=np.array(ub[1] + eq[1], dtype=np.int32),
                values=np.array(ub[2] + eq[2], dtype=float),
            ),
        )
        if prepared is not None:
            prepared[key] = block
        return block

    def targets(self, members, shown_by_instance) -> list:
        return [var for var in members if self.needs(var, shown_by_instance[var[0]]) is not None]

    def _needed(self, var, shown_by_instance, only) -> float:
        needed = self.needs(var, shown_by_instance[var[0]])
        return float(_BIG) if needed is None else needed

    def _solve(self, blocks: list, shown_by_instance: list[dict], prepared: dict) -> dict:
        """One linear program of independent blocks (members, relations, [(cell, sign)], tag[, caps]): each
        block minimises the sum of sign x cell over its own copy of its group (caps: upper bounds of its own).
        Returns (id(members), tag, cell) -> the cell's value in that block's solution (rounded inwards)."""
        lowers, uppers, parts, objective = [], [], [], {}
        answers = []
        offset = 0
        for members, relations, cells, tag, *caps in blocks:
            block = self._program(members, relations, shown_by_instance, prepared)
            upper = block.upper
            if caps and caps[0]:
                upper = upper.copy()
                for var, cap in caps[0].items():
                    upper[block.local[var]] = min(upper[block.local[var]], cap)
            lowers.append(block.lower)
            uppers.append(upper)
            parts.append((offset, block.rows))
            for var, sign in cells:
                column = offset + block.local[var]
                objective[column] = sign
                answers.append(((id(members), tag, var), column, sign))
            offset += len(block.local)
        program = _Program(np.concatenate(lowers), np.concatenate(uppers), _Rows.joined(parts))
        self.solves += 1
        started = time.process_time()
        solution = program.minimise(objective)
        self.lp_seconds += time.process_time() - started
        if solution is None:
            return {}
        return {
            key: (ceil(solution[column] - _EPS) if sign > 0 else floor(solution[column] + _EPS))
            for key, column, sign in answers
        }

    def _solve_each(self, members, relations, cells, shown_by_instance, prepared: dict) -> dict:
        """(cell, sign) -> the cell's smallest (sign 1) or largest (sign -1) value the group allows, for each
        cell: one program of the group, solved again with each cell's objective, each time from the answer
        before (a few steps away), instead of a copy of the group per cell."""
        block = self._program(members, relations, shown_by_instance, prepared)
        program = _Program(block.lower, block.upper, block.rows)
        found = {}
        for var in cells:
            for sign in (1.0, -1.0):
                self.solves += 1
                started = time.process_time()
                solution = program.minimise({block.local[var]: sign})
                self.lp_seconds += time.process_time() - started
                if solution is not None:
                    value = solution[block.local[var]]
                    found[(var, sign)] = ceil(value - _EPS) if sign > 0 else floor(value + _EPS)
        return found


@dataclass
class _Rows:
    """A program's rows, each low <= sum(value x column) <= high (low -inf: an inequality), in the
    compressed form HiGHS takes: row r's entries are columns[starts[r]:starts[r + 1]]."""

    low: "np.ndarray"
    high: "np.ndarray"
    starts: "np.ndarray"
    columns: "np.ndarray"
    values: "np.ndarray"

    @classmethod
    def of(cls, rows: list) -> "_Rows":
        """From [(entries [(column, value)], low or None, high)]."""
        starts, columns, values = [], [], []
        for entries, _low, _high in rows:
            starts.append(len(columns))
            for column, value in entries:
                columns.append(column)
                values.append(value)
        return cls(
            low=np.array([-np.inf if low is None else low for _entries, low, _high in rows], dtype=float),
            high=np.array([high for _entries, _low, high in rows], dtype=float),
            starts=np.array(starts, dtype=np.int32),
            columns=np.array(columns, dtype=np.int32),
            values=np.array(values, dtype=float),
        )

    @classmethod
    def joined(cls, parts: list) -> "_Rows":
        """The rows of independent blocks side by side: [(column offset, rows)]."""
        starts, entries = [], 0
        for _offset, rows in parts:
            starts.append(rows.starts + entries)
            entries += len(rows.columns)
        return cls(
            low=np.concatenate([rows.low for _offset, rows in parts]),
            high=np.concatenate([rows.high for _offset, rows in parts]),
            starts=np.concatenate(starts).astype(np.int32),
            columns=np.concatenate([rows.columns + offset for offset, rows in parts]).astype(np.int32),
            values=np.concatenate([rows.values for _offset, rows in parts]),
        )


@dataclass
class _Block:
    """One group's program: its cells' columns, their bounds and its rows."""

    local: dict
    lower: "np.ndarray"
    upper: "np.ndarray"
    rows: _Rows


class _Program:
    """A linear program (bounds, rows of [(column, coefficient)] between a low and a high, None meaning
    unbounded), minimised for one objective after another with HiGHS: SciPy's own copy of it, driven
    directly so that a changed objective starts from the last basis (SciPy's `linprog` starts from nothing
    and checks its inputs and options on every call). Where that copy cannot be reached, `linprog`."""

    def __init__(self, lower, upper, rows: _Rows):
        self.n = len(lower)
        self.lower, self.upper, self.rows = lower, upper, rows
        self.costs = {}
        try:
            from scipy.optimize._highspy._core import HighsModelStatus, _Highs
        except ImportError:  # a SciPy that moved it: the same answers through linprog
            self.highs = None
            return
        self.optimal = HighsModelStatus.kOptimal
        self.highs = _Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        # Programs of a few hundred columns, each solved again and again from its last basis: reducing one
        # first costs more than it saves (the live quarter's protection at 10x: 737 -> 657 ms, the same answers).
        self.highs.setOptionValue("presolve", "off")
        self.highs.addVars(self.n, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))
        if len(rows.low):
            self.highs.addRows(
                len(rows.low), rows.low, rows.high, len(rows.columns), rows.starts, rows.columns, rows.values
            )

    def minimise(self, objective):
        """The solution minimising the objective (a list of every column's cost, or {column: cost} with
        every other column at 0), or None when the solver finds none."""
        costs = objective if isinstance(objective, dict) else {c: v for c, v in enumerate(objective) if v}
        if self.highs is None:
            return self._linprog(costs)
        changed = {column: 0.0 for column in self.costs if column not in costs} | costs
        if changed:
            self.highs.changeColsCost(
                len(changed),
                np.array(list(changed), dtype=np.int32),
                np.array(list(changed.values()), dtype=float),
            )
        self.costs = costs
        self.highs.run()
        if self.highs.getModelStatus() != self.optimal:
            return None
        return self.highs.getSolution().col_value

    def _linprog(self, costs):
        from scipy.optimize import linprog
        from scipy.sparse import csr_array

        objective = np.zeros(self.n)
        for column, cost in costs.items():
            objective[column] = cost
        rows = self.rows
        matrix = csr_array(
            (rows.values, rows.columns, np.append(rows.starts, len(rows.columns))), shape=(len(rows.low), self.n)
        )
        inequality = np.isneginf(rows.low)
        equality = ~inequality
        outcome = linprog(
            objective,
            A_ub=matrix[inequality] if inequality.any() else None,
            b_ub=rows.high[inequality] if inequality.any() else None,
            A_eq=matrix[equality] if equality.any() else None,
            b_eq=rows.high[equality] if equality.any() else None,
            bounds=np.column_stack([self.lower, self.upper]),
            method="highs",
        )
        return outcome.x if outcome.status == 0 else None


def audit(instances: list[Instance], schema: Schema) -> list[Failure]:
    """Every protected count of every published report, checked against all published figures.

    A count the links alone pin down (with every count of every report hidden) gives nothing away: it
    is asked for no more than that."""
    system = _System(instances, schema)
    shown = [instance.shown or {} for instance in instances]
    found = system.intervals(system.components(shown), shown)
    failures = []
    for var, (low, high) in found.items():
        needed = system.needs(var, shown[var[0]])
        if needed is not None and high - low < needed:
            failures.append(Failure(var, low, high, needed))
    if failures:
        blind = [
            {key: HIDDEN for key in cells if system.sensitive((index, key))} for index, cells in enumerate(system.cells)
        ]
        wanted = {failure.key for failure in failures}
        groups = [group for group in system.components(blind) if wanted & set(group[0])]
        widths = {
            var: high - low
            for var, (low, high) in system.intervals(groups, blind, only=wanted).items()
            if (low, high) != _UNSOLVED  # unknown: no exemption
        }
        failures = [f for f in failures if f.high - f.low < min(f.needed, widths.get(f.key, f.needed))]
    return sorted(failures, key=lambda failure: (failure.key[0], str(failure.key[1])))


def protect(*, figures: dict, order: int, first: bool, policy: Policy, published: list[Instance], schema: Schema):
    """Choose what the new report shows, given every report already published (which stays as it was)."""
    instances = [*published, Instance(order=order, figures=figures, policy=policy, first=first)]
    new = len(instances) - 1
    system = _System(instances, schema)
    shown: dict = {}
    for key, cell in system.cells[new].items():
        if not system.sensitive((new, key)) or not _count(cell.value):
            continue
        if _protected(cell, policy, schema, key in system.structural[new]):
            shown[key] = HIDDEN if policy.method == SUPPRESS else _rounded(cell.value)
        elif policy.method == ROUND and key not in system.structural[new]:
            shown[key] = _rounded(cell.value)
    shown_by_instance = [instance.shown or {} for instance in published] + [shown]
    best = _Best(system, shown_by_instance, new)
    _hide_beside_lone_unknowns(system, shown_by_instance, new, best)
    cache: dict = {}
    while True:
        failing = _failing_groups(system, shown_by_instance, new, cache, best)
        if not failing:
            break
        added = False
        for _members, failures in failing:
            candidate = _secondary(system, shown, new, failures)
            if candidate is not None and shown.get(candidate) != HIDDEN:
                shown[candidate] = HIDDEN
                added = True
        if not added:
            break
    failures = [failure for _members, found in failing for failure in found]
    failures.sort(key=lambda failure: (failure.key[0], str(failure.key[1])))
    return Protection(
        shown=shown, policy=policy, failures=failures, lp_solves=system.solves, lp_seconds=system.lp_seconds
    )


def _touching(system: _System, groups: list, new: int) -> list:
    """The groups the new report takes part in: through an unknown of its own or a relation naming it."""
    return [
        (members, relations)
        for members, relations in groups
        if any(var[0] == new for var in members)
        or any(any(var[0] == new for var in system.relations[index].terms) for index in relations)
    ]


_PROBE_AFTER = 10


def _failing_groups(system: _System, shown_by_instance: list[dict], new: int, cache: dict, best) -> list:
    """(unknowns, failures) of each group of the new report whose audit fails."""
    groups = _touching(system, system.components(shown_by_instance), new)
    keys = {id(members): _group_key(members, shown_by_instance) for members, _relations in groups}
    pending = [group for group in groups if keys[id(group[0])] not in cache]
    # Hiding one more cell only widens every interval (a known figure becomes an unknown), so a count that
    # was wide enough stays so while the loop in protect() hides more: it is not worked out again each time
    # its group grows by a hidden cell (an exact program per count of every published report, each time).
    # Nor is a count already as wide as any hiding can make it, or one the links alone pin down (see _Best).
    passed = cache.setdefault("passed", {})
    skip = best.pinned | {
        var for var, needed in passed.items() if system.needs(var, shown_by_instance[var[0]]) == needed
    }
    # When many counts failed last round, the first is tried alone: while it still fails, its group still
    # fails and the others wait (dozens of counts of earlier reports often fail together, and are freed
    # together, rounds later). A few are all tried, so that the next cell hidden is chosen beside them all.
    failed_before = cache.setdefault("failed", set())
    probes, deferred = {}, {}
    for members, _relations in pending:
        earlier = sorted((var for var in members if var in failed_before and var not in skip), key=str)
        if len(earlier) > _PROBE_AFTER:
            probes[id(members)] = earlier[0]
            deferred[id(members)] = set(earlier[1:])
    found = system.intervals(pending, shown_by_instance, skip=skip.union(*deferred.values()))

    def fails(var) -> bool:
        needed = system.needs(var, shown_by_instance[var[0]])
        return var in found and needed is not None and found[var][1] - found[var][0] < needed

    waiting = set()
    rest = []
    for members, relations in pending:
        if id(members) not in probes:
            continue
        if fails(probes[id(members)]):
            waiting |= deferred[id(members)]
        elif deferred[id(members)]:
            rest.append((members, relations))
    if rest:
        found.update(system.intervals(rest, shown_by_instance, only=set().union(*(deferred[id(m)] for m, _r in rest))))
    failed_before.clear()
    failed_before |= waiting
    for members, _relations in pending:
        failures = []
        for var in members:
            if var not in found:
                continue
            low, high = found[var]
            needed = system.needs(var, shown_by_instance[var[0]])
            if needed is not None and high - low < needed:
                failures.append(Failure(var, low, high, needed))
                failed_before.add(var)
            elif needed is not None:
                passed[var] = needed
        cache[keys[id(members)]] = failures
    failing = [(members, cache[keys[id(members)]]) for members, _relations in groups if cache[keys[id(members)]]]
    if not failing:
        return []
    best.prepare([failure.key for _members, failures in failing for failure in failures])
    result = []
    for members, failures in failing:
        real = []
        for failure in failures:
            if failure.high - failure.low < min(failure.needed, best.width(failure.key)):
                real.append(failure)
            else:  # as wide as any hiding can make it: settled for good
                passed[failure.key] = failure.needed
        if real:
            result.append((members, real))
    return result


def _group_key(members: list, shown_by_instance: list[dict]) -> frozenset:
    """A group as the audit last saw it: its unknowns and which of them are hidden. Hiding a count makes it
    a new unknown, which changes the group, except a rounded count: an unknown already (r-2 to r+2), it is
    only widened. Keyed by its unknowns alone, a group whose rounded counts were hidden kept the failures
    found before, and the report was refused although hiding them had protected every count."""
    return frozenset((var, shown_by_instance[var[0]].get(var[1]) == HIDDEN) for var in members)


def _hide_beside_lone_unknowns(system: _System, shown_by_instance: list[dict], new: int, best) -> None:
    """Before any linear program: a protected count alone with published figures in an equation (a total
    and its other rows, two consecutive "to date" figures) is given away by subtraction; hide the smallest
    other count of the new report in that equation. Cheap, and it settles most cases."""
    shown = shown_by_instance[new]
    lone: dict = {}
    changed = True
    while changed:
        changed = False
        for relation in system.relations:
            if relation.sense != "==" or not any(var[0] == new for var in relation.terms):
                continue
            unknowns = [var for var in relation.terms if system.bounds(var, shown_by_instance[var[0]]) is not None]
            if len(unknowns) != 1 or system.needs(unknowns[0], shown_by_instance[unknowns[0][0]]) is None:
                continue
            candidates = [
                var[1]
                for var in relation.terms
                if var[0] == new and system.hideable(var, shown) and var not in unknowns
            ]
            if candidates:
                lone.setdefault(unknowns[0], []).append(candidates)
        if lone:
            best.prepare(list(lone))
            for var, choices in lone.items():
                if best.width(var) <= 0:
                    continue  # pinned by the links alone: hiding more would not help
                for candidates in choices:
                    still = [key for key in candidates if shown.get(key) != HIDDEN]
                    if len(still) == len(candidates):
                        shown[min(still, key=lambda key: (system.value((new, key)), str(key)))] = HIDDEN
                        changed = True
            lone = {}


class _Best:
    """The widest interval a count can have at all: with every count of the new report hidden.

    Some counts are pinned by the links alone (nobody is "continuing" in a project's first period):
    they give nothing away, and no hiding would widen them. A count is asked for the width it needs, or
    for this, whichever is smaller.
    """

    def __init__(self, system: _System, shown_by_instance: list[dict], new: int):
        self.system = system
        everything = {key: HIDDEN for key in system.cells[new] if system.sensitive((new, key))}
        self.shown = [*shown_by_instance[:-1], everything]
        self.widths: dict = {}
        self.pinned: set = set()  # counts no hiding can widen at all

    def prepare(self, variables: list) -> None:
        wanted = {var for var in variables if var not in self.widths}
        if not wanted:
            return
        groups = [group for group in self.system.components(self.shown) if wanted & set(group[0])]
        found = self.system.intervals(groups, self.shown, only=wanted)
        for var in wanted:
            interval = found.get(var, (0, _BIG))
            if interval == _UNSOLVED:
                # Unknown, so not known to be pinned: the count is asked for all the width it needs.
                self.widths[var] = float(_BIG)
                continue
            low, high = interval
            self.widths[var] = high - low
            if high - low <= 0:
                self.pinned.add(var)

    def width(self, var) -> float:
        self.prepare([var])
        return self.widths[var]


def _secondary(system: _System, shown: dict, new: int, failures: list[Failure]):
    """The cell to hide next for a failing group: the smallest count of the new report in a relation with
    a failing cell, else the smallest of the nearest ones further out: a failing count of an earlier report
    is reached through the chain of "to date" figures (trying the group's smallest count anywhere instead
    took dozens of rounds, each an exact program per failing count)."""

    def beside(ring: list) -> list:
        following = []
        for var in ring:
            for index in system.by_var.get(var, []):
                for other in system.relations[index].terms:
                    if other not in seen:
                        seen.add(other)
                        following.append(other)
        return following

    seen = {failure.key for failure in failures}
    ring = list(seen)
    ring += beside(ring)
    while ring:
        candidates = {var[1] for var in ring if var[0] == new and system.hideable(var, shown)}
        if candidates:
            return min(candidates, key=lambda key: (system.value((new, key)), str(key)))
        ring = beside(ring)
    return None
