"""Known-answer tests for relaudit.findings on a small hand-made table set.

Four statements a-d, two groupings. Expected values are worked out by hand in
the comments, not by the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit import findings as fnd
from relaudit.comparison import has_comparator
from relaudit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
NAN = float("nan")

SCORES = pd.DataFrame(
    {
        "item_id": ["a", "b", "c", "d", "e"],
        "framework": ["fw1", "fw1", "fw2", "fw2", "fw2"],
        "n": [20, 20, 20, 20, 0],
        "mean": [3.10, 1.80, 2.40, 3.10, NAN],
        "pct_positive": [70.0, 25.0, 45.0, 65.0, NAN],
        "rank": [1, 4, 3, 1, NAN],
    }
)
COMPARATOR = pd.DataFrame(
    {
        "item_id": ["a", "b", "c", "d"],
        "n": [20, 20, 20, 20],
        "mean": [3.10, 1.80, 2.40, 3.10],
        "comparator_n": [200] * 4,
        "comparator_mean": [2.60, 2.50, 2.55, 3.00],
        "diff": [0.50, -0.70, -0.15, 0.10],
        "diff_ci_low": [0.20, -1.00, -0.45, -0.20],
        "diff_ci_high": [0.80, -0.40, 0.15, 0.40],
        "flag": ["higher", "lower", "similar", "similar"],
    }
)
NO_COMPARATOR = COMPARATOR.assign(
    comparator_mean=NAN, diff=NAN, diff_ci_low=NAN, diff_ci_high=NAN, flag="no_comparator"
)
# Role on b: Senior 3.0, Admin 1.5, Operational suppressed (would be 0.5),
# Did not answer 0.2 (derived, ignored) -> gap 3.0 - 1.5 = 1.5.
# Org on b: Provider 2.0, VCSE 1.6 -> gap 0.4.  Role on fw1: one group only -> no gap.
BREAKDOWN = pd.DataFrame(
    [
        ("role", "Senior executive", "b", 8, 3.0, False),
        ("role", "Administrative", "b", 6, 1.5, False),
        ("role", "Operational management", "b", NAN, NAN, True),
        ("role", "Did not answer", "b", 7, 0.2, False),
        ("org_type", "Health provider", "b", 12, 2.0, False),
        ("org_type", "VCSE", "b", 5, 1.6, False),
        ("role", "Senior executive", "fw1", 8, 2.9, False),
        ("role", "Administrative", "fw1", NAN, NAN, True),
    ],
    columns=["grouping", "group", "measure", "n", "mean", "suppressed"],
).assign(pct_positive=50.0)
# Domain intervals: only Continuity's (1.80 to 2.40) lies wholly below the midpoint 2.5;
# Directness 2.40 is below it, but its interval (2.10 to 2.70) contains it.
GROUP_SCORES = pd.DataFrame(
    [
        ("framework", "fw1", 2.45, 2.20, 2.70),
        ("framework", "fw2", 2.75, 2.50, 3.00),
        ("domain", "Continuity", 2.10, 1.80, 2.40),
        ("domain", "Parity", 2.90, 2.60, 3.20),
        ("domain", "Directness", 2.40, 2.10, 2.70),
    ],
    columns=["grouping", "group", "mean", "ci_low", "ci_high"],
)
LABELS = {"a": "Alpha", "b": "Beta", "c": "Gamma", "d": "Delta", "fw1": "Value", "fw2": "Near"}
GROUPINGS = {"role": "Role", "org_type": "Organisation type"}
# The scale's range and the groupings the domain rule reads (from the instrument in use).
SCALE = {"scale_min": 0.0, "scale_max": 5.0, "domain_groupings": ["domain"]}


def build(comparator=COMPARATOR, top_n=2):
    return fnd.build_findings(
        SCORES,
        comparator,
        BREAKDOWN,
        GROUP_SCORES,
        top_n=top_n,
        midpoint=2.5,
        labels=LABELS,
        grouping_names=GROUPINGS,
        **SCALE,
    )


def test_best_and_worst_ties_keep_table_order_and_skip_missing():
    best, worst = fnd.best_and_worst(SCORES, 2)
    assert list(best["item_id"]) == ["a", "d"]  # 3.10 tie: a comes first
    assert list(worst["item_id"]) == ["b", "c"]  # 1.80, 2.40; e has no mean


def test_comparator_differences():
    higher, lower = fnd.comparator_differences(COMPARATOR)
    assert list(higher["item_id"]) == ["a"]
    assert list(lower["item_id"]) == ["b"]
    assert has_comparator(COMPARATOR)
    assert not has_comparator(NO_COMPARATOR)
    assert build().has_comparator and not build(NO_COMPARATOR).has_comparator


def test_group_gaps_known_answer():
    gaps = fnd.group_gaps(BREAKDOWN)
    assert list(zip(gaps["grouping"], gaps["measure"], strict=True)) == [
        ("role", "b"),
        ("org_type", "b"),
    ]
    first = gaps.iloc[0]
    assert (first["high_group"], first["low_group"]) == ("Senior executive", "Administrative")
    assert first["gap"] == pytest.approx(1.5)
    assert gaps.iloc[1]["gap"] == pytest.approx(0.4)


def test_group_gaps_ignore_suppressed_even_if_a_value_leaked():
    leaked = BREAKDOWN.copy()
    leaked.loc[2, ["n", "mean"]] = [3, 0.5]  # suppressed row with numbers
    gaps = fnd.group_gaps(leaked)
    assert gaps.iloc[0]["low_group"] == "Administrative"


def test_groups_below():
    below = fnd.groups_below(GROUP_SCORES, "domain", 2.5)
    assert list(below["group"]) == ["Continuity", "Directness"]


def test_key_messages_carry_the_numbers():
    messages = fnd.key_messages(build())
    text = "\n".join(messages)
    assert "Value 2.45; Near 2.75" in text
    assert (
        "highest-scoring statement was \u201cAlpha\u201d (mean 3.10 out of 5, 70% positive)" in text
    )
    assert (
        "lowest-scoring statement was \u201cBeta\u201d (mean 1.80 out of 5, 25% positive)" in text
    )
    assert "1 statement scored higher and 1 lower" in text
    assert "largest shortfall was on \u201cBeta\u201d: 1.80 against 2.50 (\u22120.70)" in text
    assert "largest lead was on \u201cAlpha\u201d: 3.10 against 2.60 (+0.50)" in text
    # BREAKDOWN's groups have 5 to 12 people and no sd: no gap can be checked, so none
    # is a key message (the gap of 1.50 between groups of 8 and 6 was one before).
    assert "Senior executive" not in text
    assert (
        "No gap between respondent groups is a key message here: no statement has two "
        "groups of at least 10 people to compare." in text
    )


def test_key_messages_without_comparator():
    text = "\n".join(fnd.key_messages(build(NO_COMPARATOR)))
    assert "There is no comparator" in text
    assert "shortfall" not in text


def rules(*raw):
    return fnd.parse_enquiry_rules({"rules": list(raw)}, source="test.yaml")


def test_lines_of_enquiry_known_answer():
    found = build(top_n=2)
    lines = fnd.lines_of_enquiry(
        rules(
            {
                "id": "r1",
                "when": "bottom_and_lower",
                "text": "Low and behind: {statement} {mean} vs {comparator_mean} ({diff})",
            },
            {"id": "r2", "when": "bottom", "text": "Low: {statement} {pct_positive}"},
            {
                "id": "r3",
                "when": "group_gap",
                "threshold": 1.0,
                "text": "Gap on {measure} by {grouping}: {high_group} {high_mean} / {low_group} "
                "{low_mean} = {gap}",
            },
            {"id": "r4", "when": "domain_below", "max": 1, "text": "{domain} {mean} < {threshold}"},
            {"id": "r5", "when": "no_comparator", "text": "None to compare"},
        ),
        found,
    )
    assert lines == [
        "Low and behind: Beta 1.80 vs 2.50 (\u22120.70)",
        # b already has a line, so r2 only fires for c.
        "Low: Gamma 45%",
        # No group_gap line: the role gap of 1.5 reaches the threshold, but its groups
        # (8 and 6 people, no sd) fail the key-message rule the enquiry lines share.
        # Only Continuity's interval (1.80 to 2.40) is wholly below 2.5.
        "Continuity 2.10 < 2.5",
    ]


def test_no_comparator_rule_fires_only_without_comparator():
    rule = rules({"id": "none", "when": "no_comparator", "text": "No comparator."})
    assert fnd.lines_of_enquiry(rule, build(NO_COMPARATOR)) == ["No comparator."]
    assert fnd.lines_of_enquiry(rule, build()) == []


def test_values_with_braces_are_not_reinterpreted():
    hostile = dict(LABELS, b="{statement} {0} {__class__}")
    found = fnd.build_findings(
        SCORES, COMPARATOR, BREAKDOWN, GROUP_SCORES, top_n=2, midpoint=2.5,
        labels=hostile, grouping_names=GROUPINGS, **SCALE,
    )  # fmt: skip
    rule = rules({"id": "r", "when": "bottom", "max": 1, "text": "Look at {statement}."})
    assert fnd.lines_of_enquiry(rule, found) == ["Look at {statement} {0} {__class__}."]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"id": "x", "when": "sometimes", "text": "t"}, "rule 1 ('x'), key when"),
        ({"id": "x", "when": "bottom", "text": "{gap}"}, "placeholder {gap} is not available"),
        ({"id": "x", "when": "group_gap", "text": "t"}, "'threshold' is a required property"),
        ({"id": "x", "when": "bottom", "text": "{unclosed"}, "not a valid template"),
        ({"id": "Bad Id", "when": "bottom", "text": "t"}, "key id"),
    ],
)
def test_rule_errors_name_file_rule_and_fix(raw, message):
    with pytest.raises(ConfigError) as info:
        rules(raw)
    text = str(info.value)
    assert text.startswith("test.yaml: rule 1")
    assert message in text
    assert "Fix:" in text


def test_duplicate_rule_ids_rejected():
    with pytest.raises(ConfigError, match="rule 2 \\('x'\\): duplicate id"):
        rules({"id": "x", "when": "bottom", "text": "a"}, {"id": "x", "when": "lower", "text": "b"})


def test_shipped_rules_file_is_valid_and_uses_every_kind():
    path = ROOT / "config" / "enquiry_rules.yaml"
    loaded = fnd.load_enquiry_rules(path)
    assert {r.when for r in loaded} == set(fnd.RULE_FIELDS)
    assert yaml.safe_load(path.read_text())["rules"]


def test_key_messages_explain_a_reversed_worst_statement():
    found = fnd.build_findings(
        SCORES, COMPARATOR, BREAKDOWN, GROUP_SCORES, top_n=2, midpoint=2.5,
        labels=LABELS, grouping_names=GROUPINGS, reversed_items=["b"], **SCALE,
    )  # fmt: skip
    worst = next(m for m in fnd.key_messages(found) if m.startswith("The lowest"))
    assert "worded negatively" in worst


# Group gaps on random breakdowns: each grouping and measure's highest and
# lowest shown group, found here by a plain scan (an oracle independent of
# the one-sort code), ties going to the alphabetically first group.
GAP_GROUPS = ["Alpha", "Beta", "Gamma", "Delta", "Multiple", "Did not answer"]
breakdown_rows = st.lists(
    st.tuples(
        st.sampled_from(["role", "org_type"]),
        st.sampled_from(["m1", "m2", "m3"]),
        st.sampled_from(GAP_GROUPS),
        st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0, NAN]),
        st.integers(min_value=1, max_value=60),
        st.booleans(),
    ),
    max_size=40,
    unique_by=lambda row: row[:3],
)


@settings(max_examples=200, deadline=None)
@given(breakdown_rows)
def test_group_gaps_match_a_plain_scan(rows):
    frame = pd.DataFrame(rows, columns=["grouping", "measure", "group", "mean", "n", "suppressed"])
    expected = {}
    for grouping, measure in {(r[0], r[1]) for r in rows}:
        shown = [
            (r[3], r[2], r[4])
            for r in rows
            if (r[0], r[1]) == (grouping, measure)
            and r[3] == r[3]  # not NaN
            and not r[5]
            and r[2] not in ("Multiple", "Did not answer")
        ]
        if len(shown) < 2:
            continue
        high = min(shown, key=lambda s: (-s[0], s[1]))
        low = max(shown, key=lambda s: (-s[0], s[1]))
        expected[(grouping, measure)] = (high[1], high[2], low[1], low[2], high[0] - low[0])
    gaps = fnd.group_gaps(frame)
    got = {
        (g.grouping, g.measure): (g.high_group, g.high_n, g.low_group, g.low_n, g.gap)
        for g in gaps.itertuples()
    }
    assert got == expected
    assert list(gaps["gap"]) == sorted(gaps["gap"], reverse=True)


def test_key_messages_state_the_instrument_scale():
    """The scale's range comes from the caller (the instrument), not from findings."""
    found = fnd.build_findings(
        SCORES, COMPARATOR, BREAKDOWN, GROUP_SCORES, top_n=2, midpoint=2.5,
        labels=LABELS, grouping_names=GROUPINGS, scale_min=1.0, scale_max=4.0,
        domain_groupings=["domain"],
    )  # fmt: skip
    messages = fnd.key_messages(found)
    assert messages[0].startswith("Average scores on a scale from 1 to 4 (midpoint 2.5): ")
    assert "(mean 3.10 out of 4, " in messages[1]
    assert "out of 5" not in " ".join(messages)


