"""Back-test: the committed council demo data against its calibration findings.

Every finding of ``shared/spec/council-partner-calibration.md`` is checked here,
one test each, by the definitions of ``shared/spec/council-partner-survey.md``,
on the kept responses of ``data/council-partners/``. The data is read with a
reader of this file's own (the csv module and openpyxl, the row rules applied
by hand), not with the pipeline's ingest, so that a fault in the ingest cannot
hide a fault in the data, or the other way round.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The committed demo data; another generated copy can be checked by pointing
# RELAUDIT_COUNCIL_DEMO at it (e.g. the generator's output for another seed).
DATA = Path(os.environ.get("RELAUDIT_COUNCIL_DEMO", ROOT / "data" / "council-partners"))
CODEBOOK = ROOT / "config" / "programmes" / "council-partners" / "must_have_codebook.yaml"
REDACT = ROOT / "config" / "programmes" / "council-partners" / "redact.txt"
CENSUS_END = dt.datetime(2019, 6, 29)  # the census day counts to its end
SURVEY_OPENED = dt.datetime(2019, 5, 20)
MIN_GROUP_SIZE = 5

QUESTIONS = {
    "strategic_direction": "Clarity of strategic direction",
    "trust": "Trust",
    "sharing_information": "Sharing information",
    "inclusion_planning": "Inclusion in planning and key decisions",
    "integrated_working": "Integrated working",
    "managing_conflicts": "Managing conflicts",
    "roles_responsibilities": "Understanding roles and responsibilities",
    "responsiveness": "Responsiveness",
}
DEPARTMENTS = {
    "ao_senior": "Adult Operations senior managers",
    "ao_service": "Adult Operations service teams",
    "commissioning": "Commissioning",
    "procurement": "Procurement",
    "finance": "Finance",
    "safeguarding": "Safeguarding",
    "community_agents": "Community agents",
    "strategic_planning": "Strategic planning team",
}
# grouping id -> (header, {option: reported label})
PROVIDER_GROUPINGS = {
    "area": (
        "Which part of the county do you mainly work in?",
        {o: o for o in ("North", "Mid", "South", "West", "County-wide")},
    ),
    "service_type": (
        "What type of service do you provide?",
        {
            o: o
            for o in ("Home care", "Residential care", "Supported living", "Day services", "Other")
        },
    ),
    "size": (
        "How many staff does your organisation employ?",
        {"Fewer than 50": "Small", "50 to 249": "Medium", "250 or more": "Large"},
    ),
    "role": (
        "What is your role?",
        {
            o: o
            for o in ("Owner", "Director or senior manager", "Registered or care manager", "Other")
        },
    ),
    "funded_share": (
        "Roughly what share of the people you support are funded by the council?",
        {o: o for o in ("0-25%", "26-50%", "51-75%", "76-100%")},
    ),
}
OFFICER_GROUPINGS = {
    "team": (
        "Which team do you work in?",
        {
            o: o
            for o in (
                "Adult Operations",
                "Commissioning",
                "Commercial",
                "Procurement",
                "Finance",
                "Safeguarding",
                "Other",
            )
        },
    ),
    "grade": (
        "What is your grade?",
        {o: o for o in ("Director or head of service", "Manager", "Officer or practitioner")},
    ),
    "area": (
        "Which part of the county do you cover?",
        {o: o for o in ("North", "Mid", "South", "West", "County-wide")},
    ),
}
COMMENT = "Anything else you would like to tell us?"
NOT_ANSWERED = "Did not answer"
NO_CONTACT = "no contact"
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


# ------------------------------------------------------------- the reader


def header_key(text: str) -> str:
    """The input contract's header normalisation, written out again here."""
    value = unicodedata.normalize("NFKC", text).lower()
    value = value.replace("\u2018", "'").replace("\u2019", "'")
    value = re.sub(r"^\s*\*+\s*", "", value)
    value = re.sub(r"^\s*\d+\s*[.)]\s*", "", value)
    value = re.sub(r"\s+", " ", value).strip()
    return value[:-1].rstrip() if value.endswith(".") else value


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(path: Path) -> list[dict[str, object]]:
    """One export as rows keyed by normalised header (xlsx: first sheet)."""
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    else:
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [header_key(text_of(h)) for h in rows[0]]
    # A workbook row can stop at its last filled cell: pad it to the header.
    return [
        dict(zip(header, [*r, *[None] * (len(header) - len(r))], strict=True)) for r in rows[1:]
    ]


