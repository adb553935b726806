# The provenance manifest of a programme of populations (relaudit.provenance),
# as for the relational audit: every input file (exports, must-haves, config
# files, instruments, codebook, lexicon, rules, coding sheet, templates), the
# resolved configuration, the code version, and every output the rule files
# registered, each with its SHA-256. Shared names come from common.smk.
from pathlib import Path

# Every file under templates/: a change to any of them re-renders the report.
TEMPLATE_FILES = sorted(
    str(p) for p in Path("templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts
)
MANIFEST = f"{R}/audit/manifest.json"
MANIFEST_INPUT_KINDS = [
    "raw_exports",
    "must_haves",
    "config_files",
    "instruments",
    "codebook",
    "redact_list",
    "lexicon",
    "report_rules",
    "coding_sheets",
    "templates",
]


rule population_manifest:
    input:
        raw_exports=[str(p) for pop in POPULATIONS for p in EXPORTS[pop]],
        must_haves=[MUST_HAVES_FILE] if Path(MUST_HAVES_FILE).is_file() else [],
        config_files=workflow.configfiles,
        instruments=list(INSTRUMENT_PATHS.values()),
        codebook=must_have_codebook(),
        redact_list=optional_file("redact_list"),
        lexicon=optional_file("lexicon"),
        report_rules=optional_file("report_rules"),
        coding_sheets=moderated_coding_sheet(),
        templates=TEMPLATE_FILES,
        lock_file=[p for p in ["requirements.lock"] if Path(p).is_file()],
        # Registered by the rule files (common.smk): read when the DAG is built,
        # after every rule file has registered its outputs.
        outputs=lambda wildcards: [p for p in MANIFEST_OUTPUTS if p != MANIFEST],
        render_info=lambda wildcards: list(RENDER_INFOS),
    output:
        manifest=report(
            MANIFEST,
            caption="../../report/manifest.rst",
            category="Audit",
            subcategory="Provenance",
            labels={"table": "manifest"},
        ),
    log:
        f"{R}/logs/manifest.log",
    benchmark:
        f"{R}/benchmarks/manifest/manifest.tsv"
    conda:
        "../../../environment.yml"
    params:
        root=lambda wildcards: workflow.basedir,
        # R, from the output path (R/audit/manifest.json).
        results_dir=lambda wildcards, output: str(Path(output.manifest).parent.parent),
        input_kinds=MANIFEST_INPUT_KINDS,
        output_kinds=["outputs"],
    script:
        "../../scripts/manifest.py"


register_final(MANIFEST, manifest=False)
