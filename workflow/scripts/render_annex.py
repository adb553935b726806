"""Snakemake adapter: write and render the national annex (rule render_annex)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging
import time
from pathlib import Path

from relaudit.annex import ANNEX_TABLES, annex_context, load_annex_tables
from relaudit.config import load_systems
from relaudit.document import load_figures, render_and_record, render_template, write_qmd
from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.text import load_lexicon

log = logging.getLogger("render_annex")


def main() -> None:
    start = time.perf_counter()
    instrument = load_instrument(snakemake.input.instrument)
    qmd = Path(snakemake.output.qmd)
    context = annex_context(
        instrument,
        load_annex_tables({name: snakemake.input[name] for name in ANNEX_TABLES}),
        load_figures(snakemake.input.figures, qmd.parent),
        min_group_size=int(snakemake.params.min_group_size),
        top_n=int(snakemake.params.top_n),
        census_date=str(snakemake.params.census_date),
        systems=load_systems(snakemake.input.systems_sheet, instrument.versions),
        sections=snakemake.params.document["sections"],
        source=str(snakemake.params.programme),
        lexicon=load_lexicon(snakemake.input.lexicon, instrument),
    )
    write_qmd(render_template(snakemake.params.document["template"], context), qmd)
    log.info("wrote %s in %.2f s", qmd, time.perf_counter() - start)
    info = render_and_record(
        qmd,
        list(snakemake.params.formats),
        str(snakemake.params.engine),
        running_header=context["header"],
        render_info=snakemake.output.render_info,
    )
    log.info(
        "rendered %s with %s (%s)", sorted(info["outputs"]), info["engine"], info["engine_version"]
    )
    log.info("done in %.2f s", time.perf_counter() - start)


run_job(main, snakemake.log[0])
