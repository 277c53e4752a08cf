"""What changed since a group's previous edition, and which groups have a new edition: pure derivation.

The figures then and now are published figures: "now" is the report's own
total since start, and "then" the archived edition's total since start, both
as `reportgen.suppression` published them. The suppression treats every
archived edition's totals as published counts (they were, in that edition's
report) and knows that each edition's total plus the patients added since is
the next one's, so neither a "then" count nor the difference between two
editions gives a hidden count away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import model as m
from .suppression_values import PublishedCounts


@dataclass(frozen=True)
class EditionFigures:
    """One edition's figures since start, as published, with its date and data cut-off."""

    date: dt.date
    as_of: dt.date
    counts: PublishedCounts


@dataclass(frozen=True)
class EditionChanges:
    """The previous edition against the current one: figures then and now, what was added and removed."""

    previous: EditionFigures
    current: EditionFigures
    indications_added: tuple[m.ArchivedIndication, ...]
    indications_removed: tuple[m.ArchivedIndication, ...]
    cases_added: tuple[m.ArchivedCase, ...]
    cases_removed: tuple[m.ArchivedCase, ...]

    @property
    def lists_changed(self) -> bool:
        return bool(self.indications_added or self.indications_removed or self.cases_added or self.cases_removed)


def edition_changes(group: m.Group, now: PublishedCounts, then: PublishedCounts | None,
                    config: m.Config) -> EditionChanges | None:
    """What changed since `group`'s previous edition; None if it has none.

    `now`: the group's published totals since start; `then`: the previous edition's, as published
    (`PublishedProject.edition`).
    """
    previous = group.previous_edition
    if previous is None:
        return None
    default = config.default_language

    def case_key(case) -> str:  # cases have no id: a case is known by its title in the default language
        return case.title.get(default, default)[0].strip()

    now_codes = {i.code for i in group.indications}
    then_codes = {i.code for i in previous.indications}
    now_cases = tuple(m.ArchivedCase(c.title, c.indication) for c in group.cases)
    now_titles = {case_key(c) for c in now_cases}
    then_titles = {case_key(c) for c in previous.cases}
    return EditionChanges(
        previous=EditionFigures(previous.edition.date, previous.as_of,
                                then),
        current=EditionFigures(group.edition.date, group.statistics.as_of, now),
        indications_added=tuple(m.ArchivedIndication(i.code, i.title) for i in group.indications
                                if i.code not in then_codes),
        indications_removed=tuple(i for i in previous.indications if i.code not in now_codes),
        cases_added=tuple(c for c in now_cases if case_key(c) not in then_titles),
        cases_removed=tuple(c for c in previous.cases if case_key(c) not in now_titles),
    )


@dataclass(frozen=True)
class NewEdition:
    """A group whose report has an earlier edition: its current edition's date and the previous one's."""

    group: m.Group
    date: dt.date
    previous_date: dt.date


def new_editions(groups: tuple[m.Group, ...] | list[m.Group]) -> tuple[NewEdition, ...]:
    """The groups (in the order given) that have an archived earlier edition."""
    return tuple(NewEdition(g, g.edition.date, g.previous_edition.edition.date)
                 for g in groups if g.previous_edition is not None)
