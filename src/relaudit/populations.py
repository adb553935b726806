"""A programme of populations: no systems, several populations, one report.

The relational audit is "many systems, one population". A programme with
``layout: populations`` has no systems at all: each population answers its
own questionnaire (its own instrument), its exports sit in
``raw_dir/<population id>/`` and the workshop must-haves in
``raw_dir/workshops/``. This module says what such a programme is and finds
its exports; the Snakefile imports it, so it stays light (no pandas). The
cleaning of one population is :mod:`relaudit.population_ingest`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relaudit.errors import ConfigError, InputFileError
from relaudit.ingest import EXPORT_SUFFIXES

# The folder of raw_dir that holds the workshop must-haves, not a population.
WORKSHOPS = "workshops"


@dataclass(frozen=True)
class Population:
    """One population of a populations programme: who answered which questionnaire."""

    id: str
    name: str
    instrument: str


def populations(config: Mapping[str, Any]) -> list[Population]:
    """The programme's populations, in programme order (a validated configuration)."""
    return [
        Population(id=str(p["id"]), name=str(p["name"]), instrument=str(p["instrument"]))
        for p in config["populations"]
    ]


def discover_population_exports(
    raw_dir: str | Path, population_ids: Sequence[str]
) -> dict[str, list[Path]]:
    """Map each population id to its export files, in filename order.

    ``raw_dir`` holds one folder per population and the ``workshops`` folder.
    Anything else there is an error naming it, and so is a population with no
    folder or no exports: the programme's report needs every population.
    Hidden files (``.*``) are skipped.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputFileError(f"{raw_dir}: raw data folder not found. Fix: check raw_dir.")
    known = set(population_ids)
    for entry in sorted(raw_dir.iterdir()):
        if entry.name.startswith(".") or entry.name == WORKSHOPS:
            continue
        if not entry.is_dir():
            raise InputFileError(
                f"{entry}: a file directly in {raw_dir}. "
                f"Fix: put exports in {raw_dir}/<population id>/."
            )
        if entry.name not in known:
            raise InputFileError(
                f"{entry}: folder for a population the programme does not list. Fix: rename "
                f"it to one of {', '.join(population_ids)} (or {WORKSHOPS}), or remove it."
            )
    found: dict[str, list[Path]] = {}
    for population in population_ids:
        folder = raw_dir / population
        if not folder.is_dir():
            raise InputFileError(
                f"{folder}: no folder of exports for population {population}. "
                "Fix: put its survey exports there."
            )
        files = []
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix.lower() not in EXPORT_SUFFIXES:
                raise InputFileError(
                    f"{path}: not a .csv or .xlsx export. Fix: remove it from the folder."
                )
            files.append(path)
        if not files:
            raise InputFileError(
                f"{folder}: no .csv or .xlsx exports for population {population}. "
                "Fix: put its survey exports there."
            )
        found[population] = files
    return found


def population_instruments(config: Mapping[str, Any]) -> dict[str, str]:
    """{population id: instrument path}, checking every instrument file exists."""
    paths = {}
    for index, population in enumerate(populations(config)):
        if not Path(population.instrument).is_file():
            raise ConfigError(
                f"{config.get('programme', 'config')}: key populations.{index}.instrument: "
                f"{population.instrument} not found. Fix: correct the path."
            )
        paths[population.id] = population.instrument
    return paths
