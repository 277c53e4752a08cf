"""Write a project's monthly rows as a statistics export: the inverse of `reportgen import-stats`, for tests."""

import csv
import io

from reportgen import model as m
from reportgen.statsexport import COLUMNS


def export_csv(project: m.Project, delimiter: str = ",") -> str:
    """Every group's monthly rows as an export in the import's columns (groups by id, rows in file order)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    for group in sorted(project.groups, key=lambda g: g.id):
        for row in group.statistics.monthly:
            a = row.analyses
            writer.writerow([str(row.month), row.region, group.id, row.indication,
                             row.patients, a.germline, a.somatic, a.rna, row.diagnosed])
    return out.getvalue()
