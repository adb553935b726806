# Rules for the free text of a programme of populations (see docs/dataflow.md):
# the workshop must-haves (suggested categories, the analyst's moderation, the
# counts side by side) and the theme counts and quotes of each population's
# comments. Uses only R, POPULATIONS, INSTRUMENT_PATHS, config and the path
# helpers clean_responses, stage and table of common.smk.
from pathlib import Path


def _existing(path):
    """An optional input: [path] when the file exists, else nothing."""
    return [str(path)] if path and Path(path).is_file() else []


MUST_HAVES = config["must_haves"]
MUST_HAVE_SHEET = Path(config["coding_dir"]) / "must_haves.csv"


rule code_must_haves:
    input:
        must_haves=f"{config['raw_dir']}/workshops/must_haves.csv",
        codebook=MUST_HAVES["codebook"],
        # The analyst's moderated copy of the coding sheet: editing it rebuilds the report.
        moderated=lambda wildcards: _existing(MUST_HAVE_SHEET),
        redact_list=lambda wildcards: _existing(config.get("redact_list")),
    output:
        sheet=f"{R}/coding/must_haves.csv",
        table=table("must_haves"),
        table_stage=stage("must_haves"),
        coded=stage("must_haves_coded"),
        audit=f"{R}/audit/must_haves.csv",
    log:
        f"{R}/logs/code_must_haves.log",
    benchmark:
        f"{R}/benchmarks/code_must_haves/code_must_haves.tsv"
    conda:
        "../../../environment.yml"
    params:
        participant_types=MUST_HAVES["participant_types"],
        populations=POPULATIONS,
        min_group_size=config["min_group_size"],
    script:
        "../../scripts/code_must_haves.py"


rule text_populations:
    input:
        responses=[clean_responses(pop) for pop in POPULATIONS],
        instruments=[INSTRUMENT_PATHS[pop] for pop in POPULATIONS],
        lexicon=config["lexicon"],
    output:
        theme_counts=f"{R}/text/theme_counts.csv",
        quotes=f"{R}/text/quotes.csv",
        theme_counts_stage=stage("theme_counts"),
        quotes_stage=stage("quotes"),
    log:
        f"{R}/logs/text_populations.log",
    benchmark:
        f"{R}/benchmarks/text_populations/text_populations.tsv"
    conda:
        "../../../environment.yml"
    params:
        populations=POPULATIONS,
        names={p["id"]: p.get("name", p["id"]) for p in config["populations"]},
        min_group_size=config["min_group_size"],
        quotes_per_context=config["quotes_per_context"],
    script:
        "../../scripts/text_populations.py"


# This file's final targets (and the stage tables the manifest hashes), registered
# with common.smk's register_final / register_outputs; a plain FINAL_TARGETS list
# for `rule all` where those are not defined.
TEXT_FINAL = [
    f"{R}/coding/must_haves.csv",
    table("must_haves"),
    f"{R}/audit/must_haves.csv",
    f"{R}/text/theme_counts.csv",
    f"{R}/text/quotes.csv",
]
TEXT_STAGES = [stage(name) for name in ("must_haves", "must_haves_coded", "theme_counts", "quotes")]
if "register_final" in globals():
    register_final(*TEXT_FINAL)
    register_outputs(*TEXT_STAGES)
else:
    FINAL_TARGETS = [*globals().get("FINAL_TARGETS", []), *TEXT_FINAL]
