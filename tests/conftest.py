"""Shared fixtures: one end-to-end build of the demo programme per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline import run_snakemake


@pytest.fixture(scope="session")
def demo_results(tmp_path_factory) -> Path:
    """`make report`'s build of the committed demo data, into a temporary folder."""
    results = tmp_path_factory.mktemp("demo") / "results"
    run_snakemake("--config", f"results_dir={results}")
    return results
