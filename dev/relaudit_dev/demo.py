"""Generate realistic demo exports, calibrated to the published 2017/18 results.

The real responses are confidential, so the project ships generated exports in
the input contract's format (one folder of exports per system). The generator:

* reproduces the exact census counts per system (kept responses and comments)
  from ``data/demo_calibration.yaml`` (beside this module);
* draws scores from an ordinal model: a respondent's latent level plus
  statement, system and group effects plus noise, cut into the six labels;
  each system's statement means are tuned to targets that put the national
  means on the published table and keep the across-system patterns;
* writes a deadline export and a later re-export (duplicates, late and
  after-census rows), plus a few rows for every quarantine reason;
* exercises the contract's messiness: encodings, XLSX date cells, timestamp
  styles, header spellings, tick spellings, area variants, invalid cells;
* composes comments from the fragments in ``data/demo_fragments.yaml`` (each
  theme's sentences name that theme; slots vary them, so few comments open
  alike), some holding fictional personal details (:data:`PERSONAL_DETAILS`)
  and hostile payloads (:data:`HOSTILE_PAYLOADS`) that later stages must
  redact or escape. Comments have their own random generator, so their words
  move no other value (the first generator's comment draws are replayed for
  that: :class:`DrawReplay`).

Run ``PYTHONPATH=dev python -m relaudit_dev.demo --out data/raw --seed 2018``
(``make demo-data``). Same seed, same bytes. This is a development module,
outside the runtime package: it necessarily names the relational audit's items
and groups.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import sys
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from relaudit.config import System, load_systems
from relaudit.instrument import Instrument, load_instrument
from relaudit.yamlio import load_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
CALIBRATION_PATH = DATA_DIR / "demo_calibration.yaml"
FRAGMENTS_PATH = DATA_DIR / "demo_fragments.yaml"
DRAWS_PATH = DATA_DIR / "demo_draws_2018.yaml"
DEFAULT_INSTRUMENT = Path("config/instruments/cqc-relational-audit.yaml")
DEFAULT_SHEET = Path("config/systems.tsv")
SHEET_COLUMNS = (
    "system_id",
    "name",
    "aliases",
    "review_order",
    "questionnaire_version",
    "survey_opened",
    "deadline",
    "sent_to",
)
# Fixed workbook timestamps, so that XLSX files are byte-identical run to run.
FIXED_XLSX_TIME = dt.datetime(2018, 4, 5, 12, 0, 0)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMMENT_HEADER = (
    "Please add any comments you would like to make about how organisations "
    "in your local system work together"
)
V1_SYSTEMS = 7  # review orders 1 to 7 used questionnaire v1
LARGE_RUN = 40  # more systems than this: a scale run
XLSX_EVERY_IN_LARGE_RUNS = 75

# Fictional personal details planted in comments; redaction must remove them all.
PERSONAL_DETAILS: dict[str, tuple[str, ...]] = {
    "titled_names": ("Dr Ima Example", "Mrs J Placeholder", "Mr Tom Sample", "Ms Ada Fakename"),
    # Untitled names: listed in config/redact.txt for the analyst deny-list.
    "untitled_names": ("Gareth Nonesuch", "Bronwen Dummyson", "Priya Testwell"),
    "emails": ("j.placeholder@example.org", "team.lead@example.com", "referrals@example.net"),
    "phones": ("01632 960123", "+44 1632 960457", "020 7946 0321"),
    "nhs_numbers": ("485 777 3456", "943 476 5919"),
    "postcodes": ("SE99 9ZZ", "M99 9XX"),
}
# Pasted text that must come out inert in every output format.
HOSTILE_PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    '=HYPERLINK("http://example.com","x")',
    "{{ config }}",
    '#read("/etc/passwd")',
    "$100k",
    "@someone",
)
_DETAIL_SENTENCES = {
    "titled_names": "{value} has been brilliant at pulling people together.",
    "untitled_names": "I raised this with {value} twice and heard nothing back.",
    "emails": "Happy to talk more: {value}",
    "phones": "Anyone wanting to follow this up can ring me on {value}.",
    "nhs_numbers": "One patient (NHS no. {value}) was passed between four teams in a week.",
    "postcodes": "Our base at {value} has no parking and no disabled access.",
}
_HOSTILE_COMMENTS = (
    "Someone pasted this into our shared page: <script>alert(1)</script> which says it all "
    "about our IT.",
    '=HYPERLINK("http://example.com","x")',
    "The newsletter template still shows {{ config }} at the top, nobody has fixed it.",
    '#read("/etc/passwd")\nSorry, pasted the wrong thing. Systems do not talk to each other.',
    "We were promised $100k for joint posts and saw none of it.",
    "@someone in commissioning needs to read these results.",
)
INVALID_CELLS = ("N/A", "Often", "5", "Don't know", "-")
BAD_TIMESTAMPS = ("31/02/2018 10:15", "2017-13-01 09:00:00", "not recorded", "#VALUE!")
TICK_STYLES = (
    ("Does apply", ("", "")),
    ("1", ("0", "")),
    ("Yes", ("No", "")),
    ("label", ("", "false")),
    ("Yes", ("no", "FALSE")),
)
TIME_STYLES = ("uk", "iso", "iso_t", "uk_sec")
_TIME_FORMATS = {
    "uk": "%d/%m/%Y %H:%M",
    "uk_sec": "%d/%m/%Y %H:%M:%S",
    "iso": "%Y-%m-%d %H:%M:%S",
    "iso_t": "%Y-%m-%dT%H:%M:%S",
}
# Per-system pairs of (deadline export, re-export) formats, cycled in review order.
FORMAT_CYCLE = (
    ("csv-bom", "xlsx"),
    ("csv-cp1252", "csv-cp1252"),
    ("xlsx", "xlsx"),
    ("csv-utf8", "csv-bom"),
    ("csv-cp1252", "xlsx"),
    ("csv-bom", "csv-utf8"),
)
_CP1252_FALLBACK = str.maketrans({"→": "->", "🙂": ":)", "😞": ":("})
_LIGATURES = (("ffi", "\ufb03"), ("ff", "\ufb00"), ("fi", "\ufb01"), ("fl", "\ufb02"))


@dataclass(frozen=True)
class DemoSystem:
    """A system to generate, with its census targets."""

    system: System
    responses: int
    free_text: int


@dataclass
class Record:
    """One row of an export, before it is spelled out in a file's style."""

    response_id: str
    started: dt.datetime
    submitted: dt.datetime | None
    area: str
    answers: list[str]
    ticks: dict[str, tuple[int, ...]]
    role_other: str = ""
    comment: str = ""
    submitted_text: str | None = None
    ip: str = ""
    collector: str = ""
    last_file_only: bool = False
    early_version: Record | None = None  # what the deadline export showed, if different


