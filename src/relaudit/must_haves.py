"""Workshop must-haves: one best-fit category each, suggested, then moderated.

Each workshop participant writes down a few "must haves". A codebook (config,
in the comment lexicon's style) lists the categories and the terms that suggest
each. This module reads the must-haves file, redacts every must-have the way
comments are redacted before anything else sees it, suggests one category per
must-have, applies the analyst's moderated sheet, and counts the categories for
each population side by side.

The suggestion rule: the category whose terms occur most often in the
must-have wins; a tie goes to the category listed first in the codebook; a
must-have that no term matches is ``other``. The rule is deterministic and
easy to explain, and the codebook's order is the analyst's way to settle a
common tie.

Disclosure: a must-have carries no respondent id and a count of must-haves is
not a count of people (each participant writes several), so category counts
are shown in full. A written must-have, though, may be recognised by the few
people in its workshop, so a redacted example may be shown only for a
category whose count on that side is at least ``min_group_size``
(``example_ok``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from relaudit.errors import ConfigError, InputFileError
from relaudit.ingest import decode_csv_bytes
from relaudit.io import unneutralise_cell
from relaudit.resources import load_schema
from relaudit.text import Code, normalise_text, redact, terms_code
from relaudit.yamlio import load_yaml

__all__ = [
    "OTHER",
    "SHEET_COLUMNS",
    "Category",
    "Codebook",
    "MustHave",
    "MustHaveTables",
    "Workshop",
    "category_columns",
    "category_table",
    "code_must_haves",
    "load_codebook",
    "parse_codebook",
    "read_moderated",
    "read_must_haves",
]

CODEBOOK_SCHEMA = "codebook.schema.yaml"
OTHER = "other"
# The coding sheet the pipeline writes, and the analyst copies and edits.
SHEET_COLUMNS = ("row", "participant_type", "must_have", "suggested", "category")
CODED_COLUMNS = (
    "row",
    "participant_type",
    "population",
    "must_have",
    "suggested",
    "category",
    "moderated",
    "example_ok",
)
AUDIT_COLUMNS = (
    "participant_type",
    "population",
    "rows_read",
    "blank",
    "coded",
    "redactions",
    "moderated",
    "agreed",
    "agreement_pct",
)
# The audit table's row over the whole file (blank lines included).
ALL_TYPES = "all"
PCT_SUFFIX = "_pct"
_QUOTE_LIMIT = 60


# ---------------------------------------------------------------------------
# The codebook.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """One category of the codebook; `code` is None for a category with no terms."""

    id: str
    label: str
    code: Code | None = None

    def score(self, text: str) -> int:
        """How many times the category's terms occur in `text`."""
        return self.code.occurrences(text) if self.code is not None else 0


@dataclass(frozen=True)
class Codebook:
    """The validated codebook: categories in file order (report order, tie order)."""

    categories: tuple[Category, ...]
    source: str = "<codebook>"

    @property
    def ids(self) -> list[str]:
        return [category.id for category in self.categories]

    def label(self, category_id: str) -> str:
        for category in self.categories:
            if category.id == category_id:
                return category.label
        raise KeyError(category_id)

    def suggest(self, text: str) -> str:
        """The best-fit category of one (redacted) must-have.

        The most term occurrences wins; on a tie the category listed first; with
        no match at all, ``other``.
        """
        best, best_score = OTHER, 0
        for category in self.categories:
            score = category.score(text)
            if score > best_score:  # strictly more: an earlier category keeps a tie
                best, best_score = category.id, score
        return best


def _entry_name(data: Mapping[str, Any], path: Sequence[Any]) -> str:
    """'category 3 (payments)' for a schema error under categories/2, else the path."""
    where = "/".join(str(p) for p in path) or "(top level)"
    categories = data.get("categories") if isinstance(data, Mapping) else None
    if len(path) >= 2 and path[0] == "categories" and isinstance(categories, list):
        index = int(path[1])
        entry = categories[index] if index < len(categories) else None
        entry_id = entry.get("id") if isinstance(entry, Mapping) else None
        named = f"category {index + 1}" + (f" ({entry_id})" if entry_id else "")
        rest = "/".join(str(p) for p in path[2:])
        return named + (f", key {rest}" if rest else "")
    return where


