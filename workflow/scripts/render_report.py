"""Snakemake adapter: write and render a programme of populations' report
(rule programme_report in workflow/rules/populations/report.smk)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging
import time

from relaudit.document import render_and_record
from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import unneutralise_cell
from relaudit.programme_report import (
    REPORT_TABLES,
    check_rule_names,
    load_report_rules,
    load_report_tables,
    view_from_programme,
    write_report,
)

log = logging.getLogger("render_report")
# Read from the published CSVs: text cells lose the formula guard the writer added.
CSV_TEXT_TABLES = ("theme_counts", "quotes", "quarantine", "cell_issues", "reconciliation")


def main() -> None:
    start = time.perf_counter()
    programme = dict(snakemake.params.programme)
    populations = list(snakemake.params.populations)
    instruments = {
        pop: load_instrument(path)
        for pop, path in zip(populations, snakemake.input.instruments, strict=True)
    }
    view = view_from_programme(programme, instruments)
    rules = load_report_rules(snakemake.input.report_rules)
    check_rule_names(rules, view, str(snakemake.input.report_rules))
    tables = load_report_tables({name: snakemake.input[name] for name in REPORT_TABLES})
    for name in CSV_TEXT_TABLES:
        frame = tables[name]
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].map(unneutralise_cell)
    qmd = write_report(
        view,
        tables,
        rules,
        snakemake.input.figures,
        snakemake.output.qmd,
        sections=snakemake.params.document["sections"],
        source=str(programme.get("programme", "the programme")),
    )
    log.info("wrote %s in %.2f s", qmd, time.perf_counter() - start)
    info = render_and_record(
        qmd,
        list(snakemake.params.formats),
        str(snakemake.params.engine),
        running_header=view.title,
        render_info=snakemake.output.render_info,
    )
    log.info("rendered %s with %s", sorted(info["outputs"]), info["engine"])


run_job(main, snakemake.log[0])
