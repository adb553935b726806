"""Snakemake adapter: national quotes and text tables (stage of rule analyse_national)."""

import logging

from relaudit.config import load_systems
from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet
from relaudit.tables import read_stage, write_table
from relaudit.text import code_comments, load_lexicon, national_text, read_analyst_sheet

SCORES = "national/statement_scores"
TEXT_TABLES = ("quotes", "theme_counts", "comment_rates")
log = logging.getLogger("text_national")


def main() -> None:
    instrument = load_instrument(snakemake.input.instrument)
    systems = {s.system_id: s for s in load_systems(snakemake.input.systems, instrument.versions)}
    sids = list(snakemake.params.system_ids)
    responses = dict(zip(sids, (read_parquet(p) for p in snakemake.input.responses), strict=True))
    lexicon = load_lexicon(snakemake.input.lexicon, instrument)
    # Code every system's comments here (analysts' sheets applied), rather than
    # wait for each system's text stage: the annex need not wait for the packs.
    sheets = dict(snakemake.params.coding_sheets)
    coded = {
        sid: code_comments(
            responses[sid], lexicon, read_analyst_sheet(sheets[sid]) if sheets.get(sid) else {}
        )[0]
        for sid in sids
    }
    result = national_text(
        coded,
        responses,
        {sid: [systems[sid].name, *systems[sid].aliases] for sid in sids},
        read_stage(snakemake.input.scores, SCORES),
        instrument,
        lexicon,
        min_group_size=int(snakemake.params.min_group_size),
        per_context=int(snakemake.params.quotes_per_context),
        top_n=int(snakemake.params.top_n),
    )
    out = snakemake.output
    write_table(result.quotes, "text/quotes", out.quotes, out.get("quotes_stage"))
    write_table(
        result.theme_counts, "text/theme_counts", out.theme_counts, out.get("theme_counts_stage")
    )
    write_table(
        result.comment_rates, "text/comment_rates", out.comment_rates, out.comment_rates_stage
    )
    log.info("national: %d comments, %d quotes", len(result.coded), len(result.quotes))


run_job(main, snakemake.log[0])
