"""Snakemake adapter: gather every system's audit tables (rule audit_tables)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.clean import combine_audit_tables, read_audit_table
from relaudit.errors import run_job
from relaudit.io import write_csv

log = logging.getLogger("audit_tables")
TABLES = ("reconciliation", "quarantine", "cell_issues", "redaction")


def main() -> None:
    frames = {name: [read_audit_table(p, name) for p in snakemake.input[name]] for name in TABLES}
    combined = combine_audit_tables(**frames)
    for name in TABLES:
        write_csv(combined[name], snakemake.output[name])
        log.info("%s: %d rows", name, len(combined[name]))


run_job(main, snakemake.log[0])
