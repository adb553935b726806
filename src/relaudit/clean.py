"""Clean one system's exports: the input contract's row rules.

Every data row read ends up in exactly one place: kept (on time or late),
quarantined with a reason, or a duplicate of a row in a later file. Cell
problems are recorded and the cell treated as not answered. Free text is
redacted here, before anything is written, so raw comments never reach a file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from relaudit.config import System, match_area
from relaudit.cutoffs import after
from relaudit.errors import ReconciliationError
from relaudit.ingest import (
    Cell,
    ColumnMap,
    cell_text,
    is_tick,
    map_columns,
    parse_timestamp,
    rating_columns,
    read_export,
)
from relaudit.instrument import Instrument, RespondentQuestion, normalise_label
from relaudit.tables import schema

DUPLICATE = "duplicate"
# The input contract's order: when several apply, the first one is the reason.
QUARANTINE_REASONS = (
    "not_submitted",
    "bad_timestamp",
    "no_area",
    "area_mismatch",
    "no_response_id",
    "no_answers",
    "after_census",
)
UNKNOWN_LABEL = "unknown_label"
BAD_STARTED = "bad_timestamp"
MAX_ISSUE_VALUE = 200


def responses_csv_columns(instrument: Instrument) -> tuple[str, ...]:
    """The contract's columns of ``responses.csv``: the respondent questions in order."""
    return (
        "response_id",
        "submitted_at",
        "late",
        "questionnaire_version",
        *(question.id for question in instrument.questions),
        "has_comment",
    )


def not_rated_columns(instrument: Instrument) -> list[str]:
    """The clean table's not-rated flags: one per rating column, only when the
    instrument's scale has answers that are not ratings."""
    if not instrument.scale.not_applicable:
        return []
    return [rating.not_rated_column for rating in instrument.rating_columns()]


# Declared once, in relaudit.tables.
RECONCILIATION_COLUMNS = tuple(schema("audit/reconciliation").column_names)
QUARANTINE_COLUMNS = tuple(schema("audit/quarantine").column_names)
CELL_ISSUE_COLUMNS = (
    "system_id",
    "source_file",
    "row_number",
    "response_id",
    "column",
    "value",
    "reason",
)
REDACTION_COLUMNS = ("system_id", "field", "tag", "count")
_COUNT_COLUMNS = {
    "rows_read",
    "kept_on_time",
    "kept_late",
    "kept",
    "quarantined",
    "duplicates",
    "row_number",
    "count",
}

Redactor = Callable[[str], tuple[str, dict[str, int]]]


@dataclass
class ParsedRow:
    """One data row, parsed but not yet judged."""

    source_file: str
    row_number: int
    response_id: str
    started: dt.datetime | None
    submitted_text: str
    submitted: dt.datetime | None
    area: str
    scores: dict[str, float]
    answered: int
    categories: dict[str, str]
    other_text: dict[str, str]
    comment: str
    issues: list[tuple[str, str, str]] = field(default_factory=list)
    not_rated: set[str] = field(default_factory=set)  # rating columns answered "not rated"


def derive_category(ticked: Sequence[str], multiple: str, none: str) -> str:
    """One ticked option's reported name; ``multiple`` if several; ``none`` if none."""
    if not ticked:
        return none
    if len(ticked) > 1:
        return multiple
    return ticked[0]


class LabelScorer:
    """Scores of answer labels via :meth:`Scale.score`, remembered per distinct cell text.

    Exports repeat the same few labels thousands of times; normalising each
    cell again would dominate the run time. Also matches single-choice answers
    to their option's reported group.
    """

    def __init__(self, instrument: Instrument) -> None:
        self._scale = instrument.scale
        self._reverse = {
            rating.column: instrument.item(rating.item_id).reverse
            for rating in instrument.rating_columns()
        }
        self._memo: dict[tuple[str, bool], float | None] = {}
        self._not_applicable: dict[str, bool] = {}
        self._choices = {
            question.id: {normalise_label(o.label): o.report_as for o in question.options}
            for question in instrument.questions
            if question.single_choice
        }
        self._choice_memo: dict[tuple[str, str], str | None] = {}

    def score(self, text: str, column: str) -> float | None:
        """The score of a label in a rating column (reverse scored if negative), or None."""
        key = (text, self._reverse[column])
        if key not in self._memo:
            value = self._scale.score(text, reverse=key[1])
            self._memo[key] = None if value is None else float(value)
        return self._memo[key]

    def is_not_applicable(self, text: str) -> bool:
        if text not in self._not_applicable:
            self._not_applicable[text] = self._scale.is_not_applicable(text)
        return self._not_applicable[text]

    def choice(self, question: RespondentQuestion, text: str) -> str | None:
        """The reported group of a single-choice answer (matched like labels), or None."""
        key = (question.id, text)
        if key not in self._choice_memo:
            self._choice_memo[key] = self._choices[question.id].get(normalise_label(text))
        return self._choice_memo[key]


