"""Workshop must-haves (relaudit.must_haves): the codebook, reading and redacting,
the best-fit suggestion, the analyst's moderation, the category table and the CSVs.

Every expected value below is worked out by hand from the small codebook in
tests/fixtures/must_haves/codebook.yaml:
payments [pay*, invoice*, "on time"], talking [meeting*, talk*, listen*],
speed [quick*, fast*, reply, replies, "on time"; not "fast track"], other.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit.errors import ConfigError, InputFileError
from relaudit.io import write_csv
from relaudit.must_haves import (
    OTHER,
    SHEET_COLUMNS,
    code_must_haves,
    load_codebook,
    parse_codebook,
    read_moderated,
    read_must_haves,
)
from relaudit.tables import read_stage, write_stage, write_table

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "tests" / "fixtures" / "must_haves" / "codebook.yaml"
# Participant types as a programme maps them; the population ids are the test's own.
TYPES = {"provider": "sellers", "officer": "buyers"}
POPULATIONS = ["sellers", "buyers"]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CODEBOOK)


def write_must_haves(folder: Path, rows, *, encoding="utf-8", header=None) -> Path:
    """A must_haves.csv with the contract's columns (rows of (type, session, text))."""
    path = folder / "must_haves.csv"
    lines = [header or ["participant_type", "session", "must_have"], *rows]
    text = "".join(",".join(_quoted(c) for c in line) + "\r\n" for line in lines)
    path.write_bytes(text.encode(encoding))
    return path


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell


def code(tmp_path, rows, codebook, moderated=None, deny=(), min_group_size=2):
    workshop = read_must_haves(write_must_haves(tmp_path, rows), TYPES, deny)
    chosen = read_moderated(moderated, codebook, workshop) if moderated else {}
    return code_must_haves(workshop, codebook, chosen, POPULATIONS, min_group_size)


# ---------------------------------------------------------------------------
# The codebook.
# ---------------------------------------------------------------------------


def test_the_codebook_loads_in_file_order(codebook):
    assert codebook.ids == ["payments", "talking", "speed", "other"]
    assert codebook.label("speed") == "Faster replies"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"categories": [{"id": "a", "label": "A", "terms": ["x"]}]}, r"no `other` category"),
        (
            {
                "categories": [
                    {"id": "a", "label": "A", "terms": ["x"]},
                    {"id": "a", "label": "A again", "terms": ["y"]},
                    {"id": "other", "label": "Other"},
                ]
            },
            r"category ids used twice: a\. Fix",
        ),
        (
            {"categories": [{"id": "a", "label": "A"}, {"id": "other", "label": "Other"}]},
            r"category 1 \(a\) has no terms\. Fix",
        ),
        (
            {
                "categories": [
                    {"id": "a", "label": "A", "terms": ["x"]},
                    {"id": "b", "label": "B", "terms": ["pay$"]},
                    {"id": "other", "label": "Other"},
                ]
            },
            r"category 2 \(b\), key terms/0: .*Fix the codebook; see workflow/schemas/codebook",
        ),
        (
            {"categories": [{"id": "other", "label": "Other", "colour": "red"}]},
            r"category 1 \(other\): Additional properties",
        ),
        ({"themes": []}, r"\(top level\)"),
    ],
)
def test_a_bad_codebook_names_the_file_the_entry_and_the_fix(data, message):
    with pytest.raises(ConfigError, match=r"^book\.yaml: " + message):
        parse_codebook(data, "book.yaml")


def test_an_unreadable_codebook_names_the_file(tmp_path):
    bad = tmp_path / "book.yaml"
    bad.write_text("categories: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"book\.yaml: cannot read the must-have codebook"):
        load_codebook(bad)


# ---------------------------------------------------------------------------
# The suggestion rule.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pay, invoices, on time: payments 3; on time: speed 1.
        ("Pay invoices on time", "payments"),
        ("Quick replies please", "speed"),  # speed 2
        # meetings, listen: talking 2; reply: speed 1.
        ("Regular meetings where they listen and reply", "talking"),
        # talk: talking 1; reply: speed 1: the tie goes to the category listed first.
        ("Talk to us and reply", "talking"),
        # on time is in payments and speed (1 each): payments is listed first.
        ("Everything on time", "payments"),
        # "fast track" is excluded from speed, so nothing matches.
        ("A fast track for new homes", OTHER),
        ("Biscuits at every workshop", OTHER),
        ("", OTHER),
        # Case and hyphens: "ON-TIME" is the phrase "on time"; PAYMENT is pay*.
        ("PAYMENT ON-TIME", "payments"),
        # Whole words only: "repay" is not pay*, "talkative" is talk*.
        ("Repay the talkative ones", "talking"),
    ],
)
def test_the_best_fit_is_the_most_matched_category_ties_to_codebook_order(codebook, text, expected):
    assert codebook.suggest(text) == expected


