# relaudit: relational audit briefing packs and national annex, or the report of
# a programme of populations. Run with `make report` (or `.venv/bin/snakemake
# --cores all`); `make report-council` builds the council partner survey
# (--configfile config/programmes/council-partners.yaml).
import sys
from pathlib import Path

from snakemake.utils import min_version

from relaudit.config import is_populations_programme

min_version("9.0")


configfile: "config/config.yaml"


if is_populations_programme(config):

    # No systems, several populations, one report (relaudit.populations). The
    # shared setup first, then every stage's rule file: each registers the files
    # it finally builds (register_final), and a stage not written yet is no file.
    include: "workflow/rules/populations/common.smk"

    for _rules in sorted((Path(workflow.basedir) / "workflow/rules/populations").glob("*.smk")):
        if _rules.name != "common.smk":

            include: f"workflow/rules/populations/{_rules.name}"

    if contract_gaps():
        sys.stderr.write(
            "relaudit note: no rule file builds these contract outputs yet: "
            + ", ".join(contract_gaps())
            + "\n"
        )

else:

    include: "workflow/rules/common.smk"
    include: "workflow/rules/ingest.smk"
    include: "workflow/rules/analyse.smk"
    include: "workflow/rules/render.smk"


rule all:
    default_target: True
    input:
        final_targets(),
