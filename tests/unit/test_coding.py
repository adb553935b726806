"""Coding comments with the lexicon, analysts' sheets and the text tables."""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit.errors import ConfigError
from relaudit.instrument import load_instrument
from relaudit.io import write_csv
from relaudit.text import (
    _compile_terms,
    apply_analyst_codes,
    coding_sheet,
    comment_key,
    comment_rate_groups,
    comment_rates,
    load_lexicon,
    parse_lexicon,
    read_analyst_sheet,
    split_codes,
    term_pattern,
    theme_counts,
)

ROOT = Path(__file__).resolve().parents[2]
LEXICON_PATH = ROOT / "config" / "lexicon.yaml"
INSTRUMENT_PATH = ROOT / "config" / "instruments" / "cqc-relational-audit.yaml"

SMALL = {
    "themes": [
        {"id": "money", "label": "Money", "concepts": ["people"], "terms": ["budget*", "cuts"]},
        {"id": "talk", "label": "Talking", "terms": ["communicat*", "face to face"]},
    ],
    "concepts": [
        {"id": "people", "grouping": "dimension", "group": "People", "terms": ["staff"]},
        {"id": "trust", "grouping": "attribute", "group": "Trust", "terms": ["trust*"]},
    ],
    "attribution": {
        "role": {"wording": {"Senior executive": "Senior executive"}, "unknown": "Respondent"},
        "org_type": {"wording": {"VCSE": "voluntary sector"}, "unknown": "organisation not given"},
    },
}


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(LEXICON_PATH)


@pytest.fixture(scope="module")
def small():
    return parse_lexicon(SMALL)


@pytest.mark.parametrize(
    ("term", "text", "matches"),
    [
        ("transparen*", "more transparency please", True),
        ("transparen*", "not Transparent at all", True),
        ("transparen*", "nontransparent", False),
        ("open", "be OPEN with us", True),
        ("open", "the opening of a unit", False),
        ("common purpose", "a Common   purpose", True),
        ("common purpose", "common-purpose", True),
        ("common purpose", "common purposes", False),
        ("budget*", "budgetary pressure", True),
        ("face-to-face", "face-to-face meetings", True),
        ("other's shoes", "in each other's shoes", True),
        ("a.b", "axb", False),
    ],
)
def test_term_pattern(term: str, text: str, matches: bool) -> None:
    assert bool(re.search(term_pattern(term), text, re.IGNORECASE)) is matches


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Budget cuts mean fewer staff.", ["money", "people"]),
        ("We communicate face to face and trust each other", ["talk", "trust"]),
        ("Nothing relevant here", []),
        ("STAFF, staff and more Staff", ["people"]),
        ("Trustworthy budgeting", ["money", "trust"]),
    ],
)
def test_suggest_known_answers(small, text: str, codes: list[str]) -> None:
    assert small.suggest(text) == codes


def test_statement_codes_weights_concepts_and_linked_themes(small) -> None:
    # People dimension: concept people (2) and theme money, which links to it (1).
    assert small.statement_codes({"attribute": "Trust", "dimension": "People"}) == {
        "people": 2,
        "trust": 2,
        "money": 1,
    }
    assert small.statement_codes({"domain": "Parity"}) == {}


def test_order_puts_lexicon_codes_first(small) -> None:
    assert small.order(["zeta", "trust", "money", "trust", "alpha"]) == [
        "money",
        "trust",
        "alpha",
        "zeta",
    ]


def test_attribution_wording(small) -> None:
    groups = {"role": "Senior executive", "org_type": "VCSE", "tenure": "Long"}
    assert small.attribution(groups) == "Senior executive, voluntary sector"
    assert small.attribution({"role": "Nobody"}) == "Respondent, organisation not given"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["themes"][0].pop("label"), "label"),
        (lambda d: d["themes"][0].update(id="Money Theme"), "does not match"),
        (lambda d: d["concepts"][0].update(id="money"), "used twice"),
        (lambda d: d["themes"][0].update(concepts=["nowhere"]), "unknown concepts"),
        (lambda d: d["themes"][0].update(terms=["(evil|regex)"]), "does not match"),
        (lambda d: d["themes"][0].update(terms=["bud*get"]), "does not match"),
        (lambda d: d.pop("attribution"), "attribution"),
        (lambda d: d.update(statement_match="most"), "statement_match"),
    ],
)
def test_invalid_lexicon_is_refused(change, message: str) -> None:
    data = copy.deepcopy(SMALL)
    change(data)
    with pytest.raises(ConfigError, match=message):
        parse_lexicon(data)


