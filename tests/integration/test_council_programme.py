"""End-to-end: the council partner survey, a programme of populations (issue 15).

The build is the spec's run command, `snakemake --configfile
config/programmes/council-partners.yaml`, pointed at the small hostile fixture
(tests/fixtures/programmes/council/, made by its make_council.py, whose
docstring gives the rules the expected values below are worked out from):
a Windows-1252 CSV and an XLSX re-export of providers, a UTF-8-with-BOM CSV of
officers without a Started column, bad cells, a late response, a response
with only "no contact", and a hostile comment and must-have (a formula, HTML,
Typst markup, a denied name and a phone number).

The ingest tests need only this branch's rules; the rest need every stage of
the programme (scores, must-haves and comments, figures and the report).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pipeline import run_snakemake

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = "config/programmes/council-partners.yaml"
FIXTURE = ROOT / "tests" / "fixtures" / "programmes" / "council"
PDFTOTEXT = shutil.which("pdftotext")
DENIED = ("Jane Doe", "07700 900123", "07700")
DOCUMENTS = ("report/council-relationships.html", "report/council-relationships.pdf")

# The contract's required columns, in its order (shared/spec/council-partner-survey.md).
CONTRACT_COLUMNS = {
    "tables/question_scores.csv": [
        "population",
        "target",
        "question_id",
        "n",
        "no_contact",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "suppressed",
    ],
    "tables/target_scores.csv": ["population", "target", "n_ratings", "mean"],
    "tables/breakdown_scores.csv": [
        "population",
        "grouping",
        "group",
        "question_id",
        "n",
        "mean",
        "suppressed",
    ],
    "tables/cross_analysis.csv": [
        "question_id",
        "providers_n",
        "providers_mean",
        "officers_n",
        "officers_mean",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
    ],
    "tables/no_contact.csv": ["target", "question_id", "no_contact"],
    "tables/must_haves.csv": [
        "category",
        "label",
        "providers",
        "officers",
        "providers_pct",
        "officers_pct",
    ],
    "audit/reconciliation.csv": ["population", "rows_read", "kept", "quarantined", "duplicates"],
    "audit/quarantine.csv": ["population", "source_file", "row_number", "response_id", "reason"],
    "audit/cell_issues.csv": [
        "population",
        "source_file",
        "row_number",
        "response_id",
        "column",
        "value",
        "reason",
    ],
    "coding/must_haves.csv": ["row", "participant_type", "must_have", "suggested", "category"],
}


def council_config(results: Path, coding: Path) -> list[str]:
    return [
        "--configfile",
        PROGRAMME,
        "--config",
        f"raw_dir={FIXTURE / 'raw'}",
        f"results_dir={results}",
        f"redact_list={FIXTURE / 'redact.txt'}",
        f"coding_dir={coding}",
    ]


@pytest.fixture(scope="module")
def ingest_build(tmp_path_factory) -> Path:
    """Only the ingest and its audit tables: what this programme's wiring builds first."""
    base = tmp_path_factory.mktemp("council-ingest")
    results = base / "results"
    (base / "coding").mkdir()
    names = ("reconciliation", "quarantine", "cell_issues", "redaction")
    targets = [str(results / "audit" / f"{name}.csv") for name in names]
    run_snakemake(*targets, *council_config(results, base / "coding"))
    return results


@pytest.fixture(scope="module")
def council_build(tmp_path_factory) -> dict[str, Path]:
    """Two clean builds of the whole programme into the same path; keep both."""
    base = tmp_path_factory.mktemp("council")
    results = base / "results"
    coding = base / "coding"
    coding.mkdir()
    run_snakemake(*council_config(results, coding))
    first = base / "first"
    shutil.copytree(results, first)
    shutil.rmtree(results)
    run_snakemake(*council_config(results, coding))
    return {"results": results, "first": first}


def read_text_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# --- ingest (this branch) ------------------------------------------------------


def test_every_row_read_is_kept_quarantined_or_a_duplicate(ingest_build):
    recon = read_text_table(ingest_build / "audit/reconciliation.csv")
    assert list(recon.columns) == CONTRACT_COLUMNS["audit/reconciliation.csv"]
    rows = {r["population"]: r for r in recon.to_dict("records")}
    # Providers: 14 rows in the CSV + 7 in the XLSX re-export (P001-P005 again, P015,
    # P016); kept P001-P012 and P015; quarantined P013, P014, P016; duplicates: the
    # CSV's P001-P005.
    assert {k: int(v) for k, v in rows["providers"].items() if k != "population"} == {
        "rows_read": 21,
        "kept": 13,
        "quarantined": 3,
        "duplicates": 5,
    }
    assert {k: int(v) for k, v in rows["officers"].items() if k != "population"} == {
        "rows_read": 8,
        "kept": 8,
        "quarantined": 0,
        "duplicates": 0,
    }


