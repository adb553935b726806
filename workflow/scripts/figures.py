"""Snakemake adapter: draw a pack's or the annex's charts (figures stage of rules analyse_*).

Every input but the instrument is a table in the formats of docs/dataflow.md;
`params.scope` says which scope's charts of the registry (relaudit.chartset)
to draw, "system" or "national", and `params.groupings` the annex's
breakdowns.
"""

import logging
import time
from pathlib import Path

from relaudit.chartset import plan_charts
from relaudit.errors import run_job
from relaudit.figures import draw_charts, save_charts
from relaudit.instrument import load_instrument
from relaudit.tables import read_stage, schema_for

log = logging.getLogger("figures")


def main() -> None:
    start = time.perf_counter()
    instrument = load_instrument(snakemake.input.instrument)
    tables = {
        name: read_stage(path, schema_for(snakemake.params.scope, name))
        for name, path in snakemake.input.items()
        if name != "instrument"
    }
    planned = plan_charts(snakemake.params.scope, instrument, snakemake.params.get("groupings"))
    names = [chart.name for chart in planned]
    if names != list(snakemake.params.names):
        raise RuntimeError(
            f"charts planned {names} differ from the rule's outputs {snakemake.params.names}"
        )
    charts = draw_charts(
        planned,
        tables,
        instrument,
        top_n=int(snakemake.params.top_n),
        min_group_size=int(snakemake.params.min_group_size),
    )
    entries = save_charts(charts, Path(snakemake.output.figures_json).parent)
    for entry in entries:
        log.info("%s: %s", entry["name"], entry["title"])
    log.info("%d charts in %.2f s", len(entries), time.perf_counter() - start)


run_job(main, snakemake.log[0])
