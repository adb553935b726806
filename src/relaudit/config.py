"""Load and validate the run configuration and the systems sheet.

Errors name the file, the row and column, and the fix, so that an analyst can
correct a sheet without reading code.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from relaudit.cutoffs import end_of_day
from relaudit.errors import ConfigError
from relaudit.resources import load_schema
from relaudit.yamlio import load_yaml

SYSTEM_COLUMNS = (
    "system_id",
    "name",
    "aliases",
    "review_order",
    "questionnaire_version",
    "survey_opened",
    "deadline",
)
OPTIONAL_SYSTEM_COLUMNS = ("sent_to",)
SYSTEMS_SCHEMA_HINT = "see workflow/schemas/systems.schema.yaml."
_ALIAS_SPLIT = re.compile(r"[;|]")
_AREA_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.,']+")


def area_key(text: str) -> str:
    """Normalise an area name for matching: NFKC (folds ligatures), case, hyphens."""
    value = unicodedata.normalize("NFKC", str(text)).casefold()
    return _AREA_SEPARATORS.sub(" ", value).strip()


@dataclass(frozen=True)
class System:
    """One local system from the systems sheet."""

    system_id: str
    name: str
    aliases: tuple[str, ...]
    review_order: int
    questionnaire_version: str
    survey_opened: dt.date
    deadline: dt.date
    sent_to: int | None = None

    @property
    def area_keys(self) -> frozenset[str]:
        """Normalised spellings that identify this system in the `Area` column."""
        names = (self.name, self.system_id, *self.aliases)
        return frozenset(area_key(n) for n in names if n)

    def deadline_end(self) -> dt.datetime:
        """The last moment that counts as on time: the end of the deadline day."""
        return end_of_day(self.deadline)


def _load_schema(name: str) -> dict[str, Any]:
    return load_schema(name)


def _stringify_dates(value: Any) -> Any:
    """YAML and `--config` turn 2018-04-05 into a date; keep ISO strings instead."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _stringify_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(v) for v in value]
    return value


# Programme keys that become run-configuration keys of the same name.
PROGRAMME_KEYS = (
    "instrument",
    "systems_sheet",
    "census_date",
    "populations",
    "documents",
    "lexicon",
    "enquiry_rules",
    "redact_list",
    "coding_dir",
    # Populations layout (relaudit.populations).
    "layout",
    "cross_analysis",
    "must_haves",
    "report_rules",
)
SYSTEMS = "systems"
POPULATIONS = "populations"
LAYOUTS = (SYSTEMS, POPULATIONS)
# Keys of the systems layout that a populations programme has no use for.
SYSTEMS_ONLY_KEYS = ("systems_sheet", "instrument", "enquiry_rules")
# Keys of the populations layout that a systems programme has no use for.
POPULATIONS_ONLY_KEYS = ("cross_analysis", "must_haves", "report_rules")


def _validate(data: Any, schema: str, source: str, fix: str) -> None:
    validator = jsonschema.Draft202012Validator(_load_schema(schema))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(top level)"
        raise ConfigError(
            f"{source}: key {where}: {first.message}. "
            f"Fix: {fix} (schema: workflow/schemas/{schema})."
        )


def load_programme(path: str | Path) -> dict[str, Any]:
    """Read and validate a programme file (workflow/schemas/programme.schema.yaml)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            data = _stringify_dates(load_yaml(handle) or {})
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: programme file not found. Fix: check the `programme` key."
        ) from exc
    _check_layout_value(data, str(path))
    _validate(data, "programme.schema.yaml", str(path), "correct the programme file")
    populations = [p["id"] for p in data["populations"]]
    if len(set(populations)) != len(populations):
        raise ConfigError(f"{path}: key populations: ids repeat. Fix: give each a unique id.")
    check_layout(data, str(path))
    return data


def _check_layout_value(data: Mapping[str, Any], source: str) -> None:
    """An unknown layout, named before the schema (whose other errors it would cause)."""
    layout = data.get("layout")
    if layout is not None and layout not in LAYOUTS:
        raise ConfigError(
            f"{source}: key layout: {layout!r} is not a layout. "
            f"Fix: use one of {', '.join(LAYOUTS)} (or leave it out for systems)."
        )


def layout_of(data: Mapping[str, Any]) -> str:
    """A programme's layout: ``systems`` unless it says ``populations``."""
    return str(data.get("layout") or SYSTEMS)