def parse_codebook(data: Any, source: str = "<codebook>") -> Codebook:
    """Validate codebook data (schema, unique ids, `other`, terms) and compile its terms."""
    validator = jsonschema.Draft202012Validator(load_schema(CODEBOOK_SCHEMA))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise ConfigError(
            f"{source}: {_entry_name(data, list(first.absolute_path))}: {first.message}. "
            f"Fix the codebook; see workflow/schemas/{CODEBOOK_SCHEMA}."
        )
    entries = data["categories"]
    ids = [entry["id"] for entry in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(
            f"{source}: category ids used twice: {', '.join(duplicates)}. "
            "Fix: give each category its own id."
        )
    if OTHER not in ids:
        raise ConfigError(
            f"{source}: no `{OTHER}` category. Fix: add `- {{id: {OTHER}, label: Other}}`, "
            "the category of a must-have that nothing else fits."
        )
    for number, entry in enumerate(entries, start=1):
        if entry["id"] != OTHER and not entry.get("terms"):
            raise ConfigError(
                f"{source}: category {number} ({entry['id']}) has no terms. Fix: add the "
                f"words that suggest it under `terms` (only `{OTHER}` may have none)."
            )
    categories = tuple(
        Category(
            id=entry["id"],
            label=entry["label"],
            code=terms_code(entry, kind="category") if entry.get("terms") else None,
        )
        for entry in entries
    )
    return Codebook(categories=categories, source=source)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"{path}: cannot read the must-have codebook ({exc}). "
            "Fix: check the programme's must_haves.codebook path and the file's YAML."
        ) from None
    return parse_codebook(data or {}, str(path))


# ---------------------------------------------------------------------------
# Reading the must-haves (redacted on reading) and the analyst's sheet.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MustHave:
    """One must-have, already redacted; `row` is its data row in the file, from 1."""

    row: int
    participant_type: str
    population: str
    text: str


@dataclass
class Workshop:
    """Every must-have of the workshops file, and how each row was accounted for.

    The counters are keyed by participant type; ``""`` counts blank lines (rows
    with neither a participant type nor a must-have).
    """

    source: str
    participant_types: dict[str, str]
    must_haves: list[MustHave]
    rows_read: Counter[str] = field(default_factory=Counter)
    blank: Counter[str] = field(default_factory=Counter)
    redactions: Counter[str] = field(default_factory=Counter)

    def by_row(self) -> dict[int, MustHave]:
        return {must_have.row: must_have for must_have in self.must_haves}


def _header_key(header: str) -> str:
    """'Participant type ' -> 'participant_type' (case, spacing and BOM ignored)."""
    return "_".join(normalise_text(header).casefold().replace("-", " ").split())


def _value_key(value: str) -> str:
    """A participant type or category as typed -> its id form ('Provider ' -> 'provider')."""
    return "_".join(normalise_text(unneutralise_cell(value)).casefold().split())


def _shown(value: str) -> str:
    """A cell for an error message: bounded, quoted."""
    text = normalise_text(value)
    return repr(text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "...")


