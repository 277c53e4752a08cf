"""Regional equity with uncertainty: funnel plots (pure arithmetic).

A funnel plot sets each region's figure against its size (inhabitants for a
rate, answered patients for a yield) around the figure of all regions
together, with control limits that narrow as the size grows. A region outside
the limits differs by more than chance would explain; one inside does not,
however its rank looks. The limits are exact:

* rates: Poisson limits. With the overall rate r, a region of population n
  expects mu = r * n patients; the 95 % limits are the 2.5 % and 97.5 %
  quantiles of Poisson(mu), the 99.8 % limits the 0.1 % and 99.9 % quantiles,
  each divided by n (and scaled per 100,000 and year).
* yields: binomial limits. With the overall yield p, a region with n answered
  patients has the 2.5 %/97.5 % (0.1 %/99.9 %) quantiles of Binomial(n, p),
  divided by n.

A region is outside a limit when its count lies strictly beyond the quantile.
The caller passes published counts only (a hidden count is left out), so the
verdict never depends on a figure that is not shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LIMITS = ((0.025, 0.975), (0.001, 0.999))  # 95 % and 99.8 %
WITHIN, OUTSIDE_95, OUTSIDE_998 = "within", "outside_95", "outside_998"


def poisson_quantile(q: float, mu: float) -> int:
    """The smallest k with P(X <= k) >= q for X ~ Poisson(mu)."""
    return poisson_quantiles((q,), mu)[0]


def poisson_quantiles(qs: Sequence[float], mu: float) -> tuple[int, ...]:
    """`poisson_quantile` of each of `qs` (ascending), summing the distribution once."""
    if mu <= 0:
        return (0,) * len(qs)
    found = []
    k, log_pmf = 0, -mu
    cdf = math.exp(log_pmf)
    for q in qs:
        while cdf < q:
            if k > mu * 10 + 1000:  # float sums near 1 can fall short of q; k is far in the tail by now
                break
            k += 1
            log_pmf += math.log(mu) - math.log(k)
            cdf += math.exp(log_pmf)
        found.append(k)
    return tuple(found)


def binomial_quantile(q: float, n: int, p: float) -> int:
    """The smallest k with P(X <= k) >= q for X ~ Binomial(n, p)."""
    return binomial_quantiles((q,), n, p)[0]


def binomial_quantiles(qs: Sequence[float], n: int, p: float) -> tuple[int, ...]:
    """`binomial_quantile` of each of `qs` (ascending), summing the distribution once."""
    if n <= 0 or p <= 0:
        return (0,) * len(qs)
    if p >= 1:
        return (n,) * len(qs)
    found = []
    cdf, k = 0.0, -1
    for q in qs:
        while (k < 0 or cdf < q) and k < n:
            k += 1
            log_pmf = (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                       + k * math.log(p) + (n - k) * math.log1p(-p))
            cdf += math.exp(log_pmf)
        found.append(k if cdf >= q else n)
    return tuple(found)


@dataclass(frozen=True)
class FunnelPoint:
    """One region: its key, size (inhabitants or answered patients), count, value and verdict."""

    key: str
    size: float
    count: int
    value: float
    verdict: str  # WITHIN, OUTSIDE_95 or OUTSIDE_998
    direction: int  # +1 above the limits, -1 below, 0 within


@dataclass(frozen=True)
class Funnel:
    """A funnel plot: the centre, the points, and the limits drawn at `curve` sizes.

    `curve` holds (size, low 95, high 95, low 99.8, high 99.8) in the plot's
    units (rate per 100,000 per year, or a fraction).
    """

    kind: str  # "rate" | "proportion"
    centre: float
    points: tuple[FunnelPoint, ...]
    curve: tuple[tuple[float, float, float, float, float], ...]

    def outside(self, verdict: str = OUTSIDE_998) -> tuple[FunnelPoint, ...]:
        """The points outside the 99.8 % limits (or outside at least the 95 % ones, with OUTSIDE_95)."""
        wanted = (OUTSIDE_998,) if verdict == OUTSIDE_998 else (OUTSIDE_95, OUTSIDE_998)
        return tuple(p for p in self.points if p.verdict in wanted)


_LEVELS = tuple(sorted(q for pair in LIMITS for q in pair))  # every limit's probability, ascending


def _pairs(found: Sequence[int]) -> list[tuple[int, int]]:
    """The quantiles at `_LEVELS` as LIMITS' (low, high) pairs."""
    at = dict(zip(_LEVELS, found))
    return [(at[lo], at[hi]) for lo, hi in LIMITS]


def _verdict(count: int, quantiles: Sequence[tuple[int, int]]) -> tuple[str, int]:
    (lo95, hi95), (lo998, hi998) = quantiles
    if count < lo998 or count > hi998:
        return OUTSIDE_998, 1 if count > hi998 else -1
    if count < lo95 or count > hi95:
        return OUTSIDE_95, 1 if count > hi95 else -1
    return WITHIN, 0


def _sizes(points_sizes: Sequence[float], steps: int = 48) -> list[float]:
    """Sizes to draw the limits at: from a tenth of the smallest to a little past the largest, log-spaced."""
    low, high = max(min(points_sizes) / 4, 1.0), max(points_sizes) * 1.15
    return [low * (high / low) ** (i / (steps - 1)) for i in range(steps)]


