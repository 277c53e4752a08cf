"""The rules every monthly statistics row obeys, written once.

`reportgen check` applies them to the rows of a group file (see `rules`) and
`reportgen import-stats` to the rows of an export before it merges them (see
`importstats`), so a rule added here holds for both, in the same words. Each
rule returns its message, or None when the row obeys it; the caller places the
message at the field it names (a YAML node, or a CSV column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .messages import _
from . import model as m
from .schema import did_you_mean, quoted

# A problem found in a row: the field it is about (None for the whole row) and the message.
Finding = tuple[str | None, str]


@dataclass(frozen=True)
class RowScope:
    """What one group's rows are checked against: its period, its indications and the regions."""

    group: str
    codes: tuple[str, ...]
    regions: tuple[str, ...] | None  # None when the settings are broken: regions are not checked then
    in_operation_since: dt.date
    as_of: dt.date

    @classmethod
    def of(cls, group: m.Group, config: m.Config | None) -> RowScope:
        return cls(group.id, tuple(i.code for i in group.indications),
                   tuple(config.regions) if config is not None else None,
                   group.in_operation_since, group.statistics.as_of)

    @property
    def first(self) -> m.Month:
        return m.Month.of(self.in_operation_since)

    @property
    def last(self) -> m.Month:
        return m.Month.of(self.as_of)


def month_problem(month: m.Month, scope: RowScope) -> str | None:
    """A row's month lies in the group's period: from the month it started to the statistics' cut-off."""
    first, last = scope.first, scope.last
    if first <= month <= last:
        return None
    hint = ""
    if month > last:
        hint = _("; for newer figures, first update 'statistics.as_of' in groups/{group}.yaml").format(
            group=scope.group)
    return (_("'month' is {month}, outside the period of {group}: from {first} (in operation since "
      "{in_operation_since}) to {last} (statistics as of {as_of}){hint}").format(
          month=month, group=scope.group, first=first, in_operation_since=scope.in_operation_since, last=last, as_of=scope.as_of, hint=hint))


def region_problem(region: str, regions: Sequence[str] | None) -> str | None:
    """A row's region is one of the regions in reportgen.yaml (not checked if those are unknown: None)."""
    if regions is None or region in regions:
        return None
    regions = list(regions)
    return (_("'region' is {value}, which is not a region in reportgen.yaml ({items}){did_you_mean}").format(
        value=quoted(region, 'empty'), items=', '.join(regions), did_you_mean=did_you_mean(region, regions)))


def indication_problem(code: str, scope: RowScope) -> str | None:
    """A row's (or a case's) indication is one of the group's indication codes."""
    if code in scope.codes:
        return None
    codes = list(dict.fromkeys(scope.codes))
    return (_("'indication' is {value}, which is not one of the indications of {group} "
      "({items}){did_you_mean}").format(
          value=quoted(code, 'empty'), group=scope.group, items=', '.join(codes), did_you_mean=did_you_mean(code, codes)))


def count_problems(patients: int, analyses: m.Analyses, diagnosed: int) -> list[Finding]:
    """The counts of a row agree: diagnosed patients are among the patients, each patient has an analysis."""
    found: list[Finding] = []
    if diagnosed > patients:
        found.append(("diagnosed", _("'diagnosed' is {diagnosed}, more than 'patients' ({patients}); diagnosed patients are "
          "counted among the patients").format(diagnosed=diagnosed, patients=patients)))
    if patients > analyses.total:
        found.append(("patients", _("'patients' is {patients}, more than the WGS analyses (germline + somatic + rna = "
          "{total}); every patient has at least one analysis").format(patients=patients, total=analyses.total)))
    return found


def row_problems(row: m.MonthlyRow, scope: RowScope) -> list[Finding]:
    """Every rule above applied to one row."""
    found: list[Finding] = []
    for name, problem in (("month", month_problem(row.month, scope)), ("region", region_problem(row.region, scope.regions)),
                          ("indication", indication_problem(row.indication, scope))):
        if problem is not None:
            found.append((name, problem))
    return found + count_problems(row.patients, row.analyses, row.diagnosed)


class FirstRows:
    """Remembers the line of each group's first row per month, region and indication: one row each."""

    def __init__(self) -> None:
        self._lines: dict[tuple, int] = {}

    def duplicate_problem(self, group: str, row: m.MonthlyRow, line: int) -> str | None:
        """None for the first row of its month, region and indication; for a second, the message."""
        key = (group, row.month, row.region, row.indication)
        first = self._lines.get(key)
        if first is None:
            self._lines[key] = line
            return None
        return (_("a second row for {group}, {month}, {region}, {indication} (the first is on line "
          "{first}); merge them into one row").format(
              group=group, month=row.month, region=row.region, indication=row.indication, first=first))
