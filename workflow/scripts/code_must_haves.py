"""Snakemake adapter: suggest, moderate and count the workshop must-haves (rule code_must_haves)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.errors import run_job
from relaudit.io import write_csv
from relaudit.must_haves import (
    code_must_haves,
    load_codebook,
    read_moderated,
    read_must_haves,
)
from relaudit.tables import write_stage, write_table
from relaudit.text import load_deny_list

log = logging.getLogger("code_must_haves")


def main() -> None:
    inputs, out, params = snakemake.input, snakemake.output, snakemake.params
    codebook = load_codebook(inputs.codebook)
    redact_list = list(inputs.redact_list)
    deny_list = load_deny_list(redact_list[0]) if redact_list else []
    workshop = read_must_haves(inputs.must_haves, dict(params.participant_types), deny_list)
    moderated_sheet = list(inputs.moderated)
    moderated = read_moderated(moderated_sheet[0], codebook, workshop) if moderated_sheet else {}
    result = code_must_haves(
        workshop,
        codebook,
        moderated,
        populations=list(params.populations),
        min_group_size=int(params.min_group_size),
    )
    write_csv(result.sheet, out.sheet)
    # The population columns come from the programme (relaudit.must_haves.category_columns).
    extra = list(result.categories.columns[2:])
    write_table(result.categories, "programme/must_haves", out.table, out.table_stage, extra)
    write_stage(result.coded, out.coded, "programme/must_haves_coded")
    write_table(result.audit, "programme/must_haves_audit", out.audit, None)
    log.info(
        "%d must-haves, %d moderated by the analyst, %d blank rows",
        len(result.coded),
        len(moderated),
        sum(workshop.blank.values()),
    )


run_job(main, snakemake.log[0])