def test_domain_rule_reads_the_given_groupings_only():
    rule = rules({"id": "d", "when": "domain_below", "text": "{domain} {mean}"})
    # Directness 2.40 is below 2.5, but its interval (2.10 to 2.70) is not: no claim.
    assert fnd.lines_of_enquiry(rule, build()) == ["Continuity 2.10"]
    found = fnd.build_findings(
        SCORES, COMPARATOR, BREAKDOWN, GROUP_SCORES, top_n=2, midpoint=2.5,
        labels=LABELS, grouping_names=GROUPINGS, scale_min=0.0, scale_max=5.0,
        domain_groupings=["aspect"],
    )  # fmt: skip
    assert fnd.lines_of_enquiry(rule, found) == []


def test_gaps_leave_out_the_instrument_derived_groups():
    breakdown = pd.DataFrame(
        [
            ("role", "Senior executive", "fw1", 10, 3.0, False),
            ("role", "Administrative", "fw1", 10, 2.0, False),
            ("role", "Several", "fw1", 10, 1.0, False),
        ],
        columns=["grouping", "group", "measure", "n", "mean", "suppressed"],
    )
    found = fnd.build_findings(
        SCORES, COMPARATOR, breakdown, GROUP_SCORES, top_n=2, midpoint=2.5,
        labels=LABELS, grouping_names=GROUPINGS, scale_min=0.0, scale_max=5.0,
        exclude_groups=["Several"],
    )  # fmt: skip
    assert list(found.gaps["low_group"]) == ["Administrative"]
    assert list(found.gaps["gap"]) == [1.0]


