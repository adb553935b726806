"""Row rules: scores, categories, dedupe, quarantine, late, cell issues, redaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sys
from pathlib import Path

import pandas as pd
import pytest
from known_answers import CENSUS_COUNTS

from relaudit.clean import (
    ParsedRow,
    check_reconciliation,
    combine_audit_tables,
    derive_category,
    find_duplicates,
    ingest_system,
    parse_row,
    quarantine_reason,
)
from relaudit.config import load_systems
from relaudit.errors import InputFileError, ReconciliationError
from relaudit.ingest import discover_exports, map_columns, read_export
from relaudit.instrument import load_instrument
from relaudit.io import write_parquet
from relaudit.text import load_deny_list

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
import make_small

REPO = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(REPO / "config" / "instruments" / "cqc-relational-audit.yaml")
SMALL = REPO / "tests" / "fixtures" / "small"
SYSTEMS = load_systems(SMALL / "systems.tsv", INSTRUMENT.versions)
BY_ID = {s.system_id: s for s in SYSTEMS}
EXPORTS = discover_exports(SMALL / "raw", SYSTEMS)
CENSUS = "2018-04-05"
NEGATIVE = [i.id for i in INSTRUMENT.items if i.reverse]


@pytest.fixture(scope="module")
def small() -> dict[str, object]:
    return {
        sid: ingest_system(BY_ID[sid], EXPORTS[sid], INSTRUMENT, SYSTEMS, CENSUS) for sid in EXPORTS
    }


# ---------------------------------------------------------------------------
# Scores and categories


def _parse(tmp_path: Path, **kw: object) -> ParsedRow:
    version = str(kw.pop("version", "v1"))
    answers = kw.pop("answers", ["Often true"] * 35)
    data = make_small.response(
        INSTRUMENT, version, "R1", "2017-09-05 10:00:00", "Ashford Vale", answers, **kw
    )  # type: ignore[arg-type]
    header = make_small.export_header(INSTRUMENT, version, other_text=version == "v2")
    path = make_small.write_csv_export(tmp_path / "one.csv", header, [data])
    export = read_export(path)
    columns = map_columns(export, INSTRUMENT)
    number, cells = export.rows[0]
    return parse_row(path.name, number, cells, columns, export.header, INSTRUMENT)


def test_negative_items_exist() -> None:
    # The CQC instrument's four proximity statements are negatively worded.
    assert NEGATIVE == [
        "proximity_directness",
        "proximity_continuity",
        "proximity_multiplexity",
        "proximity_parity",
    ]


@pytest.mark.parametrize(
    ("label", "positive", "negative"),
    [
        ("Consistently not true", 0.0, 5.0),
        ("Rarely true", 1.0, 4.0),
        ("Sometimes true", 2.0, 3.0),
        ("Often true", 3.0, 2.0),
        ("Mostly true", 4.0, 1.0),
        ("Consistently true", 5.0, 0.0),
        ("  consistently TRUE ", 5.0, 0.0),
        ("MOSTLY true", 4.0, 1.0),
    ],
)
def test_scores_and_reverse_scoring(tmp_path: Path, label: str, positive: float, negative: float):
    parsed = _parse(tmp_path, answers=[label] * 35)
    assert parsed.answered == 35
    assert parsed.issues == []
    for item in INSTRUMENT.items:
        assert parsed.scores[item.id] == (negative if item.reverse else positive), item.id


@pytest.mark.parametrize("value", ["Sometims true", "N/A", "3", "=1+1", "true"])
def test_unknown_label_is_a_cell_issue_and_not_answered(tmp_path: Path, value: str) -> None:
    answers = ["Often true"] * 35
    answers[2] = value
    parsed = _parse(tmp_path, answers=answers)
    assert math.isnan(parsed.scores[INSTRUMENT.item_ids[2]])
    assert parsed.answered == 34
    header = INSTRUMENT.items[2].text["v1"]
    assert parsed.issues == [(header, value, "unknown_label")]


def test_blank_cell_is_not_answered_and_not_an_issue(tmp_path: Path) -> None:
    answers = ["Often true"] * 35
    answers[0] = "   "
    parsed = _parse(tmp_path, answers=answers)
    assert math.isnan(parsed.scores[INSTRUMENT.item_ids[0]])
    assert parsed.issues == []


def test_bad_started_is_a_cell_issue(tmp_path: Path) -> None:
    parsed = _parse(tmp_path, started="soon")
    assert parsed.started is None
    assert parsed.issues == [("Started", "soon", "bad_timestamp")]


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        ([], "Did not answer"),
        (["VCSE"], "VCSE"),
        (["Health provider"], "Health provider"),
        (["Health provider", "VCSE"], "Multiple"),
        (["A", "B", "C"], "Multiple"),
    ],
)
def test_derive_category(ticked: list[str], expected: str) -> None:
    assert derive_category(ticked, "Multiple", "Did not answer") == expected


@pytest.mark.parametrize(
    ("ticks", "tick_value", "expected"),
    [
        ({"org_type": ["Third or voluntary sector"]}, "Yes", ("VCSE", "Did not answer")),
        ({"org_type": ["Health provider"]}, "Does apply", ("Health provider", "Did not answer")),
        ({"org_type": ["Other"], "role": ["Administrative"]}, "1", ("Other", "Administrative")),
        (
            {"role": ["Direct service delivery (health or social care practitioner)"]},
            "label",
            ("Did not answer", "Direct service delivery"),
        ),
        (
            {"org_type": ["Health provider", "Social care provider"]},
            "Yes",
            ("Multiple", "Did not answer"),
        ),
        ({"org_type": ["Health provider"]}, "no", ("Did not answer", "Did not answer")),
        ({"org_type": ["Health provider"]}, "FALSE", ("Did not answer", "Did not answer")),
        ({"org_type": ["Health provider"]}, "0", ("Did not answer", "Did not answer")),
    ],
)
def test_ticks_to_categories(tmp_path: Path, ticks, tick_value, expected) -> None:
    parsed = _parse(tmp_path, ticks=ticks, tick_value=tick_value)
    assert (parsed.categories["org_type"], parsed.categories["role"]) == expected


# ---------------------------------------------------------------------------
# Quarantine reasons and precedence


BASE = ParsedRow(
    source_file="f.csv",
    row_number=1,
    response_id="R1",
    started=None,
    submitted_text="2017-09-10 10:00:00",
    submitted=dt.datetime(2017, 9, 10, 10),
    area="Ashford Vale",
    scores={},
    answered=3,
    categories={},
    other_text={},
    comment="",
)
CENSUS = dt.date(2018, 4, 5)
NOT_SUBMITTED = {"submitted_text": "", "submitted": None}
BAD_TIME = {"submitted_text": "soon", "submitted": None}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),
        (NOT_SUBMITTED, "not_submitted"),
        (BAD_TIME, "bad_timestamp"),
        ({"area": ""}, "no_area"),
        ({"area": "Bramfield"}, "area_mismatch"),
        ({"area": "Nowhere Town"}, "area_mismatch"),
        ({"area": "ASHFORD-VALE"}, None),
        ({"area": "ashford vale"}, None),
        ({"response_id": ""}, "no_response_id"),
        ({"answered": 0}, "no_answers"),
        ({"submitted": dt.datetime(2018, 4, 6, 0, 0)}, "after_census"),
        ({"submitted": dt.datetime(2018, 4, 5, 23, 59, 59)}, None),
        # Several apply: the contract's order decides.
        ({**NOT_SUBMITTED, "area": "", "response_id": ""}, "not_submitted"),
        ({**BAD_TIME, "area": ""}, "bad_timestamp"),
        ({"area": "", "response_id": "", "answered": 0}, "no_area"),
        ({"area": "Bramfield", "response_id": ""}, "area_mismatch"),
        ({"response_id": "", "answered": 0}, "no_response_id"),
        ({"answered": 0, "submitted": dt.datetime(2018, 5, 1)}, "no_answers"),
    ],
)
def test_quarantine_reason(changes: dict[str, object], reason: str | None) -> None:
    row = dataclasses.replace(BASE, **changes)
    assert quarantine_reason(row, BY_ID["ashford-vale"], SYSTEMS, CENSUS) == reason


@pytest.mark.parametrize(
    ("area", "system_id"),
    [
        ("BRAMﬁELD", "bramfield"),  # ligature from copy-paste
        ("bram-field", "bramfield"),
        ("  Bram Field ", "bramfield"),
        ("Cole on Tyne", "cole-on-tyne"),
        ("COLE-ON-TYNE", "cole-on-tyne"),
    ],
)
def test_area_spellings_match(area: str, system_id: str) -> None:
    row = dataclasses.replace(BASE, area=area)
    assert quarantine_reason(row, BY_ID[system_id], SYSTEMS, CENSUS) is None


def test_find_duplicates_keeps_last() -> None:
    ids = ["A", "B", "", "A", "C", "", "A", "B"]
    rows = [dataclasses.replace(BASE, response_id=i, row_number=n) for n, i in enumerate(ids)]
    assert find_duplicates(rows) == {0, 1, 3}


# ---------------------------------------------------------------------------
# A whole system (known answers from the fixture's design, see make_small.py)


def test_small_fixture_reconciliation(small) -> None:
    assert small["ashford-vale"].reconciliation == {
        "system_id": "ashford-vale",
        "rows_read": 44,  # 20 deadline rows + the same 20 again + 4 new rows
        "kept_on_time": 18,  # 17 + AV1018 at 23:59:59 on the deadline day
        "kept_late": 2,  # AV1019 at 00:00:00 the next day, AV1020
        "quarantined": 4,  # not submitted, bad timestamp, no area, after census
        "duplicates": 20,
    }
    assert small["bramfield"].reconciliation["quarantined"] == 6
    assert small["cole-on-tyne"].reconciliation["duplicates"] == 2


def test_quarantine_rows(small) -> None:
    q = small["ashford-vale"].quarantine
    not_dup = q[q.reason != "duplicate"]
    assert not_dup[["source_file", "row_number", "response_id", "reason"]].values.tolist() == [
        ["2018-01-10_export.xlsx", 18, "AV2001", "not_submitted"],
        ["2018-01-10_export.xlsx", 19, "AV2002", "bad_timestamp"],
        ["2018-01-10_export.xlsx", 20, "AV2003", "no_area"],
        ["2018-01-10_export.xlsx", 24, "AV2004", "after_census"],
    ]
    dup = q[q.reason == "duplicate"]
    assert set(dup.source_file) == {"2017-09-15_export.csv"}
    assert dup.row_number.tolist() == list(range(1, 21))
    bram = small["bramfield"].quarantine
    assert bram.reason.tolist() == [
        "area_mismatch",
        "area_mismatch",
        "no_response_id",
        "no_answers",
        "no_answers",
        "not_submitted",
    ]


def test_late_flag_at_end_of_day(small) -> None:
    responses = small["ashford-vale"].responses.set_index("response_id")
    assert not responses.loc["AV1018", "late"]  # 2017-09-15 23:59:59, deadline day
    assert responses.loc["AV1019", "late"]  # 2017-09-16 00:00:00
    assert responses.loc["AV1018", "source_file"] == "2018-01-10_export.xlsx"
    bram = small["bramfield"].responses.set_index("response_id")
    assert bram.loc["BF-021", "late"]  # 14/10/2017 00:00:00
    assert bram.late.sum() == 2


def test_dedupe_keeps_the_later_file(small) -> None:
    cole = small["cole-on-tyne"].responses.set_index("response_id")
    assert cole.loc["CT05", "source_file"] == "2017-12-01_export.csv"
    assert cole.loc["CT05", "comment"] == "Revised answer."
    assert cole.loc["CT01", "source_file"] == "2017-12-01_export.csv"
    assert cole.loc["CT02", "source_file"] == "2017-11-17_export.csv"
    assert cole.index.is_unique


def test_cell_issues(small) -> None:
    issues = small["ashford-vale"].cell_issues
    assert issues[["response_id", "value", "reason"]].values.tolist() == [
        ["AV1004", "Sometims true", "unknown_label"],
        ["AV1005", "N/A", "unknown_label"],
    ]
    responses = small["ashford-vale"].responses.set_index("response_id")
    assert math.isnan(responses.loc["AV1004", INSTRUMENT.item_ids[5]])
    assert responses.loc["AV1003", INSTRUMENT.item_ids[0]] == 4.0  # " mostly TRUE "
    bram = small["bramfield"].cell_issues
    assert bram[["response_id", "column", "value"]].values.tolist() == [
        ["BF-007", "Started", "yesterday"]
    ]
    assert pd.isna(
        small["bramfield"].responses.set_index("response_id").loc["BF-007", "started_at"]
    )


def test_categories_from_fixture(small) -> None:
    counts = small["ashford-vale"].responses.org_type.value_counts().to_dict()
    # 17 deadline respondents + 3 re-export ones (people[17], [18], [2]); see make_small.py
    assert counts == {
        "Health provider": 10,
        "Social care provider": 5,
        "VCSE": 3,
        "Multiple": 1,
        "Did not answer": 1,
    }


def test_encodings_read_the_same_text(small) -> None:
    cole = small["cole-on-tyne"].responses.set_index("response_id")
    assert cole.loc["CT03", "comment"] == "The café meeting cost £40 and “nobody” came."


def test_clean_table_contract(small) -> None:
    frame = small["bramfield"].responses
    assert list(frame.columns[:17]) == [
        "system_id",
        "response_id",
        "source_file",
        "row_number",
        "started_at",
        "submitted_at",
        "late",
        "questionnaire_version",
        "org_type",
        "role",
        "tenure",
        "role_other",
        "has_comment",
        "comment",
        *INSTRUMENT.item_ids[:3],
    ]
    assert list(frame.columns[14:]) == INSTRUMENT.item_ids
    assert str(frame.submitted_at.dtype) == "datetime64[ns]"
    assert frame.late.dtype == bool and frame.has_comment.dtype == bool
    assert all(frame[i].dtype == "float64" for i in INSTRUMENT.item_ids)
    assert set(frame.questionnaire_version) == {"v2"}
    csv = small["bramfield"].responses_csv
    assert list(csv.columns) == [
        "response_id",
        "submitted_at",
        "late",
        "questionnaire_version",
        "org_type",
        "role",
        "tenure",
        "has_comment",
    ]
    assert csv.submitted_at.iloc[0] == "2017-10-02 21:15:00"


def test_free_text_is_redacted_before_output(small) -> None:
    bram = small["bramfield"]
    text = " ".join(bram.responses.comment) + " ".join(bram.responses.role_other)
    for secret in ("j.bloggs@example.org", "01632 960123", "01632 960456", "Smith", "Fictional"):
        assert secret not in text
    assert "[email]" in text and "[phone]" in text and "[name]" in text
    assert bram.responses.has_comment.sum() == (bram.responses.comment != "").sum()
    tags = bram.redaction.set_index(["field", "tag"])["count"].to_dict()
    assert tags[("role_other", "phone")] == 3  # three "Other" respondents gave a phone number
    assert set(bram.redaction.columns) == {"system_id", "field", "tag", "count"}


def test_deny_list_names_are_redacted() -> None:
    result = ingest_system(
        BY_ID["cole-on-tyne"], EXPORTS["cole-on-tyne"], INSTRUMENT, SYSTEMS, CENSUS, ["Nobody"]
    )
    comment = result.responses.set_index("response_id").loc["CT03", "comment"]
    assert "nobody" not in comment.casefold()
    assert "[name]" in comment


def test_validation_report(small) -> None:
    report = small["ashford-vale"].validation
    assert report["housekeeping_columns"] == ["Collector ID", "IP Address"]
    assert [f["file"] for f in report["files"]] == [
        "2017-09-15_export.csv",
        "2018-01-10_export.xlsx",
    ]
    assert [f["rows_read"] for f in report["files"]] == [20, 24]
    assert [f["format"] for f in report["files"]] == ["utf-8", "xlsx"]
    assert all(f["statements_mapped"] == 35 for f in report["files"])
    assert small["bramfield"].validation["files"][0]["format"] == "utf-8-sig"
    assert small["cole-on-tyne"].validation["files"][0]["format"] == "cp1252"


def test_deterministic_output(tmp_path: Path) -> None:
    paths = []
    for n in range(2):
        result = ingest_system(
            BY_ID["ashford-vale"], EXPORTS["ashford-vale"], INSTRUMENT, SYSTEMS, CENSUS
        )
        paths.append(write_parquet(result.responses, tmp_path / f"{n}.parquet"))
    assert paths[0].read_bytes() == paths[1].read_bytes()


# ---------------------------------------------------------------------------
# Reconciliation checks


RECORD = {
    "system_id": "x",
    "rows_read": 10,
    "kept_on_time": 5,
    "kept_late": 1,
    "quarantined": 2,
    "duplicates": 2,
}


def test_check_reconciliation_balances() -> None:
    check_reconciliation(RECORD)


@pytest.mark.parametrize("column", ["rows_read", "kept_on_time", "kept_late", "duplicates"])
def test_check_reconciliation_fails(column: str) -> None:
    with pytest.raises(ReconciliationError, match="system x: "):
        check_reconciliation({**RECORD, column: RECORD[column] + 1})


def _quarantine(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "system_id": ["x"] * n,
            "source_file": ["f.csv"] * n,
            "row_number": list(range(1, n + 1)),
            "response_id": [f"R{i}" for i in range(n)],
            "reason": ["duplicate"] * n,
        }
    )


def test_combine_audit_tables() -> None:
    empty = pd.DataFrame()
    combined = combine_audit_tables([pd.DataFrame([RECORD])], [_quarantine(4)], [empty], [empty])
    assert combined["reconciliation"].to_dict("records") == [RECORD]
    assert len(combined["quarantine"]) == 4
    assert list(combined["cell_issues"].columns)[-1] == "reason"


@pytest.mark.parametrize(
    ("record", "listed"),
    [({**RECORD, "kept_late": 2}, 4), (RECORD, 3)],
)
def test_combine_audit_tables_fails(record: dict[str, object], listed: int) -> None:
    with pytest.raises(ReconciliationError, match="system x"):
        combine_audit_tables([pd.DataFrame([record])], [_quarantine(listed)], [], [])


# ---------------------------------------------------------------------------
# The committed demo programme (the census counts of the published annex)


@pytest.mark.slow
def test_demo_programme_matches_the_census() -> None:
    systems = load_systems(REPO / "config" / "systems.tsv", INSTRUMENT.versions)
    exports = discover_exports(REPO / "data" / "raw", systems)
    if not exports:
        pytest.skip("demo data not generated")
    deny = load_deny_list(REPO / "config" / "redact.txt")
    counts, no_area = {}, 0
    for system in systems:
        result = ingest_system(
            system, exports[system.system_id], INSTRUMENT, systems, "2018-04-05", deny
        )
        frame = result.responses
        counts[system.system_id] = (len(frame), int(frame.has_comment.sum()))
        no_area += int((result.quarantine.reason == "no_area").sum())
    assert counts == CENSUS_COUNTS
    assert sum(n for n, _ in counts.values()) == 2538
    assert sum(c for _, c in counts.values()) == 1000
    assert no_area == 2


COUNCIL = load_instrument(
    REPO / "tests" / "fixtures" / "instruments" / "council-partner-relationships.yaml"
)


def council_header() -> list[str]:
    """Every column of a council export: ratings per target, ticks, one staff column."""
    cols = ["Respondent", "Completed"]
    cols += [
        COUNCIL.target_header.format(target=t, text=i.text["2019"])
        for i in COUNCIL.items
        for t in COUNCIL.targets
    ]
    for question in COUNCIL.questions:
        if question.single_choice:
            cols.append(question.prefix)
        else:
            cols += [question.column(o) for o in question.options]
    return [*cols, "Anything else you would like to tell us?"]


def ingest_council(tmp_path: Path, rows: list[dict[str, str]]):
    path = make_small.write_csv_export(tmp_path / "2019-05-31.csv", council_header(), rows)
    system = dataclasses.replace(BY_ID["ashford-vale"], deadline=dt.date(2019, 5, 31))
    return ingest_system(system, [path], COUNCIL, [system], "2019-06-30")


def test_per_target_instrument(tmp_path: Path) -> None:
    """A second instrument needs only its YAML: ratings per target, 1-4 scale, no contact."""
    cols = council_header()
    first = cols[2]  # replies_promptly, the first target
    rows = [
        {
            "Respondent": "P1",
            "Completed": "2019-05-01 10:00:00",
            first: "very GOOD",
            cols[3]: "No contact",
            cols[4]: "Excellent",
            cols[5]: "0",
            "Type of service you provide: Home care": "1",
        },
        {"Respondent": "P2", "Completed": "2019-05-02 10:00:00", first: "No contact"},
    ]
    result = ingest_council(tmp_path, rows)
    frame = result.responses
    ratings = COUNCIL.rating_columns()
    assert frame.response_id.tolist() == ["P1"]
    assert frame.loc[0, ratings[0].column] == 4.0
    for rating in ratings[1:4]:  # no contact, an unknown label, the code 0
        assert math.isnan(frame.loc[0, rating.column])
    flags = [bool(frame.loc[0, r.not_rated_column]) for r in ratings[:4]]
    assert flags == [False, True, False, True]
    assert sum(bool(frame.loc[0, r.not_rated_column]) for r in ratings) == 2
    assert frame.loc[0, "provider_type"] == "Home care"
    assert frame.loc[0, "provider_size"] == "Did not answer"
    assert result.cell_issues[["column", "value"]].values.tolist() == [[cols[4], "Excellent"]]
    assert result.quarantine.reason.tolist() == ["no_answers"]  # only "no contact"
    # responses.csv holds the instrument's questions, in its order.
    assert list(result.responses_csv.columns) == [
        "response_id", "submitted_at", "late", "questionnaire_version",
        "provider_type", "provider_size", "has_comment",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "group", "issue"),
    [
        ("Fewer than 50", "Small", False),
        ("  250 OR more ", "Large", False),  # matched like labels
        ("50  to 249", "Medium", False),
        ("", "Did not answer", False),  # blank: the question's `none` group
        ("About 40", "Did not answer", True),  # unknown: a cell issue, not answered
        ("Small", "Did not answer", True),  # the reported name is not an answer
    ],
)
def test_single_choice_answer(tmp_path: Path, cell: str, group: str, issue: bool) -> None:
    cols = council_header()
    row = {"Respondent": "P1", "Completed": "2019-05-01 10:00:00", cols[2]: "Good"}
    row["Number of staff"] = cell
    result = ingest_council(tmp_path, [row])
    assert result.responses.loc[0, "provider_size"] == group
    expected = [["Number of staff", cell.strip(), "unknown_label"]] if issue else []
    assert result.cell_issues[["column", "value", "reason"]].values.tolist() == expected


def test_single_choice_column_is_required(tmp_path: Path) -> None:
    cols = [c for c in council_header() if c != "Number of staff"]
    path = make_small.write_csv_export(tmp_path / "x.csv", cols, [])
    with pytest.raises(InputFileError, match="Number of staff"):
        map_columns(read_export(path), COUNCIL)


def test_cqc_tables_have_no_not_rated_flags(small) -> None:
    columns = small["ashford-vale"].responses.columns
    assert not [c for c in columns if c.endswith("not rated")]
