# Rules for the ingest stage (see docs/dataflow.md): read, validate and clean
# each system's exports, then gather the audit tables for the whole programme.
from pathlib import Path


rule ingest_system:
    input:
        exports=raw_exports,
        instrument=config["instrument"],
        systems=config["systems_sheet"],
        # The analyst's deny-list of names is optional: an input only when it exists.
        redact_list=lambda wildcards: [
            p for p in [config.get("redact_list")] if p and Path(p).is_file()
        ],
    output:
        responses_csv=f"{R}/systems/{{sid}}/clean/responses.csv",
        responses_parquet=f"{R}/systems/{{sid}}/clean/responses.parquet",
        # What other systems' comparators need from this one (score.daily_sums).
        daily_sums=f"{R}/systems/{{sid}}/clean/daily_sums.parquet",
        quarantine=f"{R}/systems/{{sid}}/audit/quarantine.csv",
        cell_issues=f"{R}/systems/{{sid}}/audit/cell_issues.csv",
        reconciliation=f"{R}/systems/{{sid}}/audit/reconciliation.csv",
        redaction=f"{R}/systems/{{sid}}/audit/redaction.csv",
        validation=f"{R}/systems/{{sid}}/audit/validation.json",
    log:
        f"{R}/logs/ingest_system/{{sid}}.log",
    benchmark:
        f"{R}/benchmarks/ingest_system/{{sid}}.tsv"
    priority: 30
    conda:
        "../../environment.yml"
    params:
        census_date=config["census_date"],
    script:
        "../scripts/ingest_system.py"


rule audit_tables:
    input:
        reconciliation=expand(f"{R}/systems/{{sid}}/audit/reconciliation.csv", sid=SYSTEM_IDS),
        quarantine=expand(f"{R}/systems/{{sid}}/audit/quarantine.csv", sid=SYSTEM_IDS),
        cell_issues=expand(f"{R}/systems/{{sid}}/audit/cell_issues.csv", sid=SYSTEM_IDS),
        redaction=expand(f"{R}/systems/{{sid}}/audit/redaction.csv", sid=SYSTEM_IDS),
    output:
        reconciliation=report(
            f"{R}/audit/reconciliation.csv",
            caption="../report/audit/reconciliation.rst",
            category="Audit",
            subcategory="Data checks",
            labels={"table": "reconciliation"},
        ),
        # Holds response ids: kept out of report.html, which is shared more widely.
        quarantine=f"{R}/audit/quarantine.csv",
        # Holds response ids: kept out of report.html, which is shared more widely.
        cell_issues=f"{R}/audit/cell_issues.csv",
        redaction=report(
            f"{R}/audit/redaction.csv",
            caption="../report/audit/redaction.rst",
            category="Audit",
            subcategory="Data checks",
            labels={"table": "redaction"},
        ),
    log:
        f"{R}/logs/audit_tables.log",
    benchmark:
        f"{R}/benchmarks/audit_tables/audit_tables.tsv"
    conda:
        "../../environment.yml"
    script:
        "../scripts/audit_tables.py"
