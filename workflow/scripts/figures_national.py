"""Snakemake adapter: draw the national annex charts (rule figures_national)."""

import logging
import time
from pathlib import Path

from relaudit.errors import run_job
from relaudit.figures import national_charts, save_charts
from relaudit.instrument import load_instrument
from relaudit.io import read_csv

log = logging.getLogger("figures_national")

TABLES = (
    "statement_scores",
    "group_scores",
    "response_summary",
    "label_distribution",
    "breakdown_scores",
    "breakdown_labels",
    "consistency",
    "profile",
    "comment_rates",
)


def main() -> None:
    start = time.perf_counter()
    instrument = load_instrument(snakemake.input.instrument)
    tables = {name: read_csv(snakemake.input[name]) for name in TABLES}
    charts = national_charts(
        tables,
        instrument,
        top_n=int(snakemake.params.top_n),
        min_group_size=int(snakemake.params.min_group_size),
        comm_items=list(snakemake.params.communication_items),
    )
    names = [name for name, _ in charts]
    if names != list(snakemake.params.names):
        raise RuntimeError(
            f"charts drawn {names} differ from the rule's outputs {snakemake.params.names}"
        )
    entries = save_charts(charts, Path(snakemake.output.figures_json).parent)
    for entry in entries:
        log.info("%s: %s", entry["name"], entry["title"])
    log.info("%d charts in %.2f s", len(entries), time.perf_counter() - start)


run_job(main, snakemake.log[0])
