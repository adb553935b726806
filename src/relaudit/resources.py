"""Where relaudit's own files are: schemas, templates and report captions.

Every module asks here rather than working out paths from its own location, so
the package can be installed anywhere (see docs/extending.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from relaudit.yamlio import load_yaml

_ROOT = Path(__file__).resolve().parents[2]


def schema_path(name: str) -> Path:
    """A JSON schema (YAML) under workflow/schemas/, e.g. ``instrument.schema.yaml``."""
    return _ROOT / "workflow" / "schemas" / name


def load_schema(name: str) -> dict[str, Any]:
    """A schema, parsed."""
    with schema_path(name).open(encoding="utf-8") as handle:
        return load_yaml(handle)


def templates_dir() -> Path:
    """The document templates (Jinja2, CSS, Typst, filters)."""
    return _ROOT / "templates"


def report_dir() -> Path:
    """Captions of the Snakemake report (workflow/report/)."""
    return _ROOT / "workflow" / "report"
