"""Load and validate a questionnaire instrument described in YAML.

An instrument says which statements (items) a survey asks, how they sit in
the frameworks, how each answer label is scored, and which respondent
questions are asked. Everything downstream (ingest, scoring, figures) reads
the instrument rather than hard-coding the CQC scorecard, so a second
instrument is only another YAML file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from relaudit.errors import ConfigError
from relaudit.resources import schema_path
from relaudit.yamlio import load_yaml

SCHEMA_PATH = schema_path("instrument.schema.yaml")

_LEADING_NUMBER = re.compile(r"^\s*\d+\s*[.)]\s*")
# A rating cell's leading whole number: "3" or "3 - shared openly", never "2.5".
_LEADING_WHOLE_NUMBER = re.compile(r"^\s*(\d+)(?!\d)(?!\s*[.,]\s*\d)")
_LEADING_STAR = re.compile(r"^\s*\*+\s*")
_WHITESPACE = re.compile(r"\s+")
_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)


# Cached: the comparator asks whether two versions word a statement alike for
# every statement, system and pool, about 40,000 times per pack, and the
# answer depends on the text alone (a tenth of a pack's scoring time uncached).
@functools.lru_cache(maxsize=8192)
def normalise_header(text: str) -> str:
    """Normalise a column header for matching, as the input contract says.

    NFKC; lower case; curly quotes made straight; a leading number (``12.``,
    ``12)``) and a leading ``*`` dropped; whitespace collapsed; a trailing
    full stop dropped.
    """
    value = unicodedata.normalize("NFKC", str(text)).lower().translate(_QUOTE_MAP)
    # Numbering and stars can come in either order ("*12. ..." or "12. *...").
    for _ in range(2):
        value = _LEADING_STAR.sub("", value)
        value = _LEADING_NUMBER.sub("", value)
    value = _WHITESPACE.sub(" ", value).strip()
    if value.endswith("."):
        value = value[:-1].rstrip()
    return value


def normalise_label(text: str) -> str:
    """Normalise an answer label: NFKC, case-folded, whitespace collapsed."""
    value = unicodedata.normalize("NFKC", str(text)).casefold()
    return _WHITESPACE.sub(" ", value).strip()


@dataclass(frozen=True)
class ScaleEnds:
    """What the lowest and the highest answer to an item look like, in words."""

    low: str
    high: str


def leading_whole_number(text: str) -> int | None:
    """The whole number a cell starts with (``3`` in ``3 - Shared openly``), or None.

    A decimal (``2.5``) has no leading whole number: it is not a rating.
    """
    match = _LEADING_WHOLE_NUMBER.match(unicodedata.normalize("NFKC", str(text)))
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Item:
    """One rated statement."""

    id: str
    framework: str
    position: dict[str, str]
    polarity: str
    text: dict[str, str]
    # Versions declared comparable despite rewording (relaudit.comparison.comparable).
    comparable_versions: tuple[str, ...] = ()
    # The contrasting statements at the two ends of the scale, when the instrument has them.
    scale_ends: ScaleEnds | None = None

    @property
    def reverse(self) -> bool:
        """True when the statement is negatively worded and reverse scored."""
        return self.polarity == "negative"


@dataclass(frozen=True)
class Option:
    """One tick option of a respondent question."""

    label: str
    report_as: str


# What a respondent question is used for (see the instrument schema).
QUESTION_ROLES = ("profile", "breakdown", "attribution", "comment_rates")
# An instrument that does not say uses each question for these.
DEFAULT_QUESTION_ROLES = ("profile", "breakdown")
TICKS = "ticks"
SINGLE_CHOICE = "single_choice"


@dataclass(frozen=True)
class RespondentQuestion:
    """A question about the respondent (organisation, role, ...).

    Its ``layout`` says how an export holds it: ``ticks`` (one column per
    option, headed "<prefix>: <option>") or ``single_choice`` (one column,
    headed ``prefix``, holding the chosen option's label).
    """

    id: str
    name: str
    prefix: str
    options: tuple[Option, ...]
    multiple: str = "Multiple"
    none: str = "Did not answer"
    exclude_multiple: bool = False
    other_text_label: str | None = None
    # The questionnaire versions that asked the free-text "other" box (empty: every one).
    other_text_versions: tuple[str, ...] = ()
    layout: str = TICKS
    roles: tuple[str, ...] = DEFAULT_QUESTION_ROLES

    def column(self, option: Option) -> str:
        """The export header of one option's tick column."""
        return f"{self.prefix}: {option.label}"

    @property
    def single_choice(self) -> bool:
        return self.layout == SINGLE_CHOICE

    def has_role(self, use: str) -> bool:
        """True when the question is used for `use` (one of QUESTION_ROLES)."""
        return use in self.roles

    @property
    def reported_groups(self) -> list[str]:
        """Groups in questionnaire order, then the derived ones.

        A single-choice question cannot be answered twice, so it has no
        ``multiple`` group.
        """
        derived = [self.none] if self.single_choice else [self.multiple, self.none]
        return list(dict.fromkeys(o.report_as for o in self.options)) + derived


@dataclass(frozen=True)
class Framework:
    """A framework: items arranged by one or more groupings."""

    id: str
    name: str
    groupings: dict[str, tuple[str, ...]]
    grid: tuple[str, str] | None = None
    short_name: str = ""
    description: str | None = None
    # What each level (an attribute, a dimension, a domain ...) means, for readers.
    definitions: dict[str, str] = field(default_factory=dict)

    @property
    def label_name(self) -> str:
        """The name short statement labels use ("Proximity: Parity")."""
        return self.short_name or self.name.split()[-1].capitalize()


@dataclass(frozen=True)
class StatementSet:
    """Statements that charts, sections and rules refer to by the set's id."""

    id: str
    name: str
    items: tuple[str, ...]
    by: str
    annex_only: bool = False


@dataclass(frozen=True)
class Scale:
    """Answer labels and their scores."""

    labels: tuple[tuple[str, float], ...]
    not_applicable: tuple[str, ...] = ()
    midpoint: float = 2.5
    positive_threshold: float = 3.0
    not_applicable_name: str = "not applicable"
    # Read a cell by its leading whole number ("3 - Shared openly" is the label "3").
    leading_number: bool = False

    def _key(self, text: str) -> str:
        """What a cell or label is matched by: its leading number, or its normalised text."""
        if self.leading_number:
            number = leading_whole_number(text)
            if number is not None:
                return str(number)
        return normalise_label(text)

    @property
    def positive_label(self) -> str:
        """The lowest label that counts as positive (the label at positive_threshold)."""
        positive = [
            (score, label) for label, score in self.labels if score >= self.positive_threshold
        ]
        return min(positive)[1] if positive else self.labels[-1][0]

    @property
    def min(self) -> float:
        return min(score for _, score in self.labels)

    @property
    def max(self) -> float:
        return max(score for _, score in self.labels)

    def score(self, label: str, reverse: bool = False) -> float | None:
        """Score of a label (matched case-insensitively), or None if unknown."""
        key = self._key(label)
        for name, value in self.labels:
            if self._key(name) == key:
                return self.min + self.max - value if reverse else value
        return None

    def is_not_applicable(self, label: str) -> bool:
        key = self._key(label)
        return any(self._key(code) == key for code in self.not_applicable)


@dataclass(frozen=True)
class RatingColumn:
    """One rating column of the clean table: which item it rates, for which target.

    ``target`` is ``""`` for an instrument rated once per respondent.
    """

    column: str
    item_id: str
    target: str = ""

    @property
    def not_rated_column(self) -> str:
        """The clean table's flag: this rating was answered with a not-rated code."""
        return f"{self.column} not rated"


def rating_column_name(item_id: str, target: str = "") -> str:
    """The clean table's column for an item rated for a target (the one place it is made)."""
    return f"{item_id}@{target}" if target else item_id


@dataclass(frozen=True)
class Instrument:
    """A validated instrument."""

    id: str
    title: str
    versions: tuple[str, ...]
    rating_unit: str
    columns: dict[str, str]
    scale: Scale
    frameworks: tuple[Framework, ...]
    questions: tuple[RespondentQuestion, ...]
    items: tuple[Item, ...]
    targets: tuple[str, ...] = ()
    target_header: str | None = None
    target_name: str = "target"
    statement_sets: tuple[StatementSet, ...] = ()
    source: str = ""
    # Each target's name as export headers and readers see it, by target id.
    target_names: dict[str, str] = field(default_factory=dict)
    # Export columns that may be absent (of `columns`: started, area).
    optional_columns: tuple[str, ...] = ()
    _header_index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def framework(self, framework_id: str) -> Framework:
        for fw in self.frameworks:
            if fw.id == framework_id:
                return fw
        raise KeyError(framework_id)

    def question(self, question_id: str) -> RespondentQuestion:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def questions_with(self, use: str) -> list[RespondentQuestion]:
        """The respondent questions used for `use` (a role), in questionnaire order."""
        return [q for q in self.questions if q.has_role(use)]

    def derived_groups(self) -> list[str]:
        """Groups ingest makes rather than a respondent chooses ("Multiple", "Did not answer")."""
        return list(dict.fromkeys(g for q in self.questions for g in (q.multiple, q.none)))

    def statement_set(self, set_id: str) -> StatementSet | None:
        """A statement set by id, or None when the instrument has none of that id."""
        return next((s for s in self.statement_sets if s.id == set_id), None)

    def items_in(self, framework_id: str) -> list[Item]:
        return [item for item in self.items if item.framework == framework_id]

    def text(self, item_id: str, version: str | None = None) -> str:
        """Statement wording in a version (the latest version by default)."""
        item = self.item(item_id)
        return item.text[version or self.versions[-1]]

    def rating_columns(self) -> list[RatingColumn]:
        """Every rating column (item by target), items in order, then targets."""
        targets = self.targets or ("",)
        return [
            RatingColumn(rating_column_name(item_id, target), item_id, target)
            for item_id in self.item_ids
            for target in targets
        ]

    def resolve_header(self, header: str) -> str | None:
        """The rating column a statement header refers to, or None.

        Matching uses the normalised wording of every questionnaire version.
        For per-target instruments the header is ``target_header`` filled in
        (see :meth:`rating_columns`).
        """
        return self._header_index.get(normalise_header(header))


def _targets(data: dict[str, Any]) -> dict[str, str]:
    """{target id: target name}: a plain string target is its own id and name."""
    targets: dict[str, str] = {}
    for entry in data.get("targets") or []:
        if isinstance(entry, str):
            targets[entry] = entry
        else:
            targets[entry["id"]] = entry["name"]
    return targets


def _index_headers(data: dict[str, Any]) -> dict[str, str]:
    index: dict[str, str] = {}
    targets = _targets(data)
    template = data.get("target_header") or "{target} - {text}"
    for item in data["items"]:
        for text in item["text"].values():
            if targets:
                for target, name in targets.items():
                    key = normalise_header(template.format(target=name, text=text))
                    index[key] = rating_column_name(item["id"], target)
            else:
                index[normalise_header(text)] = item["id"]
    return index


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    """The instrument schema's validator, built once per process (the schema is package data)."""
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return jsonschema.Draft202012Validator(load_yaml(handle))


def _check_semantics(data: dict[str, Any], source: str) -> None:
    """Checks a JSON schema cannot express: uniqueness and grid coverage."""
    versions = list(data["versions"])
    seen: set[str] = set()
    frameworks = {fw["id"]: fw for fw in data["frameworks"]}
    for index, item in enumerate(data["items"], start=1):
        where = f"{source}: item {index} ({item['id']})"
        if item["id"] in seen:
            raise ConfigError(f"{where}: duplicate item id. Fix: give every item a unique id.")
        seen.add(item["id"])
        fw = frameworks.get(item["framework"])
        if fw is None:
            raise ConfigError(
                f"{where}: unknown framework {item['framework']!r}. "
                f"Fix: use one of {sorted(frameworks)}."
            )
        for grouping, level in item["position"].items():
            levels = fw["groupings"].get(grouping)
            if levels is None or level not in levels:
                raise ConfigError(
                    f"{where}: position {grouping}={level!r} is not declared in framework "
                    f"{fw['id']!r}. Fix: use one of {levels or sorted(fw['groupings'])}."
                )
        undeclared = [v for v in item.get("comparable_versions", ()) if v not in versions]
        if undeclared:
            raise ConfigError(
                f"{where}: comparable_versions names unknown version(s) {undeclared}. "
                f"Fix: use versions from {versions}."
            )
        missing = [v for v in versions if v not in item["text"]]
        if missing:
            raise ConfigError(
                f"{where}: no wording for version(s) {missing}. Fix: add text for every version."
            )
    for fw in data["frameworks"]:
        levels = {level for values in fw["groupings"].values() for level in values}
        unknown = sorted(set(fw.get("definitions", {})) - levels)
        if unknown:
            raise ConfigError(
                f"{source}: framework {fw['id']}: definitions of {unknown}, which no grouping "
                f"declares. Fix: define only the levels of {sorted(fw['groupings'])}."
            )
        grid = fw.get("grid")
        if not grid:
            continue
        rows, cols = grid["rows"], grid["columns"]
        cells: dict[tuple[str, str], str] = {}
        for item in data["items"]:
            if item["framework"] != fw["id"]:
                continue
            key = (item["position"].get(rows), item["position"].get(cols))
            if key in cells:
                raise ConfigError(
                    f"{source}: framework {fw['id']}: cell {key[0]} x {key[1]} holds both "
                    f"{cells[key]} and {item['id']}. Fix: each cell takes exactly one item."
                )
            cells[key] = item["id"]
        for row in fw["groupings"][rows]:
            for col in fw["groupings"][cols]:
                if (row, col) not in cells:
                    raise ConfigError(
                        f"{source}: framework {fw['id']}: no item in cell {row} x {col}. "
                        "Fix: add the missing item."
                    )
    index: dict[str, str] = {}
    for item in data["items"]:
        for version, text in item["text"].items():
            key = normalise_header(text)
            other = index.get(key)
            if other is not None and other != item["id"]:
                raise ConfigError(
                    f"{source}: items {other} and {item['id']} have the same wording "
                    f"({version}) after normalisation. Fix: make the wording distinct."
                )
            index[key] = item["id"]
    questions = {q["id"] for q in data.get("respondent_questions", [])}
    for index, entry in enumerate(data.get("statement_sets", []), start=1):
        where = f"{source}: statement set {index} ({entry['id']})"
        unknown = [i for i in entry["items"] if i not in seen]
        if unknown:
            raise ConfigError(f"{where}: unknown item(s) {unknown}. Fix: use ids from items.")
        if entry["by"] not in questions:
            raise ConfigError(
                f"{where}: by {entry['by']!r} is not a respondent question. "
                f"Fix: use one of {sorted(questions)}."
            )
    scale = Scale(
        labels=tuple((str(e["label"]), float(e["score"])) for e in data["scale"]["labels"]),
        leading_number=bool(data["scale"].get("leading_number", False)),
    )
    labels = [scale._key(entry["label"]) for entry in data["scale"]["labels"]]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{source}: scale labels repeat. Fix: make each label unique.")
    if scale.leading_number:
        unnumbered = [
            e["label"] for e in data["scale"]["labels"] if leading_whole_number(e["label"]) is None
        ]
        if unnumbered:
            raise ConfigError(
                f"{source}: scale: leading_number is set but label(s) {unnumbered} start with "
                'no whole number. Fix: start every label with its number, e.g. "3".'
            )
    _check_targets(data, source)


def _check_targets(data: dict[str, Any], source: str) -> None:
    """Target ids and names are unique, and a per-target header can tell them apart."""
    entries = data.get("targets") or []
    ids = [e if isinstance(e, str) else e["id"] for e in entries]
    names = [e if isinstance(e, str) else e["name"] for e in entries]
    for what, values in (("ids", ids), ("names", names)):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ConfigError(
                f"{source}: targets: {what} {repeated} repeat. Fix: give each target its own."
            )
    template = data.get("target_header")
    if len(entries) > 1 and template and "{target}" not in template:
        raise ConfigError(
            f"{source}: target_header {template!r} has no {{target}} but there are "
            f"{len(entries)} targets. Fix: put {{target}} in the header, or rate one target."
        )


def parse_instrument(data: dict[str, Any], source: str = "<instrument>") -> Instrument:
    """Validate a parsed instrument document and build an :class:`Instrument`."""
    validator = _validator()
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise ConfigError(
            f"{source}: at {where}: {first.message}. "
            "Fix: see workflow/schemas/instrument.schema.yaml for the expected shape."
        )
    _check_semantics(data, source)
    scale = data["scale"]
    questions = []
    for q in data.get("respondent_questions", []):
        other = q.get("other_text")
        questions.append(
            RespondentQuestion(
                id=q["id"],
                name=q.get("name", q["id"]),
                prefix=q["prefix"],
                options=tuple(
                    Option(label=o["label"], report_as=o.get("report_as", o["label"]))
                    for o in q["options"]
                ),
                multiple=q.get("multiple", "Multiple"),
                none=q.get("none", "Did not answer"),
                exclude_multiple=bool(q.get("exclude_multiple", False)),
                other_text_label=other["label"] if other else None,
                other_text_versions=tuple(other.get("versions", ())) if other else (),
                layout=q.get("layout", TICKS),
                roles=tuple(q.get("roles", DEFAULT_QUESTION_ROLES)),
            )
        )
    return Instrument(
        id=data["id"],
        title=data.get("title", data["id"]),
        versions=tuple(data["versions"]),
        rating_unit=data.get("rating_unit", "respondent"),
        columns={k: v for k, v in data["columns"].items() if k != "optional"},
        optional_columns=tuple(data["columns"].get("optional", ())),
        scale=Scale(
            labels=tuple((entry["label"], float(entry["score"])) for entry in scale["labels"]),
            not_applicable=tuple(str(code) for code in scale.get("not_applicable", [])),
            midpoint=float(scale.get("midpoint", 0.0)),
            positive_threshold=float(scale.get("positive_threshold", 0.0)),
            not_applicable_name=scale.get("not_applicable_name", "not applicable"),
            leading_number=bool(scale.get("leading_number", False)),
        ),
        frameworks=tuple(
            Framework(
                id=fw["id"],
                name=fw.get("name", fw["id"]),
                groupings={k: tuple(v) for k, v in fw["groupings"].items()},
                grid=(fw["grid"]["rows"], fw["grid"]["columns"]) if fw.get("grid") else None,
                short_name=fw.get("short_name", ""),
                description=fw.get("description"),
                definitions={
                    str(level): " ".join(str(text).split())
                    for level, text in fw.get("definitions", {}).items()
                },
            )
            for fw in data["frameworks"]
        ),
        questions=tuple(questions),
        items=tuple(
            Item(
                id=item["id"],
                framework=item["framework"],
                position=dict(item["position"]),
                polarity=item["polarity"],
                text=dict(item["text"]),
                comparable_versions=tuple(item.get("comparable_versions", ())),
                scale_ends=(
                    ScaleEnds(low=item["scale_ends"]["low"], high=item["scale_ends"]["high"])
                    if item.get("scale_ends")
                    else None
                ),
            )
            for item in data["items"]
        ),
        targets=tuple(_targets(data)),
        target_names=_targets(data),
        target_header=data.get("target_header"),
        target_name=data.get("target_name", "target"),
        statement_sets=tuple(
            StatementSet(
                id=entry["id"],
                name=entry["name"],
                items=tuple(entry["items"]),
                by=entry["by"],
                annex_only=bool(entry.get("annex_only", False)),
            )
            for entry in data.get("statement_sets", [])
        ),
        source=source,
        _header_index=_index_headers(data),
    )


def load_instrument(path: str | Path) -> Instrument:
    """Read, validate and return the instrument in a YAML file.

    One job's stages (score, text, figures) each load the same instrument, so
    the parsed result is kept per process, keyed by the file's bytes: an
    edited file is parsed again. An :class:`Instrument` is frozen, so sharing
    it is safe.
    """
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: instrument file not found. Fix: check the path.") from exc
    return _parse_instrument_text(text, str(path))


@functools.lru_cache(maxsize=8)
def _parse_instrument_text(text: bytes, source: str) -> Instrument:
    """Parse and validate one instrument file's bytes (the cache key)."""
    try:
        data = load_yaml(text.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc}). Fix: correct the syntax.") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level.")
    return parse_instrument(data, source=source)
