"""The section "Klinisk effekt" / "Clinical effect": its charts and the words its template needs.

Reads published figures only (`suppression.PublishedOutcomes` and the
published regional counts); the funnel plots (`equity.regional_equity`) are
computed from published counts, so a region whose count is hidden is left out
and never judged. It imports no renderer: `documents` plans with it.
"""

from __future__ import annotations

from .equity import OUTSIDE_95, OUTSIDE_998, RegionalEquity
from .i18n import Strings
from .messages import N_, catalogue, languages
from .model import LATER, Config
from .suppression import Published, PublishedAnswers, PublishedYield

VERDICTS = {"within": N_("within the limits"), (OUTSIDE_95, 1): N_("above the 95% limit"),
            (OUTSIDE_95, -1): N_("below the 95% limit"), (OUTSIDE_998, 1): N_("above the 99.8% limit"),
            (OUTSIDE_998, -1): N_("below the 99.8% limit")}
EXPECTED = {1: N_("above expected"), -1: N_("below expected"), 0: N_("as expected")}


def _words(lang: str):
    return catalogue(lang if lang in languages() else "en")


def verdict_text(point, lang: str) -> str:
    key = "within" if point.direction == 0 else (point.verdict, point.direction)
    return _words(lang).gettext(VERDICTS[key])


def median_text(bin_key: Published | str | None, config: Config, lang: str) -> str:
    """The bin holding the median as words: '≤ 56 dage', '> 84 days'; a marker when hidden."""
    if isinstance(bin_key, Published):
        if bin_key.value is None:
            return bin_key.marker
        bin_key = bin_key.value
    if bin_key is None:
        return "–"
    if bin_key == LATER:
        return _words(lang).gettext(N_("> {days} days")).format(days=config.turnaround.bins_days[-1])
    return _words(lang).gettext(N_("≤ {days} days")).format(days=bin_key)


def funnel_chart_calls(config: Config, equity: RegionalEquity, lang: str) -> list[tuple[tuple, dict]]:
    """The funnel plots of a group's report, as (args, kwargs) of `charts.funnel_plot`."""
    t = Strings(lang, config.default_language)
    names = {k: r.name for k, r in config.regions.items()}
    calls = []
    legend = (t.funnel_centre, t.funnel_limit_95, t.funnel_limit_998)
    for funnel, hidden, key, title, x_label, y_label, percent in (
            (equity.rate, equity.rate_hidden, "funnel-rates", t.funnel_rates_title, t.inhabitants,
             t.per_100k_per_year, False),
            (equity.yields, equity.yields_hidden, "funnel-yields", t.funnel_yields_title, t.answered_patients,
             t.yield_on_answered, True)):
        if funnel is None:
            continue
        points = funnel.points
        calls.append(((key, title, [names[p.key] for p in points], [p.size for p in points],
                       [p.value for p in points], [verdict_text(p, lang) for p in points],
                       [p.direction != 0 for p in points], funnel.centre, funnel.curve, lang, x_label, y_label,
                       legend),
                      {"percent": percent, "row_header": t.region, "verdict_header": t.funnel_verdict,
                       "missing": [names[k] for k in hidden]}))
    return calls


class EffectView:
    """What templates/clinical_effect.html asks: figures in words, in the language it is given."""

    def __init__(self, config: Config):
        self.config = config
        self.consequences = list(config.effects.values())

    def median(self, answers: PublishedAnswers, lang: str) -> str:
        return median_text(answers.median_bin, self.config, lang)

    def consequence_label(self, key: str, lang: str) -> str:
        return self.config.effects[key].label.get(lang, self.config.default_language)[0]

    def target_days(self, category: str) -> int | None:
        t = self.config.turnaround
        return t.target_days.get(category) if t else None

    def expected_verdict(self, observed: PublishedYield, expected: float | None, lang: str) -> str:
        """Whether the expected yield lies inside the observed yield's 95 % interval."""
        if expected is None:
            return "–"
        if observed.ci_low.value is None or observed.ci_high.value is None:
            return observed.proportion.marker or "–"
        if expected < observed.ci_low.value:
            return _words(lang).gettext(EXPECTED[1])
        if expected > observed.ci_high.value:
            return _words(lang).gettext(EXPECTED[-1])
        return _words(lang).gettext(EXPECTED[0])

    def outside_regions(self, equity: RegionalEquity, lang: str) -> list[tuple[str, str, str]]:
        """Sentences naming each region outside the 99.8 % (or 95 %) limits of either funnel."""
        names = {k: r.name for k, r in self.config.regions.items()}
        said = []
        for funnel, what in ((equity.rate, "rate"), (equity.yields, "yield")):
            if funnel is None:
                continue
            for p in funnel.points:
                if p.direction:
                    said.append((names[p.key], what, verdict_text(p, lang)))
        return said
