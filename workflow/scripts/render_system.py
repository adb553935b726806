"""Snakemake adapter: write and render one system's briefing pack (rule render_system)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import json
import logging
import time
from pathlib import Path

from relaudit.config import load_systems
from relaudit.document import load_figures, render_and_record, render_template, write_qmd
from relaudit.errors import run_job
from relaudit.findings import load_enquiry_rules
from relaudit.instrument import load_instrument
from relaudit.pack import BRIEFING_TABLES, briefing_context, load_tables

log = logging.getLogger("render_system")


def main() -> None:
    start = time.perf_counter()
    sid = snakemake.params.sid
    instrument = load_instrument(snakemake.input.instrument)
    systems = load_systems(snakemake.input.systems_sheet, instrument.versions)
    system = next(s for s in systems if s.system_id == sid)
    qmd = Path(snakemake.output.qmd)
    context = briefing_context(
        system,
        instrument,
        load_tables({name: snakemake.input[name] for name in BRIEFING_TABLES}),
        load_figures(snakemake.input.figures, qmd.parent),
        json.loads(Path(snakemake.input.validation).read_text(encoding="utf-8")),
        load_enquiry_rules(snakemake.input.enquiry_rules),
        min_group_size=int(snakemake.params.min_group_size),
        top_n=int(snakemake.params.top_n),
        key_message_min_group=int(snakemake.params.key_message_min_group),
        pattern_min_systems=int(snakemake.params.pattern_min_systems),
        census_date=str(snakemake.params.census_date),
        sections=snakemake.params.document["sections"],
        source=str(snakemake.params.programme),
    )
    write_qmd(render_template(snakemake.params.document["template"], context), qmd)
    log.info("wrote %s in %.2f s", qmd, time.perf_counter() - start)
    info = render_and_record(
        qmd,
        list(snakemake.params.formats),
        str(snakemake.params.engine),
        running_header=system.name,
        render_info=snakemake.output.render_info,
    )
    log.info(
        "rendered %s with %s (%s)", sorted(info["outputs"]), info["engine"], info["engine_version"]
    )
    log.info("done in %.2f s", time.perf_counter() - start)


run_job(main, snakemake.log[0])
