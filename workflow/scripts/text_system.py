"""Snakemake adapter: code one system's comments and pick quotes (stage of rule analyse_system)."""

import logging

from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet, write_csv, write_parquet
from relaudit.tables import read_stage, write_table
from relaudit.text import load_lexicon, read_analyst_sheet, system_text

SCORES = "system/statement_scores"
TEXT_TABLES = ("quotes", "theme_counts", "comment_rates")
log = logging.getLogger("text_system")


def main() -> None:
    sid = snakemake.wildcards.sid
    analyst_sheet = list(snakemake.input.coding_sheet)
    analyst = read_analyst_sheet(analyst_sheet[0]) if analyst_sheet else {}
    instrument = load_instrument(snakemake.input.instrument)
    result = system_text(
        read_parquet(snakemake.input.responses),
        read_stage(snakemake.input.scores, SCORES),
        instrument,
        load_lexicon(snakemake.input.lexicon, instrument),
        analyst,
        min_group_size=int(snakemake.params.min_group_size),
        per_context=int(snakemake.params.quotes_per_context),
        top_n=int(snakemake.params.top_n),
    )
    out = snakemake.output
    write_csv(result.sheet, out.coding_sheet)
    write_parquet(result.coded, out.comments_coded)
    write_table(result.quotes, "text/quotes", out.quotes, out.get("quotes_stage"))
    write_table(
        result.theme_counts, "text/theme_counts", out.theme_counts, out.get("theme_counts_stage")
    )
    write_table(
        result.comment_rates, "text/comment_rates", out.comment_rates, out.comment_rates_stage
    )
    log.info(
        "%s: %d comments, %d analyst-coded, %d quotes",
        sid,
        len(result.coded),
        len(analyst),
        len(result.quotes),
    )
    for warning in result.warnings:
        log.warning("%s", warning)


run_job(main, snakemake.log[0])
