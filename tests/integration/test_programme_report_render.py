"""The programme report rendered from the contract-shaped fixture tables:
hostile cells inert in HTML and PDF, suppressed cells never printed, and two
renders byte-identical."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "programme_tables"))
import make_tables  # noqa: E402


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    first = make_tables.build_report(tmp_path_factory.mktemp("one"))
    second = make_tables.build_report(tmp_path_factory.mktemp("two"))
    return first, second


def test_two_renders_are_byte_identical(builds):
    first, second = builds
    for fmt in ("html", "pdf"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes(), fmt
    for svg in sorted((first["html"].parent.parent / "figures").glob("*.svg")):
        other = second["html"].parent.parent / "figures" / svg.name
        assert svg.read_bytes() == other.read_bytes(), svg.name


def test_hostile_cells_stay_inert_in_html(builds):
    html = builds[0]["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "<b>team</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "**bold**" in html  # literal asterisks, not emphasis
    assert "NaN" not in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_hostile_cells_stay_inert_in_pdf(builds):
    text = subprocess.run(
        ["pdftotext", "-layout", str(builds[0]["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "#set page(fill: red)" in " ".join(text.split())
    assert "<script>alert(1)</script>" in " ".join(text.split())
    assert "NaN" not in text
