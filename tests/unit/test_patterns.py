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


def two_version_instrument():
    """Four items; a2 is reworded between v1 and v2."""
    from relaudit.instrument import parse_instrument

    labels = ["Never", "Rarely", "Sometimes", "Often", "Mostly", "Always"]
    items = []
    for item_id, framework in (("a1", "fw_a"), ("a2", "fw_a"), ("b1", "fw_b"), ("b2", "fw_b")):
        text = {"v1": f"Statement {item_id}", "v2": f"Statement {item_id}"}
        if item_id == "a2":
            text["v2"] = "Statement a2, reworded"
        position = {"attribute": "X"} if framework == "fw_a" else {"domain": "D"}
        items.append(
            {"id": item_id, "framework": framework, "position": position,
             "polarity": "positive", "text": text}
        )  # fmt: skip
    return parse_instrument(
        {
            "id": "two",
            "versions": ["v1", "v2"],
            "columns": {"response_id": "ID", "submitted": "Submitted", "comment_prefix": "Any"},
            "scale": {
                "labels": [{"label": lab, "score": i} for i, lab in enumerate(labels)],
                "positive_threshold": 3,
                "midpoint": 2.5,
            },
            "frameworks": [
                {"id": "fw_a", "groupings": {"attribute": ["X"]}},
                {"id": "fw_b", "groupings": {"domain": ["D"]}},
            ],
            "respondent_questions": [],
            "items": items,
        }
    )


def test_a_reworded_statement_counts_only_systems_with_its_wording():
    from relaudit.score import pool_consistency

    instrument = two_version_instrument()
    # p (v1) and q (v2), 5 responses each; means p: a1 1, a2 2, b1 3, b2 4;
    # q: a1 4, a2 3, b1 2, b2 1. Four statements: each in every top and bottom five.
    # Lowest of fw_a: p a1, q a2; of fw_b: p b1, q b2.
    rows = [
        (sid, "2017-10-01", 5, item, 5, 5.0 * mean)
        for sid, means in (("p", (1, 2, 3, 4)), ("q", (4, 3, 2, 1)))
        for item, mean in zip(("a1", "a2", "b1", "b2"), means, strict=True)
    ]
    pool = sums(rows)
    args = (pool, instrument, CUTOFF, True, None, 5)
    plain = pool_consistency(*args).set_index("item_id")
    assert plain["systems"].tolist() == [2, 2, 2, 2]
    assert plain["worst_in_framework"].tolist() == [1, 1, 1, 1]
    # A v2 pack: a2 is worded otherwise in v1, so p is not counted for a2.
    v2 = pool_consistency(*args, {"p": "v1", "q": "v2"}, "v2").set_index("item_id")
    assert v2["systems"].to_dict() == {"a1": 2, "a2": 1, "b1": 2, "b2": 2}
    assert v2["bottom5"].to_dict() == {"a1": 2, "a2": 1, "b1": 2, "b2": 2}
    assert v2["worst_in_framework"].to_dict() == {"a1": 1, "a2": 1, "b1": 1, "b2": 1}
    # A v1 pack: q is not counted for a2, so a2 keeps only p (where a1, not a2, was worst).
    v1 = pool_consistency(*args, {"p": "v1", "q": "v2"}, "v1").set_index("item_id")
    assert (v1.loc["a2", "systems"], v1.loc["a2", "worst_in_framework"]) == (1, 0)
