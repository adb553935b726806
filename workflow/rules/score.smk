# Rules for the score stage (see docs/dataflow.md): statement scores, group
# means, label shares, breakdowns and the comparator for each system's pack,
# and the national tables for the annex.

# Table names (see docs/dataflow.md), for final_targets().
SYSTEM_TABLES = [
    "statement_scores",
    "group_scores",
    "label_distribution",
    "comparator",
    "comparator_summary",
    "breakdown_scores",
    "profile",
]
NATIONAL_TABLES = [
    "statement_scores",
    "group_scores",
    "response_summary",
    "label_distribution",
    "breakdown_scores",
    "breakdown_labels",
    "consistency",
    "profile",
]
# The first system reviewed had no earlier systems to compare with.
FIRST_REVIEWED = min(s.review_order for s in SYSTEMS)


rule score_system:
    input:
        responses=f"{R}/systems/{{sid}}/clean/responses.parquet",
        comparators=comparator_parquets,
        instrument=config["instrument"],
    output:
        statement_scores=f"{R}/systems/{{sid}}/tables/statement_scores.csv",
        group_scores=f"{R}/systems/{{sid}}/tables/group_scores.csv",
        label_distribution=f"{R}/systems/{{sid}}/tables/label_distribution.csv",
        comparator=f"{R}/systems/{{sid}}/tables/comparator.csv",
        comparator_summary=f"{R}/systems/{{sid}}/tables/comparator_summary.csv",
        breakdown_scores=f"{R}/systems/{{sid}}/tables/breakdown_scores.csv",
        profile=f"{R}/systems/{{sid}}/tables/profile.csv",
    log:
        f"{R}/logs/score_system/{{sid}}.log",
    benchmark:
        f"{R}/benchmarks/score_system/{{sid}}.tsv"
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        deadline=lambda wildcards: SYSTEM_BY_ID[wildcards.sid].deadline.isoformat(),
        has_comparator=lambda wildcards: SYSTEM_BY_ID[wildcards.sid].review_order != FIRST_REVIEWED,
    script:
        "../scripts/score_system.py"


rule score_national:
    input:
        responses=all_clean_parquets,
        systems=config["systems_sheet"],
        instrument=config["instrument"],
    output:
        statement_scores=f"{R}/national/tables/statement_scores.csv",
        group_scores=f"{R}/national/tables/group_scores.csv",
        response_summary=f"{R}/national/tables/response_summary.csv",
        label_distribution=f"{R}/national/tables/label_distribution.csv",
        breakdown_scores=f"{R}/national/tables/breakdown_scores.csv",
        breakdown_labels=f"{R}/national/tables/breakdown_labels.csv",
        consistency=f"{R}/national/tables/consistency.csv",
        profile=f"{R}/national/tables/profile.csv",
    log:
        f"{R}/logs/score_national.log",
    benchmark:
        f"{R}/benchmarks/score_national/score_national.tsv"
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        census_date=config["census_date"],
    script:
        "../scripts/score_national.py"