def test_a_deny_listed_name_is_redacted_before_the_suggestion(tmp_path, codebook):
    # "Payton" would match pay* if the suggestion saw the raw text.
    tables = code(
        tmp_path,
        [["provider", "1", "Ask Payton Smith-Jones first"], ["officer", "1", "Ring Dr Patel"]],
        codebook,
        deny=["Payton Smith-Jones"],
    )
    assert tables.sheet["must_have"].tolist() == ["Ask [name] first", "Ring [name]"]
    assert tables.sheet["suggested"].tolist() == [OTHER, OTHER]
    written = tmp_path / "sheet.csv"
    write_csv(tables.sheet, written)
    text = written.read_text(encoding="utf-8")
    assert "Payton" not in text and "Patel" not in text
    assert tables.audit.set_index("participant_type")["redactions"].to_dict() == {
        "provider": 1,
        "officer": 1,
        "all": 2,
    }


# ---------------------------------------------------------------------------
# Reading the must-haves file.
# ---------------------------------------------------------------------------


def test_windows_1252_a_bom_and_decorated_headers_are_read(tmp_path):
    path = tmp_path / "must_haves.csv"
    path.write_bytes(
        "\ufeffParticipant Type , Session,MUST-HAVE\r\nProvider ,A,Caf\u00e9 meetings\r\n".encode(
            "utf-8"
        )
    )
    workshop = read_must_haves(path, TYPES)
    assert [(m.row, m.participant_type, m.population, m.text) for m in workshop.must_haves] == [
        (1, "provider", "sellers", "Caf\u00e9 meetings")
    ]
    path.write_bytes(
        "participant_type,session,must_have\nofficer,B,Pay \u00a3 on time\n".encode("cp1252")
    )
    assert read_must_haves(path, TYPES).must_haves[0].text == "Pay \u00a3 on time"


def test_an_unknown_participant_type_names_the_file_the_row_and_the_allowed_values(tmp_path):
    path = write_must_haves(tmp_path, [["provider", "1", "Pay on time"], ["council", "1", "x"]])
    with pytest.raises(
        InputFileError,
        match=r"must_haves\.csv: row 2: participant_type 'council' is not one "
        r"of provider, officer\. Fix",
    ):
        read_must_haves(path, TYPES)


def test_a_missing_column_is_named(tmp_path):
    path = write_must_haves(tmp_path, [["provider", "x"]], header=["participant_type", "text"])
    with pytest.raises(InputFileError, match=r"no column must_have .*Fix"):
        read_must_haves(path, TYPES)


def test_blank_must_haves_and_blank_lines_are_counted_not_dropped(tmp_path, codebook):
    tables = code(
        tmp_path,
        [
            ["provider", "1", "Pay on time"],
            ["provider", "1", "   "],
            ["", "", ""],
            ["officer", "2", ""],
            ["officer", "2", "Quick replies"],
        ],
        codebook,
    )
    assert tables.sheet["row"].tolist() == [1, 5]  # the rows keep their file numbers
    audit = tables.audit.set_index("participant_type")
    assert audit.loc["provider", ["rows_read", "blank", "coded"]].tolist() == [2, 1, 1]
    assert audit.loc["officer", ["rows_read", "blank", "coded"]].tolist() == [2, 1, 1]
    # Over the file: 5 rows = 3 blank (one a blank line) + 2 coded.
    assert audit.loc["all", ["rows_read", "blank", "coded"]].tolist() == [5, 3, 2]
    assert (audit["rows_read"] == audit["blank"] + audit["coded"]).all()


# ---------------------------------------------------------------------------
# Moderation.
# ---------------------------------------------------------------------------

ROWS = [
    ["provider", "1", "Pay invoices on time"],  # payments
    ["provider", "1", "Quick replies"],  # speed
    ["officer", "2", "Biscuits"],  # other
]


def moderated_sheet(folder: Path, rows) -> Path:
    path = folder / "moderated.csv"
    frame = pd.DataFrame(rows, columns=["row", "participant_type", "must_have", "suggested",
                                        "category"])  # fmt: skip
    write_csv(frame, path)
    return path