# --- careful key messages -------------------------------------------------------
#
# Welch by hand. Two groups of 10 with sd 1: each variance of the mean 1 / 10 = 0.1,
# se = sqrt(0.2) = 0.447214, df = 0.2^2 / (2 * 0.1^2 / 9) = 18, t(0.975, 18) = 2.100922
# (printed tables), half-width 2.100922 * 0.447214 = 0.939561.
# - role on a: Senior 3.0 vs Administrative 2.0 (Operational 2.5 is between):
#   gap 1.00, interval 0.060439 to 1.939561 -> excludes 0: a key message.
# - org_type on a: Provider 2.8 vs VCSE 2.0: gap 0.80, interval -0.139561 to 1.739561
#   -> includes 0: not a message.
# Two groups of 9 with sd 0.5: each 0.25 / 9 = 0.027778, se = sqrt(0.055556) = 0.235702,
# df = 0.055556^2 / (2 * 0.027778^2 / 8) = 16, t(0.975, 16) = 2.119905, half 0.499665.
# - tenure on b: Long 3.0 vs Short 1.0: gap 2.00, interval 1.500335 to 2.499665, clear
#   of 0, but the groups have 9 people: under key_message_min_group 10, not even checked.
KEY_BREAKDOWN = pd.DataFrame(
    [
        ("role", "Senior executive", "a", 10, 3.0, 1.0, False),
        ("role", "Administrative", "a", 10, 2.0, 1.0, False),
        ("role", "Operational management", "a", 12, 2.5, 1.0, False),
        ("role", "Did not answer", "a", 30, 0.2, 0.1, False),  # derived: left out
        ("role", "Front line", "a", NAN, NAN, NAN, True),  # hidden: left out
        ("org_type", "Health provider", "a", 10, 2.8, 1.0, False),
        ("org_type", "VCSE", "a", 10, 2.0, 1.0, False),
        ("tenure", "Long", "b", 9, 3.0, 0.5, False),
        ("tenure", "Short", "b", 9, 1.0, 0.5, False),
        # A framework mean has no sd: its gap cannot be checked.
        ("role", "Senior executive", "fw1", 20, 3.5, NAN, False),
        ("role", "Administrative", "fw1", 20, 1.0, NAN, False),
    ],
    columns=["grouping", "group", "measure", "n", "mean", "sd", "suppressed"],
).assign(pct_positive=50.0)
GROUPINGS3 = dict(GROUPINGS, tenure="Time in the system")
# Statement intervals: b 1.80 (1.50 to 2.10) lies below the midpoint 2.5; c 2.40
# (2.10 to 2.70) is below it, but its interval contains it.
SCORES_CI = SCORES.assign(
    ci_low=[2.80, 1.50, 2.10, 2.80, NAN], ci_high=[3.40, 2.10, 2.70, 3.40, NAN], suppressed=False
)


