"""Known-answer and property tests for relaudit.population_scores (a populations programme).

Every expected number is worked out by hand in the comments next to it, from the
tiny frames below, never from the code under test. The two populations:

``prov`` rates two targets (d1, d2) on two questions (q1, q2); ``x`` is no
contact (the not-rated answer), ``None`` not answered. Its breakdown question
``zone`` has the options A and B (and ``Did not answer``).

    person  zone    q1@d1 q1@d2   q2@d1 q2@d2
    P1      A       4     2       3     3
    P2      A       3     x       2     x
    P3      B       1     None    x     x
    P4      A       x     4       4     None
    P5      B       2     3       1     2
    P6      DNA     4     4       3     x

``offi`` rates one target (c) on the same questions; breakdown question ``grade``.

    person  grade   q1@c  q2@c
    O1      X       2     3
    O2      X       3     x
    O3      Y       2     4
    O4      Y       1     2
    O5      X       2     None
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from population_frames import (  # tests/population_frames.py
    DNA,
    OFFI,
    OFFI_INSTRUMENT,
    PROV,
    PROV_INSTRUMENT,
    X,
    clean_frame,
)

from relaudit import population_scores as ps
from relaudit.disclosure import PopulationTables, audit_populations
from relaudit.tables import conform, read_publication, schema, write_table

# Two-sided 95% t quantiles (scipy.stats.t.ppf(0.975, df), also in printed tables).
T_1, T_3, T_4 = 12.706205, 3.182446, 2.776445


def row(table: pd.DataFrame, **keys) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for column, value in keys.items():
        mask &= (table[column] == value).to_numpy()
    assert mask.sum() == 1, keys
    return table[mask].iloc[0]


def test_the_frames_match_the_rating_columns_of_the_design():
    # Guards the fixtures: the clean column names come from the instrument.
    assert [r.column for r in PROV_INSTRUMENT.rating_columns()] == [
        "q1@d1", "q1@d2", "q2@d1", "q2@d2",
    ]  # fmt: skip
    assert "q1@d2 not rated" in PROV.responses.columns


# ---------------------------------------------------------------------------
# question_scores


def test_question_scores_known_answers():
    table = ps.question_scores(PROV, min_group_size=2)
    assert list(table.columns) == schema("programme/question_scores").column_names
    # d1 / q1: ratings 4, 3, 1, 2, 4 (P4 no contact) -> n 5, mean 14/5 = 2.8;
    # sum of squares 46, SS = 46 - 14^2/5 = 6.8, var = 6.8/4 = 1.7, sd = 1.303840;
    # half-width t(4) * sd / sqrt(5) = 2.776445 * 1.303840 / 2.236068 = 1.618931.
    cell = row(table, target="d1", question_id="q1")
    assert (cell["n"], cell["no_contact"]) == (5, 1)
    assert cell["mean"] == pytest.approx(2.8)
    assert cell["sd"] == pytest.approx(1.303840, abs=1e-6)
    assert cell["ci_low"] == pytest.approx(2.8 - 1.618931, abs=1e-5)
    assert cell["ci_high"] == pytest.approx(2.8 + 1.618931, abs=1e-5)
    # d2 / q1: 2, 4, 3, 4 (P2 no contact, P3 blank) -> n 4, mean 13/4 = 3.25;
    # SS = 45 - 169/4 = 2.75, var 2.75/3 = 0.916667, sd 0.957427.
    cell = row(table, target="d2", question_id="q1")
    assert (cell["n"], cell["no_contact"]) == (4, 1)
    assert cell["mean"] == pytest.approx(3.25)
    assert cell["sd"] == pytest.approx(0.957427, abs=1e-6)
    # d2 / q2: 3, 2 (P2, P3, P6 no contact) -> n 2, mean 2.5, sd 0.707107;
    # half-width t(1) * 0.707107 / sqrt(2) = 12.706205 * 0.5 = 6.353102.
    cell = row(table, target="d2", question_id="q2")
    assert (cell["n"], cell["no_contact"]) == (2, 3)
    assert cell["mean"] == pytest.approx(2.5)
    assert cell["ci_high"] == pytest.approx(2.5 + 6.353102, abs=1e-5)
    assert not table["suppressed"].any()


def test_one_rating_has_no_sd_and_no_interval():
    one = ps.PopulationResponses(
        "one", clean_frame("one", OFFI_INSTRUMENT, "grade", [("X", 3, 2)]), OFFI_INSTRUMENT
    )
    cell = row(ps.question_scores(one, min_group_size=1), question_id="q1")
    assert cell["mean"] == 3.0 and cell["n"] == 1
    assert math.isnan(cell["sd"]) and math.isnan(cell["ci_low"]) and math.isnan(cell["ci_high"])


def test_question_scores_hide_small_cells_and_their_complement_within_a_target():
    # k = 3: d2 / q2 has n 2 < 3 -> small. Target d2's pooled score is published,
    # so d2's hidden cells must hold 0 or >= 3 people: {P1, P5} is 2 -> the
    # other d2 cell, q1 (n 4), is hidden too (secondary). d1 is untouched.
    table = ps.question_scores(PROV, min_group_size=3)
    small = row(table, target="d2", question_id="q2")
    second = row(table, target="d2", question_id="q1")
    assert (small["suppressed"], small["suppression"]) == (True, "small")
    assert (second["suppressed"], second["suppression"]) == (True, "secondary")
    assert math.isnan(small["mean"]) and math.isnan(second["sd"])
    # n and no contact stay: they count people, not what they said.
    assert (small["n"], small["no_contact"]) == (2, 3)
    assert not table[table["target"] == "d1"]["suppressed"].any()


# ---------------------------------------------------------------------------
# target_scores


def test_target_scores_pool_questions_and_the_overall_row_pools_everything():
    table = ps.target_scores(PROV, min_group_size=2)
    assert list(table.columns) == schema("programme/target_scores").column_names
    assert table["target"].tolist() == ["d1", "d2", "overall"]
    # d1: q1 4+3+1+2+4 = 14 over 5, q2 3+2+4+1+3 = 13 over 5 -> 27 / 10 = 2.7.
    # d2: q1 2+4+3+4 = 13 over 4, q2 3+2 = 5 over 2 -> 18 / 6 = 3.0.
    # overall: 45 / 16 = 2.8125 (not the mean of 2.7 and 3.0).
    assert table["n_ratings"].tolist() == [10, 6, 16]
    assert table["mean"].tolist() == pytest.approx([2.7, 3.0, 2.8125])


def test_a_small_target_hides_a_second_one_and_its_questions():
    # k = 5: d2 is rated by P1, P4, P5, P6 = 4 people < 5 -> small; the overall
    # row (6 people, shown) minus d1 would give d2 back, so d1 is hidden too.
    # d1's question cells (n 5 each) would give d1 back: hidden as well.
    targets = ps.target_scores(PROV, min_group_size=5)
    assert targets["suppression"].tolist() == ["secondary", "small", ""]
    assert targets["mean"].iloc[2] == pytest.approx(2.8125)
    questions = ps.question_scores(PROV, min_group_size=5)
    assert questions["suppressed"].all()
    d1 = questions[questions["target"] == "d1"]
    assert d1["suppression"].tolist() == ["secondary", "secondary"]


# ---------------------------------------------------------------------------
# breakdown_scores


def test_breakdown_known_answers_and_complementary_suppression():
    table = ps.breakdown_scores(PROV, min_group_size=2)
    assert list(table.columns) == schema("programme/breakdown_scores").column_names
    assert table["group"].drop_duplicates().tolist() == ["A", "B", DNA]
    assert table["question_id"].drop_duplicates().tolist() == ["q1", "q2", "overall"]
    # q1, A: P1 (4, 2), P2 (3), P4 (4) -> n 3 people, mean 13/4 = 3.25 (pooled over targets).
    a = row(table, group="A", question_id="q1")
    assert (a["n"], a["suppressed"]) == (3, False)
    assert a["mean"] == pytest.approx(3.25)
    # q1, Did not answer: P6 alone -> small. The q1 total (6 people) minus A (3)
    # would leave B + DNA = 3 with DNA's 1 inside, so hiding DNA alone leaves a
    # hidden mass of 1 < 2: B (n 2, the smallest shown) is hidden too.
    dna = row(table, group=DNA, question_id="q1")
    b = row(table, group="B", question_id="q1")
    assert (dna["suppression"], b["suppression"]) == ("small", "secondary")
    assert pd.isna(b["n"]) and math.isnan(b["mean"])
    # q2: A = P1 (3, 3), P2 (2), P4 (4) -> n 3, 12/4 = 3.0; B = P5 alone (P3 has
    # no q2 rating) and DNA = P6 alone: both small, together 2 >= 2, so A stays.
    a2 = row(table, group="A", question_id="q2")
    assert (a2["n"], a2["mean"], a2["suppressed"]) == (3, 3.0, False)
    assert row(table, group="B", question_id="q2")["suppression"] == "small"
    # overall, A: P1 4+2+3+3, P2 3+2, P4 4+4 = 25 over 8 ratings = 3.125, n 3.
    overall = row(table, group="A", question_id="overall")
    assert overall["n"] == 3 and overall["mean"] == pytest.approx(3.125)


def test_breakdown_shows_every_group_at_k_one():
    # k = 1 hides nothing; B overall: P3 1, P5 2+3+1+2 -> 9 / 5 = 1.8, n 2.
    table = ps.breakdown_scores(PROV, min_group_size=1)
    assert not table["suppressed"].any()
    b = row(table, group="B", question_id="overall")
    assert (b["n"], b["mean"]) == (2, pytest.approx(1.8))


# ---------------------------------------------------------------------------
# Cross analysis


def test_cross_analysis_averages_each_person_over_targets_before_welch():
    """q1, first = prov, second = offi, k = 3.

    Each provider's q1 ratings averaged over the targets they rated:
    P1 (4 + 2) / 2 = 3, P2 3, P3 1, P4 4, P5 (2 + 3) / 2 = 2.5, P6 (4 + 4) / 2 = 4.
    n1 = 6 people (not the 9 ratings), mean1 = 17.5 / 6 = 2.916667 (the pooled
    ratings would give 27 / 9 = 3.0). Sum of squares 9 + 9 + 1 + 16 + 6.25 + 16 =
    57.25; SS = 57.25 - 17.5^2 / 6 = 57.25 - 51.041667 = 6.208333; var1 = 6.208333 / 5
    = 1.241667, sd1 = 1.114301.

    Officers' q1: 2, 3, 2, 1, 2 -> n2 = 5, mean2 = 2.0, SS = 0 + 1 + 0 + 1 + 0 = 2,
    var2 = 2 / 4 = 0.5, sd2 = 0.707107.

    diff = 2.916667 - 2.0 = 0.916667.
    v1 = 1.241667 / 6 = 0.206944, v2 = 0.5 / 5 = 0.1, se = sqrt(0.306944) = 0.554026.
    Welch df = 0.306944^2 / (0.206944^2 / 5 + 0.1^2 / 4)
             = 0.0942149 / (0.0085652 + 0.0025) = 8.51452.
    t quantile 0.975 at df 8.51452 (looked up: scipy.stats.t.ppf) = 2.281972.
    half-width = 2.281972 * 0.554026 = 1.264271 -> interval (-0.347605, 2.180938).
    """
    table = ps.cross_analysis(PROV, OFFI, min_group_size=3)
    assert list(table.columns) == [
        "question_id", "prov_n", "prov_mean", "offi_n", "offi_mean",
        "diff", "diff_ci_low", "diff_ci_high",
        "prov_sd", "offi_sd", "df", "suppressed", "suppression",
    ]  # fmt: skip
    q1 = row(table, question_id="q1")
    assert (q1["prov_n"], q1["offi_n"]) == (6, 5)
    assert q1["prov_mean"] == pytest.approx(2.916667, abs=1e-6)
    assert q1["offi_mean"] == pytest.approx(2.0)
    assert q1["prov_sd"] == pytest.approx(1.114301, abs=1e-6)
    assert q1["offi_sd"] == pytest.approx(0.707107, abs=1e-6)
    assert q1["diff"] == pytest.approx(0.916667, abs=1e-6)
    assert q1["df"] == pytest.approx(8.51452, abs=1e-4)
    assert q1["diff_ci_low"] == pytest.approx(-0.347605, abs=1e-5)
    assert q1["diff_ci_high"] == pytest.approx(2.180938, abs=1e-5)
    # q2: P1 (3 + 3) / 2 = 3, P2 2, P4 4, P5 (1 + 2) / 2 = 1.5, P6 3 -> n 5,
    # mean 13.5 / 5 = 2.7; officers 3, 4, 2 -> n 3, mean 3.0; diff = -0.3.
    q2 = row(table, question_id="q2")
    assert (q2["prov_n"], q2["offi_n"]) == (5, 3)
    assert q2["prov_mean"] == pytest.approx(2.7)
    assert q2["diff"] == pytest.approx(-0.3)


def test_cross_analysis_hides_a_side_of_too_few_people_and_the_difference():
    # k = 4: officers' q2 has 3 people -> their mean and the difference blank.
    q2 = row(ps.cross_analysis(PROV, OFFI, min_group_size=4), question_id="q2")
    assert q2["prov_mean"] == pytest.approx(2.7)
    assert math.isnan(q2["offi_mean"]) and math.isnan(q2["diff"])
    assert (q2["suppressed"], q2["suppression"]) == (True, "small")


def test_a_one_target_cross_mean_follows_its_hidden_question_cell():
    # k = 4: offi's c / q2 (n 3) is small, and target c's pooled score would give
    # it back unless c / q1 (n 5) is hidden too (secondary). With one target the
    # cross mean of q1 is that same cell's mean, so it is hidden as well.
    tables = ps.score_populations([PROV, OFFI], 4, ("prov", "offi"))
    offi_q1 = row(tables["question_scores"], population="offi", question_id="q1")
    assert offi_q1["suppression"] == "secondary"
    q1 = row(tables["cross_analysis"], question_id="q1")
    assert q1["offi_n"] == 5 and math.isnan(q1["offi_mean"]) and math.isnan(q1["diff"])
    assert q1["suppression"] == "secondary"


def test_cross_schema_names_columns_after_the_populations():
    table = ps.cross_schema("alpha", "beta")
    assert table.column_names[:8] == [
        "question_id", "alpha_n", "alpha_mean", "beta_n", "beta_mean",
        "diff", "diff_ci_low", "diff_ci_high",
    ]  # fmt: skip
    with pytest.raises(ps.ConfigError, match="itself"):
        ps.cross_schema("alpha", "alpha")


# ---------------------------------------------------------------------------
# No contact


def test_no_contact_counts_known_answers():
    # Only prov rates several targets. d1: q1 P4, q2 P3 -> 1, 1; d2: q1 P2 -> 1,
    # q2 P2, P3, P6 -> 3. A blank (P3 q1@d2, P4 q2@d2) is not no contact.
    table = ps.no_contact(ps.no_contact_populations([PROV, OFFI]))
    assert list(table.columns) == schema("programme/no_contact").column_names
    assert table[["target", "question_id", "no_contact"]].values.tolist() == [
        ["d1", "q1", 1], ["d1", "q2", 1], ["d2", "q1", 1], ["d2", "q2", 3],
    ]  # fmt: skip
    assert set(table["population"]) == {"prov"}
    # Named explicitly, a one-target population is counted too: O2's q2.
    named = ps.no_contact(ps.no_contact_populations([PROV, OFFI], ["offi"]))
    assert named["no_contact"].tolist() == [0, 1]
    with pytest.raises(ps.ConfigError, match="unknown population"):
        ps.no_contact_populations([PROV], ["nobody"])


# ---------------------------------------------------------------------------
# Writing and the disclosure audit


def test_every_table_writes_and_reads_back_through_its_schema(tmp_path):
    tables = ps.score_populations([PROV, OFFI], 3, ("prov", "offi"))
    assert set(tables) == {
        "question_scores", "target_scores", "breakdown_scores", "no_contact", "cross_analysis",
    }  # fmt: skip
    for name, table in tables.items():
        cross = name == "cross_analysis"
        target = ps.cross_schema("prov", "offi") if cross else f"programme/{name}"
        write_table(table, target, tmp_path / f"{name}.csv", tmp_path / f"{name}.parquet")
        back = read_publication(tmp_path / f"{name}.csv", target)
        assert len(back) == len(table)


def _audit(tables: dict[str, pd.DataFrame], pops, k: int, cross_ids=("prov", "offi")):
    cross = tables.get("cross_analysis")
    return audit_populations(
        {
            p.id: PopulationTables(
                tables["question_scores"][tables["question_scores"]["population"] == p.id],
                tables["target_scores"][tables["target_scores"]["population"] == p.id],
                tables["breakdown_scores"][tables["breakdown_scores"]["population"] == p.id],
                ps.respondent_totals(p),
                None
                if cross is None or p.id not in cross_ids
                else cross.set_index("question_id")[f"{p.id}_mean"],
            )
            for p in pops
        },
        k,
    )


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_the_audit_finds_nothing_in_what_the_scores_publish(k):
    tables = ps.score_populations([PROV, OFFI], k, ("prov", "offi"))
    findings = _audit(tables, [PROV, OFFI], k)
    assert findings.recovered == []
    assert set(findings.table()["attack"]) == {
        "small_shown", "total_vs_breakdown", "target_vs_questions", "overall_vs_targets",
        "cross_vs_questions",
    }  # fmt: skip


def test_the_audit_recovers_a_group_when_complementary_suppression_is_undone():
    # k = 2, q1: un-hide B (the secondary cell): total 6 - A 3 - B 2 = 1 = P6.
    tables = ps.score_populations([PROV, OFFI], 2, ("prov", "offi"))
    breakdown = tables["breakdown_scores"].copy()
    b = (
        (breakdown["population"] == "prov")
        & (breakdown["group"] == "B")
        & (breakdown["question_id"] == "q1")
    )
    breakdown.loc[b, ["n", "mean", "suppressed"]] = [2, 2.0, False]
    findings = _audit({**tables, "breakdown_scores": breakdown}, [PROV, OFFI], 2)
    assert [(r["attack"], r["target"], r["size"]) for r in findings.recovered] == [
        ("total_vs_breakdown", "zone / q1 (hidden groups)", 1.0)
    ]


def test_the_audit_catches_a_shown_small_group_and_a_mirrored_cross_mean():
    tables = ps.score_populations([PROV, OFFI], 4, ("prov", "offi"))
    breakdown = tables["breakdown_scores"].copy()
    # k = 4: offi's X group on q1 holds O1, O2, O5 = 3 people: hidden. Show it.
    x = (
        (breakdown["population"] == "offi")
        & (breakdown["group"] == "X")
        & (breakdown["question_id"] == "q1")
    )
    breakdown.loc[x, ["n", "mean", "suppressed"]] = [3, 7 / 3, False]
    cross = tables["cross_analysis"].copy()
    cross.loc[cross["question_id"] == "q1", "offi_mean"] = 2.0
    findings = _audit(
        {**tables, "breakdown_scores": breakdown, "cross_analysis": cross}, [PROV, OFFI], 4
    )
    attacks = {r["attack"] for r in findings.recovered}
    assert {"small_shown", "cross_vs_questions"} <= attacks


def test_the_audit_recovers_a_hidden_question_from_its_target():
    # k = 3: d2 / q2 (n 2) is small; un-hide d2 / q1 (secondary, n 4): target d2's
    # 6 ratings minus the shown 4 leaves q2's 2 ratings.
    tables = ps.score_populations([PROV, OFFI], 3, ("prov", "offi"))
    questions = tables["question_scores"].copy()
    cell = (
        (questions["population"] == "prov")
        & (questions["target"] == "d2")
        & (questions["question_id"] == "q1")
    )
    questions.loc[cell, ["mean", "suppressed"]] = [3.25, False]
    findings = _audit({**tables, "question_scores": questions}, [PROV, OFFI], 3)
    assert [(r["attack"], r["target"], r["size"]) for r in findings.recovered] == [
        ("target_vs_questions", "d2 (hidden questions)", 2.0)
    ]


# ---------------------------------------------------------------------------
# Properties

CELL = st.one_of(st.none(), st.just(X), st.integers(1, 4))
GROUP = st.sampled_from(["A", "B", DNA])
PROV_ROW = st.tuples(GROUP, CELL, CELL, CELL, CELL)
SETTINGS = settings(max_examples=60, deadline=None)


def random_population(rows) -> ps.PopulationResponses:
    return ps.PopulationResponses(
        "prov", clean_frame("prov", PROV_INSTRUMENT, "zone", rows), PROV_INSTRUMENT
    )


def all_ratings(rows) -> list[int]:
    return [c for r in rows for c in r[1:] if isinstance(c, int)]


@SETTINGS
@given(st.lists(PROV_ROW, max_size=25), st.integers(1, 6))
def test_no_breakdown_group_under_k_is_shown_or_recoverable(rows, k):
    pop = random_population(rows)
    table = ps.breakdown_scores(pop, k)
    shown_cells = table[~table["suppressed"]]
    assert (shown_cells["n"].astype(float) >= k).all()
    totals = ps.respondent_totals(pop)
    for (_grouping, question), cells in table.groupby(["grouping", "question_id"]):
        if totals[question] < k:
            # The whole population's figure is hidden: every group is too.
            assert cells["suppressed"].all()
            continue
        hidden_mass = totals[question] - cells.loc[~cells["suppressed"], "n"].astype(float).sum()
        assert hidden_mass == 0 or hidden_mass >= k


@SETTINGS
@given(st.lists(PROV_ROW, max_size=25), st.integers(1, 6))
def test_the_audit_never_recovers_a_group_from_the_scores(rows, k):
    pop = random_population(rows)
    tables = {
        "question_scores": ps.question_scores(pop, k),
        "target_scores": ps.target_scores(pop, k),
        "breakdown_scores": ps.breakdown_scores(pop, k),
    }
    assert _audit(tables, [pop], k, cross_ids=()).recovered == []


@SETTINGS
@given(st.lists(PROV_ROW, max_size=25))
def test_overall_is_the_pooled_mean_and_n_ratings_add_up(rows):
    pop = random_population(rows)
    table = ps.target_scores(pop, 1)
    ratings = all_ratings(rows)
    overall = row(table, target="overall")
    assert overall["n_ratings"] == len(ratings)
    assert table.loc[table["target"] != "overall", "n_ratings"].sum() == len(ratings)
    if ratings:
        assert overall["mean"] == pytest.approx(sum(ratings) / len(ratings))
    questions = ps.question_scores(pop, 1)
    per_target = questions.groupby("target")["n"].sum()
    for target in ("d1", "d2"):
        assert per_target[target] == row(table, target=target)["n_ratings"]
    # Every rating cell is a rating, no contact or blank: no contact counts the x's.
    assert questions["no_contact"].sum() == sum(c == X for r in rows for c in r[1:])


@SETTINGS
@given(st.lists(PROV_ROW, max_size=25), st.integers(1, 6))
def test_hidden_question_cells_of_a_target_hold_zero_or_k_ratings(rows, k):
    pop = random_population(rows)
    questions = ps.question_scores(pop, k)
    targets = ps.target_scores(pop, k).set_index("target")
    assert (questions.loc[~questions["suppressed"], "n"] >= k).all()
    for target, cells in questions.groupby("target"):
        if targets.loc[target, "suppressed"]:
            continue
        hidden = cells.loc[cells["suppressed"], "n"].sum()
        assert hidden == 0 or hidden >= k


def test_conform_accepts_every_table_of_a_random_build():
    pop = random_population([("A", 1, 2, 3, 4)] * 6)
    for name in ("question_scores", "target_scores", "breakdown_scores"):
        conform(getattr(ps, name)(pop, 5), f"programme/{name}")
