"""Snakemake adapter: attack the published tables by differencing (rule disclosure_audit)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import datetime as dt
import logging

from relaudit.comparison import comparable
from relaudit.disclosure import AnnexTables, PackTables, audit, quote_group_sizes, summary_lines
from relaudit.errors import DisclosureError, run_job
from relaudit.instrument import load_instrument
from relaudit.io import read_parquet, write_csv
from relaudit.tables import read_publication, schema_for

log = logging.getLogger("disclosure_audit")
PACK_TABLES = [
    "statement_scores", "breakdown_scores", "label_distribution", "profile", "comparator",
    "comment_rates", "quotes",
]  # fmt: skip
ANNEX_TABLES = [
    "statement_scores", "breakdown_scores", "breakdown_labels", "label_distribution", "profile",
    "comment_rates", "quotes",
]  # fmt: skip


def main() -> None:
    inp, params = snakemake.input, snakemake.params
    sids = list(params.system_ids)
    k = int(params.min_group_size)
    packs = {
        sid: PackTables(
            **{
                name: read_publication(inp[f"pack_{name}"][i], schema_for("system", name))
                for name in PACK_TABLES
            },
            deadline=dt.date.fromisoformat(params.deadlines[sid]),
            version=params.versions.get(sid),
        )
        for i, sid in enumerate(sids)
    }
    # The published CSVs, read back as their schemas say: the audit attacks
    # exactly what readers get.
    annex = AnnexTables(
        **{
            name: read_publication(inp[f"national_{name}"], schema_for("national", name))
            for name in ANNEX_TABLES
        }
    )
    coded = {sid: read_parquet(path) for sid, path in zip(sids, inp.comments_coded, strict=True)}
    responses = {sid: read_parquet(path) for sid, path in zip(sids, inp.responses, strict=True)}
    # Quotes are attributed by the instrument's attribution questions (the
    # instrument file is the config's, as every rule reads it).
    instrument = load_instrument(snakemake.config["instrument"])
    by = [question.id for question in instrument.questions_with("attribution")]
    # A quote's group must hold min_group_size commenters (not respondents):
    # the pack's on-time commenters, the annex's kept ones.
    quote_sizes = {}
    for sid in sids:
        commenters = responses[sid][responses[sid]["has_comment"].astype(bool)]
        on_time = commenters[~commenters["late"].astype(bool)]
        quote_sizes[sid] = quote_group_sizes(
            coded[sid], on_time, packs[sid].quotes["comment_key"], by
        )
    national_sizes = {}
    for sid in sids:
        commenters = responses[sid][responses[sid]["has_comment"].astype(bool)]
        national_sizes |= quote_group_sizes(coded[sid], commenters, annex.quotes["comment_key"], by)
    quote_sizes["national"] = national_sizes
    findings = audit(
        packs, annex, quote_sizes, k,
        comparable=lambda item, a, b: comparable(instrument, item, a, b),
    )  # fmt: skip
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
