"""relaudit.report: the Snakemake report captions, package data (see relaudit.resources)."""
