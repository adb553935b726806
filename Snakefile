# relaudit: relational audit briefing packs and national annex.
# Run with `make report` (or `.venv/bin/snakemake --cores all`).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/render.smk"


rule all:
    default_target: True
    input:
        final_targets(),
