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
(`scipy.optimize.milp`), over the hidden cells linked to the count once the
attacker's known cells are fixed. A count is protected when its range is at
least ``min_range`` values wide (so it is never pinned to one value).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from reportgen.messages import _
from reportgen.suppression_values import HIDDEN, Status

OUTSIDER = "an outsider"
AUDIT_OPTIONS = {}


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
    solved: int = 0  # integer programs solved

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
    keeps the ranges of components that did not change.
    """
    result = AuditResult(system.min_range, attackers=list(which or attackers(system)))
    solved: dict = {} if cache is None else cache
    # An outsider's unknowns first; an insider differs only in the outsider's components holding its cells.
    unknown = {i for i, s in enumerate(status) if s is not Status.PUBLISHED}
    free = _determined_out(system, unknown)
    components = _components(system, free)
    component_of = {i: n for n, c in enumerate(components) for i in c}
    by_tag: dict = {}  # who knows which of the outsider's unknowns
    for i in free:
        for tag in system.cells[i].known_by:
            by_tag.setdefault(tag, set()).add(i)
    targets_of = {n: [i for i in c if _protected(system, status, i)] for n, c in enumerate(components)}
    pinned_out = [i for i in sorted(unknown - free) if _protected(system, status, i)]
    keys: dict = {}

    def ranges_of(component: list[int], targets: list[int]) -> dict:
        key = (frozenset(component), tuple(status[i] for i in component), exact)
        if key not in solved:
            solved[key] = _ranges(system, status, component, targets, result, exact)
        return solved[key]

    for attacker in result.attackers:
        known = set().union(*(by_tag.get(tag, ()) for tag in attacker.knows))
        touched = {component_of[i] for i in known}
        pinned = list(pinned_out)
        mine = []
        for n in touched:
            left = set(components[n]) - known
            still = _determined_out(system, left)
            pinned += [i for i in sorted(left - still) if _protected(system, status, i)]
            mine += _components(system, still)
        for i in pinned:  # the sole unknown of a sum: worked out exactly
            if not (system.cells[i].known_by & attacker.knows):
                raw = system.cells[i].raw
                result.ranges.append(Range(i, attacker.name, attacker.knows, raw, raw, True))
        found = [(targets_of[n], keys[n] if n in keys else keys.setdefault(n, ranges_of(c, targets_of[n])))
                 for n, c in enumerate(components) if n not in touched and targets_of[n]]
        for component in mine:
            targets = [i for i in component if _protected(system, status, i)]
            if targets:
                found.append((targets, ranges_of(component, targets)))
        for targets, ranges in found:
            for i in targets:
                low, high, is_exact = ranges[i]
                result.ranges.append(Range(i, attacker.name, attacker.knows, low, high, is_exact))
    return result


def _protected(system, status: list[Status], i: int) -> bool:
    """A hidden published count, or a small count that is a difference of published ones (between editions)."""
    c = system.cells[i]
    if c.aux:
        return c.sensitive and 0 < c.raw < system.min_count
    return status[i] in HIDDEN


def still_narrow(system, status: list[Status], failure: Range, memo: dict | None = None,
                 cache: dict | None = None) -> bool:
    """Is the count of `failure` still narrower than min_range for its attacker (after more hiding)?

    `memo` (a dict the caller keeps while it checks several counts) keeps what it
    found while `status` is unchanged; `cache` (the one given to `audit`) the
    ranges of components whatever else changed.
    """
    memo = {} if memo is None else memo
    state = tuple(status)
    if memo.get("status") != state:
        memo.clear()
        memo["status"] = state
    knows = failure.attacker_knows
    if ("free", knows) not in memo:  # the attacker's unknowns, in groups linked by sums: once per pattern
        memo[("free", knows)] = _free_components(system, status, knows, memo)
    component = memo[("free", knows)].get(failure.cell)
    if component is None:  # the sole unknown of a sum: worked out exactly
        return True
    whole = (frozenset(component), tuple(status[i] for i in component), False)  # as `audit` keeps it in `cache`
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


def _free_components(system, status: list[Status], knows: frozenset, memo: dict) -> dict[int, tuple]:
    """Each cell the attacker cannot work out from a single sum, and the unknowns linked to it.

    The outsider's are found once; an insider's differ only in the outsider's components holding its cells.
    """
    if "outsider" not in memo:
        unknown = {i for i, s in enumerate(status) if s is not Status.PUBLISHED}
        memo["outsider"] = [tuple(c) for c in _components(system, _determined_out(system, unknown))]
    components = memo["outsider"]
    where = {}
    for c in components:
        known = {i for i in c if system.cells[i].known_by & knows} if knows else ()
        if not known:
            for i in c:
                where[i] = c
            continue
        for part in _components(system, _determined_out(system, set(c) - known)):
            part = tuple(part)
            for i in part:
                where[i] = part
    return where


def _determined_out(system, free: set[int]) -> set[int]:
    """`free` without the cells a sum pins down once the others are known (the sole unknown of a sum)."""
    free = set(free)
    members = system.members
    sums = {s for i in free for s in system.cell_sums[i]}
    count = {s: sum(1 for j in members[s] if j in free) for s in sums}
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


def _ranges(system, status, component: list[int], targets: list[int], result: AuditResult, exact: bool):
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    col = {i: n for n, i in enumerate(component)}
    lo = np.empty(len(component))
    hi = np.empty(len(component))
    for i, n in col.items():
        lo[n], hi[n] = system.domain(i, status[i])
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
    constraints = ()
    if rhs:
        matrix = coo_matrix((data, (rows, cols)), shape=(len(rhs), len(component))).tocsr()
        constraints = LinearConstraint(matrix, rhs, rhs)
    bounds = Bounds(lo, hi)
    integrality = np.ones(len(component))
    seen = {i: [system.cells[i].raw, system.cells[i].raw] for i in targets}  # the true values are feasible

    def solve(objective, target=None):
        r = milp(objective, integrality=integrality, bounds=bounds, constraints=constraints, options=AUDIT_OPTIONS)
        result.solved += 1
        if r.status == 3 or (r.status != 0 and target is not None and math.isinf(hi[col[target]])):
            return None
        if r.status != 0:  # the true values satisfy everything: infeasible would be a bug in the model
            raise AssertionError(f"audit of {system.cells[component[0]].key!r}: {r.message}")
        for j in targets:
            value = round(r.x[col[j]])
            seen[j] = [min(seen[j][0], value), max(seen[j][1], value)]
        return r

    def wide(j) -> bool:
        return seen[j][1] - seen[j][0] + 1 >= system.min_range

    found = {}
    if not exact or len(targets) == 1:  # two solutions that push every hidden count down, then up, settle most
        both = np.zeros(len(component))
        both[[col[j] for j in targets]] = 1.0
        pushed = [solve(sign * both, targets[0] if len(targets) == 1 else None) for sign in (1.0, -1.0)]
        if len(targets) == 1 and pushed[0] is not None:  # of a single count: its minimum and maximum
            found[targets[0]] = (seen[targets[0]][0], math.inf if pushed[1] is None else seen[targets[0]][1], True)
            return found
        while not exact:  # again with the counts not yet settled, as long as that settles some
            open_ = [j for j in targets if not wide(j)]
            if len(open_) < 2:
                break
            both = np.zeros(len(component))
            both[[col[j] for j in open_]] = 1.0
            if any(solve(sign * both) is None for sign in (1.0, -1.0)) or all(not wide(j) for j in open_):
                break
    for i in targets:
        if not exact and wide(i):
            found[i] = (seen[i][0], seen[i][1], False)
            continue
        c = np.zeros(len(component))
        c[col[i]] = 1.0
        low = solve(c, i)
        high = solve(-c, i)
        found[i] = (round(low.fun), math.inf if high is None else round(-high.fun), True)
    return found


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
            lines.append(_("{name}: no hidden count to work on").format(name=name))
            continue
        width = _("unbounded") if math.isinf(r.width) else (
            _("{count} values") if r.exact else _("at least {count} values")).format(count=r.width)
        verdict = _("ok") if r.width >= result.min_range else _("DISCLOSED (fewer than {count} values)").format(
            count=result.min_range)
        lines.append(_("{name}: narrowest range {width} ({label}): {verdict}").format(
            name=name, width=width, label=system.cells[r.cell].label, verdict=verdict))
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
                               why.format(attacker=f.attacker, low=f.low, high=f.high, count=result.min_range))
    return result
