"""Snakemake adapter: gather every population's audit tables (rule population_audit_tables)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.errors import run_job
from relaudit.io import write_csv
from relaudit.population_ingest import combine_audit_tables, read_audit_table

log = logging.getLogger("population_audit_tables")


def main() -> None:
    names = list(snakemake.params.tables)
    combined = combine_audit_tables(
        {name: [read_audit_table(p, name) for p in snakemake.input[name]] for name in names}
    )
    for name in names:
        write_csv(combined[name], snakemake.output[name])
        log.info("%s: %d rows", name, len(combined[name]))


run_job(main, snakemake.log[0])
