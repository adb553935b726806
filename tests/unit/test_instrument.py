"""Tests for relaudit.instrument: the CQC scorecard and a second instrument."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from relaudit.errors import ConfigError
from relaudit.instrument import load_instrument, normalise_header, parse_instrument

ROOT = Path(__file__).resolve().parents[2]
CQC = ROOT / "config" / "instruments" / "cqc-relational-audit.yaml"
SECOND = ROOT / "tests" / "fixtures" / "instruments" / "council-partner-relationships.yaml"


@pytest.fixture(scope="module")
def cqc():
    return load_instrument(CQC)


@pytest.fixture()
def cqc_data():
    return yaml.safe_load(CQC.read_text(encoding="utf-8"))


def test_thirty_five_items_four_negative(cqc):
    assert len(cqc.items) == 35
    assert len(cqc.items_in("relational_value")) == 30
    assert len(cqc.items_in("relational_proximity")) == 5
    negative = sorted(item.id for item in cqc.items if item.reverse)
    assert negative == [
        "proximity_continuity",
        "proximity_directness",
        "proximity_multiplexity",
        "proximity_parity",
    ]


def test_five_items_reworded_in_v2_all_infrastructure(cqc):
    changed = [item for item in cqc.items if item.text["v1"] != item.text["v2"]]
    assert len(changed) == 5
    assert {item.position["dimension"] for item in changed} == {"Infrastructure"}


def test_every_attribute_dimension_cell_filled_once(cqc):
    cells = [
        (item.position["attribute"], item.position["dimension"])
        for item in cqc.items_in("relational_value")
    ]
    assert len(set(cells)) == 30


def test_scale_scores_and_reverse_scoring(cqc):
    scale = cqc.scale
    assert scale.score("Consistently not true") == 0
    assert scale.score("  consistently TRUE ") == 5
    assert scale.score("Often true", reverse=True) == 2
    assert scale.score("Rarely true", reverse=True) == 4
    assert scale.score("Often") is None


def test_respondent_questions_report_names(cqc):
    org = cqc.question("org_type")
    assert [o.report_as for o in org.options] == [
        "Health commissioner",
        "Health provider",
        "Social care commissioner",
        "Social care provider",
        "VCSE",
        "Other",
    ]
    role = cqc.question("role")
    assert role.options[1].report_as == "Direct service delivery"
    assert role.other_text_label == "Other (please specify)"
    assert cqc.question("tenure").exclude_multiple is True
    assert cqc.columns["comment_prefix"] == "Please add any comments"


FAIRNESS = "We treat each other fairly."
RESPECT_VISION = (
    "We understand that different organisations need to achieve their own goals, "
    "but this doesn’t get in the way of shared objectives."
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (FAIRNESS, "fairness_culture"),
        ("12. We treat each other fairly.", "fairness_culture"),
        ("12) We treat each other fairly.", "fairness_culture"),
        ("*We treat each other fairly.", "fairness_culture"),
        ("* 12. We treat each other fairly", "fairness_culture"),
        ("We treat each other fairly", "fairness_culture"),  # dropped full stop
        ("We  treat   each other\tfairly.", "fairness_culture"),  # doubled spaces
        ("  WE TREAT EACH OTHER FAIRLY.  ", "fairness_culture"),
        (RESPECT_VISION, "respect_vision"),  # curly apostrophe as in the instrument
        (RESPECT_VISION.replace("’", "'"), "respect_vision"),  # straight apostrophe
        ("Our buildings enable us to provide seamless care.", "integrity_infrastructure"),  # v1
        (
            "Our buildings and physical spaces enable us to provide seamless care.",
            "integrity_infrastructure",
        ),  # v2
        ("We treat each other unfairly.", None),
        ("IP Address", None),
        ("Please add any comments", None),
        ("", None),
    ],
)
def test_header_matching(cqc, header, expected):
    assert cqc.resolve_header(header) == expected


def test_normalise_header_rules():
    assert normalise_header("3. *Ａｂｃ  ’x’.") == "abc 'x'"  # NFKC folds full-width letters


def test_duplicate_item_id_rejected(cqc_data):
    bad = copy.deepcopy(cqc_data)
    bad["items"][1]["id"] = bad["items"][0]["id"]
    with pytest.raises(ConfigError, match=r"item 2 \(integrity_culture\): duplicate item id"):
        parse_instrument(bad, source="x.yaml")


def test_grid_cell_filled_twice_rejected(cqc_data):
    bad = copy.deepcopy(cqc_data)
    bad["items"][1]["position"]["dimension"] = "Culture"
    with pytest.raises(ConfigError, match="cell Integrity x Culture holds both"):
        parse_instrument(bad, source="x.yaml")


def test_empty_grid_cell_rejected(cqc_data):
    bad = copy.deepcopy(cqc_data)
    del bad["items"][0]
    with pytest.raises(ConfigError, match="no item in cell Integrity x Culture"):
        parse_instrument(bad, source="x.yaml")


def test_unknown_polarity_rejected_by_schema(cqc_data):
    bad = copy.deepcopy(cqc_data)
    bad["items"][3]["polarity"] = "reversed"
    with pytest.raises(ConfigError, match=r"x\.yaml: at items/3/polarity"):
        parse_instrument(bad, source="x.yaml")


def test_missing_version_wording_rejected(cqc_data):
    bad = copy.deepcopy(cqc_data)
    del bad["items"][4]["text"]["v2"]
    with pytest.raises(ConfigError, match=r"no wording for version\(s\) \['v2'\]"):
        parse_instrument(bad, source="x.yaml")


def test_second_instrument_loads():
    second = load_instrument(SECOND)
    assert len(second.items) == 8
    assert second.rating_unit == "per_target"
    assert second.scale.min == 1 and second.scale.max == 4
    assert second.scale.score("Good") == 3
    assert second.scale.score("No contact") is None
    assert second.scale.is_not_applicable("no contact")
    assert second.resolve_header("Commissioning: We are treated as an equal partner.") == (
        "treated_as_partner@Commissioning"
    )
    assert second.resolve_header("We are treated as an equal partner.") is None
    assert second.question("provider_size").options[0].report_as == "Small"


def test_single_choice_questions_have_no_multiple_group():
    partners = load_instrument(ROOT / "tests/fixtures/programmes/partners/instrument.yaml")
    service = partners.question("service")
    assert service.single_choice
    assert service.reported_groups == [
        "Residential care",
        "Home care",
        "Supported living",
        "Did not answer",
    ]
    cqc = load_instrument(ROOT / "config/instruments/cqc-relational-audit.yaml")
    assert cqc.question("role").reported_groups[-2:] == ["Multiple", "Did not answer"]


def test_roles_statement_sets_and_positive_label_come_from_the_yaml():
    partners = load_instrument(ROOT / "tests/fixtures/programmes/partners/instrument.yaml")
    assert [q.id for q in partners.questions_with("attribution")] == ["service"]
    assert [q.id for q in partners.questions_with("profile")] == ["service", "size"]
    assert partners.statement_set("responsiveness").items == ("replies_quickly", "clear_answers")
    assert partners.statement_set("missing") is None
    assert partners.scale.positive_label == "Good"
    assert partners.scale.not_applicable == ("No contact", "0")
    assert partners.frameworks[0].label_name == "Working"
