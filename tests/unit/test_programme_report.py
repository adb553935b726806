"""The report of a programme of populations: rules, section contexts, escaping.

Expected values are worked out by hand from the small tables written here.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import pytest

from relaudit.document import render_template
from relaudit.errors import ConfigError
from relaudit.instrument import RatingColumn
from relaudit.programme_report import (
    Grouping,
    Placed,
    Population,
    ProgrammeView,
    Question,
    ReportData,
    ReportRule,
    ReportRules,
    apply_rules,
    breakdowns,
    check_rule_names,
    data_quality,
    label_distribution,
    load_report_rules,
    must_haves,
    no_contact_averages,
    parse_report_rules,
    questions,
    report_context,
    responses,
)
from relaudit.sections import registry

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "programme_tables"))
import make_tables  # noqa: E402

RULES_FILE = ROOT / "config" / "programmes" / "council-partners" / "report_rules.yaml"


def small_view() -> ProgrammeView:
    return ProgrammeView(
        title="Test programme",
        populations=(
            Population(
                "a",
                "Alphas",
                (("t1", "Team one"), ("t2", "Team two")),
                (Grouping("where", "Where", ("North", "South", "East", "Did not answer")),),
            ),
            Population("b", "Betas", (("all", "everyone"),), ()),
        ),
        questions=(
            Question("q1", "First", "bad one", "good one"),
            Question("q2", "Second", "bad two", "good two"),
            Question("q3", "Third"),
        ),
        min_group_size=5,
        first="a",
        second="b",
        target_noun="team",
    )


def small_tables() -> dict[str, pd.DataFrame]:
    cross = pd.DataFrame(
        {
            "question_id": ["q1", "q2", "q3"],
            "a_n": [30, 31, 29],
            "a_mean": [2.10, 1.90, 2.60],
            "b_n": [12, 12, 11],
            "b_mean": [2.90, 2.00, 2.50],
            # q1: clear (both ends below 0); q2: includes 0; q3: clear above 0.
            "diff": [-0.80, -0.10, 0.10],
            "diff_ci_low": [-1.20, -0.50, 0.02],
            "diff_ci_high": [-0.40, 0.30, 0.18],
        }
    )
    no_contact = pd.DataFrame(
        {
            "target": ["t1", "t1", "t1", "t2", "t2", "t2"],
            "question_id": ["q1", "q2", "q3"] * 2,
            "no_contact": [3, 5, 4, 1, 2, 0],
        }
    )
    target_scores = pd.DataFrame(
        {
            "population": ["a", "a", "a", "b"],
            "target": ["t1", "t2", "overall", "overall"],
            "n_ratings": [80, 70, 150, 35],
            "mean": [2.40, 2.05, 2.2333, 2.4667],
        }
    )
    breakdown = pd.DataFrame(
        {
            "population": ["a"] * 5,
            "grouping": ["where"] * 5,
            "group": ["North", "South", "East", "Did not answer", "North"],
            "question_id": ["overall", "overall", "overall", "overall", "q1"],
            "n": [12, 3, 6, 20, 11],
            "mean": [2.00, math.nan, 1.50, 1.00, 1.75],
            "suppressed": [False, True, False, False, False],
        }
    )
    question_scores = pd.DataFrame(
        {
            "population": ["a", "a", "b"],
            "target": ["t1", "t2", "all"],
            "question_id": ["q1", "q1", "q1"],
            "n": [30, 3, 12],
            "no_contact": [3, 1, 0],
            "mean": [2.25, math.nan, 2.90],
            "sd": [0.8, math.nan, 0.7],
            "ci_low": [1.95, math.nan, 2.46],
            "ci_high": [2.55, math.nan, 3.34],
            "suppressed": [False, True, False],
        }
    )
    return {
        "cross_analysis": cross,
        "no_contact": no_contact,
        "target_scores": target_scores,
        "breakdown_scores": breakdown,
        "question_scores": question_scores,
    }


def rule(kind: str, text: str, **options) -> ReportRule:
    return ReportRule(rule=kind, text=text, **options)


# --------------------------------------------------------------------------- rules


def test_largest_gaps_keeps_only_intervals_clear_of_zero_widest_first():
    lines = apply_rules(
        [
            rule(
                "largest_gaps",
                "{question}: {higher} over {lower} by {gap} ({ci_low} to {ci_high})",
                count=3,
            )
        ],
        small_view(),
        small_tables(),
    )
    # q1 |-0.80| then q3 |0.10|; q2's interval includes 0.
    assert lines == [
        "First: Betas over Alphas by 0.80 (\u22121.20 to \u22120.40)",
        "Third: Alphas over Betas by 0.10 (+0.02 to +0.18)",
    ]


def test_largest_gaps_says_none_when_nothing_is_clear():
    tables = small_tables()
    tables["cross_analysis"] = tables["cross_analysis"].iloc[[1]]
    lines = apply_rules(
        [rule("largest_gaps", "{question}", none="No clear gap.")], small_view(), tables
    )
    assert lines == ["No clear gap."]


def test_lowest_and_highest_questions_use_the_pooled_means():
    view, tables = small_view(), small_tables()
    low = apply_rules(
        [
            rule(
                "lowest_questions",
                "{population}: {question} {mean}/{max} ({n})",
                population="a",
                count=2,
            )
        ],
        view,
        tables,
    )
    assert low == ["Alphas: Second 1.90/4 (31)", "Alphas: First 2.10/4 (30)"]
    high = apply_rules(
        [rule("highest_questions", "{population}: {question} {mean}", population="b")], view, tables
    )
    assert high == ["Betas: First 2.90"]


def test_most_no_contact_is_the_mean_count_over_questions():
    # t1: (3 + 5 + 4) / 3 = 4.0; t2: (1 + 2 + 0) / 3 = 1.0.
    averages = no_contact_averages(small_view(), small_tables()["no_contact"])
    assert list(averages["target"]) == ["t1", "t2"]
    assert list(averages["average"]) == [4.0, 1.0]
    lines = apply_rules(
        [rule("most_no_contact", "{target}: {average} of {population} over {questions} questions")],
        small_view(),
        small_tables(),
    )
    assert lines == ["Team one: 4.0 of Alphas over 3 questions"]


def test_lowest_target_and_overall_scores():
    view, tables = small_view(), small_tables()
    assert apply_rules([rule("lowest_target", "{target} {mean} ({n_ratings})")], view, tables) == [
        "Team two 2.05 (70)"
    ]
    assert apply_rules([rule("overall_scores", "{population} {mean}")], view, tables) == [
        "Alphas 2.23",
        "Betas 2.47",
    ]


def test_weakest_group_skips_small_hidden_and_unanswered_groups():
    view, tables = small_view(), small_tables()
    # East (6, 1.50) is below min_n 10; South is suppressed; "Did not answer" never counts.
    lines = apply_rules(
        [rule("weakest_group", "{group} ({grouping}) {mean} vs {overall_mean}, n={n}", min_n=10)],
        view,
        tables,
    )
    assert lines == ["North (Where) 2.00 vs 2.23, n=12"]
    # Without min_n the floor is min_group_size (5), so East counts.
    lines = apply_rules([rule("weakest_group", "{group} {mean}")], view, tables)
    assert lines == ["East 1.50"]


def test_the_programme_rules_file_is_valid():
    rules = load_report_rules(RULES_FILE)
    assert rules.key_messages and rules.actions
    check_rule_names(rules, make_tables.make_view(), str(RULES_FILE))


def test_an_unknown_placeholder_names_the_file_entry_and_fix():
    data = {"key_messages": [{"rule": "most_no_contact", "text": "{target} {mean}"}], "actions": []}
    with pytest.raises(
        ConfigError, match=r"rules\.yaml: key_messages, entry 1 \(most_no_contact\).*\{mean\}.*Fix"
    ):
        parse_report_rules(data, "rules.yaml")


def test_an_unknown_rule_kind_fails_the_schema():
    data = {"key_messages": [{"rule": "best_ever", "text": "x"}], "actions": []}
    with pytest.raises(
        ConfigError, match=r"rules\.yaml: key_messages, entry 1.*report_rules\.schema"
    ):
        parse_report_rules(data, "rules.yaml")


def test_a_rule_population_must_be_in_the_programme():
    rules = ReportRules((rule("lowest_questions", "{question}", population="nobody"),), ())
    with pytest.raises(ConfigError, match=r"population 'nobody'.*Fix: use one of a, b"):
        check_rule_names(rules, small_view(), "rules.yaml")


# --------------------------------------------------------------------------- label distribution


def test_label_distribution_pools_targets_and_counts_no_contact_apart():
    responses = pd.DataFrame(
        {
            "q1@t1": [1.0, 2.0, math.nan, 4.0, 4.0, math.nan],
            "q1@t1 not rated": [False, False, True, False, False, False],
            "q1@t2": [4.0, math.nan, math.nan, 3.0, math.nan, 1.0],
            "q1@t2 not rated": [False, True, True, False, False, False],
        }
    )
    columns = [RatingColumn("q1@t1", "q1", "t1"), RatingColumn("q1@t2", "q1", "t2")]
    dist = label_distribution(responses, "a", columns, [1.0, 2.0, 3.0, 4.0], 5)
    # Ratings: 1, 2, 4, 4 and 4, 3, 1 -> seven: 1 x2, 2 x1, 3 x1, 4 x3. No contact: 3.
    by_answer = dist.set_index("answer")
    assert list(by_answer.loc[["1", "2", "3", "4"], "n"]) == [2, 1, 1, 3]
    assert by_answer.loc["4", "pct"] == pytest.approx(300 / 7)
    assert by_answer.loc["no_contact", "n"] == 3
    assert by_answer.loc["no_contact", "pct"] == pytest.approx(30.0)  # 3 of 10 answers
    assert not dist["suppressed"].any()


def test_label_distribution_hides_a_question_fewer_than_k_answered():
    responses = pd.DataFrame({"q1": [1.0, 2.0, math.nan], "q1 not rated": [False, False, True]})
    dist = label_distribution(responses, "b", [RatingColumn("q1", "q1")], [1.0, 2.0], 5)
    assert dist["suppressed"].all()
    assert dist["n"].isna().all() and dist["pct"].isna().all()


# --------------------------------------------------------------------------- sections


def data(tables=None) -> ReportData:
    base = {name: pd.DataFrame() for name in ("must_haves", "must_haves_coded")}
    base.update(small_tables())
    base.update(tables or {})
    return ReportData(small_view(), base, [], ReportRules((), ()))


def placed(section_id: str) -> Placed:
    found = registry("programme")[section_id]
    return Placed(found, found.heading)


def test_questions_section_marks_a_suppressed_cell_and_prints_no_number():
    context = questions(data(), placed("questions"))
    first = context["questions"][0]
    assert first["low"] == "bad one" and first["high"] == "good one"
    table = str(first["table"])
    assert "| Alphas\\: Team one | 2.25 | 30 | 1.95 to 2.55 | 3 |" in table
    assert "| Alphas\\: Team two | \\* | \u2014 | \u2014 | \u2014 |" in table
    assert "| Betas | 2.90 | 12 | 2.46 to 3.34 | 0 |" in table
    assert "fewer than 5 respondents" in table.lower()


def test_breakdowns_hide_the_small_group():
    context = breakdowns(data(), placed("breakdowns"))
    table = str(context["populations"][0]["groupings"][0]["table"])
    assert "| North | 2.00 (12) | 1.75 |" in table
    assert "| South | \\* |" in table
    assert "NaN" not in table and "nan" not in table


def test_responses_counts_groups_from_the_overall_rows():
    tables = {
        "reconciliation": pd.DataFrame(
            {
                "population": ["a", "b"],
                "rows_read": [50, 20],
                "kept": [41, 12],
                "quarantined": [4, 3],
                "duplicates": [5, 5],
            }
        )
    }
    context = responses(data(tables), placed("responses"))
    assert context["totals"] == [{"name": "Alphas", "kept": 41}, {"name": "Betas", "kept": 12}]
    table = str(context["group_tables"][0]["table"])
    assert "| Where | North | 12 |" in table
    assert "|   | South | \\* |" in table


def test_data_quality_counts_reasons_and_issues_but_never_prints_a_cell():
    hostile = "=cmd|' /C calc'!A0"
    tables = {
        "reconciliation": pd.DataFrame(
            {
                "population": ["a"],
                "rows_read": [10],
                "kept": [7],
                "quarantined": [2],
                "duplicates": [1],
            }
        ),
        "quarantine": pd.DataFrame(
            {"population": ["a", "a", "a"], "reason": ["no_answers", "no_answers", "duplicate"]}
        ),
        "cell_issues": pd.DataFrame({"population": ["a", "a"], "value": [hostile, "5"]}),
    }
    context = data_quality(data(tables), placed("data_quality"))
    assert "| Alphas | 10 | 7 | 1 | 2 | 2 |" in str(context["reconciliation"])
    assert "| Alphas | No rating given anywhere | 2 |" in str(context["reasons"])
    assert context["n_issues"] == 2
    assert "calc" not in str(context)


def test_must_haves_side_by_side_with_escaped_examples():
    tables = {
        "must_haves": pd.DataFrame(
            {
                "category": ["c1"],
                "label": ["One"],
                "a": [3],
                "b": [1],
                "a_pct": [60.0],
                "b_pct": [25.0],
            }
        ),
        "must_haves_coded": pd.DataFrame(
            {
                "row": [2, 1, 3],
                "population": ["a", "a", "b"],
                "category": ["c1", "c1", "c1"],
                "must_have": ["**loud**", "<script>x</script>", "#set page(fill: red)"],
            }
        ),
    }
    context = must_haves(data(tables), placed("must_haves"), examples=2)
    assert "| One | 3 (60%) | 1 (25%) |" in str(context["table"])
    quotes = [str(q) for q in context["examples"][0]["quotes"]]
    # Row order within a side; every piece escaped.
    assert quotes[0].startswith("> \u201c\\<script\\>x\\<\\/script\\>")
    assert "\\*\\*loud\\*\\*" in quotes[1]
    assert "\\#set page&#40;fill\\: red&#41;" in quotes[2]


def test_every_report_section_has_a_partial():
    partials = {p.stem for p in (ROOT / "templates" / "sections" / "report").glob("*.j2")}
    assert partials == set(registry("programme"))


def test_the_whole_report_escapes_hostile_cells_in_markdown():
    view = make_tables.make_view()
    tables = make_tables.make_tables()
    text = render_template(
        "report.qmd.j2", report_context(view, tables, [], load_report_rules(RULES_FILE))
    )
    assert "<script>" not in text and "<b>" not in text
    assert "\n#set" not in text and " #set" not in text
    assert "\\<script\\>" in text
    assert "\\#set" in text
    # The officers' hostile group is printed, escaped.
    assert "Other \\<b\\>team\\<\\/b\\> \\#set text&#40;red&#41; \\*\\*x\\*\\*" in text
    assert "NaN" not in text and " nan" not in text
