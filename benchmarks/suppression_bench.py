"""Benchmark: choosing what to hide and auditing it, for the shipped project and the 10x project.

  choose        `publish_project`: primary suppression, then the protecting integer
                programs until the audit passes (what every build runs)
  audit         the audit `reportgen build` runs before writing: the chooser's last
                audit of the same pattern, kept with the model, so next to nothing
  fresh audit   the same audit done again from nothing (ranges settled by witnesses
                where they are wide enough), CPU seconds
  exact audit   `reportgen audit`: every minimum and maximum solved, CPU seconds

The 10x project is made as in bench.py (170 groups, ten years of monthly rows each;
it has no archived editions). Loading is not timed. Wall-clock seconds of one run,
and the CPU seconds of choosing and auditing (what the wall clock shows on a quiet
machine): quote them with the machine's load.

Run: .venv/bin/python benchmarks/suppression_bench.py [--skip-10x]

Measured on a quiet 2-core machine, with the answers and clinical effect in the
model (choose includes importing highspy and NumPy, about 0.17 s, and computing the
figures):

  project   cells hidden readers  choose+audit (CPU)  fresh audit  exact audit
  shipped    2581     65      23          1.4s          0.05s        0.14s
  10x       32977    442     176         29.0s          1.7s         6.3s

Before (SciPy's milp for every program, no answers or effects, a loaded machine): shipped 3.4 s CPU
(fresh audit 0.3 s, exact 1.4 s); 10x 192 s (exact 93 s). What made the
difference: the audit solves linear relaxations, kept loaded in HiGHS between
objectives, and accepts a whole-numbered corner after checking it exactly
(integer programs only at fractional corners); highspy imports in 30 ms where
scipy.optimize took 0.3 s; the protecting program tries the count's own group
with the totals it adds up into (and the hidden counts linked to them) before
the whole project; the chooser's re-check of a count looks only at its own
component; the build's audit is the chooser's last.
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
    chosen = time.perf_counter()
    result = audit_published(published)
    audited, cpu2 = time.perf_counter(), time.process_time()
    system, status = published.protection
    system.audited.clear()  # the same audit again, without the chooser's last one to give it
    cpu3 = time.process_time()
    assert audit_published(published).failures == result.failures
    cpu4 = time.process_time()
    exact = audit_published(published, exact=True)
    cpu5 = time.process_time()
    assert not result.failures and not exact.failures
    return {"cells": len(system.cells), "hidden": len({r.cell for r in exact.ranges}),
            "attackers": len(exact.attackers), "choose": chosen - started, "audit": audited - chosen,
            "fresh": cpu4 - cpu3, "exact": cpu5 - cpu4, "cpu": cpu2 - cpu0}


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
              f"{'choose+audit':>12} {'(CPU)':>7} {'fresh audit':>11} {'exact audit':>11}")
        for name, root in runs:
            r = measure(root)
            print(f"{name:8} {r['cells']:6d} {r['hidden']:6d} {r['attackers']:7d} {r['choose']:7.1f}s "
                  f"{r['audit']:7.1f}s {r['choose'] + r['audit']:11.1f}s {r['cpu']:6.1f}s {r['fresh']:10.2f}s "
                  f"{r['exact']:10.2f}s", flush=True)


if __name__ == "__main__":
    main()
