"""Generate the council partner survey's demo data, calibrated to its findings.

The council programme (``shared/spec/council-partner-survey.md``) has no real
data to ship, so the project commits generated exports under
``data/council-partners/``: provider and officer survey exports, the workshop
must-haves, and the analyst's moderated coding sheet. The numbers must make
every finding of ``shared/spec/council-partner-calibration.md`` true, computed
by the contract's definitions on the kept responses.

How the ratings are made:

* each population's respondents get their groups from exact counts (shuffled),
  and each rating cell a status first: rated, no contact, blank, or a bad cell.
  No contact is set to exact counts: whole departments a provider has no
  contact with (so each department's average is on target) plus single cells
  (so that `trust`, `inclusion_planning` and `integrated_working` collect the
  most no-contact answers);
* a rating is a latent level cut into 1 to 4: overall level + question,
  department and group effects + a few fixed interactions + a respondent
  effect + noise. The noise is drawn once; the main effects are then
  calibrated (a few dozen passes of raking on the drawn data) until each
  question, department and group mean sits on its target. The interactions are
  large enough that the findings they carry hold with a margin;
* the rows are spelled out in several files with the mess real exports have
  (see :func:`write_population` and the notes), and comments and must-haves
  come from :mod:`relaudit_dev.council_text`.

Run ``PYTHONPATH=dev python -m relaudit_dev.council_demo --out data/council-partners
--seed 2019`` (``make demo-data-council``). Same seed, same bytes. It prints the
measured findings, so a change that breaks one shows at once. This is a
development module: it necessarily names the programme's questions and groups.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from relaudit_dev import council_text as words

SEED = 2019
SURVEY_OPENED = dt.datetime(2019, 5, 20, 9, 0, 0)
CENSUS_DATE = dt.date(2019, 6, 28)
FIXED_XLSX_TIME = dt.datetime(2019, 6, 21, 12, 0, 0)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMMENT_HEADER = "Anything else you would like to tell us?"
REDACT_LIST = Path("config/programmes/council-partners/redact.txt")

# status of a rating cell
RATED, NO_CONTACT, BLANK, BAD = 0, 1, 2, 3


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    low: str
    high: str


QUESTIONS = (
    Question(
        "strategic_direction",
        "Clarity of strategic direction",
        "We cannot tell where the council is heading",
        "The council's direction is clear and shared with us",
    ),
    Question(
        "trust", "Trust", "We do not trust each other", "We trust each other to act in good faith"
    ),
    Question(
        "sharing_information",
        "Sharing information",
        "Information is held back or arrives too late",
        "Information is shared openly and in good time",
    ),
    Question(
        "inclusion_planning",
        "Inclusion in planning and key decisions",
        "Decisions are made without us",
        "We are involved before key decisions are made",
    ),
    Question(
        "integrated_working",
        "Integrated working",
        "We work in separate silos",
        "We work as one joined-up team",
    ),
    Question(
        "managing_conflicts",
        "Managing conflicts",
        "Disagreements are avoided or escalate",
        "Disagreements are raised and settled constructively",
    ),
    Question(
        "roles_responsibilities",
        "Understanding roles and responsibilities",
        "It is unclear who does what",
        "Each side understands the other's role and responsibilities",
    ),
    Question(
        "responsiveness",
        "Responsiveness",
        "Replies are slow or never come",
        "Replies are prompt and helpful",
    ),
)
QUESTION_IDS = tuple(q.id for q in QUESTIONS)
DEPARTMENTS = (
    ("ao_senior", "Adult Operations senior managers"),
    ("ao_service", "Adult Operations service teams"),
    ("commissioning", "Commissioning"),
    ("procurement", "Procurement"),
    ("finance", "Finance"),
    ("safeguarding", "Safeguarding"),
    ("community_agents", "Community agents"),
    ("strategic_planning", "Strategic planning team"),
)
DEPARTMENT_IDS = tuple(d for d, _ in DEPARTMENTS)


@dataclass(frozen=True)
class Grouping:
    """A respondent question: its header, options, exact counts and target means."""

    id: str
    header: str
    options: tuple[str, ...]
    counts: tuple[int, ...]  # respondents per option; the rest leave it blank
    targets: dict[str, float] = field(default_factory=dict)  # option -> overall mean


PROVIDER_GROUPINGS = (
    Grouping(
        "area",
        "Which part of the county do you mainly work in?",
        ("North", "Mid", "South", "West", "County-wide"),
        (36, 14, 34, 6, 28),
        {"North": 2.48, "Mid": 1.95, "South": 2.05, "West": 1.89, "County-wide": 2.34},
    ),
    Grouping(
        "service_type",
        "What type of service do you provide?",
        ("Home care", "Residential care", "Supported living", "Day services", "Other"),
        (42, 38, 18, 10, 10),
        {
            "Home care": 2.27,
            "Residential care": 2.19,
            "Supported living": 2.26,
            "Day services": 2.14,
            "Other": 2.20,
        },
    ),
    Grouping(
        "size",
        "How many staff does your organisation employ?",
        ("Fewer than 50", "50 to 249", "250 or more"),
        (52, 45, 22),
        {"Fewer than 50": 2.36, "50 to 249": 2.14, "250 or more": 2.10},
    ),
    Grouping(
        "role",
        "What is your role?",
        ("Owner", "Director or senior manager", "Registered or care manager", "Other"),
        (34, 30, 44, 10),
        {
            "Owner": 2.18,
            "Director or senior manager": 2.40,
            "Registered or care manager": 2.14,
            "Other": 2.22,
        },
    ),
    Grouping(
        "funded_share",
        "Roughly what share of the people you support are funded by the council?",
        ("0-25%", "26-50%", "51-75%", "76-100%"),
        (18, 22, 36, 38),
        {"0-25%": 2.46, "26-50%": 1.98, "51-75%": 2.24, "76-100%": 2.25},
    ),
)
OFFICER_GROUPINGS = (
    Grouping(
        "team",
        "Which team do you work in?",
        (
            "Adult Operations",
            "Commissioning",
            "Commercial",
            "Procurement",
            "Finance",
            "Safeguarding",
            "Other",
        ),
        (12, 9, 6, 5, 4, 5, 3),
        {
            "Adult Operations": 2.28,
            "Commissioning": 2.15,
            "Commercial": 2.45,
            "Procurement": 1.98,
            "Finance": 1.95,
            "Safeguarding": 2.02,
            "Other": 2.00,
        },
    ),
    Grouping(
        "grade",
        "What is your grade?",
        ("Director or head of service", "Manager", "Officer or practitioner"),
        (8, 16, 20),
        {"Director or head of service": 1.85, "Manager": 2.05, "Officer or practitioner": 2.28},
    ),
    Grouping(
        "area",
        "Which part of the county do you cover?",
        ("North", "Mid", "South", "West", "County-wide"),
        (8, 6, 9, 4, 17),
    ),
)


@dataclass(frozen=True)
class Interaction:
    """A fixed shift of the latent level where every named factor has its level."""

    where: dict[str, str]  # factor ("question", "target" or a grouping id) -> level
    shift: float


@dataclass(frozen=True)
class PopulationSpec:
    """What one population's kept responses must look like."""

    id: str
    size: int
    targets: tuple[str, ...]  # rated targets: departments, or the council
    groupings: tuple[Grouping, ...]
    overall: float
    question_targets: dict[str, float]
    target_targets: dict[str, float]
    interactions: tuple[Interaction, ...]
    person_sd: float
    noise_sd: float
    id_base: int


