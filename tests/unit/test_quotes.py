"""Choosing quotes: relevance, length, group size, spread across roles, analysts' codes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit.instrument import load_instrument
from relaudit.tables import read_publication, read_stage, write_table
from relaudit.text import (
    Context,
    choose_quotes,
    comment_key,
    group_sizes,
    load_lexicon,
    national_text,
    opening_sentence,
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


# Words that match each code of SMALL, so that a comment's words carry its codes.
WORDS = {"people": "x", "money": "budget"}


def candidates(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Quotable comments from (comment_key, role, codes), each saying its codes' words."""
    return pd.DataFrame(
        [
            {
                "comment_key": k,
                "role": r,
                "org_type": "VCSE",
                "text": f"Comment {k} says " + " and ".join(WORDS.get(x, x) for x in c.split(";")),
                "codes": c,
            }
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


def test_no_comment_is_quoted_twice_and_contexts_take_turns() -> None:
    pool = candidates([("k_a1", "A", "people"), ("k_a2", "A", "people"), ("k_c1", "C", "people")])
    contexts = [
        Context("statement", "first", {"people": 1}),
        Context("statement", "second", {"people": 1}),
        Context("theme", "third", {"people": 1}),
    ]
    quotes = choose_quotes(pool, contexts, 2, SMALL)
    # By hand: every context prefers a1, c1, a2 (role A first: a1 has the
    # smallest key; then C; then A's second). Round one: first takes a1,
    # second c1, third a2. Round two: nothing unused is left.
    assert picked(quotes, "first") == ["k_a1"]
    assert picked(quotes, "second") == ["k_c1"]
    assert picked(quotes, "third") == ["k_a2"]
    assert quotes["comment_key"].is_unique


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
        rows.append(("P", i, "Direct service delivery", f"Leadership keeps changing {i} {FILLER}"))
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
    # The analyst recodes two practitioners' comments as blame and risk aversion:
    # they leave the leadership quotes and count for blame, but their words say
    # nothing of blame, so they are not shown as blame quotes.
    recoded = sorted(practitioners)[:2]
    after = run_system(frame, {key: ["blame_risk"] for key in recoded})
    assert not set(recoded) & set(theme_quotes(after, "leadership_change"))
    assert theme_quotes(after, "blame_risk") == []
    assert after.theme_counts.set_index("theme").loc["blame_risk", "comments"] == 2
    assert not before.quotes.equals(after.quotes)


def test_a_theme_quote_says_the_theme_whoever_coded_it() -> None:
    frame = people_responses()
    blamed = comment_key("sys", "P1")
    frame.loc[frame["response_id"] == "P1", "comment"] = (
        f"Nobody will take a risk here because of the blame {FILLER}"
    )
    # The lexicon suggests blame for P1 from its words; the analyst codes P2 to
    # blame too, but P2's words are about leadership, so only P1 is a blame quote.
    result = run_system(frame, {comment_key("sys", "P2"): ["blame_risk"]})
    assert theme_quotes(result, "blame_risk") == [blamed]


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
    # The five budget comments (the late S0 too) are each quoted once: under
    # the finance theme, or the statement on resources it names.
    seniors = {comment_key("sys", f"S{i}") for i in range(5)}
    money = quotes[quotes["comment_key"].isin(seniors)]
    assert sorted(money["comment_key"]) == sorted(seniors)
    assert set(money["context"]) <= {"finance_resources", "proximity_commonality"}
    assert money["quote"].str.contains(r"\[this area\] budget", regex=True).all()


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


# --- the quote rule: commenters, relation to the statement, unique openings ---


def senior_frame(commenters: int, silent: int) -> pd.DataFrame:
    """`commenters` senior executives who commented and `silent` who did not (VCSE)."""
    rows = [
        {
            "system_id": "sys",
            "response_id": f"S{i}",
            "role": "Senior executive",
            "org_type": "VCSE",
            "comment": f"The budget is tight {i} {FILLER}" if i < commenters else "",
            "has_comment": i < commenters,
            "late": False,
        }
        for i in range(commenters + silent)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("commenters", "silent", "quoted"), [(4, 2, False), (5, 0, True)])
def test_a_group_needs_min_group_size_commenters(commenters, silent, quoted) -> None:
    # k = 5. Six senior executives responded but four commented: four commenters
    # is k - 1, so none of them is quoted, although the group has six respondents.
    frame = senior_frame(commenters, silent)
    result = run_system(frame, {})
    assert (len(result.quotes) > 0) is quoted
    rates = result.comment_rates.set_index(["grouping", "group"])
    assert rates.loc[("role", "Senior executive"), "respondents"] == commenters + silent


def test_quotable_counts_commenters() -> None:
    coded = pd.DataFrame(
        [
            {"comment_key": f"k{i}", "role": "A", "org_type": "X", "text": words(20), "codes": ""}
            for i in range(4)
        ]
    )
    by = ["role", "org_type"]
    # Four commenters: with k = 5 none is quotable, with k = 4 all four are.
    assert quotable(coded, group_sizes(coded, by), 5, by).empty
    assert len(quotable(coded, group_sizes(coded, by), 4, by)) == 4


def coded_comments(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    """Coded comments from (comment_key, text, analyst codes or None for the lexicon's)."""
    return pd.DataFrame(
        [
            {
                "comment_key": key,
                "role": "Senior executive",
                "org_type": "VCSE",
                "text": text,
                "codes": codes if codes is not None else ";".join(LEXICON.suggest(text)),
            }
            for key, text, codes in rows
        ]
    )


RELATION = [
    # Finance only: speaks to neither statement.
    ("k1", "Managers here are supportive and morale is good, but the budget is tight this year.",
     None),
    # Change: the continuity statement.
    ("k2", "Constant restructuring means nobody knows who to contact about the falls service.",
     None),
    # Coded to change by an analyst, but its words say nothing of change.
    ("k3", "The weather was fine and the meeting started on time for once this week, thankfully.",
     "leadership_change;continuity"),
    # Blame and staff: the risk-taking statement (Trust x People), which blame names.
    ("k4", "Staff are afraid to take risks in case they are blamed when things go badly.", None),
    # Trust but not people: only half of Trust x People.
    ("k5", "There is a lot of trust between us, and we rely on each other for most things.", None),
]  # fmt: skip


def relation_contexts(lexicon):
    scores = pd.DataFrame(
        {"item_id": ["proximity_continuity", "trust_people"], "mean": [3.0, 2.0], "rank": [1, 2]}
    )
    return statement_contexts(scores, INSTRUMENT, lexicon, 1)


def test_a_statement_quote_relates_to_the_statement() -> None:
    contexts = relation_contexts(LEXICON)
    assert [c.context for c in contexts] == ["proximity_continuity", "trust_people"]
    quotes = choose_quotes(coded_comments(RELATION), contexts, 3, LEXICON)
    # By hand: k1's finance relates to neither; k3's codes are not in its words;
    # k5 speaks to Trust but not to People.
    assert picked(quotes, "proximity_continuity") == ["k2"]
    assert picked(quotes, "trust_people") == ["k4"]


def test_statement_match_any_takes_half_a_statement() -> None:
    lexicon = dataclasses.replace(LEXICON, statement_match="any")
    quotes = choose_quotes(coded_comments(RELATION), relation_contexts(lexicon), 3, lexicon)
    # k4 weighs 4 (blame names the statement: 2; people: 2), k5 2 (trust),
    # k1 1 (finance, a theme linked to People).
    assert picked(quotes, "trust_people") == ["k4", "k5", "k1"]
    assert picked(quotes, "proximity_continuity") == ["k2"]


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        ("Frustrating. More to say here.", "frustrating"),
        ("frustrating!  Nothing works", "frustrating"),
        ("\u201cQuoted start.\u201d Then more.", "quoted start"),
        ("No full stop at all", "no full stop at all"),
        ("Costs rose 3.5% this year. Next", "costs rose 3 5 this year"),
        ("Is it better? Maybe.", "is it better"),
        ("Ef\ufb01cient teams\u2026 sometimes.", "efficient teams"),
    ],
)
def test_opening_sentence(text: str, opening: str) -> None:
    assert opening_sentence(text) == opening


def test_a_comment_that_opens_on_the_theme_ranks_first() -> None:
    pool = pd.DataFrame(
        [
            {"comment_key": "k1", "role": "A", "org_type": "X", "codes": "money",
             "text": "Things are slow. The budget is a worry."},
            {"comment_key": "k2", "role": "A", "org_type": "X", "codes": "money",
             "text": "The budget is a worry. Things are slow."},
        ]
    )  # fmt: skip
    quotes = choose_quotes(pool, [Context("theme", "money", {"money": 1})], 2, SMALL)
    assert picked(quotes, "money") == ["k2", "k1"]


def test_comments_that_open_alike_are_never_both_quoted() -> None:
    pool = pd.DataFrame(
        [
            {"comment_key": "k1", "role": "A", "org_type": "X", "codes": "money",
             "text": "Frustrating. The budget is a worry for all of us."},
            {"comment_key": "k2", "role": "B", "org_type": "X", "codes": "money",
             "text": "frustrating! Budget talks go nowhere."},
            {"comment_key": "k3", "role": "C", "org_type": "X", "codes": "money",
             "text": "Budget cuts again."},
        ]
    )  # fmt: skip
    contexts = [Context("theme", "money", {"money": 1}), Context("statement", "s", {"money": 1})]
    quotes = choose_quotes(pool, contexts, 3, SMALL)
    # By hand: all weigh 1; k3 opens on money, so both contexts prefer k3,
    # then k1, k2 (by key). Round one: money takes k3, s takes k1. Round two:
    # k2 opens as k1 did, so nothing is left.
    assert picked(quotes, "money") == ["k3"]
    assert picked(quotes, "s") == ["k1"]


OPENINGS = ("Frustrating.", "It is a mixed picture.", "Where to start.", "")


@settings(max_examples=200, deadline=None)
@given(
    comments=st.lists(
        st.tuples(
            st.sampled_from(("A", "B", "C")),
            st.sampled_from(OPENINGS),
            st.sets(st.sampled_from(("people", "money")), min_size=1),
        ),
        max_size=12,
    ),
    contexts=st.lists(
        st.dictionaries(st.sampled_from(("people", "money")), st.integers(1, 2), min_size=1),
        min_size=1,
        max_size=4,
    ),
    per_context=st.integers(1, 4),
)
def test_no_two_quotes_of_a_document_open_alike(comments, contexts, per_context) -> None:
    pool = pd.DataFrame(
        [
            {
                "comment_key": f"k{i:02d}",
                "role": role,
                "org_type": "X",
                "text": f"{opening} Comment {i} says " + " and ".join(WORDS[c] for c in codes),
                "codes": ";".join(sorted(codes)),
            }
            for i, (role, opening, codes) in enumerate(comments)
        ],
        columns=["comment_key", "role", "org_type", "text", "codes"],
    )
    chosen = choose_quotes(
        pool,
        [Context("theme", f"t{i}", weights) for i, weights in enumerate(contexts)],
        per_context,
        SMALL,
    )
    openings = [opening_sentence(text) for text in chosen["quote"]]
    assert len(openings) == len(set(openings))
    assert chosen["comment_key"].is_unique
    assert (chosen.groupby("context").size() <= per_context).all()
    # Every chosen quote's words carry a code its context weighs.
    for _, row in chosen.iterrows():
        weights = contexts[int(row["context"][1:])]
        assert any(WORDS[c] in row["quote"].split() for c in weights)
