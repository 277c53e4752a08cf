"""Helpers only tests use, kept out of the package: one column suppressed alone, open data written to a folder."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reportgen.model import Project
from reportgen.opendata import open_data_files
from reportgen.suppression import CellSystem, Published, PublishedProject, published
from reportgen.writer import write_text


@dataclass(frozen=True)
class PublishedColumn:
    """A one-way table of published person counts: its cells in order, and its total."""

    cells: tuple[tuple[Hashable, Published], ...]
    total: Published

    def cell(self, key: Hashable) -> Published:
        for k, p in self.cells:
            if k == key:
                return p
        raise KeyError(key)


def suppress_small_counts(cells: Mapping[Hashable, int], min_count: int, *, unsafe_raw: bool = False,
                          min_range: int = 3) -> PublishedColumn:
    """Publish one column of person counts and its total (the sum of the cells), suppressed."""
    system = CellSystem(min_count, min_range)
    total = sum(cells.values())
    system.add_cell(("total",), total)
    for k, raw in cells.items():
        system.add_cell(("cell", k), raw)
    if cells:
        system.add_sum(("total",), [("cell", k) for k in cells])
    status = system.choose()
    return PublishedColumn(
        cells=tuple((k, published(raw, status[system.index[("cell", k)]], min_count, unsafe_raw))
                    for k, raw in cells.items()),
        total=published(total, status[0], min_count, unsafe_raw))


def write_open_data(
    project: Project,
    site_dir: Path,
    published: PublishedProject | None = None,
    *,
    groups: Iterable[str] | None = None,
) -> list[Path]:
    """Write the open-data files under `site_dir` atomically; return the paths written or already current."""
    paths = []
    for relative, text in open_data_files(project, published, groups=groups).items():
        path = Path(site_dir) / relative
        write_text(path, text)
        paths.append(path)
    return paths