PROVIDERS = PopulationSpec(
    id="providers",
    size=120,
    targets=DEPARTMENT_IDS,
    groupings=PROVIDER_GROUPINGS,
    overall=2.23,
    question_targets={
        "strategic_direction": 2.25,
        "trust": 2.22,
        "sharing_information": 1.94,
        "inclusion_planning": 1.98,
        "integrated_working": 2.18,
        "managing_conflicts": 2.38,
        "roles_responsibilities": 2.44,
        "responsiveness": 2.50,
    },
    target_targets={
        "ao_senior": 2.18,
        "ao_service": 2.35,
        "commissioning": 2.12,
        "procurement": 2.10,
        "finance": 1.90,
        "safeguarding": 2.55,
        "community_agents": 2.30,
        "strategic_planning": 2.22,
    },
    interactions=(
        Interaction({"target": "safeguarding", "question": "roles_responsibilities"}, 0.45),
        Interaction({"target": "finance", "question": "responsiveness"}, -0.25),
        Interaction({"area": "North", "question": "responsiveness"}, 0.25),
        Interaction({"area": "North", "question": "roles_responsibilities"}, 0.25),
        Interaction({"area": "North", "question": "strategic_direction"}, 0.45),
        Interaction({"area": "West", "question": "sharing_information"}, -0.5),
        Interaction({"area": "South", "question": "inclusion_planning"}, -0.4),
        Interaction({"size": "Fewer than 50", "question": "responsiveness"}, 0.25),
        Interaction({"size": "Fewer than 50", "question": "roles_responsibilities"}, 0.3),
        Interaction({"funded_share": "0-25%", "question": "responsiveness"}, 0.2),
        Interaction({"funded_share": "0-25%", "question": "roles_responsibilities"}, 0.2),
        Interaction({"funded_share": "0-25%", "question": "managing_conflicts"}, 0.3),
        Interaction({"funded_share": "26-50%", "question": "sharing_information"}, -0.25),
        Interaction({"funded_share": "26-50%", "question": "inclusion_planning"}, -0.25),
    ),
    person_sd=0.35,
    noise_sd=0.7,
    id_base=11_040_000,
)
OFFICERS = PopulationSpec(
    id="officers",
    size=45,
    targets=("council",),
    groupings=OFFICER_GROUPINGS,
    overall=2.13,
    question_targets={
        "strategic_direction": 1.78,
        "trust": 1.88,
        "sharing_information": 2.40,
        "inclusion_planning": 1.95,
        "integrated_working": 2.12,
        "managing_conflicts": 2.34,
        "roles_responsibilities": 2.40,
        "responsiveness": 2.18,
    },
    target_targets={},
    interactions=(
        Interaction({"grade": "Director or head of service", "question": "trust"}, -0.85),
        Interaction({"grade": "Manager", "question": "trust"}, -0.75),
        Interaction({"grade": "Officer or practitioner", "question": "trust"}, 0.6),
        Interaction({"grade": "Officer or practitioner", "question": "strategic_direction"}, -0.5),
    ),
    person_sd=0.3,
    noise_sd=0.7,
    id_base=21_770_000,
)

