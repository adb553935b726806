"""Snakemake adapter: draw a pack's or the annex's charts (figures stage of rules analyse_*).

Every input but the instrument is a table in the formats of docs/dataflow.md;
`params.scope` says which chart set to draw: "system" or "national".
"""

import logging
import time
from pathlib import Path

from relaudit.errors import run_job
from relaudit.figures import national_charts, save_charts, system_charts
from relaudit.instrument import load_instrument
from relaudit.io import read_csv

log = logging.getLogger("figures")
CHART_SETS = {"system": system_charts, "national": national_charts}


def main() -> None:
    start = time.perf_counter()
    instrument = load_instrument(snakemake.input.instrument)
    tables = {
        name: read_csv(path) for name, path in snakemake.input.items() if name != "instrument"
    }
    charts = CHART_SETS[snakemake.params.scope](
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
