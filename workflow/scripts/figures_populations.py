"""Snakemake adapter: the label distribution and the charts of a programme of
populations' report (rule programme_figures in workflow/rules/populations/report.smk)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging
import time
from pathlib import Path

import pandas as pd

from relaudit.errors import run_job
from relaudit.figures import save_charts
from relaudit.figures.populations import chart_names, draw_programme_charts
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet
from relaudit.programme_report import LABEL_DISTRIBUTION, label_distribution, view_from_programme
from relaudit.tables import write_table

log = logging.getLogger("figures_populations")


def main() -> None:
    start = time.perf_counter()
    programme = dict(snakemake.params.programme)
    populations = list(snakemake.params.populations)
    instruments = {
        pop: load_instrument(path)
        for pop, path in zip(populations, snakemake.input.instruments, strict=True)
    }
    view = view_from_programme(programme, instruments)
    distributions = []
    for pop, path in zip(populations, snakemake.input.clean, strict=True):
        instrument = instruments[pop]
        scores = sorted({float(score) for _, score in instrument.scale.labels})
        distributions.append(
            label_distribution(
                read_parquet(path), pop, instrument.rating_columns(), scores, view.min_group_size
            )
        )
    dist = write_table(
        pd.concat(distributions, ignore_index=True),
        f"programme/{LABEL_DISTRIBUTION}",
        snakemake.output.label_distribution,
        snakemake.output.label_distribution_stage,
    )
    tables = {
        name: read_parquet(snakemake.input[name])
        for name in (
            "question_scores",
            "target_scores",
            "breakdown_scores",
            "cross_analysis",
            "no_contact",
            "must_haves",
        )
    }
    tables[LABEL_DISTRIBUTION] = dist
    if list(chart_names(view)) != list(snakemake.params.names):
        raise RuntimeError(
            f"charts planned {list(chart_names(view))} differ from the rule's outputs "
            f"{snakemake.params.names}"
        )
    entries = save_charts(
        draw_programme_charts(view, tables), Path(snakemake.output.figures_json).parent
    )
    for entry in entries:
        log.info("%s: %s", entry["name"], entry["title"])
    log.info("%d charts in %.2f s", len(entries), time.perf_counter() - start)


run_job(main, snakemake.log[0])
