# Shared setup of a programme with layout: populations (relaudit.populations):
# validate the configuration and every population's instrument, find each
# population's exports, and define what the stage rule files use: R,
# POPULATIONS, INSTRUMENT_PATHS, EXPORTS and the path helpers. Each rule file
# under workflow/rules/populations/ registers the files it finally builds with
# register_final(), and `rule all` (in the Snakefile) asks for exactly those.
from pathlib import Path

from relaudit.config import validate_config
from relaudit.errors import RelauditError
from relaudit.instrument import load_instrument
from relaudit.populations import (
    WORKSHOPS,
    discover_population_exports,
    population_instruments,
)


# _fail and the job server's hooks.
include: "../hooks.smk"


try:
    # Replaced, not updated: the programme file is also the --configfile, and its
    # id and title become programme_id and programme_title.
    _validated = validate_config(config)
    config.clear()
    config.update(_validated)
    # {population id: instrument path}, in programme order.
    INSTRUMENT_PATHS = population_instruments(config)
    # Parsing each instrument now turns a bad one into a clear message before any job runs.
    INSTRUMENTS = {pop: load_instrument(path) for pop, path in INSTRUMENT_PATHS.items()}
    POPULATIONS = list(INSTRUMENT_PATHS)
    EXPORTS = discover_population_exports(config["raw_dir"], POPULATIONS)
except RelauditError as exc:
    _fail(exc)

R = config["results_dir"]
FORMATS = list(config["render"]["formats"])
# The workshop must-haves, one row each (shared/spec/council-partner-survey.md).
MUST_HAVES_FILE = str(Path(config["raw_dir"]) / WORKSHOPS / "must_haves.csv")


wildcard_constraints:
    population="|".join(POPULATIONS) or "(?!)",


def population_exports(wildcards):
    """Every export file of one population, in filename order."""
    return [str(p) for p in EXPORTS[wildcards.population]]


def optional_file(key):
    """[the configured file] when the key is set and the file exists, else []."""
    path = config.get(key)
    return [str(path)] if path and Path(path).is_file() else []


def clean_responses(pop):
    """One population's clean responses (docs/dataflow.md)."""
    return f"{R}/populations/{pop}/clean/responses.parquet"


def stage(name):
    """A typed table one stage hands the next (relaudit.tables.write_table)."""
    return f"{R}/stage/{name}.parquet"


def table(name):
    """A published table of the programme (spreadsheet-safe CSV)."""
    return f"{R}/tables/{name}.csv"


def audit(name):
    """An audit-tier table of the programme."""
    return f"{R}/audit/{name}.csv"


# What the programme's contract says a build writes (shared/spec/
# council-partner-survey.md). `rule all` asks only for the files some rule
# file registered; contract_gaps() lists the rest, so a missing stage shows.
CONTRACT_OUTPUTS = [
    *(
        table(name)
        for name in (
            "question_scores",
            "target_scores",
            "breakdown_scores",
            "cross_analysis",
            "no_contact",
            "must_haves",
        )
    ),
    *(audit(name) for name in ("reconciliation", "quarantine", "cell_issues")),
    f"{R}/audit/manifest.json",
    f"{R}/coding/must_haves.csv",
    f"{R}/text/theme_counts.csv",
    f"{R}/text/quotes.csv",
    f"{R}/figures/figures.json",
    *(
        f"{R}/report/{document['output']}.{fmt}"
        for document in config["documents"].values()
        for fmt in FORMATS
    ),
]
# Files `rule all` builds, registered by the rule files (register_final).
FINAL_TARGETS = []
# Further outputs the manifest hashes (stage Parquet, coding sheets, ...).
MANIFEST_OUTPUTS = []
# Each rendered document's render.json (relaudit.provenance.read_render_info).
RENDER_INFOS = []


def register_final(*paths, manifest=True):
    """Add files to `rule all` (and, unless manifest=False, to the manifest's outputs)."""
    for path in paths:
        if path not in FINAL_TARGETS:
            FINAL_TARGETS.append(path)
        if manifest and path not in MANIFEST_OUTPUTS:
            MANIFEST_OUTPUTS.append(path)


def register_outputs(*paths):
    """Add files to the manifest's outputs only (intermediate tables, stage Parquet)."""
    for path in paths:
        if path not in MANIFEST_OUTPUTS:
            MANIFEST_OUTPUTS.append(path)


def register_render_info(*paths):
    """Add rendered documents' render.json files to the manifest."""
    for path in paths:
        if path not in RENDER_INFOS:
            RENDER_INFOS.append(path)


def contract_gaps():
    """Contract outputs that no rule file registered (stages not built yet)."""
    return [path for path in CONTRACT_OUTPUTS if path not in FINAL_TARGETS]


def final_targets():
    """Everything `snakemake` builds by default: what the rule files registered."""
    return list(FINAL_TARGETS)


def must_have_codebook():
    """The must-have codebook, when the programme names one and it exists."""
    path = (config.get("must_haves") or {}).get("codebook")
    return [str(path)] if path and Path(path).is_file() else []


def moderated_coding_sheet():
    """The analyst's moderated must-have coding sheet, when there is one."""
    folder = config.get("coding_dir")
    path = Path(folder) / "must_haves.csv" if folder else None
    return [str(path)] if path and path.is_file() else []