def _category(
    question: RespondentQuestion,
    cells: Sequence[Cell],
    columns: ColumnMap,
    header: Sequence[str],
    labels: LabelScorer,
    issues: list[tuple[str, str, str]],
) -> str:
    """A respondent's group for one question, from its tick columns or its one column.

    A single-choice answer that names no option is a cell issue and counts
    as not answered (the question's `none` group).
    """
    if not question.single_choice:
        ticked = [o.report_as for o, index in columns.ticks[question.id] if is_tick(cells[index])]
        return derive_category(ticked, question.multiple, question.none)
    index = columns.choices[question.id]
    text = cell_text(cells[index])
    if not text:
        return question.none
    group = labels.choice(question, text)
    if group is None:
        issues.append((header[index], text, UNKNOWN_LABEL))
        return question.none
    return group


def parse_row(
    source_file: str,
    row_number: int,
    cells: Sequence[Cell],
    columns: ColumnMap,
    header: Sequence[str],
    instrument: Instrument,
    labels: LabelScorer | None = None,
) -> ParsedRow:
    """Parse one row's cells: scores (reverse scored), ticks, timestamps, text."""
    labels = labels or LabelScorer(instrument)
    scores: dict[str, float] = {}
    not_rated: set[str] = set()
    issues: list[tuple[str, str, str]] = []
    answered = 0
    for column, index in columns.items.items():
        text = cell_text(cells[index])
        score = None
        if text:
            score = labels.score(text, column)
            if score is None:
                if labels.is_not_applicable(text):
                    not_rated.add(column)
                else:
                    issues.append((header[index], text, UNKNOWN_LABEL))
        if score is None:
            scores[column] = math.nan
        else:
            scores[column] = score
            answered += 1
    started = None
    if columns.started is not None:
        started_raw = cells[columns.started]
        if cell_text(started_raw):
            started = parse_timestamp(started_raw)
            if started is None:
                issues.append((header[columns.started], cell_text(started_raw), BAD_STARTED))
    categories = {
        question.id: _category(question, cells, columns, header, labels, issues)
        for question in instrument.questions
    }
    submitted_raw = cells[columns.submitted]
    return ParsedRow(
        source_file=source_file,
        row_number=row_number,
        response_id=cell_text(cells[columns.response_id]),
        started=started,
        submitted_text=cell_text(submitted_raw),
        submitted=parse_timestamp(submitted_raw),
        area=cell_text(cells[columns.area]) if columns.area is not None else "",
        scores=scores,
        answered=answered,
        not_rated=not_rated,
        categories=categories,
        other_text={q: cell_text(cells[i]) for q, i in columns.other_text.items()},
        comment=cell_text(cells[columns.comment]) if columns.comment is not None else "",
        issues=issues,
    )


def quarantine_reason(
    row: ParsedRow,
    system: System,
    systems: Iterable[System],
    census_date: dt.date,
    check_area: bool = True,
) -> str | None:
    """The first quarantine reason that applies to a row, in the contract's order."""
    if not row.submitted_text:
        return "not_submitted"
    if row.submitted is None:
        return "bad_timestamp"
    if check_area:
        if not row.area:
            return "no_area"
        matched = match_area(row.area, systems)
        if matched is None or matched.system_id != system.system_id:
            return "area_mismatch"
    if not row.response_id:
        return "no_response_id"
    if row.answered == 0:
        return "no_answers"
    if after(row.submitted, census_date):
        return "after_census"
    return None


