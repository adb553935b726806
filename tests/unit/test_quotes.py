"""Choosing quotes: relevance, length, group size, spread across roles, analysts' codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from relaudit.instrument import load_instrument
from relaudit.tables import read_publication, read_stage, write_table
from relaudit.text import (
    Context,
    choose_quotes,
    comment_key,
    group_sizes,
    load_lexicon,
    national_text,
    parse_lexicon,
    quotable,
    quote_text,
    statement_contexts,
    system_text,
)

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(ROOT / "config" / "instruments" / "cqc-relational-audit.yaml")
LEXICON = load_lexicon(ROOT / "config" / "lexicon.yaml")
SMALL = parse_lexicon(
    {
        "themes": [{"id": "money", "label": "Money", "terms": ["budget*"]}],
        "concepts": [{"id": "people", "grouping": "dimension", "group": "People", "terms": ["x"]}],
        "attribution": {
            "role": {"wording": {"A": "Role A", "B": "Role B", "C": "Role C"}, "unknown": "X"},
            "org_type": {"wording": {}, "unknown": "organisation not given"},
        },
    }
)

FILLER = "and this sentence carries on for long enough to be quoted in the pack"  # 14 words


def words(n: int, start: str = "w") -> str:
    return " ".join(f"{start}{i}" for i in range(n))


def candidates(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Quotable comments from (comment_key, role, codes)."""
    return pd.DataFrame(
        [
            {"comment_key": k, "role": r, "org_type": "VCSE", "text": f"text {k}", "codes": c}
            for k, r, c in rows
        ]
    )


def picked(quotes: pd.DataFrame, context: str) -> list[str]:
    return list(quotes.loc[quotes["context"] == context, "comment_key"])


@pytest.mark.parametrize(
    ("n_words", "size", "kept"),
    [(14, 5, False), (15, 5, True), (150, 5, True), (151, 5, False), (20, 4, False)],
)
def test_quotable_length_and_group_size(n_words: int, size: int, kept: bool) -> None:
    coded = pd.DataFrame(
        [{"comment_key": "k", "role": "A", "org_type": "VCSE", "text": words(n_words), "codes": ""}]
    )
    by = ["role", "org_type"]
    assert len(quotable(coded, {("A", "VCSE"): size}, 5, by)) == int(kept)


def test_group_sizes_count_respondents_per_role_and_sector() -> None:
    frame = pd.DataFrame({"role": ["A", "A", "B"], "org_type": ["X", "X", "X"]})
    assert group_sizes(frame, ["role", "org_type"]) == {("A", "X"): 2, ("B", "X"): 1}
    assert group_sizes(frame, ["org_type"]) == {("X",): 3}
    assert group_sizes(frame, []) == {(): 3}


# Worked by hand. Relevance with weights people=2, money=1:
# c1 = 3, a1 = a2 = 2, a3 = b1 = 1. Ranked: c1, a1, a2, a3, b1; role order C, A, B.
# Round one takes c1, a1, b1; round two a2; round three a3.
ROUND_ROBIN = [
    ("k_a1", "A", "people"),
    ("k_a2", "A", "people"),
    ("k_a3", "A", "money"),
    ("k_b1", "B", "money"),
    ("k_c1", "C", "people;money"),
    ("k_d1", "D", "other"),
]


@pytest.mark.parametrize(
    ("per_context", "expected"),
    [
        (1, ["k_c1"]),
        (3, ["k_c1", "k_a1", "k_b1"]),
        (5, ["k_c1", "k_a1", "k_b1", "k_a2", "k_a3"]),
        (9, ["k_c1", "k_a1", "k_b1", "k_a2", "k_a3"]),
    ],
)
def test_round_robin_over_roles(per_context: int, expected: list[str]) -> None:
    context = Context("statement", "s1", {"people": 2, "money": 1})
    quotes = choose_quotes(candidates(ROUND_ROBIN), [context], per_context, SMALL)
    assert picked(quotes, "s1") == expected
    assert list(quotes["rank"]) == list(range(1, len(expected) + 1))


def test_prefers_quotes_not_used_in_an_earlier_context() -> None:
    pool = candidates([("k_a1", "A", "people"), ("k_a2", "A", "people"), ("k_c1", "C", "people")])
    contexts = [
        Context("statement", "first", {"people": 1}),
        Context("statement", "second", {"people": 1}),
        Context("theme", "third", {"people": 1}),
    ]
    quotes = choose_quotes(pool, contexts, 2, SMALL)
    assert picked(quotes, "first") == ["k_a1", "k_c1"]
    # a2 is the only unused one; then a used one fills the second place.
    assert picked(quotes, "second") == ["k_a2", "k_c1"]
    assert picked(quotes, "third") == ["k_a1", "k_c1"]