@dataclass
class ExportFile:
    """One export file: name, format and the rows it holds."""

    name: str
    fmt: str
    records: list[Record] = field(default_factory=list)


# --------------------------------------------------------------------- loading


def load_calibration(path: Path = CALIBRATION_PATH) -> dict[str, Any]:
    """The embedded calibration targets."""
    with path.open(encoding="utf-8") as handle:
        return load_yaml(handle)


def load_fragments(path: Path = FRAGMENTS_PATH) -> dict[str, Any]:
    """The comment fragments."""
    with path.open(encoding="utf-8") as handle:
        return load_yaml(handle)


def real_systems(
    sheet: Path, instrument: Instrument, calibration: dict[str, Any], per_system: int | None
) -> list[DemoSystem]:
    """Systems from a systems sheet, with census counts from the calibration."""
    census = calibration["census"]
    out = []
    for system in load_systems(sheet, instrument.versions):
        counts = census.get(system.system_id, {"responses": 100, "free_text": 39})
        if per_system is not None:
            counts = {"responses": per_system, "free_text": round(per_system * 0.394)}
        out.append(DemoSystem(system, int(counts["responses"]), int(counts["free_text"])))
    return out


def made_up_systems(count: int, per_system: int, instrument: Instrument) -> list[DemoSystem]:
    """`count` invented systems opening between August 2017 and March 2018."""
    first, last = dt.date(2017, 8, 15), dt.date(2018, 3, 2)
    span = (last - first).days
    versions = instrument.versions
    out = []
    for index in range(count):
        order = index + 1
        opened = first + dt.timedelta(days=round(span * index / max(count - 1, 1)))
        version = versions[0] if order <= V1_SYSTEMS or len(versions) == 1 else versions[-1]
        system = System(
            system_id=f"system-{order:03d}",
            name=f"System {order:03d}",
            aliases=(),
            review_order=order,
            questionnaire_version=version,
            survey_opened=opened,
            deadline=opened + dt.timedelta(days=14),
            sent_to=None,
        )
        out.append(DemoSystem(system, per_system, round(per_system * 0.394)))
    return out


