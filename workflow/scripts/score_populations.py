"""Snakemake adapter: the score tables of a populations programme (rule score_populations)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.errors import run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet
from relaudit.population_scores import PopulationResponses, cross_schema, score_populations
from relaudit.tables import write_table

log = logging.getLogger("score_populations")


def main() -> None:
    params = snakemake.params
    pops = [
        PopulationResponses(pop_id, read_parquet(responses), load_instrument(instrument))
        for pop_id, responses, instrument in zip(
            params.populations, snakemake.input.responses, snakemake.input.instruments,
            strict=True,
        )
    ]  # fmt: skip
    cross = tuple(params.cross) if params.cross else None
    tables = score_populations(
        pops,
        int(params.min_group_size),
        cross,
        list(params.no_contact_populations) if params.no_contact_populations else None,
    )
    out = snakemake.output
    for name, table in tables.items():
        schema = cross_schema(*cross) if name == "cross_analysis" else f"programme/{name}"
        write_table(table, schema, out[name], out[f"{name}_stage"])
    for pop in pops:
        log.info("%s: %d kept responses scored", pop.id, len(pop.responses))


run_job(main, snakemake.log[0])
