"""The reader's model of a project: its published person counts and every relation a reader knows.

The relations: each table adds up to its total; a category is the sum of its groups and the nation of the
categories; the months since start are the latest 12 months plus the earlier
ones, cell by cell; the latest 12 months overlap the calendar years; each
edition's total since start is at most the next one's (the difference is
the patients added in between); diagnosed <= patients <= analyses in every
cell. The never-published quantities these need (earlier months, patients
not diagnosed, patients added between editions) are auxiliary cells.

Not in the model, on purpose: consolidated person counts are published by
group and category only, not by region or year, because a groups x regions
table with both margins published is a two-way table that would force far
more hiding. Archived editions keep only their totals since start, so those
are all of an archived edition that is modelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reportgen.figures import LATEST_12_MONTHS, SINCE_START, WINDOWS, Counts, GroupFigures, ProjectFigures
from reportgen.messages import N_, _
from reportgen.model import ArchivedEdition, Config
from reportgen.suppression_engine import CellSystem
from reportgen.suppression_values import PERSON_MEASURES

EARLIER = "earlier"  # months since start before the latest 12 months (never published)
LATE_IN_YEAR_BEFORE = "late_in_year_before"  # months of the year before the cut-off year inside the latest 12 months
EARLY_IN_YEAR_BEFORE = "early_in_year_before"  # and before them
EDITION = "edition"  # an archived edition's total since start
ADDED = "added"  # patients added between an edition and the next (never published)
_WINDOW_WORDS = {SINCE_START: N_("since start"), LATEST_12_MONTHS: N_("latest 12 months"),
                 EARLIER: N_("months before the latest 12"), EDITION: N_("archived edition"),
                 ADDED: N_("added since an edition")}
# A count's measure and table in the words of the messages that name it (a disclosing build, `audit`).
_MEASURE_WORDS = {
    "patients": N_("patients"), "diagnosed": N_("diagnosed"), "not_diagnosed": N_("not diagnosed"),
    "answered": N_("answered"), "pending": N_("pending"), "diagnosed_answered": N_("diagnosed among answered"),
    "unrecorded": N_("not recorded"), "answered_not_diagnosed": N_("answered without a diagnosis"),
    "diagnosed_unrecorded": N_("diagnosed, answer not recorded"),
    "unrecorded_not_diagnosed": N_("not recorded, not diagnosed"), "followed_up": N_("followed up"),
    "relatives_tested": N_("relatives tested"), "diagnosed in the effects years": N_("diagnosed in the effects years"),
    "not followed up": N_("not followed up"),
}
_DIMENSION_WORDS = {"year": N_("year"), "region": N_("region"), "indication": N_("indication")}


def measure_words(measure: str) -> str:
    """A cell's measure as the messages name it; a consequence's own key is kept as written."""
    kind, __, key = measure.partition(":")
    if kind == "consequence" and key:
        return _("consequence {key}").format(key=key)
    if kind == "followed_up_without" and key:
        return _("followed up without {key}").format(key=key)
    return _(_MEASURE_WORDS[measure]) if measure in _MEASURE_WORDS else measure.replace("_", " ")


def place_words(owner: str, dimension: str, member) -> str:
    """A group's table as the messages name it."""
    if dimension == "total":
        return _("{group}'s total").format(group=owner)
    if dimension == "year_part":
        return _("{group}, part of a year").format(group=owner)
    if dimension == "effects":
        return _("{group}'s clinical effect").format(group=owner)
    return _("{group}, {dimension} {member}").format(
        group=owner, dimension=_(_DIMENSION_WORDS[dimension]) if dimension in _DIMENSION_WORDS else dimension,
        member=member)


def period_words(window: str) -> str:
    return _(_WINDOW_WORDS[window]) if window in _WINDOW_WORDS else window.replace("_", " ")


def _group_key(group_id: str, dimension: str, member=None) -> tuple:
    return ("group", group_id, dimension, member)


def _category_key(category: str) -> tuple:
    return ("category", category, "total", None)


_NATIONAL_KEY = ("national", None, "total", None)


