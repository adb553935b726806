"""Clean one population's exports: the row rules of a populations programme.

The relational audit's row rules lose everything about systems (no area
column, no per-system deadline): a row is kept, quarantined with a reason, or
a duplicate of a row in a later file, and for each population rows read =
kept + quarantined + duplicates. Reading files, parsing cells (rating cells
by the instrument's scale, respondent questions by their options) and
redacting free text are the relational audit's own (:mod:`relaudit.ingest`,
:mod:`relaudit.clean`), so a comment is redacted before it reaches any table.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from relaudit.clean import (
    DUPLICATE,
    ParsedRow,
    Redactor,
    TextCleaner,
    default_redactor,
    find_duplicates,
    read_system_exports,
    typed_frame,
)
from relaudit.cutoffs import after
from relaudit.errors import ReconciliationError
from relaudit.instrument import Instrument
from relaudit.tables import schema

# The input contract's order: when several apply, the first one is the reason.
POPULATION_QUARANTINE_REASONS = (
    "not_submitted",
    "bad_timestamp",
    "no_response_id",
    "no_answers",
    "after_census",
)
MAX_ISSUE_VALUE = 200

# Declared once, in relaudit.tables.
RECONCILIATION_COLUMNS = tuple(schema("programme/reconciliation").column_names)
QUARANTINE_COLUMNS = tuple(schema("programme/quarantine").column_names)
CELL_ISSUE_COLUMNS = tuple(schema("programme/cell_issues").column_names)
REDACTION_COLUMNS = tuple(schema("programme/redaction").column_names)
AUDIT_TABLES = {
    "reconciliation": RECONCILIATION_COLUMNS,
    "quarantine": QUARANTINE_COLUMNS,
    "cell_issues": CELL_ISSUE_COLUMNS,
    "redaction": REDACTION_COLUMNS,
}
_INT_COLUMNS = frozenset({"rows_read", "kept", "quarantined", "duplicates", "row_number", "count"})


def quarantine_reason(row: ParsedRow, census_date: dt.date) -> str | None:
    """The first quarantine reason that applies to a row, in the contract's order.

    A row with no rating on the scale anywhere has no answers, even when it
    chose "not rated" (no contact) for some targets: those are not ratings.
    """
    if not row.submitted_text:
        return "not_submitted"
    if row.submitted is None:
        return "bad_timestamp"
    if not row.response_id:
        return "no_response_id"
    if row.answered == 0:
        return "no_answers"
    if after(row.submitted, census_date):
        return "after_census"
    return None


def apply_row_rules(
    rows: Sequence[ParsedRow], census_date: dt.date
) -> tuple[list[ParsedRow], list[tuple[ParsedRow, str]]]:
    """Split rows into kept and (row, reason) quarantined; duplicates come first."""
    duplicates = find_duplicates(rows)
    kept: list[ParsedRow] = []
    quarantined: list[tuple[ParsedRow, str]] = []
    for position, row in enumerate(rows):
        reason = DUPLICATE if position in duplicates else quarantine_reason(row, census_date)
        if reason is None:
            kept.append(row)
        else:
            quarantined.append((row, reason))
    return kept, quarantined


def check_reconciliation(record: Mapping[str, Any]) -> None:
    """Raise :class:`ReconciliationError` unless rows read = kept + quarantined + duplicates."""
    accounted = int(record["kept"]) + int(record["quarantined"]) + int(record["duplicates"])
    if int(record["rows_read"]) != accounted:
        raise ReconciliationError(
            f"population {record['population']}: {record['rows_read']} rows read but "
            f"{accounted} accounted for (kept {record['kept']}, quarantined "
            f"{record['quarantined']}, duplicates {record['duplicates']}). "
            "Fix: report this as a bug in relaudit."
        )


@dataclass
class PopulationIngest:
    """Everything ingest writes for one population."""

    responses: pd.DataFrame
    quarantine: pd.DataFrame
    cell_issues: pd.DataFrame
    reconciliation: dict[str, Any]
    redaction: pd.DataFrame
    validation: dict[str, Any]

    @property
    def reconciliation_frame(self) -> pd.DataFrame:
        """The one-row reconciliation table of the population."""
        return pd.DataFrame([self.reconciliation], columns=list(RECONCILIATION_COLUMNS))


def clean_columns(instrument: Instrument) -> list[str]:
    """The clean table's columns, in order (docs/dataflow.md)."""
    ratings = instrument.rating_columns()
    return [
        "population",
        "response_id",
        "source_file",
        "row_number",
        "started_at",
        "submitted_at",
        *(question.id for question in instrument.questions),
        "has_comment",
        "comment",
        *(rating.column for rating in ratings),
        *(rating.not_rated_column for rating in ratings),
    ]


