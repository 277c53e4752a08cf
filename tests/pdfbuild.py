"""Building PDFs for the tests: reproducible dates, a separate process, as users run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC: no edition has this date


def build_pdfs(project: Path, out: Path, *options: str, jobs: int = 1) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    return subprocess.run([sys.executable, "-m", "reportgen", "build", str(project), "--format", "pdf",
                           "--jobs", str(jobs), "--out", str(out), *options], capture_output=True, text=True, env=env)