def test_project_lexicon_has_the_themes(lexicon) -> None:
    assert [t.id for t in lexicon.themes] == [
        "openness_honesty",
        "common_purpose",
        "leadership_change",
        "blame_risk",
        "finance_resources",
        "commissioning_competition",
        "voluntary_sector",
        "communication",
    ]
    assert all(t.label for t in lexicon.themes)


def test_project_lexicon_covers_every_statement_and_group(lexicon) -> None:
    instrument = load_instrument(INSTRUMENT_PATH)
    for item in instrument.items:
        # Every part of every statement's place (attribute and dimension, or
        # domain) has codes that speak to it, and at least one concept.
        relation = lexicon.statement_relation(item.position)
        assert len(relation) == len(item.position), item.id
        for part in relation:
            assert any(lexicon.code(code).kind == "concept" for code in part), item.id
    lexicon.check_against(instrument)
    for entry in lexicon.attribution_wording:
        assert set(instrument.question(entry.question).reported_groups) <= set(entry.wording)


def test_project_lexicon_on_sample_comments(lexicon) -> None:
    text = (
        "Senior managers are not open with us and there is a real blame culture; "
        "the voluntary sector is undervalued."
    )
    # "Senior managers" is not a change of leadership; "undervalued" is respect.
    assert lexicon.suggest(text) == [
        "openness_honesty",
        "blame_risk",
        "voluntary_sector",
        "respect",
        "culture",
    ]


@pytest.mark.parametrize(
    ("text", "not_codes"),
    [
        # The readers: care homes are not the voluntary sector, managers
        # and morale are not organisational change, "competencies" is not competition.
        ("Care homes and home care agencies are rarely part of the conversation.",
         ["voluntary_sector"]),
        ("Managers here are supportive and morale is good.", ["leadership_change"]),
        ("The right people with the right competencies.", ["commissioning_competition"]),
        ("The CCG has a plan for the long term.", ["commissioning_competition", "continuity"]),
        ("We face many challenges and pressures.", ["openness_honesty", "finance_resources"]),
    ],
)  # fmt: skip
def test_project_lexicon_themes_keep_to_their_topic(lexicon, text: str, not_codes) -> None:
    assert not set(lexicon.suggest(text)) & set(not_codes)


def test_project_lexicon_links_name_real_statements(lexicon) -> None:
    instrument = load_instrument(INSTRUMENT_PATH)
    lexicon.check_against(instrument)
    continuity = lexicon.statement_relation(instrument.item("proximity_continuity").position)
    assert continuity == (frozenset({"continuity", "leadership_change"}),)
    assert lexicon.direct_themes("proximity_continuity") == {"leadership_change"}
    assert lexicon.statement_match == "every"


def test_theme_naming_an_unknown_statement_is_refused() -> None:
    instrument = load_instrument(INSTRUMENT_PATH)
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["themes"][0]["statements"] = ["no_such_item"]
    with pytest.raises(ConfigError, match="no_such_item"):
        parse_lexicon(data, "lexicon.yaml", instrument)


def test_comment_key_is_short_stable_and_not_the_id() -> None:
    expected = "c" + hashlib.sha256(b"halton:R_123").hexdigest()[:12]
    assert comment_key("halton", "R_123") == expected
    assert comment_key("halton", "R_123") != comment_key("hartlepool", "R_123")
    assert re.fullmatch(r"c[0-9a-f]{12}", expected)


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("blame_risk;trust", ["blame_risk", "trust"]),
        (" Blame_Risk ; TRUST ,, ", ["blame_risk", "trust"]),
        ("common purpose", ["common_purpose"]),
        ("'=x", ["=x"]),
        ("", []),
        (float("nan"), []),
        (None, []),
    ],
)
def test_split_codes(cell, codes) -> None:
    assert split_codes(cell) == codes