def test_quarantine_reasons_follow_the_row_rules(ingest_build):
    table = read_text_table(ingest_build / "audit/quarantine.csv")
    assert list(table.columns) == CONTRACT_COLUMNS["audit/quarantine.csv"]
    reasons = {(r["response_id"], r["reason"]) for r in table.to_dict("records")}
    assert reasons == {
        ("P013", "not_submitted"),
        ("P014", "no_answers"),  # only "No contact", everywhere
        ("P016", "after_census"),  # 29/06/2019 09:00, the morning after the census day
        *((f"P00{i}", "duplicate") for i in range(1, 6)),
    }
    duplicates = table[table["reason"] == "duplicate"]
    assert set(duplicates["source_file"]) == {"2019-06-10_export.csv"}


def test_cell_issues_name_file_row_column_and_value(ingest_build):
    table = read_text_table(ingest_build / "audit/cell_issues.csv")
    assert list(table.columns) == CONTRACT_COLUMNS["audit/cell_issues.csv"]
    found = {
        (r["population"], r["source_file"], r["response_id"], r["column"], r["value"])
        for r in table.to_dict("records")
    }
    xlsx = "2019-07-05_export.xlsx"
    assert found == {
        ("providers", xlsx, "P004", "Finance - Trust", "5"),
        ("providers", xlsx, "P004", "Finance - Responsiveness", "2.5"),
        ("providers", xlsx, "P004", "Procurement - Trust", "Good"),
        ("providers", xlsx, "P004", "1. Which part of the county do you mainly work in?", "Eastt"),
        ("officers", "2019-06-20_export.csv", "O08", "Trust", "Good"),
    }
    # P004 is the XLSX's fourth data row.
    assert set(table.loc[table["response_id"] == "P004", "row_number"]) == {"4"}


def test_clean_responses_hold_what_the_rules_say(ingest_build):
    providers = pd.read_parquet(ingest_build / "populations/providers/clean/responses.parquet")
    officers = pd.read_parquet(ingest_build / "populations/officers/clean/responses.parquet")
    assert len(providers) == 13 and len(officers) == 8
    by_id = providers.set_index("response_id")
    # The re-export's row wins: P005 now rates Finance - Trust 1 (a number cell).
    assert by_id.loc["P005", "trust@finance"] == 1.0
    assert by_id.loc["P005", "source_file"] == "2019-07-05_export.xlsx"
    # Rule (r + d + q) % 4 + 1: P002 (even: "3 - <title>" cells), Adult Operations
    # senior managers (d 0), Clarity of strategic direction (q 0): 3.
    assert by_id.loc["P002", "strategic_direction@ao_senior"] == 3.0
    # (r + d) % 5 == 0 is no contact: P001 and Finance (d 4).
    assert by_id.loc["P001", "trust@finance not rated"]
    assert pd.isna(by_id.loc["P001", "trust@finance"])
    # Bad cells are not answered, and not no contact either.
    assert pd.isna(by_id.loc["P004", "trust@finance"])
    assert not by_id.loc["P004", "trust@finance not rated"]
    # Respondent questions: reported labels, normalised options, Did not answer.
    assert by_id.loc["P006", "area"] == "County-wide"
    assert by_id.loc["P004", "area"] == "Did not answer"
    assert by_id.loc["P003", "size"] == "Small"  # 3 % 3 = 0: Fewer than 50
    assert sorted(by_id.index[by_id["area"] == "West"]) == ["P002", "P009"]
    # The census day itself counts: P015 was submitted at 23:30 on it.
    assert "P015" in by_id.index
    # Officers' "NO CONTACT" (O02, Responsiveness) is no contact; no Started column.
    off = officers.set_index("response_id")
    assert off.loc["O02", "responsiveness@council not rated"]
    assert off["started_at"].isna().all()


def test_comments_are_redacted_in_the_clean_table(ingest_build):
    providers = pd.read_parquet(ingest_build / "populations/providers/clean/responses.parquet")
    comment = providers.set_index("response_id").loc["P003", "comment"]
    for needle in DENIED:
        assert needle not in comment
    assert "HYPERLINK" in comment  # kept as text: made inert at each output boundary
    # The Windows-1252 CSV's pound sign and curly quotes read as themselves.
    assert "\u00a3200" in providers.set_index("response_id").loc["P001", "comment"]


def test_audit_csvs_are_spreadsheet_safe(ingest_build):
    for path in (ingest_build / "audit").glob("*.csv"):
        for row in csv.reader(path.open(encoding="utf-8")):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")), (path.name, cell)


# --- the whole programme (needs every stage) -------------------------------------


