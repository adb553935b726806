"""relaudit.report: the Snakemake report captions, shipped as package data (see relaudit.resources)."""