def find_duplicates(rows: Sequence[ParsedRow]) -> set[int]:
    """Positions of rows whose response id appears again later (files in order).

    The row from the file that sorts last is kept; within one file, the later row.
    Rows with a blank response id are never duplicates.
    """
    last: dict[str, int] = {}
    for position, row in enumerate(rows):
        if row.response_id:
            last[row.response_id] = position
    return {
        position
        for position, row in enumerate(rows)
        if row.response_id and last[row.response_id] != position
    }


def check_reconciliation(record: dict[str, Any]) -> None:
    """Raise :class:`ReconciliationError` unless rows read = sum of the outcomes."""
    accounted = (
        record["kept_on_time"] + record["kept_late"] + record["quarantined"] + record["duplicates"]
    )
    if record["rows_read"] != accounted:
        raise ReconciliationError(
            f"system {record['system_id']}: {record['rows_read']} rows read but {accounted} "
            f"accounted for (kept on time {record['kept_on_time']}, kept late "
            f"{record['kept_late']}, quarantined {record['quarantined']}, duplicates "
            f"{record['duplicates']}). Fix: report this as a bug in relaudit."
        )


def default_redactor(deny_list: Sequence[str]) -> Redactor:
    from relaudit.text import redact

    def run(text: str) -> tuple[str, dict[str, int]]:
        return redact(text, deny_list)

    return run


def _tag_name(tag: str) -> str:
    return tag.strip("[]")