def write_sheet(systems: Sequence[DemoSystem], path: Path) -> None:
    """Write the systems sheet (TSV, as config/systems.tsv) for the generated systems."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(SHEET_COLUMNS)
        for demo in systems:
            s = demo.system
            writer.writerow(
                [
                    s.system_id,
                    s.name,
                    ";".join(s.aliases),
                    s.review_order,
                    s.questionnaire_version,
                    s.survey_opened.isoformat(),
                    s.deadline.isoformat(),
                    "" if s.sent_to is None else s.sent_to,
                ]
            )


# ------------------------------------------------------------------- scoring


class ScoreModel:
    """The ordinal model's fixed parts: statement targets, thresholds, group effects."""

    def __init__(self, instrument: Instrument, calibration: dict[str, Any]) -> None:
        self.instrument = instrument
        self.cal = calibration
        self.item_ids = instrument.item_ids
        self.index = {item_id: i for i, item_id in enumerate(self.item_ids)}
        default = float(calibration.get("default_item_mean", 2.7))
        means = calibration.get("item_means", {})
        self.means = np.array([float(means.get(i, default)) for i in self.item_ids])
        base = [float(t) for t in calibration["thresholds"]]
        custom = calibration.get("item_thresholds", {})
        self.thresholds = [np.array(custom.get(i, base), dtype=float) for i in self.item_ids]
        self.effects = {
            qid: {group: self._effect_vector(spec) for group, spec in groups.items()}
            for qid, groups in calibration.get("effects", {}).items()
        }

    def _effect_vector(self, spec: dict[str, float]) -> np.ndarray:
        vector = np.zeros(len(self.item_ids))
        for key, value in spec.items():
            if key == "all":
                vector += value
            elif key in self.index:
                vector[self.index[key]] += value
            else:  # a framework id
                for item in self.instrument.items_in(key):
                    vector[self.index[item.id]] += value
        return vector

    def group_effect(self, question_id: str, reported: Sequence[str]) -> np.ndarray:
        """Effect of one respondent's answer to a question (mean over ticked options)."""
        table = self.effects.get(question_id, {})
        if not reported:
            return np.zeros(len(self.item_ids))
        return np.mean([table.get(g, np.zeros(len(self.item_ids))) for g in reported], axis=0)

    def score(self, latent: np.ndarray) -> np.ndarray:
        """Cut latent values (respondents x items) into scores 0..5."""
        out = np.empty(latent.shape, dtype=np.int8)
        for j, cuts in enumerate(self.thresholds):
            out[:, j] = np.searchsorted(cuts, latent[:, j], side="right")
        return out

    def system_targets(self, systems: Sequence[DemoSystem], rng: np.random.Generator) -> np.ndarray:
        """Per-system statement means that average to the national targets.

        The always-top statement is clearly in every system's top three, the
        always-bottom one in every bottom three, and the worst-of-framework one
        is worst there except in a share of systems.
        """
        cal = self.cal
        n_sys, n_items = len(systems), len(self.item_ids)
        weights = np.array([d.responses for d in systems], dtype=float)
        weights /= weights.sum()
        targets = (
            self.means[None, :]
            + rng.normal(0, cal["system_sd"], (n_sys, 1))
            + rng.normal(0, cal["system_item_sd"], (n_sys, n_items))
        )
        margin = float(cal["rank_margin"])
        top = self.index.get(cal.get("always_top", ""))
        bottom = self.index.get(cal.get("always_bottom", ""))
        worst = self.index.get(cal.get("worst_of_framework", ""))
        peers: list[int] = []
        if worst is not None:
            framework = self.instrument.item(self.item_ids[worst]).framework
            peers = [
                self.index[i.id]
                for i in self.instrument.items_in(framework)
                if i.id != self.item_ids[worst]
            ]
        n_exceptions = round(n_sys * float(cal.get("worst_exceptions_share", 0.25)))
        exceptions = set(rng.choice(n_sys, size=n_exceptions, replace=False).tolist())
        for _ in range(60):
            for s in range(n_sys):
                row = targets[s]
                if top is not None:
                    others = np.sort(np.delete(row, top))[::-1]
                    row[top] = max(row[top], others[2] + margin)
                if bottom is not None:
                    others = np.sort(np.delete(row, bottom))
                    row[bottom] = min(row[bottom], others[2] - margin)
                if worst is not None and peers:
                    lowest = row[peers].min()
                    if s in exceptions:
                        row[worst] = max(row[worst], lowest + margin / 2)
                    else:
                        row[worst] = min(row[worst], lowest - margin / 2)
            targets += (self.means - weights @ targets)[None, :]
        return np.clip(targets, 0.3, 4.7)

    def calibrate(self, base: np.ndarray, answered: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Per-statement offsets so that answered scores average to `target`.

        A score counts the cut points at or below the latent value, so the mean
        at offset b is the number of (cell, cut) pairs with latent >= cut - b
        over the cells: a few binary searches in the sorted latent values.
        """
        offsets = np.zeros(base.shape[1])
        for j, cuts in enumerate(self.thresholds):
            values = np.sort(base[answered[:, j], j])
            if not len(values):
                continue

            def mean_at(b: float, values: np.ndarray = values, cuts: np.ndarray = cuts) -> float:
                below = np.searchsorted(values, cuts - b, side="left")
                return float((len(values) - below).sum()) / len(values)

            lo, hi = -8.0, 8.0
            for _ in range(30):
                mid = (lo + hi) / 2
                if mean_at(mid) < target[j]:
                    lo = mid
                else:
                    hi = mid
            # The mean is a step function: take whichever side lands nearer.
            nearer_low = abs(mean_at(lo) - target[j]) < abs(mean_at(hi) - target[j])
            offsets[j] = lo if nearer_low else hi
        return offsets


# ------------------------------------------------------------------ comments


_SLOT = re.compile(r"\{(\w+)\}")


def lay_out(rng: random.Random, sentences: list[str]) -> str:
    """Sentences as a respondent types them: now and then a list, two paragraphs, curly
    apostrophes or all lower case (the same draws for the writer and the replay)."""
    style = rng.random()
    if style < 0.06 and len(sentences) > 2:
        return "\n".join("- " + s for s in sentences)
    if style < 0.12 and len(sentences) > 1:
        cut = rng.randrange(1, len(sentences))
        return " ".join(sentences[:cut]) + "\n\n" + " ".join(sentences[cut:])
    text = " ".join(sentences)
    if rng.random() < 0.15:
        text = text.replace("'", "\u2019")
    if rng.random() < 0.05:
        text = text.lower()
    return text


def pick_themes(
    rng: random.Random,
    base: dict[str, float],
    table: dict[str, Any],
    role: str,
    org_type: str,
    count: int,
) -> list[str]:
    """`count` different themes, weighted by `base` plus the role's and sector's extra weight
    (`table["role"]`, `table["org_type"]`), drawn one at a time without replacement."""
    weights = dict(base)
    for extra, group in ((table["role"], role), (table["org_type"], org_type)):
        for theme, more in extra.get(group, {}).items():
            weights[theme] += more
    chosen = []
    for _ in range(count):
        names = list(weights)
        pick = rng.choices(names, weights=[weights[n] for n in names])[0]
        chosen.append(pick)
        del weights[pick]
    return chosen


class CommentWriter:
    """Compose comments from fragments, fitted to role, sector and tone.

    Each comment is written with its own random generator (see
    :meth:`Generator.comment_rng`), so the comments' words never move any
    other draw: changing the fragments changes the comments only.
    """

    def __init__(self, fragments: dict[str, Any]) -> None:
        self.f = fragments
        self.themes = list(fragments["themes"])

    def fill(self, rng: random.Random, text: str) -> str:
        """Fill each ``{slot}``; ``{partner}`` and ``{partner2}`` are two different partners."""
        if "{" not in text:
            return text
        slots = self.f["slots"]
        first, second = rng.sample(slots["partner"], 2)
        chosen = {"partner": first, "partner2": second}

        def _value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in chosen:
                chosen[name] = rng.choice(slots[name])
            return chosen[name]

        filled = _SLOT.sub(_value, text)
        return filled[:1].upper() + filled[1:]

    def theme_lines(self, name: str, mood: str, role: str, org_type: str) -> list[str]:
        """A theme's sentences in `mood`, in the writer's own voice where it has one."""
        theme = self.f["themes"][name]
        voices = theme.get("voices", {})
        for question, group in (("org_type", org_type), ("role", role)):
            voice = voices.get(question, {}).get(group)
            if voice:
                return list(voice[mood])
        return list(theme[mood])

    def _themes(self, rng: random.Random, role: str, org_type: str, count: int) -> list[str]:
        table = self.f["theme_weights"]
        base = {name: float(table.get("base", {}).get(name, 1.0)) for name in self.themes}
        return pick_themes(rng, base, table, role, org_type, count)

    def compose(self, rng: random.Random, tone: str, role: str, org_type: str) -> str:
        """One comment in the respondent's tone, up to about 150 words."""
        f = self.f
        if rng.random() < 0.2:
            return rng.choice(f["short"][tone])
        count = rng.choices([1, 2, 3, 4], weights=[0.35, 0.35, 0.2, 0.1])[0]
        body: list[str] = []
        for name in self._themes(rng, role, org_type, count):
            # A mixed respondent sometimes writes a hopeful or a gloomy line.
            mood = tone
            if tone == "mixed" and rng.random() < 0.3:
                mood = rng.choice(["positive", "negative"])
            lines = self.theme_lines(name, mood, role, org_type)
            body.extend(rng.sample(lines, 2 if rng.random() < 0.25 else 1))
        body = [self.fill(rng, line) for line in body]
        if rng.random() < 0.3:
            lead = self.fill(rng, rng.choice(f["lead_ins"]))
            first = body[0]
            if first[1:2].islower() and not first.startswith("I "):
                first = first[:1].lower() + first[1:]
            body[0] = lead + first
        sentences: list[str] = []
        if rng.random() < 0.15:
            sentences.append(self.fill(rng, rng.choice(f["openers"][tone])))
        sentences.extend(body)
        if org_type in f["sector_lines"] and rng.random() < 0.3:
            line = self.fill(rng, rng.choice(f["sector_lines"][org_type]))
            sentences.insert(rng.randrange(1, len(sentences) + 1), line)
        if role in f["role_lines"] and rng.random() < 0.25:
            sentences.append(self.fill(rng, rng.choice(f["role_lines"][role])))
        if rng.random() < 0.15:
            sentences.append(rng.choice(f["extras"][tone]))
        if rng.random() < 0.2:
            sentences.append(rng.choice(f["closers"][tone]))
        while len(" ".join(sentences).split()) > 150 and len(sentences) > 1:
            sentences.pop(-2)
        return lay_out(rng, sentences)


class DrawReplay:
    """The first generator's comment composition, run for its random draws only.

    The first generator drew each comment from the row generator that then
    draws the row's start time, area spelling and role text (and, through the
    start times, the row order and ids). Replaying its draws, from its own
    fragments (``data/demo_draws_2018.yaml``), keeps every value of the
    committed data other than the comments as it was; the text it composes is
    thrown away. The comments come from :class:`CommentWriter`.
    """

    def __init__(self, fragments: dict[str, Any]) -> None:
        self.f = fragments
        self.themes = list(fragments["themes"])

    def _fill(self, prng: random.Random, text: str) -> str:
        if "{partner" not in text:
            return text
        first, second = prng.sample(self.f["partners"], 2)
        return text.replace("{partner}", first).replace("{partner2}", second)

    def _themes(self, prng: random.Random, role: str, org_type: str, count: int) -> list[str]:
        base = dict.fromkeys(self.themes, 1.0)
        return pick_themes(prng, base, self.f["theme_weights"], role, org_type, count)

    def compose(self, prng: random.Random, tone: str, role: str, org_type: str) -> str:
        """The first generator's comment (advancing `prng` exactly as it did)."""
        f = self.f
        if prng.random() < 0.2:
            return prng.choice(f["short"][tone])
        count = prng.choices([1, 2, 3, 4], weights=[0.35, 0.35, 0.2, 0.1])[0]
        sentences: list[str] = []
        if prng.random() < 0.35:
            sentences.append(prng.choice(f["openers"][tone]))
        if org_type in f["sector_lines"] and prng.random() < 0.35:
            sentences.append(prng.choice(f["sector_lines"][org_type]))
        for name in self._themes(prng, role, org_type, count):
            theme = f["themes"][name]
            # A mixed respondent sometimes writes a hopeful or a gloomy line.
            mood = tone
            if tone == "mixed" and prng.random() < 0.3:
                mood = prng.choice(["positive", "negative"])
            sentences.extend(prng.sample(theme[mood], 2 if prng.random() < 0.25 else 1))
        if role in f["role_lines"] and prng.random() < 0.25:
            sentences.append(prng.choice(f["role_lines"][role]))
        if prng.random() < 0.15:
            sentences.append(prng.choice(f["extras"][tone]))
        if prng.random() < 0.2:
            sentences.append(prng.choice(f["closers"][tone]))
        while len(" ".join(sentences).split()) > 150 and len(sentences) > 1:
            sentences.pop(-2)
        sentences = [self._fill(prng, s) for s in sentences]
        return lay_out(prng, sentences)


def cp1252_safe(text: str) -> str:
    """Text that Windows-1252 can hold (what a legacy export would contain)."""
    text = text.translate(_CP1252_FALLBACK)
    return text.encode("cp1252", errors="ignore").decode("cp1252")


# ---------------------------------------------------------------- generation


class Generator:
    """Generate every system's records and export files."""

    def __init__(
        self,
        instrument: Instrument,
        systems: Sequence[DemoSystem],
        seed: int,
        calibration: dict[str, Any] | None = None,
        fragments: dict[str, Any] | None = None,
    ) -> None:
        self.instrument = instrument
        self.systems = list(systems)
        self.seed = seed
        self.cal = calibration or load_calibration()
        self.model = ScoreModel(instrument, self.cal)
        self.writer = CommentWriter(fragments or load_fragments())
        self.replay = DrawReplay(load_fragments(DRAWS_PATH))
        self.census = dt.date.fromisoformat(str(self.cal["census_date"]))
        self.census_end = dt.datetime.combine(self.census, dt.time(23, 59, 59))
        master = np.random.default_rng(np.random.SeedSequence([seed, 0]))
        self.targets = self.model.system_targets(self.systems, master)
        self.questions = {q.id: q for q in instrument.questions}
        self._effect_cache: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}
        n = len(self.systems)
        # Planted rows: which systems get the rare cases (deterministic, spread out).
        self.no_area_at = {1 % n, (n - 4) % n} if n > 1 else {0}
        by_size = sorted(range(n), key=lambda k: -self.systems[k].responses)
        self.tenure_multiple_at = by_size[: int(self.cal.get("tenure_multiple", 4))]
        self.after_census_at = set(range(max(0, n - 3), n))
        self.single_file_at = {k for k in range(n) if k % 10 == 0}
        details = [(kind, v) for kind, values in PERSONAL_DETAILS.items() for v in values]
        self.details_at: dict[int, list[tuple[str, str]]] = {}
        for j, detail in enumerate(details):
            self.details_at.setdefault((j * 7 + 3) % n, []).append(detail)
        self.hostile_at: dict[int, list[str]] = {}
        for j, comment in enumerate(_HOSTILE_COMMENTS):
            self.hostile_at.setdefault((j * 5 + 2) % n, []).append(comment)

    # -- files and formats

    def _formats(self, k: int) -> tuple[str, ...]:
        pair = FORMAT_CYCLE[k % len(FORMAT_CYCLE)]
        if len(self.systems) > LARGE_RUN and k % XLSX_EVERY_IN_LARGE_RUNS != 0:
            # openpyxl writes about 10,000 cells a second: keep big runs mostly CSV.
            pair = tuple("csv-bom" if f == "xlsx" else f for f in pair)
        return (pair[1],) if k in self.single_file_at else pair

    # -- respondents

    def _sample_groups(self, rng: np.random.Generator, qid: str, n: int) -> list[tuple[int, ...]]:
        """Ticked option indices per respondent, drawn from the calibration mix."""
        question = self.questions[qid]
        reported = [o.report_as for o in question.options]
        mix = self.cal["mix"].get(qid, {})
        groups = [*reported, question.multiple, question.none]
        p = np.array([float(mix.get(g, 0.0)) for g in groups])
        if p.sum() == 0:
            p = np.ones(len(groups))
        choice = rng.choice(len(groups), size=n, p=p / p.sum())
        out: list[tuple[int, ...]] = []
        for c in choice.tolist():
            if c < len(reported):
                out.append((c,))
            elif groups[c] == question.multiple:
                size = 2 if rng.random() < 0.85 or len(reported) < 3 else 3
                out.append(
                    tuple(sorted(rng.choice(len(reported), size=size, replace=False).tolist()))
                )
            else:
                out.append(())
        return out

    def _reported(self, qid: str, ticked: tuple[int, ...]) -> str:
        question = self.questions[qid]
        if not ticked:
            return question.none
        if len(ticked) > 1:
            return question.multiple
        return question.options[ticked[0]].report_as

    def comment_rng(self, system: System, row: int) -> random.Random:
        """The generator of one respondent's comment: seeded by the run's seed, the
        system and the row, and used for nothing else."""
        return random.Random(f"{self.seed}-comment-{system.system_id}-{row}")

    def _effects(self, qid: str, ticked: tuple[int, ...]) -> np.ndarray:
        key = (qid, ticked)
        if key not in self._effect_cache:
            question = self.questions[qid]
            reported = [question.options[i].report_as for i in ticked]
            self._effect_cache[key] = self.model.group_effect(qid, reported)
        return self._effect_cache[key]

    def generate(self, k: int) -> list[ExportFile]:
        """Records and files for the k-th system."""
        demo = self.systems[k]
        system = demo.system
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 1, k]))
        # Scalar draws in per-row loops: the standard library's generator is faster.
        prng = random.Random(f"{self.seed}-generate-{k}")
        formats = self._formats(k)
        legacy = any(f == "csv-cp1252" for f in formats)
        n, n_items = demo.responses, len(self.model.item_ids)
        qids = [q.id for q in self.instrument.questions]

        ticks = {qid: self._sample_groups(rng, qid, n) for qid in qids}
        if "tenure" in ticks and k in self.tenure_multiple_at and n:
            ticks["tenure"][int(rng.integers(n))] = (1, 2)
        effect = np.zeros((n, n_items))
        for qid in qids:
            effect += np.array([self._effects(qid, t) for t in ticks[qid]]).reshape(n, n_items)
        cal = self.cal
        latent = (
            rng.normal(0, cal["respondent_sd"], (n, 1))
            + effect
            + rng.normal(0, cal["noise_sd"], (n, n_items))
        )
        answered = rng.random((n, n_items)) > 0.03
        for r in np.flatnonzero(rng.random(n) < 0.05):
            start = int(rng.integers(n_items - 5))
            answered[r, start : start + int(rng.integers(5, 13))] = False
        answered[np.arange(n), rng.integers(n_items, size=n)] = True
        offsets = self.model.calibrate(latent, answered, self.targets[k])
        scores = self.model.score(latent + offsets[None, :])
        labels = self._labels(rng, scores, answered)

        submitted, late = self._submission_times(rng, system, n)
        comment_rows = self._comment_rows(rng, demo, ticks)
        means = np.where(answered, scores, 0).sum(axis=1) / answered.sum(axis=1)
        records = []
        for r, mean in enumerate(means.tolist()):
            tone = "positive" if mean >= 3.1 else "negative" if mean <= 2.3 else "mixed"
            role = self._reported("role", ticks["role"][r]) if "role" in ticks else ""
            org = self._reported("org_type", ticks["org_type"][r]) if "org_type" in ticks else ""
            comment = ""
            if r in comment_rows:
                self.replay.compose(prng, tone, role, org)  # keeps prng where it always was
                comment = self.writer.compose(self.comment_rng(system, r), tone, role, org)
            records.append(
                Record(
                    response_id="",
                    started=self._started(prng, submitted[r], system),
                    submitted=submitted[r],
                    area=self._area(prng, system, legacy),
                    answers=labels[r],
                    ticks={qid: ticks[qid][r] for qid in qids},
                    role_other=self._role_other(prng, system, ticks.get("role", [()] * n)[r]),
                    comment=comment,
                )
            )
        commenters = sorted(comment_rows)
        self._plant(rng, k, records, commenters)
        extras = self._extra_records(rng, k, system, legacy)
        all_records = records + extras
        if legacy:
            for rec in all_records:
                rec.comment = cp1252_safe(rec.comment)
                rec.role_other = cp1252_safe(rec.role_other)
        all_records.sort(key=lambda rec: rec.started)
        base = 10_000_000_000 + system.review_order * 1_000_000
        gaps = rng.integers(3, 40, size=len(all_records)).cumsum()
        for rec, gap in zip(all_records, gaps.tolist(), strict=True):
            if rec.response_id != "none":
                rec.response_id = str(base + gap)
            else:
                rec.response_id = ""
            rec.ip = self._ip(prng)
            rec.collector = str(400_000_000 + system.review_order * 1000 + prng.randint(1, 2))
        return self._files(rng, system, formats, all_records, late_rows=[records[i] for i in late])

    def _labels(
        self, rng: np.random.Generator, scores: np.ndarray, answered: np.ndarray
    ) -> list[list[str]]:
        """Scale labels per cell (reverse-scored statements store agreement)."""
        names = np.array([name for name, _ in self.instrument.scale.labels], dtype=object)
        reverse = np.array([item.reverse for item in self.instrument.items])
        top = len(names) - 1
        index = np.where(reverse[None, :], top - scores, scores)
        cells = np.where(answered, names[index], "")
        n, m = cells.shape
        # Spelling variants and a few invalid values, as real exports have.
        variant = (rng.random((n, m)) < 0.02) & answered
        for r, j in zip(*np.nonzero(variant), strict=True):
            text = cells[r, j]
            style = int(rng.integers(4))
            cells[r, j] = (text.lower(), text.upper(), f" {text}", f"{text}  ")[style]
        invalid = (rng.random((n, m)) < 0.0015) & answered
        for r, j in zip(*np.nonzero(invalid), strict=True):
            if answered[r].sum() > 10:
                cells[r, j] = INVALID_CELLS[int(rng.integers(len(INVALID_CELLS)))]
        return cells.tolist()

    def _submission_times(
        self, rng: np.random.Generator, system: System, n: int
    ) -> tuple[list[dt.datetime], list[int]]:
        n_late = min(max(1, round(n * float(self.cal["late_share"]))), max(n - 1, 0))
        window = (system.deadline - system.survey_opened).days + 1
        late_days = min(int(self.cal["late_window_days"]), (self.census - system.deadline).days)
        times = []
        for r in range(n):
            if r < n_late and late_days >= 1:
                day = system.deadline + dt.timedelta(days=int(rng.integers(1, late_days + 1)))
            elif rng.random() < 0.4:
                day = system.deadline - dt.timedelta(days=int(rng.integers(0, min(4, window))))
            else:
                day = system.survey_opened + dt.timedelta(days=int(rng.integers(window)))
            seconds = int(rng.integers(7 * 3600, 22 * 3600))
            times.append(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds))
        order = rng.permutation(n)
        shuffled = [times[i] for i in order]
        late = np.flatnonzero(order < n_late).tolist() if late_days >= 1 else []
        return shuffled, late

    def _started(self, prng: random.Random, submitted: dt.datetime, system: System) -> dt.datetime:
        if prng.random() < 0.05:  # saved and finished another day
            back = dt.timedelta(days=prng.randint(1, 3), minutes=prng.randrange(300))
        else:
            back = dt.timedelta(seconds=prng.randrange(180, 2700))
        opened = dt.datetime.combine(system.survey_opened, dt.time(8, 0))
        return max(submitted - back, min(opened, submitted - dt.timedelta(minutes=3)))

    def _area(self, prng: random.Random, system: System, legacy: bool) -> str:
        name = system.name
        if prng.random() < 0.85:
            return name
        variants = [name.upper(), name.lower(), name.replace(" ", "-"), name.replace("-", " ")]
        variants += list(system.aliases)
        if not legacy:
            for plain, ligature in _LIGATURES:
                if plain in name:
                    variants.append(name.replace(plain, ligature))
                    break
        return prng.choice(variants)

    def _role_other(self, prng: random.Random, system: System, ticked: tuple[int, ...]) -> str:
        role = self.questions.get("role")
        if role is None or role.other_text_label is None:
            return ""
        if system.questionnaire_version == self.instrument.versions[0]:
            return ""
        other = [i for i, o in enumerate(role.options) if o.label == "Other"]
        if other and other[0] in ticked and prng.random() < 0.8:
            return prng.choice(self.writer.f["other_role_texts"])
        return ""

    def _ip(self, prng: random.Random) -> str:
        prefix = prng.choice(("192.0.2", "198.51.100", "203.0.113"))
        return f"{prefix}.{prng.randrange(1, 255)}"

    def _comment_rows(
        self, rng: np.random.Generator, demo: DemoSystem, ticks: dict[str, list[tuple[int, ...]]]
    ) -> set[int]:
        """Exactly `free_text` commenters, weighted by role and sector."""
        odds = self.cal.get("comment_odds", {})
        weights = np.ones(demo.responses)
        for qid, table in odds.items():
            if qid not in ticks:
                continue
            for r, ticked in enumerate(ticks[qid]):
                weights[r] *= float(table.get(self._reported(qid, ticked), 1.0))
        keys = rng.random(demo.responses) ** (1.0 / weights)
        chosen = np.argsort(-keys, kind="stable")[: demo.free_text]
        return set(chosen.tolist())

    def _plant(
        self, rng: np.random.Generator, k: int, records: list[Record], commenters: list[int]
    ) -> None:
        """Put personal details and hostile payloads into kept comments."""
        if not commenters:
            return
        picks = iter(rng.permutation(commenters).tolist())
        for comment in self.hostile_at.get(k, []):
            target = records[next(picks, commenters[0])]
            target.comment = comment
        for kind, value in self.details_at.get(k, []):
            target = records[next(picks, commenters[-1])]
            sentence = _DETAIL_SENTENCES[kind].format(value=value)
            target.comment = f"{target.comment} {sentence}".strip()

    def _extra_records(
        self, rng: np.random.Generator, k: int, system: System, legacy: bool
    ) -> list[Record]:
        """Rows beyond the census counts, one per quarantine reason planted here."""
        n_items = len(self.model.item_ids)
        names = [name for name, _ in self.instrument.scale.labels]
        qids = [q.id for q in self.instrument.questions]

        def answers(count: int) -> list[str]:
            row = [names[int(rng.integers(len(names)))] for _ in range(n_items)]
            return [v if j < count else "" for j, v in enumerate(row)]

        def record(submitted: dt.datetime | None, **kw: Any) -> Record:
            rec = Record(
                response_id="",
                started=submitted - dt.timedelta(minutes=int(rng.integers(5, 40)))
                if submitted
                else kw.pop("started"),
                submitted=submitted,
                area=kw.pop("area", system.name),
                answers=kw.pop("answers", answers(n_items)),
                ticks={qid: self._sample_groups(rng, qid, 1)[0] for qid in qids},
                last_file_only=kw.pop("last_file_only", True),
            )
            for key, value in kw.items():
                setattr(rec, key, value)
            return rec

        evening = dt.datetime.combine(system.deadline, dt.time(19, 30))
        out = []
        for _ in range(1 + int(rng.integers(3))):  # partials: opened, never submitted
            day = system.survey_opened + dt.timedelta(
                days=int(rng.integers((system.deadline - system.survey_opened).days + 1))
            )
            started = dt.datetime.combine(day, dt.time(int(rng.integers(8, 16)), 5))
            out.append(
                record(
                    None,
                    started=started,
                    answers=answers(int(rng.integers(0, 16))),
                    last_file_only=False,
                )
            )
        n = len(self.systems)
        every = n < 6  # small runs: plant every reason in every system
        if every or k % 4 == 1:
            bad = BAD_TIMESTAMPS[(k // 4) % len(BAD_TIMESTAMPS)]
            out.append(record(evening, submitted_text=bad))
        if (every or k % 5 == 2) and n > 1:
            other = self.systems[(k + 3) % n].system
            out.append(record(evening, area=other.name))
        if every or k % 6 == 3:
            out.append(record(evening, response_id="none"))
        if every or k % 4 == 0:
            out.append(record(evening, answers=[""] * n_items))
        if k in self.no_area_at:
            out.append(record(evening, area=""))
        if k in self.after_census_at:
            for days in range(1, 2 + int(rng.integers(2))):
                when = self.census_end + dt.timedelta(days=days, hours=-10)
                out.append(record(when))
        if legacy:
            for rec in out:
                rec.area = rec.area if rec.area.isascii() else system.name
        return out

    def _files(
        self,
        rng: np.random.Generator,
        system: System,
        formats: tuple[str, ...],
        records: list[Record],
        late_rows: list[Record],
    ) -> list[ExportFile]:
        latest = max([r.submitted for r in records if r.submitted] + [r.started for r in records])
        final_date = latest.date() + dt.timedelta(days=int(rng.integers(1, 6)))
        final = ExportFile(self._name(final_date, formats[-1]), formats[-1], list(records))
        if len(formats) == 1:
            return [final]
        cutoff = dt.datetime.combine(system.deadline, dt.time(16, 0))
        # One late respondent had opened the form before the deadline export.
        if late_rows:
            rec = late_rows[0]
            rec.started = min(rec.started, cutoff - dt.timedelta(days=1))
            answered = len(rec.answers) // 2
            rec.early_version = Record(
                response_id=rec.response_id,
                started=rec.started,
                submitted=None,
                area=rec.area,
                answers=rec.answers[:answered] + [""] * (len(rec.answers) - answered),
                ticks=rec.ticks,
                ip=rec.ip,
                collector=rec.collector,
            )
            records.sort(key=lambda r: r.started)
        early = []
        for rec in records:
            if rec.last_file_only or rec.started > cutoff:
                continue
            if rec.early_version is not None:
                early.append(rec.early_version)
            elif rec.submitted is None or rec.submitted <= cutoff:
                early.append(rec)
        first = ExportFile(self._name(system.deadline, formats[0]), formats[0], early)
        final.records = list(records)
        return [first, final]

    @staticmethod
    def _name(day: dt.date, fmt: str) -> str:
        return f"{day.isoformat()}_export.{'xlsx' if fmt == 'xlsx' else 'csv'}"


# ------------------------------------------------------------------- writing


@dataclass(frozen=True)
class FileStyle:
    """How one file spells things: headers, ticks, timestamps, column order."""

    numbering: str  # "", "dot", "paren"
    star: bool
    quotes: str  # "keep", "straight", "curly"
    double_space: bool
    drop_stop: bool
    tick: tuple[str, tuple[str, str]]
    time_style: str
    order: str  # "standard", "area_first", "demographics_first", "shuffled"
    housekeeping: tuple[str, ...]
    numeric_ids: bool


HOUSEKEEPING = ("Collector ID", "IP Address", "Email Address", "Custom Data 1", "Language")


def choose_style(prng: random.Random, fmt: str, slot: int) -> FileStyle:
    """A file style; XLSX files mostly carry real date cells.

    Tick and timestamp spellings cycle with `slot` (a running file number), so
    that every spelling occurs in any run with a handful of files.
    """
    if fmt == "xlsx" and slot % 5 != 4:
        time_style = "cells"
    else:
        time_style = TIME_STYLES[slot % len(TIME_STYLES)]
    keep = [h for h in HOUSEKEEPING if prng.random() < 0.6] or ["IP Address"]
    return FileStyle(
        numbering=prng.choice(("", "dot", "paren")),
        star=prng.random() < 0.3,
        quotes=prng.choice(("keep", "straight", "curly")),
        double_space=prng.random() < 0.3,
        drop_stop=prng.random() < 0.4,
        tick=TICK_STYLES[slot % len(TICK_STYLES)],
        time_style=time_style,
        order=prng.choice(("standard", "area_first", "demographics_first", "shuffled")),
        housekeeping=tuple(keep),
        numeric_ids=fmt == "xlsx" and prng.random() < 0.5,
    )


def statement_header(text: str, number: int, style: FileStyle, prng: random.Random) -> str:
    """A statement header as a survey tool might spell it."""
    if style.quotes == "straight":
        text = text.replace("\u2019", "'")
    elif style.quotes == "curly":
        text = text.replace("'", "\u2019")
    if style.drop_stop and text.endswith("."):
        text = text[:-1]
    if style.double_space and prng.random() < 0.3:
        spaces = [m.start() for m in re.finditer(" ", text)]
        if spaces:
            at = prng.choice(spaces)
            text = text[:at] + "  " + text[at + 1 :]
    if style.star:
        text = "*" + text
    if style.numbering == "dot":
        text = f"{number}. {text}"
    elif style.numbering == "paren":
        text = f"{number}) {text}"
    return text


class FileWriter:
    """Spell records out in one file's style and write the file.

    Each record is first laid out in a fixed canonical order; the file's column
    order is then one `itemgetter` away, which keeps scale runs fast.
    """

    def __init__(self, instrument: Instrument, system: System) -> None:
        self.instrument = instrument
        self.system = system
        self.version = system.questionnaire_version
        self.with_other = [
            q
            for q in instrument.questions
            if q.other_text_label and self.version != instrument.versions[0]
        ]
        self.canonical: list[tuple[Any, ...]] = [
            ("id",),
            ("started",),
            ("submitted",),
            ("area",),
            ("comment",),
            *[("other", q.id) for q in self.with_other],
            *[("house", h) for h in HOUSEKEEPING],
            *[("item", j) for j in range(len(instrument.items))],
            *[("tick", q.id, i) for q in instrument.questions for i in range(len(q.options))],
        ]

    def _columns(self, style: FileStyle, prng: random.Random) -> list[tuple[str, Any]]:
        inst = self.instrument
        cols = inst.columns
        statements = [
            (statement_header(item.text[self.version], j + 1, style, prng), ("item", j))
            for j, item in enumerate(inst.items)
        ]
        demographics: list[tuple[str, Any]] = []
        for q in inst.questions:
            for i, option in enumerate(q.options):
                demographics.append((q.column(option), ("tick", q.id, i)))
                if option.label == "Other" and q in self.with_other:
                    demographics.append((f"{q.prefix}: {q.other_text_label}", ("other", q.id)))
        if style.order == "shuffled":
            prng.shuffle(statements)
        ident = [(cols["response_id"], ("id",))]
        times = [(cols["started"], ("started",)), (cols["submitted"], ("submitted",))]
        area = [(cols["area"], ("area",))]
        comment = [(COMMENT_HEADER, ("comment",))]
        house = [(h, ("house", h)) for h in style.housekeeping]
        if style.order == "area_first":
            return area + ident + times[::-1] + statements + demographics + comment + house
        if style.order == "demographics_first":
            return ident + house + times + area + demographics + comment + statements
        return ident + house[:2] + times + house[2:] + area + statements + demographics + comment

    def _time(self, value: dt.datetime | None, style: FileStyle) -> Any:
        if value is None:
            return ""
        if style.time_style == "cells":
            return value
        return value.strftime(_TIME_FORMATS[style.time_style])

    def rows(
        self, records: Sequence[Record], style: FileStyle, prng: random.Random
    ) -> tuple[list[str], list[list[Any]]]:
        """Header and rows of one file, in that file's spelling and column order."""
        columns = self._columns(style, prng)
        position = {spec: p for p, spec in enumerate(self.canonical)}
        pick = itemgetter(*[position[spec] for _, spec in columns])
        on, offs = style.tick

        def tick_value(value: str) -> Any:
            return int(value) if style.numeric_ids and value in ("0", "1") else value

        # Tick cells for each (question, ticked options, unticked spelling).
        cache: dict[tuple[str, tuple[int, ...], str], list[Any]] = {}

        def ticks(qid: str, ticked: tuple[int, ...], off: str) -> list[Any]:
            key = (qid, ticked, off)
            if key not in cache:
                q = next(q for q in self.instrument.questions if q.id == qid)
                cache[key] = [
                    tick_value((o.label if on == "label" else on) if i in ticked else off)
                    for i, o in enumerate(q.options)
                ]
            return cache[key]

        qids = [q.id for q in self.instrument.questions]
        out = []
        for rec in records:
            off = offs[1] if prng.random() < 0.1 else offs[0]
            if rec.submitted_text is not None:
                submitted = rec.submitted_text
            else:
                submitted = self._time(rec.submitted, style)
            numeric = style.numeric_ids and rec.response_id
            values: list[Any] = [
                int(rec.response_id) if numeric else rec.response_id,
                self._time(rec.started, style),
                submitted,
                rec.area,
                rec.comment,
                *[rec.role_other for _ in self.with_other],
                rec.collector,
                rec.ip,
                "",
                "",
                "English",
                *rec.answers,
            ]
            for qid in qids:
                values.extend(ticks(qid, rec.ticks[qid], off))
            out.append(list(pick(values)))
        return [name for name, _ in columns], out

    def write(self, export: ExportFile, folder: Path, seed: int, file_index: int) -> Path:
        """Write one export file into `folder`."""
        prng = random.Random(f"{seed}-write-{self.system.system_id}-{file_index}")
        style = choose_style(prng, export.fmt, 2 * self.system.review_order + file_index)
        header, rows = self.rows(export.records, style, prng)
        path = folder / export.name
        if export.fmt == "xlsx":
            write_xlsx(path, header, rows)
        else:
            encoding = {"csv-bom": "utf-8-sig", "csv-cp1252": "cp1252"}.get(export.fmt, "utf-8")
            with path.open("w", encoding=encoding, newline="") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                writer.writerow(header)
                writer.writerows(rows)
        return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """Write a one-sheet workbook with fixed metadata and zip timestamps."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")

    def cell(value: Any) -> Any:
        if value == "":
            return None
        if isinstance(value, str) and value.startswith("="):
            # Survey tools export text as text: never let a comment become a formula.
            text = WriteOnlyCell(sheet, value)
            text.data_type = "s"
            return text
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
                # openpyxl stamps the save time into `modified`: pin it.
                stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.writestr(fixed, data)


# ----------------------------------------------------------------------- CLI


def generate(
    out: Path,
    seed: int,
    systems: Sequence[DemoSystem],
    instrument: Instrument,
) -> list[Path]:
    """Generate every system's exports into `out`; return the files written."""
    generator = Generator(instrument, systems, seed)
    written = []
    for k, demo in enumerate(generator.systems):
        folder = out / demo.system.system_id
        folder.mkdir(parents=True, exist_ok=True)
        writer = FileWriter(instrument, demo.system)
        for file_index, export in enumerate(generator.generate(k)):
            written.append(writer.write(export, folder, seed, file_index))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m relaudit_dev.demo", description="Generate demo survey exports."
    )
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--systems", type=int, help="make up this many systems (scale runs)")
    parser.add_argument("--responses-per-system", type=int, help="kept responses per system")
    parser.add_argument("--sheet", type=Path, help="write the systems sheet for the generated data")
    parser.add_argument("--systems-sheet", type=Path, default=DEFAULT_SHEET)
    parser.add_argument("--instrument", type=Path, default=DEFAULT_INSTRUMENT)
    parser.add_argument("--overwrite", action="store_true", help="replace exports already in --out")
    args = parser.parse_args(argv)
    instrument = load_instrument(args.instrument)
    calibration = load_calibration()
    if args.systems is not None:
        systems = made_up_systems(args.systems, args.responses_per_system or 100, instrument)
    else:
        systems = real_systems(
            args.systems_sheet, instrument, calibration, args.responses_per_system
        )
    existing = sorted(p for p in args.out.glob("*/*") if p.suffix in (".csv", ".xlsx"))
    if existing and not args.overwrite:
        sys.stderr.write(
            f"relaudit_dev.demo: {args.out} already holds exports ({existing[0]}). "
            "Fix: remove the folder first or pass --overwrite.\n"
        )
        return 1
    for path in existing:
        path.unlink()
    began = time.perf_counter()
    written = generate(args.out, args.seed, systems, instrument)
    if args.sheet:
        write_sheet(systems, args.sheet)
    sys.stderr.write(
        f"relaudit_dev.demo: wrote {len(written)} files for {len(systems)} systems "
        f"in {time.perf_counter() - began:.1f}s\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
