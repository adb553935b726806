"""End-to-end Snakemake runs: the demo programme and a small hostile fixture.

The demo build is the product as analysts run it (`make report`); the small
fixture build checks determinism, hostile input and the analyst's coding
sheet. Expected census counts are copied by hand from the published response
table (shared/spec/systems.csv), not computed by the pipeline.
"""

from __future__ import annotations

import csv
import hashlib
import html.parser
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from known_answers import CENSUS_COUNTS
from pipeline import run_snakemake

from relaudit.sections import headings
from relaudit.yamlio import load_yaml
from relaudit_dev.demo import PERSONAL_DETAILS

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small"
PDFTOTEXT = shutil.which("pdftotext")
# The documents' section headings, as the demo programme lists them.
_DOCUMENTS = load_yaml(
    (ROOT / "config" / "programmes" / "cqc-relational-audit-2017.yaml").read_text(encoding="utf-8")
)["documents"]
BRIEFING_HEADINGS = headings("system", _DOCUMENTS["briefing"]["sections"])
ANNEX_HEADINGS = headings("national", _DOCUMENTS["annex"]["sections"])


CONTRACT_COLUMNS = {
    "systems/{sid}/clean/responses.csv": [
        "response_id",
        "submitted_at",
        "late",
        "questionnaire_version",
        "org_type",
        "role",
        "tenure",
        "has_comment",
    ],
    "systems/{sid}/tables/statement_scores.csv": [
        "item_id",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "pct_positive",
        "rank",
    ],
    "national/tables/statement_scores.csv": [
        "scope",
        "item_id",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "pct_positive",
        "rank",
    ],
    "national/tables/group_scores.csv": ["scope", "grouping", "group", "mean"],
    "national/tables/response_summary.csv": [
        "system_id",
        "name",
        "sent_to",
        "responses",
        "free_text",
    ],
    "audit/reconciliation.csv": [
        "system_id",
        "rows_read",
        "kept_on_time",
        "kept_late",
        "quarantined",
        "duplicates",
    ],
    "audit/quarantine.csv": ["system_id", "source_file", "row_number", "response_id", "reason"],
    "audit/cell_issues.csv": [
        "system_id",
        "source_file",
        "row_number",
        "response_id",
        "column",
        "value",
        "reason",
    ],
}

HOSTILE_COMMENT = (
    "Communication between frontline staff and senior leaders is poor and trust is low. "
    "<script>alert('x')</script> <img src=x onerror=alert(1)> ![leak](file:///etc/passwd) "
    '#read("/etc/passwd") {{ config }} {% for x in y %} {{< include /etc/passwd >}} '
    "@fig-secret $x^2$ =SUM(A1:A9) "
    + "Averyveryverylongwordwithoutanybreaksthatwouldrunoffthepageunlessbroken" * 2
    + "\x07\x1b[31m and leadership keeps changing."
)


