# Ingest of a programme of populations (relaudit.population_ingest): read,
# validate and clean each population's exports, then gather the audit tables
# of the whole programme. Shared names come from common.smk.


rule ingest_population:
    input:
        exports=population_exports,
        instrument=lambda wildcards: INSTRUMENT_PATHS[wildcards.population],
        # The analyst's deny-list of names is optional: an input only when it exists.
        redact_list=optional_file("redact_list"),
    output:
        responses=clean_responses("{population}"),
        quarantine=f"{R}/populations/{{population}}/audit/quarantine.csv",
        cell_issues=f"{R}/populations/{{population}}/audit/cell_issues.csv",
        reconciliation=f"{R}/populations/{{population}}/audit/reconciliation.csv",
        redaction=f"{R}/populations/{{population}}/audit/redaction.csv",
        validation=f"{R}/populations/{{population}}/audit/validation.json",
    log:
        f"{R}/logs/ingest_population/{{population}}.log",
    benchmark:
        f"{R}/benchmarks/ingest_population/{{population}}.tsv"
    priority: 30
    conda:
        "../../../environment.yml"
    params:
        census_date=config["census_date"],
    script:
        "../../scripts/ingest_population.py"


POPULATION_AUDIT_TABLES = ["reconciliation", "quarantine", "cell_issues", "redaction"]


rule population_audit_tables:
    input:
        **{
            name: expand(
                f"{R}/populations/{{population}}/audit/{name}.csv", population=POPULATIONS
            )
            for name in POPULATION_AUDIT_TABLES
        },
    output:
        reconciliation=report(
            audit("reconciliation"),
            caption="../../report/audit/population_reconciliation.rst",
            category="Audit",
            subcategory="Data checks",
            labels={"table": "reconciliation"},
        ),
        # Holds response ids: kept out of report.html, which is shared more widely.
        quarantine=audit("quarantine"),
        # Holds response ids: kept out of report.html, which is shared more widely.
        cell_issues=audit("cell_issues"),
        redaction=audit("redaction"),
    log:
        f"{R}/logs/population_audit_tables.log",
    benchmark:
        f"{R}/benchmarks/population_audit_tables/population_audit_tables.tsv"
    conda:
        "../../../environment.yml"
    params:
        tables=POPULATION_AUDIT_TABLES,
    script:
        "../../scripts/population_audit_tables.py"


register_final(*(audit(name) for name in POPULATION_AUDIT_TABLES))
register_outputs(
    *(clean_responses(pop) for pop in POPULATIONS),
    *(
        f"{R}/populations/{pop}/audit/{name}"
        for pop in POPULATIONS
        for name in [f"{table}.csv" for table in POPULATION_AUDIT_TABLES] + ["validation.json"]
    ),
)
