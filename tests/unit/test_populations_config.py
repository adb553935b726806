"""A programme with layout: populations is validated configuration.

The council partner survey's programme file is also the Snakemake
--configfile: Snakemake loads config/config.yaml (the Snakefile's
`configfile:`), then lays the --configfile's keys over it, then --config's. The
tests build the run configuration the same way and check what validation makes
of it, and that every bad programme is an error naming the file, the key and
the fix.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from relaudit.config import (
    is_populations_programme,
    load_programme,
    programme_layout,
    validate_config,
)
from relaudit.errors import ConfigError
from relaudit.populations import discover_population_exports, populations

ROOT = Path(__file__).resolve().parents[2]
COUNCIL = ROOT / "config" / "programmes" / "council-partners.yaml"


@pytest.fixture(autouse=True)
def in_repository(monkeypatch):
    # Programme files name their instruments relative to the repository.
    monkeypatch.chdir(ROOT)


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def snakemake_config(*layers: dict) -> dict:
    """config/config.yaml with each layer's keys laid over it, as Snakemake merges them."""
    config = read_yaml(ROOT / "config" / "config.yaml")
    for layer in layers:
        config.update(copy.deepcopy(layer))
    return config


def write_programme(tmp_path: Path, changes: dict, drop: tuple[str, ...] = ()) -> Path:
    data = read_yaml(COUNCIL)
    data.update(changes)
    for key in drop:
        data.pop(key)
    path = tmp_path / "programme.yaml"
    data["programme"] = str(path)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_council_programme_is_a_configfile_on_top_of_the_relational_config():
    config = validate_config(snakemake_config(read_yaml(COUNCIL)))
    assert config["layout"] == "populations"
    assert config["programme_id"] == "council-partners-demo"
    assert [p["id"] for p in config["populations"]] == ["providers", "officers"]
    assert config["raw_dir"] == "data/council-partners"
    assert config["results_dir"] == "results/council-partners"
    assert config["census_date"] == "2019-06-28"
    assert config["cross_analysis"] == {"first": "providers", "second": "officers"}
    # Nothing of the relational audit's programme leaks in.
    for key in ("systems_sheet", "instrument", "enquiry_rules"):
        assert key not in config
    assert config["documents"]["report"]["scope"] == "programme"
    assert config["documents"]["report"]["output"] == "council-relationships"


def test_command_line_overrides_win_over_the_programme_file():
    overrides = {"raw_dir": "OTHER", "results_dir": "OUT"}
    config = validate_config(snakemake_config(read_yaml(COUNCIL), overrides))
    assert (config["raw_dir"], config["results_dir"]) == ("OTHER", "OUT")


def test_the_layout_is_read_before_validation():
    assert programme_layout(snakemake_config()) == "systems"
    assert not is_populations_programme(snakemake_config())
    assert is_populations_programme(snakemake_config(read_yaml(COUNCIL)))
    # Through `programme` alone (not the --configfile), as --config programme=... gives it.
    assert programme_layout({"programme": str(COUNCIL)}) == "populations"


def test_populations_come_in_programme_order_with_their_instruments():
    config = validate_config(snakemake_config(read_yaml(COUNCIL)))
    found = populations(config)
    assert [(p.id, p.instrument) for p in found] == [
        ("providers", "config/programmes/council-partners/providers.yaml"),
        ("officers", "config/programmes/council-partners/officers.yaml"),
    ]


def test_the_relational_audit_still_validates_unchanged():
    config = validate_config(snakemake_config())
    assert "layout" not in config
    assert config["systems_sheet"] == "config/systems.tsv"


def test_a_systems_programme_with_two_populations_is_still_a_clear_error(tmp_path):
    data = read_yaml(ROOT / "config" / "programmes" / "cqc-relational-audit-2017.yaml")
    data["populations"].append({"id": "managers", "name": "Managers", "raw_dir": "data/raw"})
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        validate_config(snakemake_config({"programme": str(path)}))
    message = str(caught.value)
    assert "key populations" in message
    assert "layout: populations" in message and "Fix:" in message