def rate_funnel(regions: Sequence[tuple[str, int, int]], years: float, per: int = 100_000) -> Funnel | None:
    """Regions' rates per `per` inhabitants per year against the overall rate, with Poisson limits.

    `regions` are (key, count, population) over `years` years; None without any count.
    """
    total, population = sum(c for _, c, _ in regions), sum(n for _, _, n in regions)
    if total == 0 or population == 0 or years <= 0:
        return None
    rate = total / population  # per inhabitant over the period
    scale = per / years

    def quantiles(n: float) -> list[tuple[int, int]]:
        return _pairs(poisson_quantiles(_LEVELS, rate * n))

    points = []
    for key, count, n in regions:
        verdict, direction = _verdict(count, quantiles(n))
        points.append(FunnelPoint(key, n, count, count / n * scale, verdict, direction))
    curve = tuple((n, *(q / n * scale for pair in quantiles(n) for q in pair))
                  for n in _sizes([n for _, _, n in regions]))
    return Funnel("rate", rate * scale, tuple(points), curve)


def proportion_funnel(regions: Sequence[tuple[str, int, int]]) -> Funnel | None:
    """Regions' proportions (successes / trials) against the overall one, with binomial limits.

    `regions` are (key, successes, trials); regions without trials are left out; None without any trial.
    """
    regions = [r for r in regions if r[2] > 0]
    trials = sum(n for _, _, n in regions)
    if trials == 0:
        return None
    p = sum(s for _, s, _ in regions) / trials

    def quantiles(n: int) -> list[tuple[int, int]]:
        return _pairs(binomial_quantiles(_LEVELS, n, p))

    points = []
    for key, successes, n in regions:
        verdict, direction = _verdict(successes, quantiles(n))
        points.append(FunnelPoint(key, n, successes, successes / n, verdict, direction))
    sizes = sorted({max(1, round(n)) for n in _sizes([n for _, _, n in regions])})
    curve = tuple((n, *(q / n for pair in quantiles(n) for q in pair)) for n in sizes)
    return Funnel("proportion", p, tuple(points), curve)


# --- a group's regions, from its published figures ----------------------------------


@dataclass(frozen=True)
class RegionalEquity:
    """A group's funnels: patients per 100,000 per year (latest 12 months) and yield on answered."""

    rate: Funnel | None
    rate_hidden: tuple[str, ...]  # region keys left out: their count is hidden
    yields: Funnel | None
    yields_hidden: tuple[str, ...]


def regional_equity(config, pub, outcomes) -> RegionalEquity:
    """A group's funnels from its published figures (`pub`, a PublishedGroup) and its published answers
    (`outcomes`, a PublishedGroupOutcomes, or None). Hidden counts are left out."""
    latest = pub.latest_12_months
    regions = config.regions
    shown = [(r.region, r.counts.patients.value, regions[r.region].population) for r in latest.by_region
             if r.counts.patients.value is not None]
    hidden_rate = tuple(r.region for r in latest.by_region if r.counts.patients.value is None)
    years = (latest.months_in_operation or 0) / 12
    # Every region is needed for the overall rate; with one hidden, the overall rate from the total is used.
    rate = None
    if shown and years > 0:
        rate = rate_funnel(shown, years) if not hidden_rate else _rate_with_total(
            shown, latest.total.patients.value, sum(r.population for r in regions.values()), years)
    yields, hidden_yield = None, ()
    if outcomes is not None and outcomes.answers.answered.value:
        pairs = [(key, a.diagnosed_answered.value, a.answered.value) for key, a in outcomes.by_region]
        shown_y = [p for p in pairs if p[1] is not None and p[2] is not None and p[2] > 0]
        hidden_yield = tuple(p[0] for p in pairs if p[1] is None or p[2] is None)
        if shown_y and not hidden_yield:
            yields = proportion_funnel(shown_y)
        elif shown_y:
            total = outcomes.answers
            if total.diagnosed_answered.value is not None and total.answered.value:
                yields = _proportion_with_total(shown_y, total.diagnosed_answered.value, total.answered.value)
    return RegionalEquity(rate, hidden_rate, yields, hidden_yield)


def _rate_with_total(shown, total: int | None, population: int, years: float) -> Funnel | None:
    """The funnel of the shown regions around the overall rate of all regions (from the published total)."""
    if not total:
        return None
    # A pseudo-region carries the rest of the country, so the centre is the national rate; it is not drawn.
    rest = total - sum(c for _, c, _ in shown)
    rest_population = population - sum(n for _, _, n in shown)
    funnel = rate_funnel([*shown, ("", max(rest, 0), max(rest_population, 1))], years)
    return None if funnel is None else Funnel(funnel.kind, funnel.centre, funnel.points[:-1], funnel.curve)


def _proportion_with_total(shown, successes: int, trials: int) -> Funnel | None:
    rest_s, rest_n = successes - sum(s for _, s, _ in shown), trials - sum(n for _, _, n in shown)
    funnel = proportion_funnel([*shown, ("", max(rest_s, 0), max(rest_n, 0))])
    if funnel is None:
        return None
    points = tuple(p for p in funnel.points if p.key)
    return Funnel(funnel.kind, funnel.centre, points, funnel.curve)
