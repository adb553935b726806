"""Find and read raw survey exports (the input contract's file level).

This module turns one export file into a header and rows of cell values, and
maps the header onto the instrument: which column is the response id, which
holds which statement, which are tick boxes or single-choice answers, which
are housekeeping. Cell
values are parsed here too (timestamps, ticks). The row rules (dedupe,
quarantine, late) live in :mod:`relaudit.clean`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from relaudit.config import System
from relaudit.errors import InputFileError
from relaudit.instrument import Instrument, Option, normalise_header

EXPORT_SUFFIXES = (".csv", ".xlsx")
NOT_A_TICK = frozenset({"", "0", "no", "false"})
# A cell is text, or a real date cell from an .xlsx file.
Cell = str | dt.datetime

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UTF8_BOM = b"\xef\xbb\xbf"
# A comment can legitimately be long; the csv module's default cap is 128 KiB.
MAX_CELL_CHARS = 16 * 1024 * 1024


def discover_exports(raw_dir: str | Path, systems: Iterable[System]) -> dict[str, list[Path]]:
    """Map each system id to its export files, in filename order.

    A folder the systems sheet does not name is an error. A system with no
    folder is only a warning, so packs can be built before every system has
    data; such systems are absent from the result. Hidden files (``.*``) are
    skipped; any other file that is not ``.csv`` or ``.xlsx`` is an error.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputFileError(f"{raw_dir}: raw data folder not found. Fix: check raw_dir.")
    known = {s.system_id: s for s in systems}
    found: dict[str, list[Path]] = {}
    for entry in sorted(raw_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            raise InputFileError(
                f"{entry}: a file directly in {raw_dir}. "
                f"Fix: put exports in {raw_dir}/<system_id>/."
            )
        if entry.name not in known:
            raise InputFileError(
                f"{entry}: folder for a system the systems sheet does not name. "
                "Fix: add the system to the sheet, or rename or remove the folder."
            )
        files = []
        for path in sorted(entry.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix.lower() not in EXPORT_SUFFIXES:
                raise InputFileError(
                    f"{path}: not a .csv or .xlsx export. Fix: remove it from the folder."
                )
            files.append(path)
        found[entry.name] = files
    for system_id in known:
        if system_id not in found:
            warnings.warn(
                f"{raw_dir / system_id}: no exports for system {system_id}; "
                "its pack is not built until data arrives.",
                stacklevel=2,
            )
    return {sid: found[sid] for sid in known if sid in found}


# ---------------------------------------------------------------------------
# Reading files


@dataclass
class RawExport:
    """One export file as read: its header and data rows (row 1 = first data row)."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[Cell]]]
    encoding: str
    blank_rows: int = 0
    warnings: list[str] = field(default_factory=list)


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, else UTF-8, else Windows-1252.

    Returns the text and the encoding used. Raises ``ValueError`` when none fits.
    """
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _xlsx_cell(value: object) -> Cell:
    """Turn an openpyxl value into text or a datetime (numbers as their plain text)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv_rows(path: Path) -> tuple[list[list[Cell]], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"{path}: unreadable export ({exc.strerror or type(exc).__name__}). "
            "Fix: check the file exists and can be read."
        ) from exc
    if b"\x00" in data:
        raise InputFileError(
            f"{path}: unreadable export (binary content, not CSV text). "
            "Fix: re-export the file as CSV."
        )
    try:
        text, encoding = decode_csv_bytes(data)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: unreadable export (not UTF-8 or Windows-1252 text). "
            "Fix: re-export the file as UTF-8 CSV."
        ) from exc
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)
    try:
        rows: list[list[Cell]] = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputFileError(f"{path}: corrupt CSV ({exc}). Fix: re-export the file.") from exc
    return rows, encoding


def _read_xlsx_rows(path: Path) -> list[list[Cell]]:
    import openpyxl  # imported here: slow to import and only needed for .xlsx

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise InputFileError(
            f"{path}: unreadable export ({exc.strerror or type(exc).__name__}). "
            "Fix: check the file exists and can be read."
        ) from exc
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputFileError(
            f"{path}: unreadable or corrupt .xlsx file ({type(exc).__name__}). "
            "Fix: re-export the file."
        ) from exc
    try:
        if not book.worksheets:
            return []
        sheet = book.worksheets[0]
        return [[_xlsx_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise InputFileError(
            f"{path}: unreadable or corrupt .xlsx file ({type(exc).__name__}). "
            "Fix: re-export the file."
        ) from exc
    finally:
        book.close()


def _is_blank(cells: Sequence[Cell]) -> bool:
    return all(isinstance(c, str) and not c.strip() for c in cells)


def read_export(path: str | Path) -> RawExport:
    """Read one export (.csv or the first sheet of .xlsx) into header and rows.

    Rows are numbered from 1 (the header is row 0); fully blank rows are
    skipped and counted. Short rows are padded with blanks.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows, encoding = _read_csv_rows(path)
    elif suffix == ".xlsx":
        rows, encoding = _read_xlsx_rows(path), "xlsx"
    else:
        raise InputFileError(f"{path}: not a .csv or .xlsx export. Fix: remove it from the folder.")
    if not rows or _is_blank(rows[0]):
        raise InputFileError(
            f"{path}: no header row (the first row is empty). "
            "Fix: re-export with column headers in the first row."
        )
    header = [
        c.strftime("%Y-%m-%d %H:%M:%S") if isinstance(c, dt.datetime) else c.strip()
        for c in rows[0]
    ]
    # Trailing unnamed, empty columns are common in spreadsheets: drop them.
    while header and not header[-1]:
        header.pop()
    export = RawExport(path=path, header=header, rows=[], encoding=encoding)
    width = len(header)
    for number, cells in enumerate(rows[1:], start=1):
        if _is_blank(cells):
            export.blank_rows += 1
            continue
        extra = cells[width:]
        if not _is_blank(extra):
            export.warnings.append(f"row {number}: {len(extra)} cell(s) beyond the header ignored")
        padded = list(cells[:width]) + [""] * (width - len(cells))
        export.rows.append((number, padded))
    return export


# ---------------------------------------------------------------------------
# Cell values


def parse_timestamp(value: Cell) -> dt.datetime | None:
    """Parse a local timestamp as the input contract allows, or None.

    Accepts ``YYYY-MM-DD HH:MM:SS``, ``YYYY-MM-DDTHH:MM:SS``, UK
    ``DD/MM/YYYY HH:MM[:SS]`` and real date cells from .xlsx files.
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    text = str(value).strip()
    try:
        if match := _ISO.match(text):
            y, mo, d, h, mi, s = (int(g) for g in match.groups())
            return dt.datetime(y, mo, d, h, mi, s)
        if match := _UK.match(text):
            d, mo, y, h, mi = (int(g) for g in match.groups()[:5])
            s = int(match.group(6) or 0)
            return dt.datetime(y, mo, d, h, mi, s)
    except ValueError:  # e.g. 31/02/2018: the right shape but no such moment
        return None
    return None


def is_tick(value: Cell) -> bool:
    """A tick is any non-blank value except ``0``, ``no`` and ``false`` (any case)."""
    if isinstance(value, dt.datetime):
        return True
    return value.strip().casefold() not in NOT_A_TICK


def cell_text(value: Cell) -> str:
    """A cell as trimmed text (date cells in ISO form)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return value.strip()


# ---------------------------------------------------------------------------
# Header mapping


@dataclass
class ColumnMap:
    """Where each part of the contract sits in one export's columns (0-based)."""

    response_id: int
    submitted: int
    started: int | None
    area: int | None
    comment: int | None
    items: dict[str, int]
    ticks: dict[str, list[tuple[Option, int]]]
    choices: dict[str, int]
    other_text: dict[str, int]
    housekeeping: list[str]
    header_items: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def rating_columns(instrument: Instrument) -> list[str]:
    """The rating columns an export must fill (one per item, or per item and target)."""
    return [rating.column for rating in instrument.rating_columns()]


def _looks_like_statement(rows: list[tuple[int, list[Cell]]], index: int, inst: Instrument) -> bool:
    """True when a column holds at least one scale label or worded not-rated answer.

    A numeric not-rated code (such as ``0``), or a bare number on a scale read
    by leading numbers, alone does not count: any housekeeping column of
    numbers would hold it.
    """
    scale = inst.scale
    for _, cells in rows:
        value = cells[index]
        if not isinstance(value, str) or not value.strip():
            continue
        # A bare number is a label of a numbered scale, but any housekeeping
        # column of numbers (a collector id) would hold one too.
        if scale.score(value) is not None and not (scale.leading_number and _is_number(value)):
            return True
        if scale.is_not_applicable(value) and not _is_number(value):
            return True
    return False


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def map_columns(export: RawExport, instrument: Instrument) -> ColumnMap:
    """Map an export's header onto the instrument, or raise :class:`InputFileError`.

    File-level errors: a required column missing (response id, submitted,
    started and area when the instrument names them and does not list them as
    optional, the comments column, every tick option and every statement); two
    columns mapping to the same thing; an unknown column holding scale labels; a
    header that names no known column at all (no header row).
    """
    path = export.path
    cols = instrument.columns
    fixed = {
        field: normalise_header(cols[field])
        for field in ("response_id", "submitted", "started", "area")
        if cols.get(field)
    }
    comment_prefix = normalise_header(cols["comment_prefix"])
    tick_keys: dict[str, tuple[str, Option]] = {}
    other_keys: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    choice_keys: dict[str, str] = {}
    for question in instrument.questions:
        if question.single_choice:
            choice_keys[normalise_header(question.prefix)] = question.id
            continue
        prefixes[normalise_header(question.prefix + ":")] = question.id
        for option in question.options:
            tick_keys[normalise_header(question.column(option))] = (question.id, option)
        if question.other_text_label:
            key = normalise_header(f"{question.prefix}: {question.other_text_label}")
            other_keys[key] = question.id

    found: dict[str, int] = {}  # what -> column index, to catch two columns for one thing
    names: dict[str, str] = {}
    items: dict[str, int] = {}
    header_items: dict[str, str] = {}
    ticks: dict[str, list[tuple[Option, int]]] = {
        q.id: [] for q in instrument.questions if not q.single_choice
    }
    choices: dict[str, int] = {}
    other_text: dict[str, int] = {}
    housekeeping: list[str] = []
    warnings_: list[str] = []

    def claim(what: str, index: int, header: str) -> None:
        if what in found:
            raise InputFileError(
                f"{path}: columns {names[what]!r} and {header!r} both map to {what}. "
                "Fix: remove or rename one of them."
            )
        found[what] = index
        names[what] = header

    for index, header in enumerate(export.header):
        key = normalise_header(header)
        field = next((r for r, k in fixed.items() if k == key), None)
        if field is not None:
            claim(field, index, header)
            continue
        item_id = instrument.resolve_header(header)
        if item_id is not None:
            claim(f"statement {item_id}", index, header)
            items[item_id] = index
            header_items[header] = item_id
            continue
        if key in choice_keys:
            claim(f"{choice_keys[key]} answer", index, header)
            choices[choice_keys[key]] = index
            continue
        if key in tick_keys:
            question_id, option = tick_keys[key]
            claim(f"{question_id} option {option.label!r}", index, header)
            ticks[question_id].append((option, index))
            continue
        if key in other_keys:
            claim(f"{other_keys[key]} other text", index, header)
            other_text[other_keys[key]] = index
            continue
        if key.startswith(comment_prefix):
            claim("comments", index, header)
            continue
        if _looks_like_statement(export.rows, index, instrument):
            raise InputFileError(
                f"{path}: column {header!r} holds scale labels but matches no statement of "
                f"{instrument.id}. Fix: correct the header to the statement's wording."
            )
        prefix = next((p for p in prefixes if key.startswith(p)), None)
        if prefix is not None:
            warnings_.append(f"column {header!r}: unknown option of {prefixes[prefix]}; ignored")
        housekeeping.append(header)

    if not found:
        raise InputFileError(
            f"{path}: no header row (the first row names no column of the contract). "
            "Fix: re-export with column headers in the first row."
        )
    optional = instrument.optional_columns
    missing = [cols[r] for r in fixed if r not in found and r not in optional]
    if "comments" not in found:
        missing.append(f"{cols['comment_prefix']} ...")
    for question in instrument.questions:
        if question.single_choice:
            if question.id not in choices:
                missing.append(question.prefix)
            continue
        have = {option.label for option, _ in ticks[question.id]}
        missing += [question.column(o) for o in question.options if o.label not in have]
    if missing:
        raise InputFileError(
            f"{path}: required column(s) missing: {'; '.join(repr(m) for m in missing)}. "
            "Fix: re-export with every column of the questionnaire."
        )
    missing_items = [i for i in rating_columns(instrument) if i not in items]
    if missing_items:
        raise InputFileError(
            f"{path}: statement column(s) missing: {', '.join(missing_items)}. "
            "Fix: re-export with every statement, or check the wording of its header."
        )
    return ColumnMap(
        response_id=found["response_id"],
        submitted=found["submitted"],
        started=found.get("started"),
        area=found.get("area"),
        comment=found.get("comments"),
        items=items,
        ticks=ticks,
        choices=choices,
        other_text=other_text,
        housekeeping=housekeeping,
        header_items=header_items,
        warnings=warnings_,
    )
