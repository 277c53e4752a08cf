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

from .messages import _, ngettext
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
    # the keys of `answered_within_days` (turnaround bins and 'later'); () when reportgen.yaml sets no
    # turnaround, None when the settings are broken (bins are not checked then)
    bins: tuple[str, ...] | None = ()

    @classmethod
    def of(cls, group: m.Group, config: m.Config | None) -> RowScope:
        if config is None:
            bins = None
        else:
            bins = config.turnaround.bin_keys if config.turnaround is not None else ()
        return cls(group.id, tuple(i.code for i in group.indications),
                   tuple(config.regions) if config is not None else None,
                   group.in_operation_since, group.statistics.as_of, bins)

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


def answer_problems(patients: int, diagnosed: int, answered: int | None,
                    bins: Sequence[tuple[str, int]] | None, scope: RowScope) -> list[Finding]:
    """`answered` lies between diagnosed and patients; `answered_within_days` has exactly the bins of
    reportgen.yaml's turnaround (and 'later') and adds up to `answered`, and is given only with it."""
    found: list[Finding] = []
    if answered is None:
        if bins is not None:
            found.append(("answered_within_days", _("'answered_within_days' is given without 'answered'; add "
                                                    "'answered' (the patients answered), which the bins add up to")))
        return found
    if answered > patients:
        found.append(("answered", _("'answered' is {answered}, more than 'patients' ({patients}); answered "
                                    "patients are counted among the patients referred that month").format(
            answered=answered, patients=patients)))
    if diagnosed > answered:
        found.append(("answered", _("'answered' is {answered}, fewer than 'diagnosed' ({diagnosed}); a patient "
                                    "is diagnosed only once answered, so diagnosed <= answered <= patients").format(
            answered=answered, diagnosed=diagnosed)))
    if bins is None or scope.bins is None:
        return found
    given = [key for key, __ in bins]
    expected = list(scope.bins)
    if not expected:
        found.append(("answered_within_days", _("'answered_within_days' is given, but reportgen.yaml sets no "
                                                "'turnaround.bins_days'; add the bins there first")))
        return found
    unknown = [k for k in given if k not in expected]
    missing = [k for k in expected if k not in given]
    if unknown or missing:
        parts = []
        if unknown:
            close = did_you_mean(unknown[0], missing or expected)
            parts.append(ngettext("{bins} is not a bin", "{bins} are not bins", len(unknown)).format(
                bins=", ".join(unknown)) + (f" ({close.removeprefix('; ')})" if close else ""))
        if missing:
            parts.append(ngettext("{bins} is missing", "{bins} are missing", len(missing)).format(
                bins=", ".join(missing)))
        found.append(("answered_within_days", _("'answered_within_days' must have exactly the bins {bins} "
                                                "(turnaround.bins_days in reportgen.yaml, then later): "
                                                "{problems}").format(bins=", ".join(expected),
                                                                     problems="; ".join(parts))))
        return found
    total = sum(n for __, n in bins)
    if total != answered:
        shown = " + ".join(f"{n}" for __, n in bins)
        found.append(("answered_within_days", _("'answered_within_days' adds up to {sum} = {total}, but "
                                                "'answered' is {answered}; every answered patient falls in "
                                                "exactly one bin").format(sum=shown, total=total,
                                                                          answered=answered)))
    return found


def row_problems(row: m.MonthlyRow, scope: RowScope) -> list[Finding]:
    """Every rule above applied to one row."""
    found: list[Finding] = []
    for name, problem in (("month", month_problem(row.month, scope)), ("region", region_problem(row.region, scope.regions)),
                          ("indication", indication_problem(row.indication, scope))):
        if problem is not None:
            found.append((name, problem))
    found += count_problems(row.patients, row.analyses, row.diagnosed)
    if row.answered is not None or row.answered_within_days is not None:
        found += answer_problems(row.patients, row.diagnosed, row.answered, row.answered_within_days, scope)
    return found


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
