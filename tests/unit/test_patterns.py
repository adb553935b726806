"""Known-answer tests for relaudit.patterns: national patterns a pack sees at its deadline.

Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit import patterns
from relaudit.score import consistency

FRAMEWORKS = {"a": "fw1", "b": "fw1", "c": "fw2"}


def sums(rows):
    """Daily sums: (system, day, responses, item, n, total)."""
    frame = pd.DataFrame(rows, columns=["system_id", "day", "responses", "item_id", "n", "total"])
    frame["day"] = pd.to_datetime(frame["day"])
    frame["squares"] = 0.0
    return frame


# System x: 3 + 3 responses over two days; y: 4 responses; z: 6 responses, one day after
# the cutoff of 2017-10-06 (left out).
SUMS = sums(
    [
        ("x", "2017-10-01", 3, "a", 3, 9.0),
        ("x", "2017-10-01", 3, "b", 3, 3.0),
        ("x", "2017-10-01", 3, "c", 3, 6.0),
        ("x", "2017-10-05", 3, "a", 3, 6.0),
        ("x", "2017-10-05", 3, "b", 2, 2.0),
        ("x", "2017-10-05", 3, "c", 3, 9.0),
        ("y", "2017-10-02", 4, "a", 4, 8.0),
        ("y", "2017-10-02", 4, "b", 4, 16.0),
        ("y", "2017-10-02", 4, "c", 4, 4.0),
        ("z", "2017-10-07", 6, "a", 6, 6.0),
        ("z", "2017-10-07", 6, "b", 6, 6.0),
        ("z", "2017-10-07", 6, "c", 6, 6.0),
    ]
)
CUTOFF = dt.date(2017, 10, 6)


def test_pool_sums_keep_days_by_the_cutoff():
    pool = patterns.pool_sums(SUMS, list(FRAMEWORKS), CUTOFF, None, 5)
    assert sorted(set(pool["system_id"])) == ["x", "y"]


def test_pool_statements_known_answer():
    pool = patterns.pool_sums(SUMS, list(FRAMEWORKS), CUTOFF, None, 5)
    table = patterns.pool_statements(pool, FRAMEWORKS, 5).set_index(["scope", "item_id"])
    # x: 6 responses (>= 5). a: (9 + 6) / 6 = 2.5; b: 5 ratings (>= 5), (3 + 2) / 5 = 1;
    # c: (6 + 9) / 6 = 2.5.
    assert table.loc[("x", "a"), "mean"] == pytest.approx(2.5)
    assert table.loc[("x", "b"), "mean"] == pytest.approx(1.0)
    assert table.loc[("x", "c"), "mean"] == pytest.approx(2.5)
    assert table.loc[("x", "c"), "framework"] == "fw2"
    # y has 4 responses (< 5): none of its statements is ranked.
    assert table.loc["y", "mean"].isna().all()
    # Two ratings per respondent (a per-target instrument): x's b has 5 ratings < 2 x 5.
    doubled = patterns.pool_statements(pool, FRAMEWORKS, 3, ratings_per_respondent=2)
    doubled = doubled.set_index(["scope", "item_id"])["mean"]
    assert pd.isna(doubled[("x", "b")]) and doubled[("x", "a")] == pytest.approx(2.5)
    # y: 4 responses >= 3, but a has 4 ratings < 2 x 3.
    assert pd.isna(doubled[("y", "a")])


def test_pool_statements_of_an_empty_pool():
    table = patterns.pool_statements(SUMS.iloc[0:0], FRAMEWORKS, 5)
    assert table.empty and list(table.columns) == patterns.POOL_STATEMENT_COLUMNS


CONSISTENCY = pd.DataFrame(
    [
        # item, systems, top5, bottom5
        ("a", 14, 0, 11),  # 11 of 14 > half: low
        ("b", 14, 2, 7),  # 7 of 14 is half, not most: no pattern
        ("c", 14, 8, 1),  # 8 of 14: high
        ("d", 2, 0, 2),  # 2 of 2, but fewer than 3 systems rank it: no pattern
        ("e", 9, 0, 5),  # 5 of 9: low, a smaller share (0.56) than a's (0.79)
        ("f", 3, 2, 2),  # both high and low in most (few statements): left out
    ],
    columns=["item_id", "systems", "top5", "bottom5"],
).assign(framework="fw1", worst_in_framework=0)


def test_national_patterns_known_answer():
    found = patterns.national_patterns(CONSISTENCY, min_systems=3)
    assert list(found.itertuples(index=False, name=None)) == [
        ("a", "low", 11, 14),
        ("e", "low", 5, 9),
        ("c", "high", 8, 14),
    ]


def test_national_patterns_need_the_minimum_of_systems():
    found = patterns.national_patterns(CONSISTENCY, min_systems=10)
    assert list(found["item_id"]) == ["a", "c"]
    assert patterns.national_patterns(CONSISTENCY.iloc[0:0], 3).empty
    assert patterns.national_patterns(None, 3).empty


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["s1", "s2", "s3", "s4", "s5"]),
            st.sampled_from(list("abcdefgh")),
            st.integers(0, 40),
        ),
        max_size=40,
        unique_by=lambda r: r[:2],
    )
)
def test_a_pattern_is_a_majority_of_the_systems_that_rank_it(rows):
    """Invariant: every pattern's count is more than half of its systems, and no other
    statement with at least `min_systems` systems is a majority one way only."""
    frame = pd.DataFrame(rows, columns=["scope", "item_id", "mean"]).assign(framework="fw")
    frame["mean"] = frame["mean"] / 10
    table = consistency(frame) if len(frame) else frame
    found = patterns.national_patterns(table, min_systems=2)
    for row in found.itertuples():
        assert row.count * 2 > row.systems >= 2
    named = set(found["item_id"])
    for row in table.itertuples() if len(frame) else []:
        low, high = row.bottom5 * 2 > row.systems, row.top5 * 2 > row.systems
        expected = row.systems >= 2 and low != high
        assert (row.item_id in named) == expected