def test_choice_does_not_depend_on_row_order() -> None:
    context = Context("statement", "s1", {"people": 2, "money": 1})
    pool = candidates(ROUND_ROBIN)
    expected = choose_quotes(pool, [context], 4, SMALL)
    for seed in range(5):
        shuffled = pool.sample(frac=1, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(choose_quotes(shuffled, [context], 4, SMALL), expected)


def test_attribution_is_role_and_sector_only() -> None:
    quotes = choose_quotes(
        candidates([("k1", "A", "money")]), [Context("theme", "money", {"money": 1})], 3, SMALL
    )
    assert list(quotes.columns) == [
        "context_type",
        "context",
        "rank",
        "quote",
        "attribution",
        "comment_key",
    ]
    assert quotes.loc[0, "attribution"] == "Role A, organisation not given"


def scores_for(instrument) -> pd.DataFrame:
    """Statement scores ranked in instrument order (first item best)."""
    ids = instrument.item_ids
    return pd.DataFrame(
        {
            "item_id": ids,
            "mean": [4.0 - i / 10 for i in range(len(ids))],
            "rank": range(1, len(ids) + 1),
        }
    )


def test_statement_contexts_best_then_worst() -> None:
    scores = scores_for(INSTRUMENT)
    scores.loc[scores["item_id"] == "integrity_culture", ["mean", "rank"]] = float("nan")
    chosen = [c.context for c in statement_contexts(scores, INSTRUMENT, LEXICON, 2)]
    ids = INSTRUMENT.item_ids
    assert chosen == [ids[1], ids[2], ids[-1], ids[-2]]
    everything = statement_contexts(scores, INSTRUMENT, LEXICON, 100)
    assert len(everything) == len(ids) - 1  # each statement once, the unranked one left out


def people_responses() -> pd.DataFrame:
    """Five senior executives and five practitioners in VCSE, each with a comment."""
    rows = []
    for i in range(5):
        rows.append(("S", i, "Senior executive", f"The budget is tight {i} {FILLER}"))
        rows.append(("P", i, "Direct service delivery", f"Leaders changed again {i} {FILLER}"))
    return pd.DataFrame(
        [
            {
                "system_id": "sys",
                "response_id": f"{p}{i}",
                "role": role,
                "org_type": "VCSE",
                "comment": text,
                "has_comment": True,
                "late": False,
            }
            for p, i, role, text in rows
        ]
    )


def run_system(frame: pd.DataFrame, analyst: dict, min_group_size: int = 5):
    return system_text(
        frame,
        scores_for(INSTRUMENT),
        INSTRUMENT,
        LEXICON,
        analyst,
        min_group_size=min_group_size,
        per_context=3,
        top_n=2,
    )


def theme_quotes(result, theme: str) -> list[str]:
    quotes = result.quotes
    rows = quotes[(quotes["context_type"] == "theme") & (quotes["context"] == theme)]
    return list(rows["comment_key"])


def test_analyst_sheet_changes_the_quotes() -> None:
    frame = people_responses()
    before = run_system(frame, {})
    practitioners = {comment_key("sys", f"P{i}") for i in range(5)}
    assert set(theme_quotes(before, "leadership_change")) <= practitioners
    assert len(theme_quotes(before, "leadership_change")) == 3
    assert theme_quotes(before, "blame_risk") == []
    # The analyst recodes two practitioners' comments as blame and risk aversion.
    recoded = sorted(practitioners)[:2]
    after = run_system(frame, {key: ["blame_risk"] for key in recoded})
    assert theme_quotes(after, "blame_risk") == recoded
    assert not set(recoded) & set(theme_quotes(after, "leadership_change"))
    assert not before.quotes.equals(after.quotes)


def test_small_groups_are_never_quoted() -> None:
    frame = people_responses()
    frame = frame[frame["response_id"] != "S4"]  # four senior executives left
    result = run_system(frame, {})
    seniors = {comment_key("sys", f"S{i}") for i in range(5)}
    assert not seniors & set(result.quotes["comment_key"])
    assert seniors & set(run_system(frame, {}, min_group_size=4).quotes["comment_key"])


def test_late_comments_are_coded_but_not_quoted_in_the_pack() -> None:
    frame = people_responses()
    frame.loc[frame["response_id"] == "P0", "late"] = True
    result = run_system(frame, {}, min_group_size=4)
    late_key = comment_key("sys", "P0")
    assert late_key in set(result.coded["comment_key"])
    assert late_key not in set(result.quotes["comment_key"])
    leadership = result.theme_counts.set_index("theme").loc["leadership_change"]
    assert leadership["comments"] == 4 and leadership["pct"] == pytest.approx(100 * 4 / 9)


def test_no_response_ids_in_outputs() -> None:
    result = run_system(people_responses(), {})
    for table in (result.quotes, result.sheet, result.coded):
        assert "response_id" not in table.columns
        assert not table.astype(str).isin([f"S{i}" for i in range(5)]).any().any()


def test_national_quotes_mask_the_area_and_use_late_comments() -> None:
    frame = people_responses()
    frame["comment"] = frame["comment"].str.replace("budget", "Anytown budget")
    frame.loc[frame["response_id"] == "S0", "late"] = True
    coded = run_system(frame, {}).coded
    national_scores = scores_for(INSTRUMENT).assign(scope="national")
    result = national_text(
        {"sys": coded},
        {"sys": frame},
        {"sys": ["Anytown", "Any Town"]},
        national_scores,
        INSTRUMENT,
        LEXICON,
        min_group_size=5,
        per_context=5,
        top_n=2,
    )
    quotes = result.quotes
    assert not quotes["quote"].str.contains("Anytown").any()
    money = quotes[quotes["context"] == "finance_resources"]
    assert len(money) == 5
    assert money["quote"].str.contains(r"\[this area\] budget", regex=True).all()
    assert comment_key("sys", "S0") in set(money["comment_key"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- first point\n- second point", "first point second point"),
        ("* one\n  \u2022 two\n3 - 2 = 1", "one two 3 - 2 = 1"),
        ("well-being  matters\r\n", "well-being matters"),
    ],
)
def test_quote_text(text: str, expected: str) -> None:
    assert quote_text(text) == expected


def test_quotes_reach_the_next_stage_as_written_and_the_csv_guarded(tmp_path) -> None:
    quotes = pd.DataFrame(
        {
            "context_type": ["theme", "theme"],
            "context": ["money", "money"],
            "rank": [1, 2],
            "quote": ["=SUM(A1) is what they want", "'quoted' fine"],
            "attribution": ["Role A, x", "Role B, y"],
            "comment_key": ["c000000000001", "c000000000002"],
        }
    )
    published, stage = tmp_path / "quotes.csv", tmp_path / "quotes.parquet"
    write_table(quotes, "text/quotes", published, stage)
    assert published.read_text(encoding="utf-8").count("'=SUM") == 1
    pd.testing.assert_frame_equal(read_stage(stage, "text/quotes"), quotes, check_dtype=False)
    # The disclosure audit reads what was published, guard undone once.
    pd.testing.assert_frame_equal(
        read_publication(published, "text/quotes"), quotes, check_dtype=False
    )


def test_written_sheet_carries_the_analyst_codes_forward() -> None:
    frame = people_responses()
    key = comment_key("sys", "P0")
    sheet = run_system(frame, {key: ["blame_risk", "trust"]}).sheet.set_index("comment_key")
    assert sheet.loc[key, "analyst_codes"] == "blame_risk;trust"
    assert (sheet.drop(index=key)["analyst_codes"] == "").all()


def test_per_target_statements_are_item_ids_with_their_concepts() -> None:
    council = load_instrument(
        ROOT / "tests" / "fixtures" / "instruments" / "council-partner-relationships.yaml"
    )
    lexicon = parse_lexicon(
        {
            "themes": [{"id": "money", "label": "Money", "terms": ["budget*"]}],
            "concepts": [
                {"id": "trust", "grouping": "aspect", "group": "Trust", "terms": ["trust*"]}
            ],
            "attribution": {"provider_type": {"wording": {}, "unknown": "Provider"}},
        },
        "council.yaml",
        council,
    )
    scores = pd.DataFrame(
        {"item_id": ["keeps_promises", "replies_promptly"], "mean": [3.0, 2.0], "rank": [1, 2]}
    )
    contexts = statement_contexts(scores, council, lexicon, 1)
    assert [c.context for c in contexts] == ["keeps_promises", "replies_promptly"]
    assert contexts[0].weights == {"trust": 2}
    assert contexts[1].weights == {}


def test_a_system_without_comments_gives_empty_tables() -> None:
    frame = people_responses().assign(comment="", has_comment=False)
    result = run_system(frame, {})
    assert result.quotes.empty and result.sheet.empty and result.coded.empty
    assert (result.theme_counts["comments"] == 0).all()
    assert result.theme_counts["pct"].isna().all()
    assert set(result.comment_rates["comments"]) == {0}