# Providers minus officers per question, as the cross analysis computes it. The
# officers' question targets are set from the providers' drawn data (each
# provider's ratings of a question averaged over departments first), so that the
# cross analysis lands on these differences whatever the draw.
CROSS_DIFFS = {
    "strategic_direction": 0.47,
    "trust": 0.34,
    "sharing_information": -0.47,
    "inclusion_planning": 0.0,
    "integrated_working": 0.05,
    "managing_conflicts": 0.02,
    "roles_responsibilities": 0.03,
    "responsiveness": 0.30,
}

# Providers' no contact. Whole departments: how many kept providers have no
# contact with each. Single cells: extra no-contact answers on one question of a
# department they otherwise rate, by department and by question (both sum to 40).
NO_CONTACT_DEPARTMENTS = {
    "ao_senior": 9,
    "ao_service": 2,
    "commissioning": 10,
    "procurement": 11,
    "finance": 6,
    "safeguarding": 2,
    "community_agents": 11,
    "strategic_planning": 2,
}
NO_CONTACT_CELLS_BY_DEPARTMENT = {
    "ao_senior": 8,
    "ao_service": 1,
    "commissioning": 8,
    "procurement": 8,
    "finance": 4,
    "safeguarding": 1,
    "community_agents": 8,
    "strategic_planning": 2,
}
NO_CONTACT_CELLS_BY_QUESTION = {
    "strategic_direction": 2,
    "trust": 14,
    "sharing_information": 1,
    "inclusion_planning": 11,
    "integrated_working": 9,
    "managing_conflicts": 2,
    "roles_responsibilities": 1,
    "responsiveness": 0,
}
PROVIDERS_STOPPING_EARLY = 5  # blank for the last two or three departments
WEST_SKIPPING_TRUST = 2  # West providers who leave trust blank: West's trust cell n < 5
BLANK_CELL_RATE = 0.01
PROVIDER_BAD_CELLS = ("5", "2.5", "Good", "5")
OFFICER_BAD_CELLS = ("Good", "2.5")
OFFICER_NO_CONTACT_CELLS = 2
OFFICER_BLANK_CELLS = 4
PROVIDER_COMMENTS = 34
OFFICER_COMMENTS = 13


# ------------------------------------------------------------------ the model


@dataclass
class Population:
    """One population's kept respondents: groups, cell statuses and ratings."""

    spec: PopulationSpec
    groups: dict[str, list[str]]  # grouping id -> each respondent's option ("" = blank)
    status: np.ndarray  # (respondent, target, question) of RATED/NO_CONTACT/BLANK/BAD
    person: np.ndarray
    noise: np.ndarray
    ratings: np.ndarray = field(default_factory=lambda: np.zeros(0))
    effects: dict[str, np.ndarray] = field(default_factory=dict)
    mu: float = 0.0

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.status.shape  # type: ignore[return-value]

    def factor_levels(self, factor: str) -> tuple[str, ...]:
        if factor == "question":
            return QUESTION_IDS
        if factor == "target":
            return self.spec.targets
        grouping = next(g for g in self.spec.groupings if g.id == factor)
        return (*grouping.options, "")

    def factor_index(self, factor: str) -> np.ndarray:
        """Each cell's level of `factor`, as an index into :meth:`factor_levels`."""
        _, t, q = self.shape
        if factor == "question":
            return np.broadcast_to(np.arange(q)[None, None, :], self.shape)
        if factor == "target":
            return np.broadcast_to(np.arange(t)[None, :, None], self.shape)
        levels = self.factor_levels(factor)
        per_person = np.array([levels.index(v) for v in self.groups[factor]])
        return np.broadcast_to(per_person[:, None, None], self.shape)

    def factors(self) -> list[str]:
        return ["question", "target", *(g.id for g in self.spec.groupings)]


def exact_assignment(rng: np.random.Generator, grouping: Grouping, n: int) -> list[str]:
    """Each respondent's option: exactly `counts` of each, the rest blank, shuffled."""
    values = [o for o, c in zip(grouping.options, grouping.counts, strict=True) for _ in range(c)]
    if len(values) > n:
        raise ValueError(f"{grouping.id}: counts add up to more than {n}")
    values += [""] * (n - len(values))
    order = rng.permutation(n)
    return [values[i] for i in order]


