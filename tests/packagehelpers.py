"""Helpers only tests use, kept out of the package: one column suppressed alone, open data written to a folder."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reportgen.model import Project
from reportgen.opendata import open_data_files
from reportgen.suppression import LinkedCells, Published, PublishedProject, _published
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


def suppress_small_counts(
    cells: Mapping[Hashable, int], min_count: int, *, unsafe_raw: bool = False
) -> PublishedColumn:
    """Publish one column of person counts and its total (the sum of the cells), suppressed."""
    linked = LinkedCells(min_count)
    total_key = ("total",)
    keys = [("cell", k) for k in cells]
    linked.add_cell(total_key, sum(cells.values()))
    for key, raw in zip(keys, cells.values()):
        linked.add_cell(key, raw)
    if keys:
        linked.add_table(total_key, keys)
    status = linked.suppress()
    return PublishedColumn(
        cells=tuple(
            (k, _published(raw, status[key], min_count, unsafe_raw)) for (k, raw), key in zip(cells.items(), keys)
        ),
        total=_published(sum(cells.values()), status[total_key], min_count, unsafe_raw),
    )


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