def careful(min_group=10, comparator=COMPARATOR, pool=None, scores=SCORES_CI):
    return fnd.build_findings(
        scores, comparator, KEY_BREAKDOWN, GROUP_SCORES, top_n=2, midpoint=2.5,
        labels=LABELS, grouping_names=GROUPINGS3, key_message_min_group=min_group,
        pool_consistency=pool, pattern_min_systems=3, **SCALE,
    )  # fmt: skip


def test_key_gaps_known_answer():
    gaps, checked = fnd.key_gaps(KEY_BREAKDOWN, 10)
    assert checked == 2  # role and org_type on a; tenure's groups of 9 and fw1 (no sd) not
    assert list(zip(gaps["grouping"], gaps["measure"], strict=True)) == [("role", "a")]
    gap = gaps.iloc[0]
    assert (gap["high_group"], gap["low_group"]) == ("Senior executive", "Administrative")
    assert gap["gap"] == pytest.approx(1.0)
    assert gap["gap_ci_low"] == pytest.approx(0.060439, abs=1e-5)
    assert gap["gap_ci_high"] == pytest.approx(1.939561, abs=1e-5)


def test_a_gap_whose_interval_includes_zero_is_not_a_message():
    text = "\n".join(fnd.key_messages(careful()))
    assert "Organisation type" not in text and "organisation type" not in text
    assert (
        "A gap by role on \u201cAlpha\u201d: Senior executive 3.00 (10 answers) against "
        "Administrative 2.00 (10 answers), a gap of 1.00 (95% interval 0.06 to 1.94). 1 of the 2 "
        "statement gaps checked between groups of at least 10 people has an interval clear of "
        "zero" in text
    )


