"""Snakemake adapter: theme counts and quotes from each population's comments (rule
text_populations)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet
from relaudit.population_text import population_text
from relaudit.tables import write_table
from relaudit.text import load_lexicon

log = logging.getLogger("text_populations")


def main() -> None:
    inputs, out, params = snakemake.input, snakemake.output, snakemake.params
    populations = list(params.populations)
    responses = dict(zip(populations, map(read_parquet, inputs.responses), strict=True))
    instruments = dict(zip(populations, map(load_instrument, inputs.instruments), strict=True))
    counts, quotes = population_text(
        responses,
        instruments,
        dict(params.names),
        load_lexicon(inputs.lexicon),
        populations=populations,
        min_group_size=int(params.min_group_size),
        per_context=int(params.quotes_per_context),
    )
    write_table(counts, "programme/theme_counts", out.theme_counts, out.theme_counts_stage)
    write_table(quotes, "programme/quotes", out.quotes, out.quotes_stage)
    for population in populations:
        log.info(
            "%s: %d comments, %d quotes",
            population,
            int(responses[population]["has_comment"].sum()),
            int((quotes["population"] == population).sum()),
        )


run_job(main, snakemake.log[0])