def _read_rows(path: Path, what: str, fix: str) -> list[list[str]]:
    """The CSV rows of `path`: UTF-8 with or without BOM, else Windows-1252."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"{path}: unreadable {what} ({exc.strerror or type(exc).__name__}). Fix: {fix}."
        ) from None
    try:
        text, _ = decode_csv_bytes(data)
    except UnicodeDecodeError:
        raise InputFileError(
            f"{path}: the {what} is neither UTF-8 nor Windows-1252 text. "
            "Fix: save it as CSV (UTF-8)."
        ) from None
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InputFileError(f"{path}: the {what} is not valid CSV ({exc}). Fix: {fix}.") from None


def _column_index(header: list[str], wanted: Sequence[str], path: Path, what: str) -> list[int]:
    keys = [_header_key(h) for h in header]
    missing = [name for name in wanted if name not in keys]
    if missing:
        found = ", ".join(repr(h) for h in header) or "none"
        raise InputFileError(
            f"{path}: the {what} has no column {', '.join(missing)} (columns found: {found}). "
            f"Fix: give it the columns {', '.join(wanted)}."
        )
    return [keys.index(name) for name in wanted]


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def read_must_haves(
    path: str | Path, participant_types: Mapping[str, str], deny_list: Sequence[str] = ()
) -> Workshop:
    """Read the workshops' must-haves file, redacting each must-have as it is read.

    `participant_types` maps each allowed participant type (``provider``) to its
    population id. A row with neither a type nor a must-have is a blank line; a
    row of a known type with no must-have is a blank must-have; both are
    counted, never dropped unseen. Any other type is an error naming the row.
    """
    path = Path(path)
    allowed = {_value_key(key): str(pop) for key, pop in participant_types.items()}
    rows = _read_rows(path, "must-haves file", "export it again as CSV")
    if not rows:
        raise InputFileError(
            f"{path}: the must-haves file is empty. "
            "Fix: give it a header row participant_type,session,must_have."
        )
    type_at, text_at = _column_index(
        rows[0], ("participant_type", "must_have"), path, "must-haves file"
    )
    workshop = Workshop(source=str(path), participant_types=allowed, must_haves=[])
    for number, row in enumerate(rows[1:], start=1):
        raw_type, raw_text = _cell(row, type_at), _cell(row, text_at)
        participant_type = _value_key(raw_type)
        has_text = bool(normalise_text(raw_text).strip())
        if not participant_type and not has_text:
            workshop.rows_read[""] += 1
            workshop.blank[""] += 1
            continue
        if participant_type not in allowed:
            raise InputFileError(
                f"{path}: row {number}: participant_type {_shown(raw_type)} is not one of "
                f"{', '.join(allowed)}. Fix: correct the row, or add the type to the "
                "programme's must_haves.participant_types."
            )
        workshop.rows_read[participant_type] += 1
        if not has_text:
            workshop.blank[participant_type] += 1
            continue
        # Redacted here, first: the raw text is kept nowhere.
        text, counts = redact(raw_text, deny_list)
        workshop.redactions[participant_type] += sum(counts.values())
        workshop.must_haves.append(
            MustHave(number, participant_type, allowed[participant_type], text.strip())
        )
    return workshop


def read_moderated(path: str | Path, codebook: Codebook, workshop: Workshop) -> dict[int, str]:
    """The analyst's category by must-have row, from their edited copy of the coding sheet.

    A blank category keeps the suggestion. A row that matches no must-have, or
    whose participant type differs from the must-haves file's, means the sheet
    is stale; a category not in the codebook is a typo: both are errors.
    """
    path = Path(path)
    rows = _read_rows(path, "moderated sheet", "copy the coding sheet again")
    if not rows:
        return {}
    row_at, type_at, category_at = _column_index(
        rows[0], ("row", "participant_type", "category"), path, "moderated sheet"
    )
    must_haves = workshop.by_row()
    allowed = codebook.ids
    chosen: dict[int, str] = {}
    for line, cells in enumerate(rows[1:], start=2):
        row_cell = normalise_text(unneutralise_cell(_cell(cells, row_at))).strip()
        category = _value_key(_cell(cells, category_at))
        if not row_cell:
            if category or _value_key(_cell(cells, type_at)):
                raise InputFileError(
                    f"{path}: line {line}: no row number. Fix: keep the `row` column "
                    "as the coding sheet wrote it."
                )
            continue
        if not row_cell.isdigit():
            raise InputFileError(
                f"{path}: line {line}: row {_shown(row_cell)} is not a row number. "
                "Fix: keep the `row` column as the coding sheet wrote it."
            )
        row = int(row_cell)
        stale = (
            "Fix: copy the coding sheet again from this build's coding/must_haves.csv, "
            f"or correct the row (the must-haves are in {workshop.source})"
        )
        if row not in must_haves:
            raise InputFileError(
                f"{path}: row {row} matches no must-have in the workshops file (stale sheet). "
                f"{stale}."
            )
        if row in chosen:
            raise InputFileError(f"{path}: row {row} appears twice. Fix: keep one of them.")
        participant_type = _value_key(_cell(cells, type_at))
        if participant_type != must_haves[row].participant_type:
            raise InputFileError(
                f"{path}: row {row}: participant_type {_shown(_cell(cells, type_at))} but the "
                f"workshops file says {must_haves[row].participant_type!r} (stale sheet). "
                f"{stale}."
            )
        if not category:
            continue
        if category not in allowed:
            raise InputFileError(
                f"{path}: row {row}: category {_shown(_cell(cells, category_at))} is not in "
                f"the codebook {codebook.source}. Fix: use one of {', '.join(allowed)}, "
                "or leave it blank to keep the suggestion."
            )
        chosen[row] = category
    return chosen


# ---------------------------------------------------------------------------
# Coding and counting.
# ---------------------------------------------------------------------------


@dataclass
class MustHaveTables:
    """Everything the must-haves stage writes."""

    sheet: pd.DataFrame  # the coding sheet (SHEET_COLUMNS)
    coded: pd.DataFrame  # one row per must-have (CODED_COLUMNS)
    categories: pd.DataFrame  # one row per category (category_columns)
    audit: pd.DataFrame  # rows read, blank, coded and agreement (AUDIT_COLUMNS)


def category_columns(populations: Sequence[str]) -> list[str]:
    """The category table's columns: each population's count, then each one's share."""
    return ["category", "label", *populations, *(f"{p}{PCT_SUFFIX}" for p in populations)]


