"""What each output was built from, so an unchanged report is never rendered twice.

Two levels. First, one key over the bytes of every input (YAML, templates,
assets, reportgen's own code, the renderers' versions, the house font, the
options): if it matches the last build and every output is still exactly as
written, there is nothing to do and the project is not even loaded.
Otherwise each report gets a fingerprint of what it shows (its published
figures and texts, the code and templates, the options); only reports whose
fingerprint changed are rendered.

The manifest lives in the output folder, may be deleted at any time, and is
never trusted blindly: a manifest that does not parse, or an output whose
bytes differ from what the manifest recorded, means "render again".
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .writer import write_text

MANIFEST = ".reportgen-cache.json"
FORMAT = 2
_PACKAGE = Path(__file__).resolve().parent
# Their versions change the bytes of the outputs, so they are inputs too.
RENDERERS = ("jinja2", "markdown", "nh3", "babel", "matplotlib", "weasyprint", "pydyf", "fonttools",
             "tinycss2", "cssselect2", "pyphen", "pillow")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def job_key(document) -> str:
    return f"{document.kind}:{document.key}"


def code_key(templates: Path) -> str:
    """A digest of how reports are made: reportgen's code, the templates and assets, the
    renderers' versions, the house font and SOURCE_DATE_EPOCH. Change any and every report
    is rendered again."""
    from importlib.metadata import PackageNotFoundError, version

    from .pdf import HOUSE_FONT_FILES, house_font_dir

    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    for name in RENDERERS:
        try:
            h.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{name}=-\0".encode())
    templates = Path(templates)
    files = [(f"templates/{p.relative_to(templates)}", p) for p in sorted(templates.rglob("*"))]
    files += [(f"code/{p.name}", p) for p in sorted(_PACKAGE.glob("*.py"))]
    for name, path in files:
        if path.is_file():
            h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    fonts = house_font_dir()
    for name in HOUSE_FONT_FILES:  # a few MB: size and time stand for the bytes
        stat = (fonts / name).stat()
        h.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return h.hexdigest()


def options_text(options) -> str:
    return f"{sorted(options.formats)}|{options.languages}|{options.include_drafts}"


@dataclass(frozen=True)
class Inputs:
    """The project's files as read before loading: one key over all of them, and each one's digest."""

    key: str
    files: dict[Path, str]  # resolved path -> sha256 of its bytes

    def digest_of(self, path: Path) -> str:
        """The digest of the file as read before loading.

        A file that changes after that keeps the old digest here, so the next build sees a
        difference and renders again: never a stale report trusted. A file not read here
        gets a digest that matches nothing, for the same reason.
        """
        found = self.files.get(Path(path).resolve())
        return found if found is not None else f"unread:{os.urandom(16).hex()}"


def read_inputs(root: Path, code: str, options) -> Inputs:
    """Read every project file once: its digest, and one key over all of them, the code key
    and the options. Equal keys mean equal outputs."""
    from .discovery import input_files
    from .yamlsource import read_file_bytes

    root = Path(root)
    paths = input_files(root)
    h = hashlib.sha256(f"{code}\0{options_text(options)}\0".encode())
    files = {}
    for path in paths:
        data = read_file_bytes(path)  # regular files within the size limit only: never a pipe or a device
        if isinstance(data, bytes):
            files[path.resolve()] = file_digest = digest(data)
        else:
            file_digest = "<unreadable>"
        h.update(f"{path.relative_to(root)}\0{file_digest}\0".encode())
    return Inputs(h.hexdigest(), files)


def job_fingerprints(project, published, documents, inputs: Inputs, code: str, options,
                     languages) -> dict[str, str]:
    """A digest per report of everything it shows: change any of it and the report is rendered again.

    A group's page shows its group (as loaded, with its archived editions) and its
    published figures; a consolidated report shows every group of its category; the
    index shows every group. Published figures are included because suppression is
    project-wide: a group's figures can change when another group's rows do.
    """
    from .loader import CONFIG_FILE

    common = "\0".join([code, options_text(options), repr(languages), repr(project.config),
                        inputs.digest_of(Path(project.root) / CONFIG_FILE)])
    groups = {g.id: digest("\0".join([common, _group_text(g, inputs), repr(published.group(g.id))]).encode())
              for g in project.groups}
    fingerprints = {}
    for document in documents:
        key = job_key(document)
        if document.kind == "group":
            fingerprints[key] = groups[document.key]
            continue
        if document.kind == "consolidated":
            parts = [_consolidated_text(project.consolidated[document.key]), repr(published.category(document.key))]
            parts += [groups[g.id] for g in project.groups_in(document.key)]
        else:
            parts = [repr(published.national)]
            parts += [repr(published.category(c)) for c in sorted({g.category for g in project.groups})]
            parts += [groups[g.id] for g in project.groups]
            parts += [_consolidated_text(c) for _, c in sorted(project.consolidated.items())]
        fingerprints[key] = digest("\0".join([common, key, *parts]).encode())
    return fingerprints


def _group_text(group, inputs: Inputs) -> str:
    """The group as loaded, but for its monthly rows: they are most of the file (and most of the
    time a repr would take), so the digest of the file stands for them."""
    without_rows = replace(group, path=None, statistics=replace(group.statistics, monthly=()))
    return f"{inputs.digest_of(group.path)}\0{without_rows!r}"


def _consolidated_text(report) -> str:
    return repr(replace(report, path=None))


@dataclass
class JobRecord:
    fingerprint: str
    outputs: dict[str, str]  # relative path -> sha256 of the bytes written


@dataclass
class Manifest:
    inputs_key: str = ""
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    shared: dict[str, str] = field(default_factory=dict)  # open data and assets: path -> sha256

    @classmethod
    def read(cls, out: Path) -> Manifest:
        """The last build's manifest, or an empty one if it is missing or damaged in any way."""
        try:
            raw = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT or raw.get("version") != __version__:
                return cls()
            jobs = {str(k): JobRecord(str(v["fingerprint"]), _paths(v["outputs"])) for k, v in raw["jobs"].items()}
            return cls(str(raw["inputs_key"]), jobs, _paths(raw["shared"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def write(self, out: Path) -> None:
        data = {"format": FORMAT, "version": __version__, "inputs_key": self.inputs_key,
                "jobs": {k: {"fingerprint": r.fingerprint, "outputs": r.outputs} for k, r in self.jobs.items()},
                "shared": self.shared}
        write_text(Path(out) / MANIFEST, json.dumps(data, indent=1, sort_keys=True) + "\n")

    def outputs(self) -> dict[str, str]:
        """Every file this manifest's build wrote: path -> sha256."""
        files = dict(self.shared)
        for record in self.jobs.values():
            files.update(record.outputs)
        return files

    def is_current(self, key: str, out: Path) -> bool:
        """True if the inputs are those of the last build and every output is as it wrote them."""
        if not self.inputs_key or key != self.inputs_key or not self.jobs:
            return False
        return files_match(Path(out), self.outputs())

    def job_is_current(self, key: str, fingerprint: str, expected: list[str], out: Path) -> bool:
        record = self.jobs.get(key)
        if record is None or record.fingerprint != fingerprint or set(record.outputs) != set(expected):
            return False
        return files_match(Path(out), record.outputs)


def _paths(raw) -> dict[str, str]:
    """path -> digest from JSON, refusing anything that could point outside the output folder."""
    paths = {str(p): str(d) for p, d in raw.items()}
    for path in paths:
        if path.startswith("/") or ".." in Path(path).parts:
            raise ValueError(f"unsafe path in manifest: {path}")
    return paths


def files_match(out: Path, outputs: dict[str, str]) -> bool:
    """True if every file exists under `out` with exactly the recorded digest."""
    for relative, expected in outputs.items():
        try:
            if digest((out / relative).read_bytes()) != expected:
                return False
        except OSError:
            return False
    return True
