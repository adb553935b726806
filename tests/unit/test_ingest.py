"""Reading exports: encodings, xlsx, header mapping, cell parsing, file-level errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from relaudit.config import load_systems
from relaudit.errors import InputFileError
from relaudit.ingest import (
    decode_csv_bytes,
    discover_exports,
    is_tick,
    map_columns,
    parse_timestamp,
    rating_columns,
    read_export,
)
from relaudit.instrument import load_instrument

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
import make_small

REPO = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(REPO / "config" / "instruments" / "cqc-relational-audit.yaml")
SMALL = REPO / "tests" / "fixtures" / "small"
GOOD = ["Often true"] * 35


def header(version: str = "v1", **kw: object) -> list[str]:
    return make_small.export_header(INSTRUMENT, version, **kw)  # type: ignore[arg-type]


def row(rid: str = "R1", **kw: object) -> dict[str, object]:
    version = str(kw.pop("version", "v1"))
    return make_small.response(
        INSTRUMENT,
        version,
        rid,
        kw.pop("submitted", "2017-08-20 10:00:00"),
        str(kw.pop("area", "Halton")),
        kw.pop("answers", GOOD),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------
# Cell values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-04-05 23:59:59", dt.datetime(2018, 4, 5, 23, 59, 59)),
        ("2018-04-05T09:01:02", dt.datetime(2018, 4, 5, 9, 1, 2)),
        ("05/04/2018 09:01", dt.datetime(2018, 4, 5, 9, 1)),
        ("05/04/2018 09:01:02", dt.datetime(2018, 4, 5, 9, 1, 2)),
        ("  05/04/2018 09:01  ", dt.datetime(2018, 4, 5, 9, 1)),
        (dt.datetime(2018, 4, 5, 9, 1, 2), dt.datetime(2018, 4, 5, 9, 1, 2)),
        ("13/01/2018 00:00", dt.datetime(2018, 1, 13, 0, 0)),  # UK: day first
        ("2018-02-30 10:00:00", None),  # no such day
        ("31/02/2018 10:00", None),
        ("05/04/2018 25:00", None),
        ("2018-04-05", None),  # no time
        ("2018/04/05 10:00:00", None),
        ("yesterday", None),
        ("", None),
        ("=NOW()", None),
    ],
)
def test_parse_timestamp(text: object, expected: dt.datetime | None) -> None:
    assert parse_timestamp(text) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "ticked"),
    [
        ("Does apply", True),
        ("1", True),
        ("Yes", True),
        ("Health provider", True),
        ("x", True),
        ("", False),
        ("   ", False),
        ("0", False),
        ("no", False),
        ("NO", False),
        (" No ", False),
        ("false", False),
        ("FALSE", False),
        ("False", False),
    ],
)
def test_is_tick(value: str, ticked: bool) -> None:
    assert is_tick(value) is ticked


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"a,b\n", "a,b\n", "utf-8"),
        (b"\xef\xbb\xbfa,b\n", "a,b\n", "utf-8-sig"),
        ("café".encode(), "café", "utf-8"),
        ("café £5 “q” –".encode("cp1252"), "café £5 “q” –", "cp1252"),
    ],
)
def test_decode_csv_bytes(data: bytes, text: str, encoding: str) -> None:
    assert decode_csv_bytes(data) == (text, encoding)


# ---------------------------------------------------------------------------
# Reading files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_read_csv_encodings(tmp_path: Path, encoding: str) -> None:
    rows = [row("R1", comment="Café, “quoted”\nsecond line, £3")]
    path = make_small.write_csv_export(tmp_path / "e.csv", header(), rows, encoding=encoding)
    export = read_export(path)
    assert export.encoding == encoding
    assert export.header[0] == "Response ID"  # no BOM left on the first header
    number, cells = export.rows[0]
    assert number == 1
    assert cells[export.header.index(make_small.COMMENT_HEADER)] == (
        "Café, “quoted”\nsecond line, £3"
    )


def test_read_xlsx_keeps_date_cells(tmp_path: Path) -> None:
    when = dt.datetime(2017, 8, 20, 10, 30, 5)
    rows = [row("R1", submitted=when), row("12345", submitted="20/08/2017 10:31")]
    path = make_small.write_xlsx_export(tmp_path / "e.xlsx", header(), rows)
    export = read_export(path)
    sub = export.header.index("Submitted")
    assert export.encoding == "xlsx"
    assert export.rows[0][1][sub] == when
    assert parse_timestamp(export.rows[1][1][sub]) == dt.datetime(2017, 8, 20, 10, 31)
    assert export.rows[1][1][0] == "12345"  # a numeric id comes back as its text


def test_blank_rows_skipped_and_short_rows_padded(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("Response ID,Submitted,Area\nR1,2018-01-01 10:00:00\n,,\n\nR2,x,y,extra\n")
    export = read_export(path)
    assert [n for n, _ in export.rows] == [1, 4]  # row numbers stay those of the file
    assert export.rows[0][1] == ["R1", "2018-01-01 10:00:00", ""]
    assert export.blank_rows == 2
    assert export.warnings == ["row 4: 1 cell(s) beyond the header ignored"]


# ---------------------------------------------------------------------------
# Header mapping


def test_header_normalisation_maps_every_statement(tmp_path: Path) -> None:
    cols = header("v1", decorate=True, housekeeping=("IP Address", "Collector ID"))
    tech = INSTRUMENT.item("integrity_technology").text["v1"]
    index = next(i for i, h in enumerate(cols) if h.endswith(tech))
    cols[index] = "  " + tech.upper().replace("'", "\u2019").rstrip(".") + "  "
    path = make_small.write_csv_export(tmp_path / "e.csv", cols, [])
    mapping = map_columns(read_export(path), INSTRUMENT)
    assert sorted(mapping.items) == sorted(rating_columns(INSTRUMENT))
    assert mapping.items["integrity_technology"] == index
    assert mapping.housekeeping == ["IP Address", "Collector ID"]


def test_v2_wording_and_other_text(tmp_path: Path) -> None:
    path = make_small.write_csv_export(
        tmp_path / "e.csv", header("v2", other_text=True), [row(version="v2")]
    )
    mapping = map_columns(read_export(path), INSTRUMENT)
    assert len(mapping.items) == 35
    assert set(mapping.other_text) == {"role"}


def test_columns_in_any_order(tmp_path: Path) -> None:
    cols = header()[::-1]
    path = make_small.write_csv_export(tmp_path / "e.csv", cols, [row()])
    mapping = map_columns(read_export(path), INSTRUMENT)
    assert mapping.response_id == len(cols) - 1
    assert len(mapping.items) == 35


# ---------------------------------------------------------------------------
# File-level errors


def _write(tmp_path: Path, cols: list[str], rows: list[dict[str, object]]) -> Path:
    return make_small.write_csv_export(tmp_path / "broken.csv", cols, rows)


def _fails(path: Path, *fragments: str) -> None:
    with pytest.raises(InputFileError) as caught:
        map_columns(read_export(path), INSTRUMENT)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_missing_statement_column(tmp_path: Path) -> None:
    cols = [h for h in header() if h != INSTRUMENT.item("trust_people").text["v1"]]
    _fails(_write(tmp_path, cols, [row()]), "statement column(s) missing", "trust_people")


def test_unknown_column_holding_scale_labels(tmp_path: Path) -> None:
    cols = [*header(), "We like biscuits."]
    _fails(
        _write(tmp_path, cols, [row(extra={"We like biscuits.": "Often true"})]),
        "'We like biscuits.'",
        "holds scale labels",
    )


def test_unknown_column_without_labels_is_housekeeping(tmp_path: Path) -> None:
    cols = [*header(), "Custom Data 1"]
    path = _write(tmp_path, cols, [row(extra={"Custom Data 1": "abc"})])
    assert map_columns(read_export(path), INSTRUMENT).housekeeping == ["Custom Data 1"]


def test_two_columns_for_one_statement(tmp_path: Path) -> None:
    text = INSTRUMENT.item("trust_people").text["v1"]
    cols = [*header(), "3. " + text]
    _fails(_write(tmp_path, cols, [row()]), "both map to statement trust_people")


@pytest.mark.parametrize("column", ["Response ID", "Submitted", "Area", "Started"])
def test_required_column_missing(tmp_path: Path, column: str) -> None:
    cols = [h for h in header() if h != column]
    _fails(_write(tmp_path, cols, [row()]), "required column(s) missing", repr(column))


def test_tick_option_column_missing(tmp_path: Path) -> None:
    cols = [h for h in header() if h != "Type of organisation you work for: Other"]
    _fails(_write(tmp_path, cols, [row()]), "Type of organisation you work for: Other")


def test_comments_column_missing(tmp_path: Path) -> None:
    cols = [h for h in header() if h != make_small.COMMENT_HEADER]
    _fails(_write(tmp_path, cols, [row()]), "Please add any comments")


@pytest.mark.parametrize("content", [b"", b"\n\n", b",,,\nR1,x,y\n"])
def test_no_header_row(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match="no header row") as caught:
        read_export(path)
    assert str(path) in str(caught.value)


def test_data_in_the_header_row(tmp_path: Path) -> None:
    path = tmp_path / "headless.csv"
    path.write_text("R1,2018-01-01 10:00:00,Halton,Often true\n")
    _fails(path, "no header row")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("corrupt.xlsx", b"PK\x03\x04 this is not a workbook", "corrupt .xlsx"),
        ("text.xlsx", b"Response ID,Submitted\n", "corrupt .xlsx"),
        ("binary.csv", b"PK\x03\x04\x00\x00\x00binary", "unreadable export"),
        ("undefined.csv", b"Response ID\n\x81\x8d\x8f\n", "unreadable export"),
    ],
)
def test_unreadable_file(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=fragment) as caught:
        read_export(path)
    assert str(path) in str(caught.value)


# ---------------------------------------------------------------------------
# The Snakemake rules, end to end (slower)


def _snakemake(
    tmp_path: Path, raw: Path, sheet: Path, *targets: str
) -> subprocess.CompletedProcess:
    results = tmp_path / "results"
    return subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "snakemake"),
            "--nolock",
            "--cores",
            "2",
            "--config",
            f"systems_sheet={sheet}",
            f"raw_dir={raw}",
            f"results_dir={results}",
            "--",
            *(str(results / t) for t in targets),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.e2e
def test_rules_on_small_fixture(tmp_path: Path) -> None:
    run = _snakemake(tmp_path, SMALL / "raw", SMALL / "systems.tsv", "audit/reconciliation.csv")
    assert run.returncode == 0, run.stderr
    audit = tmp_path / "results" / "audit"
    assert (audit / "reconciliation.csv").read_text() == (
        "system_id,rows_read,kept_on_time,kept_late,quarantined,duplicates\n"
        "ashford-vale,44,18,2,4,20\n"
        "bramfield,28,20,2,6,0\n"
        "cole-on-tyne,17,13,2,0,2\n"
    )
    for name in ("quarantine", "cell_issues", "redaction"):
        assert (audit / f"{name}.csv").is_file()
    clean = tmp_path / "results" / "systems" / "bramfield" / "clean"
    assert (clean / "responses.csv").read_text().splitlines()[0] == (
        "response_id,submitted_at,late,questionnaire_version,org_type,role,tenure,has_comment"
    )


@pytest.mark.e2e
def test_rule_reports_file_error_without_traceback(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "halton"
    raw.mkdir(parents=True)
    (raw / "2017-08-25_export.xlsx").write_bytes(b"not a workbook")
    sheet = tmp_path / "systems.tsv"
    sheet.write_text(
        "system_id\tname\taliases\treview_order\tquestionnaire_version\tsurvey_opened\tdeadline\n"
        "halton\tHalton\t\t1\tv1\t2017-08-15\t2017-08-25\n"
    )
    run = _snakemake(tmp_path, tmp_path / "raw", sheet, "systems/halton/clean/responses.csv")
    assert run.returncode != 0
    assert "relaudit: " in run.stderr
    assert "2017-08-25_export.xlsx: unreadable or corrupt .xlsx file" in run.stderr
    assert "Traceback" not in run.stderr


def test_long_comment_is_read(tmp_path: Path) -> None:
    long = "word " * 60_000  # 300,000 characters: beyond the csv module's default cap
    path = make_small.write_csv_export(tmp_path / "e.csv", header(), [row(comment=long)])
    export = read_export(path)
    assert export.rows[0][1][export.header.index(make_small.COMMENT_HEADER)] == long


# ---------------------------------------------------------------------------
# Finding the exports (folder-level rules)


SYSTEMS = load_systems(SMALL / "systems.tsv", INSTRUMENT.versions)


def test_discover_exports_in_filename_order() -> None:
    found = discover_exports(SMALL / "raw", SYSTEMS)
    assert [p.name for p in found["ashford-vale"]] == [
        "2017-09-15_export.csv",
        "2018-01-10_export.xlsx",
    ]


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda raw: (raw / "unknown-place").mkdir(), "systems sheet does not name"),
        (lambda raw: (raw / "bramfield" / "notes.txt").write_text("x"), "not a .csv or .xlsx"),
        (lambda raw: (raw / "stray.csv").write_text("x"), "a file directly in"),
    ],
)
def test_discover_exports_errors(tmp_path: Path, make, fragment: str) -> None:
    raw = tmp_path / "raw"
    for sid in ("ashford-vale", "bramfield", "cole-on-tyne"):
        (raw / sid).mkdir(parents=True)
    make(raw)
    with pytest.raises(InputFileError, match=fragment):
        discover_exports(raw, SYSTEMS)


def test_system_without_folder_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "bramfield").mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = discover_exports(tmp_path, SYSTEMS)
    assert list(found) == ["bramfield"]
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert "no exports for system ashford-vale" in messages[0]
    assert "no exports for system cole-on-tyne" in messages[1]


@pytest.mark.parametrize("name", ["gone.csv", "gone.xlsx"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(InputFileError, match="unreadable export") as caught:
        read_export(path)
    assert str(path) in str(caught.value)
