"""Hypothesis property tests for scoring and suppression."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit import score
from relaudit.config import System
from relaudit.instrument import load_instrument, parse_instrument

LABELS = ["Never", "Seldom", "Sometimes", "Often", "Mostly", "Always"]
GROUPS = ["Alpha", "Beta", "Gamma"]
ITEMS = ["pos", "neg", "other"]
SETTINGS = settings(max_examples=40, deadline=None)

INSTRUMENT = parse_instrument(
    {
        "id": "props",
        "versions": ["v1"],
        "columns": {"response_id": "ID", "submitted": "Submitted", "comment_prefix": "Any"},
        "scale": {
            "labels": [{"label": lab, "score": i} for i, lab in enumerate(LABELS)],
            "positive_threshold": 3,
        },
        "frameworks": [{"id": "fw", "groupings": {"aspect": ["P", "Q"]}}],
        "respondent_questions": [
            {"id": "org_type", "prefix": "Org", "options": [{"label": g} for g in GROUPS]},
            {
                "id": "tenure",
                "prefix": "Time",
                "options": [{"label": "Short"}, {"label": "Long"}],
                "exclude_multiple": True,
            },
        ],
        "items": [
            {"id": "pos", "framework": "fw", "position": {"aspect": "P"},
             "polarity": "positive", "text": {"v1": "Positive statement"}},
            {"id": "neg", "framework": "fw", "position": {"aspect": "P"},
             "polarity": "negative", "text": {"v1": "Negative statement"}},
            {"id": "other", "framework": "fw", "position": {"aspect": "Q"},
             "polarity": "positive", "text": {"v1": "Another statement"}},
        ],
    }
)  # fmt: skip

# Key columns of each table: everything else must be blank when suppressed.
KEYS = {
    "statement_scores": {"scope", "item_id", "framework"},
    "group_scores": {"scope", "grouping", "group"},
    "label_distribution": {"item_id", "label", "score"},
    "comparator": {"item_id"},
    "breakdown_scores": {"grouping", "group", "measure"},
    "breakdown_labels": {"grouping", "group", "item_id", "label", "score"},
    "profile": {"question", "group"},
}


def responses(system_id, groups, tenures, scores, late=None):
    n = len(groups)
    data = {
        "system_id": [system_id] * n,
        "response_id": [f"{system_id}-{i}" for i in range(n)],
        "submitted_at": pd.Series([pd.Timestamp("2018-01-10")] * n, dtype="datetime64[ns]"),
        "late": late if late is not None else [False] * n,
        "org_type": groups,
        "tenure": tenures,
        "has_comment": [False] * n,
    }
    for k, item in enumerate(ITEMS):
        data[item] = [row[k] for row in scores] if n else []
    return pd.DataFrame(data).astype({i: float for i in ITEMS})


answer = st.one_of(st.none(), st.integers(0, 5)).map(lambda v: np.nan if v is None else float(v))


@st.composite
def system_data(draw):
    k = draw(st.integers(2, 6))
    sizes = [draw(st.integers(0, k + 2)) for _ in GROUPS]
    groups = [g for g, size in zip(GROUPS, sizes, strict=True) for _ in range(size)]
    groups += ["Multiple"] * draw(st.integers(0, 2))
    n = len(groups)
    tenures = [draw(st.sampled_from(["Short", "Long", "Multiple"])) for _ in range(n)]
    scores = [tuple(draw(answer) for _ in ITEMS) for _ in range(n)]
    # Every response answers at least one statement, as ingest guarantees.
    scores = [row if not all(np.isnan(row)) else (3.0, *row[1:]) for row in scores]
    return k, responses("sys", groups, tenures, scores)


def assert_no_leak(name, table, k):
    assert "suppressed" in table.columns, name
    hidden = table[table["suppressed"].astype(bool)]
    for column in set(table.columns) - KEYS[name] - {"suppressed", "suppression"}:
        values = hidden[column]
        blank = values.isna() | (values.astype(str) == "")
        assert blank.all(), (name, column, hidden)
    size = "base" if name == "breakdown_labels" else "n"
    if name in {"breakdown_scores", "breakdown_labels", "profile"}:
        shown = table[~table["suppressed"].astype(bool)]
        assert (shown[size] >= k).all(), (name, shown)


@SETTINGS
@given(system_data())
def test_no_suppressed_value_leaks_from_any_table(data):
    k, frame = data
    system_tables = score.score_system(
        frame,
        score.concat_daily_sums([]),
        INSTRUMENT,
        deadline=dt.date(2018, 1, 31),
        min_group_size=k,
    )
    for name in ("statement_scores", "group_scores", "label_distribution", "comparator",
                 "breakdown_scores", "profile"):  # fmt: skip
        assert_no_leak(name, system_tables[name], k)
    if len(frame) < k:
        assert system_tables["statement_scores"]["suppressed"].all()
        assert system_tables["group_scores"]["suppressed"].all()
    tenure = system_tables["breakdown_scores"]
    assert "Multiple" not in set(tenure[tenure["grouping"] == "tenure"]["group"])
    systems = [System("sys", "Sys", (), 1, "v1", dt.date(2018, 1, 1), dt.date(2018, 1, 31))]
    national = score.score_national(
        frame, systems, INSTRUMENT, census_date=dt.date(2018, 4, 5), min_group_size=k
    )
    for name in ("statement_scores", "group_scores", "label_distribution",
                 "breakdown_scores", "breakdown_labels", "profile"):  # fmt: skip
        assert_no_leak(name, national[name], k)


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=1, max_size=40))
def test_reversing_a_negative_statement_mirrors_its_score(labels):
    # The same label choices scored as a positive and as a negative statement.
    scale = INSTRUMENT.scale
    pos = [np.nan if i is None else scale.score(LABELS[i]) for i in labels]
    neg = [np.nan if i is None else scale.score(LABELS[i], reverse=True) for i in labels]
    rows = [(p, q, 1.0) for p, q in zip(pos, neg, strict=True)]
    frame = responses("sys", ["Alpha"] * len(rows), ["Long"] * len(rows), rows)
    long = score.to_long(frame, INSTRUMENT)
    table = score.statement_scores(long, INSTRUMENT).set_index("item_id")
    assert table.loc["pos", "n"] == table.loc["neg", "n"]
    if table.loc["pos", "n"] == 0:
        assert np.isnan(table.loc["neg", "mean"])
        return
    assert np.isclose(table.loc["neg", "mean"], 5 - table.loc["pos", "mean"])
    assert np.isclose(table.loc["neg", "sd"], table.loc["pos", "sd"], equal_nan=True)
    # Both ways the label shares are the same choices.
    dist = score.label_distribution(long, INSTRUMENT)
    by_label = dist.pivot(index="label", columns="item_id", values="n")
    assert (by_label["pos"] == by_label["neg"]).all()


@SETTINGS
@given(
    st.lists(st.one_of(st.none(), st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0])), min_size=1,
             max_size=30),
    st.randoms(use_true_random=False),
)  # fmt: skip
def test_ranks_are_permutation_consistent_min_ranks(means, rnd):
    values = pd.Series([np.nan if m is None else m for m in means], dtype=float)
    ranks = score.min_rank(values, None, ascending=False)
    for i, value in enumerate(values):
        if np.isnan(value):
            assert np.isnan(ranks[i])
        else:
            # Rank 1 is the highest; ties share the lowest rank.
            assert ranks[i] == 1 + (values > value).sum()
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = score.min_rank(values[order].reset_index(drop=True), None, ascending=False)
    assert np.allclose(shuffled.to_numpy(), ranks[order].to_numpy(), equal_nan=True)


@SETTINGS
@given(system_data(), st.randoms(use_true_random=False))
def test_statement_scores_do_not_depend_on_row_order(data, rnd):
    _, frame = data
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    first = score.statement_scores(score.to_long(frame, INSTRUMENT), INSTRUMENT)
    second = score.statement_scores(score.to_long(shuffled, INSTRUMENT), INSTRUMENT)
    pd.testing.assert_frame_equal(first, second, check_exact=False, rtol=1e-12)


# ---------------------------------------------------------------------------
# Per-target instruments: pooled statements, target cells and not-rated answers

COUNCIL = load_instrument(
    Path(__file__).resolve().parents[2]
    / "tests/fixtures/instruments/council-partner-relationships.yaml"
)
# A cell is a rating (1-4), blank, or an answer that is not a rating.
CELL = st.one_of(st.integers(1, 4), st.none(), st.just("x"))


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=8, max_size=8), min_size=1, max_size=12))
def test_statements_pool_target_cells_and_not_rated_apart(rows: list[list]) -> None:
    """Per item: the statement's n and not_rated are the sums over its targets; each
    respondent's cell is counted once, as a rating, a not-rated answer or a blank."""
    ratings = [r for r in COUNCIL.rating_columns() if r.item_id in COUNCIL.item_ids[:2]]
    data = {
        "system_id": ["s"] * len(rows),
        "submitted_at": pd.Timestamp("2019-05-01"),
        "late": False,
        **{q.id: q.none for q in COUNCIL.questions},
    }
    for rating in COUNCIL.rating_columns():
        data[rating.column] = np.nan
        data[rating.not_rated_column] = False
    frame = pd.DataFrame(data, index=range(len(rows)))
    for i, cells in enumerate(rows):
        for rating, cell in zip(ratings, cells, strict=True):
            if cell == "x":
                frame.loc[i, rating.not_rated_column] = True
            elif cell is not None:
                frame.loc[i, rating.column] = float(cell)
    long = score.to_long(frame, COUNCIL)
    not_rated = score.not_rated_long(frame, COUNCIL)
    statements = score.statement_scores(long, COUNCIL, None, not_rated).set_index("item_id")
    targets = score.target_scores(long, COUNCIL, None, not_rated)
    sums = targets.groupby("item_id", sort=False)[["n", "not_rated"]].sum()
    pd.testing.assert_frame_equal(
        statements[["n", "not_rated"]], sums.loc[statements.index], check_index_type=False
    )
    per_item = len(rows) * len(COUNCIL.targets)
    blanks = [
        sum(1 for cells in rows for r, c in zip(ratings, cells, strict=True)
            if r.item_id == item_id and c is None)
        for item_id in COUNCIL.item_ids[:2]
    ]  # fmt: skip
    for item_id, blank in zip(COUNCIL.item_ids[:2], blanks, strict=True):
        row = statements.loc[item_id]
        answered = sum(1 for r in ratings if r.item_id == item_id) * len(rows)
        assert row["n"] + row["not_rated"] + blank == answered <= per_item
        values = [
            float(c) for cells in rows for r, c in zip(ratings, cells, strict=True)
            if r.item_id == item_id and c not in (None, "x")
        ]  # fmt: skip
        if values:
            assert row["mean"] == pytest.approx(sum(values) / len(values))
