"""Known-answer tests for relaudit.score: every expected value is worked out by hand."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from relaudit import score
from relaudit.config import System
from relaudit.instrument import load_instrument, parse_instrument

ROOT = Path(__file__).resolve().parents[2]
NAN = math.nan
LABELS = [
    "Consistently not true",
    "Rarely true",
    "Sometimes true",
    "Often true",
    "Mostly true",
    "Consistently true",
]


def tiny_instrument():
    """Four items in two frameworks; b1 is negatively worded."""
    return parse_instrument(
        {
            "id": "tiny",
            "versions": ["v1"],
            "columns": {"response_id": "ID", "submitted": "Submitted", "comment_prefix": "Any"},
            "scale": {
                "labels": [{"label": lab, "score": i} for i, lab in enumerate(LABELS)],
                "positive_threshold": 3,
                "midpoint": 2.5,
            },
            "frameworks": [
                {"id": "fw_a", "groupings": {"attribute": ["X", "Y"]}},
                {"id": "fw_b", "groupings": {"domain": ["D1", "D2"]}},
            ],
            "respondent_questions": [
                {"id": "org_type", "prefix": "Org",
                 "options": [{"label": "Alpha"}, {"label": "Beta"}]},
                {"id": "role", "prefix": "Role", "options": [{"label": "Staff"}]},
                {
                    "id": "tenure",
                    "prefix": "Time",
                    "options": [{"label": "Short"}, {"label": "Long"}],
                    "exclude_multiple": True,
                },
            ],
            "items": [
                {"id": "a1", "framework": "fw_a", "position": {"attribute": "X"},
                 "polarity": "positive", "text": {"v1": "Statement a one"}},
                {"id": "a2", "framework": "fw_a", "position": {"attribute": "Y"},
                 "polarity": "positive", "text": {"v1": "Statement a two"}},
                {"id": "b1", "framework": "fw_b", "position": {"domain": "D1"},
                 "polarity": "negative", "text": {"v1": "Statement b one"}},
                {"id": "b2", "framework": "fw_b", "position": {"domain": "D2"},
                 "polarity": "positive", "text": {"v1": "Statement b two"}},
            ],
        }
    )  # fmt: skip


def frame(system_id, rows, *, submitted, late):
    """A clean-responses table in the docs/dataflow.md shape."""
    n = len(rows)
    data = {
        "system_id": [system_id] * n,
        "response_id": [f"{system_id}-{i}" for i in range(n)],
        "source_file": ["export.csv"] * n,
        "row_number": list(range(1, n + 1)),
        "started_at": pd.to_datetime(submitted, format="ISO8601").astype("datetime64[ns]"),
        "submitted_at": pd.to_datetime(submitted, format="ISO8601").astype("datetime64[ns]"),
        "late": late,
        "questionnaire_version": ["v1"] * n,
        "org_type": [r[0] for r in rows],
        "role": ["Staff"] * n,
        "tenure": [r[1] for r in rows],
        "role_other": [""] * n,
        "has_comment": [i % 2 == 0 for i in range(n)],
        "comment": [""] * n,
    }
    for k, item in enumerate(["a1", "a2", "b1", "b2"]):
        data[item] = [float(r[2 + k]) for r in rows]
    return pd.DataFrame(data)


# Own system: six on-time respondents (scores after reverse scoring) and one
# late respondent who must not reach the per-system tables.
OWN_ROWS = [
    # org_type, tenure, a1, a2, b1, b2
    ("Alpha", "Short", 5, 3, 1, 4),
    ("Alpha", "Long", 4, 3, 2, NAN),
    ("Alpha", "Multiple", 3, 2, 0, 4),
    ("Beta", "Long", 2, 3, 5, 1),
    ("Beta", "Long", 1, 4, NAN, NAN),
    ("Beta", "Short", 3, 3, 2, 3),
    ("Beta", "Long", 0, 0, 0, 0),  # late
]
OWN = frame(
    "own",
    OWN_ROWS,
    submitted=["2017-10-01 09:00"] * 6 + ["2017-10-09 09:00"],
    late=[False] * 6 + [True],
)
# Another system: four rows by the cutoff (one of them late for its own
# system, still in the comparator) and one after it (left out).
OTHER_ROWS = [
    ("Alpha", "Long", 1, 1, 5, 3),
    ("Beta", "Long", 2, 1, 5, 3),
    ("Alpha", "Long", 2, 2, 4, 3),
    ("Beta", "Short", 3, 2, 4, 3),
    ("Beta", "Short", 5, 5, 0, 0),  # submitted the day after the cutoff
]
OTHER = frame(
    "other",
    OTHER_ROWS,
    submitted=[
        "2017-09-01 10:00",
        "2017-09-02 10:00",
        "2017-09-03 10:00",
        "2017-10-06 23:59:59",
        "2017-10-07 00:00:00",
    ],
    late=[False, False, False, True, True],
)
DEADLINE = dt.date(2017, 10, 6)
# What the other system's ingest writes for the comparators of others.
OTHER_SUMS = score.daily_sums(OTHER, tiny_instrument())

# t quantiles from printed tables (two-sided 95%).
T_3, T_4, T_5 = 3.182446, 2.776445, 2.570582


@pytest.fixture(scope="module")
def tables():
    return score.score_system(
        OWN, OTHER_SUMS, tiny_instrument(), deadline=DEADLINE, min_group_size=3
    )


def row(table, column, value):
    match = table[table[column] == value]
    assert len(match) == 1, (column, value, table)
    return match.iloc[0]


# ---------------------------------------------------------------------------
# t quantiles


# Two-sided 95% critical values, t(0.975, df), from printed tables (e.g. NIST/SEMATECH
# e-Handbook 1.3.6.7.2; Fisher & Yates); df = inf is the normal 1.960.
@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (10, 2.228),
     (20, 2.086), (30, 2.042), (60, 2.000), (100, 1.984), (1e6, 1.960), (math.inf, 1.960)],
)  # fmt: skip
def test_t_quantile_matches_printed_tables(df, expected):
    assert score.t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_t_quantile_other_levels_and_symmetry():
    # t(0.995, 4) = 4.604, t(0.95, 20) = 1.725 and t(0.99, 10) = 2.764 in printed tables.
    assert score.t_quantile(0.995, 4) == pytest.approx(4.604, abs=5e-4)
    assert score.t_quantile(0.95, 20) == pytest.approx(1.725, abs=5e-4)
    assert score.t_quantile(0.99, 10) == pytest.approx(2.764, abs=5e-4)
    assert score.t_quantile(0.025, 10) == pytest.approx(-2.228, abs=5e-4)
    assert score.t_quantile(0.5, 7) == 0.0
    # Fractional df (Welch) lie between their integer neighbours: t(0.975, 7) = 2.365, 8: 2.306.
    assert 2.306 < score.t_quantile(0.975, 7.5) < 2.365
    # df 1 is the Cauchy distribution: t = tan(pi (p - 1/2)) exactly.
    assert score.t_quantile(0.9, 1) == pytest.approx(math.tan(math.pi * 0.4), rel=1e-12)


def test_t_critical_per_df_with_nan_where_undefined():
    crit = score._t_critical(np.array([10.0, 0.0, np.nan, 2.0, -1.0, 10.0]))
    assert crit[0] == pytest.approx(2.228, abs=5e-4)
    assert crit[3] == pytest.approx(4.303, abs=5e-4)
    assert crit[5] == crit[0]
    assert np.isnan(crit[[1, 2, 4]]).all()


def test_t_quantile_rejects_bad_arguments():
    with pytest.raises(ValueError):
        score.t_quantile(1.0, 5)
    with pytest.raises(ValueError):
        score.t_quantile(0.9, 0)


# ---------------------------------------------------------------------------
# Statement scores


def test_statement_scores_known_answer(tables):
    st = tables["statement_scores"]
    assert list(st["item_id"]) == ["a1", "a2", "b1", "b2"]
    # a1 = 5,4,3,2,1,3 (late row left out): n 6, sum 18, mean 3.
    # deviations 2,1,0,-1,-2,0 -> SS 10 -> var 10/5 = 2 -> sd sqrt(2) = 1.414214.
    # half width t(0.975, 5) * sqrt(2)/sqrt(6) = 2.570582 * 0.577350 = 1.484120.
    # positive (>= 3): 5,4,3,3 -> 4/6 = 66.6667 %.
    a1 = row(st, "item_id", "a1")
    assert (a1["n"], a1["mean"]) == (6, 3)
    assert a1["sd"] == pytest.approx(1.414214, abs=1e-6)
    assert a1["ci_low"] == pytest.approx(3 - 1.484120, abs=1e-5)
    assert a1["ci_high"] == pytest.approx(3 + 1.484120, abs=1e-5)
    assert a1["pct_positive"] == pytest.approx(66.6667, abs=1e-4)
    assert a1["framework"] == "fw_a"
    # a2 = 3,3,2,3,4,3: mean 3; SS 2 -> var 0.4 -> sd 0.632456;
    # half 2.570582 * sqrt(0.4/6) = 2.570582 * 0.258199 = 0.663722; positive 5/6.
    a2 = row(st, "item_id", "a2")
    assert a2["sd"] == pytest.approx(0.632456, abs=1e-6)
    assert a2["ci_low"] == pytest.approx(3 - 0.663722, abs=1e-5)
    assert a2["pct_positive"] == pytest.approx(83.3333, abs=1e-4)
    # b1 (negative, already reverse scored) = 1,2,0,5,2: n 5, mean 2;
    # SS 1+0+4+9+0 = 14 -> var 3.5 -> sd 1.870829;
    # half 2.776445 * sqrt(0.7) = 2.776445 * 0.836660 = 2.322941;
    # positive: only the 5 -> 1/5 = 20 %.
    b1 = row(st, "item_id", "b1")
    assert (b1["n"], b1["mean"]) == (5, 2)
    assert b1["sd"] == pytest.approx(1.870829, abs=1e-6)
    assert b1["ci_low"] == pytest.approx(2 - 2.322941, abs=1e-5)
    assert b1["ci_high"] == pytest.approx(2 + 2.322941, abs=1e-5)
    assert b1["pct_positive"] == pytest.approx(20.0)
    # b2 = 4,4,1,3: n 4, mean 3; SS 1+1+4+0 = 6 -> var 2 -> sd 1.414214;
    # half 3.182446 * sqrt(2/4) = 2.250324; positive 3/4 = 75 %.
    b2 = row(st, "item_id", "b2")
    assert (b2["n"], b2["mean"]) == (4, 3)
    assert b2["ci_high"] == pytest.approx(3 + 2.250324, abs=1e-5)
    assert b2["pct_positive"] == pytest.approx(75.0)
    # Means 3, 3, 2, 3: the three tied at 3 share rank 1, b1 is 4th ("min").
    assert list(st["rank"]) == [1, 1, 4, 1]
    assert not st["suppressed"].any()


def test_interval_blank_when_fewer_than_two():
    instrument = tiny_instrument()
    one = OWN.iloc[[0]].reset_index(drop=True)
    st = score.score_system(one, OTHER_SUMS, instrument, deadline=DEADLINE, min_group_size=1)[
        "statement_scores"
    ]
    assert st["n"].tolist() == [1, 1, 1, 1]
    assert st["ci_low"].isna().all() and st["ci_high"].isna().all()
    assert st["sd"].isna().all()


def test_group_scores_are_unweighted_means_of_statement_means(tables):
    gs = tables["group_scores"].set_index(["grouping", "group"])["mean"]
    assert gs[("attribute", "X")] == 3  # a1
    assert gs[("attribute", "Y")] == 3  # a2
    assert gs[("domain", "D1")] == 2  # b1
    assert gs[("domain", "D2")] == 3  # b2
    assert gs[("framework", "fw_a")] == 3  # (3 + 3) / 2
    # (2 + 3) / 2 = 2.5, not the pooled (10 + 12) / 9 = 2.444.
    assert gs[("framework", "fw_b")] == 2.5


def test_label_distribution_reconstructs_negative_labels(tables):
    ld = tables["label_distribution"]
    assert len(ld) == 4 * 6
    b1 = ld[ld["item_id"] == "b1"].set_index("label")
    # Negative item: "Consistently not true" scores 5, "Consistently true" 0.
    # b1 scores 1,2,0,5,2 (n 5): 5 -> 1 (20 %), 2 -> 2 (40 %), 1 -> 1, 0 -> 1.
    assert b1.loc["Consistently not true", "score"] == 5
    assert b1.loc["Consistently not true", "n"] == 1
    assert b1.loc["Often true", "score"] == 2
    assert b1.loc["Often true", "pct"] == pytest.approx(40.0)
    assert b1.loc["Mostly true", "pct"] == pytest.approx(20.0)
    assert b1.loc["Consistently true", "pct"] == pytest.approx(20.0)
    assert b1.loc["Rarely true", "n"] == 0
    a1 = ld[ld["item_id"] == "a1"].set_index("label")
    assert a1.loc["Consistently true", "score"] == 5
    assert a1.loc["Often true", "n"] == 2  # the two 3s


# ---------------------------------------------------------------------------
# Breakdowns, profile, suppression


def test_breakdown_scores_known_answer(tables):
    bd = tables["breakdown_scores"]
    org = bd[bd["grouping"] == "org_type"].set_index(["group", "measure"])
    # Alpha a1 = 5,4,3: mean 4, all positive. Beta a1 = 2,1,3: mean 2, 1/3 positive.
    assert org.loc[("Alpha", "a1"), "mean"] == 4
    assert org.loc[("Alpha", "a1"), "pct_positive"] == 100
    assert org.loc[("Beta", "a1"), "mean"] == 2
    assert org.loc[("Beta", "a1"), "pct_positive"] == pytest.approx(33.3333, abs=1e-4)
    # a2: Alpha 3,3,2 -> 2.666667; Beta 3,4,3 -> 3.333333.
    assert org.loc[("Alpha", "a2"), "mean"] == pytest.approx(2.666667, abs=1e-6)
    # Framework fw_a: Alpha (4 + 2.666667)/2 = 3.333333, pct (100 + 66.6667)/2 = 83.3333.
    assert org.loc[("Alpha", "fw_a"), "mean"] == pytest.approx(3.333333, abs=1e-6)
    assert org.loc[("Alpha", "fw_a"), "pct_positive"] == pytest.approx(83.3333, abs=1e-4)
    assert org.loc[("Alpha", "fw_a"), "n"] == 3
    # Beta b1 has 2 answers (< 3): hidden; Alpha b1 (n 3) is then the only other
    # non-empty cell, so it is hidden too (else Beta = total - Alpha).
    for group in ("Alpha", "Beta"):
        for measure in ("b1", "b2", "fw_b"):
            cell = org.loc[(group, measure)]
            assert bool(cell["suppressed"])
            assert pd.isna(cell["n"]) and pd.isna(cell["mean"]) and pd.isna(cell["pct_positive"])
    # Empty groups are listed and suppressed.
    assert bool(org.loc[("Multiple", "a1"), "suppressed"])
    # Tenure leaves out Multiple respondents.
    tenure = bd[bd["grouping"] == "tenure"]
    assert "Multiple" not in set(tenure["group"])
    # Short a1 = 5,3 (n 2) is hidden. The one Multiple respondent is in no
    # tenure group, so total - Long = Short + Multiple = 2 + 1 = 3 answers
    # together: k (3) or more, so Long a1 = 4,2,1 (n 3, mean 7/3) stays shown.
    long_a1 = tenure[(tenure["group"] == "Long") & (tenure["measure"] == "a1")].iloc[0]
    assert not bool(long_a1["suppressed"])
    assert long_a1["mean"] == pytest.approx(2.333333, abs=1e-6)
    assert tenure.loc[tenure["group"] == "Short", "suppression"].iloc[0] == "small"
    # Role: everyone is Staff, so Staff a1 is the whole system: n 6, mean 3.
    staff = bd[(bd["grouping"] == "role") & (bd["group"] == "Staff")].set_index("measure")
    assert (staff.loc["a1", "n"], staff.loc["a1", "mean"]) == (6, 3)
    # Staff fw_b = (2 + 3) / 2 = 2.5; its n counts everyone who answered b1 or b2 (5).
    assert (staff.loc["fw_b", "n"], staff.loc["fw_b", "mean"]) == (5, 2.5)


def test_breakdown_sd_of_statement_cells_only(tables):
    org = tables["breakdown_scores"]
    org = org[org["grouping"] == "org_type"].set_index(["group", "measure"])
    # Alpha a1 = 5,4,3: squares of deviations 1+0+1 = 2, / (3 - 1) = 1 -> sd 1.
    assert org.loc[("Alpha", "a1"), "sd"] == pytest.approx(1.0)
    # Alpha a2 = 3,3,2: mean 8/3, deviations 1/3,1/3,-2/3 -> 6/9 / 2 = 1/3 -> sd 0.577350.
    assert org.loc[("Alpha", "a2"), "sd"] == pytest.approx(0.577350, abs=1e-6)
    # A framework cell averages statement means: no sd. A hidden cell shows none.
    assert pd.isna(org.loc[("Alpha", "fw_a"), "sd"])
    assert pd.isna(org.loc[("Alpha", "b1"), "sd"])
    assert list(tables["breakdown_scores"].columns)[-1] == "sd"


def test_group_interval_averages_the_statement_intervals(tables):
    gs = tables["group_scores"].set_index(["grouping", "group"])
    # b1 = 1,2,0,5,2: mean 2, sd sqrt(14/4) = 1.870829, half T_4 * sd / sqrt(5) = 2.322940.
    assert gs.loc[("domain", "D1"), "ci_low"] == pytest.approx(2 - 2.322940, abs=1e-5)
    assert gs.loc[("domain", "D1"), "ci_high"] == pytest.approx(2 + 2.322940, abs=1e-5)
    # b2 = 4,4,1,3: mean 3, sd sqrt(6/3) = 1.414214, half T_3 * sd / 2 = 2.250316.
    # fw_b averages the two: low (-0.322940 + 0.749684) / 2, high (4.322940 + 5.250316) / 2.
    assert gs.loc[("framework", "fw_b"), "ci_low"] == pytest.approx(0.213372, abs=1e-5)
    assert gs.loc[("framework", "fw_b"), "ci_high"] == pytest.approx(4.786628, abs=1e-5)


def test_pool_consistency_ranks_the_comparator_systems(tables):
    pool = tables["pool_consistency"].set_index("item_id")
    # The other system by the cutoff: 4 responses (>= 3); a1 1,2,2,3 -> 2; a2 1,1,2,2 -> 1.5;
    # b1 5,5,4,4 -> 4.5; b2 3,3,3,3 -> 3. Four statements: each in its top and bottom five.
    assert pool["systems"].tolist() == [1, 1, 1, 1]
    assert pool["top5"].tolist() == [1, 1, 1, 1]
    assert pool["bottom5"].tolist() == [1, 1, 1, 1]
    # Lowest of fw_a: a2 (1.5 < 2); of fw_b: b2 (3 < 4.5).
    assert pool["worst_in_framework"].to_dict() == {"a1": 0, "a2": 1, "b1": 0, "b2": 1}


def test_pool_consistency_ranks_no_small_system_and_none_without_comparator():
    # min_group_size 5: the other system has 4 responses in the pool, so no rank.
    small = score.score_system(
        OWN, OTHER_SUMS, tiny_instrument(), deadline=DEADLINE, min_group_size=5
    )["pool_consistency"]
    assert small["systems"].tolist() == [0, 0, 0, 0]
    first = score.score_system(
        OWN, OTHER_SUMS, tiny_instrument(), deadline=DEADLINE, min_group_size=3,
        has_comparator=False,
    )["pool_consistency"]  # fmt: skip
    assert first[["systems", "top5", "bottom5", "worst_in_framework"]].sum().sum() == 0
    assert first["item_id"].tolist() == ["a1", "a2", "b1", "b2"]


def test_profile_counts_and_suppression(tables):
    pf = tables["profile"]
    org = pf[pf["question"] == "org_type"].set_index("group")
    assert list(org.index) == ["Alpha", "Beta", "Multiple", "Did not answer"]
    assert org.loc["Alpha", "n"] == 3 and org.loc["Alpha", "pct"] == 50
    assert bool(org.loc["Multiple", "suppressed"]) and pd.isna(org.loc["Multiple", "n"])
    tenure = pf[pf["question"] == "tenure"].set_index("group")
    # Short 2, Long 3, Multiple 1: Short and Multiple are under 3 -> hidden.
    assert tenure.loc["Long", "n"] == 3
    assert bool(tenure.loc["Short", "suppressed"]) and bool(tenure.loc["Multiple", "suppressed"])


def test_small_system_statement_tables_are_suppressed():
    out = score.score_system(
        OWN, OTHER_SUMS, tiny_instrument(), deadline=DEADLINE, min_group_size=7
    )
    for name in ("statement_scores", "group_scores", "label_distribution", "comparator"):
        table = out[name]
        assert table["suppressed"].all(), name
        numbers = table.drop(columns=["suppressed", "score"], errors="ignore").select_dtypes(
            "number"
        )
        assert numbers.isna().all().all(), name
    assert (out["comparator"]["flag"] == "").all()
    assert out["breakdown_scores"]["suppressed"].all()


# ---------------------------------------------------------------------------
# Comparator


def test_comparator_known_answer(tables):
    comp = tables["comparator"].set_index("item_id")
    summary = tables["comparator_summary"].iloc[0]
    # Four rows by the end of 6 Oct (one late for its own system); the row of 7 Oct is out.
    assert summary["responses"] == 4
    assert summary["systems"] == "other" and summary["n_systems"] == 1
    assert summary["note"] == ""
    # a1: own mean 3, var 2, n 6; comparator 1,2,2,3: mean 2, var 2/3, n 4.
    # v1 = 2/6 = 1/3, v2 = (2/3)/4 = 1/6; se = sqrt(1/2) = 0.707107.
    # df = (1/2)^2 / ((1/3)^2/5 + (1/6)^2/3) = (1/4) / (17/540) = 135/17 = 7.941176.
    # t(0.975, 7.94) lies between t(8) = 2.306004 and t(7) = 2.364624, so the
    # half width lies between 1.630588 and 1.672039: interval contains 0.
    a1 = comp.loc["a1"]
    assert (a1["mean"], a1["comparator_mean"], a1["diff"]) == (3, 2, 1)
    assert a1["comparator_n"] == 4
    assert a1["df"] == pytest.approx(135 / 17, abs=1e-9)
    assert 1.630588 < a1["diff_ci_high"] - 1 < 1.672039
    assert a1["diff_ci_low"] == pytest.approx(2 - a1["diff_ci_high"])
    assert a1["flag"] == "similar"
    # a2: own mean 3, var 0.4; comparator 1,1,2,2: mean 1.5, var 1/3.
    # v1 = 1/15, v2 = 1/12, se = sqrt(0.15) = 0.387298;
    # df = 0.0225 / (1/1125 + 1/432) = 10935/1557 = 7.023121; half < 2.3647 * 0.3873 = 0.9159,
    # so the interval lies above 1.5 - 0.92 > 0: higher.
    a2 = comp.loc["a2"]
    assert a2["diff"] == 1.5
    assert a2["df"] == pytest.approx(10935 / 1557, abs=1e-9)
    assert a2["flag"] == "higher"
    # b1: own mean 2 (var 3.5, n 5); comparator 5,5,4,4: mean 4.5 (var 1/3, n 4): lower.
    assert comp.loc["b1", "diff"] == -2.5
    assert comp.loc["b1", "flag"] == "lower"
    # b2: own var 2, n 4; comparator 3,3,3,3 has var 0 -> df = 3 exactly,
    # half = t(0.975, 3) * sqrt(2/4) = 2.250324, diff 0: similar.
    b2 = comp.loc["b2"]
    assert b2["df"] == pytest.approx(3)
    assert b2["diff_ci_low"] == pytest.approx(-2.250324, abs=1e-5)
    assert b2["flag"] == "similar"


def test_first_system_has_no_comparator():
    comp, summary = score.comparator(
        OWN[~OWN["late"]], OTHER_SUMS, tiny_instrument(), DEADLINE, has_comparator=False
    )
    assert (comp["flag"] == "no_comparator").all()
    assert comp[["comparator_mean", "diff", "diff_ci_low", "diff_ci_high"]].isna().all().all()
    assert summary.iloc[0]["responses"] == 0
    assert "first system" in summary.iloc[0]["note"]


def test_no_other_system_data_gives_no_comparator():
    # A system later in review order, but nothing from any other system yet.
    comp, summary = score.comparator(
        OWN[~OWN["late"]], score.concat_daily_sums([]), tiny_instrument(), DEADLINE
    )
    assert (comp["flag"] == "no_comparator").all()
    assert summary.iloc[0]["note"] == "no responses from other systems by the cutoff"
    early = OTHER.assign(submitted_at=pd.Timestamp("2017-12-01"))  # all after the cutoff
    early_sums = score.daily_sums(early, tiny_instrument())
    comp, summary = score.comparator(OWN[~OWN["late"]], early_sums, tiny_instrument(), DEADLINE)
    assert summary.iloc[0]["responses"] == 0 and (comp["flag"] == "no_comparator").all()


def test_daily_sums_known_answer():
    # OTHER by hand: five days with one response each. a1 on 2017-09-01 is 1
    # (n 1, sum 1, squares 1); on 2017-10-07 it is 5 (sum 5, squares 25).
    sums = OTHER_SUMS.set_index(["day", "item_id"])
    assert list(OTHER_SUMS.columns) == score.DAILY_SUM_COLUMNS
    assert len(OTHER_SUMS) == 5 * 4
    assert set(OTHER_SUMS["system_id"]) == {"other"}
    assert (OTHER_SUMS["responses"] == 1).all()
    first = sums.loc[(pd.Timestamp("2017-09-01"), "a1")]
    assert (first["n"], first["total"], first["squares"]) == (1, 1.0, 1.0)
    last = sums.loc[(pd.Timestamp("2017-10-07"), "a1")]
    assert (last["n"], last["total"], last["squares"]) == (1, 5.0, 25.0)
    # 23:59:59 on the cutoff day belongs to that day.
    assert pd.Timestamp("2017-10-06") in set(OTHER_SUMS["day"])


def test_daily_sums_count_blank_ratings_and_whole_days():
    # Two responses on one day; one leaves b1 blank: n 1 for b1, responses 2.
    rows = [("Alpha", "Long", 1, 2, NAN, 4), ("Beta", "Long", 3, 4, 2, 0)]
    data = frame("x", rows, submitted=["2018-01-02 08:00", "2018-01-02 17:30"], late=[False] * 2)
    sums = score.daily_sums(data, tiny_instrument()).set_index("item_id")
    assert sums.loc["b1", "n"] == 1 and sums.loc["b1", "total"] == 2.0
    assert sums.loc["a1", "n"] == 2 and sums.loc["a1", "squares"] == 1.0 + 9.0
    assert (sums["responses"] == 2).all()


def test_comparator_of_stacked_sums_equals_sums_of_all_rows():
    # Two systems' sums, each written by its own ingest and stacked, give the
    # same comparator as the sums of their responses taken together.
    rows = [("Alpha", "Long", 4, 4, 4, 4), ("Beta", "Short", 0, 1, 2, 3)]
    third = frame("third", rows, submitted=["2017-09-05 12:00"] * 2, late=[False] * 2)
    instrument = tiny_instrument()
    own = OWN[~OWN["late"]]
    together = score.daily_sums(pd.concat([OTHER, third], ignore_index=True), instrument)
    from_rows = score.comparator(own, together, instrument, DEADLINE)
    stacked = score.concat_daily_sums([OTHER_SUMS, score.daily_sums(third, instrument)])
    from_sums = score.comparator(own, stacked, instrument, DEADLINE)
    pd.testing.assert_frame_equal(from_rows[0], from_sums[0])
    pd.testing.assert_frame_equal(from_rows[1], from_sums[1])
    assert from_sums[1].iloc[0]["responses"] == 6  # 4 of OTHER by the cutoff, 2 of third
    assert from_sums[1].iloc[0]["systems"] == "other;third"


def test_welch_interval_vectorised():
    # Equal variances 1 and n 10 each: se = sqrt(0.2); df = 0.04 / (2 * 0.01 / 9) = 18.
    diff, low, high, df = score.welch_interval([1.0], [1.0], [10], [0.0], [1.0], [10])
    assert low[0] == pytest.approx(2 - high[0])
    assert df[0] == pytest.approx(18)
    # t(0.975, 18) = 2.100922 -> half 0.939559.
    assert high[0] - diff[0] == pytest.approx(2.100922 * math.sqrt(0.2), abs=1e-5)


# ---------------------------------------------------------------------------
# National


def national_tables(min_group_size=3):
    systems = [
        System("own", "Own", (), 2, "v1", dt.date(2017, 9, 20), DEADLINE, 30),
        System("other", "Other & Co", (), 1, "v1", dt.date(2017, 8, 20), dt.date(2017, 9, 2), 20),
        System("empty", "Empty", (), 3, "v1", dt.date(2017, 11, 1), dt.date(2017, 11, 9)),
    ]
    responses = pd.concat([OWN, OTHER], ignore_index=True)
    return score.score_national(
        responses,
        systems,
        tiny_instrument(),
        census_date=dt.date(2017, 10, 6),
        min_group_size=min_group_size,
    )


def test_national_scopes_and_summary():
    out = national_tables()
    st = out["statement_scores"]
    # Review order: other (1) before own (2); empty has no data and no scope.
    assert list(dict.fromkeys(st["scope"])) == ["national", "other", "own"]
    # To the census (6 Oct) other has 3 on-time rows and 1 late row (a1 = 3).
    # One late answer is 1 to k - 1 (k = 3): other's scope uses its on-time
    # rows only (its pack's set), and the late row, alone outside every
    # system scope, would be national minus the systems, so it is left out
    # of the national scope too: own 5,4,3,2,1,3 (sum 18) + other 1,2,2
    # (sum 5) = 23 / 9 = 2.555556.
    nat_a1 = st[(st["scope"] == "national") & (st["item_id"] == "a1")].iloc[0]
    assert nat_a1["n"] == 9 and nat_a1["mean"] == pytest.approx(23 / 9)
    other_a1 = st[(st["scope"] == "other") & (st["item_id"] == "a1")].iloc[0]
    assert other_a1["n"] == 3 and other_a1["mean"] == pytest.approx(5 / 3)
    basis = out["scope_basis"].set_index("system_id")
    assert basis.loc["other", "scope_basis"] == score.ON_TIME_ONLY
    assert basis.loc["other", ["responses", "late", "scope_responses", "answers_left_out"]].tolist(
    ) == [4, 1, 3, 4]  # fmt: skip
    assert basis.loc["own", "scope_basis"] == score.ALL_KEPT
    # With k = 1 nothing is small: the late row counts everywhere,
    # 18 + (1 + 2 + 2 + 3) = 26 / 10 = 2.6.
    st1 = national_tables(min_group_size=1)["statement_scores"]
    nat1 = st1[(st1["scope"] == "national") & (st1["item_id"] == "a1")].iloc[0]
    assert (nat1["n"], nat1["mean"]) == (10, 2.6)
    rs = out["response_summary"].set_index("system_id")
    assert list(rs.index) == ["other", "own", "empty"]
    # other: 4 by the census, of which 1 late; free text on rows 0 and 2.
    assert rs.loc["other", ["responses", "on_time", "late", "free_text"]].tolist() == [4, 3, 1, 2]
    assert rs.loc["own", ["responses", "on_time", "late", "free_text"]].tolist() == [6, 6, 0, 3]
    assert rs.loc["empty", "responses"] == 0 and pd.isna(rs.loc["empty", "sent_to"])
    assert rs.loc["other", "name"] == "Other & Co"


def test_consistency_counts():
    out = national_tables(min_group_size=1)
    cons = out["consistency"].set_index("item_id")
    # own means a1 3, a2 3, b1 2, b2 3; other a1 2, a2 1.5, b1 4.5, b2 3.
    # With 4 statements every one is in every top and bottom five.
    assert cons["systems"].tolist() == [2, 2, 2, 2]
    assert cons["top5"].tolist() == [2, 2, 2, 2]
    # Worst in framework: own fw_a a1 = a2 = 3 (tie: both), fw_b b1 (2 < 3);
    # other fw_a a2 (1.5 < 2), fw_b b2 (3 < 4.5).
    assert cons["worst_in_framework"].to_dict() == {"a1": 1, "a2": 2, "b1": 1, "b2": 1}


def test_national_breakdown_labels_use_base_size():
    out = national_tables(min_group_size=5)
    bl = out["breakdown_labels"]
    assert len(bl[bl["grouping"] == "org_type"]) == 4 * 4 * 6  # groups x items x labels
    hidden = bl[bl["suppressed"]]
    assert hidden[["n", "pct", "base"]].isna().all().all()
    shown = bl[~bl["suppressed"]]
    assert (shown["base"] >= 5).all()


# ---------------------------------------------------------------------------
# Generic instruments


COUNCIL = load_instrument(ROOT / "tests/fixtures/instruments/council-partner-relationships.yaml")
# Worked by hand: six providers rate replies_promptly for the first two
# departments; "x" is an answer that is not a rating ("No contact" or 0).
COUNCIL_RATINGS = [(4, 2), (3, "x"), (1, None), ("x", 4), (2, 3), (4, 4)]


def council_responses() -> pd.DataFrame:
    ratings = COUNCIL.rating_columns()
    first, second = COUNCIL.targets[:2]
    rows = []
    for number, pair in enumerate(COUNCIL_RATINGS):
        row = {
            "system_id": "council",
            "response_id": f"P{number}",
            "submitted_at": pd.Timestamp("2019-05-01 10:00"),
            "late": False,
            "has_comment": False,
            **{q.id: q.reported_groups[number % 2] for q in COUNCIL.questions},
        }
        for rating in ratings:
            row[rating.column] = NAN
            row[rating.not_rated_column] = False
        for target, value in zip((first, second), pair, strict=True):
            rating = next(
                r for r in ratings if r.item_id == "replies_promptly" and r.target == target
            )
            if value == "x":
                row[rating.not_rated_column] = True
            elif value is not None:
                row[rating.column] = float(value)
        rows.append(row)
    return pd.DataFrame(rows)


def test_rating_columns_map_items_and_targets_once():
    ratings = COUNCIL.rating_columns()
    assert len(ratings) == len(COUNCIL.item_ids) * len(COUNCIL.targets)
    assert len({r.column for r in ratings}) == len(ratings)
    assert {(r.item_id, r.target) for r in ratings} == {
        (i, t) for i in COUNCIL.item_ids for t in COUNCIL.targets
    }


def test_long_table_carries_item_and_target_columns():
    long = score.to_long(council_responses(), COUNCIL)
    assert list(long.columns) == ["row", "item_id", "target", "score"]
    assert set(long["item_id"].astype(str)) == {"replies_promptly"}
    by_target = long.groupby("target", observed=True)["score"].apply(sorted).to_dict()
    first, second = COUNCIL.targets[:2]
    assert by_target == {first: [1, 2, 3, 4, 4], second: [2, 3, 4, 4]}
    not_rated = score.not_rated_long(council_responses(), COUNCIL)
    assert sorted(zip(not_rated["row"], not_rated["target"].astype(str), strict=True)) == [
        (1, second),
        (3, first),
    ]


def test_cqc_long_table_has_one_blank_target():
    long = score.to_long(OWN, tiny_instrument())
    assert set(long["target"].astype(str)) == {""}
    assert score.not_rated_long(OWN, tiny_instrument()) is None


def test_per_target_statements_pool_targets_and_count_not_rated():
    out = score.score_system(
        council_responses(),
        score.concat_daily_sums([]),
        COUNCIL,
        deadline=dt.date(2019, 5, 2),
        min_group_size=5,
    )
    st = out["statement_scores"].set_index("item_id")
    assert list(st.index) == COUNCIL.item_ids  # one row per statement
    assert list(st.columns[:4]) == ["framework", "n", "not_rated", "mean"]
    row = st.loc["replies_promptly"]
    # 4,3,1,2,4 and 2,4,3,4: 9 ratings, sum 27; squares about 3 sum to 10.
    assert row["n"] == 9 and row["not_rated"] == 2
    assert row["mean"] == pytest.approx(3.0)
    assert row["sd"] == pytest.approx(math.sqrt(10 / 8))
    assert row["pct_positive"] == pytest.approx(600 / 9)
    assert st.drop(index="replies_promptly")["suppressed"].all()

    targets = out["target_scores"]
    first, second = COUNCIL.targets[:2]
    assert len(targets) == len(COUNCIL.item_ids) * len(COUNCIL.targets)
    cell = targets.set_index(["item_id", "target"]).loc[("replies_promptly", first)]
    assert cell["n"] == 5 and cell["not_rated"] == 1
    assert cell["mean"] == pytest.approx(2.8) and cell["pct_positive"] == pytest.approx(60.0)
    assert not cell["suppressed"]
    small = targets.set_index(["item_id", "target"]).loc[("replies_promptly", second)]
    assert small["suppressed"] and math.isnan(small["mean"])  # 4 ratings < 5


def test_per_target_breakdowns_hide_by_people_not_ratings():
    # Three home care providers each rate all four departments: 12 ratings but
    # 3 people, so the cell is hidden at k = 5, and with it (3 hidden is too
    # few) the smallest shown type, supported living (5); residential (6) shows.
    ratings = [r for r in COUNCIL.rating_columns() if r.item_id == "replies_promptly"]
    rows = []
    types = ["Home care"] * 3 + ["Supported living"] * 5 + ["Residential care"] * 6
    for kind in types:
        row = {
            "system_id": "council",
            "submitted_at": pd.Timestamp("2019-05-01"),
            "late": False,
            "has_comment": False,
            "provider_type": kind,
            "provider_size": "Small",
        }
        for rating in COUNCIL.rating_columns():
            row[rating.column] = 3.0 if rating in ratings else NAN
            row[rating.not_rated_column] = False
        rows.append(row)
    frame = pd.DataFrame(rows)
    table = score.breakdown_scores(frame, score.to_long(frame, COUNCIL), COUNCIL, 5)
    cells = table[(table["grouping"] == "provider_type") & (table["measure"] == "replies_promptly")]
    cells = cells.set_index("group")
    assert cells.loc["Home care", "suppression"] == "small"  # 12 ratings, 3 people
    assert cells.loc["Supported living", "suppression"] == "secondary"
    assert not cells.loc["Residential care", "suppressed"]
    assert cells.loc["Residential care", "n"] == 24  # n counts ratings: 6 people x 4


def test_per_target_daily_sums_pool_targets():
    sums = score.daily_sums(council_responses(), COUNCIL).set_index("item_id")
    row = sums.loc["replies_promptly"]
    assert (row["responses"], row["n"], row["total"], row["squares"]) == (6, 9, 27.0, 91.0)
    assert (sums.drop(index="replies_promptly")["n"] == 0).all()


def test_cqc_statement_tables_have_no_not_rated_column():
    out = score.score_system(
        OWN, score.concat_daily_sums([]), tiny_instrument(),
        deadline=DEADLINE, min_group_size=5,
    )  # fmt: skip
    assert "not_rated" not in out["statement_scores"].columns
    assert "target_scores" not in out


# ---------------------------------------------------------------------------
# Contract, determinism and the Snakemake rules

SYSTEM_CONTRACT = {
    "statement_scores": "item_id framework n mean sd ci_low ci_high pct_positive rank",
    "group_scores": "grouping group mean",
    "label_distribution": "item_id label score n pct",
    "comparator": "item_id n mean comparator_n comparator_mean diff diff_ci_low diff_ci_high flag",
    "comparator_summary": "systems n_systems responses cutoff note",
    "breakdown_scores": "grouping group measure n mean pct_positive suppressed suppression",
    "profile": "question group n pct suppressed suppression",
    "pool_consistency": "item_id framework systems top5 bottom5 worst_in_framework",
    "group_gaps": "grouping measure high_group high_mean high_sd high_n low_group low_mean "
    "low_sd low_n gap gap_ci_low gap_ci_high supported",
}
NATIONAL_CONTRACT = {
    "statement_scores": "scope item_id framework n mean sd ci_low ci_high pct_positive rank",
    "group_scores": "scope grouping group mean",
    "response_summary": "system_id name review_order questionnaire_version sent_to responses "
    "free_text on_time late",
    "label_distribution": "item_id label score n pct",
    "breakdown_scores": "grouping group measure n mean pct_positive suppressed suppression",
    "breakdown_labels": "grouping group item_id label score n pct suppressed suppression",
    "consistency": "item_id framework systems top5 bottom5 worst_in_framework",
    "profile": "question group n pct suppressed suppression",
    # Audit tier: which responses each national scope counts.
    "scope_basis": "system_id responses late scope_basis scope_responses answers_left_out",
}


def contract_holds(tables, contract):
    assert set(tables) == set(contract)
    for name, columns in contract.items():
        header = list(tables[name].columns)
        assert header[: len(columns.split())] == columns.split(), name


def test_tables_carry_the_contract_columns_in_order(tables):
    contract_holds(tables, SYSTEM_CONTRACT)
    contract_holds(national_tables(), NATIONAL_CONTRACT)


def test_written_tables_are_byte_identical(tmp_path):
    from relaudit.io import write_csv

    for attempt in ("first", "second"):
        out = score.score_system(
            OWN, OTHER_SUMS, tiny_instrument(), deadline=DEADLINE, min_group_size=3
        )
        for name, table in out.items():
            write_csv(table, tmp_path / attempt / f"{name}.csv")
    for path in (tmp_path / "first").iterdir():
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes(), path.name


SMALL = ROOT / "tests/fixtures/small"


@pytest.mark.e2e
@pytest.mark.skipif(not (SMALL / "raw").is_dir(), reason="small fixture not generated")
def test_score_rules_end_to_end(tmp_path):
    import subprocess
    import sys

    from relaudit.io import read_csv

    results = tmp_path / "results"
    sids = sorted(p.name for p in (SMALL / "raw").iterdir() if p.is_dir())
    targets = [str(results / "systems" / s / "tables" / "comparator.csv") for s in sids]
    targets.append(str(results / "national" / "tables" / "consistency.csv"))
    command = [
        str(Path(sys.executable).parent / "snakemake"), "--nolock", "--cores", "2", "--quiet",
        "--config", f"systems_sheet={SMALL / 'systems.tsv'}", f"raw_dir={SMALL / 'raw'}",
        f"results_dir={results}", "--", *targets,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    for sid in sids:
        for name, columns in SYSTEM_CONTRACT.items():
            table = read_csv(results / "systems" / sid / "tables" / f"{name}.csv")
            assert list(table.columns[: len(columns.split())]) == columns.split()
    first = read_csv(results / "systems" / sids[0] / "tables" / "comparator.csv")
    assert set(first["flag"]) == {"no_comparator"}
    for name in ("breakdown_scores", "breakdown_labels", "profile"):
        table = read_csv(results / "national" / "tables" / f"{name}.csv")
        hidden = table[table["suppressed"]]
        assert (
            hidden.select_dtypes("number").drop(columns="score", errors="ignore").isna().all().all()
        )
        size = "base" if name == "breakdown_labels" else "n"
        assert (table.loc[~table["suppressed"], size] >= 5).all()


def test_comparator_sums_round_trip_through_parquet(tmp_path):
    # What analyse_system reads: each system's sums from its own file, stacked.
    from relaudit.io import read_parquet_stack, write_parquet

    third = frame("third", [("Alpha", "Long", 4, 4, 4, 4)], submitted=["2017-09-05"], late=[False])
    paths = []
    for name, sums in [
        ("other", OTHER_SUMS),
        ("third", score.daily_sums(third, tiny_instrument())),
    ]:
        paths.append(tmp_path / f"{name}.parquet")
        write_parquet(sums, paths[-1])
    stacked = score.concat_daily_sums([read_parquet_stack(paths)])
    expected = score.concat_daily_sums([OTHER_SUMS, score.daily_sums(third, tiny_instrument())])
    pd.testing.assert_frame_equal(stacked, expected, check_dtype=False)
    assert read_parquet_stack([]).empty