def responses(rows: list[tuple]) -> pd.DataFrame:
    """Responses from (response_id, role, org_type, comment, late) tuples."""
    return pd.DataFrame(
        [
            {
                "system_id": "sys",
                "response_id": rid,
                "role": role,
                "org_type": org,
                "comment": comment,
                "has_comment": bool(comment),
                "late": late,
            }
            for rid, role, org, comment, late in rows
        ]
    )


def test_coding_sheet_lists_comments_by_key(small) -> None:
    frame = responses(
        [
            ("R1", "Senior executive", "VCSE", "Budget cuts hurt", False),
            ("R2", "Administrative", "Other", "", False),
            ("R3", "Other", "VCSE", "We trust staff", True),
        ]
    )
    sheet = coding_sheet(frame, small)
    keys = sorted([comment_key("sys", "R1"), comment_key("sys", "R3")])
    assert list(sheet["comment_key"]) == keys
    by_key = sheet.set_index("comment_key")
    assert by_key.loc[comment_key("sys", "R1"), "suggested_codes"] == "money"
    assert by_key.loc[comment_key("sys", "R3"), "suggested_codes"] == "people;trust"
    assert (sheet["analyst_codes"] == "").all()
    assert "response_id" not in sheet.columns


def test_analyst_codes_replace_suggestions(small, tmp_path) -> None:
    frame = responses(
        [
            ("R1", "Senior executive", "VCSE", "Budget cuts hurt", False),
            ("R2", "Other", "VCSE", "We trust staff", False),
            ("R3", "Other", "VCSE", "staff", False),
        ]
    )
    sheet = coding_sheet(frame, small)
    edited = sheet.drop(columns=["late"]).copy()
    k1, k2, k3 = (comment_key("sys", r) for r in ("R1", "R2", "R3"))
    edited.loc[edited["comment_key"] == k1, "analyst_codes"] = "Trust; talk"
    edited.loc[edited["comment_key"] == k2, "analyst_codes"] = "none"
    extra = pd.DataFrame([{"comment_key": "cdeadbeef0000", "analyst_codes": "money"}])
    path = write_csv(pd.concat([edited, extra], ignore_index=True), tmp_path / "sys.csv")
    analyst = read_analyst_sheet(path)
    coded, warnings = apply_analyst_codes(sheet, analyst, small)
    final = dict(zip(coded["comment_key"], coded["codes"], strict=True))
    assert final == {k1: "talk;trust", k2: "", k3: "people"}
    assert any("match no comment" in w for w in warnings)
    assert list(coded.columns) == ["comment_key", "role", "org_type", "text", "codes", "late"]


def test_unknown_analyst_code_is_kept_with_a_warning(small) -> None:
    sheet = coding_sheet(responses([("R1", "Other", "VCSE", "x", False)]), small)
    coded, warnings = apply_analyst_codes(sheet, {comment_key("sys", "R1"): ["new_theme"]}, small)
    assert coded.loc[0, "codes"] == "new_theme"
    assert any("new_theme" in w for w in warnings)


