"""Shared fixtures and the test kinds.

Tests are sorted by kind into folders, and each folder's tests carry its marker,
so a developer can run one kind (`pytest -m unit`, `make test-unit`):

- ``tests/unit``: functions and modules on small inputs, with known answers worked
  out by hand and hypothesis property tests;
- ``tests/integration``: Snakemake runs end to end on fixtures and the demo data;
- ``tests/backtests``: the demo build against the published figures in
  ``shared/spec/calibration.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline import run_snakemake

KINDS = {"unit": "unit", "integration": "integration", "backtests": "backtest"}


def pytest_collection_modifyitems(config, items):
    """Mark every test with the kind of the folder it lives in."""
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in KINDS:
            item.add_marker(getattr(pytest.mark, KINDS[folder]))


@pytest.fixture(scope="session")
def demo_results(tmp_path_factory) -> Path:
    """`make report`'s build of the committed demo data, into a temporary folder."""
    results = tmp_path_factory.mktemp("demo") / "results"
    run_snakemake("--config", f"results_dir={results}")
    return results
