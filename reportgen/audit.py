"""The exact audit: how far can each kind of reader narrow each hidden count?

Independent of the code that chooses what to hide (`suppression_engine`):
it takes the reader's model (`CellSystem`: every count, every relation) and a
pattern (each cell's `Status`) and, for every hidden count and every attacker,
computes the smallest and the largest whole number the count can be, given

* every published value, exactly; every rounded value as the interval that
  rounds to it; "<5" as 1 to min_count - 1; "x" as any count from 0 (a
  count hidden to protect another is usually larger, but a "<5" hidden as
  "x" is not, and a reader cannot tell them apart);
* every relation (a table's total is the sum of its parts, across periods,
  years, editions, categories and the nation; diagnosed <= patients;
  patients <= analyses, which are always published);
* what the attacker knows: nothing more (an outsider), its own counts in
  every table (a region), or every count of its own group (a group's network).

The patients added between two editions (the difference of their totals since
start) count as a published figure too: from 1 to min_count - 1 they are
protected like a "<5".

Each minimum and maximum is an integer program solved exactly by HiGHS
(`suppression_solver.Program.extreme`: the linear relaxation, whose optimal
vertex is usually whole and then, checked exactly, the answer; the integer
program where it is not), over the hidden cells linked to the count once the
attacker's known cells are fixed. A count is protected when its range is at
least ``min_range`` values wide (so it is never pinned to one value).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reportgen.messages import _
from reportgen.suppression_values import HIDDEN, Status, attacker_words

OUTSIDER = "an outsider"
# The integer programs solved to the end (the objectives are whole numbers: a gap below 1 is none).
AUDIT_OPTIONS = {"mip_rel_gap": 0.0, "mip_abs_gap": 0.5}


@dataclass(frozen=True)
class Attacker:
    name: str  # e.g. "an outsider", "region sjaelland", "the network of arvelige-hjertesygdomme"
    knows: frozenset  # the tags of the cells it knows exactly (see Cell.known_by)


@dataclass(frozen=True)
class Range:
    cell: int
    attacker: str
    attacker_knows: frozenset
    low: int
    high: float  # may be inf
    exact: bool = True  # else low..high are two values the count can take: its range is at least as wide

    @property
    def width(self) -> float:
        return self.high - self.low + 1


@dataclass
class AuditResult:
    min_range: int
    ranges: list[Range] = field(default_factory=list)
    attackers: list[Attacker] = field(default_factory=list)
    solved: int = 0  # minima and maxima over whole numbers solved (by linear programming where a corner is whole)

    @property
    def failures(self) -> list[Range]:
        return [r for r in self.ranges if r.width < self.min_range]

    def narrowest(self) -> dict[str, Range | None]:
        """The narrowest range each attacker gets, None if it has no hidden count to attack."""
        best: dict[str, Range | None] = {a.name: None for a in self.attackers}
        for r in self.ranges:
            if best[r.attacker] is None or r.width < best[r.attacker].width:
                best[r.attacker] = r
        return best


def attacker_name(tag) -> str:
    kind, name = tag
    return f"region {name}" if kind == "region" else f"the network of {name}"


def attackers(system) -> list[Attacker]:
    """An outsider, then every region and every group's network found in the model."""
    tags = sorted({t for c in system.cells for t in c.known_by})
    return [Attacker(OUTSIDER, frozenset())] + [Attacker(attacker_name(t), frozenset({t})) for t in tags]