def _responses_frame(records: list[dict[str, Any]], instrument: Instrument) -> pd.DataFrame:
    """The clean table with fixed columns and types, in file and row order."""
    ratings = instrument.rating_columns()
    frame = pd.DataFrame(records, columns=clean_columns(instrument))
    frame["row_number"] = frame["row_number"].astype("int64")
    for column in ("started_at", "submitted_at"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame["has_comment"] = frame["has_comment"].astype(bool)
    for rating in ratings:
        frame[rating.column] = frame[rating.column].astype("float64")
        frame[rating.not_rated_column] = frame[rating.not_rated_column].astype(bool)
    for column in ("population", "response_id", "source_file", "comment"):
        frame[column] = frame[column].astype(str)
    for question in instrument.questions:
        frame[question.id] = frame[question.id].astype(str)
    return frame.sort_values(["source_file", "row_number"], kind="stable").reset_index(drop=True)


def ingest_population(
    population: str,
    paths: Sequence[str | Path],
    instrument: Instrument,
    census_date: dt.date | str,
    deny_list: Sequence[str] = (),
    redactor: Redactor | None = None,
) -> PopulationIngest:
    """Read, validate and clean every export of one population (files in filename order).

    Rating cells are read as the instrument's scale says (its leading number,
    its not-rated answers); a value that is neither is a cell issue and not
    answered. Comments and bad cell values are redacted with ``redactor``
    (default: :func:`relaudit.text.redact` with ``deny_list``) before they
    are put in any table. Raises :class:`relaudit.errors.InputFileError` for
    a file-level problem and :class:`ReconciliationError` if a row is lost or
    counted twice.
    """
    if isinstance(census_date, str):
        census_date = dt.date.fromisoformat(census_date)
    clean_text = TextCleaner(redactor or default_redactor(deny_list))
    rows, files_report = read_system_exports(paths, instrument)
    kept, quarantined = apply_row_rules(rows, census_date)
    ratings = instrument.rating_columns()
    records = []
    issues = []
    for row in kept:
        record: dict[str, Any] = {
            "population": population,
            "response_id": row.response_id,
            "source_file": row.source_file,
            "row_number": row.row_number,
            "started_at": row.started,
            "submitted_at": row.submitted,
            **row.categories,
            "has_comment": bool(row.comment),
            "comment": clean_text("comment", row.comment),
        }
        for rating in ratings:
            record[rating.column] = row.scores[rating.column]
            record[rating.not_rated_column] = rating.column in row.not_rated
        records.append(record)
        for column, value, reason in row.issues:
            issues.append(
                {
                    "population": population,
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
                "population": population,
                "source_file": row.source_file,
                "row_number": row.row_number,
                "response_id": row.response_id,
                "reason": reason,
            }
            for row, reason in quarantined
        ],
        QUARANTINE_COLUMNS,
    )
    reconciliation = {
        "population": population,
        "rows_read": sum(f["rows_read"] for f in files_report),
        "kept": len(responses),
        "quarantined": sum(1 for _, reason in quarantined if reason != DUPLICATE),
        "duplicates": sum(1 for _, reason in quarantined if reason == DUPLICATE),
    }
    check_reconciliation(reconciliation)
    redaction = typed_frame(
        [
            {"population": population, "field": f, "tag": t, "count": n}
            for (f, t), n in sorted(clean_text.counts.items())
        ],
        REDACTION_COLUMNS,
    )
    validation = {
        "population": population,
        "instrument": instrument.id,
        "files": files_report,
        "housekeeping_columns": sorted(
            {h for f in files_report for h in f["housekeeping_columns"]}
        ),
        "reconciliation": reconciliation,
        "quarantine_reasons": dict(sorted(Counter(r for _, r in quarantined).items())),
        "cell_issues": len(issues),
        "warnings": [f"{f['file']}: {w}" for f in files_report for w in f["warnings"]],
    }
    return PopulationIngest(
        responses=responses,
        quarantine=quarantine,
        cell_issues=typed_frame(issues, CELL_ISSUE_COLUMNS),
        reconciliation=reconciliation,
        redaction=redaction,
        validation=validation,
    )


# ---------------------------------------------------------------------------
# Programme-wide audit tables


def read_audit_table(path: str | Path, name: str) -> pd.DataFrame:
    """Read a per-population audit table back, keeping ids and values as text."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    columns = AUDIT_TABLES[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReconciliationError(
            f"{path}: audit table lacks column(s) {', '.join(missing)}. "
            "Fix: rebuild the population's ingest outputs."
        )
    for column in columns:
        if column in _INT_COLUMNS:
            frame[column] = frame[column].astype("int64")
    return frame.loc[:, list(columns)]


def combine_audit_tables(tables: Mapping[str, Sequence[pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Stack every population's audit tables, checking that each population balances.

    Also checks that each population's quarantine rows are exactly its
    quarantined and duplicate rows, so the programme's tables cannot disagree.
    """

    def stack(name: str) -> pd.DataFrame:
        frames = [f for f in tables.get(name, ()) if len(f)]
        columns = list(AUDIT_TABLES[name])
        if not frames:
            return typed_frame([], columns)
        return pd.concat(frames, ignore_index=True).loc[:, columns]

    combined = {name: stack(name) for name in AUDIT_TABLES}
    quarantine = combined["quarantine"]
    for record in combined["reconciliation"].to_dict("records"):
        check_reconciliation(record)
        listed = int((quarantine["population"] == record["population"]).sum())
        expected = int(record["quarantined"]) + int(record["duplicates"])
        if listed != expected:
            raise ReconciliationError(
                f"population {record['population']}: the quarantine table lists {listed} rows "
                f"but reconciliation counts {expected} quarantined and duplicate rows. "
                "Fix: rebuild the population's ingest outputs."
            )
    return combined
