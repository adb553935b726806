"""The number check of tests/number_check.py on small inputs (known answers by hand)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from number_check import Printed, check_document, held, numbers_in, text_blocks


def test_numbers_leave_out_dates_figure_numbers_and_words_with_digits():
    block = "Of 35 statements, 3 scored higher (+0.25) by 8 September 2017 (Figure 3, v2)."
    assert [(n.value, n.decimals) for n in numbers_in(block)] == [(35, 0), (3, 0), (0.25, 2)]


def test_numbers_read_signs_separators_and_ranges():
    found = numbers_in("1,234 rows; \u22120.40 and n = 12\u201320; 43%")
    assert [n.value for n in found] == [1234, -0.4, 12, 20, 43]


def test_excluded_phrases_are_not_read():
    text = "On \u201cWe meet 2 times a week.\u201d 4 answered"
    assert [n.value for n in numbers_in(text, ["We meet 2 times a week."])] == [4]


def test_held_within_the_printed_rounding():
    values = np.array([3.43, 42.6, 7.0])
    assert held(Printed(3.4, 1, "3.4", ""), values)
    assert not held(Printed(3.5, 1, "3.5", ""), values)
    assert held(Printed(43, 0, "43", ""), values)  # 42.6 rounds to 43
    assert held(Printed(3.43, 2, "3.43", ""), values)
    assert not held(Printed(3.42, 2, "3.42", ""), values)
    assert not held(Printed(6, 0, "6", ""), values)


def test_text_blocks_skip_quotes_contents_and_header():
    page = (
        "<html><head><title>T 9</title></head><body><header><p>Area 1</p></header>"
        "<nav><li>1 Contents</li></nav><p>Read 21 rows</p><blockquote><p>I waited 3 "
        "years</p></blockquote><table><tr><td>VCSE</td><td>7</td></tr></table>"
        '<img alt="12 things"></body></html>'
    )
    assert text_blocks(page) == ["Read 21 rows", "VCSE", "7"]


def test_check_document_finds_numbers_in_tables_or_method(tmp_path: Path):
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "profile.csv").write_text("group,n,pct\nA,21,52.5\nB,19,47.5\n", encoding="utf-8")
    html = tmp_path / "doc.html"
    html.write_text(
        "<p>21 respondents (53%); groups below 5 are hidden; 18 answered.</p>", encoding="utf-8"
    )
    check = check_document(html, [tables], [5.0])
    assert check.checked == 4
    assert [n.value for n in check.missing] == [18]


def test_a_gap_is_accepted_only_as_the_difference_of_two_printed_means(tmp_path: Path):
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "scores.csv").write_text("group,mean\nA,4.561\nB,1.783\n", encoding="utf-8")
    html = tmp_path / "doc.html"
    html.write_text(
        "<li>A 4.56 against B 1.78 (gap 2.78)</li><li>A 4.56 against B 1.78, 2.78 apart</li>"
        "<li>A 4.56 against B 1.78 (gap 2.50)</li>",
        encoding="utf-8",
    )
    check = check_document(html, [tables], [])
    assert (check.checked, check.derived) == (9, 1)
    assert [n.value for n in check.missing] == [2.78, 2.5]
