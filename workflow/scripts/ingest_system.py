"""Snakemake adapter: ingest one system's exports (rule ingest_system)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.clean import ingest_system
from relaudit.config import load_systems
from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import write_csv, write_json, write_parquet
from relaudit.score import daily_sums
from relaudit.text import load_deny_list

log = logging.getLogger("ingest_system")


def main() -> None:
    sid = snakemake.wildcards.sid
    instrument = load_instrument(snakemake.input.instrument)
    systems = load_systems(snakemake.input.systems, instrument.versions)
    system = next(s for s in systems if s.system_id == sid)
    redact_list = snakemake.input.redact_list
    deny_list = load_deny_list(redact_list[0] if redact_list else None)
    result = ingest_system(
        system,
        list(snakemake.input.exports),
        instrument,
        systems,
        snakemake.params.census_date,
        deny_list,
    )
    out = snakemake.output
    write_parquet(result.responses, out.responses_parquet)
    write_parquet(daily_sums(result.responses, instrument), out.daily_sums)
    write_csv(result.responses_csv, out.responses_csv)
    write_csv(result.quarantine, out.quarantine)
    write_csv(result.cell_issues, out.cell_issues)
    write_csv(result.redaction, out.redaction)
    write_csv(result.reconciliation_frame, out.reconciliation)
    write_json(result.validation, out.validation)
    log.info("%s: %s", sid, result.reconciliation)
    for warning in result.validation["warnings"]:
        log.warning("%s", warning)


run_job(main, snakemake.log[0])
