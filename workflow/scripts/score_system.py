"""Snakemake adapter: score one system's on-time responses (score stage of rule analyse_system)."""

import datetime as dt
import logging

from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet, read_parquet_stack
from relaudit.score import concat_daily_sums, score_system
from relaudit.tables import write_table

log = logging.getLogger("score_system")


def main() -> None:
    sid = snakemake.wildcards.sid
    instrument = load_instrument(snakemake.input.instrument)
    responses = read_parquet(snakemake.input.responses)
    others = concat_daily_sums([read_parquet_stack(list(snakemake.input.comparators))])
    tables = score_system(
        responses,
        others,
        instrument,
        deadline=dt.date.fromisoformat(snakemake.params.deadline),
        min_group_size=int(snakemake.params.min_group_size),
        has_comparator=bool(snakemake.params.has_comparator),
        deadlines={
            sid: dt.date.fromisoformat(day) for sid, day in snakemake.params.deadlines.items()
        },
        without_comparator=list(snakemake.params.without_comparator),
        versions=dict(snakemake.params.versions),
        key_message_min_group=int(snakemake.params.key_message_min_group),
    )
    outputs = snakemake.output.keys()
    for name, table in tables.items():
        # A per-target instrument's target_scores is written where the rule lists it.
        if name not in outputs:
            log.warning("%s: table %s has no output in the rule; not written", sid, name)
            continue
        stage = snakemake.output[f"{name}_stage"] if f"{name}_stage" in outputs else None
        write_table(table, f"system/{name}", snakemake.output[name], stage)
    summary = tables["comparator_summary"].iloc[0]
    log.info(
        "%s: %d responses (%d on time); comparator %d responses from %d systems %s",
        sid,
        len(responses),
        int((~responses["late"].astype(bool)).sum()),
        summary["responses"],
        summary["n_systems"],
        summary["note"],
    )


run_job(main, snakemake.log[0])
