# Scores of a populations programme (relaudit.population_scores) and the
# disclosure audit of what they publish (relaudit.disclosure.audit_populations).
#
# Uses only what workflow/rules/populations/common.smk defines: R, POPULATIONS
# (ids in programme order), INSTRUMENT_PATHS (id -> instrument YAML),
# clean_responses(pop), stage(name) and table(name), and registers what it
# builds with register_final() and register_outputs() (rule all and the manifest).

SCORE_TABLES = [
    "question_scores",
    "target_scores",
    "breakdown_scores",
    "cross_analysis",
    "no_contact",
]
# The cross analysis compares two populations (difference = first - second).
CROSS = (
    [config["cross_analysis"]["first"], config["cross_analysis"]["second"]]
    if config.get("cross_analysis")
    else []
)
# Without a cross analysis there is no cross table to write or audit.
POPULATION_SCORE_TABLES = [n for n in SCORE_TABLES if CROSS or n != "cross_analysis"]
# What the build makes by default from this file (for the final targets).
SCORE_TARGETS = [table(name) for name in POPULATION_SCORE_TABLES] + [f"{R}/audit/disclosure.csv"]
register_final(*SCORE_TARGETS)
# The stage Parquet the figures and the report read: hashed in the manifest too.
register_outputs(*(stage(name) for name in POPULATION_SCORE_TABLES))


rule score_populations:
    input:
        responses=[clean_responses(pop) for pop in POPULATIONS],
        instruments=[INSTRUMENT_PATHS[pop] for pop in POPULATIONS],
        script="workflow/scripts/score_populations.py",
    output:
        **{name: table(name) for name in POPULATION_SCORE_TABLES},
        **{f"{name}_stage": stage(name) for name in POPULATION_SCORE_TABLES},
    log:
        f"{R}/logs/score_populations.log",
    conda:
        "../../../environment.yml"
    params:
        populations=POPULATIONS,
        min_group_size=config["min_group_size"],
        cross=CROSS,
        # Which populations the no-contact table covers (default: those rating
        # several targets).
        no_contact_populations=config.get("no_contact_populations"),
    script:
        "../../scripts/score_populations.py"


rule disclosure_audit_populations:
    input:
        **{name: table(name) for name in POPULATION_SCORE_TABLES},
        responses=[clean_responses(pop) for pop in POPULATIONS],
        instruments=[INSTRUMENT_PATHS[pop] for pop in POPULATIONS],
        script="workflow/scripts/disclosure_audit_populations.py",
    output:
        disclosure=f"{R}/audit/disclosure.csv",
    log:
        f"{R}/logs/disclosure_audit_populations.log",
    conda:
        "../../../environment.yml"
    params:
        populations=POPULATIONS,
        min_group_size=config["min_group_size"],
        cross=CROSS,
    script:
        "../../scripts/disclosure_audit_populations.py"
