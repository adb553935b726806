"""The Snakemake workflow parses, lints clean and fails clearly on bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
SYSTEMS_HEADER = (
    "system_id\tname\taliases\treview_order\tquestionnaire_version\tsurvey_opened\tdeadline\n"
)


def run_snakemake(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SNAKEMAKE), "--nolock", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dry_run_prints_the_dag():
    result = run_snakemake("-n", "--cores", "1")
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Job stats" in output or "Nothing to be done" in output


def test_lint_is_clean():
    result = run_snakemake("--lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


def test_bad_systems_sheet_stops_with_a_short_message(tmp_path):
    sheet = tmp_path / "systems.tsv"
    sheet.write_text(
        SYSTEMS_HEADER
        + "alpha\tAlpha\t\t1\tv1\t2017-08-15\t2017-08-25\n"
        + "alpha\tAlpha\t\t2\tv1\t2017-08-15\t2017-08-25\n",
        encoding="utf-8",
    )
    result = run_snakemake("-n", "--cores", "1", "--config", f"systems_sheet={sheet}")
    assert result.returncode != 0
    assert f"relaudit: {sheet}: row 2 (line 3, system_id 'alpha'), column system_id" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_unknown_raw_folder_stops_with_a_short_message(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw, dirs_exist_ok=True)
    (raw / "atlantis").mkdir(parents=True)
    result = run_snakemake("-n", "--cores", "1", "--config", f"raw_dir={raw}")
    assert result.returncode != 0
    assert "atlantis: folder for a system the systems sheet does not name" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_override_is_named():
    result = run_snakemake("-n", "--cores", "1", "--config", "min_group_size=0")
    assert result.returncode != 0
    assert "key min_group_size: 0 is less than the minimum of 1" in result.stderr


@pytest.mark.parametrize("tool", ["ruff-check", "ruff-format", "snakefmt"])
def test_style_is_clean(tool):
    bin_dir = Path(sys.executable).parent
    commands = {
        "ruff-check": [str(bin_dir / "ruff"), "check", "."],
        "ruff-format": [str(bin_dir / "ruff"), "format", "--check", "."],
        "snakefmt": [str(bin_dir / "snakefmt"), "--check", "Snakefile", "workflow/rules"],
    }
    result = subprocess.run(commands[tool], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