def audit(system, status: list[Status], which: Iterable[Attacker] | None = None, *,
          exact: bool = False, cache: dict | None = None) -> AuditResult:
    """The range of every hidden count for every attacker (see the module docstring).

    A count whose range is at least min_range wide may be settled by two
    solutions that show it (its `Range` then holds those values, a lower bound
    of its width, and `exact` is False); ``exact=True`` computes every minimum
    and maximum. A range narrower than min_range is always exact. `cache`, a
    dict kept by a caller that audits patterns growing from one another,
    keeps the ranges of components that did not change. The result for a
    pattern already audited (the chooser's last, audited again before a build
    writes) is kept with the model and given again.
    """
    done = system.audited if which is None else {}  # the same model and pattern: the same ranges
    pattern = (_pattern(system, status, range(len(status))), exact)
    if pattern in done:
        return done[pattern]
    result = AuditResult(system.min_range, attackers=list(which or attackers(system)))
    solved: dict = {} if cache is None else cache
    outsider = _Outsider(system, status)
    keys: dict = {}

    def ranges_of(component: list[int], targets: list[int], n: int | None = None) -> dict:
        """The ranges of a component's targets: once per outsider's component `n`, and per pattern in `solved`."""
        if n is not None and n in keys:
            return keys[n]
        key = (frozenset(component), _pattern(system, status, component), exact)
        if key not in solved:
            solved[key] = _ranges(system, status, component, targets, result, exact)
        if n is not None:
            keys[n] = solved[key]
        return solved[key]

    for attacker in result.attackers:
        result.ranges += outsider.ranges_for(attacker, ranges_of)
    done[pattern] = result
    return result


class _Outsider:
    """An outsider's unknowns in independent components; an insider's differ only in those holding its cells."""

    def __init__(self, system, status: list[Status]):
        self.system, self.status = system, status
        unknown = {i for i, s in enumerate(status) if s is not Status.PUBLISHED}
        free = _determined_out(system, unknown)
        self.components = _components(system, free)
        self.component_of = {i: n for n, c in enumerate(self.components) for i in c}
        self.by_tag: dict = {}  # who knows which of the outsider's unknowns
        for i in free:
            for tag in system.cells[i].known_by:
                self.by_tag.setdefault(tag, set()).add(i)
        self.targets_of = {n: self.targets(c) for n, c in enumerate(self.components)}
        self.pinned = self.targets(sorted(unknown - free))

    def targets(self, cells) -> list[int]:
        return [i for i in cells if _protected(self.system, self.status, i)]

    def ranges_for(self, attacker: Attacker, ranges_of) -> list[Range]:
        """Every protected count's range for `attacker` (`ranges_of(component, targets[, n])` solves them)."""
        system = self.system
        known = set().union(*(self.by_tag.get(tag, ()) for tag in attacker.knows))
        touched = {self.component_of[i] for i in known}
        pinned, mine = list(self.pinned), []
        for n in touched:
            left = set(self.components[n]) - known
            still = _determined_out(system, left)
            pinned += self.targets(sorted(left - still))
            mine += _components(system, still)
        found = [Range(i, attacker.name, attacker.knows, system.cells[i].raw, system.cells[i].raw, True)
                 for i in pinned if not (system.cells[i].known_by & attacker.knows)]  # the sole unknown of a sum
        parts = [(self.targets_of[n], ranges_of(c, self.targets_of[n], n))
                 for n, c in enumerate(self.components) if n not in touched and self.targets_of[n]]
        parts += [(targets, ranges_of(c, targets)) for c in mine if (targets := self.targets(c))]
        for targets, ranges in parts:
            found += [Range(i, attacker.name, attacker.knows, *ranges[i]) for i in targets]
        return found


def _pattern(system, status: list[Status], cells: Iterable[int]) -> tuple:
    """What a reader sees of `cells`: each one's status, and a rounded one's rounding base."""
    bases = getattr(system, "bases", {})
    return tuple((status[i].value, bases[i]) if i in bases and status[i] is Status.ROUNDED else status[i].value
                 for i in cells)


def _protected(system, status: list[Status], i: int) -> bool:
    """A hidden published count, or a small count that is a difference of published ones (between editions)."""
    c = system.cells[i]
    if c.aux:
        return c.sensitive and 0 < c.raw < system.min_count
    return status[i] in HIDDEN


