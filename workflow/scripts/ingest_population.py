"""Snakemake adapter: ingest one population's exports (rule ingest_population)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import write_csv, write_json, write_parquet
from relaudit.population_ingest import ingest_population
from relaudit.text import load_deny_list

log = logging.getLogger("ingest_population")


def main() -> None:
    population = snakemake.wildcards.population
    instrument = load_instrument(snakemake.input.instrument)
    redact_list = snakemake.input.redact_list
    deny_list = load_deny_list(redact_list[0] if redact_list else None)
    result = ingest_population(
        population,
        list(snakemake.input.exports),
        instrument,
        snakemake.params.census_date,
        deny_list,
    )
    out = snakemake.output
    write_parquet(result.responses, out.responses)
    write_csv(result.quarantine, out.quarantine)
    write_csv(result.cell_issues, out.cell_issues)
    write_csv(result.redaction, out.redaction)
    write_csv(result.reconciliation_frame, out.reconciliation)
    write_json(result.validation, out.validation)
    log.info("%s: %s", population, result.reconciliation)
    for warning in result.validation["warnings"]:
        log.warning("%s", warning)


run_job(main, snakemake.log[0])
