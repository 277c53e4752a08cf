"""The command line. The only place that turns errors into messages and exit codes.

Each command imports what it needs inside its own function, so `check`
starts without loading the renderers.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import InputError, ReportgenError, UsageError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _project_dir(value: str) -> Path:
    return Path(value)


def cmd_check(args) -> int:
    from .loader import load_project

    project = load_project(args.dir)
    groups = len(project.groups)
    rows = sum(len(g.statistics.monthly) for g in project.groups)
    print(f"OK: reportgen.yaml, {groups} group files and {len(project.consolidated)} consolidated "
          f"files, {rows} statistics rows: no problems found")
    return EXIT_OK


def cmd_schema(args) -> int:
    import json

    from .loader import schema_documents
    from .writer import write_text

    out = Path(args.out)
    for name, document in schema_documents().items():
        path = out / f"{name}.schema.json"
        write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportgen",
        description="Status reports for the patient groups offered whole-genome sequencing.",
    )
    parser.add_argument("--version", action="version", version=f"reportgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="validate every input file; print path:line:col: problem")
    check.add_argument("dir", nargs="?", default=".", type=_project_dir, metavar="DIR",
                       help="the project folder (default: the current folder)")
    check.set_defaults(run=cmd_check)

    schema = commands.add_parser("schema", help="write the JSON Schemas of the input files")
    schema.add_argument("--out", default="schemas", help="folder to write to (default: schemas)")
    schema.set_defaults(run=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 data errors, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        files = len({p.path for p in exc.problems})
        print(f"{count} problem{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}; "
              "nothing was built", file=sys.stderr)
        return exc.exit_code
    except ReportgenError as exc:
        print(f"reportgen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("reportgen: interrupted", file=sys.stderr)
        return 130


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(main())
