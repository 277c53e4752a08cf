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
`highspy`, see `suppression_solver`). The program asks for two tables of whole numbers that
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
from reportgen.suppression_values import WIDER_ROUNDINGS, Status, attacker_words, rounding_interval

CONCEAL_COST = 4.0  # showing a "<5" as "x"
# A headline figure is never hidden. Where rounding it to privacy.rounding_base cannot protect a count
# (rounding is a known interval around the true value: with two regions and one of them the attacker, it may
# not be wide enough), it is rounded to a multiple of the base instead: the last resort, at this cost.
WIDER_ROUNDING_COST = 100000.0
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
MILP_OPTIONS = {"mip_rel_gap": 0.3, "mip_max_nodes": 500}


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
        self._near: dict = {}  # what `near` found: it depends on the cells and sums alone
        self.bases: dict[int, int] = {}  # a rounded cell's rounding base where wider than rounding_base
        self.audited: dict = {}  # (pattern, exact) -> `reportgen.audit.AuditResult`, kept by the audit

    def add_cell(self, key: Hashable, raw: int, **kw) -> None:
        if key in self.index:
            raise ValueError(f"cell {key!r} added twice")
        if raw < 0:
            raise ValueError(f"cell {key!r} has a negative count {raw}")
        self.index[key] = len(self.cells)
        self._near.clear()
        self.audited.clear()
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
        self._near.clear()
        self.audited.clear()
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
        self._near.clear()
        self.audited.clear()
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

    def base(self, i: int) -> int:
        """The rounding base of cell `i` if it is published rounded."""
        return self.bases.get(i, self.rounding_base)

    def domain(self, i: int, status: Status, base: int | None = None) -> tuple[int, float]:
        """What a reader knows of cell `i` from its published text alone (and its upper bound).

        A rounded cell: the values that round to its published value at `base` (else at its own base).
        """
        c = self.cells[i]
        hi = math.inf if c.upper is None else c.upper
        if status is Status.PUBLISHED:
            return c.raw, c.raw
        if status is Status.ROUNDED:
            lo, top = rounding_interval(c.raw, base or self.base(i))
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
        slot = self.cells[start].slot or self.cells[start].key
        if (slot, hops, budget) not in self._near:
            self._near[(slot, hops, budget)] = frozenset(self._near_slot(slot, hops, budget))
        return self._near[(slot, hops, budget)]

    def _near_slot(self, slot: Hashable, hops: int | None, budget: int | None) -> set[int]:
        if "sum_cells" not in self._near:  # each sum's cells with the rest of their slots
            slot_of = [c.slot or c.key for c in self.cells]
            self._near["sum_cells"] = [frozenset(k for j in m for k in self.slots[slot_of[j]]) for m in self.members]
        sum_cells = self._near["sum_cells"]
        seen = set(self.slots[slot])
        frontier, depth = list(seen), 0
        while frontier and (hops is None or depth < hops):
            depth += 1
            nxt = []
            sums = {s for c in frontier for s in self.cell_sums[c]}
            for s in sorted(sums, key=lambda s: (len(self.members[s]), s)):
                new = sum_cells[s] - seen
                if not new or (budget is not None and len(seen) + len(new) > budget):
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
                memo.clear()  # a new pattern
        raise AssertionError("suppression did not settle")  # each round hides at least one more cell

    # --- protecting one cell against one attacker: a small mixed-integer program

    def protect(self, target: int, knows: frozenset, attacker: str, status: list[Status]) -> None:
        """Hide, round or conceal the cheapest cells so that `target` spans min_range values for the attacker.

        Programs over wider and wider scopes: the cells within 1 and 2 sums of it; those within 1 sum, its
        owner's cells and the totals they add up into, with the hidden cells linked to them (the room those
        leave); the cells within 3 sums; everything linked (within SCOPE_BUDGET cells).
        """
        near = [self.near(target, hops, SCOPE_BUDGET) for hops in (1, 2, 3, None)]
        own = self.with_hidden(near[0] | self.around(target), status)
        scopes = ((near[0], near[1]), (near[1], near[2]), (own, None), (near[2], near[3]), (near[3], None))
        best, solved = None, frozenset()
        for scope, wider in scopes:
            if scope <= solved or (wider is not None and len(wider) <= 1.5 * len(scope)):
                continue  # no more cells than a program solved, or about as many as the wider one: that one alone
            if len(scope) > SMALL_SCOPE and best is not None and best[0] < WIDER_ROUNDING_COST:
                break
            solved = scope
            found = self._cheapest(target, knows, status, scope)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
            if best is not None and best[0] < NO_HEADLINE:  # a wider search could only round a headline less
                break
        if best is None and not self.near(target, None) <= solved:  # nothing within the budget: everything linked
            best = self._cheapest(target, knows, status, self.near(target, None))
        if best is not None:
            for i, new, base in best[1]:
                status[i] = new
                if base != self.rounding_base:
                    self.bases[i] = base
            return
        cell = self.cells[target]
        raise Unprotectable(cell, attacker, _(
            "no pattern of hidden figures, with the totals above it rounded to the nearest {base} or even {widest} "
            "(totals are never hidden), keeps it {count} values wide or wider for {attacker}").format(
                base=self.rounding_base, widest=self.rounding_base * WIDER_ROUNDINGS[-1], count=self.min_range,
                attacker=attacker_words(attacker)))

    def around(self, start: int) -> frozenset:
        """The cells of `start`'s owner (`Cell.where`), and every total they add up into, directly or through
        other totals (a group's cells and its category's and the nation's totals), whole slots at a time."""
        cell = self.cells[start]
        key = ("around", cell.where if cell.where is not None else cell.slot or cell.key)
        if key not in self._near:
            own = [i for i, c in enumerate(self.cells) if c.where == cell.where] if cell.where is not None else []
            seen = {k for i in own or [start] for k in self.slots[self.cells[i].slot or self.cells[i].key]}
            frontier = list(seen)
            while frontier:
                totals = {self.sums[s][0] for c in frontier for s in self.cell_sums[c] if self.sums[s][0] != c}
                frontier = [k for t in totals for k in self.slots[self.cells[t].slot or self.cells[t].key]
                            if k not in seen]
                seen.update(frontier)
            self._near[key] = frozenset(seen)
        return self._near[key]

    def with_hidden(self, scope: frozenset, status: list[Status], budget: int = SCOPE_BUDGET) -> frozenset:
        """`scope` and the cells not published linked to it through sums of such cells, nearest first, while the
        cells stay within `budget`."""
        seen, frontier = set(scope), sorted(scope)
        while frontier and len(seen) < budget:
            nxt = []
            for s in sorted({s for c in frontier for s in self.cell_sums[c]}):
                nxt += [j for j in self.members[s] if j not in seen and status[j] is not Status.PUBLISHED]
                seen.update(nxt)
                if len(seen) >= budget:
                    break
            frontier = nxt
        return frozenset(seen)

    def _cheapest(self, target: int, knows: frozenset, status: list[Status], scope: frozenset):
        """The cheapest changes within `scope` (cost, [(cell, status, base)]) that protect `target`; None if none."""
        import numpy as np
        from reportgen.suppression_solver import Program

        col, lo, hi, options = self._variables(sorted(i for i in scope if not (self.cells[i].known_by & knows)),
                                               status)
        if target not in col:
            return None
        n, k = len(col), len(options)
        data, row_ids, col_ids, lower, upper = self._rows(col, lo, hi, options, col[target])
        var_lo = np.array(lo * 2 + [0] * k, dtype=float)
        var_hi = np.array(hi * 2 + [1] * k, dtype=float)
        for o, (i, __, __, o_lo, o_hi, __) in enumerate(options):
            a = col[i]
            for shift in (0, n):
                var_lo[a + shift] = min(var_lo[a + shift], o_lo)
                var_hi[a + shift] = max(var_hi[a + shift], o_hi)
        cost = np.zeros(2 * n + k)
        for o, opt in enumerate(options):
            cost[2 * n + o] = opt[2]
        result = Program(var_lo, var_hi, data, row_ids, col_ids, lower, upper, MILP_OPTIONS, integer=True).solve(cost)
        if result is None:
            return None
        chosen = [o for o in range(k) if result.x[2 * n + o] > 0.5]
        return sum(options[o][2] for o in chosen), [(options[o][0], options[o][1], options[o][5]) for o in chosen]

    def _variables(self, scope: list[int], status: list[Status]):
        """The program's cells (cell -> index of its value in the "high" table; the "low" table follows at +n),
        their ranges now, and the options: (cell, new status, cost, lo if chosen, hi if chosen, base)."""
        reach = self.min_range
        col: dict[int, int] = {}
        lo, hi, options = [], [], []
        for i in scope:
            c, s = self.cells[i], status[i]
            base_lo, base_hi = self.domain(i, s)
            cap_lo, cap_hi = max(0, c.raw - reach), c.raw + reach
            if s is Status.PUBLISHED and c.raw == 0:  # a zero is always published: a constant
                continue
            for new, cost, base in self._options(i, s):
                o_lo, o_hi = self.domain(i, new, base)
                options.append((i, new, cost, max(o_lo, cap_lo), min(o_hi, cap_hi), base))
            col[i] = len(col)
            lo.append(max(base_lo, cap_lo))
            hi.append(min(base_hi, cap_hi))
        return col, lo, hi, options

    def _rows(self, col: dict[int, int], lo: list, hi: list, options: list, t: int):
        """The two tables' relations, the options' widening, and the target `t` min_range - 1 apart in them."""
        n = len(col)
        data, row_ids, col_ids, lower, upper = [], [], [], [], []

        def row(entries: Iterable[tuple[int, float]], low: float, high: float) -> None:
            for j, v in entries:
                data.append(v)
                row_ids.append(len(lower))
                col_ids.append(j)
            lower.append(low)
            upper.append(high)

        for s in {s for i in col for s in self.cell_sums[i]}:
            t_, ps = self.sums[s]
            terms = [(t_, 1)] + [(p, -1) for p in ps]
            free = [(col[j], v) for j, v in terms if j in col]
            if not free:
                continue
            # the cells outside the program keep their values: only the free ones may move, and must balance
            const = sum(v * self.cells[j].raw for j, v in terms if j in col)
            for shift in (0, n):
                row([(a + shift, v) for a, v in free], const, const)
        # a chosen option widens a cell from its current range to the option's range; one option per cell
        per_cell: dict[int, list[int]] = {}
        for o, (i, *__) in enumerate(options):
            per_cell.setdefault(i, []).append(o)
        for i, opts in per_cell.items():
            a = col[i]
            for shift in (0, n):
                row([(a + shift, 1)] + [(2 * n + o, -(options[o][4] - hi[a])) for o in opts], -math.inf, hi[a])
                row([(a + shift, 1)] + [(2 * n + o, lo[a] - options[o][3]) for o in opts], lo[a], math.inf)
            if len(opts) > 1:
                row([(2 * n + o, 1) for o in opts], 0, 1)
        row([(t, 1), (t + n, -1)], self.min_range - 1, math.inf)
        return data, row_ids, col_ids, lower, upper

    def _options(self, i: int, status: Status) -> list[tuple[Status, float, int]]:
        """What more cell `i` may give: (new status, cost, rounding base)."""
        c, base = self.cells[i], self.rounding_base
        if c.headline and status in (Status.PUBLISHED, Status.ROUNDED):  # rounded, never hidden
            wider = [(Status.ROUNDED, WIDER_ROUNDING_COST + c.headline * m, base * m) for m in WIDER_ROUNDINGS]
            if status is Status.PUBLISHED:
                return [(Status.ROUNDED, c.headline, base), *wider]
            return [w for w in wider if w[2] > self.base(i)]  # rounded for another count, and not enough for this one
        if status is Status.PUBLISHED:
            return [(Status.SECONDARY, 1.0 + math.sqrt(c.raw), base)]
        if status is Status.PRIMARY:
            return [(Status.WITHHELD, CONCEAL_COST, base)]
        return []
