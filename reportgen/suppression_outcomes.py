"""Answers, turnaround and clinical effect in the reader's model, and published from it.

The person counts of `reportgen.outcomes` join the `CellSystem` of
`suppression_cells` (patients and diagnosed), with the relations a reader
knows about them, in every place since start:

  patients   = answered + pending + (unrecorded)
  answered   = diagnosed_answered + (answered, not diagnosed)
  diagnosed  = diagnosed_answered + (diagnosed in unrecorded rows)
  (unrecorded) = (diagnosed in unrecorded rows) + (unrecorded, not diagnosed)
  diagnosed in a year = followed_up of that year + (not followed up)
  followed_up = consequence + (followed up without it), for every consequence

and every measure adds up over a group's years, regions and indications, over
its effects years, over the groups of a category and over the categories of
the nation. Cells in parentheses are auxiliary (never published as counts;
"not recorded" is shown only where patients, answered and pending are, so it
gives nothing away). Answered, pending, the diagnosed among the answered,
followed up, each consequence and the relatives tested are protected counts:
"<5" when small, hidden ("x") where a reader could narrow one. A region knows its own counts, a group's network every count
of its own group; the category and national totals, and a group's own
answers, are headline figures (rounded rather than hidden).

Not modelled: the turnaround bins. No bin is published as a count, only the
share answered within the target and the bin of the median, each shown where
the answered count is. They are ratios of counts outside the model (a share of 1/3 tells
that at least 3 answers were binned, so at least 3 answered), a bound this
model does not add.

A count made of one region's patients alone is known to that region, as in
`suppression_cells`: a count of answers is known to whoever knows the
patients it is part of, a count of the diagnosed among them or of effects to
whoever knows the diagnosed patients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportgen.figures import SINCE_START, ProjectFigures, diagnostic_yield
from reportgen.outcomes import CASCADE as CASCADE_KEY
from reportgen.outcomes import AggregateOutcomes, AnswerCounts, EffectCounts, ProjectOutcomes
from reportgen.suppression_cells import _NATIONAL_KEY, _category_key, _group_key
from reportgen.suppression_engine import CellSystem
from reportgen.suppression_values import Published, PublishedYield, Status, derived, published

ANSWER_MEASURES = ("answered", "pending", "diagnosed_answered")
_ANSWER_AUX = ("unrecorded", "answered_not_diagnosed", "diagnosed_unrecorded", "unrecorded_not_diagnosed")
_ANSWER_SUMS = (
    ("patients", ("answered", "pending", "unrecorded")),
    ("answered", ("diagnosed_answered", "answered_not_diagnosed")),
    ("diagnosed", ("diagnosed_answered", "diagnosed_unrecorded")),
    ("unrecorded", ("diagnosed_unrecorded", "unrecorded_not_diagnosed")),
)
HEADLINE_COST = 1000  # as the category and national totals of patients and diagnosed (suppression_cells)
GROUP_HEADLINE_COST = 5000  # as a group's own totals


def _effects_key(place: tuple) -> tuple:
    """The place of a category's or the nation's effects (beside its answers)."""
    return ("effects", *place[1:])


def _answer_values(a: AnswerCounts, diagnosed: int) -> dict[str, int]:
    diagnosed_unrecorded = diagnosed - a.diagnosed_answered
    return {
        "answered": a.answered, "pending": a.pending, "diagnosed_answered": a.diagnosed_answered,
        "unrecorded": a.unrecorded, "answered_not_diagnosed": a.answered - a.diagnosed_answered,
        "diagnosed_unrecorded": diagnosed_unrecorded, "unrecorded_not_diagnosed": a.unrecorded - diagnosed_unrecorded,
    }


def _effect_values(e: EffectCounts, keys: Sequence[str]) -> dict[str, int]:
    values = {"followed_up": e.followed_up, "relatives_tested": e.relatives_tested}
    for k in keys:
        values[f"consequence:{k}"] = e.consequence(k)
        values[f"followed_up_without:{k}"] = e.followed_up - e.consequence(k)
    return values


def _describe(measure: str, place: tuple) -> str:
    kind, owner, dimension, member = place
    if kind == "national":
        where = "the national total"
    elif kind == "category":
        where = f"the {owner} category's total"
    elif kind == "effects":
        where = "the national clinical effect" if owner is None else f"the {owner} category's clinical effect"
    elif dimension == "total":
        where = f"{owner}'s total"
    elif dimension == "effects":
        where = f"{owner}'s clinical effect"
    elif dimension == "effects_year":
        where = f"{owner}'s clinical effect, year {member}"
    else:
        where = f"{owner}, {dimension} {member}"
    return f"{measure.replace('_', ' ').replace(':', ' ')}, since start, {where}"


def add_outcome_cells(system: CellSystem, figures: ProjectFigures, outcomes: ProjectOutcomes) -> None:
    """The answers and effects cells and their relations (see the module docstring), added to `system`.

    `system` must already hold the patients and diagnosed cells since start;
    call its `close_knowledge()` afterwards.
    """
    keys = outcomes.consequences
    published_effects = {"followed_up", "relatives_tested", *(f"consequence:{k}" for k in keys)}

    def known_by(place: tuple, measure: str) -> frozenset:
        """Who knows a count of a group: whoever knows the count it is part of (its patients, or its diagnosed
        patients), e.g. a region that reported all of them."""
        kind, owner, dimension, member = place
        if kind != "group":
            return frozenset()
        of = {"effects": _group_key(owner, "total"), "effects_year": _group_key(owner, "year", member)}.get(dimension, place)
        among = "diagnosed" if dimension.startswith("effects") or measure.startswith("diagnosed") else "patients"
        whole = (among, SINCE_START, of)
        known = system.cells[system.index[whole]].known_by if whole in system.index else frozenset()
        return known | {("group", owner)}

    def add(place: tuple, values: dict[str, int], published_measures) -> None:
        kind, owner, dimension, member = place
        # A group's own answers (as its own patients and diagnosed) cost more to round than a consolidated total.
        headline = HEADLINE_COST if kind in ("category", "national", "effects") else \
            GROUP_HEADLINE_COST if dimension == "total" else 0
        for measure, raw in values.items():
            aux = measure not in published_measures
            system.add_cell((measure, SINCE_START, place), raw, aux=aux, known_by=known_by(place, measure),
                            headline=0 if aux else headline, label=_describe(measure, place),
                            where=owner if kind == "group" else None, slot=("outcomes", SINCE_START, place))

    def add_sum(measure: str, total: tuple, parts: Sequence[tuple]) -> None:
        if parts:
            system.add_sum((measure, SINCE_START, total), [(measure, SINCE_START, p) for p in parts])

    def answers(place: tuple, a: AnswerCounts, diagnosed: int) -> None:
        add(place, _answer_values(a, diagnosed), ANSWER_MEASURES)
        for total, parts in _ANSWER_SUMS:
            system.add_sum((total, SINCE_START, place), [(p, SINCE_START, place) for p in parts])

    answer_measures = (*ANSWER_MEASURES, *_ANSWER_AUX)
    for g in outcomes.groups:
        win = figures.group(g.group_id).since_start
        gid = g.group_id
        total = _group_key(gid, "total")
        answers(total, g.answers, win.total.diagnosed)
        for dimension, items, diagnosed in (
            ("year", g.by_year, {y.year: y.counts.diagnosed for y in win.by_year}),
            ("region", g.by_region, {r.region: r.counts.diagnosed for r in win.by_region}),
            ("indication", [(i.code, i.answers) for i in g.by_indication],
             {i.code: i.counts.diagnosed for i in win.by_indication}),
        ):
            places = []
            for member, a in items:
                place = _group_key(gid, dimension, member)
                answers(place, a, diagnosed[member])
                places.append(place)
            for measure in answer_measures:
                add_sum(measure, total, places)
        if not g.records_effects:
            continue
        effects_place = _group_key(gid, "effects")
        add(effects_place, _effect_values(g.effects, keys), published_effects)
        year_places = []
        for year, e in g.effects_by_year:
            place = _group_key(gid, "effects_year", year)
            add(place, _effect_values(e, keys), published_effects)
            system.add_cell(("not_followed_up", SINCE_START, place), win.year(year).counts.diagnosed - e.followed_up,
                            aux=True, known_by=known_by(place, "patients"), label=_describe("not followed up", place),
                            where=gid, slot=("outcomes", SINCE_START, place))
            system.add_sum(("diagnosed", SINCE_START, _group_key(gid, "year", year)),
                           [("followed_up", SINCE_START, place), ("not_followed_up", SINCE_START, place)])
            year_places.append(place)
        for measure in _effect_values(g.effects, keys):
            add_sum(measure, effects_place, year_places)
        for k in keys:
            for place in (effects_place, *year_places):
                system.add_sum(("followed_up", SINCE_START, place),
                               [(f"consequence:{k}", SINCE_START, place), (f"followed_up_without:{k}", SINCE_START, place)])

    def aggregate(place: tuple, agg: AggregateOutcomes, diagnosed: int, part_places: Sequence[tuple],
                  effect_parts: Sequence[tuple]) -> None:
        answers(place, agg.answers, diagnosed)
        for measure in answer_measures:
            add_sum(measure, place, part_places)
        values = _effect_values(agg.effects, keys)
        add(_effects_key(place), values, published_effects)
        for measure in values:
            add_sum(measure, _effects_key(place), effect_parts)
        for k in keys:
            system.add_sum(("followed_up", SINCE_START, _effects_key(place)),
                           [(f"consequence:{k}", SINCE_START, _effects_key(place)),
                            (f"followed_up_without:{k}", SINCE_START, _effects_key(place))])

    for c in outcomes.categories:
        members = [g for g in outcomes.groups if g.category == c.key]
        aggregate(_category_key(c.key), c, figures.category(c.key).since_start.total.diagnosed,
                  [_group_key(g.group_id, "total") for g in members],
                  [_group_key(g.group_id, "effects") for g in members if g.records_effects])
    aggregate(_NATIONAL_KEY, outcomes.national, figures.national.since_start.total.diagnosed,
              [_category_key(c.key) for c in outcomes.categories],
              [_effects_key(_category_key(c.key)) for c in outcomes.categories])


# --- the published answers and effects ----------------------------------------


@dataclass(frozen=True)
class PublishedAnswers:
    """Answers in one place as published (see `reportgen.outcomes.AnswerCounts`).

    `median_bin` is the key of the bin that holds the median answer ('56',
    'later'); it and the shares are hidden with the counts they come from.
    """

    answered: Published
    pending: Published
    unrecorded: Published
    diagnosed_answered: Published
    binned: Published
    within_target: Published
    yield_on_answered: PublishedYield
    share_within_target: Published
    median_bin: Published
    recorded_share: Published  # (answered + pending) / patients: how complete the record is

    @property
    def records(self) -> bool:
        """True when answers are recorded here (or may be: hidden counts count as recorded)."""
        return not (self.answered.value == 0 and self.pending.value == 0)


@dataclass(frozen=True)
class PublishedIndicationAnswers:
    code: str
    answers: PublishedAnswers
    expected_yield: float | None  # from the approved recommendation: public


@dataclass(frozen=True)
class PublishedConsequence:
    key: str
    count: Published
    share: PublishedYield  # of the followed-up patients, with a 95 % Wilson interval


@dataclass(frozen=True)
class PublishedEffects:
    """Effects in one place as published: followed up, each consequence, relatives tested."""

    entries: int
    followed_up: Published
    consequences: tuple[PublishedConsequence, ...]
    relatives_tested: Published
    relatives_per_cascade_patient: Published

    def consequence(self, key: str) -> PublishedConsequence:
        for c in self.consequences:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True)
class PublishedGroupOutcomes:
    group_id: str
    target_days: int | None
    answers: PublishedAnswers
    by_year: tuple[tuple[int, PublishedAnswers], ...]
    by_region: tuple[tuple[str, PublishedAnswers], ...]
    by_indication: tuple[PublishedIndicationAnswers, ...]
    effects: PublishedEffects | None  # None: the group has no effects entries
    effects_by_year: tuple[tuple[int, PublishedEffects], ...]
    diagnosed_in_effect_years: Published  # the diagnosed patients the followed-up ones are among


@dataclass(frozen=True)
class PublishedAggregateOutcomes:
    key: str
    answers: PublishedAnswers
    effects: PublishedEffects
    parts: tuple[tuple[str, PublishedAnswers, PublishedEffects | None], ...]


@dataclass(frozen=True)
class PublishedOutcomes:
    groups: tuple[PublishedGroupOutcomes, ...]
    categories: tuple[PublishedAggregateOutcomes, ...]
    national: PublishedAggregateOutcomes

    def group(self, group_id: str) -> PublishedGroupOutcomes:
        for g in self.groups:
            if g.group_id == group_id:
                return g
        raise KeyError(group_id)

    def category(self, category: str) -> PublishedAggregateOutcomes:
        for c in self.categories:
            if c.key == category:
                return c
        raise KeyError(category)


class _Publisher:
    def __init__(self, system: CellSystem, status: Sequence[Status], min_count: int, rounding_base: int,
                 unsafe_raw: bool):
        self.system, self.status = system, status
        self.min_count, self.base, self.unsafe_raw = min_count, rounding_base, unsafe_raw

    def status_of(self, key: tuple) -> Status:
        return self.status[self.system.index[key]]

    def raw(self, key: tuple) -> int:
        return self.system.cells[self.system.index[key]].raw

    def cell(self, key: tuple) -> Published:
        return published(self.raw(key), self.status_of(key), self.min_count, self.unsafe_raw, self.base)

    def derived(self, raw, *keys: tuple, rounded_value=None) -> Published:
        """A figure computed from the counts under `keys`: shown only if all of them are."""
        return derived(raw, (self.status_of(k) for k in keys), self.min_count, self.unsafe_raw, rounded_value)

    def share(self, part: tuple, whole: tuple) -> PublishedYield:
        """part / whole with its Wilson interval, hidden with either count; from the rounded counts if one is."""
        y = diagnostic_yield(self.raw(part), self.raw(whole))
        shown = self.cell(part), self.cell(whole)
        rounded_y = None
        if any(s.status is Status.ROUNDED for s in shown) and shown[1].value and shown[0].value is not None:
            rounded_y = diagnostic_yield(min(shown[0].value, shown[1].value), shown[1].value)
        return PublishedYield(*(self.derived(None if y is None else getattr(y, a), part, whole,
                                             rounded_value=None if rounded_y is None else getattr(rounded_y, a))
                                for a in ("proportion", "ci_low", "ci_high")))


def _publish_answers(p: _Publisher, place: tuple, a: AnswerCounts) -> PublishedAnswers:
    def key(measure):
        return (measure, SINCE_START, place)

    # Not recorded, the shares and the median bin follow from counts that are all shown, or are hidden.
    counts = (key("answered"), key("pending"), key("patients"))
    return PublishedAnswers(
        answered=p.cell(key("answered")),
        pending=p.cell(key("pending")),
        unrecorded=p.derived(a.unrecorded, *counts),
        diagnosed_answered=p.cell(key("diagnosed_answered")),
        # The bins are never shown as counts: their share and median are, with answered and patients.
        binned=p.derived(a.binned, key("answered"), key("patients")),
        within_target=p.derived(a.within_target, key("answered"), key("patients")),
        yield_on_answered=p.share(key("diagnosed_answered"), key("answered")),
        # neither is computed from answered or patients: shown as they are beside a rounded one
        share_within_target=p.derived(a.share_within_target, key("answered"), key("patients"),
                                      rounded_value=a.share_within_target),
        median_bin=p.derived(a.median_bin, key("answered"), key("patients"), rounded_value=a.median_bin),
        recorded_share=p.derived(a.recorded / a.patients if a.patients else None, *counts),
    )


def _publish_effects(p: _Publisher, place: tuple, e: EffectCounts, keys: Sequence[str]) -> PublishedEffects:
    def key(measure):
        return (measure, SINCE_START, place)

    consequences = tuple(PublishedConsequence(k, p.cell(key(f"consequence:{k}")),
                                              p.share(key(f"consequence:{k}"), key("followed_up"))) for k in keys)
    cascade = (key(f"consequence:{CASCADE_KEY}"),) if CASCADE_KEY in keys else ()
    return PublishedEffects(
        entries=e.entries,
        followed_up=p.cell(key("followed_up")),
        consequences=consequences,
        relatives_tested=p.cell(key("relatives_tested")),
        relatives_per_cascade_patient=p.derived(e.relatives_per_cascade_patient if cascade else None,
                                                key("relatives_tested"), *cascade),
    )


def publish_outcomes(system: CellSystem, status: Sequence[Status], outcomes: ProjectOutcomes, *, min_count: int,
                     rounding_base: int, unsafe_raw: bool = False) -> PublishedOutcomes:
    """The answers and effects as published under the pattern `status` of `system`."""
    p = _Publisher(system, status, min_count, rounding_base, unsafe_raw)
    keys = outcomes.consequences
    groups = []
    for g in outcomes.groups:
        gid = g.group_id
        groups.append(PublishedGroupOutcomes(
            group_id=gid,
            target_days=g.target_days,
            answers=_publish_answers(p, _group_key(gid, "total"), g.answers),
            by_year=tuple((y, _publish_answers(p, _group_key(gid, "year", y), a)) for y, a in g.by_year),
            by_region=tuple((r, _publish_answers(p, _group_key(gid, "region", r), a)) for r, a in g.by_region),
            by_indication=tuple(PublishedIndicationAnswers(
                i.code, _publish_answers(p, _group_key(gid, "indication", i.code), i.answers), i.expected_yield)
                for i in g.by_indication),
            effects=_publish_effects(p, _group_key(gid, "effects"), g.effects, keys) if g.records_effects else None,
            effects_by_year=tuple((y, _publish_effects(p, _group_key(gid, "effects_year", y), e, keys))
                                  for y, e in g.effects_by_year),
            diagnosed_in_effect_years=p.derived(
                g.diagnosed_in_effect_years,
                *(("diagnosed", SINCE_START, _group_key(gid, "year", y)) for y, _ in g.effects_by_year)),
        ))
    by_group = {g.group_id: g for g in outcomes.groups}

    def aggregate(place: tuple, agg: AggregateOutcomes, part_place) -> PublishedAggregateOutcomes:
        parts = []
        for key, answers, effects in agg.parts:
            a_place = part_place(key)
            if key in by_group:
                e = _publish_effects(p, _group_key(key, "effects"), effects, keys) \
                    if by_group[key].records_effects else None
            else:
                e = _publish_effects(p, _effects_key(a_place), effects, keys)
            parts.append((key, _publish_answers(p, a_place, answers), e))
        return PublishedAggregateOutcomes(agg.key, _publish_answers(p, place, agg.answers),
                                          _publish_effects(p, _effects_key(place), agg.effects, keys), tuple(parts))

    categories = tuple(aggregate(_category_key(c.key), c, lambda k: _group_key(k, "total"))
                       for c in outcomes.categories)
    national = aggregate(_NATIONAL_KEY, outcomes.national, _category_key)
    return PublishedOutcomes(tuple(groups), categories, national)