def parse_time(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    text = text_of(value).strip()
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def rating(value: object) -> int | str | None:
    """1..4, NO_CONTACT, or None (blank or a cell issue: not answered)."""
    text = text_of(value).strip()
    if text.casefold() in ("0", NO_CONTACT):
        return NO_CONTACT
    match = re.fullmatch(r"(\d+)(?:\s+-\s+.*)?", text)
    if match and 1 <= int(match.group(1)) <= 4:
        return int(match.group(1))
    return None


@dataclass
class Respondent:
    response_id: str
    groups: dict[str, str]
    ratings: dict[tuple[str, str], int | str]  # (target, question) -> 1..4 or NO_CONTACT
    comment: str

    def values(self, target: str | None = None, question: str | None = None) -> list[int]:
        return [
            v
            for (t, q), v in self.ratings.items()
            if v != NO_CONTACT and target in (None, t) and question in (None, q)
        ]


@dataclass
class Population:
    kept: list[Respondent]
    rows_read: int
    duplicates: int
    quarantined: Counter = field(default_factory=Counter)
    cell_issues: list[tuple[str, str, str]] = field(default_factory=list)


def read_population(name: str, groupings: dict, targets: dict[str, str] | None) -> Population:
    """Apply the row rules by hand: the last file's row of each Response ID wins;
    not submitted, after census and no 1-4 rating anywhere are set aside."""
    columns = {}
    for qid, title in QUESTIONS.items():
        for tid, tname in (targets or {"council": None}).items():
            header = title if tname is None else f"{tname} - {title}"
            columns[header_key(header)] = (tid, qid)
    latest: dict[str, tuple[Path, dict]] = {}
    rows_read = 0
    for path in sorted((DATA / name).iterdir()):
        for row in read_rows(path):
            rows_read += 1
            latest[text_of(row["response id"]).strip()] = (path, row)
    population = Population([], rows_read, rows_read - len(latest))
    for response_id, (path, row) in latest.items():
        submitted = parse_time(row["submitted"])
        ratings, groups = {}, {}
        for key, where in columns.items():
            value = rating(row[key])
            if value is None and text_of(row[key]).strip():
                population.cell_issues.append((path.name, response_id, text_of(row[key])))
            if value is not None:
                ratings[where] = value
        for gid, (header, options) in groupings.items():
            given = " ".join(text_of(row[header_key(header)]).split()).casefold()
            match = [r for o, r in options.items() if o.casefold() == given]
            groups[gid] = match[0] if match else NOT_ANSWERED
        if not text_of(row["submitted"]).strip():
            population.quarantined["not_submitted"] += 1
        elif submitted is None:
            population.quarantined["bad_timestamp"] += 1
        elif submitted >= CENSUS_END:
            population.quarantined["after_census"] += 1
        elif not any(v != NO_CONTACT for v in ratings.values()):
            population.quarantined["no_answers"] += 1
        else:
            comment = text_of(row[header_key(COMMENT)]).strip()
            population.kept.append(Respondent(response_id, groups, ratings, comment))
    return population


@pytest.fixture(scope="module")
def providers() -> Population:
    return read_population("providers", PROVIDER_GROUPINGS, DEPARTMENTS)


@pytest.fixture(scope="module")
def officers() -> Population:
    return read_population("officers", OFFICER_GROUPINGS, None)


def read_must_haves() -> list[dict[str, str]]:
    with (DATA / "workshops" / "must_haves.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_coding() -> list[dict[str, str]]:
    with (DATA.parent / f"{DATA.name}-coding" / "must_haves.csv").open(
        encoding="utf-8-sig", newline=""
    ) as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------- the definitions


def mean(values: list[int]) -> float:
    assert values, "no ratings"
    return sum(values) / len(values)


def overall(pop: Population) -> float:
    """The population's overall score: the mean of every rating it gave."""
    return mean([v for r in pop.kept for v in r.values()])


def question_means(
    pop: Population, target: str | None = None, people: list[Respondent] | None = None
) -> dict[str, float]:
    """Each question's mean over every rating (pooled over targets unless one is named)."""
    people = pop.kept if people is None else people
    return {q: mean([v for r in people for v in r.values(target, q)]) for q in QUESTIONS}


def department_scores(pop: Population) -> dict[str, float]:
    return {d: mean([v for r in pop.kept for v in r.values(d)]) for d in DEPARTMENTS}


def group_members(pop: Population, grouping: str, group: str) -> list[Respondent]:
    return [r for r in pop.kept if r.groups[grouping] == group]


def group_overall(pop: Population, grouping: str, group: str) -> float:
    return mean([v for r in group_members(pop, grouping, group) for v in r.values()])


def group_questions(pop: Population, grouping: str, group: str) -> dict[str, float]:
    return question_means(pop, people=group_members(pop, grouping, group))


def breakdown_n(pop: Population, grouping: str, group: str, question: str | None) -> int:
    """A breakdown cell's n: group members with at least one rating in the cell."""
    return sum(1 for r in group_members(pop, grouping, group) if r.values(question=question))


def ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda k: -scores[k])


def cross_means(providers: Population, officers: Population) -> dict[str, float]:
    """Per question: providers' mean of their per-person averages over departments,
    minus officers' mean (the contract's cross analysis)."""
    diffs = {}
    for q in QUESTIONS:
        per_provider = [mean(r.values(question=q)) for r in providers.kept if r.values(question=q)]
        per_officer = [v for r in officers.kept for v in r.values(question=q)]
        diffs[q] = statistics.fmean(per_provider) - statistics.fmean(per_officer)
    return diffs


def no_contact(pop: Population) -> dict[tuple[str, str], int]:
    counts = {(d, q): 0 for d in DEPARTMENTS for q in QUESTIONS}
    for r in pop.kept:
        for key, value in r.ratings.items():
            if value == NO_CONTACT:
                counts[key] += 1
    return counts


def department_no_contact(pop: Population) -> dict[str, float]:
    counts = no_contact(pop)
    return {d: sum(counts[(d, q)] for q in QUESTIONS) / len(QUESTIONS) for d in DEPARTMENTS}


# A margin for rankings: the demo must not hold a finding by a hair.
MARGIN = 0.02


def top(scores: dict[str, float], k: int) -> set[str]:
    return set(ranked(scores)[:k])


def assert_top(scores: dict[str, float], expected: set[str]) -> None:
    order = ranked(scores)
    k = len(expected)
    assert set(order[:k]) == expected, {q: round(scores[q], 3) for q in order}
    if k < len(order):
        assert scores[order[k - 1]] - scores[order[k]] >= MARGIN, scores


def assert_bottom(scores: dict[str, float], expected: set[str]) -> None:
    assert_top({k: -v for k, v in scores.items()}, expected)


# ------------------------------------------------------------- size and response


def test_officer_kept_responses_are_40_to_50(officers):
    assert 40 <= len(officers.kept) <= 50


def test_provider_kept_responses_are_about_120(providers):
    assert 110 <= len(providers.kept) <= 130


def test_a_west_or_mid_provider_breakdown_cell_is_under_min_group_size(providers):
    small = [
        (area, q)
        for area in ("West", "Mid")
        for q in (*QUESTIONS, None)
        if 0 < breakdown_n(providers, "area", area, q) < MIN_GROUP_SIZE
    ]
    assert small


def test_there_are_83_must_haves_about_30_from_providers_and_53_from_officers():
    rows = read_must_haves()
    counts = Counter(r["participant_type"] for r in rows)
    assert len(rows) == 83
    assert counts == {"provider": 30, "officer": 53}


# ------------------------------------------------------------- providers


def test_providers_overall_is_2_23(providers):
    assert overall(providers) == pytest.approx(2.23, abs=0.03)


def test_providers_top_three_questions(providers):
    assert_top(
        question_means(providers),
        {"responsiveness", "managing_conflicts", "roles_responsibilities"},
    )


def test_providers_lowest_two_questions(providers):
    assert_bottom(question_means(providers), {"sharing_information", "inclusion_planning"})


def test_safeguarding_is_the_highest_department_and_best_on_roles(providers):
    assert_top(department_scores(providers), {"safeguarding"})
    assert_top(question_means(providers, target="safeguarding"), {"roles_responsibilities"})


def test_finance_is_the_lowest_department(providers):
    assert_bottom(department_scores(providers), {"finance"})


AREAS = ("North", "Mid", "South", "West", "County-wide")


def area_scores(providers) -> dict[str, float]:
    return {a: group_overall(providers, "area", a) for a in AREAS}


def test_north_is_the_highest_area_and_high_on_three_questions(providers):
    assert_top(area_scores(providers), {"North"})
    north = group_questions(providers, "area", "North")
    assert_top(north, {"responsiveness", "roles_responsibilities", "strategic_direction"})


def test_county_wide_is_second_only_to_north(providers):
    order = ranked(area_scores(providers))
    assert order[:2] == ["North", "County-wide"]
    assert area_scores(providers)["County-wide"] - area_scores(providers)[order[2]] >= MARGIN


def test_west_is_lowest_with_mid_close_behind_and_west_lowest_on_sharing(providers):
    scores = area_scores(providers)
    assert_bottom(scores, {"West"})
    assert ranked(scores)[-2] == "Mid"
    assert scores["Mid"] - scores["West"] < 0.1  # "close behind"
    assert_bottom(group_questions(providers, "area", "West"), {"sharing_information"})


def test_south_is_low_and_lowest_on_inclusion(providers):
    scores = area_scores(providers)
    assert scores["South"] < overall(providers) - MARGIN
    assert ranked(scores).index("South") >= 2  # below North and County-wide
    assert_bottom(group_questions(providers, "area", "South"), {"inclusion_planning"})


def test_home_care_is_marginally_above_residential_care(providers):
    diff = group_overall(providers, "service_type", "Home care") - group_overall(
        providers, "service_type", "Residential care"
    )
    assert MARGIN <= diff < 0.15 - MARGIN


def test_small_providers_score_highest_best_on_responsiveness_and_roles(providers):
    sizes = {s: group_overall(providers, "size", s) for s in ("Small", "Medium", "Large")}
    assert_top(sizes, {"Small"})
    assert_top(
        group_questions(providers, "size", "Small"), {"responsiveness", "roles_responsibilities"}
    )


def test_directors_are_above_owners_and_registered_managers(providers):
    director = group_overall(providers, "role", "Director or senior manager")
    assert director - group_overall(providers, "role", "Owner") >= MARGIN
    assert director - group_overall(providers, "role", "Registered or care manager") >= MARGIN


FUNDED = ("0-25%", "26-50%", "51-75%", "76-100%")


def test_funded_0_25_scores_highest_high_on_three_questions(providers):
    scores = {f: group_overall(providers, "funded_share", f) for f in FUNDED}
    assert_top(scores, {"0-25%"})
    assert_top(
        group_questions(providers, "funded_share", "0-25%"),
        {"responsiveness", "roles_responsibilities", "managing_conflicts"},
    )


def test_funded_26_50_scores_lowest_low_on_sharing_and_inclusion(providers):
    scores = {f: group_overall(providers, "funded_share", f) for f in FUNDED}
    assert_bottom(scores, {"26-50%"})
    assert_bottom(
        group_questions(providers, "funded_share", "26-50%"),
        {"sharing_information", "inclusion_planning"},
    )


@pytest.mark.parametrize(
    ("department", "about"),
    [
        ("procurement", 12),
        ("community_agents", 12),
        ("commissioning", 11),
        ("ao_senior", 10),
        ("ao_service", 2),
        ("strategic_planning", 2),
        ("safeguarding", 2),
    ],
)
def test_department_no_contact_is_about_the_published_count(providers, department, about):
    assert department_no_contact(providers)[department] == pytest.approx(about, abs=1)


def test_no_contact_ranks_departments_as_published(providers):
    average = department_no_contact(providers)
    order = ranked(average)
    assert set(order[:2]) == {"procurement", "community_agents"}
    assert order[2:4] == ["commissioning", "ao_senior"]
    assert set(order[-3:]) == {"ao_service", "strategic_planning", "safeguarding"}


def test_trust_inclusion_and_integrated_working_have_most_no_contact(providers):
    counts = no_contact(providers)
    by_question = {q: sum(counts[(d, q)] for d in DEPARTMENTS) for q in QUESTIONS}
    order = ranked(by_question)
    assert set(order[:3]) == {"trust", "inclusion_planning", "integrated_working"}
    assert by_question[order[2]] - by_question[order[3]] >= 3, by_question


# ------------------------------------------------------------- officers

GRADES = ("Director or head of service", "Manager", "Officer or practitioner")


def test_officers_higher_grade_lower_score(officers):
    director, manager, officer = (group_overall(officers, "grade", g) for g in GRADES)
    assert director + MARGIN <= manager
    assert manager + MARGIN <= officer


def test_strategic_direction_is_the_officers_lowest_question(officers):
    assert_bottom(question_means(officers), {"strategic_direction"})


@pytest.mark.parametrize("grade", ["Director or head of service", "Manager"])
def test_trust_is_lowest_for_directors_and_managers(officers, grade):
    assert_bottom(group_questions(officers, "grade", grade), {"trust"})


def test_officers_three_lowest_questions(officers):
    assert_bottom(question_means(officers), {"strategic_direction", "trust", "inclusion_planning"})


def test_commercial_then_adult_operations_then_commissioning(officers):
    teams = OFFICER_GROUPINGS["team"][1].values()
    scores = {t: group_overall(officers, "team", t) for t in teams}
    order = ranked(scores)
    assert order[:3] == ["Commercial", "Adult Operations", "Commissioning"], scores
    for higher, lower in itertools.pairwise(order[:4]):
        assert scores[higher] - scores[lower] >= MARGIN, scores


# ------------------------------------------------------------- cross analysis


@pytest.mark.parametrize(
    "question",
    ["inclusion_planning", "integrated_working", "managing_conflicts", "roles_responsibilities"],
)
def test_providers_and_officers_are_similar(providers, officers, question):
    assert abs(cross_means(providers, officers)[question]) < 0.15 - MARGIN


def test_providers_rate_sharing_information_lower(providers, officers):
    assert cross_means(providers, officers)["sharing_information"] < -0.3 - MARGIN


@pytest.mark.parametrize("question", ["trust", "strategic_direction", "responsiveness"])
def test_officers_rate_lower_than_providers(providers, officers, question):
    assert cross_means(providers, officers)[question] > 0.2 + MARGIN


# ------------------------------------------------------------- must-haves


def load_codebook_ids() -> list[str]:
    import yaml

    with CODEBOOK.open(encoding="utf-8") as f:
        return [c["id"] for c in yaml.safe_load(f)["categories"]]


def category_counts(kind: str) -> Counter:
    return Counter(r["category"] for r in read_coding() if r["participant_type"] == kind)


def test_the_coding_sheet_moderates_every_must_have_with_codebook_ids():
    raw, coded = read_must_haves(), read_coding()
    assert [int(r["row"]) for r in coded] == list(range(1, len(raw) + 1))
    assert [r["participant_type"] for r in coded] == [r["participant_type"] for r in raw]
    allowed = set(load_codebook_ids())
    assert {
        "cooperation_collaboration",
        "meetings_communication",
        "market_understanding",
        "trust_honesty",
        "provider_voice",
        "response_times",
        "consistency",
        "payments",
        "contacts_structure",
        "other",
    } <= allowed
    assert all(r["category"] in allowed for r in coded)


def test_providers_three_largest_must_have_categories():
    counts = category_counts("provider")
    order = [c for c, _ in counts.most_common()]
    assert set(order[:3]) == {
        "cooperation_collaboration",
        "meetings_communication",
        "market_understanding",
    }
    assert counts[order[2]] > counts[order[3]]


def test_officers_two_largest_must_have_categories():
    counts = category_counts("officer")
    order = [c for c, _ in counts.most_common()]
    assert set(order[:2]) == {"cooperation_collaboration", "meetings_communication"}
    assert counts[order[1]] > counts[order[2]]


@pytest.mark.parametrize(
    "category",
    [
        "trust_honesty",
        "provider_voice",
        "response_times",
        "consistency",
        "payments",
        "contacts_structure",
    ],
)
def test_both_sides_have_some_must_haves_in(category):
    assert category_counts("provider")[category] >= 1
    assert category_counts("officer")[category] >= 1


# ------------------------------------------------------------- the mess is there


def test_row_rules_each_set_something_aside(providers, officers):
    for pop in (providers, officers):
        assert pop.duplicates >= 1
        assert pop.quarantined["after_census"] >= 1
        assert pop.quarantined["no_answers"] >= 1
        assert pop.cell_issues  # 5, 2.5, Good
        assert pop.rows_read == len(pop.kept) + sum(pop.quarantined.values()) + pop.duplicates


def test_exports_include_xlsx_and_windows_1252():
    files = sorted((DATA / "providers").iterdir())
    assert any(p.suffix == ".xlsx" for p in files)
    legacy = []
    for path in files:
        if path.suffix == ".csv":
            data = path.read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                legacy.append(data.decode("cp1252"))
    assert legacy and any(ch in legacy[0] for ch in "’£–é")


def test_comments_are_a_minority_and_name_what_the_redact_list_covers(providers, officers):
    for pop in (providers, officers):
        commenting = sum(1 for r in pop.kept if r.comment)
        assert 0 < commenting < len(pop.kept) / 2
    names = [
        line.strip()
        for line in REDACT.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    text = " ".join(r.comment for pop in (providers, officers) for r in pop.kept)
    text += " ".join(r["must_have"] for r in read_must_haves())
    assert sum(name in text for name in names) >= 2


def test_demo_data_is_a_few_hundred_kilobytes_at_most():
    size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert size < 400_000