def provider_statuses(rng: np.random.Generator, groups: dict[str, list[str]]) -> np.ndarray:
    """Rating-cell statuses of the kept providers (see the module docstring)."""
    n, t, q = PROVIDERS.size, len(DEPARTMENT_IDS), len(QUESTION_IDS)
    status = np.full((n, t, q), RATED, dtype=np.int8)
    west = [i for i, a in enumerate(groups["area"]) if a == "West"]
    others = [i for i in range(n) if groups["area"][i] != "West"]
    for i in rng.choice(others, PROVIDERS_STOPPING_EARLY, replace=False):
        status[i, t - int(rng.integers(2, 4)) :, :] = BLANK
    trust = QUESTION_IDS.index("trust")
    for i in west[:WEST_SKIPPING_TRUST]:
        status[i, :, trust] = BLANK
    status[(rng.random((n, t, q)) < BLANK_CELL_RATE) & (status == RATED)] = BLANK
    # Whole departments with no contact (West providers deal with every department,
    # so their few cells stay rated).
    for d, dept in enumerate(DEPARTMENT_IDS):
        reached = [i for i in others if (status[i, d, :] == RATED).any()]
        chosen = rng.choice(reached, NO_CONTACT_DEPARTMENTS[dept], replace=False)
        for i in chosen:
            cells = status[i, d, :]
            cells[cells == RATED] = NO_CONTACT
    # Single no-contact cells with exact margins by department and by question.
    dept_tokens = [d for d in DEPARTMENT_IDS for _ in range(NO_CONTACT_CELLS_BY_DEPARTMENT[d])]
    question_tokens = [x for x in QUESTION_IDS for _ in range(NO_CONTACT_CELLS_BY_QUESTION[x])]
    question_tokens = [question_tokens[i] for i in rng.permutation(len(question_tokens))]
    for dept, qid in zip(dept_tokens, question_tokens, strict=True):
        d, k = DEPARTMENT_IDS.index(dept), QUESTION_IDS.index(qid)
        candidates = [i for i in others if status[i, d, k] == RATED]
        status[rng.choice(candidates), d, k] = NO_CONTACT
    # Bad cells, on rated cells of non-West providers.
    for _ in PROVIDER_BAD_CELLS:
        while True:
            i, d, k = int(rng.choice(others)), int(rng.integers(t)), int(rng.integers(q))
            if status[i, d, k] == RATED:
                status[i, d, k] = BAD
                break
    return status


def officer_statuses(rng: np.random.Generator) -> np.ndarray:
    n, q = OFFICERS.size, len(QUESTION_IDS)
    status = np.full((n, 1, q), RATED, dtype=np.int8)
    for kind, count in (
        (NO_CONTACT, OFFICER_NO_CONTACT_CELLS),
        (BLANK, OFFICER_BLANK_CELLS),
        (BAD, len(OFFICER_BAD_CELLS)),
    ):
        placed = 0
        while placed < count:
            i, k = int(rng.integers(n)), int(rng.integers(q))
            if status[i, 0, k] == RATED:
                status[i, 0, k] = kind
                placed += 1
    return status


def make_population(spec: PopulationSpec, rng: np.random.Generator) -> Population:
    groups = {g.id: exact_assignment(rng, g, spec.size) for g in spec.groupings}
    status = provider_statuses(rng, groups) if spec.id == PROVIDERS.id else officer_statuses(rng)
    rated_anywhere = (status == RATED).any(axis=(1, 2))
    if not rated_anywhere.all():
        raise AssertionError(f"{spec.id}: a kept respondent has no rating")
    person = rng.normal(0.0, spec.person_sd, spec.size)
    noise = rng.normal(0.0, spec.noise_sd, status.shape)
    return Population(spec, groups, status, person, noise)


def cut(latent: np.ndarray) -> np.ndarray:
    """The latent level cut into the ratings 1 to 4."""
    return np.clip(np.floor(latent + 0.5), 1, 4).astype(np.int8)


def latent(pop: Population, index: dict[str, np.ndarray], shift: np.ndarray) -> np.ndarray:
    value = pop.mu + shift + pop.person[:, None, None] + pop.noise
    for factor, effect in pop.effects.items():
        value = value + effect[index[factor]]
    return value


def calibrate(pop: Population, passes: int = 80) -> None:
    """Rake the main effects until the question, target and group means sit on their
    targets (as deviations from the overall mean, itself put on target)."""
    spec = pop.spec
    index = {f: pop.factor_index(f) for f in pop.factors()}
    pop.effects = {f: np.zeros(len(pop.factor_levels(f))) for f in pop.factors()}
    shift = np.zeros(pop.shape)
    for inter in spec.interactions:
        mask = np.ones(pop.shape, dtype=bool)
        for factor, level in inter.where.items():
            mask &= index[factor] == pop.factor_levels(factor).index(level)
        shift = shift + inter.shift * mask
    rated = pop.status == RATED
    pop.mu = spec.overall
    wanted = {"question": spec.question_targets, "target": spec.target_targets}
    wanted.update({g.id: g.targets for g in spec.groupings})
    for _ in range(passes):
        ratings = cut(latent(pop, index, shift))
        pop.mu += spec.overall - ratings[rated].mean()
        for factor in pop.factors():
            targets = wanted[factor]
            if not targets:
                continue
            ratings = cut(latent(pop, index, shift))
            levels = pop.factor_levels(factor)
            weights = np.array([(rated & (index[factor] == j)).sum() for j in range(len(levels))])
            means = np.array(
                [
                    ratings[rated & (index[factor] == j)].mean() if weights[j] else 0.0
                    for j in range(len(levels))
                ]
            )
            aimed = [j for j, level in enumerate(levels) if level in targets]
            target = np.array([targets[levels[j]] for j in aimed])
            w = weights[aimed]
            step = (target - (target * w).sum() / w.sum()) - (
                means[aimed] - (means[aimed] * w).sum() / w.sum()
            )
            effect = pop.effects[factor]
            effect[aimed] += step
            effect -= (effect * weights).sum() / weights.sum()
    pop.ratings = cut(latent(pop, index, shift))


