"""The command line. The only place that turns errors into messages and exit codes.

Each command imports what it needs inside its own function, so `check`
starts without loading the renderers.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from pathlib import Path

from . import __version__
from . import messages
from .errors import InputError, ReportgenError, UsageError, as_reportgen_error
from .messages import N_, _, ngettext

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


# argparse's own words for a wrong command line, as the catalogues have them (argparse's English
# pattern -> our message); anything else it says is passed on as it is.
_ARGPARSE_WORDS = (
    (re.compile(r"the following arguments are required: (?P<arguments>.*)"),
     N_("the following arguments are required: {arguments}")),
    (re.compile(r"unrecognized arguments: (?P<arguments>.*)"), N_("unrecognized arguments: {arguments}")),
    (re.compile(r"argument (?P<argument>\S+): expected one argument"), N_("argument {argument}: expected one argument")),
    (re.compile(r"argument (?P<argument>\S+): invalid int value: (?P<value>.*)"),
     N_("argument {argument}: expected a whole number, not {value}")),
    (re.compile(r"argument (?P<argument>\S+): invalid choice: (?P<value>'.*?') \(choose from (?P<choices>.*)\)"),
     N_("argument {argument}: {value} is not one of {choices}")),
    (re.compile(r"argument (?P<argument>\S+): (?P<message>.*)", re.S), N_("argument {argument}: {message}")),
)


class _Parser(argparse.ArgumentParser):
    """A parser that tells a wrong command line in the message language."""

    def error(self, message: str):
        for pattern, words in _ARGPARSE_WORDS:
            match = pattern.fullmatch(message)
            if match:
                message = _(words).format(**match.groupdict())
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, _("{prog}: error: {message}").format(prog=self.prog, message=message) + "\n")


class _CommandParser(_Parser):
    """A command's parser that takes positionals before and after options alike, e.g.
    `new-edition GROUP --date 2025-04-30 DIR` (plain argparse stops at the option)."""

    _inside = False

    def parse_known_args(self, args=None, namespace=None):
        if self._inside:  # parse_known_intermixed_args calls back here; then parse as usual
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def _project_dir(value: str) -> Path:
    return Path(value)


def _output_folder(value: str, option: str) -> Path:
    """An output folder that is, or can be made, a folder: no part of it may be a file."""
    path = Path(value)
    for part in (path, *path.parents):
        if part.exists() or part.is_symlink():
            if not part.is_dir():
                if part == path:
                    raise UsageError(_("{option} '{value}' is a file, not a folder; give a folder").format(
                        option=option, value=value))
                raise UsageError(_("{option} '{value}' lies in '{part}', which is a file, not a folder; give a "
                                   "folder").format(option=option, value=value, part=part))
            break
    return path


def cmd_check(args) -> int:
    from .loader import load_project

    project = load_project(args.dir)
    groups = len(project.groups)
    rows = sum(len(g.statistics.monthly) for g in project.groups)
    print(_("OK: reportgen.yaml, {groups} group files and {count} consolidated files, {rows} "
      "statistics rows: no problems found").format(groups=groups, count=len(project.consolidated), rows=rows))
    return EXIT_OK


def cmd_schema(args) -> int:
    import json

    from .editor_schemas import project_schema_documents
    from .loader import load_project
    from .writer import write_text

    out = _output_folder(args.out, "--out") if args.out is not None else args.dir / "schemas"
    for name, document in project_schema_documents(load_project(args.dir)).items():
        path = out / f"{name}.schema.json"
        write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(_("wrote {path}").format(path=path))
    return EXIT_OK


def cmd_import_stats(args) -> int:
    from .importstats import import_stats

    if not args.file.is_file():
        raise UsageError(_("'{file}' is not a file; give the path of the statistics export (a .csv file)").format(
            file=args.file))
    result = import_stats(args.file, args.dir, dry_run=args.dry_run)
    for line in result.summary():
        print(line)
    return EXIT_OK


def _date(value: str):
    from .dates import parse_date

    try:
        date = parse_date(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a date in the calendar").format(value=value)) from None
    if date is None:
        raise argparse.ArgumentTypeError(_("expected a date written YYYY-MM-DD, e.g. 2025-04-30, not '{value}'").format(
            value=value))
    return date


def cmd_new_edition(args) -> int:
    from .editions import new_edition

    result = new_edition(args.dir, args.group, args.date)
    for line in result.summary():
        print(line)
    return EXIT_OK


def cmd_build(args) -> int:
    from .build import build, default_jobs

    formats = {f.strip() for f in args.format.split(",") if f.strip()}
    unknown = formats - {"html", "pdf"}
    if unknown or not formats:
        raise UsageError(_("--format takes html, pdf or html,pdf, not '{format}'").format(format=args.format))
    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs < 1:
        raise UsageError(_("--jobs must be at least 1"))
    out = _output_folder(args.out, "--out") if args.out else Path(args.dir) / "build"
    build(args.dir, out=out, formats=formats,
          jobs=jobs, include_drafts=args.include_drafts, languages=args.lang)
    return EXIT_OK


def cmd_audit(args) -> int:
    from .audit import audit_published, report_lines
    from .loader import load_project
    from .suppression import publish_project

    project = load_project(args.dir)
    published = publish_project(project)  # raises a located InputError if no pattern protects a count
    result = audit_published(published, exact=True)
    for line in report_lines(published, result):
        print(line)
    hidden = len({r.cell for r in result.ranges})
    print(_("{hidden} hidden counts, {attackers} attackers, {solved} exact minima and maxima in whole numbers").format(
        hidden=hidden, attackers=len(result.attackers), solved=result.solved))
    return EXIT_DATA if result.failures else EXIT_OK


def cmd_serve(args) -> int:
    from .serve import serve

    if not 0 <= args.port <= 65535:
        raise UsageError(_("--port takes a number from 0 to 65535 (0: any free port), not {port}").format(
            port=args.port))
    serve(args.dir, port=args.port, jobs=os.cpu_count() or 1)
    return EXIT_OK


def _add_project_dir(command: argparse.ArgumentParser) -> None:
    command.add_argument("dir", nargs="?", default=".", type=_project_dir, metavar="DIR",
                         help="the project folder (default: the current folder)")
    command.add_argument("--messages", default=None, metavar="LANG", type=_message_language,
                         help=f"the language of the messages: {', '.join(messages.languages())} (default: from "
                              "LANGUAGE, LC_ALL, LC_MESSAGES or LANG, else the project's first language)")


def _message_language(value: str) -> str:
    known = messages.languages()
    if value not in known:
        raise argparse.ArgumentTypeError(_("expected one of {languages}, not '{value}'").format(
            languages=", ".join(known), value=value))
    return value


def _project_languages(folder: Path) -> list[str]:
    """The `languages` of the project's reportgen.yaml, read in passing: the messages must be chosen
    before the project is loaded, and a broken file is reported by the loader, in the fallback language."""
    try:
        data = (folder / "reportgen.yaml").read_bytes()
        if len(data) > 1_000_000:
            return []
        import yaml

        loaded = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        languages = loaded.get("languages") if isinstance(loaded, dict) else None
        return [lang for lang in languages if isinstance(lang, str)] if isinstance(languages, list) else []
    except Exception:  # noqa: BLE001 - any problem in the file is the loader's to report
        return []


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reportgen",
        description="Status reports for the patient groups offered whole-genome sequencing.",
    )
    parser.add_argument("--version", action="version", version=f"reportgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser, required=True)

    check = commands.add_parser("check", help="validate every input file; print path:line:col: problem")
    _add_project_dir(check)
    check.set_defaults(run=cmd_check)
    _add_build(commands)
    _add_serve(commands)
    audit = commands.add_parser(
        "audit", help="check that no reader can narrow a hidden count below privacy.min_range values")
    _add_project_dir(audit)
    audit.set_defaults(run=cmd_audit, nothing_done=N_("nothing was audited"))
    _add_schema(commands)
    _add_import_stats(commands)
    _add_new_edition(commands)
    return parser


def _add_build(commands) -> None:
    build = commands.add_parser("build", help="build the website and the PDFs")
    _add_project_dir(build)
    build.add_argument("--format", default="html,pdf", help="html, pdf or html,pdf (default)")
    build.add_argument("--out", default=None, help="output folder (default: DIR/build)")
    build.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: the number of cores)")
    build.add_argument("--include-drafts", action="store_true",
                       help="also build draft editions (for internal preview; never publish them)")
    build.add_argument("--lang", default=None,
                       help="build only these languages, e.g. en or da,en (default: all in reportgen.yaml)")
    build.set_defaults(run=cmd_build)


def _add_serve(commands) -> None:
    serve = commands.add_parser(
        "serve", help="preview the website on this computer; rebuilds and reloads when a file is saved",
        description="Build the website (drafts included) into a temporary folder, serve it on "
                    "http://127.0.0.1:PORT/ and build again whenever reportgen.yaml, a group file or a "
                    "template is saved; the open page reloads itself. Problems in the files show in the "
                    "page and here. Ctrl+C stops.")
    _add_project_dir(serve)
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000; 0: any free port)")
    serve.set_defaults(run=cmd_serve)


def _add_schema(commands) -> None:
    schema = commands.add_parser(
        "schema", help="write the JSON Schemas of the input files",
        description="Write the JSON Schemas that editors use to complete and check the files, with this "
                    "project's region keys and each group's indication codes. Nothing is written unless "
                    "the project is valid.")
    _add_project_dir(schema)
    schema.add_argument("--out", default=None, help="folder to write to (default: DIR/schemas)")
    schema.set_defaults(run=cmd_schema, nothing_done=N_("nothing was written"))


def _add_import_stats(commands) -> None:
    import_stats = commands.add_parser(
        "import-stats", help="merge a statistics export (CSV) into the group files",
        description="Replace the monthly statistics of each group named in FILE.csv with the export's rows. "
                    "Columns: month, region, group, indication, patients, germline, somatic, rna, diagnosed. "
                    "Nothing is written unless every row and every merged file is valid.")
    import_stats.add_argument("file", type=Path, metavar="FILE.csv", help="the export, separated by ';' or ','")
    _add_project_dir(import_stats)
    import_stats.add_argument("--dry-run", action="store_true",
                              help="print what would change per group; write nothing")
    import_stats.set_defaults(run=cmd_import_stats, nothing_done=N_("nothing was written"))


def _add_new_edition(commands) -> None:
    new_edition = commands.add_parser(
        "new-edition", help="archive a group's current edition and open a new draft edition",
        description="Archive GROUP's current (approved) edition in groups/editions/GROUP/<date>.yaml, with its "
                    "figures, indications and cases, and open a new draft edition of --date in groups/GROUP.yaml, "
                    "changing only its 'edition:' block. The report then shows what changed since the archived "
                    "edition. Nothing is written unless the project is valid.")
    new_edition.add_argument("group", metavar="GROUP", help="the group's id: its file name in groups/ without .yaml")
    new_edition.add_argument("--date", required=True, type=_date, metavar="YYYY-MM-DD",
                             help="the new edition's date; later than the current edition's")
    _add_project_dir(new_edition)
    new_edition.set_defaults(run=cmd_new_edition, nothing_done=N_("nothing was written"))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 data errors, 2 usage)."""
    before = messages.current()
    try:
        # The command line's own mistakes are told before the project is known: option, else environment.
        messages.use(messages.choose_language(_option_in(sys.argv[1:] if argv is None else argv), None))
        args = _parser().parse_args(argv)
        messages.use(messages.choose_language(args.messages, _project_languages(Path(args.dir))))
        return _run(args)
    finally:
        messages.use(before)  # for a caller in the same process (the tests)


