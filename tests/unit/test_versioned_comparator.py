"""Known answers for the version-aware comparator (relaudit.comparison, score, pools,
disclosure): a statement reworded between questionnaire versions is compared only
with systems whose version words it comparably (../shared/spec/waves.md, "What is
compared"). Every expected value below is worked out by hand from the ratings.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from relaudit import score
from relaudit.comparison import (
    NOT_COMPARABLE,
    comparable,
    comparable_items,
    flag_differences,
    has_comparator,
    reworded_items,
    version_mask,
)
from relaudit.disclosure import Findings, Pool, comparator_pools
from relaudit.errors import ConfigError
from relaudit.instrument import parse_instrument
from relaudit.pools import PoolGrid

ITEMS = ["same", "reworded", "declared"]
# two-sided 95% t quantile for df = 4, from printed tables
T_4 = 2.776445


def instrument(declared: list[str] | None = ["v1", "v2"]):  # noqa: B006
    """Two versions. `same` differs only in case, numbering and a full stop (one
    wording after header normalisation); `reworded` and `declared` change words,
    and `declared` is declared comparable."""
    declared_item = {
        "id": "declared", "framework": "fw", "position": {"domain": "D3"},
        "polarity": "positive",
        "text": {"v1": "Rooms suit us", "v2": "Rooms and spaces suit us"},
    }  # fmt: skip
    if declared is not None:
        declared_item["comparable_versions"] = declared
    return parse_instrument(
        {
            "id": "two-versions",
            "versions": ["v1", "v2"],
            "columns": {"response_id": "ID", "submitted": "Submitted", "comment_prefix": "Any"},
            "scale": {
                "labels": [{"label": f"L{i}", "score": i} for i in range(6)],
                "positive_threshold": 3,
                "midpoint": 2.5,
            },
            "frameworks": [{"id": "fw", "groupings": {"domain": ["D1", "D2", "D3"]}}],
            "items": [
                {"id": "same", "framework": "fw", "position": {"domain": "D1"},
                 "polarity": "positive",
                 "text": {"v1": "We talk openly.", "v2": "1. we talk  openly"}},
                {"id": "reworded", "framework": "fw", "position": {"domain": "D2"},
                 "polarity": "positive",
                 "text": {"v1": "Our buildings help", "v2": "Our buildings and spaces help"}},
                declared_item,
            ],
        }
    )  # fmt: skip


INST = instrument()


def responses(system_id: str, ratings: list[tuple[float, float, float]], day: str) -> pd.DataFrame:
    """Clean responses of one system, all submitted on `day` and on time."""
    n = len(ratings)
    data = {
        "system_id": [system_id] * n,
        "response_id": [f"{system_id}-{i}" for i in range(n)],
        "submitted_at": pd.to_datetime([f"{day} 10:00"] * n).astype("datetime64[ns]"),
        "late": [False] * n,
    }
    for k, item in enumerate(ITEMS):
        data[item] = [float(r[k]) for r in ratings]
    return pd.DataFrame(data)


# The own system (v2): same 4,2,3 (mean 3); reworded 5,3,4 (mean 4, var 1);
# declared 1,2,3 (mean 2).
OWN = responses("own", [(4, 5, 1), (2, 3, 2), (3, 4, 3)], "2017-10-01")
# A v1 system: same 1,1,2,2; reworded 0,1,1,2; declared 2,2,2,2.
OLD = responses("old", [(1, 0, 2), (1, 1, 2), (2, 1, 2), (2, 2, 2)], "2017-09-01")
# A v2 system: same 3,4,5; reworded 2,3,4 (mean 3, var 1); declared 4,4,1.
NEW = responses("new", [(3, 2, 4), (4, 3, 4), (5, 4, 1)], "2017-09-05")
VERSIONS = {"own": "v2", "old": "v1", "new": "v2"}
CUTOFF = dt.date(2017, 10, 6)


def sums(*frames: pd.DataFrame) -> pd.DataFrame:
    return score.concat_daily_sums([score.daily_sums(f, INST) for f in frames])


# ---------------------------------------------------------------------------
# Comparability


def test_comparable_follows_normalised_wording_and_declarations() -> None:
    assert comparable(INST, "same", "v1", "v2")  # one wording after normalisation
    assert not comparable(INST, "reworded", "v1", "v2")
    assert comparable(INST, "reworded", "v2", "v2")
    assert comparable(INST, "declared", "v1", "v2")  # declared by the instrument
    assert not comparable(instrument(declared=None), "declared", "v1", "v2")
    assert reworded_items(INST) == ["reworded"]
    assert comparable_items(INST, "v1", "v2").tolist() == [True, False, True]
    # Systems in rows, items in columns; an unknown system compares the common wording only.
    mask = version_mask(INST, ["old", "new", "x"], {"old": "v1", "new": "v2"}, "v2")
    assert mask.tolist() == [[True, False, True], [True, True, True], [True, False, True]]
    assert version_mask(INST, ["old"], None, "v2").all()


def test_comparable_versions_must_name_known_versions() -> None:
    with pytest.raises(ConfigError, match="comparable_versions names unknown version"):
        instrument(declared=["v1", "v9"])


def test_the_real_instrument_declares_nothing_so_infrastructure_is_reworded() -> None:
    from pathlib import Path

    from relaudit.instrument import load_instrument

    root = Path(__file__).resolve().parents[2]
    cqc = load_instrument(root / "config" / "instruments" / "cqc-relational-audit.yaml")
    reworded = reworded_items(cqc)
    assert len(reworded) == 5
    assert {cqc.item(i).position["dimension"] for i in reworded} == {"Infrastructure"}


# ---------------------------------------------------------------------------
# The flag rule


def test_flag_rule_is_the_interval_excluding_zero() -> None:
    flags = flag_differences([0.1, -0.5, -0.2, np.nan, 0.0], [0.4, -0.1, 0.3, 1.0, 0.0])
    # 0..0 touches zero: not clear either way.
    assert flags.tolist() == ["higher", "lower", "similar", "no_comparator", "similar"]
    with pytest.raises(ValueError, match="unknown flag rule"):
        flag_differences([0.1], [0.2], rule="guess")


# ---------------------------------------------------------------------------
# The comparator, by hand


def test_versioned_comparator_known_answer() -> None:
    comp, summary = score.comparator(
        OWN, sums(OLD, NEW), INST, CUTOFF, versions=VERSIONS, version="v2"
    )
    comp = comp.set_index("item_id")
    # same: both systems, 1,1,2,2,3,4,5: n 7, mean 18/7.
    assert comp.loc["same", "comparator_n"] == 7
    assert comp.loc["same", "comparator_mean"] == pytest.approx(18 / 7)
    # reworded: the v2 system only, 2,3,4: n 3, mean 3; own mean 4, diff 1.
    # Both variances 1 with n 3: se = sqrt(2/3), df = (2/3)^2 / (2 * (1/3)^2 / 2) = 4,
    # half = 2.776445 * 0.816497 = 2.266959: interval -1.266959 to 3.266959, similar.
    reworded = comp.loc["reworded"]
    assert (reworded["comparator_n"], reworded["comparator_mean"]) == (3, 3)
    assert reworded["diff"] == 1
    assert reworded["df"] == pytest.approx(4)
    assert reworded["diff_ci_low"] == pytest.approx(1 - T_4 * np.sqrt(2 / 3), abs=1e-6)
    assert reworded["flag"] == "similar"
    # declared: both systems, 2,2,2,2,4,4,1: n 7, mean 17/7.
    assert comp.loc["declared", "comparator_n"] == 7
    assert comp.loc["declared", "comparator_mean"] == pytest.approx(17 / 7)
    # Who the comparator pools is unchanged: 7 responses from 2 systems.
    assert summary.iloc[0]["responses"] == 7 and summary.iloc[0]["n_systems"] == 2


def test_without_versions_the_old_wording_is_pooled() -> None:
    # The behaviour before: reworded pools 0,1,1,2 with 2,3,4: n 7, mean 13/7.
    comp, _ = score.comparator(OWN, sums(OLD, NEW), INST, CUTOFF)
    comp = comp.set_index("item_id")
    assert comp.loc["reworded", "comparator_n"] == 7
    assert comp.loc["reworded", "comparator_mean"] == pytest.approx(13 / 7)


def test_a_pool_of_the_other_wording_only_is_not_comparable() -> None:
    comp, _ = score.comparator(OWN, sums(OLD), INST, CUTOFF, versions=VERSIONS, version="v2")
    comp = comp.set_index("item_id")
    assert comp.loc["reworded", "flag"] == NOT_COMPARABLE
    assert comp.loc["reworded", "comparator_n"] == 0
    assert np.isnan(comp.loc["reworded", "comparator_mean"])
    assert np.isnan(comp.loc["reworded", "diff"])
    # same: own 4,2,3 against 1,1,2,2 (mean 1.5): still compared.
    assert comp.loc["same", "comparator_mean"] == pytest.approx(1.5)
    assert comp.loc["same", "flag"] in ("higher", "similar")
    assert has_comparator(comp.reset_index())


def test_score_system_keeps_a_not_comparable_row_and_protects_pools_alike() -> None:
    deadlines = {"old": dt.date(2017, 9, 10), "new": dt.date(2017, 9, 20), "own": CUTOFF}
    tables = score.score_system(
        OWN, sums(OLD, NEW), INST, deadline=CUTOFF, min_group_size=3,
        deadlines=deadlines, versions=VERSIONS,
    )  # fmt: skip
    comp = tables["comparator"].set_index("item_id")
    # Nothing is kept out (every pool cell is 3 or more): the same pools as by hand.
    assert comp.loc["reworded", "comparator_n"] == 3
    assert comp.loc["same", "comparator_n"] == 7
    assert not comp["suppressed"].any()
    only_old = score.score_system(
        OWN, sums(OLD), INST, deadline=CUTOFF, min_group_size=3,
        deadlines={"old": deadlines["old"], "own": CUTOFF}, versions=VERSIONS,
    )["comparator"].set_index("item_id")  # fmt: skip
    # Not comparable is shown as such, with the pack's own numbers only.
    assert only_old.loc["reworded", "flag"] == NOT_COMPARABLE
    assert not only_old.loc["reworded", "suppressed"]
    assert only_old.loc["reworded", "mean"] == 4


# ---------------------------------------------------------------------------
# Pools that cannot be differenced, per wording


def grid_sums() -> pd.DataFrame:
    """A (v1) 4 responses on 1 Sep; B (v2) 3 on 5 Sep and 1 on 15 Sep; C (v2) 4 on
    8 Sep and 2 on 25 Sep; each response answers `same` and `reworded`."""
    rows = []
    for sid, day, count in [
        ("a", "2017-09-01", 4), ("b", "2017-09-05", 3), ("b", "2017-09-15", 1),
        ("c", "2017-09-08", 4), ("c", "2017-09-25", 2),
    ]:  # fmt: skip
        for item in ITEMS[:2]:
            rows.append((sid, pd.Timestamp(day), count, item, count, 2.0 * count, 4.0 * count))
    return pd.DataFrame(rows, columns=score.DAILY_SUM_COLUMNS)


GRID_DEADLINES = {"a": dt.date(2017, 9, 10), "b": dt.date(2017, 9, 20), "c": dt.date(2017, 9, 30)}
GRID_VERSIONS = {"a": "v1", "b": "v2", "c": "v2"}


def two_items():
    full = INST
    return parse_instrument(
        {
            "id": "two-items",
            "versions": ["v1", "v2"],
            "columns": {"response_id": "ID", "submitted": "Submitted", "comment_prefix": "Any"},
            "scale": {"labels": [{"label": f"L{i}", "score": i} for i in range(6)]},
            "frameworks": [{"id": "fw", "groupings": {"domain": ["D1", "D2"]}}],
            "items": [
                {"id": i, "framework": "fw", "position": {"domain": f"D{n + 1}"},
                 "polarity": "positive", "text": full.item(i).text}
                for n, i in enumerate(ITEMS[:2])
            ],
        }
    )  # fmt: skip


def test_pools_are_differenced_only_within_a_wording() -> None:
    inst = two_items()
    grid = PoolGrid(grid_sums(), ITEMS[:2], GRID_DEADLINES)

    def hidden(sid, versioned):
        extra = (GRID_VERSIONS, inst) if versioned else (None, None)
        return grid.hidden_by_earlier_pools(sid, GRID_DEADLINES, [], 3, *extra).tolist()

    # By hand, with versions (items: same, reworded):
    # A's pool+pack to 10 Sep: same B3 + C4 + A4 = 11; reworded: no v2 answer pools with A.
    # B's to 20 Sep: same A4 + C4 + B4 = 12; reworded C4 + B4 = 8.
    #   same: 12 - 11 = 1 (B's answer of 15 Sep): hidden; reworded: A compared none.
    # C's to 30 Sep: same A4 + B4 + C6 = 14; reworded B4 + C6 = 10.
    #   same: 14 - 11 = 3 (B's hidden); reworded: 10 - 8 = 2 (C's answers of 25 Sep): hidden.
    assert hidden("b", True) == [True, False]
    assert hidden("c", True) == [False, True]
    # Without versions every pool holds both wordings: A 11, 11; B 12, 12 (both
    # hidden: 1 from A); C 14, 14 (3 from A): the reworded leak of C is not there.
    assert hidden("b", False) == [True, True]
    assert hidden("c", False) == [False, False]
    # A's own pool, reworded: nobody (A is v1, B and C are v2).
    mask = version_mask(inst, grid.systems, GRID_VERSIONS, "v1")
    keep = grid.keep(GRID_DEADLINES["a"], "a", 3, mask)
    assert (grid.n * keep).sum(axis=(0, 1)).tolist() == [7.0, 0.0]


def test_disclosure_audit_differences_pools_of_one_wording_only() -> None:
    d1, d2 = dt.date(2017, 9, 10), dt.date(2017, 9, 20)
    # A v1 pool and a v2 pool of reworded 10 and 11 answers: one apart, but
    # different people, so nothing is recovered; `same` 10 and 11 is recovered.
    # Less the packs in them (3 answers each): 7, and 11 - 6 = 5 or 11 - 3 = 8.
    p = Pool("p", d1, pd.Series([10.0, 10.0], index=ITEMS[:2]), "v1")
    q = Pool("q", d2, pd.Series([11.0, 11.0], index=ITEMS[:2]), "v2")
    packs = {
        sid: pd.DataFrame({"item_id": ITEMS[:2], "n": [3, 3], "suppressed": [False, False]})
        for sid in ("p", "q")
    }
    deadlines = {"p": d1, "q": d2}

    def recovered(comparable_fn):
        findings = Findings()
        comparator_pools(
            findings, [p, q], packs, deadlines, 5, {"p": "v1", "q": "v2"}, comparable_fn
        )
        return sorted(leak["target"].rsplit("/ ", 1)[-1] for leak in findings.recovered)

    assert recovered(lambda item, a, b: comparable(INST, item, a, b)) == ["same"]
    assert recovered(None) == ["reworded", "same"]
