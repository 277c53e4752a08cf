"""The validated, immutable model of a project.

Everything here has passed the loader's checks: counts are whole numbers,
references resolve, months lie inside the operating period. Later stages
(derive, render, write) may rely on that and never re-check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

SAMPLE_TYPES = ("germline", "somatic", "rna")
CATEGORIES = ("rare", "cancer")
IMPACTS = ("diagnosis", "treatment", "family", "prevention", "prognosis")
UNIT_KEYS = ("patients", "analyses", "genome_equivalents")
# Optional units: `relatives` (persons who are relatives of a patient, counted under `effects:`).
OPTIONAL_UNIT_KEYS = ("relatives",)
LATER = "later"  # the turnaround bin after the last of `turnaround.bins_days`


class Month(NamedTuple):
    """A calendar month; orders and subtracts like a number of months."""

    year: int
    month: int

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Text:
    """Markdown text in one or more languages (language code -> Markdown)."""

    by_lang: dict[str, str]

    def get(self, lang: str, fallback: str) -> tuple[str, str]:
        """Return (text, language it is in), falling back to `fallback`, then to any."""
        for candidate in (lang, fallback):
            if candidate in self.by_lang:
                return self.by_lang[candidate], candidate
        first = next(iter(self.by_lang))
        return self.by_lang[first], first


@dataclass(frozen=True)
class Unit:
    """A count unit (patients, WGS analyses, genome equivalents), from reportgen.yaml.

    `key` is one of UNIT_KEYS; `label` is its name in every language; `definition`
    is its standard definition, the footnote every report gives the unit.
    """

    key: str
    label: Text
    definition: Text


@dataclass(frozen=True)
class Region:
    """A region of Denmark, from reportgen.yaml.

    `key` is the lower-case key the statistics rows use (e.g. hovedstaden), `name`
    the name shown, `population` the inhabitants, for rates per 100,000.
    """

    key: str
    name: str
    population: int


@dataclass(frozen=True)
class Turnaround:
    """How the time from referral to answer is counted, from reportgen.yaml.

    `bins_days` are the upper limits (days, increasing) of the bins answers are
    counted in, followed by the bin `later`; `target_days` is the target per
    category (rare, cancer), which must be one of the bins' limits.
    """

    bins_days: tuple[int, ...]
    target_days: dict[str, int]

    @property
    def bin_keys(self) -> tuple[str, ...]:
        """The keys of `answered_within_days` in a monthly row, e.g. ('28', '56', '84', 'later')."""
        return tuple(str(d) for d in self.bins_days) + (LATER,)


@dataclass(frozen=True)
class Consequence:
    """A clinical consequence counted under `effects:` (e.g. changed_treatment), defined once."""

    key: str
    label: Text
    definition: Text


@dataclass(frozen=True)
class Config:
    """The project settings, reportgen.yaml.

    `title` names the report series; `languages` are the report languages, the
    first the default; `units` the three count units by key; `weights` the genome
    equivalents per analysis of each sample type; `regions` by key, in the file's
    order; `population_source` says where the population figures come from;
    `national_target_genome_equivalents` is the national target; person counts
    below `min_count` are shown as '<N'; `publisher` publishes the reports.
    """

    title: Text
    languages: tuple[str, ...]
    units: dict[str, Unit]
    weights: dict[str, int]  # sample type -> genome equivalents per analysis
    regions: dict[str, Region]
    population_source: Text
    national_target_genome_equivalents: int
    min_count: int
    publisher: str = "Nationalt Genom Center"
    accessibility_statement: str | None = None  # the address of the accessibility statement
    turnaround: Turnaround | None = None
    effects: dict[str, Consequence] = field(default_factory=dict)  # consequence key -> its wording, in file order
    min_range: int = 3  # a hidden count must stay this many values wide for every reader
    rounding_base: int = 5  # a headline count that must give is published rounded to this

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def unit_label(self, key: str, lang: str) -> str:
        """The name of the unit `key` in `lang` (else in the default language), e.g. 'Patienter'."""
        return self.units[key].label.get(lang, self.default_language)[0]


@dataclass(frozen=True)
class Analyses:
    """WGS analyses (samples sequenced) by sample type: germline, somatic (tumour) and RNA."""

    germline: int
    somatic: int
    rna: int

    @property
    def total(self) -> int:
        return self.germline + self.somatic + self.rna

    def by_type(self) -> dict[str, int]:
        return {"germline": self.germline, "somatic": self.somatic, "rna": self.rna}


@dataclass(frozen=True)
class MonthlyRow:
    """Counts for one month, region and indication of a group.

    `region` is a region key of the settings and `indication` one of the group's
    indication codes. `patients` are the unique patients (probands) referred for
    WGS that month, `analyses` the samples sequenced, `diagnosed` the patients
    with a clinically relevant finding: diagnosed <= patients <= analyses.total.
    """

    month: Month
    region: str
    indication: str
    patients: int
    analyses: Analyses
    diagnosed: int
    answered: int | None = None  # referred that month and answered by as_of; None: not recorded
    answered_within_days: tuple[tuple[str, int], ...] | None = None  # (bin key, answered patients), bins in order


@dataclass(frozen=True)
class Statistics:
    """A group's operating statistics.

    `as_of` is the data cut-off, the last day the figures cover; `source` says
    where they come from; `monthly` holds one row per month, region and
    indication, each month within the group's period of operation.
    """

    as_of: dt.date
    source: str
    monthly: tuple[MonthlyRow, ...]


@dataclass(frozen=True)
class Indication:
    """An indication: who may be referred for WGS in a group.

    `code` is short and unique in the group (e.g. HJ1); `title` and `criteria`
    (Markdown: who may be referred) are texts; `expected_patients_per_year` is
    optional.
    """

    code: str
    title: Text
    criteria: Text
    expected_patients_per_year: int | None
    expected_yield: float | None = None  # expected diagnostic yield from the approved recommendation, 0..1


@dataclass(frozen=True)
class EffectEntry:
    """What the results meant for patients in one calendar year, written by the specialist network.

    `indication` is None for an entry about the whole group. `followed_up` are
    diagnosed patients whose course after the answer was followed up;
    `consequences` counts, per consequence key of reportgen.yaml, those of them
    with that consequence (each <= followed_up); `relatives_tested` counts
    relatives (not patients) who had a targeted test; `source` says where the
    figures come from.
    """

    period: int
    indication: str | None
    followed_up: int
    consequences: tuple[tuple[str, int], ...]
    relatives_tested: int | None
    source: str

    def consequence(self, key: str) -> int:
        return dict(self.consequences)[key]


@dataclass(frozen=True)
class Case:
    """An anonymised patient case: no names, CPR numbers or dates of birth.

    `indication` is the code of the indication it falls under; `impact` says what
    the result changed (each of IMPACTS at most once); `text` is Markdown.
    """

    title: Text
    indication: str
    impact: tuple[str, ...]
    text: Text


@dataclass(frozen=True)
class Edition:
    """An edition of a report: its date, its status and, optionally, what changed since the last one.

    Drafts are never published.
    """

    date: dt.date
    status: str  # draft | approved
    changes: Text | None


@dataclass(frozen=True)
class ArchivedCounts:
    """Raw counts since start at an edition's data cut-off; genome equivalents are never stored."""

    patients: int
    analyses: Analyses
    diagnosed: int


