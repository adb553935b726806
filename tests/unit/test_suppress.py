"""Unit tests for relaudit.suppress: the one small-group rule."""

from __future__ import annotations

import math

import pandas as pd

from relaudit.suppress import suppress


def test_small_rows_are_blanked_and_flagged():
    table = pd.DataFrame(
        {
            "group": ["a", "b", "c"],
            "n": [10, 4, 5],
            "mean": [2.5, 3.0, 1.0],
            "flag": ["higher", "lower", "similar"],
        }
    )
    out = suppress(table, 5, keys=["group"])
    assert out["suppressed"].tolist() == [False, True, False]
    assert out.loc[1, "group"] == "b"  # keys are kept
    assert math.isnan(out.loc[1, "n"]) and math.isnan(out.loc[1, "mean"])
    assert out.loc[1, "flag"] == ""
    assert out.loc[0, "mean"] == 2.5 and out.loc[2, "n"] == 5  # exactly k is shown


def test_scalar_size_suppresses_the_whole_table():
    table = pd.DataFrame({"item_id": ["x", "y"], "n": [3, 3], "mean": [1.0, 2.0]})
    out = suppress(table, 5, keys=["item_id"], size=4)
    assert out["suppressed"].all()
    assert out[["n", "mean"]].isna().all().all()
    assert suppress(table, 5, keys=["item_id"], size=5)["suppressed"].sum() == 0


def test_unknown_size_counts_as_too_small():
    table = pd.DataFrame({"g": ["a"], "n": [float("nan")], "mean": [2.0]})
    assert suppress(table, 1, keys=["g"])["suppressed"].all()


def test_existing_flag_is_kept():
    table = pd.DataFrame({"g": ["a", "b"], "n": [50, 50], "mean": [1.0, 2.0]})
    table["suppressed"] = [True, False]
    out = suppress(table, 5, keys=["g"])
    assert out["suppressed"].tolist() == [True, False]
    assert math.isnan(out.loc[0, "mean"])


def test_complementary_suppression_hides_the_smallest_other_cell():
    # Hiding only b (n 3) would let a reader recover it as total - a - c.
    table = pd.DataFrame(
        {
            "q": ["x"] * 4 + ["y"] * 3,
            "group": ["a", "b", "c", "empty", "a", "b", "c"],
            "n": [20, 3, 8, 0, 20, 2, 1],
        }
    )
    out = suppress(table, 5, keys=["q", "group"], within=["q"])
    # x: b hidden, c (8) is the smallest visible non-empty cell -> hidden too;
    # the empty group does not count as hiding anything.
    assert out["suppressed"].tolist()[:4] == [False, True, True, True]
    # y: b (2) and c (1) are hidden, but together they hold 3 < 5: total - a
    # would give both. a (20), the only shown cell, is hidden too (5 + ... >= 5).
    assert out["suppressed"].tolist()[4:] == [True, True, True]
    assert out["suppression"].tolist() == [
        "", "small", "secondary", "small", "secondary", "small", "small",
    ]  # fmt: skip
    assert out.loc[0, "n"] == 20


def test_separate_size_column_and_score_key():
    table = pd.DataFrame(
        {"label": ["L0", "L1"], "score": [0.0, 1.0], "n": [1, 2], "pct": [33.3, 66.7], "base": 3}
    )
    out = suppress(table, 5, keys=["label", "score"], size="base")
    assert out["suppressed"].all()
    assert out["score"].tolist() == [0.0, 1.0]
    assert out[["n", "pct", "base"]].isna().all().all()
    # A base of 10 shows every row, even a label chosen by one respondent.
    table["base"] = 10
    assert not suppress(table, 5, keys=["label", "score"], size="base")["suppressed"].any()


def test_input_is_not_modified():
    table = pd.DataFrame({"g": ["a"], "n": [1], "mean": [2.0]})
    suppress(table, 5, keys=["g"])
    assert table.loc[0, "mean"] == 2.0 and "suppressed" not in table
