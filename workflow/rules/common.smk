# Shared setup: validate the config, instrument and systems sheet, find the
# exports, and define the input functions the other rule files use.
import re
import sys
import warnings
from pathlib import Path

from relaudit.config import validate_config
from relaudit.config import load_systems
from relaudit.comparison import comparator_candidates, without_comparator
from relaudit.errors import RelauditError
from relaudit.ingest import discover_exports
from relaudit.instrument import load_instrument
from relaudit.tables import names as table_names
from relaudit.chartset import NATIONAL, SYSTEM, chart_tables, national_groupings, plan_charts


# _fail and the job server's hooks.
include: "hooks.smk"


try:
    config.update(validate_config(config))
    INSTRUMENT = load_instrument(config["instrument"])
    SYSTEMS = load_systems(config["systems_sheet"], INSTRUMENT.versions)
    with warnings.catch_warnings(record=True) as _caught:
        warnings.simplefilter("always")
        EXPORTS = discover_exports(config["raw_dir"], SYSTEMS)
    for _warning in _caught:
        sys.stderr.write(f"relaudit warning: {_warning.message}\n")
except RelauditError as exc:
    _fail(exc)

R = config["results_dir"]
SYSTEM_BY_ID = {s.system_id: s for s in SYSTEMS}
# Systems with data, in review order: the ones that get a briefing pack.
SYSTEM_IDS = [s.system_id for s in SYSTEMS if s.system_id in EXPORTS]
FORMATS = list(config["render"]["formats"])
DEADLINES = {sid: SYSTEM_BY_ID[sid].deadline.isoformat() for sid in SYSTEM_IDS}
# Every system's questionnaire version: a reworded statement is compared only
# with systems of a comparable wording (relaudit.comparison).
VERSIONS = {sid: SYSTEM_BY_ID[sid].questionnaire_version for sid in SYSTEM_IDS}


wildcard_constraints:
    sid="|".join(re.escape(s) for s in SYSTEM_IDS) or "(?!)",


def raw_exports(wildcards):
    """Every export file of one system, in filename order."""
    return [str(p) for p in EXPORTS[wildcards.sid]]


def clean_parquet(sid):
    return f"{R}/systems/{sid}/clean/responses.parquet"


def comparator_systems(sid):
    """Other systems with data that could hold a response submitted by `sid`'s deadline."""
    return comparator_candidates(SYSTEM_BY_ID[sid], [SYSTEM_BY_ID[s] for s in SYSTEM_IDS])


def comparator_sums(wildcards):
    """The daily sums of every system that can be in this system's comparator."""
    return [
        f"{R}/systems/{other}/clean/daily_sums.parquet"
        for other in comparator_systems(wildcards.sid)
    ]


def all_clean_parquets(wildcards=None):
    return [clean_parquet(sid) for sid in SYSTEM_IDS]


# Analysts' edited coding sheets, one per system where present.
CODING_SHEET_PATHS = [
    str(path) if path.is_file() else ""
    for path in (Path(config["coding_dir"]) / f"{sid}.csv" for sid in SYSTEM_IDS)
]


def all_coding_sheets():
    return [path for path in CODING_SHEET_PATHS if path]


def coding_sheet(wildcards):
    """The analyst-edited coding sheet of a system, when one exists."""
    path = Path(config["coding_dir"]) / f"{wildcards.sid}.csv"
    return [str(path)] if path.exists() else []


# Every chart, from the chart registry (relaudit.chartset): the annex breaks the
# framework means down by the programme's by-group sections, in their order.
NATIONAL_GROUPINGS = national_groupings(INSTRUMENT, config.get("documents"))
CHARTS = {
    SYSTEM: plan_charts(SYSTEM, INSTRUMENT),
    NATIONAL: plan_charts(NATIONAL, INSTRUMENT, NATIONAL_GROUPINGS),
}
SYSTEM_FIGURES = [chart.name for chart in CHARTS[SYSTEM]]
NATIONAL_FIGURES = [chart.name for chart in CHARTS[NATIONAL]]
FIGURE_FORMATS = ["svg", "png"]


