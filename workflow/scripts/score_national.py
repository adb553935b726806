"""Snakemake adapter: score every kept response to the census (stage of rule analyse_national)."""

import datetime as dt
import logging

from relaudit.config import load_systems
from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet
from relaudit.score import concat_responses, score_national
from relaudit.tables import read_stage, write_table

log = logging.getLogger("score_national")


def main() -> None:
    instrument = load_instrument(snakemake.input.instrument)
    systems = load_systems(snakemake.input.systems, instrument.versions)
    responses = concat_responses(read_parquet(path) for path in snakemake.input.responses)
    packs = {
        sid: (
            read_stage(statements, "system/statement_scores"),
            read_stage(breakdown, "system/breakdown_scores"),
        )
        for sid, statements, breakdown in zip(
            snakemake.params.system_ids,
            snakemake.input.pack_statements,
            snakemake.input.pack_breakdowns,
            strict=True,
        )
    }
    tables = score_national(
        responses,
        systems,
        instrument,
        census_date=dt.date.fromisoformat(snakemake.params.census_date),
        min_group_size=int(snakemake.params.min_group_size),
        packs=packs,
    )
    outputs = snakemake.output.keys()
    for name, table in tables.items():
        stage = snakemake.output[f"{name}_stage"] if f"{name}_stage" in outputs else None
        write_table(table, f"national/{name}", snakemake.output[name], stage)
    log.info("%d responses from %d files", len(responses), len(snakemake.input.responses))


run_job(main, snakemake.log[0])