def _option_in(argv: list[str]) -> str | None:
    """The value of --messages in `argv`, if it is given and a language reportgen speaks."""
    for index, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--messages=") else (
            argv[index + 1] if arg == "--messages" and index + 1 < len(argv) else None)
        if value in messages.languages():
            return value
    return None


def _run(args) -> int:
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(_("reportgen: interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the edge: every known failure becomes a plain message
        error = as_reportgen_error(exc)
        if error is None:
            raise
        return _report(error, args)


def _report(error: ReportgenError, args) -> int:
    """The one place that prints an error: problems as `path:line:col: message`, then a count."""
    if isinstance(error, InputError):
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = error.total
        files = len({p.path for p in error.problems})
        nothing_done = getattr(args, "nothing_done", None) or N_("nothing was built")
        print(ngettext("{count} problem", "{count} problems", count).format(count=count) + " "
              + ngettext("in {files} file", "in {files} files", files).format(files=files) + "; "
              + _(nothing_done), file=sys.stderr)
    else:
        print(_("reportgen: error: {error}").format(error=error), file=sys.stderr)
    return error.exit_code


def run() -> None:  # pragma: no cover - console entry point
    status = main()
    # The process ends here. Frozen, the heap a build leaves is not walked again by the
    # interpreter's collections at exit (about 0.3 s after a build).
    gc.freeze()
    sys.exit(status)
