# Rules for the render stage (see docs/dataflow.md): write each system's
# briefing pack and the national annex, then the provenance manifest.
from pathlib import Path

from relaudit.sections import check_ids as check_section_ids

# SYSTEM_TABLES and NATIONAL_TABLES come from common.smk.
AUDIT_TABLE_NAMES = ["reconciliation", "quarantine", "cell_issues", "redaction", "disclosure"]
DISCLOSURE_PACK_TABLES = [
    "statement_scores",
    "breakdown_scores",
    "label_distribution",
    "profile",
    "comparator",
]
DISCLOSURE_ANNEX_TABLES = [
    "statement_scores",
    "breakdown_scores",
    "breakdown_labels",
    "label_distribution",
    "profile",
]


# The documents of the programme (relaudit.sections): the one per system is the
# briefing pack, the national one the annex. Section ids are checked now, before
# any job runs.
DOCUMENTS = {document["scope"]: document for document in config["documents"].values()}
for _name, _document in config["documents"].items():
    check_section_ids(
        _document["scope"], _document["sections"], config.get("programme", "config"), _name
    )


# Every file under templates/ (Jinja templates, CSS, Typst, filters): a change
# to any of them re-renders the documents.
TEMPLATE_FILES = sorted(
    str(p) for p in Path("templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts
)
# Optional inputs of the manifest: only the ones that exist.
OPTIONAL_INPUTS = {
    key: [str(config[key])] if config.get(key) and Path(config[key]).is_file() else []
    for key in ("redact_list", "lexicon", "enquiry_rules")
}


rule render_system:
    input:
        statement_scores=stage_table("system", "statement_scores"),
        group_scores=stage_table("system", "group_scores"),
        label_distribution=stage_table("system", "label_distribution"),
        comparator=stage_table("system", "comparator"),
        comparator_summary=stage_table("system", "comparator_summary"),
        breakdown_scores=stage_table("system", "breakdown_scores"),
        profile=stage_table("system", "profile"),
        pool_consistency=stage_table("system", "pool_consistency"),
        group_gaps=stage_table("system", "group_gaps"),
        quotes=stage_table("system", "quotes"),
        theme_counts=stage_table("system", "theme_counts"),
        comment_rates=stage_table("system", "comment_rates"),
        figures=f"{R}/systems/{{sid}}/figures/figures.json",
        reconciliation=f"{R}/systems/{{sid}}/audit/reconciliation.csv",
        quarantine=f"{R}/systems/{{sid}}/audit/quarantine.csv",
        validation=f"{R}/systems/{{sid}}/audit/validation.json",
        templates=TEMPLATE_FILES,
        enquiry_rules=config["enquiry_rules"],
        instrument=config["instrument"],
        systems_sheet=config["systems_sheet"],
    output:
        qmd=f"{R}/systems/{{sid}}/briefing.qmd",
        docs=[
            report(
                f"{R}/systems/{{sid}}/briefing.{fmt}",
                caption="../report/briefing.rst",
                category="Briefing packs",
                subcategory="{sid}",
                labels={"system": "{sid}", "format": fmt.upper()},
            )
            for fmt in FORMATS
        ],
        render_info=f"{R}/systems/{{sid}}/render.json",
    log:
        f"{R}/logs/render_system/{{sid}}.log",
    benchmark:
        f"{R}/benchmarks/render_system/{{sid}}.tsv"
    # Straight after its analysis: every job waiting in the queue costs
    # Snakemake's scheduler a size check of each of its inputs whenever any job
    # ends, which grows with the square of the number of systems (a third of
    # a core at 150 systems when the packs waited until the end).
    priority: 15
    conda:
        "../../environment.yml"
    params:
        sid="{sid}",
        min_group_size=config["min_group_size"],
        top_n=config["top_n"],
        # Key messages: a group gap needs groups this large (relaudit.findings),
        # a national pattern this many ranked comparator systems (relaudit.patterns).
        key_message_min_group=config["key_message_min_group"],
        pattern_min_systems=config["pattern_min_systems"],
        formats=FORMATS,
        engine=config["render"]["engine"],
        census_date=config["census_date"],
        # The pack's template and sections (relaudit.sections), from the programme.
        document=DOCUMENTS["system"],
        programme=config.get("programme", "the run configuration"),
    script:
        "../scripts/render_system.py"


rule render_annex:
    input:
        scope_basis=f"{R}/national/audit/scope_basis.csv",
        statement_scores=stage_table("national", "statement_scores"),
        group_scores=stage_table("national", "group_scores"),
        response_summary=stage_table("national", "response_summary"),
        label_distribution=stage_table("national", "label_distribution"),
        breakdown_scores=stage_table("national", "breakdown_scores"),
        breakdown_labels=stage_table("national", "breakdown_labels"),
        consistency=stage_table("national", "consistency"),
        profile=stage_table("national", "profile"),
        quotes=stage_table("national", "quotes"),
        theme_counts=stage_table("national", "theme_counts"),
        comment_rates=stage_table("national", "comment_rates"),
        figures=f"{R}/national/figures/figures.json",
        reconciliation=f"{R}/audit/reconciliation.csv",
        quarantine=f"{R}/audit/quarantine.csv",
        templates=TEMPLATE_FILES,
        instrument=config["instrument"],
        systems_sheet=config["systems_sheet"],
        # How quotes are attributed: the annex's group sections find their quotes by it.
        lexicon=config["lexicon"],
    output:
        qmd=f"{R}/national/annex.qmd",
        docs=[
            report(
                f"{R}/national/annex.{fmt}",
                caption="../report/annex.rst",
                category="National annex",
                labels={"format": fmt.upper()},
            )
            for fmt in FORMATS
        ],
        render_info=f"{R}/national/render.json",
    log:
        f"{R}/logs/render_annex.log",
    benchmark:
        f"{R}/benchmarks/render_annex/render_annex.tsv"
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        top_n=config["top_n"],
        formats=FORMATS,
        engine=config["render"]["engine"],
        census_date=config["census_date"],
        # The annex's template and sections (relaudit.sections), from the programme.
        document=DOCUMENTS["national"],
        programme=config.get("programme", "the run configuration"),
    script:
        "../scripts/render_annex.py"


# The disclosure audit (relaudit.disclosure): attack every published table by
# differencing; the build fails if a small group can be worked out. It needs
# only the tables, so it runs as soon as they exist, beside the documents
# (off the build's critical path), and a failure stops the documents not yet
# started. Reads the audit tier (clean responses, coded comments) only to
# size the groups that quotes are attributed to.
rule disclosure_audit:
    input:
        **{
            f"pack_{name}": expand(f"{R}/systems/{{sid}}/tables/{name}.csv", sid=SYSTEM_IDS)
            for name in DISCLOSURE_PACK_TABLES
        },
        **{
            f"pack_{name}": expand(f"{R}/systems/{{sid}}/text/{name}.csv", sid=SYSTEM_IDS)
            for name in ["comment_rates", "quotes"]
        },
        **{
            f"national_{name}": f"{R}/national/tables/{name}.csv"
            for name in DISCLOSURE_ANNEX_TABLES
        },
        **{
            f"national_{name}": f"{R}/national/text/{name}.csv"
            for name in ["comment_rates", "quotes"]
        },
        comments_coded=expand(f"{R}/systems/{{sid}}/text/comments_coded.parquet", sid=SYSTEM_IDS),
        responses=expand(f"{R}/systems/{{sid}}/clean/responses.parquet", sid=SYSTEM_IDS),
    output:
        disclosure=report(
            f"{R}/audit/disclosure.csv",
            caption="../report/audit/disclosure.rst",
            category="Audit",
            subcategory="Data checks",
            labels={"table": "disclosure"},
        ),
    log:
        f"{R}/logs/disclosure_audit.log",
    benchmark:
        f"{R}/benchmarks/disclosure_audit/disclosure_audit.tsv"
    conda:
        "../../environment.yml"
    params:
        system_ids=SYSTEM_IDS,
        min_group_size=config["min_group_size"],
        deadlines=DEADLINES,
        versions=VERSIONS,
    script:
        "../scripts/disclosure_audit.py"


rule manifest:
    input:
        raw_exports=[str(p) for sid in SYSTEM_IDS for p in EXPORTS[sid]],
        config_files=workflow.configfiles,
        instrument=config["instrument"],
        systems_sheet=config["systems_sheet"],
        redact_list=OPTIONAL_INPUTS["redact_list"],
        lexicon=OPTIONAL_INPUTS["lexicon"],
        enquiry_rules=OPTIONAL_INPUTS["enquiry_rules"],
        coding_sheets=all_coding_sheets(),
        templates=TEMPLATE_FILES,
        lock_file=[p for p in ["requirements.lock"] if Path(p).is_file()],
        documents=expand(f"{R}/systems/{{sid}}/briefing.{{fmt}}", sid=SYSTEM_IDS, fmt=FORMATS)
        + expand(f"{R}/national/annex.{{fmt}}", fmt=FORMATS),
        qmds=expand(f"{R}/systems/{{sid}}/briefing.qmd", sid=SYSTEM_IDS)
        + [f"{R}/national/annex.qmd"],
        render_info=expand(f"{R}/systems/{{sid}}/render.json", sid=SYSTEM_IDS)
        + [f"{R}/national/render.json"],
        audit=expand(f"{R}/audit/{{name}}.csv", name=AUDIT_TABLE_NAMES)
        + [f"{R}/national/audit/scope_basis.csv"],
        tables=expand(
            f"{R}/systems/{{sid}}/tables/{{name}}.csv", sid=SYSTEM_IDS, name=SYSTEM_TABLES
        )
        + expand(f"{R}/national/tables/{{name}}.csv", name=NATIONAL_TABLES),
        text=expand(f"{R}/systems/{{sid}}/text/{{name}}.csv", sid=SYSTEM_IDS, name=TEXT_TABLES)
        + expand(f"{R}/national/text/{{name}}.csv", name=TEXT_TABLES),
        figures=expand(f"{R}/systems/{{sid}}/figures/figures.json", sid=SYSTEM_IDS)
        + [f"{R}/national/figures/figures.json"],
        # The typed tables the stages handed each other (relaudit.tables).
        stage=expand(
            stage_table("system", "{name}"), sid=SYSTEM_IDS, name=[*SYSTEM_TABLES, *TEXT_TABLES]
        )
        + expand(stage_table("national", "{name}"), name=[*NATIONAL_TABLES, *TEXT_TABLES]),
    output:
        manifest=report(
            f"{R}/audit/manifest.json",
            caption="../report/manifest.rst",
            category="Audit",
            subcategory="Provenance",
            labels={"table": "manifest"},
        ),
    log:
        f"{R}/logs/manifest.log",
    benchmark:
        f"{R}/benchmarks/manifest/manifest.tsv"
    conda:
        "../../environment.yml"
    params:
        root=workflow.basedir,
        # R, from the output path (R/audit/manifest.json).
        results_dir=lambda wildcards, output: str(Path(output.manifest).parent.parent),
        input_kinds=[
            "raw_exports",
            "config_files",
            "instrument",
            "systems_sheet",
            "redact_list",
            "lexicon",
            "enquiry_rules",
            "coding_sheets",
            "templates",
            "lock_file",
        ],
        output_kinds=[
            "documents",
            "qmds",
            "render_info",
            "audit",
            "tables",
            "text",
            "figures",
            "stage",
        ],
    script:
        "../scripts/manifest.py"
