"""The constraint engine: person counts, the sums a reader knows, and choosing what to hide.

A `CellSystem` holds every count a reader may reason about and every linear
relation between them (total = sum of parts), as whole numbers of at least 0.
Published cells are the figures of the reports; auxiliary cells are never
published but follow from them (patients not diagnosed, the months before
the latest 12, the patients added between two editions). A cell may have an
upper bound every reader knows (its analyses: a patient has at least one) and
the attackers who know it exactly (a region knows its own counts, a group's
network its own group's), and may be a headline figure (never hidden; rounded
if it must give).

`choose()` picks each cell's `Status`: "<5" for counts from 1 to
``min_count - 1``, then, as long as `reportgen.audit` finds a hidden count
that some attacker narrows below ``min_range`` values, it adds the cheapest
protection for it, found by a mixed-integer program (HiGHS through
`scipy.optimize.milp`). The program asks for two tables of whole numbers that
agree with everything the attacker sees (the published values, the markers'
ranges, every relation, what the attacker knows) whose values of the cell lie
``min_range - 1`` apart, letting it hide more cells (cost: about the
information lost, so small cells first), round a headline figure (cost: very
high) or turn a "<5" into "x" (any count from 0). This is the attacker's
interval problem of τ-ARGUS' "modular" method and of GaussSuppression, one
hidden cell at a time over the relations near it; the audit then checks the
whole pattern exactly, and the loop goes on until it passes. Hiding, rounding
and concealing only widen what a reader can deduce, so earlier protection
stays.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from reportgen.messages import _
from reportgen.suppression_values import Status, rounding_interval

CONCEAL_COST = 4.0  # showing a "<5" as "x"
# Hiding a headline figure: the last resort, where rounding it cannot protect a count (rounding is a known
# interval around the true value: with two regions and one of them the attacker, it may not be wide enough).
HEADLINE_HIDING_COST = 100000.0
MAX_ROUNDS = 50
# The cells a protecting program may take in before it looks further only if nothing nearer protects: a
# consolidated table of 130 groups would otherwise bring every group's tables into one program. Leaving a cell
# out fixes it at its value, which only narrows what the program may use: what it finds still protects.
SCOPE_BUDGET = 2000
# A sum of more cells than this (a category of many groups) brings its parts into a program, but not their tables.
LARGE_SUM = 60
# A program larger than this is solved only where nothing nearer protects without hiding a headline figure.
SMALL_SCOPE = 800
NO_HEADLINE = 500.0  # a protection cheaper than this rounds no headline figure
# The costs are a judgement, not a measurement: a solution within 30 % of the cheapest is as good. A node
# limit, never a time limit, so that the same figures give the same pattern on any machine under any load.
MILP_OPTIONS = {"mip_rel_gap": 0.3, "node_limit": 500}


@dataclass
class Cell:
    key: Hashable
    raw: int
    aux: bool = False  # never published
    upper: int | None = None  # a bound every reader knows
    known_by: frozenset = frozenset()  # attackers who know the cell exactly, e.g. ("region", "sjaelland")
    headline: float = 0  # never hidden; rounded if it must give, at this cost (0: not a headline figure)
    label: str = ""  # the cell in words, for messages
    where: object = None  # what the cell belongs to (a group id, a category), for locating messages
    sensitive: bool = False  # an auxiliary count a reader could work out that is protected when small (added patients)
    slot: Hashable = None  # cells of one slot (patients, diagnosed, not diagnosed of one place) go together


class Unprotectable(Exception):
    """No further hiding or rounding protects a cell; the message says which and why."""

    def __init__(self, cell: Cell, attacker: str, why: str):
        self.cell, self.attacker, self.why = cell, attacker, why
        super().__init__(f"{cell.label or cell.key!r}: {why}")


class CellSystem:
    """Cells and sums; `choose()` gives each published cell a `Status`."""

    def __init__(self, min_count: int, min_range: int = 3, rounding_base: int = 5):
        if min_count < 1 or min_range < 1 or rounding_base < 1:
            raise ValueError("min_count, min_range and rounding_base must be at least 1")
        self.min_count, self.min_range, self.rounding_base = min_count, min_range, rounding_base
        self.cells: list[Cell] = []
        self.index: dict[Hashable, int] = {}
        self.sums: list[tuple[int, tuple[int, ...]]] = []  # (total, parts)
        self.cell_sums: list[list[int]] = []
        self.members: list[tuple[int, ...]] = []  # each sum's cells, once each
        self.slots: dict[Hashable, list[int]] = {}

    def add_cell(self, key: Hashable, raw: int, **kw) -> None:
        if key in self.index:
            raise ValueError(f"cell {key!r} added twice")
        if raw < 0:
            raise ValueError(f"cell {key!r} has a negative count {raw}")
        self.index[key] = len(self.cells)
        self.cells.append(Cell(key, raw, **kw))
        self.cell_sums.append([])
        self.slots.setdefault(self.cells[-1].slot or key, []).append(len(self.cells) - 1)

    def add_sum(self, total: Hashable, parts: Sequence[Hashable]) -> None:
        """`total` = sum of `parts`, a relation every reader knows (a table, or one that follows from tables)."""
        t = self.index[total]
        ps = tuple(self.index[p] for p in parts)
        if sum(self.cells[p].raw for p in ps) != self.cells[t].raw:
            raise ValueError(f"parts of {total!r} do not add up to it")
        n = len(self.sums)
        self.sums.append((t, ps))
        self.members.append(tuple(sorted({t, *ps})))
        for c in {t, *ps}:
            self.cell_sums[c].append(n)

    def close_knowledge(self) -> None:
        """What an attacker knows, extended by what follows from it alone (not from published figures).

        A category's total of a single group is that group's own total; a part
        whose total and other parts a region knows (or are zeros, always published) is its own count too.
        Working these out reveals nothing about anyone else.
        """
        changed = True
        while changed:
            changed = False
            for t, ps in self.sums:
                members = (t, *ps)
                for tag in set().union(*(self.cells[j].known_by for j in members)):
                    # a zero is always published (only counts from 1 are ever hidden): everyone knows it
                    unknown = [j for j in members if tag not in self.cells[j].known_by
                               and (self.cells[j].raw or self.cells[j].aux)]
                    if len(unknown) == 1:
                        cell = self.cells[unknown[0]]
                        cell.known_by = cell.known_by | {tag}
                        changed = True

    def primary_status(self) -> list[Status]:
        m = self.min_count
        return [Status.WITHHELD if c.aux else Status.PRIMARY if 0 < c.raw < m else Status.PUBLISHED
                for c in self.cells]

    def domain(self, i: int, status: Status) -> tuple[int, float]:
        """What a reader knows of cell `i` from its published text alone (and its upper bound)."""
        c = self.cells[i]
        hi = math.inf if c.upper is None else c.upper
        if status is Status.PUBLISHED:
            return c.raw, c.raw
        if status is Status.ROUNDED:
            lo, top = rounding_interval(c.raw, self.rounding_base)
            return lo, min(top, hi)
        if status is Status.PRIMARY:
            return 1, min(self.min_count - 1, hi)
        # "x" (SECONDARY, WITHHELD) and auxiliary cells: any count from 0. An "x" is usually at least min_count,
        # but a "<5" hidden as "x" is not, and the text does not tell them apart.
        return 0, hi

    def near(self, start: int, hops: int | None, budget: int | None = None) -> set[int]:
        """Cells within `hops` sums of `start` (all connected ones if None), whole slots at a time.

        With a `budget`, a sum is taken in only while the cells stay within it (the smaller sums of a hop first),
        and the parts of a sum of more than LARGE_SUM cells are taken in without the tables they belong to.
        """
        seen = set(self.slots[self.cells[start].slot or self.cells[start].key])
        frontier, depth = list(seen), 0
        while frontier and (hops is None or depth < hops):
            depth += 1
            nxt = []
            sums = {s for c in frontier for s in self.cell_sums[c]}
            for s in sorted(sums, key=lambda s: (len(self.members[s]), s)):
                new = {k for j in self.members[s] if j not in seen
                       for k in self.slots[self.cells[j].slot or self.cells[j].key]} - seen
                if budget is not None and len(seen) + len(new) > budget:
                    continue
                if len(self.members[s]) > LARGE_SUM:  # a consolidated table: of the parts, only the cells themselves
                    t = self.sums[s][0]
                    nxt.extend(sorted(k for k in self.slots[self.cells[t].slot or self.cells[t].key] if k in new))
                else:
                    nxt.extend(sorted(new))
                seen |= new
            frontier = nxt
        return seen

    def choose(self) -> list[Status]:
        """Each cell's status, protected against every attacker of `reportgen.audit`."""
        from reportgen.audit import audit, still_narrow  # the independent check is the loop's condition

        status = self.primary_status()
        cache: dict = {}
        for __ in range(MAX_ROUNDS):
            failures = audit(self, status, cache=cache).failures
            if not failures:
                return status
            done: set[int] = set()
            memo: dict = {}
            for f in failures:
                if f.cell in done or (done and not still_narrow(self, status, f, memo, cache)):
                    continue
                done.add(f.cell)
                self.protect(f.cell, f.attacker_knows, f.attacker, status)
        raise AssertionError("suppression did not settle")  # each round hides at least one more cell

    # --- protecting one cell against one attacker: a small mixed-integer program

    def protect(self, target: int, knows: frozenset, attacker: str, status: list[Status]) -> None:
        """Hide, round or conceal the cheapest cells so that `target` spans min_range values for the attacker."""
        best, seen = None, 0
        sizes = {hops: len(self.near(target, hops, SCOPE_BUDGET)) for hops in (1, 2, 3, None)}
        for hops, wider in ((1, 2), (2, 3), (3, None), (None, None)):
            size = sizes[hops]
            if size == seen:  # the wider search holds no more cells
                break
            if wider != hops and sizes[wider] <= 1.5 * size:  # about as large: the wider program alone
                continue
            if size > SMALL_SCOPE and best is not None and best[0] < HEADLINE_HIDING_COST:
                break
            seen = size
            found = self._cheapest(target, knows, status, hops, SCOPE_BUDGET)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
            if best is not None and best[0] < NO_HEADLINE:  # a wider search could only round a headline less
                break
        if best is None and len(self.near(target, None)) > seen:  # nothing within the budget: everything linked
            best = self._cheapest(target, knows, status, None, None)
        if best is not None:
            for i, new in best[1]:
                status[i] = new
            return
        cell = self.cells[target]
        raise Unprotectable(cell, attacker, _("no pattern of hidden and rounded figures keeps it {count} values wide "
                                              "or wider for {attacker}").format(count=self.min_range, attacker=attacker))

    def _cheapest(self, target: int, knows: frozenset, status: list[Status], hops: int | None,
                  budget: int | None):
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_matrix

        scope = sorted(i for i in self.near(target, hops, budget) if not (self.cells[i].known_by & knows))
        reach = self.min_range
        col = {}  # cell -> index of its value in the "high" table; the "low" table follows at +n
        lo, hi, options = [], [], []  # options: (cell, new status, cost, lo if chosen, hi if chosen)
        for i in scope:
            c, s = self.cells[i], status[i]
            base_lo, base_hi = self.domain(i, s)
            cap_lo, cap_hi = max(0, c.raw - reach), c.raw + reach
            if s is Status.PUBLISHED:
                if c.raw == 0:
                    continue
                # A headline figure is rounded; hidden only where rounding cannot protect (see HEADLINE_HIDING_COST).
                choices = ([(Status.ROUNDED, c.headline), (Status.SECONDARY, HEADLINE_HIDING_COST)] if c.headline
                           else [(Status.SECONDARY, 1.0 + math.sqrt(c.raw))])
                for new, cost in choices:
                    o_lo, o_hi = self.domain(i, new)
                    options.append((i, new, cost, max(o_lo, cap_lo), min(o_hi, cap_hi)))
            elif s is Status.ROUNDED:  # rounded for another count, and not enough for this one
                o_lo, o_hi = self.domain(i, Status.SECONDARY)
                options.append((i, Status.SECONDARY, HEADLINE_HIDING_COST, max(o_lo, cap_lo), min(o_hi, cap_hi)))
            elif s is Status.PRIMARY:
                o_lo, o_hi = self.domain(i, Status.WITHHELD)
                options.append((i, Status.WITHHELD, CONCEAL_COST, max(o_lo, cap_lo), min(o_hi, cap_hi)))
            col[i] = len(col)
            lo.append(max(base_lo, cap_lo))
            hi.append(min(base_hi, cap_hi))
        if target not in col:
            return None
        n, k = len(col), len(options)
        size = 2 * n + k
        lower, upper = [], []

        data, row_ids, col_ids = [], [], []

        def row(entries: Iterable[tuple[int, float]], low: float, high: float) -> None:
            for j, v in entries:
                data.append(v)
                row_ids.append(len(lower))
                col_ids.append(j)
            lower.append(low)
            upper.append(high)

        for s in {s for i in col for s in self.cell_sums[i]}:
            t, ps = self.sums[s]
            terms = [(t, 1)] + [(p, -1) for p in ps]
            free = [(col[j], v) for j, v in terms if j in col]
            if not free:
                continue
            # the cells outside the program keep their values: only the free ones may move, and must balance
            const = sum(v * self.cells[j].raw for j, v in terms if j in col)
            for shift in (0, n):
                row([(a + shift, v) for a, v in free], const, const)
        # a chosen option widens a cell from its current range to the option's range; one option per cell
        per_cell: dict[int, list[int]] = {}
        for o, (i, *_) in enumerate(options):
            per_cell.setdefault(i, []).append(o)
        for i, opts in per_cell.items():
            a = col[i]
            for shift in (0, n):
                row([(a + shift, 1)] + [(2 * n + o, -(options[o][4] - hi[a])) for o in opts], -math.inf, hi[a])
                row([(a + shift, 1)] + [(2 * n + o, lo[a] - options[o][3]) for o in opts], lo[a], math.inf)
            if len(opts) > 1:
                row([(2 * n + o, 1) for o in opts], 0, 1)
        t = col[target]
        row([(t, 1), (t + n, -1)], reach - 1, math.inf)
        var_lo = np.array(lo * 2 + [0] * k, dtype=float)
        var_hi = np.array(hi * 2 + [1] * k, dtype=float)
        for o, (i, __, __, o_lo, o_hi) in enumerate(options):
            a = col[i]
            for shift in (0, n):
                var_lo[a + shift] = min(var_lo[a + shift], o_lo)
                var_hi[a + shift] = max(var_hi[a + shift], o_hi)
        cost = np.zeros(size)
        for o, opt in enumerate(options):
            cost[2 * n + o] = opt[2]
        result = milp(cost, integrality=np.ones(size), bounds=Bounds(var_lo, var_hi), options=MILP_OPTIONS,
                      constraints=LinearConstraint(coo_matrix((data, (row_ids, col_ids)),
                                                               shape=(len(lower), size)), lower, upper))
        if result.x is None:
            return None
        chosen = [o for o in range(k) if result.x[2 * n + o] > 0.5]
        return sum(options[o][2] for o in chosen), [(options[o][0], options[o][1]) for o in chosen]