def test_the_analysts_category_wins_over_the_suggestion(tmp_path, codebook):
    sheet = moderated_sheet(
        tmp_path,
        [
            [1, "provider", "Pay invoices on time", "payments", "payments"],  # kept
            [2, "Provider", "Quick replies", "speed", " Talking "],  # changed, any case
            [3, "officer", "Biscuits", "other", ""],  # blank: the suggestion stays
        ],
    )
    tables = code(tmp_path, ROWS, codebook, moderated=sheet)
    coded = tables.coded.set_index("row")
    assert coded["suggested"].tolist() == ["payments", "speed", "other"]
    assert coded["category"].tolist() == ["payments", "talking", "other"]
    assert coded["moderated"].tolist() == [True, True, False]
    # The written sheet carries the analyst's category forward.
    assert tables.sheet["category"].tolist() == ["payments", "talking", "other"]
    audit = tables.audit.set_index("participant_type")
    # Providers: 2 moderated, 1 kept the suggestion: 50%. Officers: none moderated.
    assert audit.loc["provider", ["moderated", "agreed", "agreement_pct"]].tolist() == [2, 1, 50.0]
    assert audit.loc["officer", ["moderated", "agreed"]].tolist() == [0, 0]
    assert math.isnan(audit.loc["officer", "agreement_pct"])


def test_a_category_not_in_the_codebook_names_the_sheet_the_row_and_the_ids(tmp_path, codebook):
    sheet = moderated_sheet(tmp_path, [[2, "provider", "Quick replies", "speed", "sped"]])
    with pytest.raises(
        InputFileError,
        match=r"moderated\.csv: row 2: category 'sped' is not in the codebook .*"
        r"one of payments, talking, speed, other",
    ):
        code(tmp_path, ROWS, codebook, moderated=sheet)


def test_a_stale_sheet_is_an_error(tmp_path, codebook):
    wrong_type = moderated_sheet(tmp_path, [[3, "provider", "Biscuits", "other", "other"]])
    with pytest.raises(InputFileError, match=r"row 3: participant_type 'provider' .*stale sheet"):
        code(tmp_path, ROWS, codebook, moderated=wrong_type)
    no_such_row = moderated_sheet(tmp_path, [[9, "provider", "Gone", "other", "other"]])
    with pytest.raises(InputFileError, match=r"row 9 matches no must-have .*stale sheet"):
        code(tmp_path, ROWS, codebook, moderated=no_such_row)
    twice = moderated_sheet(
        tmp_path, [[1, "provider", "x", "payments", "speed"], [1, "provider", "x", "payments", ""]]
    )
    with pytest.raises(InputFileError, match=r"row 1 appears twice"):
        code(tmp_path, ROWS, codebook, moderated=twice)
    not_a_number = moderated_sheet(tmp_path, [["one", "provider", "x", "payments", "speed"]])
    with pytest.raises(InputFileError, match=r"line 2: row 'one' is not a row number"):
        code(tmp_path, ROWS, codebook, moderated=not_a_number)


def test_the_written_sheet_reads_back_as_a_moderated_sheet(tmp_path, codebook):
    first = code(tmp_path, ROWS, codebook)
    copy = tmp_path / "copy.csv"
    write_csv(first.sheet, copy)
    again = code(tmp_path, ROWS, codebook, moderated=copy)
    assert again.coded["category"].tolist() == first.coded["category"].tolist()
    assert again.coded["moderated"].all()


# ---------------------------------------------------------------------------
# The category table.
# ---------------------------------------------------------------------------


def test_counts_and_percentages_worked_by_hand(tmp_path, codebook):
    rows = [
        ["provider", "1", "Pay on time"],  # payments
        ["provider", "1", "Invoices paid"],  # payments
        ["provider", "1", "Quick replies"],  # speed
        ["provider", "2", "Biscuits"],  # other
        ["officer", "3", "Meetings"],  # talking
        ["officer", "3", "Listen to us"],  # talking
        ["officer", "3", "Replies"],  # speed
    ]
    tables = code(tmp_path, rows, codebook)
    table = tables.categories
    assert list(table.columns) == [
        "category", "label", "sellers", "buyers", "sellers_pct", "buyers_pct"
    ]  # fmt: skip
    assert table["category"].tolist() == ["payments", "talking", "speed", "other"]
    # Sellers wrote 4: 2 payments (50%), 0 talking, 1 speed (25%), 1 other (25%).
    assert table["sellers"].tolist() == [2, 0, 1, 1]
    assert table["sellers_pct"].tolist() == [50.0, 0.0, 25.0, 25.0]
    # Buyers wrote 3: 0 payments, 2 talking (66.67%), 1 speed (33.33%), 0 other.
    assert table["buyers"].tolist() == [0, 2, 1, 0]
    assert table["buyers_pct"].tolist() == pytest.approx([0.0, 200 / 3, 100 / 3, 0.0])
    # Examples only where a side has at least min_group_size (2) must-haves in the category.
    coded = tables.coded.set_index("row")
    assert coded["example_ok"].tolist() == [True, True, False, False, True, True, False]


