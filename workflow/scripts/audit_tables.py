"""Snakemake adapter: gather every system's audit tables (rule audit_tables)."""

import logging
import sys

from relaudit.clean import combine_audit_tables, read_audit_table
from relaudit.errors import RelauditError
from relaudit.io import write_csv

logging.basicConfig(
    filename=snakemake.log[0], filemode="w", level=logging.INFO, format="%(levelname)s %(message)s"
)
log = logging.getLogger("audit_tables")
TABLES = ("reconciliation", "quarantine", "cell_issues", "redaction")


def main() -> None:
    frames = {name: [read_audit_table(p, name) for p in snakemake.input[name]] for name in TABLES}
    combined = combine_audit_tables(**frames)
    for name in TABLES:
        write_csv(combined[name], snakemake.output[name])
        log.info("%s: %d rows", name, len(combined[name]))


try:
    main()
except RelauditError as exc:
    log.error("%s", exc)
    sys.stderr.write(f"relaudit: {exc}\n")
    sys.exit(1)
