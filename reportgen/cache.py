"""What each output was built from, so an unchanged report is never rendered twice.

Two levels. First, one key over the bytes of every input (YAML, templates,
assets, reportgen's own code, the renderers' versions, the house font, the
options): if it matches the last build and every output is still exactly as
written, there is nothing to do and the project is not even loaded.
Otherwise each report gets a fingerprint of what it shows (its published
figures and texts, the code and templates, the options); only reports whose
fingerprint changed are rendered. Beside the outputs it keeps what a next
build may reuse: charts by the data they draw (`ChartStore`) and the chosen
pattern of what to hide by what it was chosen from (`PatternStore`).

The manifest lives in the output folder, may be deleted at any time, and is
never trusted blindly: a manifest that does not parse, or an output whose
bytes differ from what the manifest recorded, means "render again".
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .writer import write_text

MANIFEST = ".reportgen-cache.json"
FORMAT = 4
CHARTS_DIR = ".reportgen-charts"  # charts by the data they draw, beside the outputs
PATTERNS_DIR = ".reportgen-published"  # the last chosen pattern of what to hide, by what it was chosen from
_PACKAGE = Path(__file__).resolve().parent
# Their versions change the bytes of the outputs, so they are inputs too.
RENDERERS = ("jinja2", "markdown", "nh3", "babel", "matplotlib", "weasyprint", "pydyf", "fonttools",
             "tinycss2", "cssselect2", "pyphen", "pillow",
             "highspy", "numpy")  # HiGHS chooses what to hide


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def program_key() -> str:
    """A digest of the program: reportgen's code and message catalogues and the versions of the
    libraries it runs on. The published figures are computed by it alone (not by the templates)."""
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for name, installed in zip(RENDERERS, _versions(RENDERERS)):
        h.update(f"{name}={installed}\0".encode())
    files = sorted(p for pattern in ("*.py", "*.po") for p in _PACKAGE.rglob(pattern) if p.is_file())
    for path in files:
        h.update(f"code/{path.relative_to(_PACKAGE).as_posix()}".encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _versions(names) -> list[str]:
    """Each package's installed version ("-" if none). Read from the name of its
    `<name>-<version>.dist-info` folder on the path, as installers name it: importing
    importlib.metadata and parsing each package's metadata would be half a no-op build."""
    import sys

    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in listing:
            if folder.endswith(".dist-info"):
                name, _, installed = folder[:-len(".dist-info")].partition("-")
                found.setdefault(_normalised(name), installed)
    versions = []
    for name in names:
        installed = found.get(_normalised(name))
        if not installed:  # not installed so (or at all): ask the metadata
            from importlib.metadata import PackageNotFoundError, version

            try:
                installed = version(name)
            except PackageNotFoundError:
                installed = "-"
        versions.append(installed)
    return versions


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def code_key(templates: Path, program: str | None = None) -> str:
    """A digest of how reports are made: the program (`program_key`), the templates and assets,
    the house font and SOURCE_DATE_EPOCH. Change any and every report is rendered again."""
    from .pdf import HOUSE_FONT_FILES, house_font_dir

    program = program if program is not None else program_key()
    h = hashlib.sha256(f"{program}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    templates = Path(templates)
    for path in sorted(templates.rglob("*")):
        if path.is_file():
            h.update(f"templates/{path.relative_to(templates)}".encode() + b"\0" + path.read_bytes() + b"\0")
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


def job_fingerprints(documents, views: dict, inputs: Inputs, code: str, options, languages,
                     config) -> dict[str, str]:
    """A digest per document of everything it shows: change any of it and it is rendered again.

    What a document shows is its view (documents.py), from which alone it is rendered: a
    consolidated report's view holds of each group its name, dates and key figures, not its
    summary, so a summary edit leaves the consolidated report alone. Published figures are in
    the views because suppression is project-wide: a group's figures can change when another
    group's rows do.
    """
    common = "\0".join([code, options_text(options), repr(languages), repr(config)])
    fingerprints = {}
    for document in documents:
        text = document.fingerprint_text(views[document.job_key], inputs.digest_of)
        fingerprints[document.job_key] = digest("\0".join([common, document.job_key, text]).encode())
    return fingerprints


@dataclass
class JobRecord:
    fingerprint: str
    outputs: dict[str, str]  # relative path -> sha256 of the bytes written
    charts: dict[str, str] = field(default_factory=dict)  # the charts it drew or reused: path -> sha256


@dataclass
class Manifest:
    inputs_key: str = ""
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    shared: dict[str, str] = field(default_factory=dict)  # open data and assets: path -> sha256
    patterns: dict[str, str] = field(default_factory=dict)  # the chosen pattern kept (PatternStore): path -> sha256

    @classmethod
    def read(cls, out: Path) -> Manifest:
        """The last build's manifest, or an empty one if it is missing or damaged in any way."""
        try:
            raw = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT or raw.get("version") != __version__:
                return cls()
            jobs = {str(k): JobRecord(str(v["fingerprint"]), _paths(v["outputs"]), _paths(v["charts"]))
                    for k, v in raw["jobs"].items()}
            return cls(str(raw["inputs_key"]), jobs, _paths(raw["shared"]), _paths(raw["patterns"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def write(self, out: Path) -> None:
        data = {"format": FORMAT, "version": __version__, "inputs_key": self.inputs_key,
                "jobs": {k: {"fingerprint": r.fingerprint, "outputs": r.outputs, "charts": r.charts}
                         for k, r in self.jobs.items()},
                "shared": self.shared, "patterns": self.patterns}
        write_text(Path(out) / MANIFEST, json.dumps(data, indent=1, sort_keys=True) + "\n")

    def outputs(self) -> dict[str, str]:
        """Every file this manifest's build wrote, charts and pattern included: path -> sha256."""
        files = {**self.shared, **self.patterns}
        for record in self.jobs.values():
            files.update(record.outputs)
            files.update(record.charts)
        return files

    def charts(self) -> dict[str, str]:
        """Every chart file the last build kept: path -> sha256."""
        return {path: d for record in self.jobs.values() for path, d in record.charts.items()}

    def is_current(self, key: str, out: Path) -> bool:
        """True if the inputs are those of the last build and every output is as it wrote them."""
        if not self.inputs_key or key != self.inputs_key or not self.jobs:
            return False
        return files_match(Path(out), self.outputs())

    def job_is_current(self, key: str, fingerprint: str, expected: list[str], out: Path) -> bool:
        record = self.jobs.get(key)
        if record is None or record.fingerprint != fingerprint or set(record.outputs) != set(expected):
            return False
        return files_match(Path(out), record.outputs) and files_match(Path(out), record.charts)


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


# --- charts by the data they draw ------------------------------------------------------


@dataclass(frozen=True)
class StoredTable:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class StoredChart:
    """A chart read back from the store: what a template uses of `charts.Chart`, without matplotlib."""

    key: str
    title: str
    svg: str
    alt: str
    table: StoredTable


def chart_bytes(chart) -> bytes:
    """A chart as stored: deterministic JSON."""
    data = {"key": chart.key, "title": chart.title, "svg": chart.svg, "alt": chart.alt,
            "table": {"caption": chart.table.caption, "header": list(chart.table.header),
                      "rows": [list(r) for r in chart.table.rows]}}
    return (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _chart_from(data: bytes) -> StoredChart:
    raw = json.loads(data.decode("utf-8"))
    table = raw["table"]
    return StoredChart(str(raw["key"]), str(raw["title"]), str(raw["svg"]), str(raw["alt"]),
                       StoredTable(str(table["caption"]), tuple(map(str, table["header"])),
                                   tuple(tuple(map(str, row)) for row in table["rows"])))


class ChartStore:
    """Charts drawn before, by a digest of the call that drew them and of the code.

    In memory (a preview keeps it between rebuilds) and on disk under the output folder,
    where a file is trusted only if it has the digest the last build's manifest recorded.
    A chart found here is not drawn again, and a build that finds all its charts here does
    not import matplotlib at all.
    """

    def __init__(self, out: Path, code: str, known: dict[str, str], memory: dict | None = None):
        self.out = Path(out)
        self.code = code
        self.known = known  # relative path -> sha256, from the last manifest
        self.memory = memory if memory is not None else {}  # path -> (chart, bytes)
        self.used: dict[str, bytes] = {}  # path -> bytes of every chart got or put since take_used()

    def path(self, spec) -> str:
        name = digest(f"{self.code}\0{spec.key}".encode())
        return f"{CHARTS_DIR}/{name}.json"

    def has(self, spec) -> bool:
        path = self.path(spec)
        return path in self.memory or (path in self.known and (self.out / path).is_file())

    def get(self, spec):
        path = self.path(spec)
        found = self.memory.get(path)
        if found is None and path in self.known:
            try:
                data = (self.out / path).read_bytes()
                if digest(data) == self.known[path]:
                    found = self.memory[path] = (_chart_from(data), data)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                found = None
        if found is None:
            return None
        self.used[path] = found[1]
        return found[0]

    def put(self, spec, chart) -> None:
        path = self.path(spec)
        data = chart_bytes(chart)
        self.memory[path] = (chart, data)
        self.used[path] = data

    def take_used(self) -> dict[str, bytes]:
        used, self.used = self.used, {}
        return used


# --- the chosen pattern of what to hide -------------------------------------------------


class PatternStore:
    """The pattern of what to hide the last build chose, kept for the next one.

    Choosing it (and auditing the choice) is the costly part of publishing the figures,
    and a text edit does not change them. The file is named by the key of everything
    publishing read (`build.published_key`: the figures' inputs and the program) and holds
    plain JSON: one status per cell of the reader's model, and the rounding base of each
    headline figure rounded wider than privacy.rounding_base. It is trusted only if it has
    the digest the last build's manifest recorded and names the same key; the build then
    checks that it fits the model (`pattern_fits`) and audits it before anything is written;
    else it chooses again.
    """

    FORMAT = 2

    def __init__(self, out: Path, known: dict[str, str]):
        self.out = Path(out)
        self.known = known  # relative path -> sha256, from the last manifest
        self.kept: dict[str, bytes] = {}  # what this build keeps: path -> bytes

    @staticmethod
    def path(key: str) -> str:
        return f"{PATTERNS_DIR}/{key}.json"

    def read(self, key: str):
        """The pattern kept under `key`: (each cell's status, {cell: rounding base}), or None."""
        from .suppression_values import Status

        path = self.path(key)
        if path not in self.known:
            return None
        try:
            data = (self.out / path).read_bytes()
            if digest(data) != self.known[path]:
                return None
            raw = json.loads(data.decode("utf-8"))
            if raw["format"] != self.FORMAT or raw["key"] != key or not isinstance(raw["status"], list):
                return None
            bases = {}
            for cell, base in raw["bases"]:
                if type(cell) is not int or type(base) is not int:  # noqa: E721 - not even a bool
                    return None
                bases[cell] = base
            return [Status(value) for value in raw["status"]], bases
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def keep(self, key: str, status, bases: dict[int, int]) -> None:
        data = {"format": self.FORMAT, "key": key, "status": [s.value for s in status],
                "bases": [[cell, base] for cell, base in sorted(bases.items())]}
        self.kept = {self.path(key): (json.dumps(data, separators=(",", ":")) + "\n").encode("utf-8")}


def pattern_fits(system, status, bases: dict[int, int]) -> bool:
    """Whether a kept pattern can be this reader's model's: one cell status per cell, no
    count the first rule hides ("<5", the counts never published) published as it is, only
    headline figures rounded, and a wider rounding base only for a rounded figure, one of the
    multiples of privacy.rounding_base a build may choose. A damaged or planted file never
    publishes a small count."""
    from .suppression_values import WIDER_ROUNDINGS, Status

    if len(status) != len(system.cells):
        return False
    cell_statuses = (Status.PUBLISHED, Status.PRIMARY, Status.SECONDARY, Status.WITHHELD, Status.ROUNDED)
    for first, chosen, cell in zip(system.primary_status(), status, system.cells):
        if chosen not in cell_statuses or (first is not Status.PUBLISHED and chosen is Status.PUBLISHED):
            return False
        if chosen is Status.ROUNDED and not cell.headline:
            return False
    wider = {system.rounding_base * m for m in WIDER_ROUNDINGS}
    return all(0 <= cell < len(status) and status[cell] is Status.ROUNDED and base in wider
               for cell, base in bases.items())