def still_narrow(system, status: list[Status], failure: Range, memo: dict, cache: dict | None = None) -> bool:
    """Is the count of `failure` still narrower than min_range for its attacker (after more hiding)?

    `memo`, a dict the caller keeps while it checks several counts, holds what was
    found for the pattern as it is: the caller empties it whenever it changes
    the pattern. `cache` (the one given to `audit`) keeps the ranges of
    components whatever else changed.
    """
    component = _free_component(system, status, failure, memo)
    if component is None:  # the sole unknown of a sum: worked out exactly
        return True
    if ("whole", component) not in memo:  # the component as `audit` keeps it in `cache`
        memo[("whole", component)] = (frozenset(component), _pattern(system, status, component), False)
    whole = memo[("whole", component)]
    if cache is not None and whole in cache:
        low, high, _ = cache[whole][failure.cell]
        return high - low + 1 < system.min_range
    found = (whole, failure.cell)
    ranges = memo.setdefault("ranges", {}) if cache is None else cache
    if found not in ranges:
        ranges[found] = _ranges(system, status, list(component), [failure.cell], AuditResult(system.min_range),
                                False)[failure.cell]
    low, high, _ = ranges[found]
    return high - low + 1 < system.min_range


def _free_component(system, status: list[Status], failure: Range, memo: dict) -> tuple | None:
    """The unknowns linked to the count by sums, as the attacker sees them; None if a single sum pins it.

    The outsider's components are found once per pattern; an insider's differ only in the outsider's
    component holding the count, where the cells it knows are taken out.
    """
    if "outsider" not in memo:
        unknown = {i for i, s in enumerate(status) if s is not Status.PUBLISHED}
        memo["outsider"] = [tuple(c) for c in _components(system, _determined_out(system, unknown))]
        memo["where"] = {i: n for n, c in enumerate(memo["outsider"]) for i in c}
    n = memo["where"].get(failure.cell)
    if n is None:  # pinned for the outsider: for whoever knows more too
        return None
    knows = failure.attacker_knows
    if ("parts", knows, n) not in memo:
        c = memo["outsider"][n]
        known = {i for i in c if system.cells[i].known_by & knows} if knows else ()
        parts = _components(system, _determined_out(system, set(c) - known)) if known else [c]
        memo[("parts", knows, n)] = {i: tuple(part) for part in parts for i in part}
    return memo[("parts", knows, n)].get(failure.cell)


def _determined_out(system, free: set[int]) -> set[int]:
    """`free` without the cells a sum pins down once the others are known (the sole unknown of a sum)."""
    free = set(free)
    members = system.members
    count = Counter(s for i in free for s in system.cell_sums[i])  # each sum's unknowns
    queue = [s for s, n in count.items() if n == 1]
    while queue:
        s = queue.pop()
        if count[s] != 1:
            continue
        (j,) = [j for j in members[s] if j in free]
        free.discard(j)
        for r in system.cell_sums[j]:
            count[r] -= 1
            if count[r] == 1:
                queue.append(r)
    return free


def _components(system, free: set[int]) -> list[list[int]]:
    parent = {i: i for i in free}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s in {s for i in free for s in system.cell_sums[i]}:
        members = [j for j in system.members[s] if j in free]
        for j in members[1:]:
            a, b = root(members[0]), root(j)
            if a != b:
                parent[b] = a
    groups: dict[int, list[int]] = {}
    for i in sorted(free):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _program(system, status, component: list[int]):
    """The reader's relations over `component`'s cells: every sum they are in, the others at their values."""
    from reportgen.suppression_solver import Program

    col = {i: n for n, i in enumerate(component)}
    bounds = [system.domain(i, status[i]) for i in component]
    data, rows, cols, rhs = [], [], [], []
    for s in sorted({s for i in component for s in system.cell_sums[i]}):
        t, ps = system.sums[s]
        const, terms = 0, {}
        for j, v in ((t, 1), *((p, -1) for p in ps)):
            if j in col:
                terms[col[j]] = terms.get(col[j], 0) + v
            else:
                const -= v * system.cells[j].raw
        for n, v in terms.items():
            if v:
                data.append(v)
                rows.append(len(rhs))
                cols.append(n)
        rhs.append(const)
    return col, Program([lo for lo, __ in bounds], [hi for __, hi in bounds], data, rows, cols, rhs, rhs,
                        AUDIT_OPTIONS)