def programme_layout(config: Mapping[str, Any]) -> str:
    """The layout of the programme a run configuration builds (for the Snakefile).

    Read before validation, so that the Snakefile can choose its rule set; a
    programme file that cannot be read says so when the rules validate it.
    """
    if config.get("layout"):
        return layout_of(config)
    path = config.get("programme")
    if not path or not Path(path).is_file():
        return SYSTEMS
    with Path(path).open(encoding="utf-8") as handle:
        data = load_yaml(handle) or {}
    return layout_of(data) if isinstance(data, Mapping) else SYSTEMS


def is_populations_programme(config: Mapping[str, Any]) -> bool:
    """True when the run builds a programme with layout: populations (the Snakefile's choice)."""
    return programme_layout(config) == POPULATIONS


def _population_ids(data: Mapping[str, Any]) -> list[str]:
    return [str(p["id"]) for p in data.get("populations", [])]


def check_layout(data: Mapping[str, Any], source: str) -> None:
    """Checks of one layout's keys that a schema cannot say clearly.

    Each names the key and the fix: a key of the other layout, a population id
    that the programme does not list, a document scope of the other layout.
    """
    layout = layout_of(data)
    populations = _population_ids(data)
    if layout == SYSTEMS:
        for key in POPULATIONS_ONLY_KEYS:
            if key in data:
                raise ConfigError(
                    f"{source}: key {key}: only a programme with layout: populations uses it. "
                    "Fix: remove it, or set layout: populations."
                )
        for name, document in (data.get("documents") or {}).items():
            if document.get("scope") == "programme":
                raise ConfigError(
                    f"{source}: key documents.{name}.scope: programme documents belong to "
                    "layout: populations. Fix: use scope system or national."
                )
        return
    for key in SYSTEMS_ONLY_KEYS:
        if key in data:
            raise ConfigError(
                f"{source}: key {key}: a programme with layout: populations has no use for it "
                "(each population names its own instrument; there are no systems). "
                "Fix: remove it."
            )
    for index, population in enumerate(data.get("populations", [])):
        if "raw_dir" in population:
            raise ConfigError(
                f"{source}: key populations.{index}.raw_dir: with layout: populations the "
                f"exports are read from raw_dir/{population['id']}/. Fix: remove it and set "
                "the top-level raw_dir."
            )
    cross = data.get("cross_analysis")
    if cross:
        for end in ("first", "second"):
            if cross[end] not in populations:
                raise ConfigError(
                    f"{source}: key cross_analysis.{end}: {cross[end]!r} is not a population. "
                    f"Fix: use one of {', '.join(populations)}."
                )
        if cross["first"] == cross["second"]:
            raise ConfigError(
                f"{source}: key cross_analysis: compares {cross['first']!r} with itself. "
                "Fix: name two different populations."
            )
    must_haves = data.get("must_haves")
    if must_haves:
        for kind, population in must_haves["participant_types"].items():
            if population not in populations:
                raise ConfigError(
                    f"{source}: key must_haves.participant_types.{kind}: {population!r} is not "
                    f"a population. Fix: use one of {', '.join(populations)}."
                )
    for name, document in (data.get("documents") or {}).items():
        if document.get("scope") != "programme":
            raise ConfigError(
                f"{source}: key documents.{name}.scope: {document.get('scope')!r} documents "
                "belong to layout: systems. Fix: use scope: programme with an output name."
            )


def merge_programme(config: Mapping[str, Any], programme: Mapping[str, Any]) -> dict[str, Any]:
    """The run configuration with the programme's keys filled in.

    A key the run configuration (or --config) sets wins over the programme's.
    ``raw_dir`` is the first population's export folder unless it is set.
    """
    merged = {key: programme[key] for key in PROGRAMME_KEYS if key in programme}
    merged["programme_id"] = programme["id"]
    merged["programme_title"] = programme["title"]
    config = dict(config)
    if layout_of(programme) == POPULATIONS:
        # The programme file may double as the --configfile: its run keys are
        # defaults, and its id and title, which Snakemake put in the config too,
        # are the programme_id and programme_title above.
        for key in ("raw_dir", "results_dir", "min_group_size"):
            if key in programme:
                merged[key] = programme[key]
        for key in ("id", "title"):
            if key in config and config[key] == programme[key]:
                del config[key]
    else:
        merged["raw_dir"] = programme["populations"][0]["raw_dir"]
    merged.update(config)
    return merged


