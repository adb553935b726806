"""Snakemake adapter: draw one system's briefing-pack charts (rule figures_system)."""

import logging
import time
from pathlib import Path

from relaudit.errors import run_job
from relaudit.figures import save_charts, system_charts
from relaudit.instrument import load_instrument
from relaudit.io import read_csv

log = logging.getLogger("figures_system")

TABLES = (
    "statement_scores",
    "group_scores",
    "label_distribution",
    "comparator",
    "comparator_summary",
    "breakdown_scores",
    "profile",
)


def main() -> None:
    start = time.perf_counter()
    instrument = load_instrument(snakemake.input.instrument)
    tables = {name: read_csv(snakemake.input[name]) for name in TABLES}
    charts = system_charts(
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