def test_groups_of_nine_are_not_a_message():
    assert "time in the system" not in "\n".join(fnd.key_messages(careful(min_group=10)))
    # With the setting at 9 the same gap is checked, and leads (interval 1.50 to 2.50).
    gaps, checked = fnd.key_gaps(KEY_BREAKDOWN, 9)
    assert checked == 3
    assert list(gaps["grouping"]) == ["tenure", "role"]
    assert gaps.iloc[0]["gap_ci_low"] == pytest.approx(1.500335, abs=1e-5)
    text = "\n".join(fnd.key_messages(careful(min_group=9)))
    assert "A gap by time in the system on \u201cBeta\u201d: Long 3.00 (9 answers)" in text
    assert "a gap of 2.00 (95% interval 1.50 to 2.50)" in text


def test_no_clear_gap_says_so():
    only_org = KEY_BREAKDOWN[KEY_BREAKDOWN["grouping"] == "org_type"]
    found = fnd.build_findings(
        SCORES_CI, COMPARATOR, only_org, GROUP_SCORES, top_n=2, midpoint=2.5, labels=LABELS,
        grouping_names=GROUPINGS3, **SCALE,
    )  # fmt: skip
    text = "\n".join(fnd.key_messages(found))
    assert (
        "No gap between respondent groups of at least 10 people is clear: for the one "
        "statement gap checked, the 95% interval includes zero." in text
    )


