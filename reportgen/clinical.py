"""The section "Klinisk effekt" / "Clinical effect": its charts and the words its template needs.

Reads published figures only (`suppression.PublishedOutcomes` and the
published regional counts); the funnel plots are computed from published
counts, so a region whose count is hidden is left out and never judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import charts, formatting
from .equity import OUTSIDE_95, OUTSIDE_998, Funnel, proportion_funnel, rate_funnel
from .i18n import Strings
from .model import LATER, Config, Group, Project
from .suppression import Published, PublishedAnswers, PublishedProject, PublishedYield

VERDICTS = {
    "da": {"within": "inden for grænserne", (OUTSIDE_95, 1): "over 95 %-grænsen",
           (OUTSIDE_95, -1): "under 95 %-grænsen", (OUTSIDE_998, 1): "over 99,8 %-grænsen",
           (OUTSIDE_998, -1): "under 99,8 %-grænsen"},
    "en": {"within": "within the limits", (OUTSIDE_95, 1): "above the 95% limit",
           (OUTSIDE_95, -1): "below the 95% limit", (OUTSIDE_998, 1): "above the 99.8% limit",
           (OUTSIDE_998, -1): "below the 99.8% limit"},
}


def verdict_text(point, lang: str) -> str:
    words = VERDICTS.get(lang, VERDICTS["en"])
    return words["within"] if point.direction == 0 else words[(point.verdict, point.direction)]


def median_text(bin_key: Published | str | None, config: Config, lang: str) -> str:
    """The bin holding the median as words: '≤ 56 dage', '> 84 days'; a marker when hidden."""
    if isinstance(bin_key, Published):
        if bin_key.value is None:
            return bin_key.marker
        bin_key = bin_key.value
    if bin_key is None:
        return "–"
    days = "dage" if lang == "da" else "days"
    if bin_key == LATER:
        return f"> {config.turnaround.bins_days[-1]} {days}"
    return f"≤ {bin_key} {days}"


@dataclass(frozen=True)
class RegionalEquity:
    """A group's funnels: patients per 100,000 per year (latest 12 months) and yield on answered."""

    rate: Funnel | None
    rate_hidden: tuple[str, ...]  # region keys left out: their count is hidden
    yields: Funnel | None
    yields_hidden: tuple[str, ...]


def regional_equity(project: Project, published: PublishedProject, group: Group) -> RegionalEquity:
    pub = published.group(group.id)
    latest = pub.latest_12_months
    regions = project.config.regions
    shown = [(r.region, r.counts.patients.value, regions[r.region].population) for r in latest.by_region
             if r.counts.patients.value is not None]
    hidden_rate = tuple(r.region for r in latest.by_region if r.counts.patients.value is None)
    years = (latest.months_in_operation or 0) / 12
    # Every region is needed for the overall rate; with one hidden, the overall rate from the total is used.
    rate = None
    if shown and years > 0:
        rate = rate_funnel(shown, years) if not hidden_rate else _rate_with_total(
            shown, latest.total.patients.value, sum(r.population for r in regions.values()), years)
    outcomes = published.outcomes.group(group.id) if published.outcomes else None
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


def group_effect_charts(project: Project, published: PublishedProject, group: Group, lang: str) -> list:
    equity = regional_equity(project, published, group)
    t = Strings(lang, project.config.default_language)
    names = {k: r.name for k, r in project.config.regions.items()}
    made = []
    legend = (t.funnel_centre, t.funnel_limit_95, t.funnel_limit_998)
    if equity.rate is not None:
        f = equity.rate
        made.append(charts.funnel_plot(
            "funnel-rates", t.funnel_rates_title, [names[p.key] for p in f.points], [p.size for p in f.points],
            [p.value for p in f.points], [verdict_text(p, lang) for p in f.points],
            [p.direction != 0 for p in f.points], f.centre, f.curve, lang, t.inhabitants, t.per_100k_per_year,
            legend, row_header=t.region, verdict_header=t.funnel_verdict,
            missing=[names[k] for k in equity.rate_hidden]))
    if equity.yields is not None:
        f = equity.yields
        made.append(charts.funnel_plot(
            "funnel-yields", t.funnel_yields_title, [names[p.key] for p in f.points], [p.size for p in f.points],
            [p.value for p in f.points], [verdict_text(p, lang) for p in f.points],
            [p.direction != 0 for p in f.points], f.centre, f.curve, lang, t.answered_patients, t.yield_on_answered,
            legend, percent=True, row_header=t.region, verdict_header=t.funnel_verdict,
            missing=[names[k] for k in equity.yields_hidden]))
    return made


class EffectView:
    """What templates/clinical_effect.html asks: formatted figures and sentences in the page's language."""

    def __init__(self, project: Project, published: PublishedProject, page, lang: str):
        self.project = project
        self.config = project.config
        self.published = published
        self.page = page
        self.lang = lang
        self.outcomes = published.outcomes
        self.consequences = list(project.config.effects.values())

    def group(self, group_id: str):
        return self.outcomes.group(group_id)

    def category(self, category: str):
        return self.outcomes.category(category)

    def median(self, answers: PublishedAnswers) -> str:
        return median_text(answers.median_bin, self.config, self.lang)

    def share(self, y: PublishedYield) -> str:
        """'31,2 % (28,0–34,6 %)', or the marker."""
        return self.page.yield_text_of(y)

    def consequence_label(self, key: str) -> str:
        return self.config.effects[key].label.get(self.lang, self.config.default_language)[0]

    def target_days(self, category: str) -> int | None:
        t = self.config.turnaround
        return t.target_days.get(category) if t else None

    def expected_verdict(self, observed: PublishedYield, expected: float | None) -> str:
        """Whether the expected yield lies inside the observed yield's 95 % interval."""
        if expected is None:
            return "–"
        if observed.ci_low.value is None or observed.ci_high.value is None:
            return observed.proportion.marker or "–"
        da = self.lang == "da"
        if expected < observed.ci_low.value:
            return "over forventet" if da else "above expected"
        if expected > observed.ci_high.value:
            return "under forventet" if da else "below expected"
        return "som forventet" if da else "as expected"

    def outside_regions(self, equity: RegionalEquity) -> list[str]:
        """Sentences naming each region outside the 99.8 % (or 95 %) limits of either funnel."""
        names = {k: r.name for k, r in self.config.regions.items()}
        said = []
        for funnel, what in ((equity.rate, "rate"), (equity.yields, "yield")):
            if funnel is None:
                continue
            for p in funnel.points:
                if p.direction:
                    said.append((names[p.key], what, verdict_text(p, self.lang)))
        return said

    def number(self, value, decimals: int = 1) -> str:
        return self.page.number(value, decimals)

    def percent(self, value, decimals: int = 1) -> str:
        return self.page.percent(value, decimals)

    def interval(self, low: float, high: float) -> str:
        return formatting.interval(low, high, self.lang)