# ----------------------------------------------------------------- the rows


@dataclass
class Row:
    """One export row before it is spelled out in a file's style."""

    response_id: int
    started: dt.datetime
    submitted: dt.datetime | None
    answers: dict[str, str]  # grouping id -> raw text
    cells: list[list[str]]  # [target][question]: "1".."4", "NC", "", or a bad value
    comment: str = ""
    earlier: Row | None = None  # what an earlier export showed, when it differed


def submission_times(rng: random.Random, n: int) -> list[dt.datetime]:
    """Sorted submission times between the opening and the evening of the census day;
    the last is on the census day itself (kept: the day counts to its end)."""
    span = (dt.datetime.combine(CENSUS_DATE, dt.time(18, 0)) - SURVEY_OPENED).total_seconds()
    times = sorted(SURVEY_OPENED + dt.timedelta(seconds=rng.random() * span) for _ in range(n))
    times[-1] = dt.datetime.combine(CENSUS_DATE, dt.time(22, 47, 12))
    return [t.replace(microsecond=0) for t in times]


def cell_text(status: int, rating: int, bad: str) -> str:
    if status == RATED:
        return str(rating)
    if status == NO_CONTACT:
        return "NC"
    if status == BAD:
        return bad
    return ""


def kept_rows(pop: Population, bad_values: Sequence[str], rng: random.Random) -> list[Row]:
    """The kept respondents as rows, in submission order."""
    n, t, q = pop.shape
    times = submission_times(rng, n)
    bad = iter(bad_values)
    rows = []
    id_steps = np.cumsum([rng.randint(3, 40) for _ in range(n)])
    for i in range(n):
        cells = []
        for d in range(t):
            cells.append(
                [
                    cell_text(
                        int(pop.status[i, d, k]),
                        int(pop.ratings[i, d, k]),
                        next(bad) if pop.status[i, d, k] == BAD else "",
                    )
                    for k in range(q)
                ]
            )
        submitted = times[i]
        rows.append(
            Row(
                response_id=pop.spec.id_base + int(id_steps[i]),
                started=submitted - dt.timedelta(seconds=rng.randint(240, 2400)),
                submitted=submitted,
                answers={g: pop.groups[g][i] for g in pop.groups},
                cells=cells,
            )
        )
    return rows


def mean_rating(row: Row) -> float:
    values = [int(c) for cells in row.cells for c in cells if c in ("1", "2", "3", "4")]
    return sum(values) / len(values)


def compose_comment(
    rng: random.Random, sentences: dict[str, dict[str, tuple[str, ...]]], row: Row, used: set[str]
) -> str:
    """One to three sentences on different themes, in the respondent's tone."""
    tone = "low" if mean_rating(row) < 2.3 else "high"
    themes = sorted(sentences)
    chosen = rng.sample(themes, rng.choice((1, 1, 2, 2, 3)))
    parts = []
    for theme in chosen:
        pool = sentences[theme][tone] if rng.random() < 0.85 else sentences[theme]["low"]
        fresh = [s for s in pool if s not in used] or list(pool)
        sentence = rng.choice(fresh)
        used.add(sentence)
        parts.append(sentence)
    return " ".join(parts)


def add_comments(
    rows: list[Row],
    rng: random.Random,
    sentences: dict[str, dict[str, tuple[str, ...]]],
    count: int,
    planted: Sequence[str],
    cp1252_planted: Sequence[str] = (),
    cp1252_from: dt.datetime | None = None,
) -> None:
    """A minority of respondents comment; the planted sentences go to chosen ones
    (the Windows-1252 ones to rows that only the Windows-1252 export holds)."""
    commenters = sorted(rng.sample(range(len(rows)), count))
    used: set[str] = set()
    for i in commenters:
        rows[i].comment = compose_comment(rng, sentences, rows[i], used)
    late = [i for i in commenters if cp1252_from and rows[i].submitted > cp1252_from]
    early = [i for i in commenters if i not in late]
    for sentence, i in zip(cp1252_planted, late, strict=False):
        rows[i].comment = sentence + " " + rows[i].comment
    for sentence, i in zip(planted, rng.sample(early, len(planted)), strict=True):
        rows[i].comment = sentence if rng.random() < 0.5 else rows[i].comment + "\n" + sentence
    if len(late) < len(cp1252_planted):
        raise AssertionError("too few commenters in the Windows-1252 export")


