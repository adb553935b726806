"""The relaudit modules the Snakefile imports stay light.

Snakemake parses the workflow on every run, a run with nothing to do
included, so what those modules import at the top is paid on every run.
numpy and pandas cost about 0.3 s of the 2 s no-op rerun (benchmarks/RESULTS.md);
the jobs themselves import them, in the job server.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_FILES = [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").rglob("*.smk"))]
HEAVY = ("numpy", "pandas", "pyarrow", "matplotlib", "scipy")
IMPORT = re.compile(r"^(?:from (relaudit[\w.]*) import|import (relaudit[\w.]*))", re.MULTILINE)


def workflow_imports() -> list[str]:
    found: set[str] = set()
    for path in WORKFLOW_FILES:
        for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return sorted(found)


def test_the_workflow_imports_relaudit_modules():
    # A guard that finds nothing would pass for the wrong reason.
    assert "relaudit.comparison" in workflow_imports()
    assert "relaudit.tables" in workflow_imports()


def test_parsing_the_workflow_imports_no_heavy_library():
    modules = workflow_imports()
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = result.stdout.strip()
    assert loaded == "", (
        f"importing {modules} loads {loaded}: import it inside the function that needs it"
    )
