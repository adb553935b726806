"""Comments of a programme of populations (relaudit.population_text): theme counts and
quotes per population, attributed only to groups of at least min_group_size commenters.

The lexicon (tests/fixtures/must_haves/lexicon.yaml) has two themes: money
[pay*, invoice*, money] and listening [listen*, "hear us"]; quotes are attributed
by provider_type. Expected values are worked out by hand below.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from relaudit.errors import ConfigError
from relaudit.instrument import load_instrument
from relaudit.population_text import population_lexicon, population_text
from relaudit.tables import write_table
from relaudit.text import load_lexicon

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
ATTRIBUTED = FIXTURES / "instruments" / "council-partner-relationships.yaml"
LEXICON = FIXTURES / "must_haves" / "lexicon.yaml"

PAD = "and that is what we would like the council to hear from all of us this year."
MONEY = [
    f"Invoices are paid late every single month. {PAD}",
    f"Payment dates keep slipping for our small team. {PAD}",
    f"We chase money owed for weeks on end. {PAD}",
    f"Pay us on the day you promised us. {PAD}",
]
# Opens on listening, mentions money later: the listening theme's best quote.
BOTH = f"Nobody listens when we raise a concern. The money side is a worry too, {PAD}"
LISTENING = [
    f"They listen to residential homes less than others. {PAD}",
    f"Listening sessions were cancelled twice last spring. {PAD}",
]


def responses(population: str, rows: list[tuple[str, str]]) -> pd.DataFrame:
    """Clean responses: (provider_type, comment) per respondent."""
    return pd.DataFrame(
        {
            "population": population,
            "response_id": [f"{population}-{i}" for i in range(len(rows))],
            "provider_type": [group for group, _ in rows],
            "has_comment": [bool(text) for _, text in rows],
            "comment": [text for _, text in rows],
        }
    )


@pytest.fixture(scope="module")
def instruments(tmp_path_factory):
    # The second population's instrument attributes quotes by no question.
    data = yaml.safe_load(ATTRIBUTED.read_text(encoding="utf-8"))
    for question in data["respondent_questions"]:
        question["roles"] = ["profile", "breakdown"]
    plain = tmp_path_factory.mktemp("instrument") / "plain.yaml"
    plain.write_text(yaml.safe_dump(data), encoding="utf-8")
    return {"sellers": load_instrument(ATTRIBUTED), "buyers": load_instrument(plain)}


def build(instruments, min_group_size=5, buyers=4):
    sellers = responses(
        "sellers",
        [("Home care", text) for text in [*MONEY, BOTH]]
        + [("Home care", "")]
        + [("Residential care", text) for text in LISTENING],
    )
    buyer_rows = responses("buyers", [("Home care", MONEY[i % 4]) for i in range(buyers)])
    return population_text(
        {"sellers": sellers, "buyers": buyer_rows},
        instruments,
        {"sellers": "Sellers", "buyers": "Buyers"},
        load_lexicon(LEXICON),
        populations=["sellers", "buyers"],
        min_group_size=min_group_size,
        per_context=2,
    )


def test_theme_counts_per_population_worked_by_hand(instruments):
    counts, _ = build(instruments)
    table = counts.set_index(["population", "theme"])
    # Sellers: 7 comments; money in 4 + BOTH = 5 (71.43%), listening in BOTH + 2 = 3 (42.86%).
    assert table.loc[("sellers", "money"), "comments"] == 5
    assert table.loc[("sellers", "money"), "pct"] == pytest.approx(500 / 7)
    assert table.loc[("sellers", "listening"), "comments"] == 3
    assert table.loc[("sellers", "listening"), "pct"] == pytest.approx(300 / 7)
    # Buyers: 4 comments, all on money.
    assert table.loc[("buyers", "money"), ["comments", "pct"]].tolist() == [4, 100.0]
    assert table.loc[("buyers", "listening"), "comments"] == 0
    assert counts["population"].tolist() == ["sellers"] * 2 + ["buyers"] * 2


def test_quotes_come_only_from_groups_of_min_group_size_commenters(instruments):
    _, quotes = build(instruments)
    # Home care has 5 commenters among sellers (the sixth did not comment);
    # Residential care only 2, so its listening comments are never quoted.
    sellers = quotes[quotes["population"] == "sellers"]
    assert set(sellers["attribution"]) == {"Home care provider"}
    money = sellers[sellers["context"] == "money"]
    assert money["rank"].tolist() == [1, 2]
    assert set(money["quote"]) <= set(MONEY)
    listening = sellers[sellers["context"] == "listening"]
    assert listening["quote"].tolist() == [BOTH]
    # The 4 buyers are one group (no attribution question) below 5: no quotes.
    assert not (quotes["population"] == "buyers").any()


def test_a_population_without_attribution_questions_is_quoted_by_its_name(instruments):
    _, quotes = build(instruments, min_group_size=5, buyers=5)
    buyers = quotes[quotes["population"] == "buyers"]
    assert len(buyers) == 2 and set(buyers["attribution"]) == {"Buyers"}
    assert buyers["comment_key"].is_unique
    # Comment keys differ across populations even for the same response id.
    assert not set(buyers["comment_key"]) & set(quotes.loc[quotes["population"] == "sellers",
                                                           "comment_key"])  # fmt: skip


def test_the_tables_write_to_their_schemas(instruments, tmp_path):
    counts, quotes = build(instruments)
    write_table(counts, "programme/theme_counts", tmp_path / "t.csv", tmp_path / "t.parquet")
    write_table(quotes, "programme/quotes", tmp_path / "q.csv", tmp_path / "q.parquet")
    header = (tmp_path / "q.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "population,context_type,context,rank,quote,attribution,comment_key"


def test_no_comments_give_empty_tables(instruments):
    empty = responses("sellers", [("Home care", "")])
    counts, quotes = population_text(
        {"sellers": empty},
        instruments,
        {},
        load_lexicon(LEXICON),
        populations=["sellers"],
        min_group_size=5,
        per_context=2,
    )
    assert counts["comments"].tolist() == [0, 0]
    assert quotes.empty


def test_an_attribution_question_without_wording_is_a_config_error(instruments):
    lexicon = load_lexicon(LEXICON)
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    data["attribution"] = {"other_question": {"wording": {}, "unknown": "Someone"}}
    from relaudit.text import parse_lexicon

    with pytest.raises(ConfigError, match=r"no wording for question\(s\) provider_type .*Fix"):
        population_lexicon(parse_lexicon(data, "lex.yaml"), instruments["sellers"])
    # A population attributed by no question drops the wording it does not use.
    assert population_lexicon(lexicon, instruments["buyers"]).attribution_questions == []
