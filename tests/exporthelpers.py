"""Write a project's monthly rows as a statistics export: the inverse of `reportgen import-stats`, for tests."""

import csv
import io

from reportgen import model as m
from reportgen.statsexport import COLUMNS, optional_columns


def export_csv(project: m.Project, delimiter: str = ",") -> str:
    """Every group's monthly rows as an export in the import's columns (groups by id, rows in file order).

    Where any row records answers, the answered and turnaround columns follow (empty where not recorded).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    answers = any(r.answered is not None for g in project.groups for r in g.statistics.monthly)
    optional = optional_columns(project.config) if answers else ()
    writer.writerow((*COLUMNS, *optional))
    for group in sorted(project.groups, key=lambda g: g.id):
        for row in group.statistics.monthly:
            a = row.analyses
            extra = []
            if optional:
                bins = dict(row.answered_within_days or ())
                extra = ["" if row.answered is None else row.answered,
                         *(bins.get(c.removeprefix("answered_"), "") for c in optional[1:])]
            writer.writerow([str(row.month), row.region, group.id, row.indication,
                             row.patients, a.germline, a.somatic, a.rna, row.diagnosed, *extra])
    return out.getvalue()
