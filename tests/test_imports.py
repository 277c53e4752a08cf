"""Heavy libraries stay out of the loading path, so `reportgen check` starts fast."""

import json
import subprocess
import sys

from projects import write_project

PROBE = """
import json, sys
from reportgen.cli import main
status = main(["check", sys.argv[1]])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def test_check_imports_no_renderer(tmp_path):
    write_project(tmp_path)
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["status"] == 0
    heavy = {"matplotlib", "weasyprint", "jinja2", "markdown", "nh3", "babel", "numpy", "PIL"}
    assert heavy.isdisjoint(m.split(".")[0] for m in report["modules"])