@dataclass
class SystemIngest:
    """Everything ingest writes for one system."""

    responses: pd.DataFrame
    quarantine: pd.DataFrame
    cell_issues: pd.DataFrame
    reconciliation: dict[str, Any]
    redaction: pd.DataFrame
    validation: dict[str, Any]
    csv_columns: tuple[str, ...] = ()

    @property
    def reconciliation_frame(self) -> pd.DataFrame:
        """The one-row reconciliation table (`reconciliation.csv`)."""
        return pd.DataFrame([self.reconciliation], columns=list(RECONCILIATION_COLUMNS))

    @property
    def responses_csv(self) -> pd.DataFrame:
        """The contract's view of the clean responses (`responses.csv`)."""
        frame = self.responses.loc[:, list(self.csv_columns)].copy()
        frame["submitted_at"] = frame["submitted_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
        return frame


def read_system_exports(
    paths: Sequence[str | Path], instrument: Instrument
) -> tuple[list[ParsedRow], list[dict[str, Any]]]:
    """Read and parse every export of a system, files in filename order.

    Returns the parsed rows and, per file, what the validation report says
    about it (format, rows, header mapping, housekeeping columns, warnings).
    """
    rows: list[ParsedRow] = []
    files_report = []
    labels = LabelScorer(instrument)
    for path in sorted((Path(p) for p in paths), key=lambda p: p.name):
        export = read_export(path)
        columns = map_columns(export, instrument)
        for number, cells in export.rows:
            rows.append(
                parse_row(path.name, number, cells, columns, export.header, instrument, labels)
            )
        files_report.append(
            {
                "file": path.name,
                "format": export.encoding,
                "rows_read": len(export.rows),
                "blank_rows_skipped": export.blank_rows,
                "columns": len(export.header),
                "statements_mapped": len(columns.items),
                "header_items": columns.header_items,
                "housekeeping_columns": columns.housekeeping,
                "warnings": export.warnings + columns.warnings,
            }
        )
    return rows, files_report


def apply_row_rules(
    rows: Sequence[ParsedRow],
    system: System,
    systems: Sequence[System],
    census_date: dt.date,
    check_area: bool = True,
) -> tuple[list[ParsedRow], list[tuple[ParsedRow, str]]]:
    """Split rows into kept and (row, reason) quarantined; duplicates come first."""
    duplicates = find_duplicates(rows)
    kept: list[ParsedRow] = []
    quarantined: list[tuple[ParsedRow, str]] = []
    for position, row in enumerate(rows):
        reason = (
            DUPLICATE
            if position in duplicates
            else quarantine_reason(row, system, systems, census_date, check_area)
        )
        if reason is None:
            kept.append(row)
        else:
            quarantined.append((row, reason))
    return kept, quarantined


class TextCleaner:
    """Redacts free text and tallies what was redacted, per field and tag."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self.counts: Counter[tuple[str, str]] = Counter()

    def __call__(self, field_name: str, text: str) -> str:
        if not text:
            return ""
        redacted, counts = self._redactor(text)
        for tag, count in counts.items():
            if count:
                self.counts[(field_name, _tag_name(tag))] += count
        return redacted


def ingest_system(
    system: System,
    paths: Sequence[str | Path],
    instrument: Instrument,
    systems: Sequence[System],
    census_date: dt.date | str,
    deny_list: Sequence[str] = (),
    redactor: Redactor | None = None,
) -> SystemIngest:
    """Read, validate and clean every export of one system (files in filename order).

    Free text (comments, "other" boxes, bad cell values) is redacted with
    ``redactor`` (default: :func:`relaudit.text.redact` with ``deny_list``)
    before it is put in any table. Raises
    :class:`relaudit.errors.InputFileError` for a file-level problem and
    :class:`ReconciliationError` if a row is lost or counted twice.
    """
    if isinstance(census_date, str):
        census_date = dt.date.fromisoformat(census_date)
    clean_text = TextCleaner(redactor or default_redactor(deny_list))
    rows, files_report = read_system_exports(paths, instrument)
    kept, quarantined = apply_row_rules(
        rows, system, systems, census_date, bool(instrument.columns.get("area"))
    )

    flags = {r.column: r.not_rated_column for r in instrument.rating_columns()}
    if not instrument.scale.not_applicable:
        flags = {}
    records = []
    issues = []
    for row in kept:
        record: dict[str, Any] = {
            "system_id": system.system_id,
            "response_id": row.response_id,
            "source_file": row.source_file,
            "row_number": row.row_number,
            "started_at": row.started,
            "submitted_at": row.submitted,
            "late": row.submitted is not None and after(row.submitted, system.deadline),
            "questionnaire_version": system.questionnaire_version,
        }
        record.update(row.categories)
        for question in instrument.questions:
            if question.other_text_label:
                text = row.other_text.get(question.id, "")
                record[f"{question.id}_other"] = clean_text(f"{question.id}_other", text)
        record["has_comment"] = bool(row.comment)
        record["comment"] = clean_text("comment", row.comment)
        record.update(row.scores)
        for column, flag in flags.items():
            record[flag] = column in row.not_rated
        records.append(record)
        for column, value, reason in row.issues:
            issues.append(
                {
                    "system_id": system.system_id,
                    "source_file": row.source_file,
                    "row_number": row.row_number,
                    "response_id": row.response_id,
                    "column": column,
                    "value": clean_text("cell_value", value[:MAX_ISSUE_VALUE]),
                    "reason": reason,
                }
            )

    responses = _responses_frame(records, instrument)
    quarantine = typed_frame(
        [
            {
                "system_id": system.system_id,
                "source_file": row.source_file,
                "row_number": row.row_number,
                "response_id": row.response_id,
                "reason": reason,
            }
            for row, reason in quarantined
        ],
        QUARANTINE_COLUMNS,
    )
    cell_issues = typed_frame(issues, CELL_ISSUE_COLUMNS)
    reconciliation = {
        "system_id": system.system_id,
        "rows_read": sum(f["rows_read"] for f in files_report),
        "kept_on_time": int((~responses["late"]).sum()),
        "kept_late": int(responses["late"].sum()),
        "quarantined": sum(1 for _, reason in quarantined if reason != DUPLICATE),
        "duplicates": sum(1 for _, reason in quarantined if reason == DUPLICATE),
    }
    check_reconciliation(reconciliation)
    redaction = typed_frame(
        [
            {"system_id": system.system_id, "field": f, "tag": t, "count": n}
            for (f, t), n in sorted(clean_text.counts.items())
        ],
        REDACTION_COLUMNS,
    )
    validation = {
        "system_id": system.system_id,
        "questionnaire_version": system.questionnaire_version,
        "instrument": instrument.id,
        "files": files_report,
        "housekeeping_columns": sorted(
            {h for f in files_report for h in f["housekeeping_columns"]}
        ),
        "reconciliation": reconciliation,
        "quarantine_reasons": dict(sorted(Counter(r for _, r in quarantined).items())),
        "cell_issues": len(cell_issues),
        "warnings": [f"{f['file']}: {w}" for f in files_report for w in f["warnings"]],
    }
    return SystemIngest(
        responses=responses,
        quarantine=quarantine,
        cell_issues=cell_issues,
        reconciliation=reconciliation,
        redaction=redaction,
        validation=validation,
        csv_columns=responses_csv_columns(instrument),
    )


def typed_frame(records: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A table with fixed columns, counts as int64 even when it is empty."""
    frame = pd.DataFrame(records, columns=list(columns))
    for column in frame.columns:
        if column in _COUNT_COLUMNS:
            frame[column] = frame[column].astype("int64")
    return frame


def _responses_frame(records: list[dict[str, Any]], instrument: Instrument) -> pd.DataFrame:
    """The clean table with fixed columns and types, in file and row order."""
    items = rating_columns(instrument)
    flags = not_rated_columns(instrument)
    text_columns = ["system_id", "response_id", "source_file"]
    columns = [
        *text_columns,
        "row_number",
        "started_at",
        "submitted_at",
        "late",
        "questionnaire_version",
        *(q.id for q in instrument.questions),
        *(f"{q.id}_other" for q in instrument.questions if q.other_text_label),
        "has_comment",
        "comment",
        *items,
        *flags,
    ]
    frame = pd.DataFrame(records, columns=columns)
    frame["row_number"] = frame["row_number"].astype("int64")
    for column in ("started_at", "submitted_at"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    for column in ("late", "has_comment", *flags):
        frame[column] = frame[column].astype(bool)
    for column in items:
        frame[column] = frame[column].astype("float64")
    for column in columns:
        if column not in items and column not in flags and frame[column].dtype == object:
            frame[column] = frame[column].astype(str)
    return frame.sort_values(["source_file", "row_number"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Programme-wide audit tables


AUDIT_TABLE_COLUMNS = {
    "reconciliation": RECONCILIATION_COLUMNS,
    "quarantine": QUARANTINE_COLUMNS,
    "cell_issues": CELL_ISSUE_COLUMNS,
    "redaction": REDACTION_COLUMNS,
}


def read_audit_table(path: str | Path, name: str) -> pd.DataFrame:
    """Read a per-system audit table back, keeping ids and values as text."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    columns = AUDIT_TABLE_COLUMNS[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReconciliationError(
            f"{path}: audit table lacks column(s) {', '.join(missing)}. "
            "Fix: rebuild the system's ingest outputs."
        )
    for column in columns:
        if column in _COUNT_COLUMNS:
            frame[column] = frame[column].astype("int64")
    return frame


def combine_audit_tables(
    reconciliation: Sequence[pd.DataFrame],
    quarantine: Sequence[pd.DataFrame],
    cell_issues: Sequence[pd.DataFrame],
    redaction: Sequence[pd.DataFrame],
) -> dict[str, pd.DataFrame]:
    """Concatenate per-system audit tables, checking that every system balances.

    Also checks that each system's quarantine table holds exactly its
    quarantined and duplicate rows.
    """

    def concat(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=list(columns))
        return pd.concat(frames, ignore_index=True).loc[:, list(columns)]

    recon = concat(reconciliation, RECONCILIATION_COLUMNS)
    quar = concat(quarantine, QUARANTINE_COLUMNS)
    for record in recon.to_dict("records"):
        check_reconciliation(record)
        listed = int((quar["system_id"] == record["system_id"]).sum())
        expected = int(record["quarantined"]) + int(record["duplicates"])
        if listed != expected:
            raise ReconciliationError(
                f"system {record['system_id']}: quarantine table lists {listed} rows but "
                f"reconciliation counts {expected} quarantined and duplicate rows. "
                "Fix: rebuild the system's ingest outputs."
            )
    return {
        "reconciliation": recon,
        "quarantine": quar,
        "cell_issues": concat(cell_issues, CELL_ISSUE_COLUMNS),
        "redaction": concat(redaction, REDACTION_COLUMNS),
    }
