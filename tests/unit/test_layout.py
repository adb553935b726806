"""Table layout in the documents: tables that fit a page stay on one page, and
tables that repeat a chart are its data block (folded in HTML, an appendix in PDF).

Rendered for real with the embedded pandoc + Typst engine
(templates/filters/relaudit.lua, templates/typst/relaudit.typ).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from relaudit import markdown as md
from relaudit.render import render_document

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (poppler-utils) is not installed, so PDF text cannot be checked",
)

FILLER = " ".join(["Working together across the system takes time and trust."] * 12)


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("\f")


def table(rows: int, label: str) -> str:
    lines = [f"| {label} row {i} | {i} |" for i in range(1, rows + 1)]
    return f"| {label} | n |\n|:---|---:|\n" + "\n".join(lines)


def write_qmd(tmp_path: Path, body: str) -> Path:
    qmd = tmp_path / "doc.qmd"
    qmd.write_text(f"---\ntitle: Layout\nlang: en-GB\n---\n\n{body}\n", encoding="utf-8")
    return qmd


@needs_pdftotext
def test_a_table_that_fits_a_page_is_not_split(tmp_path: Path) -> None:
    """Filler fills most of page 1; a 25-row table would split across pages 1 and 2,
    so it starts on page 2, whole. (25 rows at about 18 pt are about 16 cm: less
    than a page of 25 cm, more than what is left of page 1.)"""
    paragraphs = "\n\n".join([FILLER] * 5)
    qmd = write_qmd(tmp_path, f"# Section\n\n{paragraphs}\n\n{table(25, 'Kept')}\n")
    pdf = render_document(qmd, ["pdf"], "pandoc", running_header="Layout").outputs["pdf"]
    pages = pdf_pages(pdf)
    holding = [i for i, page in enumerate(pages) if "Kept row" in page]
    assert len(holding) == 1, holding
    assert "Kept row 1 " in pages[holding[0]] and "Kept row 25 " in pages[holding[0]]


@needs_pdftotext
def test_a_table_longer_than_a_page_still_breaks(tmp_path: Path) -> None:
    qmd = write_qmd(tmp_path, f"# Section\n\n{table(90, 'Long')}\n")
    pdf = render_document(qmd, ["pdf"], "pandoc", running_header="Layout").outputs["pdf"]
    pages = pdf_pages(pdf)
    assert sum("Long row" in page for page in pages) >= 2
    assert "Long row 90 " in "".join(pages)


def chart_data_doc(tmp_path: Path) -> Path:
    block = md.data_block(md.Markdown(table(3, "Group")), "Respondents by group", ["a chart"])
    return write_qmd(
        tmp_path, f"# Who responded\n\nThe chart.\n\n{block}\n\n# Method\n\nClosing words."
    )


def test_data_block_wraps_a_table_only_beside_a_chart() -> None:
    plain = md.Markdown("| a |\n|---|\n| 1 |")
    assert md.data_block(plain, "Title", []) == plain
    assert md.data_block(None, "Title", ["chart"]) is None
    block = md.data_block(plain, "Title <b>", ["chart"])
    assert block.startswith(":::: {.chart-data}\nTitle \\<b\\>\n\n| a |")
    assert block.endswith("\n::::")


def test_html_folds_a_chart_table_into_a_details_block(tmp_path: Path) -> None:
    html = render_document(chart_data_doc(tmp_path), ["html"], "pandoc", running_header="L")
    text = html.outputs["html"].read_text(encoding="utf-8")
    start = text.index('<details class="chart-data">')
    assert "<summary>Data: Respondents by group</summary>" in text
    assert start < text.index("Group row 3") < text.index("</details>")
    assert "appendix" not in text.lower()


@needs_pdftotext
def test_pdf_moves_a_chart_table_to_the_appendix(tmp_path: Path) -> None:
    pdf = render_document(chart_data_doc(tmp_path), ["pdf"], "pandoc", running_header="L")
    text = "".join(pdf_pages(pdf.outputs["pdf"]))
    pointer = text.index("The numbers of this chart are in the appendix")
    method = text.index("Closing words.")
    appendix = text.rindex("Appendix: the numbers behind the charts")  # (first: contents)
    assert pointer < method < appendix < text.index("Group row 3")
    assert text.count("Group row 1 ") == 1
