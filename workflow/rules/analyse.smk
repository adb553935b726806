# Rules for the analysis stages (see docs/dataflow.md): scores and the
# comparator, free text (coding and quotes), and figures, for each system's
# pack and for the national annex.
#
# Each stage is its own adapter in workflow/scripts/ (score_*.py, text_*.py,
# figures.py), but the three run in one job per system: each job is a new
# Python process, and start-up and imports cost as much as a stage's work
# (see benchmarks/RESULTS.md). Ingest and render stay separate jobs, so a new
# export or a template change reruns only what it must.

SYSTEM_SCORE_STAGE = stage(
    "score_system.py",
    inputs={
        "responses": ["input", "responses"],
        "comparators": ["input", "comparators"],
        "instrument": ["input", "instrument"],
    },
    outputs=[*SYSTEM_TABLES, *stage_outputs("system", SYSTEM_TABLES)],
    params=[
        "min_group_size",
        "deadline",
        "has_comparator",
        "deadlines",
        "without_comparator",
        "versions",
        "key_message_min_group",
    ],
)
SYSTEM_TEXT_STAGE = stage(
    "text_system.py",
    inputs={
        "responses": ["input", "responses"],
        "scores": ["output", "statement_scores_stage"],
        "instrument": ["input", "instrument"],
        "lexicon": ["input", "lexicon"],
        "coding_sheet": ["input", "coding_sheet"],
    },
    outputs=[*SYSTEM_TEXT, "comments_coded", *stage_outputs("system", TEXT_TABLES)],
    params=["min_group_size", "quotes_per_context", "top_n"],
)
SYSTEM_FIGURES_STAGE = stage(
    "figures.py",
    inputs={name: ["output", f"{name}_stage"] for name in chart_tables(SYSTEM)}
    | {"instrument": ["input", "instrument"]},
    outputs=["figures_json"],
    params=["scope", "min_group_size", "top_n", "names"],
)


rule analyse_system:
    input:
        responses=f"{R}/systems/{{sid}}/clean/responses.parquet",
        comparators=comparator_sums,
        instrument=config["instrument"],
        lexicon=config["lexicon"],
        coding_sheet=coding_sheet,
        stage_scripts=[
            "workflow/scripts/score_system.py",
            "workflow/scripts/text_system.py",
            "workflow/scripts/figures.py",
        ],
    output:
        **{name: table_output("system", name) for name in SYSTEM_TABLES},
        # What the figures stage and the render read (relaudit.tables).
        **stage_outputs("system", [*SYSTEM_TABLES, *TEXT_TABLES]),
        **{name: f"{R}/systems/{{sid}}/text/{name}.csv" for name in SYSTEM_TEXT},
        comments_coded=f"{R}/systems/{{sid}}/text/comments_coded.parquet",
        figures_json=f"{R}/systems/{{sid}}/figures/figures.json",
        charts=chart_outputs("system"),
    log:
        f"{R}/logs/analyse_system/{{sid}}.log",
    benchmark:
        f"{R}/benchmarks/analyse_system/{{sid}}.tsv"
    # After ingest and the national job; each pack's render (15) follows its analysis.
    priority: 10
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        deadline=lambda wildcards: SYSTEM_BY_ID[wildcards.sid].deadline.isoformat(),
        has_comparator=lambda wildcards: wildcards.sid not in WITHOUT_COMPARATOR,
        # Every system's deadline: the comparator keeps out what the packs
        # would give away (relaudit.score.protected_pool).
        deadlines=DEADLINES,
        # Every system's questionnaire version: a reworded statement is compared, and
        # counted in the national patterns, only over systems with its wording.
        versions=VERSIONS,
        key_message_min_group=config["key_message_min_group"],
        without_comparator=[sid for sid in SYSTEM_IDS if sid in WITHOUT_COMPARATOR],
        quotes_per_context=config["quotes_per_context"],
        top_n=config["top_n"],
        names=SYSTEM_FIGURES,
        scope=SYSTEM,
        stages=[SYSTEM_SCORE_STAGE, SYSTEM_TEXT_STAGE, SYSTEM_FIGURES_STAGE],
    script:
        "../scripts/run_stages.py"


NATIONAL_SCORE_STAGE = stage(
    "score_national.py",
    inputs={
        "responses": ["input", "responses"],
        "systems": ["input", "systems"],
        "instrument": ["input", "instrument"],
        "pack_statements": ["input", "pack_statements"],
        "pack_breakdowns": ["input", "pack_breakdowns"],
    },
    outputs=[*NATIONAL_TABLES, *stage_outputs("national", NATIONAL_TABLES), "scope_basis"],
    params=["min_group_size", "census_date", "system_ids"],
)
NATIONAL_TEXT_STAGE = stage(
    "text_national.py",
    inputs={
        "responses": ["input", "responses"],
        "scores": ["output", "statement_scores_stage"],
        "systems": ["input", "systems"],
        "instrument": ["input", "instrument"],
        "lexicon": ["input", "lexicon"],
    },
    outputs=[*NATIONAL_TEXT, *stage_outputs("national", TEXT_TABLES)],
    params=["system_ids", "coding_sheets", "min_group_size", "quotes_per_context", "top_n"],
)
NATIONAL_FIGURES_STAGE = stage(
    "figures.py",
    inputs={name: ["output", f"{name}_stage"] for name in chart_tables(NATIONAL)}
    | {"instrument": ["input", "instrument"]},
    outputs=["figures_json"],
    params=["scope", "min_group_size", "top_n", "groupings", "names"],
)


rule analyse_national:
    input:
        responses=all_clean_parquets(),
        # The packs' published breakdowns: a national cell that, less the
        # packs, would leave a small group is hidden (docs/disclosure.md).
        pack_statements=expand(stage_table("system", "statement_scores"), sid=SYSTEM_IDS),
        pack_breakdowns=expand(stage_table("system", "breakdown_scores"), sid=SYSTEM_IDS),
        coding_sheets=all_coding_sheets(),
        systems=config["systems_sheet"],
        instrument=config["instrument"],
        lexicon=config["lexicon"],
        stage_scripts=[
            "workflow/scripts/score_national.py",
            "workflow/scripts/text_national.py",
            "workflow/scripts/figures.py",
        ],
    output:
        **{name: table_output("national", name) for name in NATIONAL_TABLES},
        **stage_outputs("national", [*NATIONAL_TABLES, *TEXT_TABLES]),
        **{name: f"{R}/national/text/{name}.csv" for name in NATIONAL_TEXT},
        # Audit tier: which responses each national scope counts.
        scope_basis=f"{R}/national/audit/scope_basis.csv",
        figures_json=f"{R}/national/figures/figures.json",
        charts=chart_outputs("national"),
    log:
        f"{R}/logs/analyse_national.log",
    benchmark:
        f"{R}/benchmarks/analyse_national/analyse_national.tsv"
    priority: 20
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        census_date=config["census_date"],
        system_ids=SYSTEM_IDS,
        coding_sheets={sid: path for sid, path in zip(SYSTEM_IDS, CODING_SHEET_PATHS) if path},
        quotes_per_context=config["quotes_per_context"],
        top_n=config["top_n"],
        groupings=NATIONAL_GROUPINGS,
        names=NATIONAL_FIGURES,
        scope=NATIONAL,
        stages=[NATIONAL_SCORE_STAGE, NATIONAL_TEXT_STAGE, NATIONAL_FIGURES_STAGE],
    script:
        "../scripts/run_stages.py"