def test_a_midpoint_claim_needs_the_interval():
    below = fnd.beyond_midpoint(SCORES_CI, 2.5, "below")
    assert list(below["item_id"]) == ["b"]  # c 2.40 is below 2.5, its interval is not
    text = "\n".join(fnd.key_messages(careful()))
    assert (
        "1 statement scored below the midpoint of 2.5 with the whole 95% interval below it; "
        "\u201cBeta\u201d 1.80 (95% interval 1.50 to 2.10)." in text
    )
    assert "\u201cGamma\u201d 2.40 (95%" not in text
    # Without intervals (or hidden), no statement is ever said to be below the midpoint.
    assert fnd.beyond_midpoint(SCORES, 2.5, "below").empty
    hidden = SCORES_CI.assign(suppressed=True)
    assert fnd.beyond_midpoint(hidden, 2.5, "below").empty
    assert "below the midpoint" not in "\n".join(fnd.key_messages(careful(scores=SCORES)))


# Over 10 comparator systems: a (3.10 here, the best) is among the five highest in 8,
# b (1.80, the worst) among the five lowest in 9, c (2.40) among the five lowest in 6;
# d in 5 of 10 (half, not most) and e is ranked in 2 systems only (fewer than 3).
POOL = pd.DataFrame(
    [
        ("a", "fw1", 10, 8, 0, 0),
        ("b", "fw1", 10, 0, 9, 9),
        ("c", "fw2", 10, 1, 6, 4),
        ("d", "fw2", 10, 5, 5, 2),
        ("e", "fw2", 2, 0, 2, 2),
    ],
    columns=["item_id", "framework", "systems", "top5", "bottom5", "worst_in_framework"],
)


def test_national_pattern_is_said_in_the_key_messages():
    messages = fnd.key_messages(careful(pool=POOL))
    best = next(m for m in messages if m.startswith("The highest"))
    worst = next(m for m in messages if m.startswith("The lowest"))
    assert best.endswith(
        "It is among the five highest-scoring statements in 8 of the 10 other systems too: "
        "a pattern across systems, not only a local one."
    )
    assert "five lowest-scoring statements in 9 of the 10 other systems too" in worst
    # c is not this pack's worst, so it gets the pattern message; here means are
    # a 3.10, b 1.80, c 2.40, d 3.10: only b is lower than c, so c is 2nd lowest of 4.
    pattern = next(m for m in messages if m.startswith("Some statements score alike"))
    assert pattern == (
        "Some statements score alike in most other systems with responses by this system's "
        "deadline (counted as in the national consistency table): \u201cGamma\u201d (6 of the "
        "10; 2nd lowest of 4 here) is among the five lowest-scoring statements in most of "
        "them. All are listed under the best and worst statements; read them here as part of "
        "that pattern, not only as local findings."
    )


