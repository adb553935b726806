"""Snakemake adapter: attack a populations programme's published score tables by
differencing (rule disclosure_audit_populations)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging

from relaudit.disclosure import PopulationTables, audit_populations, summary_lines
from relaudit.errors import DisclosureError, run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet, write_csv
from relaudit.population_scores import PopulationResponses, cross_schema, respondent_totals
from relaudit.tables import read_publication

log = logging.getLogger("disclosure_audit_populations")


def main() -> None:
    inp, params = snakemake.input, snakemake.params
    k = int(params.min_group_size)
    # The published CSVs, read back as their schemas say: the audit attacks
    # exactly what readers get.
    questions = read_publication(inp.question_scores, "programme/question_scores")
    targets = read_publication(inp.target_scores, "programme/target_scores")
    breakdown = read_publication(inp.breakdown_scores, "programme/breakdown_scores")
    cross_ids = tuple(params.cross) if params.cross else ()
    cross = read_publication(inp.cross_analysis, cross_schema(*cross_ids)) if cross_ids else None
    tables = {}
    for pop_id, responses, instrument in zip(
        params.populations, inp.responses, inp.instruments, strict=True
    ):
        pop = PopulationResponses(pop_id, read_parquet(responses), load_instrument(instrument))
        means = None
        if cross is not None and pop_id in cross_ids:
            means = cross.set_index("question_id")[f"{pop_id}_mean"]
        tables[pop_id] = PopulationTables(
            question_scores=questions[questions["population"] == pop_id],
            target_scores=targets[targets["population"] == pop_id],
            breakdown_scores=breakdown[breakdown["population"] == pop_id],
            # The true totals: a reader may know them (the audit assumes the worst).
            totals=respondent_totals(pop),
            cross_means=means,
        )
    findings = audit_populations(tables, k)
    write_csv(findings.table(), snakemake.output.disclosure)
    tried = findings.table()
    log.info("%d cells checked over %d attacks", tried["cells_checked"].sum(), len(tried))
    if findings.recovered:
        lines = list(summary_lines(findings))
        raise DisclosureError(
            f"the published tables let a reader work out {len(lines)} group(s) smaller than "
            f"{k}; the first: {lines[0]}. See {snakemake.output.disclosure}. Fix: this is a "
            "bug in relaudit's suppression; do not publish this build."
        )


run_job(main, snakemake.log[0])