def validate_config(
    config: Mapping[str, Any], source: str = "config/config.yaml"
) -> dict[str, Any]:
    """Validate the run configuration against its schema; return a normalised copy.

    When it names a ``programme``, the programme's keys are merged in first.
    """
    data = _stringify_dates(dict(config))
    if data.get("programme"):
        data = merge_programme(data, load_programme(data["programme"]))
    _check_layout_value(data, source)
    _validate(data, "config.schema.yaml", source, "correct the value in the file or in --config")
    check_layout(data, source)
    if layout_of(data) == SYSTEMS and len(data.get("populations", [])) > 1:
        raise ConfigError(
            f"{source}: key populations: a programme with layout: systems builds one "
            "population. Fix: list one population, or set layout: populations (no systems, "
            "one instrument per population)."
        )
    try:
        dt.date.fromisoformat(data["census_date"])
    except ValueError as exc:
        raise ConfigError(
            f"{source}: key census_date: {data['census_date']!r} is not a date. "
            "Fix: write it as YYYY-MM-DD."
        ) from exc
    return data


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read a config YAML file, apply overrides, and validate it."""
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        data = load_yaml(handle) or {}
    data.update(overrides or {})
    return validate_config(data, source=str(path))


def _read_sheet(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: systems sheet not found. Fix: check systems_sheet.") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text. Fix: save the sheet as UTF-8.") from exc
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    rows = [
        {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        for row in reader
    ]
    return header, rows


def _parse_date(value: str, where: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(
            f"{where}, column {column}: {value!r} is not a date. Fix: write it as YYYY-MM-DD."
        ) from exc


def load_systems(path: str | Path, versions: Iterable[str]) -> list[System]:
    """Read and validate the systems sheet (TSV or CSV).

    `versions` are the questionnaire versions the instrument knows. Systems
    come back sorted by review order.
    """
    path = Path(path)
    header, rows = _read_sheet(path)
    missing = [c for c in SYSTEM_COLUMNS if c not in header]
    if missing:
        raise ConfigError(
            f"{path}: header lacks column(s) {', '.join(missing)}. "
            f"Fix: the header must include {', '.join(SYSTEM_COLUMNS)}."
        )
    if not rows:
        raise ConfigError(f"{path}: no systems listed. Fix: add one row per system.")
    schema = _load_schema("systems.schema.yaml")
    validator = jsonschema.Draft202012Validator(schema)
    known_versions = list(versions)
    systems: list[System] = []
    seen_ids: dict[str, int] = {}
    seen_orders: dict[int, int] = {}
    for number, row in enumerate(rows, start=1):
        where = f"{path}: row {number} (line {number + 1}, system_id {row.get('system_id', '')!r})"
        errors = sorted(validator.iter_errors(row), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            column = "/".join(str(p) for p in first.absolute_path) or "row"
            fix = schema["properties"].get(column, {}).get("description", SYSTEMS_SCHEMA_HINT)
            raise ConfigError(f"{where}, column {column}: {first.message}. Fix: {fix}")
        system_id = row["system_id"]
        if system_id in seen_ids:
            raise ConfigError(
                f"{where}, column system_id: duplicate of row {seen_ids[system_id]}. "
                "Fix: give every system a unique id."
            )
        seen_ids[system_id] = number
        order = int(row["review_order"])
        if order in seen_orders:
            raise ConfigError(
                f"{where}, column review_order: {order} is also used by row {seen_orders[order]}. "
                "Fix: give every system its own position in the review order."
            )
        seen_orders[order] = number
        version = row["questionnaire_version"]
        if version not in known_versions:
            raise ConfigError(
                f"{where}, column questionnaire_version: unknown version {version!r}. "
                f"Fix: use one of {', '.join(known_versions)}."
            )
        opened = _parse_date(row["survey_opened"], where, "survey_opened")
        deadline = _parse_date(row["deadline"], where, "deadline")
        if opened > deadline:
            raise ConfigError(
                f"{where}, column survey_opened: opens {opened} after its deadline {deadline}. "
                "Fix: correct survey_opened or deadline."
            )
        sent_to = row.get("sent_to", "")
        systems.append(
            System(
                system_id=system_id,
                name=row["name"],
                aliases=tuple(a.strip() for a in _ALIAS_SPLIT.split(row["aliases"]) if a.strip()),
                review_order=order,
                questionnaire_version=version,
                survey_opened=opened,
                deadline=deadline,
                sent_to=int(sent_to) if sent_to else None,
            )
        )
    keys: dict[str, str] = {}
    for system in systems:
        for key in system.area_keys:
            if key in keys and keys[key] != system.system_id:
                raise ConfigError(
                    f"{path}: system {system.system_id} and {keys[key]} share the name or "
                    f"alias {key!r}. Fix: make names and aliases distinct."
                )
            keys[key] = system.system_id
    return sorted(systems, key=lambda s: s.review_order)


def match_area(area: str, systems: Iterable[System]) -> System | None:
    """The system whose name or alias an `Area` value spells, if any."""
    key = area_key(area)
    for system in systems:
        if key in system.area_keys:
            return system
    return None