def _ranges(system, status, component: list[int], targets: list[int], result: AuditResult, exact: bool):
    """Each target's (low, high, exact): its minimum and maximum, or two values it can take that settle it.

    Every value recorded is that of a whole-number point checked against every relation (`Program.extreme`).
    """
    import numpy as np

    col, program = _program(system, status, component)
    seen = {i: [system.cells[i].raw, system.cells[i].raw] for i in targets}  # the true values are feasible
    where = np.array([col[j] for j in targets])

    def push(counts: list[int], sign: float):
        """The extreme of the counts' sum (None if unbounded); every target's value in it is recorded."""
        objective = np.zeros(len(component))
        objective[[col[j] for j in counts]] = sign
        found = program.extreme(objective)
        result.solved += 1
        if found is not None:
            for j, value in zip(targets, found[1][where].astype(int).tolist()):
                seen[j] = [min(seen[j][0], value), max(seen[j][1], value)]
        return found

    def wide(j) -> bool:
        return seen[j][1] - seen[j][0] + 1 >= system.min_range

    def extremes(i: int) -> tuple[int, float, bool]:
        low, high = push([i], 1.0), push([i], -1.0)
        return low[0], math.inf if high is None else -high[0], True

    if len(targets) == 1:
        return {targets[0]: extremes(targets[0])}
    open_ = [] if exact else list(targets)
    while len(open_) > 1:  # push all down, then up; again with those still open, as long as that settles some
        if push(open_, 1.0) is None or push(open_, -1.0) is None:
            break
        still = [j for j in open_ if not wide(j)]
        open_ = [] if len(still) == len(open_) else still
    return {i: (*seen[i], False) if not exact and wide(i) else extremes(i) for i in targets}


# --- a project's audit: what `reportgen audit` prints and `reportgen build` requires


def audit_published(published, *, exact: bool = False) -> AuditResult:
    """The audit of a published project's pattern (`PublishedProject.protection`)."""
    system, status = published.protection
    return audit(system, status, exact=exact)


def report_lines(published, result: AuditResult) -> list[str]:
    """One line per attacker: the narrowest range it gets, and the count and table it is in."""
    system, __ = published.protection
    lines = []
    for name, r in result.narrowest().items():
        if r is None:
            lines.append(_("{name}: no hidden count to work on").format(name=attacker_words(name)))
            continue
        width = _("unbounded") if math.isinf(r.width) else (
            _("{count} values") if r.exact else _("at least {count} values")).format(count=r.width)
        verdict = _("ok") if r.width >= result.min_range else _("DISCLOSED (fewer than {count} values)").format(
            count=result.min_range)
        lines.append(_("{name}: narrowest range {width} ({label}): {verdict}").format(
            name=attacker_words(name), width=width, label=system.cells[r.cell].label, verdict=verdict))
    return lines


def require_protected(project, published) -> AuditResult:
    """Raise a located InputError naming the first count some attacker narrows below min_range."""
    from reportgen.suppression import disclosure_error

    result = audit_published(published)
    failures = result.failures
    if failures:
        system, __ = published.protection
        f = failures[0]
        if f.low == f.high:
            why = _("{attacker} can narrow it exactly to {low}, fewer than privacy.min_range ({count}) values")
        else:
            why = _("{attacker} can narrow it to {low}..{high}, fewer than privacy.min_range ({count}) values")
        raise disclosure_error(project, system.cells[f.cell], f.attacker,
                               why.format(attacker=attacker_words(f.attacker), low=f.low, high=f.high, count=result.min_range))
    return result