def quarantined_rows(spec: PopulationSpec, rng: random.Random, template: Row) -> dict[str, Row]:
    """Rows the row rules set aside: after_census, no_answers (only no contact for
    providers, nothing for officers) and not_submitted (a partial response)."""
    t, q = len(spec.targets), len(QUESTION_IDS)

    def answers() -> dict[str, str]:
        return {g.id: rng.choice(g.options) for g in spec.groupings}

    def ratings(fill: float) -> list[list[str]]:
        return [
            [str(rng.randint(1, 4)) if rng.random() < fill else "" for _ in range(q)]
            for _ in range(t)
        ]

    late_at = (
        dt.datetime(2019, 7, 1, 10, 14, 0)
        if spec.id == PROVIDERS.id
        else dt.datetime(2019, 6, 30, 8, 5, 0)
    )
    no_answer_at = dt.datetime(2019, 6, 12, 14, 2, 0)
    partial_at = dt.datetime(2019, 6, 5, 11, 40, 0)
    nothing = [["NC" if spec.id == PROVIDERS.id else "" for _ in range(q)] for _ in range(t)]
    if spec.id == PROVIDERS.id:
        nothing[2][3] = ""  # a provider who ticked no contact everywhere but one blank
    return {
        "after_census": Row(
            template.response_id + 1,
            late_at - dt.timedelta(minutes=25),
            late_at,
            answers(),
            ratings(0.95),
        ),
        "no_answers": Row(
            template.response_id + 2,
            no_answer_at - dt.timedelta(minutes=6),
            no_answer_at,
            answers(),
            nothing,
        ),
        "not_submitted": Row(template.response_id + 3, partial_at, None, answers(), ratings(0.2)),
    }


# ------------------------------------------------------------------ the files


@dataclass(frozen=True)
class FileStyle:
    """How one export spells its rows."""

    name: str
    fmt: str  # csv-utf8, csv-bom, csv-cp1252 or xlsx
    time_format: str | None  # None: real date cells (xlsx)
    no_contact: tuple[str, ...]  # spellings, cycled
    end_labels: bool = False  # 1 and 4 written with the scale's end statements
    numbered_headers: bool = False  # "12. Finance - Trust", "* Which part ..."
    groups_first: bool = False
    housekeeping: tuple[str, ...] = ()
    with_started: bool = True


def rating_headers(spec: PopulationSpec) -> list[tuple[int, int, str]]:
    names = dict(DEPARTMENTS)
    headers = []
    for d, target in enumerate(spec.targets):
        for k, question in enumerate(QUESTIONS):
            title = question.title if target == "council" else f"{names[target]} - {question.title}"
            headers.append((d, k, title))
    return headers


def spell_cell(value: str, question: Question, style: FileStyle, counter: list[int]) -> Any:
    if value == "NC":
        counter[0] += 1
        spelling = style.no_contact[counter[0] % len(style.no_contact)]
        return int(spelling) if style.fmt == "xlsx" and spelling == "0" else spelling
    if value in ("1", "4") and style.end_labels:
        return f"{value} - {question.low if value == '1' else question.high}"
    if style.fmt == "xlsx" and value in ("1", "2", "3", "4"):
        return int(value)
    if style.fmt == "xlsx" and value == "2.5":
        return 2.5
    return value


def spell_rows(
    spec: PopulationSpec,
    rows: Sequence[Row],
    style: FileStyle,
    variants: dict[tuple[int, str], str],
) -> tuple[list[str], list[list[Any]]]:
    """Header and cells of one export in its style."""
    ratings = rating_headers(spec)
    rating_cols = [
        (f"{j + 1}. {title}" if style.numbered_headers else title, d, k)
        for j, (d, k, title) in enumerate(ratings)
    ]
    group_cols = [
        (f"* {g.header}" if style.numbered_headers else g.header, g.id) for g in spec.groupings
    ]
    fixed = ["Response ID", *(["Started"] if style.with_started else []), "Submitted"]
    header = fixed + list(style.housekeeping)
    body = [c for c, _ in group_cols] + [c for c, _, _ in rating_cols]
    if not style.groups_first:
        body = [c for c, _, _ in rating_cols] + [c for c, _ in group_cols]
    header += [*body, COMMENT_HEADER]
    counter = [0]
    out = []
    for row in rows:
        values: dict[str, Any] = {
            "Response ID": row.response_id if style.fmt == "xlsx" else str(row.response_id),
            "Started": spell_time(row.started, style),
            "Submitted": spell_time(row.submitted, style),
            COMMENT_HEADER: row.comment,
        }
        for j, name in enumerate(style.housekeeping):
            values[name] = housekeeping_value(name, row, j)
        for column, d, k in rating_cols:
            values[column] = spell_cell(row.cells[d][k], QUESTIONS[k], style, counter)
        for column, gid in group_cols:
            values[column] = variants.get((row.response_id, gid), row.answers[gid])
        out.append([values[c] for c in header])
    return header, out


def spell_time(value: dt.datetime | None, style: FileStyle) -> Any:
    if value is None:
        return ""
    return value if style.time_format is None else value.strftime(style.time_format)


def housekeeping_value(name: str, row: Row, j: int) -> str:
    if name == "IP Address":
        return f"198.51.100.{row.response_id % 250 + 1}"
    if name == "Collector ID":
        return "Web Link 1" if row.response_id % 3 else "Email invitation"
    return ""