@pytest.mark.parametrize(
    ("changes", "drop", "key", "fix"),
    [
        # A relational-audit key in a populations programme.
        ({"systems_sheet": "config/systems.tsv"}, (), "key systems_sheet", "remove it"),
        # A population without its instrument (the schema).
        (
            {"populations": [{"id": "providers", "name": "Care providers"}]},
            (),
            "key populations.0",
            "correct the programme file",
        ),
        # Exports are read from raw_dir/<id>/, never a population's own folder.
        (
            {
                "populations": [
                    {
                        "id": "providers",
                        "name": "Care providers",
                        "instrument": "config/programmes/council-partners/providers.yaml",
                        "raw_dir": "elsewhere",
                    }
                ]
            },
            (),
            "key populations.0.raw_dir",
            "set the top-level raw_dir",
        ),
        (
            {"cross_analysis": {"first": "providers", "second": "managers"}},
            (),
            "key cross_analysis.second",
            "use one of providers, officers",
        ),
        (
            {"cross_analysis": {"first": "officers", "second": "officers"}},
            (),
            "key cross_analysis",
            "two different populations",
        ),
        (
            {
                "must_haves": {
                    "codebook": "codebook.yaml",
                    "participant_types": {"provider": "providers", "manager": "managers"},
                }
            },
            (),
            "key must_haves.participant_types.manager",
            "use one of providers, officers",
        ),
        (
            {"documents": {"report": {"scope": "national", "template": "x.j2", "sections": ["a"]}}},
            (),
            "key documents.report.scope",
            "scope: programme",
        ),
        # A programme document needs its output name (the schema).
        (
            {"documents": {"report": {"scope": "programme", "sections": ["a"]}}},
            (),
            "key documents.report",
            "correct the programme file",
        ),
        ({"layout": "regions"}, (), "key layout", "use one of systems, populations"),
        ({}, ("raw_dir",), "(top level)", "correct the programme file"),
    ],
)
def test_a_bad_programme_names_the_file_the_key_and_the_fix(tmp_path, changes, drop, key, fix):
    path = write_programme(tmp_path, changes, drop)
    with pytest.raises(ConfigError) as caught:
        load_programme(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert key in message, message
    assert "Fix:" in message and fix in message, message


def test_a_populations_key_in_a_systems_programme_is_an_error(tmp_path):
    data = read_yaml(ROOT / "config" / "programmes" / "cqc-relational-audit-2017.yaml")
    data["cross_analysis"] = {"first": "staff", "second": "staff"}
    path = tmp_path / "systems.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key cross_analysis: only a programme with layout"):
        load_programme(path)


def test_a_relational_key_given_with_config_is_an_error_too():
    config = snakemake_config(read_yaml(COUNCIL), {"instrument": "x.yaml"})
    with pytest.raises(ConfigError, match=r"config/config.yaml: key instrument: .*Fix: remove it"):
        validate_config(config)


# ---------------------------------------------------------------------------
# Finding each population's exports


def make_raw(tmp_path: Path, folders: dict[str, list[str]]) -> Path:
    raw = tmp_path / "raw"
    for folder, files in folders.items():
        (raw / folder).mkdir(parents=True)
        for name in files:
            (raw / folder / name).write_text("x", encoding="utf-8")
    return raw


def test_exports_are_found_per_population_in_filename_order(tmp_path):
    raw = make_raw(
        tmp_path,
        {
            "providers": ["2019-07-05_export.xlsx", "2019-06-10_export.csv", ".DS_Store"],
            "officers": ["a.csv"],
            "workshops": ["must_haves.csv"],
        },
    )
    found = discover_population_exports(raw, ["providers", "officers"])
    assert [p.name for p in found["providers"]] == [
        "2019-06-10_export.csv",
        "2019-07-05_export.xlsx",
    ]
    assert [p.name for p in found["officers"]] == ["a.csv"]
    assert list(found) == ["providers", "officers"]


@pytest.mark.parametrize(
    ("folders", "message"),
    [
        ({"providers": ["a.csv"], "officers": ["a.csv"], "managers": ["a.csv"]}, "managers"),
        ({"providers": ["a.csv"]}, "no folder of exports for population officers"),
        ({"providers": ["a.csv"], "officers": []}, "no .csv or .xlsx exports"),
        ({"providers": ["a.csv", "notes.txt"], "officers": ["a.csv"]}, "notes.txt"),
    ],
)
def test_an_unusable_raw_folder_is_a_clear_error(tmp_path, folders, message):
    from relaudit.errors import InputFileError

    raw = make_raw(tmp_path, folders)
    with pytest.raises(InputFileError, match="Fix:") as caught:
        discover_population_exports(raw, ["providers", "officers"])
    assert message in str(caught.value)