@dataclass(frozen=True)
class ArchivedIndication:
    """An indication as an archived edition had it: its code and title."""

    code: str
    title: Text


@dataclass(frozen=True)
class ArchivedCase:
    """A patient case as an archived edition had it: its title and indication code."""

    title: Text
    indication: str


@dataclass(frozen=True)
class ArchivedEdition:
    """An earlier edition of a group's report, as `reportgen new-edition` archived it.

    Only what a reader needs to compare it with the current edition, all
    computed when it was archived: never typed, never published as it is.
    """

    group: str
    example_data: bool
    edition: Edition
    as_of: dt.date
    since_start: ArchivedCounts
    indications: tuple[ArchivedIndication, ...]
    cases: tuple[ArchivedCase, ...]
    path: Path | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AllowedIdentifier:
    """Text shaped like a CPR number that is known not to be one, and why it is not."""

    value: str
    reason: str


@dataclass(frozen=True)
class Group:
    """A patient group's status report: one file in groups/, named after `id`.

    `category` is rare or cancer; `name` is given in every language; `network` is
    the national specialist network writing the report; `in_operation_since` is
    the date WGS was first offered to the group; `example_data` is true while its
    statistics and cases are invented examples. `summary` and `perspectives` are
    Markdown. `allow_identifiers` lists CPR-shaped texts that are not identifiers.
    `path` is the file it was read from; `earlier_editions` are the archived ones.
    """

    id: str
    category: str
    name: Text
    network: str
    in_operation_since: dt.date
    example_data: bool
    edition: Edition
    summary: Text
    indications: tuple[Indication, ...]
    statistics: Statistics
    cases: tuple[Case, ...]
    perspectives: Text
    allow_identifiers: tuple[AllowedIdentifier, ...] = ()
    effects: tuple[EffectEntry, ...] = ()
    path: Path | None = field(default=None, compare=False)
    earlier_editions: tuple[ArchivedEdition, ...] = ()  # archived in groups/editions/<id>/, oldest first

    @property
    def previous_edition(self) -> ArchivedEdition | None:
        """The latest archived edition before the current one, if any."""
        return self.earlier_editions[-1] if self.earlier_editions else None

    def indication(self, code: str) -> Indication:
        for ind in self.indications:
            if ind.code == code:
                return ind
        raise KeyError(code)


@dataclass(frozen=True)
class Section:
    """A section of a consolidated report's text: a heading and Markdown."""

    title: Text
    text: Text


@dataclass(frozen=True)
class Consolidated:
    """Texts of a consolidated report; its figures are always computed from the groups."""

    category: str
    title: Text
    edition: Edition
    summary: Text
    sections: tuple[Section, ...]
    perspectives: Text
    path: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Project:
    """Everything a build reads: the settings, the groups (by category, then name) and
    the consolidated reports' texts by category; `root` is the project folder."""

    root: Path
    config: Config
    groups: tuple[Group, ...]
    consolidated: dict[str, Consolidated]

    def groups_in(self, category: str) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.category == category)

    def group(self, group_id: str) -> Group:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)
