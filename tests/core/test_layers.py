"""core is the floor of the layers: importing it loads no Runstage app."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNSTAGE_APPS = (
    "cmdb",
    "offerings",
    "customers",
    "catalog",
    "impact",
    "portfolio",
    "support",
    "tableapi",
    "config",
    "demo",
)


def test_importing_core_loads_no_runstage_app():
    script = (
        "import sys, core, core.sql, core.parsing, core.filters, core.workflow, core.permissions\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {RUNSTAGE_APPS!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