class _Model:
    """Slots of the reader's model: a (period, place) counted in patients and diagnosed, and sums of slots."""

    def __init__(self):
        self.slots: dict[tuple, tuple[int, int, int, bool]] = {}  # slot -> (patients, diagnosed, analyses, aux)
        self.tables: list[tuple[tuple, tuple[tuple, ...]]] = []

    def add(self, slot: tuple, counts: Counts | tuple, aux: bool = False) -> tuple:
        if isinstance(counts, Counts):
            counts = (counts.patients, counts.diagnosed, counts.analyses.total)
        self.slots[slot] = (*counts, aux)
        return slot

    def difference(self, slot: tuple, whole: tuple, part: tuple) -> tuple:
        """An auxiliary slot holding `whole` - `part` (its analyses bound only where the data keep it)."""
        a, b = self.slots[whole], self.slots[part]
        diff = tuple(x - y for x, y in zip(a[:3], b[:3]))
        return self.add(slot, (diff[0], diff[1], max(diff[2], diff[0])), aux=True)

    def can_subtract(self, whole: tuple, part: tuple) -> bool:
        a, b = self.slots[whole], self.slots[part]
        return 0 <= a[1] - b[1] <= a[0] - b[0]

    def table(self, total: tuple, parts: Sequence[tuple]) -> None:
        if parts:
            self.tables.append((total, tuple(parts)))


def _add_group(model: _Model, g: GroupFigures) -> None:
    gid = g.group_id
    places = {}
    for w in WINDOWS:
        win = g.window(w)
        total = model.add((w, _group_key(gid, "total")), win.total)
        places[w] = [total]
        for dimension, items, attribute in (("year", win.by_year, "year"), ("region", win.by_region, "region"),
                                            ("indication", win.by_indication, "code")):
            parts = [model.add((w, _group_key(gid, dimension, getattr(i, attribute))), i.counts) for i in items]
            model.table(total, parts)
            if dimension != "year":
                places[w].extend(parts)
    # Since start = earlier months + latest 12 months, slot by slot.
    covered = g.covers_whole_operation_in_latest_window
    earlier_total = None
    if covered:
        for since, latest in zip(places[SINCE_START], places[LATEST_12_MONTHS]):
            model.table(since, [latest])
    else:
        earlier = []
        for since, latest in zip(places[SINCE_START], places[LATEST_12_MONTHS]):
            slot = model.difference((EARLIER, since[1]), since, latest)
            model.table(since, [latest, slot])
            earlier.append(slot)
        earlier_total = earlier[0]
        n_regions = len(g.since_start.by_region)
        model.table(earlier_total, earlier[1: 1 + n_regions])
        model.table(earlier_total, earlier[1 + n_regions:])
    # The latest 12 months hold January to the cut-off month of the cut-off year, and possibly the end of the year before.
    year = g.as_of.year
    latest_total = (LATEST_12_MONTHS, _group_key(gid, "total"))
    this_year = (SINCE_START, _group_key(gid, "year", year))
    year_before = (SINCE_START, _group_key(gid, "year", year - 1))
    first = g.latest_12_months.first_month
    earlier_years = [(SINCE_START, _group_key(gid, "year", y.year)) for y in g.since_start.by_year if y.year < year - 1]
    if first is not None and first.year == year:
        model.table(latest_total, [this_year])
        if earlier_total is not None:
            model.table(earlier_total, [*earlier_years, year_before] if year_before in model.slots else earlier_years)
    else:
        late = model.difference((LATE_IN_YEAR_BEFORE, _group_key(gid, "year_part")), latest_total, this_year)
        model.table(latest_total, [this_year, late])
        if covered:
            model.table(year_before, [late])
        else:
            early = model.difference((EARLY_IN_YEAR_BEFORE, _group_key(gid, "year_part")), year_before, late)
            model.table(year_before, [early, late])
            model.table(earlier_total, [*earlier_years, early])


def _add_editions(model: _Model, group_id: str, editions: Sequence[ArchivedEdition]) -> None:
    """Each archived edition's total since start, and: each edition's total + patients added = the next one's."""
    chain = []
    for e in editions:
        counts = e.since_start
        chain.append(model.add((EDITION, _group_key(group_id, "total", e.edition.date)),
                               (counts.patients, counts.diagnosed, counts.analyses.total)))
    chain.append((SINCE_START, _group_key(group_id, "total")))
    for then, now in zip(chain, chain[1:]):
        if model.can_subtract(now, then):  # else a count was revised since: no relation a reader could rely on
            model.table(now, [then, model.difference((ADDED, then[1]), now, then)])


