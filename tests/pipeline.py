"""Run the Snakemake workflow from tests, as `make report` would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def run_snakemake(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `snakemake --cores 2 ARGS` in the repository with a clean, deterministic env."""
    result = subprocess.run(
        [str(SNAKEMAKE), "--nolock", "--cores", "2", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "SOURCE_DATE_EPOCH": "0",
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg",
            "HOME": str(Path.home()),
            # A checkout tested with another checkout's .venv puts its src/ first.
            **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        },
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result
