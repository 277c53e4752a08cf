"""Where a project's input files lie, and which files do not belong there.

Finding the files is kept apart from reading them: the loader reads what this
module finds, and the build cache and the preview server ask it what the
inputs are, so all three agree on what a project is made of.
"""

from __future__ import annotations

from pathlib import Path

from .messages import _
from .dates import date_or_none
from .errors import Problem, describe_os_error, relative_path
from .model import CATEGORIES
from .schema import did_you_mean

CONFIG_FILE = "reportgen.yaml"
GROUPS_DIR = "groups"
CONSOLIDATED_DIR = "groups/consolidated"
EDITIONS_DIR = "groups/editions"


def input_files(root: Path) -> list[Path]:
    """Every file a build reads: the settings and everything under groups/ (whether valid or not)."""
    root = Path(root)
    paths = [root / CONFIG_FILE]
    groups = root / GROUPS_DIR
    if groups.is_dir():
        paths += [p for p in sorted(groups.rglob("*")) if p.is_file()]
    return paths


def group_files(root: Path, problems: list[Problem]) -> list[Path]:
    """The group files, groups/<id>.yaml, by name; a group file with the wrong ending is a problem."""
    folder = root / GROUPS_DIR
    if not folder.is_dir():
        problems.append(Problem(GROUPS_DIR, 1, 1, _("the folder of group files is missing")))
        return []
    files = []
    for path in _listing(root, folder, problems):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            if path.suffix == ".yaml":
                problems.append(Problem(relative_path(path, root), 1, 1, _("this is a folder, not a file; expected a YAML file here (move the folder away)")))
            continue
        if path.suffix == ".yaml":
            files.append(path)
        elif path.suffix in (".yml", ".YAML", ".Yaml", ".txt") or path.name.endswith(".yaml.txt"):
            problems.append(Problem(relative_path(path, root), 1, 1,
                                    _("group files must end in .yaml; rename it to {split}.yaml").format(
                                        split=path.name.split('.')[0])))
    return files


def _listing(root: Path, folder: Path, problems: list[Problem]) -> list[Path]:
    """The entries of `folder`, sorted; a located problem if the folder cannot be read."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        problems.append(Problem(relative_path(folder, root), 1, 1, _("cannot read the folder: {reason}").format(
            reason=describe_os_error(exc))))
        return []


def consolidated_file(root: Path, category: str) -> Path:
    """Where the texts of the consolidated report of `category` lie."""
    return root / CONSOLIDATED_DIR / f"{category}.yaml"


def stray_consolidated_files(root: Path, problems: list[Problem]) -> None:
    """Report every file in the consolidated folder that is not one category's texts."""
    folder = root / CONSOLIDATED_DIR
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.stem not in CATEGORIES or path.suffix != ".yaml":
            problems.append(Problem(relative_path(path, root), 1, 1,
                                    _("unexpected file; the consolidated texts are rare.yaml and cancer.yaml")))


def archive_date(path: Path):
    """The edition date an archive's file name gives (groups/editions/<id>/<date>.yaml), or None."""
    return date_or_none(path.stem)


def edition_files(root: Path, group_ids: set[str], problems: list[Problem]) -> dict[str, list[Path]]:
    """The archived editions' files, groups/editions/<group-id>/<date>.yaml, by group id.

    A folder not named after a group and a file not named after a date are problems.
    """
    folder = root / EDITIONS_DIR
    if not folder.is_dir():
        return {}
    found: dict[str, list[Path]] = {}
    for group_folder in _listing(root, folder, problems):
        if group_folder.name.startswith("."):
            continue
        if _is_group_folder(root, group_folder, group_ids, problems):
            found[group_folder.name] = _archive_files(root, group_folder, problems)
    return found


def _is_group_folder(root: Path, group_folder: Path, group_ids: set[str], problems: list[Problem]) -> bool:
    where = relative_path(group_folder, root)
    if not group_folder.is_dir():
        problems.append(Problem(where, 1, 1, _("unexpected file; an archived edition lies in a folder named after its group: "
          "{EDITIONS_DIR}/<group-id>/<date>.yaml").format(EDITIONS_DIR=EDITIONS_DIR)))
        return False
    if group_folder.name not in group_ids:
        ids = sorted(group_ids)
        problems.append(Problem(where, 1, 1, _("'{name}' is not a group of this project (there is no {GROUPS_DIR}/{name}.yaml)").format(
            name=group_folder.name, GROUPS_DIR=GROUPS_DIR)
                                             + (did_you_mean(group_folder.name, ids)
                                                or _("; the folders here are named after the group files"))))
        return False
    return True


def _archive_files(root: Path, group_folder: Path, problems: list[Problem]) -> list[Path]:
    files = []
    for path in _listing(root, group_folder, problems):
        if path.name.startswith("."):
            continue
        if path.is_dir() or path.suffix != ".yaml" or archive_date(path) is None:
            problems.append(Problem(relative_path(path, root), 1, 1,
                                    "unexpected " + ("folder" if path.is_dir() else "file")
                                    + _("; an archived edition's file is named after the edition's date, e.g. 2023-06-30.yaml")))
            continue
        files.append(path)
    return files