@pytest.mark.parametrize("relative", sorted(CONTRACT_COLUMNS))
def test_contract_tables_have_their_columns(council_build, relative):
    header = next(csv.reader((council_build["results"] / relative).open(encoding="utf-8")))
    required = CONTRACT_COLUMNS[relative]
    assert header[: len(required)] == required, header


def test_every_contract_output_is_built(council_build):
    results = council_build["results"]
    for relative in (
        *CONTRACT_COLUMNS,
        "audit/manifest.json",
        "text/theme_counts.csv",
        "text/quotes.csv",
        "figures/figures.json",
        *DOCUMENTS,
    ):
        assert (results / relative).stat().st_size > 0, relative
    figures = json.loads((results / "figures/figures.json").read_text(encoding="utf-8"))
    assert figures, "no figures listed"


def test_reconciliation_holds_in_the_full_build(council_build):
    recon = read_text_table(council_build["results"] / "audit/reconciliation.csv")
    for row in recon.to_dict("records"):
        assert int(row["rows_read"]) == sum(
            int(row[k]) for k in ("kept", "quarantined", "duplicates")
        )
    assert recon["population"].tolist() == ["providers", "officers"]


def test_a_west_breakdown_cell_is_suppressed(council_build):
    table = read_text_table(council_build["results"] / "tables/breakdown_scores.csv")
    west = table[
        (table["population"] == "providers")
        & (table["grouping"] == "area")
        & (table["group"] == "West")
    ]
    # Only P002 and P009 are West: n = 2 < min_group_size 5, so every West cell is hidden.
    assert len(west) > 0
    assert (west["suppressed"] == "True").all()
    assert (west["mean"] == "").all()


def file_texts(results: Path):
    """Every output as text: Parquet cells, PDF text, and the bytes of the rest."""
    for path in sorted(results.rglob("*")):
        if not path.is_file() or path.suffix == ".png" or path.parts[-2] == "logs":
            continue
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            yield path, "\n".join(str(v) for v in frame.to_numpy().ravel())
        elif path.suffix == ".pdf":
            assert PDFTOTEXT, "pdftotext is needed (apt-get install poppler-utils)"
            text = subprocess.run(
                [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
            yield path, text
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def test_the_hostile_comment_and_must_have_are_redacted_in_every_output(council_build):
    leaks = [
        (str(path.relative_to(council_build["results"])), needle)
        for path, text in file_texts(council_build["results"])
        for needle in DENIED
        if needle in text
    ]
    assert not leaks, leaks[:10]


def test_the_hostile_comment_and_must_have_stay_inert(council_build):
    results = council_build["results"]
    html = (results / DOCUMENTS[0]).read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"<img[^>]+src=[\"']?x[\s>]", html)
    assert "onerror=alert" not in re.sub(r"&lt;img.*?&gt;", "", html)
    for path in results.rglob("*.csv"):
        for row in csv.reader(path.open(encoding="utf-8")):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")), (path.name, cell)
    # Typst markup in text arrives escaped in the document source, never as code.
    for source in results.rglob("*.typ"):
        text = source.read_text(encoding="utf-8")
        assert "#set page(fill: red)" not in text.replace("\\#set page(fill: red)", "")
    for source in results.rglob("*.qmd"):
        text = source.read_text(encoding="utf-8")
        assert "<script>" not in text
    pdf = next(text for path, text in file_texts(results) if path.suffix == ".pdf")
    assert "Example" in pdf or "council" in pdf.lower()
    # The hostile must-have is in the coding sheet, redacted and neutralised.
    sheet = read_text_table(results / "coding/must_haves.csv")
    hostile = sheet[sheet["must_have"].str.contains("cmd", regex=False)]
    assert len(hostile) == 1
    assert hostile.iloc[0]["must_have"].startswith("'=")


def test_the_manifest_records_inputs_and_outputs(council_build):
    results = council_build["results"]
    manifest = json.loads((results / "audit/manifest.json").read_text(encoding="utf-8"))
    inputs = manifest["inputs"]
    exports = [entry["path"] for entry in inputs["raw_exports"]]
    assert len(exports) == 3
    assert len(inputs["instruments"]) == 2
    assert any(e["path"].endswith("council-partners.yaml") for e in inputs["config_files"])
    outputs = {entry["path"]: entry["tier"] for entry in manifest["outputs"]}
    assert outputs["report/council-relationships.html"] == "published"
    assert outputs["tables/question_scores.csv"] == "published"
    assert outputs["audit/reconciliation.csv"] == "audit"
    assert manifest["config"]["layout"] == "populations"


def test_two_clean_builds_give_byte_identical_documents(council_build):
    for relative in DOCUMENTS:
        first = hashlib.sha256((council_build["first"] / relative).read_bytes()).hexdigest()
        second = hashlib.sha256((council_build["results"] / relative).read_bytes()).hexdigest()
        assert first == second, relative
