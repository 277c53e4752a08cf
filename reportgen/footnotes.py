"""Footnotes of one document, numbered in order of first use.

Every count a document shows refers to its unit's footnote (`patients`,
`analyses`, `genome_equivalents`), worded only from the unit definitions in
`reportgen.yaml`, so all 19 reports say the same. The other notes (data
cut-off, population source, suppression) are worded here, in English, and
translated by the language catalogues (reportgen/locale); their facts (date, source, threshold) come from the data
and the settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportgen.messages import N_, catalogue, languages
from reportgen.model import UNIT_KEYS, Config
from reportgen.suppression_values import ROUNDED_MARKER, SECONDARY_MARKER, WIDER_ROUNDINGS, primary_marker

NOTE_KEYS = (*UNIT_KEYS, "relatives", "as_of", "population", "suppression", "rounded", "turnaround", "funnel",
             "yield_answered")
EFFECT_PREFIX = "effect:"  # "effect:<key>": the definition of a consequence from reportgen.yaml's effects

# Wording of the notes that are not unit definitions. Placeholders:
# {date} the data cut-off, {source} the population source,
# {marker} e.g. "<5", {secondary} "x", {highest} min_count - 1, {base} privacy.rounding_base, {rounded} "≈",
# {wider} and {widest} the wider roundings a headline may need, e.g. "10, 25" and "50".
WORDING: dict[str, str] = {
    "as_of": N_("Data up to and including {date}."),
    "population": N_("Rates per 100,000 inhabitants. Population: {source}."),
    "turnaround": N_(
        "Turnaround: days from referral to the answer sent to the referring doctor, counted in the "
        "bins up to {bins} days and later. The median is given as the bin that holds it. "
        "Target: {targets} days."
    ),
    "funnel": N_(
        "Funnel plot: each region's figure against its size. The control limits (95% and 99.8%) are "
        "exact Poisson limits for rates and binomial limits for yields around the national level; a "
        "region outside the 99.8% limits differs by more than chance explains."
    ),
    "yield_answered": N_(
        "Yield on answered: patients with a clinically relevant finding among the patients who have "
        "had their answer; patients still waiting are not counted. 95% confidence interval (Wilson)."
    ),
    "suppression": N_(
        "To protect patients' anonymity, counts of 1 to {highest} persons are shown as “{marker}”. "
        "“{secondary}” means that a figure is not shown because a hidden count could otherwise be "
        "worked out from the total; shares and rates based on a hidden count are not shown either."
    ),
    "rounded": N_(
        "“{rounded}” means that the figure is rounded to the nearest {base} (or, where that would not be enough, "
        "to the nearest {wider} or {widest}), because a hidden count of persons could otherwise be worked out; "
        "shares computed from a rounded figure are computed from the rounded figures."
    ),
}

CATEGORY_WORDS = {"rare": N_("rare diseases"), "cancer": N_("cancer")}

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
    known = languages()
    text_lang = lang if lang in known else (config.default_language if config.default_language in known else "en")
    wording = {text_lang: catalogue(text_lang).gettext(WORDING[key])}
    if key == "as_of":
        if as_of is None:
            raise ValueError("the 'as_of' footnote needs the data cut-off date")
        return wording[text_lang].format(date=format_date(as_of, text_lang)), text_lang
    if key == "turnaround":
        turnaround = config.turnaround
        bins = ", ".join(str(d) for d in turnaround.bins_days) if turnaround else ""
        words = catalogue(text_lang)
        targets = "; ".join(f"{words.gettext(CATEGORY_WORDS[c])} {d}"
                            for c, d in (turnaround.target_days.items() if turnaround else ()))
        return wording[text_lang].format(bins=bins, targets=targets), text_lang
    if key == "population":
        source, __ = config.population_source.get(text_lang, config.default_language)
        # The wording ends the sentence itself.
        return wording[text_lang].format(source=source.strip().rstrip(".")), text_lang
    return (
        wording[text_lang].format(
            highest=config.min_count - 1, marker=primary_marker(config.min_count), secondary=SECONDARY_MARKER,
            base=config.rounding_base, rounded=ROUNDED_MARKER,
            wider=", ".join(str(config.rounding_base * m) for m in WIDER_ROUNDINGS[:-1]),
            widest=config.rounding_base * WIDER_ROUNDINGS[-1],
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
