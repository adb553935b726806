"""Cleaning one population's exports (relaudit.population_ingest).

Each test writes a tiny officers' export (one target, eight questions: the
smallest instrument of the council programme) whose expected outcome is worked
out by hand from the contract's rating-cell and row rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit.clean import ParsedRow
from relaudit.errors import InputFileError, ReconciliationError
from relaudit.instrument import load_instrument
from relaudit.population_ingest import (
    CELL_ISSUE_COLUMNS,
    QUARANTINE_COLUMNS,
    RECONCILIATION_COLUMNS,
    apply_row_rules,
    check_reconciliation,
    clean_columns,
    combine_audit_tables,
    ingest_population,
    quarantine_reason,
)

ROOT = Path(__file__).resolve().parents[2]
OFFICERS = load_instrument(ROOT / "config/programmes/council-partners/officers.yaml")
PROVIDERS = load_instrument(ROOT / "config/programmes/council-partners/providers.yaml")
TITLES = [OFFICERS.text(item_id) for item_id in OFFICERS.item_ids]
HEADER = [
    "Response ID",
    "Submitted",
    *TITLES,
    "Which team do you work in?",
    "What is your grade?",
    "Which part of the county do you cover?",
    "Anything else you would like to tell us?",
]
CENSUS = dt.date(2019, 6, 28)


def row(
    rid: str,
    ratings: list[str],
    submitted: str = "2019-06-01 10:00:00",
    team: str = "Finance",
    grade: str = "Manager",
    area: str = "North",
    comment: str = "",
) -> list[str]:
    return [rid, submitted, *ratings, team, grade, area, comment]


def write_export(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def ingest(tmp_path: Path, rows: list[list[str]], deny: tuple[str, ...] = ()):
    path = write_export(tmp_path / "officers" / "export.csv", rows)
    return ingest_population("officers", [path], OFFICERS, "2019-06-28", list(deny))


ALL_THREES = ["3"] * 8


def test_the_clean_table_has_the_designed_columns(tmp_path):
    result = ingest(tmp_path, [row("O1", ALL_THREES)])
    columns = list(result.responses.columns)
    assert columns[:6] == [
        "population",
        "response_id",
        "source_file",
        "row_number",
        "started_at",
        "submitted_at",
    ]
    assert columns[6:11] == ["team", "grade", "area", "has_comment", "comment"]
    assert columns[11] == "strategic_direction@council"
    assert columns[19] == "strategic_direction@council not rated"
    assert columns == clean_columns(OFFICERS)
    assert result.responses["population"].tolist() == ["officers"]
    assert result.responses["trust@council"].dtype == "float64"
    assert result.responses["trust@council not rated"].dtype == bool


def test_rating_cells_by_leading_number_no_contact_and_bad_values(tmp_path):
    ratings = ["3 - Information is shared openly", "0", "No contact", "NO CONTACT", "", "5",
               "2.5", "Good"]  # fmt: skip
    result = ingest(tmp_path, [row("O1", ratings)])
    record = result.responses.iloc[0]
    assert record["strategic_direction@council"] == 3.0
    for item_id in ("trust", "sharing_information", "inclusion_planning"):
        assert math.isnan(record[f"{item_id}@council"])
        assert record[f"{item_id}@council not rated"]
    for item_id in ("integrated_working", "managing_conflicts", "roles_responsibilities",
                    "responsiveness"):  # fmt: skip
        assert math.isnan(record[f"{item_id}@council"])
        assert not record[f"{item_id}@council not rated"]
    issues = result.cell_issues
    assert list(issues.columns) == list(CELL_ISSUE_COLUMNS)
    assert issues[["row_number", "column", "value"]].values.tolist() == [
        [1, "Managing conflicts", "5"],
        [1, "Understanding roles and responsibilities", "2.5"],
        [1, "Responsiveness", "Good"],
    ]
    assert set(issues["source_file"]) == {"export.csv"}
    assert set(issues["population"]) == {"officers"}


def test_a_respondent_answer_that_is_no_option_counts_as_did_not_answer(tmp_path):
    result = ingest(
        tmp_path,
        [
            row("O1", ALL_THREES, team="  finance ", grade="Boss", area=""),
        ],
    )
    record = result.responses.iloc[0]
    assert record["team"] == "Finance"  # case and whitespace normalised
    assert record["grade"] == "Did not answer"  # not an option: a cell issue
    assert record["area"] == "Did not answer"  # blank
    assert result.cell_issues[["column", "value"]].values.tolist() == [
        ["What is your grade?", "Boss"]
    ]


def test_providers_rate_each_department_and_report_their_size_as_a_label(tmp_path):
    names = PROVIDERS.target_names
    ratings = {r.column: f"{PROVIDERS.text(r.item_id)}" for r in PROVIDERS.rating_columns()}
    header = ["Response ID", "Submitted"]
    header += [f"{names[r.target]} - {ratings[r.column]}" for r in PROVIDERS.rating_columns()]
    header += [q.prefix for q in PROVIDERS.questions] + ["Anything else you would like to tell us?"]
    # Department d gets rating d % 4 + 1, except Finance (d = 4): no contact.
    cells = [
        "No contact" if r.target == "finance" else str(PROVIDERS.targets.index(r.target) % 4 + 1)
        for r in PROVIDERS.rating_columns()
    ]
    answers = ["West", "Home care", "Fewer than 50", "Owner", "26-50%", ""]
    path = tmp_path / "providers" / "export.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["P1", "2019-06-01 10:00:00", *cells, *answers])
    result = ingest_population("providers", [path], PROVIDERS, CENSUS)
    record = result.responses.iloc[0]
    assert record["size"] == "Small"
    assert record["funded_share"] == "26-50%"
    assert record["trust@ao_senior"] == 1.0
    assert record["trust@procurement"] == 4.0
    assert record["trust@community_agents"] == 3.0
    assert math.isnan(record["trust@finance"]) and record["trust@finance not rated"]
    assert not record["trust@procurement not rated"]
    assert len(result.responses.columns) == 6 + 5 + 2 + 64 * 2


def test_row_rules_after_census_and_no_answers_with_only_no_contact(tmp_path):
    rows = [
        row("O1", ALL_THREES, submitted="2019-06-28 23:59:59"),  # the census day: kept
        row("O2", ALL_THREES, submitted="2019-06-29 00:00:00"),  # after the census
        row("O3", ["No contact"] * 4 + ["0"] * 4),  # no rating anywhere
        row("O4", [""] * 8),  # nothing at all
        row("O5", ["4"] + ["No contact"] * 7),  # one rating: kept
        row("O6", ALL_THREES, submitted=""),  # never submitted
        row("O7", ALL_THREES, submitted="yesterday"),
        row("", ALL_THREES),
    ]
    result = ingest(tmp_path, rows)
    assert result.responses["response_id"].tolist() == ["O1", "O5"]
    reasons = dict(zip(result.quarantine["response_id"], result.quarantine["reason"], strict=True))
    assert reasons == {
        "O2": "after_census",
        "O3": "no_answers",
        "O4": "no_answers",
        "O6": "not_submitted",
        "O7": "bad_timestamp",
        "": "no_response_id",
    }
    assert list(result.quarantine.columns) == list(QUARANTINE_COLUMNS)
    assert result.reconciliation == {
        "population": "officers",
        "rows_read": 8,
        "kept": 2,
        "quarantined": 6,
        "duplicates": 0,
    }
    assert list(result.reconciliation_frame.columns) == list(RECONCILIATION_COLUMNS)


def test_a_re_export_keeps_the_row_from_the_file_that_sorts_last(tmp_path):
    first = write_export(
        tmp_path / "officers" / "2019-06-10.csv",
        [row("O1", ALL_THREES), row("O2", ALL_THREES)],
        encoding="cp1252",
    )
    second = write_export(
        tmp_path / "officers" / "2019-07-01.csv", [row("O1", ["1"] * 8), row("O3", ["2"] * 8)]
    )
    # Given in the wrong order: files are read in filename order.
    result = ingest_population("officers", [second, first], OFFICERS, CENSUS)
    kept = result.responses.set_index("response_id")
    assert kept.loc["O1", "trust@council"] == 1.0
    assert kept.loc["O1", "source_file"] == "2019-07-01.csv"
    assert result.reconciliation == {
        "population": "officers",
        "rows_read": 4,
        "kept": 3,
        "quarantined": 0,
        "duplicates": 1,
    }
    assert result.quarantine[["source_file", "response_id", "reason"]].values.tolist() == [
        ["2019-06-10.csv", "O1", "duplicate"]
    ]


def test_comments_and_bad_cell_values_are_redacted_before_any_table(tmp_path):
    hostile = '=HYPERLINK("x") <script>alert(1)</script> ask Jane Doe on 07700 900123'
    ratings = ["Jane Doe"] + ["2"] * 7
    result = ingest(tmp_path, [row("O1", ratings, comment=hostile)], deny=("Jane Doe",))
    comment = result.responses.loc[0, "comment"]
    assert "Jane Doe" not in comment and "07700" not in comment
    assert "<script>" in comment  # inert text here; escaped at each output boundary
    assert result.responses.loc[0, "has_comment"]
    assert "Jane Doe" not in result.cell_issues.loc[0, "value"]
    assert set(result.redaction["field"]) == {"comment", "cell_value"}


def test_a_missing_question_column_is_a_file_level_error(tmp_path):
    path = tmp_path / "officers" / "export.csv"
    path.parent.mkdir(parents=True)
    header = [h for h in HEADER if h != "Trust"]
    path.write_text(",".join(header) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"trust@council"):
        ingest_population("officers", [path], OFFICERS, CENSUS)


def test_started_is_optional_but_read_when_present(tmp_path):
    path = tmp_path / "officers" / "export.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Started", *HEADER])
        writer.writerow(["2019-06-01 09:00:00", *row("O1", ALL_THREES)])
    result = ingest_population("officers", [path], OFFICERS, CENSUS)
    assert result.responses.loc[0, "started_at"] == pd.Timestamp("2019-06-01 09:00:00")


def test_a_numeric_housekeeping_column_is_not_mistaken_for_a_question(tmp_path):
    path = tmp_path / "officers" / "export.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Collector ID", *HEADER])
        writer.writerow(["3", *row("O1", ALL_THREES)])
    result = ingest_population("officers", [path], OFFICERS, CENSUS)
    assert result.validation["housekeeping_columns"] == ["Collector ID"]


def test_check_reconciliation_fails_when_a_row_is_lost():
    record = {"population": "p", "rows_read": 10, "kept": 6, "quarantined": 2, "duplicates": 1}
    with pytest.raises(ReconciliationError, match="population p: 10 rows read but 9"):
        check_reconciliation(record)
    check_reconciliation({**record, "duplicates": 2})


def test_combined_audit_tables_check_the_quarantine_against_the_counts():
    recon = pd.DataFrame([{"population": "p", "rows_read": 3, "kept": 2, "quarantined": 1,
                           "duplicates": 0}])  # fmt: skip
    quarantine = pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    with pytest.raises(ReconciliationError, match="lists 0 rows but reconciliation counts 1"):
        combine_audit_tables({"reconciliation": [recon], "quarantine": [quarantine]})
    listed = pd.DataFrame(
        [{"population": "p", "source_file": "a.csv", "row_number": 2, "response_id": "x",
          "reason": "no_answers"}]
    )  # fmt: skip
    combined = combine_audit_tables({"reconciliation": [recon], "quarantine": [listed]})
    assert combined["quarantine"]["population"].tolist() == ["p"]
    assert list(combined["cell_issues"].columns) == list(CELL_ISSUE_COLUMNS)


# ---------------------------------------------------------------------------
# Every row read ends up in exactly one place (a property of the row rules)


def parsed(response_id: str, submitted: dt.datetime | None, answered: int) -> ParsedRow:
    return ParsedRow(
        source_file="a.csv",
        row_number=1,
        response_id=response_id,
        started=None,
        submitted_text="" if submitted is None else submitted.isoformat(sep=" "),
        submitted=submitted,
        area="",
        scores={},
        answered=answered,
        categories={},
        other_text={},
        comment="",
    )


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["", "a", "b", "c", "d"]),
        st.one_of(st.none(), st.datetimes(dt.datetime(2019, 6, 20), dt.datetime(2019, 7, 5))),
        st.integers(0, 3),
    ),
    max_size=30,
)


@given(ROWS)
@settings(max_examples=200, deadline=None)
def test_rows_read_equal_kept_plus_quarantined_plus_duplicates(specs):
    rows = [parsed(*spec) for spec in specs]
    kept, quarantined = apply_row_rules(rows, CENSUS)
    assert len(kept) + len(quarantined) == len(rows)
    # A kept row breaks no rule, and every response id is kept at most once.
    assert all(quarantine_reason(r, CENSUS) is None for r in kept)
    ids = [r.response_id for r in kept]
    assert len(ids) == len(set(ids))