def test_the_tables_write_to_their_schemas(tmp_path, codebook):
    tables = code(tmp_path, [["provider", "1", "Pay on time"]], codebook)
    extra = list(tables.categories.columns[2:])
    published = write_table(
        tables.categories, "programme/must_haves", tmp_path / "m.csv", tmp_path / "m.parquet", extra
    )
    # Buyers wrote nothing: their shares are blank, not 0.
    assert published["buyers_pct"].isna().all()
    assert (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "payments,Paying on time,1,0,100,"
    )
    write_stage(tables.coded, tmp_path / "c.parquet", "programme/must_haves_coded")
    back = read_stage(tmp_path / "c.parquet", "programme/must_haves_coded")
    assert back["moderated"].dtype == bool
    write_table(tables.audit, "programme/must_haves_audit", tmp_path / "a.csv", None)


def test_an_unknown_population_in_the_participant_types_is_a_config_error(tmp_path, codebook):
    workshop = read_must_haves(write_must_haves(tmp_path, ROWS), TYPES)
    with pytest.raises(ConfigError, match=r"names population\(s\) buyers .*Fix"):
        code_must_haves(workshop, codebook, {}, ["sellers"], 2)


# ---------------------------------------------------------------------------
# Hostile must-haves stay inert in the CSV.
# ---------------------------------------------------------------------------


def test_hostile_must_haves_stay_inert_in_the_coding_sheet(tmp_path, codebook):
    hostile = [
        '=HYPERLINK("https://evil.example/x","Pay now")',
        "<script>alert('pay')</script>",
        '#set page(fill: red) #import "x.typ"',
        "+cmd|' /C calc'!A0, with a comma\nand a new line",
        "@SUM(1+1)",
    ]
    tables = code(tmp_path, [["provider", "1", text] for text in hostile], codebook)
    path = tmp_path / "sheet.csv"
    write_csv(tables.sheet, path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(SHEET_COLUMNS)
    cells = [row[2] for row in rows[1:]]
    assert len(rows) == 1 + len(hostile)  # the comma and the new line did not split a row
    # Formula triggers get a leading apostrophe; the URL inside was redacted first.
    assert cells[0] == '\'=HYPERLINK("[url]","Pay now")'
    assert cells[1] == "<script>alert('pay')</script>"  # text in a CSV, escaped at the report
    assert cells[2] == '#set page(fill: red) #import "x.typ"'
    assert cells[3].startswith("'+cmd")
    assert cells[4] == "'@SUM(1+1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# ---------------------------------------------------------------------------
# Properties.
# ---------------------------------------------------------------------------

WORDS = ["pay", "invoice", "on", "time", "meeting", "talk", "quick", "reply", "fast", "track",
         "biscuits", "the", "council", "Payton", "=", "#", "<b>"]  # fmt: skip
must_have_text = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
rows_strategy = st.lists(
    st.tuples(st.sampled_from(["provider", "officer"]), must_have_text), min_size=1, max_size=25
)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=60) | must_have_text)
def test_every_must_have_gets_exactly_one_known_category(text):
    codebook = load_codebook(CODEBOOK)
    assert codebook.suggest(text) in codebook.ids


@settings(max_examples=40, deadline=None)
@given(rows=rows_strategy)
def test_counts_sum_to_each_sides_total_and_shares_to_100(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("property")
    codebook = load_codebook(CODEBOOK)
    tables = code(folder, [[t, "1", text] for t, text in rows], codebook)
    published = write_table(
        tables.categories,
        "programme/must_haves",
        folder / "m.csv",
        None,
        list(tables.categories.columns[2:]),
    )
    for participant_type, population in TYPES.items():
        written = sum(1 for t, text in rows if t == participant_type and text.strip())
        assert published[population].sum() == written
        assert (tables.coded["population"] == population).sum() == written
        if written:
            # Six significant figures per share: within 1e-3 of 100 over four categories.
            assert published[f"{population}_pct"].sum() == pytest.approx(100, abs=1e-3)
        else:
            assert published[f"{population}_pct"].isna().all()
    assert tables.coded["row"].is_unique
