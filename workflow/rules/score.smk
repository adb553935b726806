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
        statement_scores=report(
            f"{R}/systems/{{sid}}/tables/statement_scores.csv",
            caption="../report/tables/statement_scores.rst",
            category="System tables",
            subcategory="{sid}",
            labels={"system": "{sid}", "table": "statement_scores"},
        ),
        group_scores=report(
            f"{R}/systems/{{sid}}/tables/group_scores.csv",
            caption="../report/tables/group_scores.rst",
            category="System tables",
            subcategory="{sid}",
            labels={"system": "{sid}", "table": "group_scores"},
        ),
        label_distribution=report(
            f"{R}/systems/{{sid}}/tables/label_distribution.csv",
            caption="../report/tables/label_distribution.rst",
            category="System tables",
            subcategory="{sid}",
            labels={"system": "{sid}", "table": "label_distribution"},
        ),
        comparator=report(
            f"{R}/systems/{{sid}}/tables/comparator.csv",
            caption="../report/tables/comparator.rst",
            category="System tables",
            subcategory="{sid}",
            labels={"system": "{sid}", "table": "comparator"},
        ),
        comparator_summary=report(
            f"{R}/systems/{{sid}}/tables/comparator_summary.csv",
            caption="../report/tables/comparator_summary.rst",
            category="System tables",
            subcategory="{sid}",
            labels={"system": "{sid}", "table": "comparator_summary"},
        ),
        breakdown_scores=report(
            f"{R}/systems/{{sid}}/tables/breakdown_scores.csv",
            caption="../report/tables/breakdown_scores.rst",
            category="System tables",
            subcategory="{sid}",
            labels={"system": "{sid}", "table": "breakdown_scores"},
        ),
        profile=report(
            f"{R}/systems/{{sid}}/tables/profile.csv",
            caption="../report/tables/profile.rst",
            category="System tables",
            subcategory="{sid}",
            labels={"system": "{sid}", "table": "profile"},
        ),
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
        statement_scores=report(
            f"{R}/national/tables/statement_scores.csv",
            caption="../report/tables/statement_scores.rst",
            category="National tables",
            labels={"table": "statement_scores"},
        ),
        group_scores=report(
            f"{R}/national/tables/group_scores.csv",
            caption="../report/tables/group_scores.rst",
            category="National tables",
            labels={"table": "group_scores"},
        ),
        response_summary=report(
            f"{R}/national/tables/response_summary.csv",
            caption="../report/tables/response_summary.rst",
            category="National tables",
            labels={"table": "response_summary"},
        ),
        label_distribution=report(
            f"{R}/national/tables/label_distribution.csv",
            caption="../report/tables/label_distribution.rst",
            category="National tables",
            labels={"table": "label_distribution"},
        ),
        breakdown_scores=report(
            f"{R}/national/tables/breakdown_scores.csv",
            caption="../report/tables/breakdown_scores.rst",
            category="National tables",
            labels={"table": "breakdown_scores"},
        ),
        breakdown_labels=report(
            f"{R}/national/tables/breakdown_labels.csv",
            caption="../report/tables/breakdown_labels.rst",
            category="National tables",
            labels={"table": "breakdown_labels"},
        ),
        consistency=report(
            f"{R}/national/tables/consistency.csv",
            caption="../report/tables/consistency.rst",
            category="National tables",
            labels={"table": "consistency"},
        ),
        profile=report(
            f"{R}/national/tables/profile.csv",
            caption="../report/tables/profile.rst",
            category="National tables",
            labels={"table": "profile"},
        ),
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