def write_export(path: Path, style: FileStyle, header: list[str], rows: list[list[Any]]) -> None:
    if style.fmt == "xlsx":
        write_xlsx(path, header, rows)
        return
    encoding = {"csv-bom": "utf-8-sig", "csv-cp1252": "cp1252"}.get(style.fmt, "utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))  # strict: no character lost


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """A one-sheet workbook with fixed metadata and zip timestamps (byte-identical)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")

    def cell(value: Any) -> Any:
        if value == "":
            return None
        if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
            text = WriteOnlyCell(sheet, value)  # exported text stays text, never a formula
            text.data_type = "s"
            return text
        if isinstance(value, dt.datetime):
            stamp = WriteOnlyCell(sheet, value)
            stamp.number_format = "yyyy-mm-dd hh:mm:ss"
            return stamp
        return value

    sheet.append(header)
    for row in rows:
        sheet.append([cell(v) for v in row])
    workbook.properties.creator = "relaudit demo"
    workbook.properties.created = FIXED_XLSX_TIME
    workbook.properties.modified = FIXED_XLSX_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.writestr(fixed, data)


PROVIDER_FILES = (
    FileStyle("2019-06-07_export.csv", "csv-bom", "%d/%m/%Y %H:%M", ("No contact",)),
    FileStyle(
        "2019-06-21_export.xlsx", "xlsx", None, ("0", "No contact"), housekeeping=("Collector ID",)
    ),
    FileStyle(
        "2019-07-03_export.csv",
        "csv-cp1252",
        "%Y-%m-%d %H:%M:%S",
        ("no contact", "NO CONTACT", "0"),
        end_labels=True,
        numbered_headers=True,
        groups_first=True,
        housekeeping=("IP Address", "Collector ID"),
    ),
)
PROVIDER_CUTS = (dt.datetime(2019, 6, 7, 9, 0), dt.datetime(2019, 6, 21, 9, 0))
OFFICER_FILES = (
    FileStyle("2019-06-14_export.csv", "csv-utf8", "%Y-%m-%dT%H:%M:%S", ("0",)),
    FileStyle(
        "2019-07-01_export.csv", "csv-bom", "%d/%m/%Y %H:%M:%S", ("No contact",), end_labels=True
    ),
)
OFFICER_CUT = dt.datetime(2019, 6, 14, 9, 0)


def by_time(row: Row) -> dt.datetime:
    return row.submitted or row.started


def provider_files(kept: list[Row], extra: dict[str, Row]) -> list[list[Row]]:
    """Deadline export, a re-export repeating it, and a last export of the rows since
    (repeating three of the re-export's rows)."""
    first_cut, second_cut = PROVIDER_CUTS
    every = sorted([*kept, *extra.values()], key=by_time)
    first = [r for r in every if by_time(r) <= first_cut]
    second = [r for r in every if by_time(r) <= second_cut]
    third_new = [r for r in every if by_time(r) > second_cut]
    repeated = [r for r in second if r.submitted is not None][-3:]
    early = [r.earlier or r for r in first]
    return [early, second, repeated + third_new]


def officer_files(kept: list[Row], extra: dict[str, Row]) -> list[list[Row]]:
    """An interim export and a full re-export at the close."""
    every = sorted([*kept, *extra.values()], key=by_time)
    return [[r.earlier or r for r in every if by_time(r) <= OFFICER_CUT], every]


def edit_one(rows: list[Row], rng: random.Random, before: dt.datetime) -> Row:
    """A respondent who changed two answers after the first export: the first
    export holds the earlier version (the re-export's row wins)."""
    candidates = [r for r in rows if r.submitted and r.submitted <= before and not r.comment]
    row = rng.choice(candidates)
    cells = [list(c) for c in row.cells]
    changed = 0
    for d in range(len(cells)):
        for k in range(len(cells[d])):
            if changed < 2 and cells[d][k] in ("2", "3"):
                cells[d][k] = "1" if cells[d][k] == "2" else "4"
                changed += 1
    row.earlier = Row(row.response_id, row.started, row.submitted, dict(row.answers), cells)
    return row


def answer_variants(
    spec: PopulationSpec, rows: list[Row], rng: random.Random
) -> dict[tuple[int, str], str]:
    """Respondent answers spelled the way people and tools spell them: case and
    spaces (still the option), and one provider's service type that is no option
    (a cell issue: counted as Did not answer, as the model has it)."""
    variants: dict[tuple[int, str], str] = {}
    grouping = spec.groupings[0]
    answered = [r for r in rows if r.answers[grouping.id]]
    for row in rng.sample(answered, 3):
        value = row.answers[grouping.id]
        variants[(row.response_id, grouping.id)] = rng.choice(
            (value.lower(), f" {value} ", value.upper())
        )
    if spec.id == PROVIDERS.id:
        blank = [r for r in rows if not r.answers["service_type"]]
        variants[(blank[0].response_id, "service_type")] = "Nursing home"
    return variants


def write_population(out: Path, spec: PopulationSpec, pop: Population, seed: int) -> list[Path]:
    rng = random.Random(f"{seed}-{spec.id}-rows")
    bad = PROVIDER_BAD_CELLS if spec.id == PROVIDERS.id else OFFICER_BAD_CELLS
    kept = kept_rows(pop, bad, rng)
    comment_rng = random.Random(f"{seed}-{spec.id}-comments")
    if spec.id == PROVIDERS.id:
        add_comments(
            kept,
            comment_rng,
            words.PROVIDER_SENTENCES,
            PROVIDER_COMMENTS,
            words.PROVIDER_PLANTED,
            words.CP1252_SENTENCES,
            PROVIDER_CUTS[1],
        )
        edit_one(kept, rng, PROVIDER_CUTS[0])
    else:
        add_comments(
            kept, comment_rng, words.OFFICER_SENTENCES, OFFICER_COMMENTS, words.OFFICER_PLANTED
        )
        edit_one(kept, rng, OFFICER_CUT)
    extra = quarantined_rows(spec, rng, kept[-1])
    groups = provider_files(kept, extra) if spec.id == PROVIDERS.id else officer_files(kept, extra)
    styles = PROVIDER_FILES if spec.id == PROVIDERS.id else OFFICER_FILES
    variants = answer_variants(spec, kept, rng)
    folder = out / spec.id
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for style, rows in zip(styles, groups, strict=True):
        header, cells = spell_rows(spec, rows, style, variants)
        path = folder / style.name
        write_export(path, style, header, cells)
        written.append(path)
    return written


# -------------------------------------------------------- must-haves, coding


def write_must_haves(out: Path) -> list[Path]:
    """The workshop must-haves and the analyst's moderated coding sheet."""
    from relaudit.text import load_deny_list, redact

    deny = load_deny_list(REDACT_LIST)
    workshops = out / "workshops"
    # The coding folder sits beside raw_dir, not in it: raw_dir holds only
    # population folders and workshops/.
    coding = out.parent / f"{out.name}-coding"
    workshops.mkdir(parents=True, exist_ok=True)
    coding.mkdir(parents=True, exist_ok=True)
    raw = io.StringIO()
    writer = csv.writer(raw, lineterminator="\n")
    writer.writerow(["participant_type", "session", "must_have"])
    sheet = io.StringIO()
    coded = csv.writer(sheet, lineterminator="\n")
    coded.writerow(["row", "participant_type", "must_have", "suggested", "category"])
    for row, (kind, session, category, text) in enumerate(words.MUST_HAVES, start=1):
        writer.writerow([kind, session, text])
        shown = redact(text, deny)[0]
        # The analyst's copy of the pipeline's sheet: formula-looking text inert.
        if shown.startswith(("=", "+", "-", "@")):
            shown = "'" + shown
        coded.writerow([row, kind, shown, "", category])
    raw_path, sheet_path = workshops / "must_haves.csv", coding / "must_haves.csv"
    raw_path.write_bytes(raw.getvalue().encode("utf-8"))
    sheet_path.write_bytes(sheet.getvalue().encode("utf-8"))
    return [raw_path, sheet_path]


# --------------------------------------------------------------- the report


def summary(pops: dict[str, Population]) -> str:
    """The calibrated means, for the console (the back-test checks the files)."""
    lines = []
    for pop in pops.values():
        rated = pop.status == RATED
        lines.append(f"{pop.spec.id}: overall {pop.ratings[rated].mean():.3f}")
        for factor in pop.factors():
            index = pop.factor_index(factor)
            parts = []
            for j, level in enumerate(pop.factor_levels(factor)):
                mask = rated & (index == j)
                if mask.any():
                    parts.append(f"{level or 'DNA'}={pop.ratings[mask].mean():.2f}")
            lines.append(f"  {factor}: " + ", ".join(parts))
    return "\n".join(lines)


def person_question_means(pop: Population) -> dict[str, float]:
    """Per question: the mean over respondents of each one's mean over targets."""
    rated = pop.status == RATED
    means = {}
    for k, qid in enumerate(QUESTION_IDS):
        counts = rated[:, :, k].sum(axis=1)
        sums = np.where(rated[:, :, k], pop.ratings[:, :, k], 0).sum(axis=1)
        means[qid] = float((sums[counts > 0] / counts[counts > 0]).mean())
    return means


def officers_against(providers: Population) -> PopulationSpec:
    """The officers' spec with question targets that put the cross analysis on
    :data:`CROSS_DIFFS` for these providers."""
    person = person_question_means(providers)
    targets = {q: round(person[q] - CROSS_DIFFS[q], 4) for q in QUESTION_IDS}
    return replace(OFFICERS, question_targets=targets, overall=sum(targets.values()) / len(targets))


def generate(out: Path, seed: int) -> list[Path]:
    rng = np.random.default_rng(seed)
    pops: dict[str, Population] = {}
    written = []
    for base in (PROVIDERS, OFFICERS):
        spec = officers_against(pops["providers"]) if base is OFFICERS else base
        pop = make_population(spec, rng)
        calibrate(pop)
        pops[spec.id] = pop
        written += write_population(out, spec, pop, seed)
    written += write_must_haves(out)
    sys.stderr.write(summary(pops) + "\n")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m relaudit_dev.council_demo",
        description="Generate the council partner survey's demo data.",
    )
    parser.add_argument("--out", type=Path, default=Path("data/council-partners"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for old in sorted(args.out.glob("*/*")):
        if old.suffix in (".csv", ".xlsx"):
            old.unlink()
    written = generate(args.out, args.seed)
    sys.stderr.write(f"relaudit_dev.council_demo: wrote {len(written)} files to {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