def _model(figures: ProjectFigures, editions: Mapping[str, Sequence[ArchivedEdition]]) -> _Model:
    model = _Model()
    for g in figures.groups:
        _add_group(model, g)
        if editions.get(g.group_id):
            _add_editions(model, g.group_id, editions[g.group_id])
    for w in WINDOWS:
        for c in figures.categories:
            model.add((w, _category_key(c.category)), c.window(w).total)
            model.table((w, _category_key(c.category)), [(w, _group_key(g.group_id, "total")) for g in c.groups])
        model.add((w, _NATIONAL_KEY), figures.national.window(w).total)
        model.table((w, _NATIONAL_KEY), [(w, _category_key(c.category)) for c in figures.categories])
    return model


def _describe(measure: str, slot: tuple) -> str:
    window, (kind, owner, dimension, member) = slot
    if kind == "national":
        where = _("the national total")
    elif kind == "category":
        where = _("the {category} category's total").format(category=owner)
    elif window in (EDITION, ADDED):
        where = _("{group}'s total, edition of {date}").format(group=owner, date=member)
    else:
        where = place_words(owner, dimension, member)
    return _("{measure}, {period}, {where}").format(measure=measure_words(measure), period=period_words(window),
                                                     where=where)


def _sole_region(rows, slot: tuple, measure: str, figures: ProjectFigures, seen: dict) -> str | None:
    """The one region whose patients make up the whole of a group's count, if only one does: it knows the count.

    `seen` keeps, per group, period and measure, the regions with such patients in each total, year and indication.
    """
    window, (kind, owner, dimension, member) = slot
    if kind != "group" or window not in WINDOWS or owner not in rows:
        return None
    if (owner, window, measure) not in seen:
        g = next(g for g in figures.groups if g.group_id == owner)
        first = g.window(window).first_month
        index: dict = {}
        for r in rows[owner]:
            if getattr(r, measure) and (window == SINCE_START or (first is not None and r.month >= first)):
                for place in (("total", None), ("year", r.month.year), ("indication", r.indication)):
                    index.setdefault(place, set()).add(r.region)
        seen[(owner, window, measure)] = index
    regions = seen[(owner, window, measure)].get((dimension, member), ())
    return next(iter(regions)) if len(regions) == 1 else None


def cell_system(figures: ProjectFigures, config: Config,
                editions: Mapping[str, Sequence[ArchivedEdition]] | None = None,
                rows: Mapping[str, Sequence] | None = None) -> CellSystem:
    """The reader's model of a project's published person counts (see the module docstring).

    `rows`: each group's monthly rows, so that a count made up of one region's
    patients alone counts as known to that region (it reported all of them).
    """
    rows = rows or {}
    model = _model(figures, editions or {})
    system = CellSystem(config.min_count, config.min_range, config.rounding_base)
    seen: dict = {}
    for slot, (patients, diagnosed, analyses, aux) in model.slots.items():
        window, (kind, owner, dimension, member) = slot
        known = set()
        if kind == "group":
            known.add(("group", owner))
            if dimension == "region":
                known.add(("region", member))
        # Group, category and national totals; rounding one costs far more than hiding any other cell, and a
        # group's own total (in the report its network wrote) more than a consolidated one.
        headline = 0 if dimension != "total" or window not in WINDOWS else 5000 if kind == "group" else 1000
        for measure, raw, is_aux in (("patients", patients, aux), ("diagnosed", diagnosed, aux),
                                     ("not_diagnosed", patients - diagnosed, True)):
            sole = None if is_aux else _sole_region(rows, slot, measure, figures, seen)
            knows = known | {("region", sole)} if sole else known
            system.add_cell((measure, *slot), raw, aux=is_aux, upper=analyses, known_by=frozenset(knows),
                            sensitive=window == ADDED and measure in PERSON_MEASURES,
                            headline=0 if is_aux else headline, label=_describe(measure, slot), where=owner,
                            slot=slot)
    for total, parts in model.tables:
        for measure in (*PERSON_MEASURES, "not_diagnosed"):
            system.add_sum((measure, *total), [(measure, *p) for p in parts])
    for slot in model.slots:
        system.add_sum(("patients", *slot), [("diagnosed", *slot), ("not_diagnosed", *slot)])
    system.close_knowledge()
    return system
