"""The instrument extensions of issue 15: {id, name} targets, scale ends, leading numbers.

Expected values come from the contract (shared/spec/council-partner-survey.md):
the department names and ids, the question titles, and the rating-cell rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from relaudit.errors import ConfigError
from relaudit.instrument import leading_whole_number, load_instrument, parse_instrument

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = ROOT / "config" / "programmes" / "council-partners"
PROVIDERS = load_instrument(PROGRAMME / "providers.yaml")
OFFICERS = load_instrument(PROGRAMME / "officers.yaml")
QUESTIONS = [
    "strategic_direction",
    "trust",
    "sharing_information",
    "inclusion_planning",
    "integrated_working",
    "managing_conflicts",
    "roles_responsibilities",
    "responsiveness",
]
DEPARTMENTS = [
    "ao_senior",
    "ao_service",
    "commissioning",
    "procurement",
    "finance",
    "safeguarding",
    "community_agents",
    "strategic_planning",
]


def test_providers_rate_eight_departments_by_id_and_name():
    assert PROVIDERS.item_ids == QUESTIONS
    assert list(PROVIDERS.targets) == DEPARTMENTS
    assert PROVIDERS.target_names["ao_senior"] == "Adult Operations senior managers"
    assert PROVIDERS.target_names["strategic_planning"] == "Strategic planning team"
    columns = PROVIDERS.rating_columns()
    assert len(columns) == 64
    assert columns[0].column == "strategic_direction@ao_senior"
    assert columns[1].column == "strategic_direction@ao_service"
    assert columns[-1].not_rated_column == "responsiveness@strategic_planning not rated"


def test_export_headers_use_the_target_name():
    assert PROVIDERS.resolve_header("Finance - Trust") == "trust@finance"
    assert (
        PROVIDERS.resolve_header("Adult Operations service teams - Integrated working")
        == "integrated_working@ao_service"
    )
    # The id is not what the export says.
    assert PROVIDERS.resolve_header("finance - Trust") == "trust@finance"  # case folds
    assert PROVIDERS.resolve_header("ao_service - Integrated working") is None


def test_officers_rate_the_council_once_with_the_same_clean_shape():
    assert OFFICERS.item_ids == QUESTIONS
    assert list(OFFICERS.targets) == ["council"]
    assert OFFICERS.target_names == {"council": "the council"}
    assert OFFICERS.resolve_header("Trust") == "trust@council"
    assert OFFICERS.resolve_header("Understanding roles and responsibilities") == (
        "roles_responsibilities@council"
    )
    assert [r.column for r in OFFICERS.rating_columns()][:2] == [
        "strategic_direction@council",
        "trust@council",
    ]


def test_each_question_carries_its_two_scale_ends():
    ends = PROVIDERS.item("sharing_information").scale_ends
    assert ends.low == "Information is held back or arrives too late"
    assert ends.high == "Information is shared openly and in good time"
    assert OFFICERS.item("trust").scale_ends.high == "We trust each other to act in good faith"


def test_respondent_questions_of_each_population():
    assert [q.id for q in PROVIDERS.questions] == [
        "area",
        "service_type",
        "size",
        "role",
        "funded_share",
    ]
    assert [q.id for q in OFFICERS.questions] == ["team", "grade", "area"]
    assert all(q.single_choice for q in PROVIDERS.questions + OFFICERS.questions)
    assert PROVIDERS.question("size").reported_groups == [
        "Small",
        "Medium",
        "Large",
        "Did not answer",
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("3 - Information is shared openly", 3),
        ("4-Replies are prompt", 4),
        ("0", 0),
        ("12", 12),
        ("3.", 3),
        ("2.5", None),
        ("2,5", None),
        ("Good", None),
        ("No contact", None),
        ("", None),
        ("-1", None),
    ],
)
def test_leading_whole_number(text, number):
    assert leading_whole_number(text) == number


@pytest.mark.parametrize(
    ("cell", "score"),
    [
        ("1", 1.0),
        ("4", 4.0),
        ("3 - Information is shared openly", 3.0),
        ("5", None),
        ("2.5", None),
        ("Good", None),
        ("0", None),
        ("No contact", None),
    ],
)
def test_a_rating_cell_is_read_by_its_leading_number(cell, score):
    assert PROVIDERS.scale.score(cell) == score


@pytest.mark.parametrize("cell", ["0", "No contact", "no contact", "NO CONTACT", " No Contact "])
def test_no_contact_in_any_case_is_not_a_rating(cell):
    assert PROVIDERS.scale.is_not_applicable(cell)
    assert PROVIDERS.scale.score(cell) is None


@pytest.mark.parametrize("cell", ["5", "2.5", "Good", "contact"])
def test_other_values_are_neither_ratings_nor_no_contact(cell):
    assert PROVIDERS.scale.score(cell) is None
    assert not PROVIDERS.scale.is_not_applicable(cell)


def test_plain_string_targets_still_work():
    # The redesign's fixture: targets as plain names, id = name.
    partners = load_instrument(ROOT / "tests/fixtures/programmes/partners/instrument.yaml")
    assert partners.targets == ("Commissioning", "Finance", "Safeguarding")
    assert partners.target_names["Finance"] == "Finance"
    assert partners.resolve_header("Finance: Their answers are clear.") == "clear_answers@Finance"
    assert partners.item("clear_answers").scale_ends is None
    assert not partners.scale.leading_number
    # Without leading numbers a number is not read from a label.
    assert partners.scale.score("3 - Good") is None


def test_the_relational_audit_instrument_is_unchanged():
    audit = load_instrument(ROOT / "config/instruments/cqc-relational-audit.yaml")
    assert audit.targets == ()
    assert audit.target_names == {}
    assert audit.optional_columns == ()
    assert audit.rating_columns()[0].column == audit.item_ids[0]


def minimal(**changes) -> dict:
    data = {
        "id": "tiny",
        "versions": ["1"],
        "rating_unit": "per_target",
        "targets": [{"id": "a", "name": "Alpha"}, {"id": "b", "name": "Beta"}],
        "target_header": "{target} - {text}",
        "columns": {"response_id": "ID", "submitted": "When", "comment_prefix": "Notes"},
        "scale": {"labels": [{"label": "1", "score": 1}, {"label": "2", "score": 2}]},
        "frameworks": [{"id": "f", "groupings": {"g": ["G"]}}],
        "items": [
            {"id": "q", "framework": "f", "position": {"g": "G"}, "polarity": "positive",
             "text": {"1": "Question"}}
        ],
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"targets": [{"id": "a", "name": "Alpha"}, {"id": "a", "name": "Beta"}]},
            r"targets: ids \['a'\] repeat",
        ),
        (
            {"targets": [{"id": "a", "name": "Alpha"}, {"id": "b", "name": "Alpha"}]},
            r"targets: names \['Alpha'\] repeat",
        ),
        ({"target_header": "{text}"}, r"target_header '\{text\}' has no \{target\}"),
        ({"targets": [{"id": "A b", "name": "Alpha"}]}, r"at targets/0"),
        (
            {"scale": {"leading_number": True, "labels": [{"label": "low", "score": 1},
                                                         {"label": "2", "score": 2}]}},
            r"leading_number is set but label\(s\) \['low'\]",
        ),
        (
            {"items": [{"id": "q", "framework": "f", "position": {"g": "G"},
                        "polarity": "positive", "text": {"1": "Q"}, "scale_ends": {"low": "x"}}]},
            r"at items/0/scale_ends",
        ),
    ],
)  # fmt: skip
def test_a_bad_extension_names_the_file_and_the_fix(changes, message):
    with pytest.raises(ConfigError, match=message) as caught:
        parse_instrument(minimal(**changes), source="tiny.yaml")
    assert str(caught.value).startswith("tiny.yaml")
    assert "Fix:" in str(caught.value)