def system_figures(sid):
    """figures.json and every chart file of one system, in document order."""
    files = [
        f"{R}/systems/{sid}/figures/{name}.{ext}"
        for name in SYSTEM_FIGURES
        for ext in FIGURE_FORMATS
    ]
    return [f"{R}/systems/{sid}/figures/figures.json"] + files


def national_figures():
    """figures.json and every chart file of the national annex, in document order."""
    files = [
        f"{R}/national/figures/{name}.{ext}" for name in NATIONAL_FIGURES for ext in FIGURE_FORMATS
    ]
    return [f"{R}/national/figures/figures.json"] + files


# Table names: the published tables of each scope's schemas (relaudit.tables).
SYSTEM_TABLES = table_names("system", "published")
NATIONAL_TABLES = table_names("national", "published")
# Text tables the render reads as Parquet (their CSVs are audit tier).
TEXT_TABLES = table_names("text")
SYSTEM_TEXT = ["coding_sheet", "quotes", "theme_counts", "comment_rates"]
NATIONAL_TEXT = ["quotes", "theme_counts", "comment_rates"]
# The first system reviewed had no earlier systems to compare with.
WITHOUT_COMPARATOR = without_comparator(SYSTEMS)


def stage_table(scope, name):
    """The Parquet copy of a table that the next stages read (relaudit.tables)."""
    folder = f"{R}/systems/{{sid}}" if scope == "system" else f"{R}/national"
    return f"{folder}/stage/{name}.parquet"


def stage_outputs(scope, names):
    """{name_stage: path} for each table, the outputs the next stages read."""
    return {f"{name}_stage": stage_table(scope, name) for name in names}


def table_output(scope, name):
    """A table output, listed in the Snakemake report with its caption."""
    if scope == "system":
        path = f"{R}/systems/{{sid}}/tables/{name}.csv"
        where = {"category": "System tables", "subcategory": "{sid}"}
        labels = {"system": "{sid}", "table": name}
    else:
        path = f"{R}/national/tables/{name}.csv"
        where = {"category": "National tables"}
        labels = {"table": name}
    return report(path, caption=f"../report/tables/{name}.rst", labels=labels, **where)


def chart_outputs(scope):
    """Every chart file; the SVGs go into the Snakemake report (the PNGs are for PDF)."""
    folder = f"{R}/systems/{{sid}}/figures" if scope == SYSTEM else f"{R}/national/figures"
    where = (
        {"category": "System figures", "subcategory": "{sid}"}
        if scope == SYSTEM
        else {"category": "National figures"}
    )
    outputs = []
    for chart in CHARTS[scope]:
        name = chart.name
        labels = {"system": "{sid}", "figure": name} if scope == SYSTEM else {"figure": name}
        svg = f"{folder}/{name}.svg"
        outputs.append(report(svg, caption=chart.caption, labels=labels, **where))
        outputs.append(f"{folder}/{name}.png")
    return outputs


def stage(script, inputs, outputs, params):
    """One stage of a merged job (see workflow/scripts/run_stages.py).

    `inputs` maps the stage's input names to ["input" | "output", job name];
    `outputs` and `params` are lists of the job's names the stage uses.
    """
    return {
        "script": script,
        "input": inputs,
        "output": {name: name for name in outputs},
        "params": {name: name for name in params},
    }


def final_targets():
    """Everything `snakemake` builds by default: packs, annex, audit, manifest."""
    return [
        *expand(f"{R}/systems/{{sid}}/briefing.{{fmt}}", sid=SYSTEM_IDS, fmt=FORMATS),
        *expand(f"{R}/national/annex.{{fmt}}", fmt=FORMATS),
        *expand(
            f"{R}/audit/{{name}}.csv",
            name=["reconciliation", "quarantine", "cell_issues", "disclosure"],
        ),
        f"{R}/audit/manifest.json",
    ]
