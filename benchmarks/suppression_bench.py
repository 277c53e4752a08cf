"""Benchmark: choosing what to hide and auditing it, for the shipped project and the 10x project.

  choose        `publish_project`: primary suppression, then the protecting integer
                programs until the audit passes (what every build runs)
  audit         the audit `reportgen build` runs before writing (ranges settled by
                witnesses where they are wide enough)
  audit, exact  `reportgen audit`: every minimum and maximum solved

The 10x project is made as in bench.py (170 groups, ten years of monthly rows each;
it has no archived editions). Loading is not timed. Wall-clock seconds of one run,
and the CPU seconds of choosing and auditing (what the wall clock shows on a quiet
machine): quote them with the machine's load.

Run: .venv/bin/python benchmarks/suppression_bench.py [--skip-10x]

Measured once, on a 2-core machine shared with other work (load average 5 to 6, so
the wall-clock columns are inflated; the CPU column is the fair one; it includes
importing SciPy, about 0.5 s):

  project   cells hidden readers   choose    audit choose+audit   (CPU) exact audit
  shipped    1767     49      23     3.0s     0.3s         3.4s    3.4s        1.4s
  10x       20958    360     176   177.3s    14.8s       192.1s   69.6s       92.5s

Before the work on speed the shipped project took about 5 s of CPU and the 10x
project did not finish within 10 minutes of CPU. What made the difference: the
protecting programs no longer take in every group of a consolidated table of
many groups (see `suppression_engine.near`), the chooser's re-check reuses the
audit's ranges and the attacker's components, and the audit settles most
counts with a few pushed solutions. Still above the target for the shipped
project (1.5 s): most of what is left are some 400 small integer programs of
a few milliseconds each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ROOT, ten_times_project  # noqa: E402


def measure(root: Path) -> dict[str, float]:
    from reportgen.audit import audit_published
    from reportgen.loader import load_project
    from reportgen.suppression import publish_project

    project = load_project(root)
    started, cpu0 = time.perf_counter(), time.process_time()
    published = publish_project(project)
    chosen, cpu1 = time.perf_counter(), time.process_time()
    result = audit_published(published)
    audited, cpu2 = time.perf_counter(), time.process_time()
    exact = audit_published(published, exact=True)
    done = time.perf_counter()
    system, status = published.protection
    assert not result.failures and not exact.failures
    return {"cells": len(system.cells), "hidden": len({r.cell for r in exact.ranges}),
            "attackers": len(exact.attackers), "choose": chosen - started, "audit": audited - chosen,
            "exact": done - audited, "cpu": cpu2 - cpu0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-10x", action="store_true")
    options = parser.parse_args()
    runs = [("shipped", ROOT)]
    with tempfile.TemporaryDirectory(prefix="reportgen-suppression-bench-") as folder:
        if not options.skip_10x:
            ten_times_project(ROOT, Path(folder) / "project-10x")
            runs.append(("10x", Path(folder) / "project-10x"))
        print(f"{'project':8} {'cells':>6} {'hidden':>6} {'readers':>7} {'choose':>8} {'audit':>8} "
              f"{'choose+audit':>12} {'(CPU)':>7} {'exact audit':>11}")
        for name, root in runs:
            r = measure(root)
            print(f"{name:8} {r['cells']:6d} {r['hidden']:6d} {r['attackers']:7d} {r['choose']:7.1f}s "
                  f"{r['audit']:7.1f}s {r['choose'] + r['audit']:11.1f}s {r['cpu']:6.1f}s {r['exact']:10.1f}s", flush=True)


if __name__ == "__main__":
    main()