def test_analyst_sheet_needs_its_columns(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("key,codes\nc1,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="analyst_codes"):
        read_analyst_sheet(path)


def test_theme_counts_known_answer(small) -> None:
    coded = pd.DataFrame({"codes": ["money;trust", "money", "", "talk;people"]})
    table = theme_counts(coded, small)
    assert table.to_dict("records") == [
        {"theme": "money", "label": "Money", "comments": 2, "pct": 50.0},
        {"theme": "talk", "label": "Talking", "comments": 1, "pct": 25.0},
    ]


def test_comment_rates_known_answer_with_suppression() -> None:
    # role A: 6 respondents, 3 comments; role B: 5, 5; role C: 2, 1 (too small,
    # so B, the smallest other group, is hidden as well).
    rows = [("A", True)] * 3 + [("A", False)] * 3 + [("B", True)] * 5 + [("C", True), ("C", False)]
    frame = pd.DataFrame(
        {
            "role": [r for r, _ in rows],
            "org_type": ["VCSE"] * len(rows),
            "has_comment": [c for _, c in rows],
        }
    )
    table = comment_rates(frame, 5, {"role": ["C", "B", "A"], "org_type": []})
    roles = table[table["grouping"] == "role"].set_index("group")
    assert list(roles.index) == ["C", "B", "A"]
    assert roles.loc["A", "respondents"] == 6 and roles.loc["A", "comments"] == 3
    assert roles.loc["A", "pct"] == 50.0 and not roles.loc["A", "suppressed"]
    for hidden in ("B", "C"):
        assert roles.loc[hidden, "suppressed"]
        assert pd.isna(roles.loc[hidden, ["respondents", "comments", "pct"]]).all()
    org = table[table["grouping"] == "org_type"].iloc[0]
    assert (org["respondents"], org["comments"], org["pct"]) == (13, 9, 900 / 13)


def test_comment_rates_follow_attribution_order_then_questionnaire_order(lexicon) -> None:
    instrument = load_instrument(INSTRUMENT_PATH)
    # The CQC instrument asks org_type before role; quotes name role first.
    assert [q.id for q in instrument.questions_with("comment_rates")] == ["org_type", "role"]
    groups = comment_rate_groups(instrument, lexicon)
    assert list(groups) == ["role", "org_type"]
    assert groups["role"] == instrument.question("role").reported_groups


def test_lexicon_is_checked_against_the_instrument() -> None:
    instrument = load_instrument(INSTRUMENT_PATH)
    parse_lexicon(SMALL, "small.yaml", instrument)  # role and org_type: both attribution
    data = copy.deepcopy(SMALL)
    data["attribution"]["tenure"] = {"wording": {}, "unknown": "any time"}
    with pytest.raises(ConfigError, match=r"small\.yaml: attribution words.*tenure.*Fix:"):
        parse_lexicon(data, "small.yaml", instrument)
    del data["attribution"]["tenure"], data["attribution"]["org_type"]
    with pytest.raises(ConfigError, match="attributes quotes by org_type, role"):
        parse_lexicon(data, "small.yaml", instrument)


def test_a_lexicon_for_another_instrument() -> None:
    council = load_instrument(
        ROOT / "tests" / "fixtures" / "instruments" / "council-partner-relationships.yaml"
    )
    data = copy.deepcopy(SMALL)
    data["attribution"] = {
        "provider_type": {"wording": {"Home care": "home care provider"}, "unknown": "provider"}
    }
    lexicon = parse_lexicon(data, "council.yaml", council)
    with pytest.raises(ConfigError, match="attributes quotes by provider_type"):
        parse_lexicon(SMALL, "cqc.yaml", council)
    assert lexicon.attribution({"provider_type": "Home care"}) == "home care provider"
    assert lexicon.attribution({"provider_type": "Supported living"}) == "provider"


def test_schema_file_is_valid_yaml() -> None:
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "lexicon.schema.yaml").read_text())
    assert schema["required"] == ["themes", "concepts", "attribution"]


@pytest.mark.parametrize(
    ("text", "trust"),
    [
        ("There is little trust between partners", True),
        ("In the trust we are under pressure", False),
        ("The NHS Trust board met", False),
        ("The foundation trusts and the acute trust compete", False),
        ("Our trust has grown, and we trust each other", True),
    ],
)
def test_excluded_phrases_do_not_count(lexicon, text: str, trust: bool) -> None:
    assert ("trust" in lexicon.suggest(text)) is trust


# Terms and texts from a small alphabet with spaces, hyphens and apostrophes,
# so that boundaries, stems and multi-word phrases all get exercised.
_WORD = st.text(alphabet="abé'-", min_size=1, max_size=4).filter(lambda w: w.strip("'-"))
_TERM = st.lists(_WORD, min_size=1, max_size=2).map(" ".join) | _WORD.map(lambda w: w + "*")


@settings(max_examples=300, deadline=None)
@given(
    terms=st.lists(_TERM, min_size=1, max_size=5), text=st.text(alphabet="abéAB '-x.", max_size=30)
)
def test_combined_term_pattern_matches_any_single_term(terms: list[str], text: str) -> None:
    # The lexicon compiles a code's terms into one pattern with shared word
    # boundaries; it must match exactly when some single term does.
    combined = _compile_terms(terms).search(text) is not None
    single = any(re.search(term_pattern(t), text, re.IGNORECASE) for t in terms)
    assert combined == single
