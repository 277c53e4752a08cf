"""Footnotes of one document, numbered in order of first use.

Every count a document shows refers to its unit's footnote (`patients`,
`analyses`, `genome_equivalents`), worded only from the unit definitions in
`reportgen.yaml`, so all 19 reports say the same. The other notes (data
cut-off, population source, suppression) are worded here, in one place, in
Danish and English; their facts (date, source, threshold) come from the data
and the settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportgen.model import UNIT_KEYS, Config
from reportgen.suppression_values import ROUNDED_MARKER, SECONDARY_MARKER, primary_marker

NOTE_KEYS = (*UNIT_KEYS, "relatives", "as_of", "population", "suppression", "rounded", "turnaround", "funnel",
             "yield_answered")
EFFECT_PREFIX = "effect:"  # "effect:<key>": the definition of a consequence from reportgen.yaml's effects

# Wording of the notes that are not unit definitions. Placeholders:
# {date} the data cut-off, {source} the population source,
# {marker} e.g. "<5", {secondary} "x", {highest} min_count - 1, {base} privacy.rounding_base, {rounded} "≈".
WORDING: dict[str, dict[str, str]] = {
    "as_of": {
        "da": "Opgjort med data til og med {date}.",
        "en": "Data up to and including {date}.",
    },
    "population": {
        "da": "Rater pr. 100.000 indbyggere. Befolkningstal: {source}.",
        "en": "Rates per 100,000 inhabitants. Population: {source}.",
    },
    "turnaround": {
        "da": ("Svartid: dage fra henvisning til svar til den henvisende læge, talt i intervallerne op til "
               "{bins} dage og senere. Medianen angives som det interval, den ligger i. Mål: {targets} dage."),
        "en": ("Turnaround: days from referral to the answer sent to the referring doctor, counted in the "
               "bins up to {bins} days and later. The median is given as the bin that holds it. "
               "Target: {targets} days."),
    },
    "funnel": {
        "da": ("Tragtdiagram: hver regions tal mod regionens størrelse. Kontrolgrænserne (95 % og 99,8 %) er "
               "eksakte Poisson-grænser for rater og binomiale grænser for udbytte omkring landsniveauet; en "
               "region uden for 99,8 %-grænsen afviger mere, end tilfældigheder kan forklare."),
        "en": ("Funnel plot: each region's figure against its size. The control limits (95% and 99.8%) are "
               "exact Poisson limits for rates and binomial limits for yields around the national level; a "
               "region outside the 99.8% limits differs by more than chance explains."),
    },
    "yield_answered": {
        "da": ("Udbytte af besvarede: patienter med et klinisk relevant fund blandt de patienter, der har "
               "fået svar; patienter, der venter på svar, tælles ikke med. 95 %-konfidensinterval (Wilson)."),
        "en": ("Yield on answered: patients with a clinically relevant finding among the patients who have "
               "had their answer; patients still waiting are not counted. 95% confidence interval (Wilson)."),
    },
    "suppression": {
        "da": (
            "Af hensyn til patienternes anonymitet vises antal personer fra 1 til {highest} som »{marker}«. "
            "»{secondary}« betyder, at tallet ikke vises, fordi man ellers kunne regne et skjult tal ud fra "
            "totalen; andele og rater, der bygger på et skjult tal, vises heller ikke."
        ),
        "en": (
            "To protect patients' anonymity, counts of 1 to {highest} persons are shown as “{marker}”. "
            "“{secondary}” means that a figure is not shown because a hidden count could otherwise be "
            "worked out from the total; shares and rates based on a hidden count are not shown either."
        ),
    },
    "rounded": {
        "da": (
            "»{rounded}« betyder, at tallet er afrundet til nærmeste {base}, fordi man ellers kunne regne et skjult "
            "antal personer ud; andele beregnet af et afrundet tal er beregnet af de afrundede tal."
        ),
        "en": (
            "“{rounded}” means that the figure is rounded to the nearest {base}, because a hidden count of persons "
            "could otherwise be worked out; shares computed from a rounded figure are computed from the rounded "
            "figures."
        ),
    },
}

CATEGORY_WORDS = {"da": {"rare": "sjældne sygdomme", "cancer": "kræft"},
                  "en": {"rare": "rare diseases", "cancer": "cancer"}}

# Locales for dates in the notes; a language not listed here falls back to itself.
DATE_LOCALES = {"da": "da_DK", "en": "en_GB"}


@dataclass(frozen=True)
class Footnote:
    number: int
    key: str
    text: str  # Markdown for unit definitions (they come from reportgen.yaml), plain text otherwise
    lang: str  # the language the text is in (a unit definition may fall back to the default language)


def format_date(day: dt.date, lang: str) -> str:
    """A date written out in `lang`, e.g. "31. maj 2024" or "31 May 2024"."""
    from babel.dates import format_date as babel_format_date  # only documents need Babel, not `check`

    return babel_format_date(day, format="long", locale=DATE_LOCALES.get(lang, lang))


def note_text(key: str, config: Config, lang: str, *, as_of: dt.date | None = None) -> tuple[str, str]:
    """(text, language) of the note `key` in `lang`, falling back to the project's default language."""
    if key in UNIT_KEYS or (key == "relatives" and key in config.units):
        return config.units[key].definition.get(lang, config.default_language)
    if key.startswith(EFFECT_PREFIX):
        consequence = config.effects[key.removeprefix(EFFECT_PREFIX)]
        definition, text_lang = consequence.definition.get(lang, config.default_language)
        return f"{consequence.label.get(text_lang, config.default_language)[0]}: {definition}", text_lang
    if key not in WORDING:
        raise KeyError(f"unknown footnote {key!r}; expected one of {', '.join(NOTE_KEYS)}")
    wording = WORDING[key]
    text_lang = lang if lang in wording else (config.default_language if config.default_language in wording else "en")
    if key == "as_of":
        if as_of is None:
            raise ValueError("the 'as_of' footnote needs the data cut-off date")
        return wording[text_lang].format(date=format_date(as_of, text_lang)), text_lang
    if key == "turnaround":
        turnaround = config.turnaround
        bins = ", ".join(str(d) for d in turnaround.bins_days) if turnaround else ""
        targets = "; ".join(f"{CATEGORY_WORDS[text_lang][c]} {d}" for c, d in (turnaround.target_days.items()
                                                                              if turnaround else ()))
        return wording[text_lang].format(bins=bins, targets=targets), text_lang
    if key == "population":
        source, _ = config.population_source.get(text_lang, config.default_language)
        # The wording ends the sentence itself.
        return wording[text_lang].format(source=source.strip().rstrip(".")), text_lang
    return (
        wording[text_lang].format(
            highest=config.min_count - 1, marker=primary_marker(config.min_count), secondary=SECONDARY_MARKER,
            base=config.rounding_base, rounded=ROUNDED_MARKER,
        ),
        text_lang,
    )


class Footnotes:
    """The footnotes of one document in one language: `ref(key)` gives the number, first use first."""

    def __init__(self, config: Config, lang: str, *, as_of: dt.date | None = None):
        self.config = config
        self.lang = lang
        self.as_of = as_of
        self._numbers: dict[str, int] = {}

    def ref(self, key: str) -> int:
        """The number of the note `key`, given the next free number on first use."""
        if key not in NOTE_KEYS and not (key.startswith(EFFECT_PREFIX)
                                         and key.removeprefix(EFFECT_PREFIX) in self.config.effects):
            raise KeyError(f"unknown footnote {key!r}; expected one of {', '.join(NOTE_KEYS)}")
        if key == "as_of" and self.as_of is None:
            raise ValueError("this document has no data cut-off date for the 'as_of' footnote")
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
        return self._numbers[key]

    def entries(self) -> list[Footnote]:
        """Every note referred to so far, in number order."""
        result = []
        for key, number in self._numbers.items():  # dicts keep insertion order: number order
            text, lang = note_text(key, self.config, self.lang, as_of=self.as_of)
            result.append(Footnote(number, key, text, lang))
        return result
