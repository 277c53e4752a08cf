"""Answers, turnaround and clinical effect in the reader's model, and published from it.

The person counts of `reportgen.outcomes` join the `CellSystem` of
`suppression_cells` (patients and diagnosed), with the relations a reader
knows about them, in every place since start (a group's total, years,
regions and indications; each category; the nation).

Protected counts: answered, and where answers are not recorded for every
patient of a place, pending and the diagnosed among the answered too; a
group's followed-up patients, each consequence and the relatives tested.
"<5" when small, hidden ("x") where a reader could narrow one. Pending is
`patients - answered` (the input contract's definition): where every patient
of a place is recorded, it is the complement of a protected count, as the
patients without a finding are, and it is published wherever answered and
patients are. A reader knows every relation among them:

  a place whose patients are all recorded (the usual case; a reader sees
  "not recorded: 0"):
    patients  = answered + (pending)
    answered  = diagnosed + (answered, not diagnosed)
    -- the diagnosed among the answered are the place's diagnosed cell itself
  a place with unrecorded rows:
    patients  = answered + pending + (unrecorded)
    answered  = diagnosed_answered + (answered, not diagnosed)
    diagnosed = diagnosed_answered + (diagnosed in unrecorded rows)
    (unrecorded) = (diagnosed in unrecorded rows) + (unrecorded, not diagnosed)
  a group's clinical effect (published for its effects years together):
    (diagnosed in the effects years) = the diagnosed of each of those years
                                     = followed_up + (not followed up)
    followed_up = consequence + (followed up without it), for every consequence

and every count adds up over a group's years, regions and indications, over
the groups of a category and over the categories of the nation (a sum that
follows from the others is left out). Cells in parentheses are auxiliary:
never published as counts. A region knows its own counts, a group's network
every count of its own group; the category and national totals, and a
group's own answers, are headline figures (rounded rather than hidden).

What is published is what the pages and the open data show: answers by
group, year, region and indication; the clinical effect of a group's effects
years together, of each category and of the nation. Not modelled: the
turnaround bins. No bin is published as a count, only the share answered
within the target and the bin of the median, each shown where the answered
count is. They are ratios of counts outside the model (a share of 1/3 tells
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
from reportgen.messages import _
from reportgen.outcomes import CASCADE as CASCADE_KEY
from reportgen.outcomes import AggregateOutcomes, AnswerCounts, EffectCounts, ProjectOutcomes
from reportgen.suppression_cells import (
    _NATIONAL_KEY,
    _category_key,
    _group_key,
    measure_words,
    period_words,
    place_words,
)
from reportgen.suppression_engine import CellSystem
from reportgen.suppression_values import Published, PublishedYield, Status, derived, published

# The measures of a place with unrecorded rows, those published first; a place recorded in full has
# only answered, pending and answered_not_diagnosed (the others are its diagnosed cell, or zero).
ANSWER_MEASURES = ("answered", "pending", "diagnosed_answered")
_ANSWER_AUX = ("unrecorded", "answered_not_diagnosed", "diagnosed_unrecorded", "unrecorded_not_diagnosed")
_FULL_AUX = ("pending", "answered_not_diagnosed")
_ZERO_WHEN_FULL = ("unrecorded", "diagnosed_unrecorded", "unrecorded_not_diagnosed")
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


def answer_key(measure: str, place: tuple, full: bool) -> tuple | None:
    """The cell that holds `measure` of the answers in `place`; None where it is zero and known to be."""
    if full:
        if measure == "diagnosed_answered":
            return ("diagnosed", SINCE_START, place)
        if measure in _ZERO_WHEN_FULL:
            return None
    return (measure, SINCE_START, place)


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
        where = _("the national total")
    elif kind == "category":
        where = _("the {category} category's total").format(category=owner)
    elif kind == "effects":
        where = (_("the national clinical effect") if owner is None
                 else _("the {category} category's clinical effect").format(category=owner))
    else:
        where = place_words(owner, dimension, member)
    return _("{measure}, {period}, {where}").format(measure=measure_words(measure), period=period_words(SINCE_START),
                                                     where=where)


def add_outcome_cells(system: CellSystem, figures: ProjectFigures, outcomes: ProjectOutcomes,
                      linked: frozenset[str] = frozenset()) -> None:
    """The answers and effects cells and their relations (see the module docstring), added to `system`.

    `system` must already hold the patients and diagnosed cells since start;
    call its `close_knowledge()` afterwards. The followed-up patients of a
    group in `linked` are tied to the diagnosed of its effects years by a sum;
    those of any other group are bounded by their published number instead,
    which tells a reader the same as long as those diagnosed are all shown
    (`effects_to_link` names the groups for which they are not).
    """
    keys = outcomes.consequences
    published_effects = {"followed_up", "relatives_tested", *(f"consequence:{k}" for k in keys)}
    full: dict[tuple, bool] = {}  # place -> every patient's answer recorded

    effect_years: dict[str, list[tuple]] = {}  # group -> the cells of the diagnosed in its effects years

    def known_by(place: tuple, measure: str) -> frozenset:
        """Who knows a count of a group: whoever knows the count it is part of (its patients, or its diagnosed
        patients; for effects, the diagnosed of every effects year), e.g. a region that reported all of them."""
        kind, owner, dimension, member = place
        if kind != "group":
            return frozenset()
        if dimension == "effects":
            wholes = effect_years[owner]
        else:
            wholes = [("diagnosed" if measure.startswith("diagnosed") else "patients", SINCE_START, place)]
        known = [system.cells[system.index[w]].known_by if w in system.index else frozenset() for w in wholes]
        return frozenset.intersection(*known) | {("group", owner)} if known else frozenset({("group", owner)})

    def add(place: tuple, values: dict[str, int], published_measures, aux_measures=()) -> None:
        kind, owner, dimension, member = place
        # A group's own answers (as its own patients and diagnosed) cost more to round than a consolidated total.
        headline = HEADLINE_COST if kind in ("category", "national", "effects") else \
            GROUP_HEADLINE_COST if dimension == "total" else 0
        for measure in (*published_measures, *aux_measures):
            aux = measure not in published_measures
            system.add_cell((measure, SINCE_START, place), values[measure], aux=aux,
                            known_by=known_by(place, measure), headline=0 if aux else headline,
                            label=_describe(measure, place), where=owner if kind == "group" else None,
                            slot=("outcomes", SINCE_START, place))

    def answers(place: tuple, a: AnswerCounts, diagnosed: int) -> None:
        values = _answer_values(a, diagnosed)
        full[place] = a.unrecorded == 0
        if full[place]:
            add(place, values, ("answered",), _FULL_AUX)
            sums = _ANSWER_SUMS[:2]
        else:
            add(place, values, ANSWER_MEASURES, _ANSWER_AUX)
            sums = _ANSWER_SUMS
        for total, parts in sums:
            system.add_sum((total, SINCE_START, place),
                           [k for k in (answer_key(p, place, full[place]) for p in parts) if k is not None])

    def add_sums(total: tuple, parts: Sequence[tuple]) -> None:
        """Each measure of the answers in `total` is the sum of those in `parts`, where that does not follow
        from the sums of patients, diagnosed and answered (and from every part of a full total being full)."""
        if not parts:
            return
        for measure in ("answered",) if full[total] else (*ANSWER_MEASURES, *_ANSWER_AUX):
            whole = answer_key(measure, total, full[total])
            members = [k for k in (answer_key(measure, p, full[p]) for p in parts) if k is not None]
            if whole is None or (measure == "diagnosed_answered" and whole[0] == "diagnosed"
                                 and all(k[0] == "diagnosed" for k in members)):
                continue
            system.add_sum(whole, members)

    def effects(place: tuple, e: EffectCounts, parts: Sequence[tuple] = (), bound: int | None = None) -> None:
        values = _effect_values(e, keys)
        add(place, values, tuple(m for m in values if m in published_effects),
            tuple(m for m in values if m not in published_effects))
        if bound is not None:  # followed up <= the diagnosed of the effects years, a published number
            system.cells[system.index[("followed_up", SINCE_START, place)]].upper = bound
        for k in keys:
            system.add_sum(("followed_up", SINCE_START, place), [(f"consequence:{k}", SINCE_START, place),
                                                                 (f"followed_up_without:{k}", SINCE_START, place)])
        if parts:
            for measure in published_effects:
                system.add_sum((measure, SINCE_START, place), [(measure, SINCE_START, p) for p in parts])

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
            add_sums(total, places)
        if not g.records_effects:
            continue
        place = _group_key(gid, "effects")
        # The followed-up patients are among the diagnosed of the effects years.
        years = [k for y, __ in g.effects_by_year if (k := ("diagnosed", SINCE_START, _group_key(gid, "year", y)))
                 in system.index]
        effect_years[gid] = years
        tied = _tied(g, linked, system.min_count)
        effects(place, g.effects, bound=None if tied else g.diagnosed_in_effect_years)
        if not tied:
            continue
        among = ("diagnosed_in_effect_years", SINCE_START, place)
        system.add_cell(among, g.diagnosed_in_effect_years, aux=True, known_by=known_by(place, "diagnosed"),
                        label=_describe("diagnosed in the effects years", place), where=gid,
                        slot=("outcomes", SINCE_START, place))
        system.add_sum(among, years)
        system.add_cell(("not_followed_up", SINCE_START, place), g.diagnosed_in_effect_years - g.effects.followed_up,
                        aux=True, known_by=known_by(place, "diagnosed"), label=_describe("not followed up", place),
                        where=gid, slot=("outcomes", SINCE_START, place))
        system.add_sum(among, [("followed_up", SINCE_START, place), ("not_followed_up", SINCE_START, place)])

    def aggregate(place: tuple, agg: AggregateOutcomes, diagnosed: int, part_places: Sequence[tuple],
                  effect_parts: Sequence[tuple]) -> None:
        answers(place, agg.answers, diagnosed)
        add_sums(place, part_places)
        effects(_effects_key(place), agg.effects, effect_parts)

    for c in outcomes.categories:
        members = [g for g in outcomes.groups if g.category == c.key]
        aggregate(_category_key(c.key), c, figures.category(c.key).since_start.total.diagnosed,
                  [_group_key(g.group_id, "total") for g in members],
                  [_group_key(g.group_id, "effects") for g in members if g.records_effects])
    aggregate(_NATIONAL_KEY, outcomes.national, figures.national.since_start.total.diagnosed,
              [_category_key(c.key) for c in outcomes.categories],
              [_effects_key(_category_key(c.key)) for c in outcomes.categories])


def _tied(g, linked: frozenset[str], min_count: int) -> bool:
    """Whether a group's followed-up patients are tied to the diagnosed of its effects years by a sum:
    when asked, or when so few were diagnosed that a bound of them might pin a hidden effects count."""
    return g.group_id in linked or g.diagnosed_in_effect_years < 2 * min_count


def effects_group(key) -> str | None:
    """The group whose bounded effects hold the cell `key`, else None."""
    place = key[2] if isinstance(key, tuple) and len(key) == 3 else None
    if isinstance(place, tuple) and len(place) == 4 and place[0] == "group" and place[2] == "effects":
        return place[1]
    return None


def effects_to_link(system: CellSystem, status: Sequence[Status], outcomes: ProjectOutcomes,
                    linked: frozenset[str] = frozenset()) -> frozenset[str]:
    """The groups of `linked`, and those whose followed-up patients `add_outcome_cells` bounded by the
    diagnosed of their effects years while one of those counts is not shown exactly under `status`."""
    loose = set(linked)
    for g in outcomes.groups:
        if g.records_effects and not _tied(g, linked, system.min_count):
            for y, __ in g.effects_by_year:
                key = ("diagnosed", SINCE_START, _group_key(g.group_id, "year", y))
                if key in system.index and status[system.index[key]] is not Status.PUBLISHED:
                    loose.add(g.group_id)
    return frozenset(loose)


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
    effect_years: tuple[int, ...]  # the years the effects entries are for, published together
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
    full = a.unrecorded == 0

    def key(measure):
        return answer_key(measure, place, full)

    patients = ("patients", SINCE_START, place)
    if full:
        # Pending and not recorded follow from answered and patients (not recorded: none).
        counts = (key("answered"), patients)
        pending = p.derived(a.pending, *counts)
        unrecorded = p.derived(0)
    else:
        counts = (key("answered"), key("pending"), patients)
        pending = p.cell(key("pending"))
        unrecorded = p.derived(a.unrecorded, *counts)
    return PublishedAnswers(
        answered=p.cell(key("answered")),
        pending=pending,
        unrecorded=unrecorded,
        diagnosed_answered=p.cell(key("diagnosed_answered")),
        # The bins are never shown as counts: their share and median are, with answered and patients.
        binned=p.derived(a.binned, key("answered"), patients),
        within_target=p.derived(a.within_target, key("answered"), patients),
        yield_on_answered=p.share(key("diagnosed_answered"), key("answered")),
        # neither is computed from answered or patients: shown as they are beside a rounded one
        share_within_target=p.derived(a.share_within_target, key("answered"), patients,
                                      rounded_value=a.share_within_target),
        median_bin=p.derived(a.median_bin, key("answered"), patients, rounded_value=a.median_bin),
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
            effect_years=tuple(y for y, __ in g.effects_by_year),
            diagnosed_in_effect_years=p.derived(
                g.diagnosed_in_effect_years,
                *(k for y, __ in g.effects_by_year
                  if (k := ("diagnosed", SINCE_START, _group_key(gid, "year", y))) in p.system.index)),
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
