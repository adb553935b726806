"""The rules of workflow/rules/populations/score.smk, run by Snakemake on tiny clean frames.

A harness Snakefile defines only what score.smk may use from
workflow/rules/populations/common.smk (R, POPULATIONS, INSTRUMENT_PATHS,
clean_responses, stage, table, register_final, register_outputs), so these
rules are tested apart from ingest.
The figures in the tables are the unit tests' (tests/unit/test_population_scores.py).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pipeline import ROOT, run_snakemake
from population_frames import OFFI, PROV, instrument_data

from relaudit.io import read_csv, write_parquet

HARNESS = """
configfile: "{config}"
R = config["results_dir"]
POPULATIONS = ["prov", "offi"]
INSTRUMENT_PATHS = {{p: f"{folder}/{{p}}.yaml" for p in POPULATIONS}}


def clean_responses(pop):
    return f"{{R}}/populations/{{pop}}/clean/responses.parquet"


def stage(name):
    return f"{{R}}/stage/{{name}}.parquet"


def table(name):
    return f"{{R}}/tables/{{name}}.csv"


FINAL_TARGETS = []


def register_final(*paths):
    FINAL_TARGETS.extend(paths)


def register_outputs(*paths):
    pass


include: "{rules}"


rule all:
    input:
        FINAL_TARGETS,
"""


def harness(tmp_path: Path, min_group_size: int) -> tuple[Path, Path]:
    results = tmp_path / "results"
    for pop in (PROV, OFFI):
        write_parquet(pop.responses, results / "populations" / pop.id / "clean/responses.parquet")
    for pop_id, args in (
        ("prov", (["d1", "d2"], "zone", ["A", "B"])),
        ("offi", (["c"], "grade", ["X", "Y"])),
    ):
        data = instrument_data(*args)
        (tmp_path / f"{pop_id}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "results_dir": str(results),
                "min_group_size": min_group_size,
                "cross_analysis": {"first": "prov", "second": "offi"},
                "job_server": False,
            }
        ),
        encoding="utf-8",
    )
    snakefile = tmp_path / "Snakefile"
    snakefile.write_text(
        HARNESS.format(
            config=config,
            folder=tmp_path,
            rules=ROOT / "workflow/rules/populations/score.smk",
        ),
        encoding="utf-8",
    )
    return snakefile, results


def test_the_rules_write_every_table_and_a_clean_disclosure_audit(tmp_path):
    snakefile, results = harness(tmp_path, 2)
    run_snakemake("-s", str(snakefile), "-d", str(ROOT))
    cross = read_csv(results / "tables/cross_analysis.csv")
    assert list(cross.columns[:8]) == [
        "question_id", "prov_n", "prov_mean", "offi_n", "offi_mean",
        "diff", "diff_ci_low", "diff_ci_high",
    ]  # fmt: skip
    # q1: providers' person means average 17.5 / 6 = 2.91667; officers 2.0.
    assert cross.loc[0, "diff"] == 0.916667
    for name in ("question_scores", "target_scores", "breakdown_scores", "no_contact"):
        assert (results / "tables" / f"{name}.csv").is_file()
        assert (results / "stage" / f"{name}.parquet").is_file()
    audit = read_csv(results / "audit/disclosure.csv")
    assert audit["recovered"].sum() == 0


def test_the_audit_fails_the_build_when_a_hidden_group_can_be_worked_out(tmp_path):
    snakefile, results = harness(tmp_path, 2)
    run_snakemake("-s", str(snakefile), "-d", str(ROOT))
    published = results / "tables/breakdown_scores.csv"
    text = published.read_text(encoding="utf-8")
    # Un-hide B on q1 (hidden for P6's sake): the q1 total 6 - A 3 - B 2 = 1.
    leaky = text.replace("prov,zone,B,q1,,,True,secondary", "prov,zone,B,q1,2,2,False,")
    assert leaky != text
    published.write_text(leaky, encoding="utf-8")
    result = run_snakemake(
        "-s", str(snakefile), "-d", str(ROOT), "-f", str(results / "audit/disclosure.csv"),
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "recovers a group of 1" in result.stderr + result.stdout