def test_national_pattern_sentences_for_the_best_worst_section():
    assert fnd.pattern_sentences(careful(pool=POOL)) == [
        "\u201cBeta\u201d is among the five lowest-scoring statements in 9 of the 10 other "
        "systems; it is lowest of 4 here.",
        "\u201cGamma\u201d is among the five lowest-scoring statements in 6 of the 10 other "
        "systems; it is 2nd lowest of 4 here.",
        # a and d tie at 3.10: nothing is higher, so a is highest (a shared place).
        "\u201cAlpha\u201d is among the five highest-scoring statements in 8 of the 10 other "
        "systems; it is highest of 4 here.",
    ]


def test_no_pattern_without_a_comparator_pool():
    found = careful(comparator=NO_COMPARATOR, pool=POOL.assign(systems=0, top5=0, bottom5=0))
    messages = fnd.key_messages(found)
    assert fnd.pattern_sentences(found) == []
    assert not any(m.startswith("Some statements score alike") for m in messages)
    assert any("nor can this pack say which statements score low or high" in m for m in messages)


def test_claims_hold_as_printed():
    # An upper end of 2.497 prints as 2.50: "wholly below 2.5" would contradict the page.
    edge = SCORES_CI.assign(ci_high=[3.40, 2.497, 2.70, 3.40, NAN])
    assert fnd.beyond_midpoint(edge, 2.5, "below").empty
    # Groups of 10 with sd 1 (half-width 0.939561, above): a gap of 0.942561 has a lower
    # end of 0.003, clear of zero, but printed "0.00": not a key message.
    edge_gap = KEY_BREAKDOWN.copy()
    edge_gap.loc[0, "mean"] = 2.942561
    gaps, checked = fnd.key_gaps(edge_gap, 10)
    assert checked == 2 and gaps.empty


def test_patterns_all_systems_and_the_rest_counted():
    # b is among the five lowest in all 10; four more low statements than the key
    # message names (limit 2): c 6, then f, g, h 7, 8, 9 of 10 (a share order).
    pool = pd.concat(
        [
            POOL.assign(bottom5=[0, 10, 6, 5, 2]),
            pd.DataFrame(
                [("f", "fw2", 10, 0, 7, 0), ("g", "fw2", 10, 0, 8, 0), ("h", "fw2", 10, 0, 9, 0)],
                columns=POOL.columns,
            ),
        ],
        ignore_index=True,
    )
    messages = fnd.key_messages(careful(pool=pool))
    worst = next(m for m in messages if m.startswith("The lowest"))
    assert "five lowest-scoring statements in all 10 other systems too" in worst
    pattern = next(m for m in messages if m.startswith("Some statements score alike"))
    # b is told already; h (9) and g (8) are named, f (7) and c (6) counted; f, g, h have
    # no score here. a (8 of 10 highest) is the best statement, told already.
    assert (
        "\u201ch\u201d (9 of the 10), \u201cg\u201d (8 of the 10) and 2 more statements are "
        "among the five lowest-scoring statements in most of them." in pattern
    )
    # With a high pattern not yet told (a is the best, told), only its count is given.
    lows_and_high = pool.assign(top5=[0, 0, 0, 6, 0, 0, 0, 0])
    pattern = next(m for m in fnd.key_messages(careful(pool=lows_and_high)) if m.startswith("Some"))
    assert (
        "and 2 more statements are among the five lowest-scoring statements in most of "
        "them, and 1 statement is among the five highest-scoring in most." in pattern
    )


def test_group_gap_enquiry_lines_follow_the_key_message_rule():
    # KEY_BREAKDOWN (hand-worked in test_key_gaps_known_answer): only role on Alpha,
    # 3.00 against 2.00 between groups of 10, has an interval clear of zero (0.06 to
    # 1.94). The org_type gap on Alpha, whose interval includes zero, gets no line.
    rule = rules(
        {
            "id": "gap",
            "when": "group_gap",
            "threshold": 0.5,
            "text": "{measure} by {grouping}: {high_group} {high_mean} / {low_group} {low_mean}",
        }
    )
    assert fnd.lines_of_enquiry(rule, careful()) == [
        "Alpha by role: Senior executive 3.00 / Administrative 2.00"
    ]