def coded_must_haves(
    workshop: Workshop,
    codebook: Codebook,
    moderated: Mapping[int, str],
    min_group_size: int,
) -> pd.DataFrame:
    """One row per must-have in file order: suggestion, final category, moderated or not.

    ``example_ok`` is True when the must-have's category has at least
    `min_group_size` must-haves on its side, so that it may be shown as an example.
    """
    rows = []
    for must_have in workshop.must_haves:
        suggested = codebook.suggest(must_have.text)
        rows.append(
            {
                "row": must_have.row,
                "participant_type": must_have.participant_type,
                "population": must_have.population,
                "must_have": must_have.text,
                "suggested": suggested,
                "category": moderated.get(must_have.row, suggested),
                "moderated": must_have.row in moderated,
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in CODED_COLUMNS if c != "example_ok"])
    sizes = Counter(zip(frame["population"], frame["category"], strict=True))
    frame["example_ok"] = [
        sizes[key] >= min_group_size
        for key in zip(frame["population"], frame["category"], strict=True)
    ]
    return frame.astype({"row": "int64", "moderated": bool, "example_ok": bool})


def category_table(
    coded: pd.DataFrame, codebook: Codebook, populations: Sequence[str]
) -> pd.DataFrame:
    """Must-haves per category and population, in codebook order.

    Each population's share is a percentage of that population's must-haves
    (blank when it has none), so each share column sums to 100.
    """
    counts = Counter(zip(coded["category"], coded["population"], strict=True))
    totals = Counter(coded["population"])
    rows = []
    for category in codebook.categories:
        row: dict[str, Any] = {"category": category.id, "label": category.label}
        for population in populations:
            row[population] = float(counts[(category.id, population)])
        for population in populations:
            total = totals[population]
            share = 100.0 * counts[(category.id, population)] / total if total else float("nan")
            row[f"{population}{PCT_SUFFIX}"] = share
        rows.append(row)
    return pd.DataFrame(rows, columns=category_columns(populations))


def audit_table(workshop: Workshop, coded: pd.DataFrame) -> pd.DataFrame:
    """Per participant type, then over the whole file: every row read is blank or coded;
    and how often the analyst kept the suggestion (`agreed` of `moderated`)."""

    def line(participant_type: str, population: str, rows: pd.DataFrame, keys: list[str]) -> dict:
        moderated = rows[rows["moderated"]]
        agreed = int((moderated["category"] == moderated["suggested"]).sum())
        return {
            "participant_type": participant_type,
            "population": population,
            "rows_read": sum(workshop.rows_read[k] for k in keys),
            "blank": sum(workshop.blank[k] for k in keys),
            "coded": len(rows),
            "redactions": sum(workshop.redactions[k] for k in keys),
            "moderated": len(moderated),
            "agreed": agreed,
            "agreement_pct": 100.0 * agreed / len(moderated) if len(moderated) else float("nan"),
        }

    lines = [
        line(ptype, population, coded[coded["participant_type"] == ptype], [ptype])
        for ptype, population in workshop.participant_types.items()
    ]
    lines.append(line(ALL_TYPES, "", coded, ["", *workshop.participant_types]))
    return pd.DataFrame(lines, columns=list(AUDIT_COLUMNS))


def code_must_haves(
    workshop: Workshop,
    codebook: Codebook,
    moderated: Mapping[int, str],
    populations: Sequence[str],
    min_group_size: int,
) -> MustHaveTables:
    """The coding sheet, the coded must-haves, the category table and the audit.

    `populations` are the programme's population ids in order; the category
    table has columns for those that a participant type maps to. The sheet's
    `category` is the analyst's where they gave one, so a copy of it carries
    their moderation forward.
    """
    unknown = sorted(set(workshop.participant_types.values()) - set(populations))
    if unknown:
        raise ConfigError(
            f"must_haves.participant_types names population(s) {', '.join(unknown)} that the "
            f"programme does not have (it has {', '.join(populations)}). "
            "Fix: map each participant type to a population id."
        )
    coded = coded_must_haves(workshop, codebook, moderated, min_group_size)
    # Programme order, for the populations that bring must-haves.
    sides = [p for p in populations if p in set(workshop.participant_types.values())]
    return MustHaveTables(
        sheet=coded.loc[:, list(SHEET_COLUMNS)].copy(),
        coded=coded,
        categories=category_table(coded, codebook, sides),
        audit=audit_table(workshop, coded),
    )
