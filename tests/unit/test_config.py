"""Tests for relaudit.config: the run configuration and the systems sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from relaudit.config import (
    OPTIONAL_SYSTEM_COLUMNS,
    SYSTEM_COLUMNS,
    area_key,
    load_config,
    load_systems,
    match_area,
    validate_config,
)
from relaudit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

HEADER = "\t".join(SYSTEM_COLUMNS + OPTIONAL_SYSTEM_COLUMNS)
GOOD_ROWS = [
    "alpha\tAlpha\t\t1\tv1\t2017-08-15\t2017-08-25\t25",
    "beta-town\tBeta-Town\tBeta Town;Betatown\t2\tv2\t2017-08-25\t2017-09-08\t",
]


def write_sheet(tmp_path: Path, rows: list[str], name: str = "systems.tsv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_committed_sheet_has_twenty_systems_in_review_order():
    systems = load_systems(ROOT / "config" / "systems.tsv", ["v1", "v2"])
    assert len(systems) == 20
    assert [s.review_order for s in systems] == list(range(1, 21))
    assert [s.questionnaire_version for s in systems].count("v1") == 7
    stoke = next(s for s in systems if s.system_id == "stoke-on-trent")
    assert stoke.aliases == ("Stoke on Trent",)
    assert systems[0].deadline == dt.date(2017, 8, 25)
    assert systems[5].sent_to == 153


def test_shared_csv_sheet_is_accepted(tmp_path):
    # The spec's systems.csv has extra columns; a CSV sheet with them loads.
    path = tmp_path / "systems.csv"
    path.write_text(
        "system_id,name,aliases,review_order,questionnaire_version,survey_opened,deadline,"
        "sent_to,responses_at_census\nalpha,Alpha,,1,v1,2017-08-15,2017-08-25,25,16\n",
        encoding="utf-8",
    )
    (system,) = load_systems(path, ["v1"])
    assert system.name == "Alpha"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [*GOOD_ROWS, "alpha\tAlpha again\t\t3\tv1\t2017-09-01\t2017-09-10\t"],
            r"row 3 \(line 4, system_id 'alpha'\), column system_id: duplicate of row 1",
        ),
        (
            [GOOD_ROWS[0], "beta\tBeta\t\t2\tv1\t2017-13-01\t2017-09-08\t"],
            r"row 2 \(line 3, system_id 'beta'\), column survey_opened: '2017-13-01' is not a date",
        ),
        (
            [GOOD_ROWS[0], "beta\tBeta\t\t2\tv1\t01/09/2017\t2017-09-08\t"],
            r"row 2 .*column survey_opened: .*Fix: write the date as YYYY-MM-DD",
        ),
        (
            [GOOD_ROWS[0], "beta\tBeta\t\t2\tv1\t2017-09-20\t2017-09-08\t"],
            r"row 2 .*column survey_opened: opens 2017-09-20 after its deadline 2017-09-08",
        ),
        (
            [GOOD_ROWS[0], "beta\tBeta\t\t2\tv3\t2017-09-01\t2017-09-08\t"],
            r"row 2 .*column questionnaire_version: unknown version 'v3'. Fix: use one of v1, v2",
        ),
        (
            [GOOD_ROWS[0], "Beta!\tBeta\t\t2\tv1\t2017-09-01\t2017-09-08\t"],
            r"row 2 .*column system_id: .*lower-case letters",
        ),
        (
            [GOOD_ROWS[0], "beta\tBeta\t\t1\tv1\t2017-09-01\t2017-09-08\t"],
            r"row 2 .*column review_order: 1 is also used by row 1",
        ),
        (
            [GOOD_ROWS[0], "beta\tAlpha\t\t2\tv1\t2017-09-01\t2017-09-08\t"],
            r"system beta and alpha share the name or alias 'alpha'",
        ),
    ],
)
def test_bad_systems_sheet_names_row_and_column(tmp_path, rows, message):
    path = write_sheet(tmp_path, rows)
    with pytest.raises(ConfigError, match=message) as error:
        load_systems(path, ["v1", "v2"])
    assert str(path) in str(error.value)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "systems.tsv"
    path.write_text("system_id\tname\nalpha\tAlpha\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"header lacks column.*review_order"):
        load_systems(path, ["v1"])


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("Beta-Town", "beta-town"),
        ("beta town", "beta-town"),
        ("BETA–TOWN", "beta-town"),  # en dash
        ("Betatown", "beta-town"),
        ("  alpha ", "alpha"),
        ("Gamma", None),
        ("", None),
    ],
)
def test_match_area(tmp_path, area, expected):
    systems = load_systems(write_sheet(tmp_path, GOOD_ROWS), ["v1", "v2"])
    found = match_area(area, systems)
    assert (found.system_id if found else None) == expected


def test_area_key_folds_ligatures():
    assert area_key("Sheﬃeld") == area_key("Sheffield")
    assert area_key("Stoke-on-Trent") == area_key("Stoke on Trent")


def test_committed_config_is_valid():
    config = load_config(ROOT / "config" / "config.yaml")
    assert config["min_group_size"] == 5
    assert config["census_date"] == "2018-04-05"
    assert config["render"]["formats"] == ["html", "pdf"]
    # Key messages: gaps need groups of 10, national patterns 3 ranked systems.
    assert (config["key_message_min_group"], config["pattern_min_systems"]) == (10, 3)


def test_config_override_from_command_line_dates_become_strings():
    data = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    data["census_date"] = dt.date(2018, 3, 31)  # how --config census_date=2018-03-31 arrives
    assert validate_config(data)["census_date"] == "2018-03-31"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("min_group_size", 0, r"key min_group_size: 0 is less than the minimum of 1"),
        ("min_group_size", "five", r"key min_group_size: 'five' is not of type 'integer'"),
        ("census_date", "5 April 2018", r"key census_date: '5 April 2018' does not match"),
        ("render", {"engine": "latex", "formats": ["html"]}, r"key render.engine: 'latex'"),
        ("results_dirr", "x", r"Additional properties are not allowed"),
        ("key_message_min_group", 1, r"key key_message_min_group: 1 is less than the minimum"),
        ("key_message_min_group", "ten", r"key key_message_min_group: 'ten' is not of type"),
        ("pattern_min_systems", 0, r"key pattern_min_systems: 0 is less than the minimum of 1"),
    ],
)
def test_bad_config_value_is_named(key, value, message):
    data = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    data[key] = value
    with pytest.raises(ConfigError, match=message):
        validate_config(data)
