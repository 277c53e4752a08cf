"""What WGS did for patients: answers, turnaround and clinical effect, as raw figures (pure arithmetic).

Computed from the monthly rows' `answered` and `answered_within_days`, the
indications' `expected_yield` and the group files' `effects:` entries; the
consolidated and national figures are sums of the groups'. All figures are
since start (answers of the latest months are still arriving, so a rolling
window would mostly show what is pending).

Like `figures`, these are *raw*: every person count here (answered, pending,
diagnosed among answered, answered within the target, followed up, each
consequence, relatives tested) passes through `suppression` before anyone
sees it.

Definitions
    Recorded: the patients of the rows that record `answered`; the rest are
    "not recorded". Pending = recorded - answered.
    Yield on answered: diagnosed (in the recorded rows) / answered, with a 95 %
    Wilson interval. Where no row records `answered`, a report keeps
    diagnosed / patients and says so.
    Turnaround: from the rows that give `answered_within_days` ("binned"). The
    median of binned data is reported as the bin that holds it: the first bin
    whose running total reaches half of the binned answers, shown as "<= 56
    days" (or "> 84 days" for `later`). Answered within the target: the
    answers in the bins up to the category's `turnaround.target_days`.
    Effects: per calendar year, the entries of the year summed (one whole-group
    entry, or one per indication). The share of followed-up patients with a
    consequence has a 95 % Wilson interval. Relatives tested per patient with
    cascade testing = relatives tested / patients with `cascade_testing`, over
    the entries that record `relatives_tested`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .figures import DiagnosticYield, _find, diagnostic_yield
from .model import CATEGORIES, LATER, Config, Group, MonthlyRow, Project

CASCADE = "cascade_testing"  # the consequence whose patients' relatives are counted in `relatives_tested`


# --- answers and turnaround -----------------------------------------------------


@dataclass(frozen=True)
class AnswerCounts:
    """Answers in one cell (a group's total, year, region or indication, or a sum of groups).

    `patients` are all patients of the cell; `unrecorded` those in rows without
    `answered`; `answered` and `pending` split the rest. `diagnosed_answered`
    are the diagnosed patients of the recorded rows. `binned` are the answers
    of rows with `answered_within_days`, `bins` their counts per bin key (in
    reportgen.yaml's order) and `within_target` those in the bins up to the
    target.
    """

    patients: int = 0
    unrecorded: int = 0
    answered: int = 0
    pending: int = 0
    diagnosed_answered: int = 0
    binned: int = 0
    within_target: int = 0
    bins: tuple[tuple[str, int], ...] = ()

    @property
    def recorded(self) -> int:
        return self.answered + self.pending

    @property
    def yield_on_answered(self) -> DiagnosticYield | None:
        """diagnosed / answered with its 95 % Wilson interval; None when nothing is answered."""
        return diagnostic_yield(self.diagnosed_answered, self.answered)

    @property
    def share_within_target(self) -> float | None:
        return self.within_target / self.binned if self.binned else None

    @property
    def median_bin(self) -> str | None:
        """The bin key holding the median answer (see the module docstring); None without binned answers."""
        return median_bin(self.bins)

    def __add__(self, other: AnswerCounts) -> AnswerCounts:
        return AnswerCounts(
            self.patients + other.patients, self.unrecorded + other.unrecorded, self.answered + other.answered,
            self.pending + other.pending, self.diagnosed_answered + other.diagnosed_answered,
            self.binned + other.binned, self.within_target + other.within_target, _add_bins(self.bins, other.bins))


NO_ANSWERS = AnswerCounts()


def _add_bins(a: tuple[tuple[str, int], ...], b: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    if not a:
        return b
    if not b:
        return a
    counts = dict(b)
    return tuple((key, n + counts.get(key, 0)) for key, n in a)


def median_bin(bins: Sequence[tuple[str, int]]) -> str | None:
    """The first bin whose running total reaches half of all the answers; None when there are none."""
    total = sum(n for _, n in bins)
    if total == 0:
        return None
    running = 0
    for key, n in bins:
        running += n
        if 2 * running >= total:
            return key
    return bins[-1][0]  # not reached: the running total ends at the total


def within(bins: Sequence[tuple[str, int]], target_days: int | None) -> int:
    """Answers in the bins up to `target_days` (0 without a target)."""
    if target_days is None:
        return 0
    return sum(n for key, n in bins if key != LATER and int(key) <= target_days)


def count_answers(rows: Iterable[MonthlyRow], bin_keys: Sequence[str], target_days: int | None) -> AnswerCounts:
    """The answers of a set of monthly rows."""
    patients = unrecorded = answered = diagnosed = binned = 0
    by_bin = dict.fromkeys(bin_keys, 0)
    for row in rows:
        patients += row.patients
        if row.answered is None:
            unrecorded += row.patients
            continue
        answered += row.answered
        diagnosed += row.diagnosed
        if row.answered_within_days is not None:
            binned += row.answered
            for key, n in row.answered_within_days:
                by_bin[key] = by_bin.get(key, 0) + n
    bins = tuple(by_bin.items()) if binned else ()
    return AnswerCounts(patients, unrecorded, answered, patients - unrecorded - answered, diagnosed, binned,
                        within(bins, target_days), bins)


# --- clinical effect ------------------------------------------------------------


@dataclass(frozen=True)
class EffectCounts:
    """The effects entries of one cell (a group's year, its total, or a sum of groups).

    `followed_up` and each of `consequences` count patients; `relatives_tested`
    counts relatives, over the entries that record it, and `cascade_recorded`
    the patients with cascade testing in those same entries.
    """

    followed_up: int = 0
    consequences: tuple[tuple[str, int], ...] = ()
    relatives_tested: int = 0
    cascade_recorded: int = 0
    entries: int = 0

    def consequence(self, key: str) -> int:
        return dict(self.consequences).get(key, 0)

    def share(self, key: str) -> DiagnosticYield | None:
        """Followed-up patients with consequence `key` / followed up, with a 95 % Wilson interval."""
        return diagnostic_yield(self.consequence(key), self.followed_up)

    @property
    def relatives_per_cascade_patient(self) -> float | None:
        return self.relatives_tested / self.cascade_recorded if self.cascade_recorded else None

    def __add__(self, other: EffectCounts) -> EffectCounts:
        return EffectCounts(self.followed_up + other.followed_up, _add_bins(self.consequences, other.consequences),
                            self.relatives_tested + other.relatives_tested,
                            self.cascade_recorded + other.cascade_recorded, self.entries + other.entries)


NO_EFFECTS = EffectCounts()


def count_effects(entries: Iterable, keys: Sequence[str]) -> EffectCounts:
    total = EffectCounts(consequences=tuple((k, 0) for k in keys))
    for e in entries:
        counts = dict(e.consequences)
        recorded = e.relatives_tested is not None
        total = total + EffectCounts(e.followed_up, tuple((k, counts.get(k, 0)) for k in keys),
                                     e.relatives_tested or 0, counts.get(CASCADE, 0) if recorded else 0, 1)
    return total


# --- a group's, a category's and the nation's figures ---------------------------


@dataclass(frozen=True)
class IndicationOutcome:
    """An indication's answers and its yield against the expected yield of the recommendation."""

    code: str
    answers: AnswerCounts
    expected_yield: float | None


@dataclass(frozen=True)
class GroupOutcomes:
    """A group's answers (total, by year, region and indication) and effects (total and by year)."""

    group_id: str
    category: str
    target_days: int | None
    answers: AnswerCounts
    by_year: tuple[tuple[int, AnswerCounts], ...]
    by_region: tuple[tuple[str, AnswerCounts], ...]
    by_indication: tuple[IndicationOutcome, ...]
    effects: EffectCounts
    effects_by_year: tuple[tuple[int, EffectCounts], ...]
    diagnosed: int  # all diagnosed patients since start (the followed-up ones are among them)
    diagnosed_in_effect_years: int  # diagnosed in the years that have effects entries

    @property
    def records_answers(self) -> bool:
        return self.answers.recorded > 0

    @property
    def records_effects(self) -> bool:
        return self.effects.entries > 0


def group_outcomes(group: Group, config: Config) -> GroupOutcomes:
    """A group's answers and effects, since start."""
    rows = group.statistics.monthly
    keys = config.turnaround.bin_keys if config.turnaround else ()
    target = config.turnaround.target_days.get(group.category) if config.turnaround else None
    years = range(group.in_operation_since.year, group.statistics.as_of.year + 1)
    effect_keys = tuple(config.effects)
    effect_years = sorted({e.period for e in group.effects})
    return GroupOutcomes(
        group_id=group.id,
        category=group.category,
        target_days=target,
        answers=count_answers(rows, keys, target),
        by_year=tuple((y, count_answers((r for r in rows if r.month.year == y), keys, target)) for y in years),
        by_region=tuple((key, count_answers((r for r in rows if r.region == key), keys, target))
                        for key in config.regions),
        by_indication=tuple(IndicationOutcome(i.code, count_answers((r for r in rows if r.indication == i.code),
                                                                    keys, target), i.expected_yield)
                            for i in group.indications),
        effects=count_effects(group.effects, effect_keys),
        effects_by_year=tuple((y, count_effects((e for e in group.effects if e.period == y), effect_keys))
                              for y in effect_years),
        diagnosed=sum(r.diagnosed for r in rows),
        diagnosed_in_effect_years=sum(r.diagnosed for r in rows if r.month.year in effect_years),
    )


@dataclass(frozen=True)
class AggregateOutcomes:
    """A category's or the nation's answers and effects: the sums of its parts (groups or categories)."""

    key: str  # a category, or "national"
    answers: AnswerCounts
    effects: EffectCounts
    parts: tuple[tuple[str, AnswerCounts, EffectCounts], ...]  # (group id or category, answers, effects)


@dataclass(frozen=True)
class ProjectOutcomes:
    """Every group's answers and effects, each category's and the nation's; `consequences` are the
    consequence keys of reportgen.yaml, in its order."""

    groups: tuple[GroupOutcomes, ...]
    categories: tuple[AggregateOutcomes, ...]
    national: AggregateOutcomes
    consequences: tuple[str, ...] = ()

    def group(self, group_id: str) -> GroupOutcomes:
        return _find(self.groups, "group_id", group_id)

    def category(self, category: str) -> AggregateOutcomes:
        return _find(self.categories, "key", category)


def _aggregate(key: str, parts: Sequence[tuple[str, AnswerCounts, EffectCounts]]) -> AggregateOutcomes:
    answers, effects = NO_ANSWERS, NO_EFFECTS
    for _, a, e in parts:
        answers, effects = answers + a, effects + e
    return AggregateOutcomes(key, answers, effects, tuple(parts))


def project_outcomes(project: Project) -> ProjectOutcomes:
    """Every group's answers and effects, each category's sum and the nation's."""
    groups = tuple(group_outcomes(g, project.config) for g in project.groups)
    categories = tuple(
        _aggregate(c, [(g.group_id, g.answers, g.effects) for g in groups if g.category == c]) for c in CATEGORIES)
    national = _aggregate("national", [(c.key, c.answers, c.effects) for c in categories])
    return ProjectOutcomes(groups, categories, national, tuple(project.config.effects))
