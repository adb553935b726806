"""Known answers for the annex's analysis sections and appendices (relaudit.annex,
relaudit.appendix, relaudit.contrast): definitions, enablers and barriers, one
respondent group, a divide between two groups, the statement matrix and the
questionnaire.

Every expected value is worked out by hand in the comments beside it, from
the small frames built here; none is taken from the code under test.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from relaudit import annex, appendix, contrast
from relaudit import document as doc
from relaudit.errors import ConfigError
from relaudit.instrument import load_instrument, parse_instrument
from relaudit.sections import resolve
from relaudit.text import AttributionWording, load_lexicon

ROOT = Path(__file__).resolve().parents[2]
CQC_FILE = ROOT / "config" / "instruments" / "cqc-relational-audit.yaml"
CQC = load_instrument(CQC_FILE)
PARTNERS = load_instrument(
    ROOT / "tests" / "fixtures" / "programmes" / "partners" / "instrument.yaml"
)
LEXICON = load_lexicon(ROOT / "config" / "lexicon.yaml", CQC)
SET = CQC.statement_set("communication")  # Integrity × Technology, Proximity: Directness by role
TECH, DIRECT = SET.items


def labels_frame(
    cells: dict[tuple[str, str, str], dict[float, int]], suppressed=()
) -> pd.DataFrame:
    """breakdown_labels rows: (grouping, group, item) -> {score: answers}."""
    rows = []
    for (grouping, group, item), counts in cells.items():
        hidden = (grouping, group, item) in suppressed
        for score, n in counts.items():
            rows.append(
                {
                    "grouping": grouping, "group": group, "item_id": item, "label": f"s{score}",
                    "score": score, "n": float("nan") if hidden else n, "pct": 0.0,
                    "suppressed": hidden, "suppression": "small" if hidden else "", "base": 0,
                }
            )  # fmt: skip
    return pd.DataFrame(rows, columns=annex.ANNEX_TABLES["breakdown_labels"])


def breakdown_frame(rows) -> pd.DataFrame:
    """breakdown_scores rows: (grouping, group, measure, n, mean, suppressed)."""
    return pd.DataFrame(
        [
            {
                "grouping": g, "group": grp, "measure": m, "n": n, "mean": mean,
                "pct_positive": 50.0, "suppressed": hidden,
                "suppression": "small" if hidden else "",
            }
            for g, grp, m, n, mean, hidden in rows
        ],
        columns=annex.ANNEX_TABLES["breakdown_scores"],
    )  # fmt: skip


# --- the instrument's definitions ---------------------------------------------


def test_every_level_of_the_cqc_instrument_has_a_definition():
    for fw in CQC.frameworks:
        levels = [level for values in fw.groupings.values() for level in values]
        assert sorted(fw.definitions) == sorted(levels)
        assert all(len(text.split()) >= 8 for text in fw.definitions.values())


def test_a_definition_of_an_undeclared_level_is_a_config_error():
    data = yaml.safe_load(CQC_FILE.read_text(encoding="utf-8"))
    bad = copy.deepcopy(data)
    bad["frameworks"][1]["definitions"]["Closeness"] = "Not a domain of this framework."
    with pytest.raises(ConfigError, match=r"relational_proximity: definitions of \['Closeness'\]"):
        parse_instrument(bad, source="x.yaml")


def test_definition_blocks_follow_the_groupings():
    blocks = appendix.definition_blocks(CQC)
    # 2 groupings of relational value, 1 of relational proximity.
    assert [b["heading"] for b in blocks] == [
        "Attributes of relational value",
        "Dimensions of relational value",
        "Domains of relational proximity",
    ]
    assert [lv["name"] for lv in blocks[2]["levels"]] == [
        "Directness", "Continuity", "Multiplexity", "Parity", "Commonality",
    ]  # fmt: skip
    # The partners fixture defines two of its three aspects: Openness is named only.
    partners = appendix.definition_blocks(PARTNERS)
    assert partners[0]["heading"] == "Aspects of working together"
    assert [lv["definition"] == "" for lv in partners[0]["levels"]] == [False, False, True]


# --- group moments and intervals ------------------------------------------------


def test_group_moments_from_answer_counts():
    # Scores 1, 1, 3, 3: n = 4, mean = 2, sd = sqrt((1 + 1 + 1 + 1) / 3) = sqrt(4/3).
    labels = labels_frame({("role", "A", TECH): {0: 0, 1: 2, 3: 2, 5: 0}})
    n, mean, sd = contrast.group_moments(labels, "role", "A", TECH)
    assert (n, mean) == (4, 2.0)
    assert sd == pytest.approx(math.sqrt(4 / 3))
    assert contrast.group_moments(labels, "role", "B", TECH) is None


def test_group_moments_of_a_hidden_cell_are_none():
    labels = labels_frame({("role", "A", TECH): {1: 2, 3: 2}}, suppressed={("role", "A", TECH)})
    assert contrast.group_moments(labels, "role", "A", TECH) is None


def test_mean_interval_known_answer():
    # t(0.975, 3) = 3.182446; half width = 3.182446 * sqrt(4/3) / 2 = 1.837386.
    low, high = contrast.mean_interval(4, 2.0, math.sqrt(4 / 3))
    assert low == pytest.approx(2.0 - 1.837386, abs=1e-5)
    assert high == pytest.approx(2.0 + 1.837386, abs=1e-5)


def test_interval_flag():
    assert contrast.interval_flag(-0.5, -0.1) == "lower"
    assert contrast.interval_flag(0.1, 0.5) == "higher"
    assert contrast.interval_flag(-0.1, 0.5) == ""
    assert contrast.interval_flag(2.6, 2.9, reference=2.5) == "higher"
    assert contrast.interval_flag(float("nan"), 1.0) == ""


# --- the divide ---------------------------------------------------------------


def divide_tables(strong: bool):
    # Strong: A scores 4 and 5 (10 each), B 1 and 2 (10 each).
    #   means 4.5 and 1.5, each sd = sqrt(20 * 0.25 / 19) = sqrt(5/19);
    #   se = sqrt(2 * (5/19) / 20) = sqrt(1/38) = 0.162221; Welch df = 38;
    #   t(0.975, 38) = 2.024394; half = 0.328399: interval 2.6716 to 3.3284 (higher).
    # Weak: A scores 2, 2, 4, 4, B 1, 1, 3, 3: means 3 and 2, each sd = sqrt(4/3);
    #   se = sqrt(2 * (4/3) / 4) = 0.816497; df = 6; t(0.975, 6) = 2.446912;
    #   half = 1.997898: interval -0.9979 to 2.9979 (includes 0, no flag).
    a, b = ({4: 10, 5: 10}, {1: 10, 2: 10}) if strong else ({2: 2, 4: 2}, {1: 2, 3: 2})
    n = 20 if strong else 4
    means = (4.5, 1.5) if strong else (3.0, 2.0)
    labels = labels_frame({("role", "Direct service delivery", TECH): a,
                           ("role", "Senior executive", TECH): b})  # fmt: skip
    breakdown = breakdown_frame(
        [
            ("role", "Direct service delivery", TECH, n, means[0], False),
            ("role", "Senior executive", TECH, n, means[1], False),
            ("role", "Direct service delivery", DIRECT, 3, float("nan"), True),
            ("role", "Senior executive", DIRECT, 12, 2.0, False),
        ]
    )
    return breakdown, labels


GROUPS = ["Direct service delivery", "Senior executive"]


def test_divide_rows_strong_difference_is_flagged():
    breakdown, labels = divide_tables(strong=True)
    tech, direct = contrast.divide_rows(breakdown, labels, CQC, SET, GROUPS)
    assert tech["diff"] == pytest.approx(3.0)
    assert tech["low"] == pytest.approx(2.6716, abs=1e-4)
    assert tech["high"] == pytest.approx(3.3284, abs=1e-4)
    assert tech["flag"] == "higher"
    assert contrast.divide_sentence(tech, GROUPS) == (
        "Integrity × Technology: Direct service delivery respondents scored it higher than "
        "Senior executive respondents (4.50 against 1.50; difference +3.00, 95% interval "
        "+2.67 to +3.33)."
    )
    # One group hidden: no difference, and the sentence says why.
    assert math.isnan(direct["diff"]) and direct["flag"] == ""
    assert "too small to show" in contrast.divide_sentence(direct, GROUPS)


def test_divide_rows_weak_difference_is_not_called_higher():
    breakdown, labels = divide_tables(strong=False)
    tech = contrast.divide_rows(breakdown, labels, CQC, SET, GROUPS)[0]
    assert tech["low"] == pytest.approx(-0.9979, abs=1e-4)
    assert tech["high"] == pytest.approx(2.9979, abs=1e-4)
    assert tech["flag"] == ""
    sentence = contrast.divide_sentence(tech, GROUPS)
    assert "do not clearly differ" in sentence and "includes 0" in sentence
    assert "higher" not in sentence and "lower" not in sentence


def test_divide_table_hides_the_small_cell():
    breakdown, labels = divide_tables(strong=True)
    entries = contrast.divide_rows(breakdown, labels, CQC, SET, GROUPS)
    table = annex.divide_table(entries, GROUPS, 5)
    assert "| Integrity × Technology | 4.50 (20) | 1.50 (20) | +3.00 (+2.67 to +3.33) |" in table
    assert "| Proximity\\: Directness | \\* | 2.00 (12) | — |" in table
    assert "Fewer than 5" in table


def test_divide_needs_a_known_set_and_known_groups():
    tables = annex.load_annex_tables({})
    for options, message in [
        ({"statement_set": "nope", "groups": GROUPS}, "no statement set 'nope'"),
        ({"statement_set": "communication", "groups": ["Senior executive", "Chef"]},
         "'Chef' is not a group of 'role'"),
    ]:  # fmt: skip
        with pytest.raises(ConfigError, match=message):
            annex.annex_context(
                CQC, tables, [], min_group_size=5, top_n=5, census_date="2018-04-05",
                sections=[{"id": "divide", "heading": "D", **options}],
            )  # fmt: skip


# --- one respondent group -----------------------------------------------------

WORDING = (
    AttributionWording("role", {"A": "Practitioner", "B": "Senior"}, "Respondent"),
    AttributionWording("org_type", {"V": "VCSE sector", "H": "health provider"}, "Org unknown"),
)


def test_attributions_of_a_group():
    # Role wordings (2) and the unknown, each with the group's own wording.
    assert contrast.attributions_of(WORDING, "org_type", "V") == {
        "Practitioner, VCSE sector",
        "Senior, VCSE sector",
        "Respondent, VCSE sector",
    }
    # A group with no wording is attributed as the question's unknown.
    assert "Senior, Org unknown" in contrast.attributions_of(WORDING, "org_type", "Z")
    # Quotes are not attributed by tenure: no quote can be traced to its groups.
    assert contrast.attributions_of(WORDING, "tenure", "Less than a year") == set()


def quotes_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"context_type": t, "context": c, "rank": r, "quote": q, "attribution": a,
             "comment_key": k}
            for t, c, r, q, a, k in rows
        ],
        columns=annex.ANNEX_TABLES["quotes"],
    )  # fmt: skip


QUOTES = quotes_frame(
    [
        ("theme", "finance", 1, "Theme quote from the sector.", "Senior, VCSE sector", "k3"),
        (
            "statement",
            TECH,
            1,
            "Statement quote from the sector.",
            "Practitioner, VCSE sector",
            "k1",
        ),
        ("statement", TECH, 2, "Quote from a provider.", "Senior, health provider", "k2"),
        (
            "statement",
            DIRECT,
            1,
            "Statement quote from the sector.",
            "Practitioner, VCSE sector",
            "k1",
        ),
        ("statement", DIRECT, 2, "Another sector quote.", "Senior, VCSE sector", "k4"),
    ]
)


def test_group_quotes_statement_first_each_comment_once_none_already_shown():
    seen = {"k4"}
    quotes = annex.group_quotes(QUOTES, contrast.attributions_of(WORDING, "org_type", "V"), seen, 5)
    # k1 (statement, once though chosen twice), k4 already shown, then k3 (theme); k2 is
    # another sector's.
    assert len(quotes) == 2
    assert "Statement quote from the sector" in quotes[0]
    assert "Theme quote from the sector" in quotes[1]
    assert seen == {"k1", "k3", "k4"}
    assert annex.group_quotes(QUOTES, set(), set(), 5) == []


def test_focus_statements_known_answer():
    # Group V on TECH: 10 answers of 4 and 10 of 5: mean 4.5, sd sqrt(5/19) = 0.512989;
    #   t(0.975, 19) = 2.093024; half = 2.093024 * 0.512989 / sqrt(20) = 0.240087:
    #   interval 4.2599 to 4.7401, wholly above the national 3.00: higher, by 1.50.
    # On DIRECT: 1, 1, 3, 3: interval 0.1626 to 3.8374 holds the national 2.50: not listed.
    labels = labels_frame({("org_type", "V", TECH): {4: 10, 5: 10},
                           ("org_type", "V", DIRECT): {1: 2, 3: 2}})  # fmt: skip
    scores = pd.DataFrame({"item_id": [TECH, DIRECT], "mean": [3.0, 2.5]})
    found = contrast.focus_statements(labels, scores, CQC, "org_type", "V")
    assert found["lower"] == []
    (entry,) = found["higher"]
    assert entry["label"] == "Integrity × Technology"
    assert entry["low"] == pytest.approx(4.2599, abs=1e-4)
    assert entry["high"] == pytest.approx(4.7401, abs=1e-4)
    assert entry["diff"] == pytest.approx(1.5)


def focus_tables(vcse_n: float, suppressed: bool) -> dict[str, pd.DataFrame]:
    tables = annex.load_annex_tables({})
    tables["profile"] = pd.DataFrame(
        [
            {"question": "org_type", "group": "VCSE", "n": vcse_n, "pct": 7.0,
             "suppressed": suppressed, "suppression": "small" if suppressed else ""},
            {"question": "org_type", "group": "Health provider", "n": 93.0, "pct": 93.0,
             "suppressed": False, "suppression": ""},
        ],
        columns=annex.ANNEX_TABLES["profile"],
    )  # fmt: skip
    tables["comment_rates"] = pd.DataFrame(
        [{"grouping": "org_type", "group": "VCSE", "respondents": vcse_n, "comments": 4.0,
          "pct": 4 / 7 * 100, "suppressed": suppressed, "suppression": ""}],
        columns=annex.ANNEX_TABLES["comment_rates"],
    )  # fmt: skip
    # The lexicon words role "Direct service delivery" as "Practitioner" and org_type
    # VCSE as "voluntary or community sector".
    tables["quotes"] = quotes_frame(
        [("statement", TECH, 1, "A sector quote that is long enough.",
          "Practitioner, voluntary or community sector", "k9"),
         ("statement", TECH, 2, "A provider quote.", "Practitioner, health provider", "k8")]
    )  # fmt: skip
    return tables


def render_focus(tables) -> str:
    context = annex.annex_context(
        CQC, tables, [], min_group_size=5, top_n=5, census_date="2018-04-05",
        sections=[{"id": "focus_group", "grouping": "org_type", "group": "VCSE",
                   "heading": "The sector", "commentary": "First thought.\n\nSecond thought."}],
        lexicon=LEXICON,
    )  # fmt: skip
    return doc.render_template("annex.qmd.j2", context, doc.TEMPLATE_DIR)


def test_focus_group_section_shows_size_comment_rate_caveat_and_quotes():
    qmd = render_focus(focus_tables(7.0, False))
    section = qmd[qmd.index("# The sector") :]
    assert "7 respondents (7% of all) gave their organisation type as VCSE." in section
    # 4 of the 7 wrote a comment: 57%.
    assert "4 of them (57%) wrote a comment." in section
    assert "**Small numbers.**" in section
    assert "A sector quote that is long enough" in section
    assert "A provider quote" not in section
    assert "::: {.commentary}\nFirst thought\\.\n\nSecond thought\\.\n\n:::" in section


def test_focus_group_hidden_size_is_not_printed():
    qmd = render_focus(focus_tables(float("nan"), True))
    section = qmd[qmd.index("# The sector") :]
    assert "is not shown: fewer than 5 respondents" in section
    assert "wrote a comment" not in section


def test_focus_group_needs_a_group_of_its_question():
    with pytest.raises(ConfigError, match="'Charity' is not a group of 'org_type'"):
        annex.annex_context(
            CQC, annex.load_annex_tables({}), [], min_group_size=5, top_n=5,
            census_date="2018-04-05",
            sections=[{"id": "focus_group", "grouping": "org_type", "group": "Charity"}],
        )  # fmt: skip
    with pytest.raises(ConfigError, match=r"no group"):
        resolve("national", [{"id": "focus_group", "grouping": "org_type"}])


# --- enablers and barriers ----------------------------------------------------


def test_enablers_and_barriers_take_the_best_and_worst_with_their_quotes():
    items = ["fairness_culture", "trust_culture", "proximity_continuity", "trust_people"]
    scores = pd.DataFrame(
        {"item_id": items, "mean": [3.4, 3.1, 1.6, 2.0], "pct_positive": [70.0, 60.0, 20.0, 30.0],
         "n": [100, 100, 90, 95]}
    )  # fmt: skip
    quotes = quotes_frame(
        [
            ("statement", "fairness_culture", 1, "Fair quote.", "Senior, health provider", "a"),
            ("statement", "proximity_continuity", 1, "Change quote.", "Practitioner, VCSE", "b"),
            ("statement", "proximity_continuity", 2, "Shown already.", "Senior, VCSE", "c"),
        ]
    )
    seen = {"c"}
    found = annex.enablers_and_barriers(scores, quotes, CQC, 1, seen, per_statement=2)
    # Top 1: fairness_culture (3.4); bottom 1: proximity_continuity (1.6).
    (best,) = found["enablers"]
    (worst,) = found["barriers"]
    assert (best["item_id"], best["label"], best["mean"]) == (
        "fairness_culture", "Fairness × Culture", 3.4,
    )  # fmt: skip
    assert len(best["quotes"]) == 1 and "Fair quote" in best["quotes"][0]
    assert worst["label"] == "Proximity: Continuity" and worst["reverse"]
    assert len(worst["quotes"]) == 1 and "Change quote" in worst["quotes"][0]
    assert seen == {"a", "b", "c"}


# --- appendices ---------------------------------------------------------------


def test_statement_matrix_has_one_row_per_wording():
    table = appendix.statement_matrix(CQC, "relational_value")
    lines = table.splitlines()
    # Header, separator, 30 statements, 5 of them with a second wording.
    assert len(lines) == 2 + 30 + 5
    assert lines[0].startswith("| Attribute | Dimension | Statement | Questionnaire | Worded |")
    assert (
        "| Integrity | Culture | We work together effectively irrespective of differences in "
        "organisational culture\\. | v1 and v2 | positively |" in table
    )
    assert (
        "| Integrity | Infrastructure | Our buildings enable us to provide seamless care\\. "
        "| v1 | positively |" in table
    )
    assert (
        "|   |   | Our buildings and physical spaces enable us to provide seamless care\\. "
        "| v2 |   |" in table
    )
    proximity = appendix.statement_matrix(CQC, "relational_proximity")
    assert (
        "| Continuity | Organisational and personnel changes slow progress\\. | v1 and v2 "
        "| negatively |" in proximity
    )


def test_statement_matrix_of_a_one_version_instrument_has_no_version_column():
    table = appendix.statement_matrix(PARTNERS, "working_together")
    assert table.splitlines()[0].startswith("| Aspect | Statement | Worded |")
    assert "| Openness | They keep problems from us\\. | negatively |" in table


def test_scale_table_scores_both_ways():
    table = appendix.scale_table(CQC)
    # Positive statements score 0 to 5; negative ones 5 - score.
    assert "| Consistently not true | 0 | 5 |" in table
    assert "| Often true | 3 | 2 |" in table
    partners = appendix.scale_table(PARTNERS)
    # A 1-4 scale reverses to 4 - score + 1; "No contact" and 0 are not scored.
    assert "| Poor | 1 | 4 |" in partners
    assert "| No contact or 0 | not scored | not scored |" in partners


def test_questionnaire_questions_from_the_instrument():
    questions = appendix.questionnaire_questions(CQC)
    assert [q["name"] for q in questions] == [
        "Organisation type", "Role", "Length of time working in this local system",
    ]  # fmt: skip
    org, role, tenure = questions
    assert org["renamed"] == [{"label": "Third or voluntary sector", "report_as": "VCSE"}]
    assert role["other"] == "Other (please specify)" and role["other_versions"] == "v2"
    assert tenure["exclude_multiple"] and tenure["multiple"] == "Multiple"
    service = appendix.questionnaire_questions(PARTNERS)[0]
    assert service["how"] == "one answer" and service["multiple"] == ""
    # A question whose wording is its name is not quoted twice.
    assert tenure["prefix"] == "" and org["prefix"] == "Type of organisation you work for"


def test_enablers_and_barriers_show_at_most_the_quotes_asked_for():
    scores = pd.DataFrame(
        {"item_id": ["fairness_culture", "trust_people"], "mean": [3.4, 2.0],
         "pct_positive": [70.0, 30.0], "n": [100, 95]}
    )  # fmt: skip
    quotes = quotes_frame(
        [("statement", "fairness_culture", r, f"Quote {r}.", "Senior, health provider", f"q{r}")
         for r in (1, 2, 3)]
    )  # fmt: skip
    found = annex.enablers_and_barriers(scores, quotes, CQC, 1, set(), per_statement=2)
    # Ranks 1 and 2 are taken, rank 3 is left for other sections.
    assert ["Quote 1" in q for q in found["enablers"][0]["quotes"]] == [True, False]
    assert "Quote 2" in found["enablers"][0]["quotes"][1]


def test_divide_extremes_rank_only_shown_chosen_groups():
    # Shown: Administrative 2.00, Senior executive 3.00; Other is hidden and Multiple
    # is derived, so neither can be the lowest although their means are lower.
    breakdown = breakdown_frame(
        [
            ("role", "Administrative", TECH, 20, 2.0, False),
            ("role", "Senior executive", TECH, 30, 3.0, False),
            ("role", "Other", TECH, 3, 1.0, True),
            ("role", "Multiple", TECH, 12, 0.5, False),
        ]
    )
    assert annex.divide_extremes(breakdown, CQC, SET, ["Multiple", "Did not answer"]) == [
        "Integrity × Technology: lowest among Administrative respondents (2.00), highest "
        "among Senior executive respondents (3.00)."
    ]