def pdf_text(path: Path) -> str:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def tree_digest(results: Path) -> dict[str, str]:
    """SHA-256 of every output, leaving out logs and timing benchmarks."""
    digests = {}
    for path in sorted(results.rglob("*")):
        relative = path.relative_to(results).as_posix()
        if path.is_file() and not relative.startswith(("logs/", "benchmarks/")):
            digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def make_hostile_fixture(base: Path) -> tuple[Path, Path]:
    """The small fixture with hostile comments and a hostile system name."""
    raw = base / "raw"
    shutil.copytree(SMALL / "raw", raw)
    for path in sorted(raw.glob("*/*.csv")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # the fixture has a Windows-1252 export
            text = data.decode("cp1252")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header = rows[0]
        comment = next(i for i, h in enumerate(header) if h.startswith("Please add any comments"))
        for row in rows[1:]:
            if len(row) > comment:
                row[comment] = HOSTILE_COMMENT
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    sheet = base / "systems.tsv"
    lines = (SMALL / "systems.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    name_at, alias_at = header.index("name"), header.index("aliases")
    cells = lines[2].split("\t")
    cells[alias_at] = ";".join(a for a in [cells[alias_at], cells[name_at]] if a)
    cells[name_at] = 'Bramfield <b>x</b> #read("/etc/passwd") $y$ @ref {{ config }}'
    lines[2] = "\t".join(cells)
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return raw, sheet


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory) -> dict[str, Path]:
    """Two clean builds of the hostile fixture into the same path; keep both.

    The first runs its jobs in the job server (the default), the second each
    in its own process (`job_server=False`), so comparing them also shows the
    server changes nothing in the outputs.
    """
    base = tmp_path_factory.mktemp("hostile")
    raw, sheet = make_hostile_fixture(base)
    coding = base / "coding"
    coding.mkdir()
    results = base / "results"
    config = [
        f"raw_dir={raw}",
        f"systems_sheet={sheet}",
        f"results_dir={results}",
        f"coding_dir={coding}",
    ]
    run_snakemake("--config", *config)
    first = base / "first"
    shutil.copytree(results, first)
    shutil.rmtree(results)
    run_snakemake("--config", *config, "job_server=False")
    return {"results": results, "first": first, "config": config, "coding": coding}


# --- the demo programme ------------------------------------------------------


@pytest.mark.parametrize("relative", sorted(CONTRACT_COLUMNS))
def test_contract_tables_have_their_columns(demo_results, relative):
    path = demo_results / relative.format(sid="york")
    header = pd.read_csv(path, nrows=0).columns.tolist()
    missing = [c for c in CONTRACT_COLUMNS[relative] if c not in header]
    assert not missing, f"{relative} lacks {missing}"


def test_two_no_area_rows_are_quarantined(demo_results):
    quarantine = pd.read_csv(demo_results / "audit/quarantine.csv")
    assert (quarantine["reason"] == "no_area").sum() == 2


def test_every_row_is_accounted_for(demo_results):
    recon = pd.read_csv(demo_results / "audit/reconciliation.csv")
    outcomes = recon[["kept_on_time", "kept_late", "quarantined", "duplicates"]].sum(axis=1)
    assert (recon["rows_read"] == outcomes).all()
    assert len(recon) == 20
    kept = recon.set_index("system_id")[["kept_on_time", "kept_late"]].sum(axis=1)
    assert kept.to_dict() == {sid: counts[0] for sid, counts in CENSUS_COUNTS.items()}


def test_packs_and_annex_exist_in_both_formats(demo_results):
    for sid in CENSUS_COUNTS:
        for fmt in ("html", "pdf"):
            assert (demo_results / f"systems/{sid}/briefing.{fmt}").stat().st_size > 10_000
    assert (demo_results / "national/annex.html").stat().st_size > 10_000
    assert (demo_results / "national/annex.pdf").stat().st_size > 10_000


def file_texts(results: Path):
    """Every output as text: Parquet cells, PDF text, and raw bytes of the rest."""
    for path in sorted(results.rglob("*")):
        if not path.is_file() or path.suffix == ".png":
            continue
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            yield path, "\n".join(str(value) for value in frame.to_numpy().ravel())
        elif path.suffix == ".pdf":
            yield path, pdf_text(path)
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def test_no_personal_details_anywhere_in_results(demo_results):
    deny_list = [
        line.strip()
        for line in (ROOT / "config/redact.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    needles = [v for values in PERSONAL_DETAILS.values() for v in values] + deny_list
    # The demo data really holds them, so a pass means redaction worked.
    raw_text = "\n".join(
        p.read_bytes().decode("utf-8", errors="replace") for p in (ROOT / "data/raw").rglob("*.csv")
    )
    assert any(needle in raw_text for needle in needles)
    leaks = [
        (str(path.relative_to(demo_results)), needle)
        for path, text in file_texts(demo_results)
        for needle in needles
        if needle.lower() in text.lower()
    ]
    assert not leaks, leaks[:10]


def test_no_response_ids_in_documents(demo_results):
    for sid in ("york", "hampshire"):
        ids = pd.read_csv(demo_results / f"systems/{sid}/clean/responses.csv", dtype=str)
        ids = [i for i in ids["response_id"] if len(i) >= 4]
        folder = demo_results / f"systems/{sid}"
        texts = [
            (folder / "briefing.html").read_text(encoding="utf-8"),
            (folder / "briefing.qmd").read_text(encoding="utf-8"),
            pdf_text(folder / "briefing.pdf"),
        ]
        for text in texts:
            found = [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]
            assert not found, found[:5]


@pytest.mark.parametrize("sid", ["halton", "oxfordshire"])
def test_briefing_sections_in_html_and_pdf(demo_results, sid):
    html_text = (demo_results / f"systems/{sid}/briefing.html").read_text(encoding="utf-8")
    pdf = re.sub(r"\s+", " ", pdf_text(demo_results / f"systems/{sid}/briefing.pdf"))
    for heading in BRIEFING_HEADINGS:
        assert re.search(rf"<h[1-3][^>]*>[^<]*{re.escape(heading)}", html_text), heading
        assert heading in pdf, heading


def test_annex_sections_in_html_and_pdf(demo_results):
    html_text = (demo_results / "national/annex.html").read_text(encoding="utf-8")
    pdf = re.sub(r"\s+", " ", pdf_text(demo_results / "national/annex.pdf"))
    for heading in ANNEX_HEADINGS:
        assert re.search(rf"<h[1-3][^>]*>[^<]*{re.escape(heading)}", html_text), heading
        assert heading in pdf, heading


# The annex's analysis and appendices (issue 20): each heading, and the one group's
# count printed from the suppressed profile table.
ANALYSIS_HEADINGS = [
    "Definitions",
    "Enablers and barriers",
    "The voluntary, community and social enterprise sector",
    "Communication: front line and senior staff",
    "Appendix A: the statements",
    "Appendix B: the questionnaire",
]


def test_annex_has_its_analysis_and_appendices(demo_results):
    assert [h for h in ANNEX_HEADINGS if h in ANALYSIS_HEADINGS] == ANALYSIS_HEADINGS
    html_text = (demo_results / "national/annex.html").read_text(encoding="utf-8")
    pdf = re.sub(r"\s+", " ", pdf_text(demo_results / "national/annex.pdf"))
    for heading in ANALYSIS_HEADINGS:
        assert re.search(rf"<h[1-3][^>]*>[^<]*{re.escape(heading)}", html_text), heading
        assert heading in pdf, heading
    profile = pd.read_csv(demo_results / "national/tables/profile.csv")
    (vcse,) = profile[(profile["question"] == "org_type") & (profile["group"] == "VCSE")].to_dict(
        "records"
    )
    # The group's section: from its heading to the next heading of the same level.
    level, after = re.split(r"enterprise sector</h([1-3])>", html_text, maxsplit=1)[1:]
    section = after.split(f"<h{level}", 1)[0]
    if not vcse["suppressed"]:
        assert f"{int(vcse['n']):,} respondents" in section
    assert "Small numbers." in section
    # Definitions come from the instrument, the matrix from every version's wording.
    assert "Multiplexity" in html_text
    assert "Our buildings and physical spaces enable us to provide seamless care." in html_text


def test_first_system_has_no_comparator(demo_results):
    comparator = pd.read_csv(demo_results / "systems/halton/tables/comparator.csv")
    assert set(comparator["flag"]) == {"no_comparator"}
    later = pd.read_csv(demo_results / "systems/york/tables/comparator.csv")
    assert "no_comparator" not in set(later["flag"])


def test_disclosure_audit_tries_every_attack_and_recovers_nothing(demo_results):
    audit = pd.read_csv(demo_results / "audit/disclosure.csv", keep_default_na=False)
    from relaudit.disclosure import ATTACKS

    assert set(audit["attack"]) == set(ATTACKS)
    assert (audit["recovered"] == 0).all()
    tried = audit.groupby("attack")["cells_checked"].sum()
    # Every attack but the one for waves checked something on the demo.
    assert (tried.drop("waves") > 0).all(), tried
    # The ten systems with 1 to 4 late responses use their on-time ones nationally.
    basis = pd.read_csv(demo_results / "national/audit/scope_basis.csv")
    on_time = basis[basis["scope_basis"] == "on-time responses only"]
    assert (on_time["late"].between(1, 4)).all() and len(on_time) == 10
    national = pd.read_csv(demo_results / "national/tables/statement_scores.csv")
    pack = pd.read_csv(demo_results / "systems/halton/tables/statement_scores.csv")
    halton = national[national["scope"] == "halton"].set_index("item_id")["n"]
    assert (halton == pack.set_index("item_id")["n"]).all()
    manifest = json.loads((demo_results / "audit/manifest.json").read_text())
    tiers = {entry["path"]: entry["tier"] for entry in manifest["outputs"]}
    assert tiers["systems/halton/tables/breakdown_scores.csv"] == "published"
    assert tiers["systems/halton/briefing.pdf"] == "published"
    assert tiers["audit/quarantine.csv"] == "audit"
    assert tiers["systems/halton/text/quotes.csv"] == "audit"


class ResourceFinder(html.parser.HTMLParser):
    """Collect attributes and CSS that would make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.langs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if tag == "html" and name == "lang":
                self.langs.append(value or "")
            if name in {"src", "href", "srcset", "data", "poster", "action"} and value:
                self.references.append(value)
            if name == "style" and value and "url(" in value:
                self.references.append(value)


def test_html_makes_no_external_requests(demo_results):
    for path in [demo_results / "systems/york/briefing.html", demo_results / "national/annex.html"]:
        text = path.read_text(encoding="utf-8")
        finder = ResourceFinder()
        finder.feed(text)
        external = [r for r in finder.references if re.match(r"\s*(https?:|//|file:)", r, re.I)]
        assert not external, external[:5]
        assert not re.search(r"url\(\s*['\"]?\s*(https?:|//|file:)", text, re.I)
        assert not re.search(r"@import", text)
        assert finder.langs and finder.langs[0].startswith("en")


def test_manifest_records_provenance(demo_results):
    manifest = json.loads((demo_results / "audit/manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest)
    for key in ("inputs", "config", "packages"):
        assert key in manifest, key
    assert "sha256" in text
    assert "pandoc" in text.lower()
    raw_count = sum(1 for _ in (ROOT / "data/raw").rglob("*.*"))
    assert text.count("data/raw/") >= raw_count


# --- hostile input, determinism and the analyst's coding sheet ----------------


def test_hostile_input_stays_inert(hostile_build):
    results = hostile_build["results"]
    pack = results / "systems/bramfield"
    html_text = (pack / "briefing.html").read_text(encoding="utf-8")
    assert "<script" not in html_text.lower()
    assert "onerror=" not in html_text.replace("onerror=alert", "")  # only as escaped text
    assert "<b>x</b>" not in html_text
    assert not re.search(r"<img[^>]+src=[\"']?(file:|x[\s>])", html_text)
    pdf = pdf_text(pack / "briefing.pdf")
    assert "root:" not in pdf  # #read("/etc/passwd") was not executed
    assert "Bramfield" in pdf
    qmd = (pack / "briefing.qmd").read_text(encoding="utf-8")
    assert "{{< include" not in qmd
    assert "\x07" not in qmd and "\x1b" not in qmd
    sheet = pd.read_csv(pack / "text/coding_sheet.csv", dtype=str, keep_default_na=False)
    for column in sheet.columns:
        assert not sheet[column].str.startswith(("=", "+", "-", "@")).any(), column


def test_hostile_comments_reach_the_pack_as_quotes(hostile_build):
    # Otherwise the test above would prove nothing about comments.
    quotes = pd.read_csv(hostile_build["results"] / "systems/bramfield/text/quotes.csv")
    assert len(quotes) > 0


def test_two_clean_builds_are_byte_identical(hostile_build):
    # One build ran in the job server and one without: only the manifest's
    # record of that setting may differ.
    first = tree_digest(hostile_build["first"])
    second = tree_digest(hostile_build["results"])
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert differ in ([], ["audit/manifest.json"]), differ
    manifests = [
        json.loads((hostile_build[key] / "audit/manifest.json").read_text(encoding="utf-8"))
        for key in ("first", "results")
    ]
    assert [m["config"].pop("job_server", True) for m in manifests] == [True, False]
    assert manifests[0] == manifests[1]


def test_analyst_coding_sheet_changes_quotes(hostile_build):
    results = hostile_build["results"]
    sheet = pd.read_csv(results / "systems/bramfield/text/coding_sheet.csv", dtype=str)
    before = pd.read_csv(results / "systems/bramfield/text/quotes.csv", dtype=str)
    assert len(sheet) > 0
    # The analyst codes every comment to one theme only: quotes must follow.
    edited = sheet.copy()
    edited["analyst_codes"] = "finance_resources"
    target = hostile_build["coding"] / "bramfield.csv"
    edited.to_csv(target, index=False)
    result = run_snakemake("--config", *hostile_build["config"])
    assert "analyse_system" in result.stdout + result.stderr
    after = pd.read_csv(results / "systems/bramfield/text/quotes.csv", dtype=str)
    assert not before.equals(after)
    coded = pd.read_parquet(results / "systems/bramfield/text/comments_coded.parquet")
    assert set(coded["codes"]) == {"finance_resources"}
    target.unlink()
