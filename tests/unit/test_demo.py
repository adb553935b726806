"""Tests of the demo data generator (relaudit_dev.demo) and of the committed demo data.

The committed data in data/raw is read with a deliberately simple reader written
here (csv module + openpyxl, own header normalisation and label mapping), not
with the pipeline's ingest, so the two check each other.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import openpyxl
import pytest
import yaml

from relaudit_dev import demo

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
INSTRUMENT = ROOT / "config" / "instruments" / "cqc-relational-audit.yaml"
SHEET = ROOT / "config" / "systems.tsv"
CENSUS_END = dt.datetime(2018, 4, 5, 23, 59, 59)
LABELS = [
    "consistently not true",
    "rarely true",
    "sometimes true",
    "often true",
    "mostly true",
    "consistently true",
]
NOT_TICKED = {"", "0", "no", "false"}
ROLE_ALIASES = {
    "Direct service delivery (health or social care practitioner)": "Direct service delivery"
}
ORG_ALIASES = {"Third or voluntary sector": "VCSE"}


# ------------------------------------------------------------ simple reader


def norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    text = re.sub(r"^\s*\d+\s*[.)]\s*", "", text)
    text = re.sub(r"^\s*\*\s*", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:-1] if text.endswith(".") else text


def area_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\-]+", " ", text).strip()


def parse_time(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    return None


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, dt.datetime) else str(value)


@cache
def read_rows(path: Path) -> list[dict]:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = [[cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [str(h) for h in rows[0]]
    # Sheets written without empty trailing cells give short rows: pad them.
    width = len(header)
    return [dict(zip(header, [*row, *[""] * (width - len(row))], strict=True)) for row in rows[1:]]


@cache
def instrument() -> dict:
    return yaml.safe_load(INSTRUMENT.read_text(encoding="utf-8"))


@cache
def systems() -> list[dict]:
    with SHEET.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def statement_index() -> dict[str, tuple[str, bool]]:
    index = {}
    for item in instrument()["items"]:
        for text in item["text"].values():
            index[norm_header(text)] = (item["id"], item["polarity"] == "negative")
    return index


def group(row: dict, prefix: str, aliases: dict[str, str]) -> str:
    ticked = [
        h.split(": ", 1)[1]
        for h, v in row.items()
        if h.startswith(prefix + ": ")
        and "please specify" not in h
        and str(v).strip().lower() not in NOT_TICKED
    ]
    if not ticked:
        return "Did not answer"
    if len(ticked) > 1:
        return "Multiple"
    return aliases.get(ticked[0], ticked[0])


@cache
def kept_responses() -> tuple[list[dict], Counter]:
    """Kept responses of the committed data, plus a count of quarantine reasons."""
    index = statement_index()
    keys = {}
    for s in systems():
        keys[area_key(s["name"])] = s["system_id"]
        keys[area_key(s["system_id"])] = s["system_id"]
        for alias in filter(None, s["aliases"].split(";")):
            keys[area_key(alias)] = s["system_id"]
    out, reasons = [], Counter()
    for s in systems():
        sid = s["system_id"]
        deadline_end = dt.datetime.fromisoformat(s["deadline"] + "T23:59:59")
        latest: dict[str, dict] = {}
        no_id = []
        for path in sorted((RAW / sid).iterdir()):
            for row in read_rows(path):
                rid = str(row["Response ID"]).strip()
                if rid:
                    if rid in latest:
                        reasons["duplicate"] += 1
                    latest[rid] = row
                else:
                    no_id.append(row)
        for row in [*latest.values(), *no_id]:
            scores = {}
            for header, value in row.items():
                match = index.get(norm_header(header))
                label = str(value).strip().lower()
                if match and label in LABELS:
                    item_id, negative = match
                    score = LABELS.index(label)
                    scores[item_id] = 5 - score if negative else score
            submitted_raw = row["Submitted"]
            submitted = parse_time(submitted_raw) if submitted_raw != "" else None
            area = str(row["Area"]).strip()
            if submitted_raw == "":
                reasons["not_submitted"] += 1
            elif submitted is None:
                reasons["bad_timestamp"] += 1
            elif not area:
                reasons["no_area"] += 1
            elif keys.get(area_key(area)) != sid:
                reasons["area_mismatch"] += 1
            elif not str(row["Response ID"]).strip():
                reasons["no_response_id"] += 1
            elif not scores:
                reasons["no_answers"] += 1
            elif submitted > CENSUS_END:
                reasons["after_census"] += 1
            else:
                comment = next(v for h, v in row.items() if h.startswith("Please add any comments"))
                out.append(
                    {
                        "system_id": sid,
                        "late": submitted > deadline_end,
                        "org_type": group(row, "Type of organisation you work for", ORG_ALIASES),
                        "role": group(row, "Your primary role in the system", ROLE_ALIASES),
                        "tenure": group(row, "Length of time working in this local system", {}),
                        "comment": str(comment).strip(),
                        "scores": scores,
                    }
                )
    return out, reasons


def frameworks() -> dict[str, list[str]]:
    out = defaultdict(list)
    for item in instrument()["items"]:
        out[item["framework"]].append(item["id"])
    return out


def mean_score(rows: list[dict], items: list[str]) -> float:
    values = [r["scores"][i] for r in rows for i in items if i in r["scores"]]
    return statistics.fmean(values)


def by(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for r in rows:
        out[r[key]].append(r)
    return out


def calibration() -> dict:
    return demo.load_calibration()


needs_data = pytest.mark.skipif(not any(RAW.glob("*/*")), reason="no demo data in data/raw")


# ------------------------------------------------------------------ tests


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes(tmp_path):
    args = ["--seed", "7", "--systems", "4", "--responses-per-system", "30"]
    assert demo.main(["--out", str(tmp_path / "a"), *args]) == 0
    assert demo.main(["--out", str(tmp_path / "b"), *args, "--sheet", str(tmp_path / "s.tsv")]) == 0
    first, second = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert first == second
    assert any(name.endswith(".xlsx") for name in first)
    assert any(name.endswith(".csv") for name in first)
    assert demo.main(["--out", str(tmp_path / "c"), "--seed", "8", *args[2:]]) == 0
    assert _digest(tmp_path / "c") != first


def test_sheet_matches_generated_systems(tmp_path):
    sheet = tmp_path / "systems.tsv"
    demo.main(
        [
            "--out",
            str(tmp_path / "raw"),
            "--systems",
            "3",
            "--responses-per-system",
            "20",
            "--sheet",
            str(sheet),
        ]
    )
    rows = list(csv.DictReader(sheet.open(encoding="utf-8"), delimiter="\t"))
    assert [r["system_id"] for r in rows] == sorted(p.name for p in (tmp_path / "raw").iterdir())
    assert list(rows[0]) == list(demo.SHEET_COLUMNS)


def test_refuses_to_mix_with_existing_exports(tmp_path):
    args = ["--out", str(tmp_path), "--systems", "1", "--responses-per-system", "10"]
    assert demo.main(args) == 0
    assert demo.main(args) == 1
    assert demo.main([*args, "--overwrite"]) == 0


@needs_data
def test_census_counts_are_exact():
    rows, reasons = kept_responses()
    census = calibration()["census"]
    for sid, counts in census.items():
        mine = [r for r in rows if r["system_id"] == sid]
        assert len(mine) == counts["responses"], sid
        assert sum(bool(r["comment"]) for r in mine) == counts["free_text"], sid
    assert len(rows) == 2538
    assert reasons["no_area"] == 2
    for reason in (
        "duplicate",
        "not_submitted",
        "bad_timestamp",
        "area_mismatch",
        "no_response_id",
        "no_answers",
        "after_census",
    ):
        assert reasons[reason] > 0, reason
    assert all(any(r["late"] for r in rows if r["system_id"] == sid) for sid in census)


@needs_data
def test_national_means_match_the_published_table():
    rows, _ = kept_responses()
    for item_id, target in calibration()["item_means"].items():
        assert mean_score(rows, [item_id]) == pytest.approx(target, abs=0.08), item_id


@needs_data
def test_respondent_mix():
    rows, _ = kept_responses()
    n = len(rows)
    org, role, tenure = (Counter(r[k] for r in rows) for k in ("org_type", "role", "tenure"))
    assert org.most_common(1)[0][0] == "Health provider"
    assert 0.05 <= org["VCSE"] / n <= 0.09
    assert 0.09 <= role["Administrative"] / n <= 0.13
    assert role.most_common(1)[0][0] == "Direct service delivery"
    assert tenure.most_common(1)[0][0] == "More than three years"
    assert tenure["More than three years"] / n > 0.6
    assert tenure["Multiple"] == 4
    assert org["Multiple"] and org["Did not answer"] and role["Multiple"] and role["Did not answer"]


@needs_data
def test_group_effects():
    rows, _ = kept_responses()
    fw = frameworks()
    orgs = {
        g: rs for g, rs in by(rows, "org_type").items() if g not in ("Multiple", "Did not answer")
    }
    roles = {g: rs for g, rs in by(rows, "role").items() if g not in ("Multiple", "Did not answer")}
    for items in fw.values():
        means = {g: mean_score(rs, items) for g, rs in orgs.items()}
        assert min(means, key=means.get) == "VCSE"
    positive = {
        g: statistics.fmean(
            r["scores"]["proximity_commonality"] >= 3
            for r in rs
            if "proximity_commonality" in r["scores"]
        )
        for g, rs in orgs.items()
    }
    assert positive["VCSE"] < 1 / 3
    assert all(share >= 0.5 for g, share in positive.items() if g != "VCSE"), positive
    tenure = by(rows, "tenure")
    for items in fw.values():
        order = [
            mean_score(tenure[g], items)
            for g in ("Less than a year", "Between one and three years", "More than three years")
        ]
        assert order[0] > order[1] > order[2]
    all_items = [i for items in fw.values() for i in items]
    frontline = mean_score(roles["Direct service delivery"], all_items)
    assert mean_score(roles["Senior executive"], all_items) > frontline
    assert mean_score(roles["Operational management"], all_items) > frontline
    gaps = {}
    for item_id in all_items:
        means = {g: mean_score(rs, [item_id]) for g, rs in roles.items()}
        gaps[item_id] = max(means.values()) - min(means.values())
        if item_id in ("integrity_technology", "proximity_directness"):
            assert max(means, key=means.get) == "Senior executive"
            assert sorted(means, key=means.get)[:2] in (
                ["Direct service delivery", "Administrative"],
                ["Administrative", "Direct service delivery"],
            )
    assert set(sorted(gaps, key=gaps.get)[-2:]) == {"integrity_technology", "proximity_directness"}
    value = {g: mean_score(rs, fw["relational_value"]) for g, rs in roles.items()}
    proximity = {g: mean_score(rs, fw["relational_proximity"]) for g, rs in roles.items()}
    assert max(value, key=value.get) == "Administrative"
    assert max(proximity, key=proximity.get) != "Administrative"


@needs_data
def test_comment_rates():
    rows, _ = kept_responses()
    for key, leader, target in (("role", "Senior executive", 0.52), ("org_type", "VCSE", 0.47)):
        rates = {
            g: statistics.fmean(bool(r["comment"]) for r in rs)
            for g, rs in by(rows, key).items()
            if g not in ("Multiple", "Did not answer")
        }
        assert max(rates, key=rates.get) == leader, rates
        assert rates[leader] == pytest.approx(target, abs=0.04)


@needs_data
@pytest.mark.parametrize("on_time_only", [False, True])
def test_statement_ranks_across_systems(on_time_only):
    rows, _ = kept_responses()
    items = [i["id"] for i in instrument()["items"]]
    continuity_worst = 0
    for sid, rs in by(rows, "system_id").items():
        rs = [r for r in rs if not (on_time_only and r["late"])]
        means = {i: mean_score(rs, [i]) for i in items}
        above = sum(
            m >= means["fairness_culture"] for i, m in means.items() if i != "fairness_culture"
        )
        below = sum(m <= means["trust_people"] for i, m in means.items() if i != "trust_people")
        assert above < 5, sid
        assert below < 5, sid
        proximity = {i: means[i] for i in frameworks()["relational_proximity"]}
        continuity_worst += min(proximity, key=proximity.get) == "proximity_continuity"
    assert 13 <= continuity_worst <= 17


@needs_data
def test_messy_input_occurs():
    files = sorted(RAW.glob("*/*"))
    raw = {p: p.read_bytes() for p in files if p.suffix == ".csv"}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw.values())
    cp1252 = []
    for b in raw.values():
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            cp1252.append(b)
    assert cp1252
    assert any(p.suffix == ".xlsx" for p in files)
    text = "\n".join(b.decode("utf-8-sig", errors="replace") for b in raw.values())
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", text)
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", text)
    areas = {str(row["Area"]) for path in files for row in read_rows(path)}
    assert {"Stoke on Trent", "Sheffield".replace("ffi", "\ufb03")} <= areas
    assert any(a.isupper() for a in areas) and any("-" in a for a in areas)
    cells = {str(v) for path in files for row in read_rows(path) for v in row.values()}
    assert {"Does apply", "1", "Yes", "Health provider", "0", "no", "FALSE", "N/A"} <= cells
    for needle in ("IP Address", "Collector ID", "192.0.2.", ",12. ", ",*"):
        assert needle in text, needle
    assert re.search(r",\d+\) ", text)
    rows, _ = kept_responses()
    comments = "\n".join(r["comment"] for r in rows)
    for payload in demo.HOSTILE_PAYLOADS:
        assert payload in comments, payload
    for values in demo.PERSONAL_DETAILS.values():
        for value in values:
            assert value in comments, value
    redact = (ROOT / "config" / "redact.txt").read_text(encoding="utf-8").splitlines()
    assert set(demo.PERSONAL_DETAILS["untitled_names"]) <= {line.strip() for line in redact}
    words = [len(r["comment"].split()) for r in rows if r["comment"]]
    assert max(words) <= 160 and statistics.median(words) < 60


def test_v2_exports_have_the_other_role_box(tmp_path):
    demo.main(["--out", str(tmp_path), "--systems", "9", "--responses-per-system", "12"])
    other = "Your primary role in the system: Other (please specify)"
    for sid, expected in (("system-001", False), ("system-009", True)):
        for path in sorted((tmp_path / sid).iterdir()):
            assert (other in read_rows(path)[0]) is expected, path


# ------------------------------------------------------------------ comments


def _lexicon():
    from relaudit.text import load_lexicon

    return load_lexicon(ROOT / "config" / "lexicon.yaml")


def test_theme_sentences_say_their_theme():
    # A comment written for a theme says something about it: every sentence of
    # every theme (in every voice), however its slots are filled, holds one of
    # that theme's lexicon terms.
    import random

    lexicon = _lexicon()
    fragments = demo.load_fragments()
    writer = demo.CommentWriter(fragments)
    rng = random.Random(0)
    for name, theme in fragments["themes"].items():
        code = lexicon.code(theme["code"])
        voices = [moods for groups in theme.get("voices", {}).values() for moods in groups.values()]
        for moods in [theme, *voices]:
            for mood in ("positive", "mixed", "negative"):
                assert moods[mood], (name, mood)
                for line in moods[mood]:
                    for _ in range(4):
                        text = writer.fill(rng, line)
                        assert code.matches(text), (name, text)


def test_lines_for_other_sectors_are_not_voluntary_sector_lines():
    # Care-home and other staff's own lines never carry the voluntary sector theme.
    lexicon = _lexicon()
    theme = lexicon.code("voluntary_sector")
    fragments = demo.load_fragments()
    for sector, lines in fragments["sector_lines"].items():
        for line in lines:
            assert theme.matches(line) is (sector == "VCSE"), line
    for lines in fragments["role_lines"].values():
        assert not any(theme.matches(line) for line in lines)


def test_scene_setting_lines_carry_no_code():
    # Openers, lead-ins and closers (and the slots they hold) name no theme or
    # concept: a quote is never put under a theme by its scene-setting words.
    import random

    lexicon = _lexicon()
    fragments = demo.load_fragments()
    writer = demo.CommentWriter(fragments)
    rng = random.Random(1)
    lines = [*fragments["lead_ins"]]
    for key in ("openers", "closers"):
        lines += [line for group in fragments[key].values() for line in group]
    for line in lines:
        for _ in range(8):
            text = writer.fill(rng, line)
            assert lexicon.suggest(text) == [], text


def test_a_comment_depends_only_on_its_own_seed():
    import random

    writer = demo.CommentWriter(demo.load_fragments())
    first = [
        writer.compose(random.Random(f"s{i}"), "mixed", "Administrative", "VCSE") for i in range(30)
    ]
    again = [
        writer.compose(random.Random(f"s{i}"), "mixed", "Administrative", "VCSE") for i in range(30)
    ]
    assert first == again
    assert len(set(first)) > 20


def _opening(text: str) -> str:
    first = re.split(r"(?<=[.!?\u2026])[\"'\u2019\u201d]*\s+", " ".join(text.split()), maxsplit=1)[
        0
    ]
    return " ".join(re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", first).lower()).split())


@needs_data
def test_committed_comments_open_in_many_ways():
    # Long enough to quote (15 words or more), in one system: few comments
    # share their first sentence with another.
    rows, _ = kept_responses()
    shared = long = 0
    for people in by(rows, "system_id").values():
        openings = Counter(
            _opening(r["comment"]) for r in people if len(r["comment"].split()) >= 15
        )
        long += sum(openings.values())
        shared += sum(n for n in openings.values() if n > 1)
    assert long > 300
    assert shared / long < 0.1, (shared, long)
