"""Free text: redaction, escaping, theme coding and quote selection.

Redaction of personal details from free text, before it reaches any output.

Respondents were promised anonymity, and anyone can type anything. One pass
over the text replaces, left to right, each URL, e-mail address, UK phone
number, NHS-number-like group, UK postcode, titled name ("Dr Patel") and
deny-listed name with a tag. Only counts per tag are returned: the removed
text is kept nowhere.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from relaudit.errors import ConfigError
from relaudit.escape import (
    escape_html,
    escape_typst,
    jinja_filters,
    neutralise_formula,
    safe_markdown,
    strip_controls,
)
from relaudit.instrument import Instrument
from relaudit.resources import load_schema
from relaudit.suppress import suppress
from relaudit.yamlio import load_yaml

__all__ = [
    "TAGS",
    "TAG_AREA",
    "Code",
    "Context",
    "Lexicon",
    "apply_analyst_codes",
    "choose_quotes",
    "coding_sheet",
    "comment_key",
    "comment_rates",
    "escape_html",
    "escape_typst",
    "group_sizes",
    "jinja_filters",
    "load_deny_list",
    "load_lexicon",
    "mask_area",
    "neutralise_formula",
    "normalise_text",
    "opening_sentence",
    "parse_lexicon",
    "quotable",
    "quote_text",
    "read_analyst_sheet",
    "redact",
    "safe_markdown",
    "statement_contexts",
    "terms_code",
    "theme_contexts",
    "theme_counts",
]

TAG_URL = "[url]"
TAG_EMAIL = "[email]"
TAG_PHONE = "[phone]"
TAG_NHS = "[nhs number]"
TAG_POSTCODE = "[postcode]"
TAG_NAME = "[name]"
TAG_AREA = "[this area]"
TAGS = (TAG_EMAIL, TAG_PHONE, TAG_NHS, TAG_POSTCODE, TAG_URL, TAG_NAME)

# Trailing punctuation is sentence punctuation, not part of the URL.
_URL = r"(?i:(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]}])"
_EMAIL = r"(?i:[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})"
# UK numbers: 0 then 9-10 digits, or +44 / 0044 (optionally "(0)") then 9-10
# digits; spaces, hyphens and a bracketed area code allowed between digits.
# A leading 0 (or the international prefix) is required, so years, counts and
# money are never phone numbers.
_SEP = r"[ \-]?\)?[ \-]?"
_PHONE = (
    r"(?<![\w+])(?:(?:\+|00)[ ]?44[ ]?(?:\(0\)[ ]?)?\(?|\(?0)"
    rf"[1-9](?:{_SEP}\d){{8,9}}(?![\d])"
)
# NHS numbers: 10 digits grouped 3-3-4 (spaces or hyphens) or run together.
_NHS = r"(?<![\w.,/£$])\d{3}(?:[ -]?)\d{3}(?:[ -]?)\d{4}(?![\w/]|[.,]\d)"
# UK postcodes (outward + inward code), with or without the space.
_POSTCODE = r"(?i:(?<![\w-])(?:[a-z]{1,2}\d[a-z\d]?|gir)[ ]?\d[abd-hjlnp-uw-z]{2}(?![\w-]))"
_TITLES = "Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|Cllr|Councillor|Sir|Dame|Lord|Lady|Rev|Revd"
# "O'Neil" and "Smith-Jones" are one name; the "'s" of "Patel's" is not part of it.
_NAME_PART = r"(?:['\u2019-][A-Za-z]{2,})*"
_NAME_WORD = rf"[A-Z][A-Za-z]*{_NAME_PART}"
_SURNAME = rf"(?:[ ]+[A-Z][a-z]+{_NAME_PART})?"
# A title, then optional initials, then a capitalised name and maybe a surname.
_TITLED_NAME = rf"(?<![\w])(?i:{_TITLES})\.?[ ]+(?:[A-Z]\.?[ ]+)*{_NAME_WORD}{_SURNAME}(?!\w)"
# After Mr or Mrs (any case but capitals), Ms or Mx ("MS nurse" and "10 ms"
# are not titles) a name typed in lower case is still a name ("mrs jones");
# only small joining words are not.
_NOT_A_NAME = r"(?:and|or|the|a|an|of|to|in|at|on|is|was|who|from|with|for)(?![\w'])"
_LOWER_NAME = (
    rf"(?<![\w])(?:[Mm]rs?|M[sx])\.?[ ]+(?!{_NOT_A_NAME})(?:[A-Za-z]\.?[ ]+)*"
    rf"[a-z][a-z]*{_NAME_PART}{_SURNAME}(?!\w)"
)

_FIXED = [
    ("url", _URL),
    ("email", _EMAIL),
    ("phone", _PHONE),
    ("nhs", _NHS),
    ("postcode", _POSTCODE),
    ("titled", _TITLED_NAME),
    ("lower_titled", _LOWER_NAME),
]
_TAG_OF_GROUP = {
    "url": TAG_URL,
    "email": TAG_EMAIL,
    "phone": TAG_PHONE,
    "nhs": TAG_NHS,
    "postcode": TAG_POSTCODE,
    "titled": TAG_NAME,
    "lower_titled": TAG_NAME,
    "denied": TAG_NAME,
}
_WORD_SEPARATORS = re.compile(r"[\s-]+")


def normalise_text(text: str) -> str:
    """NFKC-normalise and drop control/invisible characters.

    Full-width letters and zero-width spaces would otherwise let an address
    or a name slip past the patterns.
    """
    return strip_controls(unicodedata.normalize("NFKC", str(text)))


def load_deny_list(path: str | Path | None) -> list[str]:
    """Names to redact, one per line; blank lines and ``#`` comments ignored.

    A missing file is an empty list (no extra names), not an error.
    """
    if path is None:
        return []
    path = Path(path)
    if not path.is_file():
        return []
    names = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def _phrase_pattern(phrases: Sequence[str]) -> str | None:
    """Whole-word, case-insensitive alternation of phrases, longest first."""
    # Spaces and hyphens are interchangeable: "Stoke-on-Trent" = "Stoke on Trent".
    cleaned = {" ".join(_WORD_SEPARATORS.split(normalise_text(p).strip(" -"))) for p in phrases}
    cleaned.discard("")
    if not cleaned:
        return None
    ordered = sorted(cleaned, key=lambda p: (-len(p), p.casefold()))
    alternatives = "|".join(r"[\s-]+".join(re.escape(w) for w in p.split()) for p in ordered)
    return rf"(?i:(?<!\w)(?:{alternatives})(?!\w))"


@lru_cache(maxsize=32)
def _compile(deny: tuple[str, ...]) -> re.Pattern[str]:
    parts = [f"(?P<{name}>{pattern})" for name, pattern in _FIXED]
    denied = _phrase_pattern(deny)
    if denied:
        parts.append(f"(?P<denied>{denied})")
    return re.compile("|".join(parts))


def redact(text: str, deny_list: Sequence[str] = ()) -> tuple[str, dict[str, int]]:
    """Replace personal details with tags; return the text and counts per tag.

    Counts have every tag in :data:`TAGS` as a key (zero when none found).
    """
    pattern = _compile(tuple(deny_list))
    counts = dict.fromkeys(TAGS, 0)

    def _replace(match: re.Match[str]) -> str:
        tag = _TAG_OF_GROUP[match.lastgroup or "denied"]
        counts[tag] += 1
        return tag

    return pattern.sub(_replace, normalise_text(text)), counts


def mask_area(text: str, names: Sequence[str]) -> tuple[str, int]:
    """Replace a system's own name and aliases with ``[this area]``.

    Used for the national annex, where a quote must not identify its area.
    Returns the masked text and the number of replacements.
    """
    pattern = _area_pattern(tuple(names))
    if pattern is None:
        return normalise_text(text), 0
    return pattern.subn(TAG_AREA, normalise_text(text))


@lru_cache(maxsize=256)
def _area_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    # Compiled once per area, not once per comment.
    pattern = _phrase_pattern(names)
    return re.compile(pattern) if pattern else None


# ---------------------------------------------------------------------------
# Coding: a lexicon suggests themes and framework concepts for each comment.
# ---------------------------------------------------------------------------

LEXICON_SCHEMA = "lexicon.schema.yaml"
CODE_SEPARATOR = ";"
# An analyst who writes this in analyst_codes removes every code from a comment.
NO_CODES = "none"
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Code:
    """A theme or a framework concept, with the pattern that suggests it."""

    id: str
    label: str
    kind: str  # "theme" or "concept"
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None = None  # phrases that do not count (e.g. "NHS trust")
    concepts: tuple[str, ...] = ()  # for a theme: the concepts it is linked to
    statements: tuple[str, ...] = ()  # for a theme: statements it speaks to directly
    grouping: str = ""  # for a concept: where it sits in the instrument
    group: str = ""

    def matches(self, text: str) -> bool:
        """True when a term occurs in `text` outside the excluded phrases."""
        if self.exclude is not None:
            text = self.exclude.sub(" ", text)
        return self.pattern.search(text) is not None

    def occurrences(self, text: str) -> int:
        """How many times a term occurs in `text` outside the excluded phrases."""
        if self.exclude is not None:
            text = self.exclude.sub(" ", text)
        return sum(1 for _ in self.pattern.finditer(text))


@dataclass(frozen=True)
class AttributionWording:
    """How quotes name the groups of one attribution question."""

    question: str
    wording: dict[str, str]
    unknown: str


@dataclass(frozen=True)
class Lexicon:
    """The validated lexicon: codes in file order and attribution wording.

    `attribution` holds one entry per attribution question of the instrument,
    in the order a quote's attribution names them.
    """

    themes: tuple[Code, ...]
    concepts: tuple[Code, ...]
    attribution_wording: tuple[AttributionWording, ...]
    source: str = "<lexicon>"
    statement_match: str = "every"  # or "any": see statement_relation

    @property
    def attribution_questions(self) -> list[str]:
        """The respondent questions quotes are attributed by, in attribution order."""
        return [entry.question for entry in self.attribution_wording]

    @property
    def codes(self) -> tuple[Code, ...]:
        return self.themes + self.concepts

    def suggest(self, text: str) -> list[str]:
        """Codes whose terms occur in `text`, in lexicon order."""
        return [code.id for code in self.codes if code.matches(text)]

    def order(self, codes: Iterable[str]) -> list[str]:
        """Unique codes in lexicon order; codes not in the lexicon after, sorted."""
        position = {code.id: i for i, code in enumerate(self.codes)}
        unique = set(codes)
        return sorted(unique, key=lambda c: (position.get(c, len(position)), c))

    def statement_codes(self, position: Mapping[str, str], item_id: str = "") -> dict[str, int]:
        """Codes relevant to a statement, with weights.

        `position` is the statement's place in its framework (e.g.
        ``{"attribute": "Trust", "dimension": "People"}``). Its concepts, and
        the themes that name the statement `item_id` among their `statements`,
        weigh 2; the themes linked to its concepts 1.
        """
        weights: dict[str, int] = {}
        for related in self.statement_relation(position):
            for code in related:
                kind = self.code(code).kind
                weights[code] = max(weights.get(code, 0), 2 if kind == "concept" else 1)
        for code in self.direct_themes(item_id):
            weights[code] = 2
        return dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])))

    def direct_themes(self, item_id: str) -> frozenset[str]:
        """Themes that name the statement `item_id` among their `statements`."""
        return frozenset(t.id for t in self.themes if item_id and item_id in t.statements)

    def statement_relation(self, position: Mapping[str, str]) -> tuple[frozenset[str], ...]:
        """The codes that speak to each part of a statement's place, as the lexicon
        declares them: for each ``grouping: group`` of `position`, the concepts
        placed there and the themes whose `concepts` name one of them.

        A comment relates to the statement when its words carry a code of every
        part (``statement_match: every``, the default) or of at least one part
        (``any``). Parts the lexicon has no concept for are left out.
        """
        parts = []
        for grouping, group in position.items():
            place = (str(grouping).casefold(), str(group).casefold())
            concepts = {
                c.id for c in self.concepts if (c.grouping.casefold(), c.group.casefold()) == place
            }
            if not concepts:
                continue
            themes = {t.id for t in self.themes if concepts.intersection(t.concepts)}
            parts.append(frozenset(concepts | themes))
        return tuple(parts)

    def code(self, code_id: str) -> Code:
        """The theme or concept with id `code_id` (KeyError if none)."""
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def evidenced(self, codes: Iterable[str], text: str) -> set[str]:
        """The codes among `codes` whose own terms occur in `text`.

        A comment's codes may come from an analyst; a quote is shown for a
        code only when its words match that code, so that the reader sees why
        it is there.
        """
        wanted = set(codes)
        return {code.id for code in self.codes if code.id in wanted and code.matches(text)}

    def attribution(self, groups: Mapping[str, Any]) -> str:
        """A quote's attribution from its respondent's groups (by question id): each
        attribution question's wording in turn, e.g. "Operational manager, health provider"."""
        return ", ".join(
            entry.wording.get(str(groups.get(entry.question)), entry.unknown)
            for entry in self.attribution_wording
        )

    def check_against(self, instrument: Instrument) -> None:
        """Raise :class:`ConfigError` unless the lexicon words exactly the instrument's
        attribution questions."""
        items = set(instrument.item_ids)
        for theme in self.themes:
            unknown = sorted(set(theme.statements) - items)
            if unknown:
                raise ConfigError(
                    f"{self.source}: theme {theme.id} names statement(s) {', '.join(unknown)} "
                    f"that {instrument.source or instrument.id} does not have. Fix: use the "
                    "instrument's item ids under the theme's `statements`."
                )
        declared = [q.id for q in instrument.questions_with("attribution")]
        worded = self.attribution_questions
        if sorted(declared) != sorted(worded):
            raise ConfigError(
                f"{self.source}: attribution words question(s) {', '.join(worded) or 'none'} "
                f"but {instrument.source or instrument.id} attributes quotes by "
                f"{', '.join(declared) or 'none'}. Fix: key the lexicon's attribution wording "
                "by the instrument's attribution questions (or change their roles)."
            )


def _term_body(term: str) -> str:
    words = []
    for word in term.split():
        stem = word.endswith("*")
        body = re.escape(word.rstrip("*"))
        words.append(body + (r"[\w'-]*" if stem else ""))
    return r"[\s-]+".join(words)


def term_pattern(term: str) -> str:
    """Regex for one lexicon term: whole words, ``*`` at a word's end is a stem."""
    return r"(?<![\w])" + _term_body(term) + r"(?![\w])"


def _compile_terms(terms: Sequence[str]) -> re.Pattern[str]:
    # The word-boundary checks wrap the whole alternation rather than each
    # term: the same matches, about five times faster on a long term list.
    return re.compile(
        r"(?<![\w])(?:" + "|".join(_term_body(t) for t in terms) + r")(?![\w])", re.IGNORECASE
    )


def _compile_exclude(entry: Mapping[str, Any]) -> re.Pattern[str] | None:
    return _compile_terms(entry["exclude"]) if entry.get("exclude") else None


def terms_code(entry: Mapping[str, Any], kind: str, label: str | None = None) -> Code:
    """A code from a validated entry with `id`, `terms` (and `exclude`), compiled as the
    lexicon compiles its themes: for other term lists in the lexicon's style, such as a
    codebook's categories. `label` defaults to the entry's own."""
    return Code(
        id=entry["id"],
        label=entry["label"] if label is None else label,
        kind=kind,
        pattern=_compile_terms(entry["terms"]),
        exclude=_compile_exclude(entry),
    )


def _load_schema(name: str) -> dict[str, Any]:
    return load_schema(name)


def parse_lexicon(
    data: Mapping[str, Any], source: str = "<lexicon>", instrument: Instrument | None = None
) -> Lexicon:
    """Validate lexicon data (schema, unique ids, links; the attribution questions
    against `instrument` when given) and compile its terms."""
    try:
        jsonschema.validate(data, _load_schema(LEXICON_SCHEMA))
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ConfigError(
            f"{source}: at {where}: {exc.message}. Fix the lexicon; "
            f"see workflow/schemas/{LEXICON_SCHEMA}."
        ) from None
    ids = [t["id"] for t in data["themes"]] + [c["id"] for c in data["concepts"]]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"{source}: code ids used twice: {', '.join(duplicates)}. Rename them.")
    concept_ids = {c["id"] for c in data["concepts"]}
    for theme in data["themes"]:
        unknown = sorted(set(theme.get("concepts", [])) - concept_ids)
        if unknown:
            raise ConfigError(
                f"{source}: theme {theme['id']} links to unknown concepts "
                f"{', '.join(unknown)}. Add them under `concepts` or remove the link."
            )
    themes = tuple(
        Code(
            id=t["id"],
            label=t["label"],
            kind="theme",
            pattern=_compile_terms(t["terms"]),
            exclude=_compile_exclude(t),
            concepts=tuple(t.get("concepts", ())),
            statements=tuple(t.get("statements", ())),
        )
        for t in data["themes"]
    )
    concepts = tuple(
        Code(
            id=c["id"],
            label=c["group"],
            kind="concept",
            pattern=_compile_terms(c["terms"]),
            exclude=_compile_exclude(c),
            grouping=c["grouping"],
            group=c["group"],
        )
        for c in data["concepts"]
    )
    lexicon = Lexicon(
        themes=themes,
        concepts=concepts,
        attribution_wording=tuple(
            AttributionWording(
                question=question,
                wording={str(k): v for k, v in entry["wording"].items()},
                unknown=entry["unknown"],
            )
            for question, entry in data["attribution"].items()
        ),
        source=source,
        statement_match=data.get("statement_match", "every"),
    )
    if instrument is not None:
        lexicon.check_against(instrument)
    return lexicon


def load_lexicon(path: str | Path, instrument: Instrument | None = None) -> Lexicon:
    """Read and validate the lexicon YAML file (against `instrument` when given)."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"{path}: cannot read the lexicon ({exc}). Fix: check the file."
        ) from None
    return parse_lexicon(data or {}, str(path), instrument)


def comment_key(system_id: str, response_id: str) -> str:
    """Stable short key of a comment: not reversible into the response id.

    The leading letter stops a spreadsheet from reading the key as a number.
    """
    digest = hashlib.sha256(f"{system_id}:{response_id}".encode()).hexdigest()
    return "c" + digest[:12]


def join_codes(codes: Iterable[str]) -> str:
    return CODE_SEPARATOR.join(codes)


def split_codes(cell: object) -> list[str]:
    """Codes from a sheet cell: ``;`` or ``,`` separated, any case and spacing."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    text = str(cell).lstrip("'")  # write_csv's formula guard, if a code began with one
    codes = []
    for part in re.split(r"[;,]", text):
        code = "_".join(part.strip().casefold().split())
        if code:
            codes.append(code)
    return codes


def sheet_columns(lexicon: Lexicon) -> list[str]:
    """The coding sheet's columns: the key, the attribution groups, text and codes."""
    return ["comment_key", *lexicon.attribution_questions, "text", "suggested_codes",
            "analyst_codes"]  # fmt: skip


def coded_columns(lexicon: Lexicon) -> list[str]:
    """The coded comments' columns (`apply_analyst_codes`)."""
    return ["comment_key", *lexicon.attribution_questions, "text", "codes", "late"]


def coding_sheet(responses: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """One row per comment, with suggested codes and an empty analyst column.

    Rows are sorted by comment key, so the sheet's order reveals nothing about
    when anyone responded.
    """
    commented = responses[responses["has_comment"].astype(bool)]
    groups = lexicon.attribution_questions
    rows = [
        {
            "comment_key": comment_key(str(r["system_id"]), str(r["response_id"])),
            **{question: r[question] for question in groups},
            "text": r["comment"],
            "suggested_codes": join_codes(lexicon.suggest(r["comment"])),
            "analyst_codes": "",
            "late": bool(r["late"]),
        }
        for r in commented.to_dict("records")
    ]
    columns = [*sheet_columns(lexicon), "late"]
    sheet = pd.DataFrame(rows, columns=columns)
    return sheet.sort_values("comment_key", kind="stable").reset_index(drop=True)


def read_analyst_sheet(path: str | Path) -> dict[str, list[str]]:
    """Analyst codes by comment key from an edited coding sheet (blank = keep suggestions)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"comment_key", "analyst_codes"} - set(frame.columns)
    if missing:
        raise ConfigError(
            f"{path}: coding sheet lacks column(s) {', '.join(sorted(missing))}. "
            "Fix: start from the sheet the pipeline writes (text/coding_sheet.csv)."
        )
    codes: dict[str, list[str]] = {}
    for key, cell in zip(frame["comment_key"], frame["analyst_codes"], strict=True):
        key = key.strip().lstrip("'")
        parsed = split_codes(cell)
        if key and parsed:
            codes[key] = parsed
    return codes


def apply_analyst_codes(
    sheet: pd.DataFrame, analyst: Mapping[str, Sequence[str]], lexicon: Lexicon
) -> tuple[pd.DataFrame, list[str]]:
    """Final codes per comment: the analyst's where given, else the suggestions.

    Returns the coded comments (`coded_columns`: the key, the attribution
    groups, ``text, codes, late``) and warnings: analyst keys matching no
    comment, unknown codes.
    """
    known = {code.id for code in lexicon.codes}
    warnings = []
    stale = sorted(set(analyst) - set(sheet["comment_key"]))
    if stale:
        warnings.append(f"{len(stale)} analyst row(s) match no comment: {', '.join(stale[:5])}")
    final = []
    for key, suggested in zip(sheet["comment_key"], sheet["suggested_codes"], strict=True):
        if key not in analyst:
            final.append(suggested)
            continue
        chosen = [c for c in analyst[key] if c != NO_CODES]
        for code in chosen:
            if code not in known or not _CODE_ID.match(code):
                warnings.append(f"comment {key}: analyst code {code!r} is not in the lexicon")
        final.append(join_codes(lexicon.order(chosen)))
    coded = sheet.loc[:, [c for c in coded_columns(lexicon) if c != "codes"]].copy()
    coded.insert(coded.columns.get_loc("text") + 1, "codes", final)
    return coded.reset_index(drop=True), warnings


# ---------------------------------------------------------------------------
# Quotes: a few short, relevant, safely attributed comments per context.
# ---------------------------------------------------------------------------

QUOTE_COLUMNS = ("context_type", "context", "rank", "quote", "attribution", "comment_key")
MIN_QUOTE_WORDS = 15
MAX_QUOTE_WORDS = 150
STATEMENT_MATCHES = ("every", "any")


@dataclass(frozen=True)
class Context:
    """Where quotes are shown: a statement or a theme, with relevant codes and weights.

    A comment is chosen for the context only when its words carry a code of
    `sufficient`, or else a code of every set in `requires` (see :meth:`admits`);
    with neither, any code with weight will do.
    """

    context_type: str  # "statement" or "theme"
    context: str
    weights: Mapping[str, int]
    requires: tuple[frozenset[str], ...] = ()
    sufficient: frozenset[str] = frozenset()

    def admits(self, codes: set[str]) -> bool:
        """True when `codes` (a comment's evidenced codes) relate to this context."""
        if not any(self.weights.get(code, 0) > 0 for code in codes):
            return False
        if codes & self.sufficient:
            return True
        return all(codes & required for required in self.requires)


_BULLET = re.compile(r"(?m)^[ \t]*[-*\u2022][ \t]+")
# A sentence ends at . ! ? or an ellipsis, perhaps inside closing quotes or a bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u2019\u201d)\]]*(?:\s+|$)")
_NOT_WORD = re.compile(r"[^\w]+")


def quote_text(text: str) -> str:
    """A comment as a one-paragraph quote: bullet markers gone, whitespace collapsed."""
    return " ".join(_BULLET.sub("", str(text)).split())


def first_sentence(text: str) -> str:
    """A comment's first sentence as written (the whole comment if it has one)."""
    quoted = quote_text(unicodedata.normalize("NFKC", str(text)))
    return _SENTENCE_END.split(quoted, maxsplit=1)[0]


def opening_sentence(text: str) -> str:
    """A comment's first sentence, normalised for comparison: NFKC, case folded,
    punctuation and spacing ignored ("Frustrating." = "frustrating!")."""
    return " ".join(_NOT_WORD.sub(" ", first_sentence(text).casefold()).split())


def word_count(text: str) -> int:
    return len(str(text).split())


def attribution_keys(frame: pd.DataFrame, by: Sequence[str]) -> list[tuple[str, ...]]:
    """Each row's attribution group: its answers to the questions `by`, as text."""
    if not by:
        return [()] * len(frame)
    return list(zip(*(frame[q].astype(str) for q in by), strict=True))


def group_sizes(people: pd.DataFrame, by: Sequence[str]) -> dict[tuple[str, ...], int]:
    """Rows of `people` per attribution group (their answers to the questions `by`).

    Quotes pass their commenters here (one row per comment, e.g. the coded
    comments): a group is quotable by how many people in it commented, not
    by how many responded.
    """
    if not by:
        return {(): len(people)}
    counts = people.groupby(list(by), sort=True).size()
    return {
        tuple(str(v) for v in (key if isinstance(key, tuple) else (key,))): int(n)
        for key, n in counts.items()
    }


def quotable(
    coded: pd.DataFrame,
    sizes: Mapping[tuple[str, ...], int],
    min_group_size: int,
    by: Sequence[str],
    min_words: int = MIN_QUOTE_WORDS,
    max_words: int = MAX_QUOTE_WORDS,
) -> pd.DataFrame:
    """Comments that may be quoted: right length, from a large enough group (its
    answers to the attribution questions `by`; `sizes` counts its commenters)."""
    words = coded["text"].map(word_count)
    keys = attribution_keys(coded, by)
    group_ok = [sizes.get(key, 0) >= min_group_size for key in keys]
    keep = (words >= min_words) & (words <= max_words) & pd.Series(group_ok, index=coded.index)
    return coded[keep].reset_index(drop=True)


def statement_contexts(
    scores: pd.DataFrame, instrument: Instrument, lexicon: Lexicon, top_n: int
) -> list[Context]:
    """The best then the worst `top_n` statements by rank, each once.

    Each statement's relevant codes are the lexicon's for its place in the
    framework (:meth:`Lexicon.statement_relation`) and the themes that name it
    (:meth:`Lexicon.direct_themes`).
    """
    ranked = scores.dropna(subset=["mean", "rank"])
    ranked = ranked[ranked["item_id"].astype(str).isin(instrument.item_ids)]
    best = ranked.sort_values(["rank", "item_id"], kind="stable").head(top_n)
    worst = ranked.sort_values(["rank", "item_id"], ascending=[False, True], kind="stable")
    chosen = list(dict.fromkeys([*best["item_id"], *worst.head(top_n)["item_id"]]))
    contexts = []
    for item_id in chosen:
        position = instrument.item(item_id).position
        relation = lexicon.statement_relation(position)
        contexts.append(
            Context(
                "statement",
                item_id,
                lexicon.statement_codes(position, item_id),
                relation if lexicon.statement_match == "every" else (),
                lexicon.direct_themes(item_id),
            )
        )
    return contexts


def theme_contexts(lexicon: Lexicon) -> list[Context]:
    return [
        Context("theme", theme.id, {theme.id: 1}, (frozenset({theme.id}),))
        for theme in lexicon.themes
    ]


def _relevance(codes: set[str], weights: Mapping[str, int]) -> int:
    return sum(weights.get(code, 0) for code in codes)


def choose_quotes(
    candidates: pd.DataFrame,
    contexts: Sequence[Context],
    per_context: int,
    lexicon: Lexicon,
) -> pd.DataFrame:
    """Pick up to `per_context` quotes for each context of one document, deterministically.

    A comment counts for a code only when its words match that code's terms
    (:meth:`Lexicon.evidenced`), whoever coded it; it is relevant to a context
    when those codes relate to it (:meth:`Context.admits`). Each context ranks
    its comments by relevance, then those whose first sentence is on the
    context first, then by comment key, taken round-robin over the
    groups of the first attribution question, so a second quote from one
    group comes only after every group with a relevant comment has given one.
    Contexts then take turns, first choices first, and no two quotes of the
    document share an opening sentence (:func:`opening_sentence`), so no
    comment is quoted twice either.
    `candidates` must already be quotable (see :func:`quotable`).
    """
    records = candidates.to_dict("records")
    evidence = {
        record["comment_key"]: lexicon.evidenced(split_codes(record["codes"]), record["text"])
        for record in records
    }
    openings = {record["comment_key"]: opening_sentence(record["text"]) for record in records}
    # The codes a comment's first sentence carries: a comment that opens on the
    # context ranks above an equally relevant one that comes to it later.
    opening_codes = {
        record["comment_key"]: lexicon.evidenced(
            evidence[record["comment_key"]], first_sentence(record["text"])
        )
        for record in records
    }
    spread_by = lexicon.attribution_questions[0] if lexicon.attribution_questions else None
    preference = []
    for context in contexts:
        ranked = []
        for record in records:
            key = record["comment_key"]
            codes = evidence[key]
            if context.admits(codes):
                score = _relevance(codes, context.weights)
                opens_on_it = _relevance(opening_codes[key], context.weights) > 0
                ranked.append((-score, not opens_on_it, key, record))
        ranked.sort(key=lambda entry: entry[:3])
        by_group: dict[str, list[dict[str, Any]]] = {}
        for *_, record in ranked:
            group = str(record[spread_by]) if spread_by else ""
            by_group.setdefault(group, []).append(record)
        preference.append(_round_robin(list(by_group.values()), len(ranked)))
    picked: list[list[dict[str, Any]]] = [[] for _ in contexts]
    position = [0] * len(contexts)
    used: set[str] = set()
    for _ in range(per_context):
        for i, queue in enumerate(preference):
            while position[i] < len(queue):
                record = queue[position[i]]
                position[i] += 1
                opening = openings[record["comment_key"]]
                if opening not in used:
                    used.add(opening)
                    picked[i].append(record)
                    break
    rows = [
        {
            "context_type": context.context_type,
            "context": context.context,
            "rank": rank,
            "quote": quote_text(record["text"]),
            "attribution": lexicon.attribution(record),
            "comment_key": record["comment_key"],
        }
        for context, chosen in zip(contexts, picked, strict=True)
        for rank, record in enumerate(chosen, start=1)
    ]
    return pd.DataFrame(rows, columns=list(QUOTE_COLUMNS))


def _round_robin(queues: list[list[dict[str, Any]]], limit: int) -> list[dict[str, Any]]:
    """Take one from each queue in turn (queues in the order given) up to `limit`."""
    picked: list[dict[str, Any]] = []
    depth = 0
    while len(picked) < limit and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue) and len(picked) < limit:
                picked.append(queue[depth])
        depth += 1
    return picked


# ---------------------------------------------------------------------------
# Summary tables.
# ---------------------------------------------------------------------------


def theme_counts(coded: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Comments per theme (``theme, label, comments, pct`` of all comments)."""
    total = len(coded)
    code_sets = [set(str(c).split(CODE_SEPARATOR)) for c in coded["codes"]]
    rows = []
    for theme in lexicon.themes:
        count = sum(theme.id in codes for codes in code_sets)
        pct = 100.0 * count / total if total else float("nan")
        rows.append({"theme": theme.id, "label": theme.label, "comments": count, "pct": pct})
    return pd.DataFrame(rows, columns=["theme", "label", "comments", "pct"])


def comment_rates(
    respondents: pd.DataFrame,
    min_group_size: int,
    group_order: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """Share of respondents who commented, by each question in `group_order` (in its order).

    Groups with fewer than `min_group_size` respondents are suppressed (with
    complementary suppression within each grouping). Each question's groups
    are listed in `group_order` (e.g. the instrument's questionnaire order),
    then any others alphabetically.
    """
    rows = []
    for grouping in group_order:
        counts = respondents.groupby(grouping, sort=False)["has_comment"].agg(["size", "sum"])
        order = list(group_order.get(grouping, ()))
        groups = sorted(
            counts.index.astype(str),
            key=lambda g: (order.index(g) if g in order else len(order), g),
        )
        for group in groups:
            size, commented = counts.loc[group]
            rows.append(
                {
                    "grouping": grouping,
                    "group": group,
                    "respondents": int(size),
                    "comments": int(commented),
                    "pct": 100.0 * commented / size,
                }
            )
    frame = pd.DataFrame(rows, columns=["grouping", "group", "respondents", "comments", "pct"])
    return suppress(
        frame, min_group_size, keys=["grouping", "group"], size="respondents", within=["grouping"]
    )


# ---------------------------------------------------------------------------
# One call per stage, for the Snakemake scripts.
# ---------------------------------------------------------------------------


@dataclass
class TextTables:
    """Everything the text stage writes for one scope (a system or national)."""

    coded: pd.DataFrame
    quotes: pd.DataFrame
    theme_counts: pd.DataFrame
    comment_rates: pd.DataFrame
    sheet: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)


def comment_rate_groups(instrument: Instrument, lexicon: Lexicon) -> dict[str, list[str]]:
    """The comment-rate questions with their groups in questionnaire order.

    Questions quotes are attributed by come first, in attribution order (the
    lexicon's), then the others in questionnaire order.
    """
    attributed = lexicon.attribution_questions
    questions = instrument.questions_with("comment_rates")
    order = sorted(
        range(len(questions)),
        key=lambda i: (
            attributed.index(questions[i].id) if questions[i].id in attributed else len(attributed),
            i,
        ),
    )
    return {questions[i].id: questions[i].reported_groups for i in order}


def code_comments(
    responses: pd.DataFrame, lexicon: Lexicon, analyst: Mapping[str, Sequence[str]]
) -> tuple[pd.DataFrame, list[str]]:
    """Every kept comment of one system with its final codes (the analyst's where given).

    Coding is cheap and deterministic, so the national stage codes comments
    itself rather than waiting for every system's text stage.
    """
    return apply_analyst_codes(coding_sheet(responses, lexicon), analyst, lexicon)


def system_text(
    responses: pd.DataFrame,
    scores: pd.DataFrame,
    instrument: Instrument,
    lexicon: Lexicon,
    analyst: Mapping[str, Sequence[str]],
    *,
    min_group_size: int,
    per_context: int,
    top_n: int,
) -> TextTables:
    """Coding sheet, coded comments, quotes and tables of one system.

    The sheet and the coded comments hold every kept comment (the national
    annex needs the late ones); quotes, theme counts and comment rates use
    on-time responses only, as the briefing pack does.
    """
    sheet = coding_sheet(responses, lexicon)
    coded, warnings = apply_analyst_codes(sheet, analyst, lexicon)
    # The written sheet carries the analyst's codes forward, so it can be
    # copied to coding_dir and edited again.
    sheet["analyst_codes"] = [join_codes(analyst.get(key, ())) for key in sheet["comment_key"]]
    on_time = responses[~responses["late"].astype(bool)]
    coded_on_time = coded[~coded["late"].astype(bool)].reset_index(drop=True)
    by = lexicon.attribution_questions
    # A group is quoted only if enough of its people commented (the pack's commenters).
    candidates = quotable(coded_on_time, group_sizes(coded_on_time, by), min_group_size, by)
    contexts = statement_contexts(scores, instrument, lexicon, top_n) + theme_contexts(lexicon)
    return TextTables(
        coded=coded,
        quotes=choose_quotes(candidates, contexts, per_context, lexicon),
        theme_counts=theme_counts(coded_on_time, lexicon),
        comment_rates=comment_rates(
            on_time, min_group_size, comment_rate_groups(instrument, lexicon)
        ),
        sheet=sheet.loc[:, sheet_columns(lexicon)],
        warnings=warnings,
    )


def national_text(
    coded_by_system: Mapping[str, pd.DataFrame],
    responses_by_system: Mapping[str, pd.DataFrame],
    area_names: Mapping[str, Sequence[str]],
    scores: pd.DataFrame,
    instrument: Instrument,
    lexicon: Lexicon,
    *,
    min_group_size: int,
    per_context: int,
    top_n: int,
) -> TextTables:
    """National quotes and tables from every kept comment (on time and late).

    Each quote has its own system's name and aliases (`area_names`) replaced
    with ``[this area]``, and is shown only if its attribution group has
    at least `min_group_size` kept commenters in that system. `scores` is
    the national statement table; its ``national`` scope ranks statements.
    """
    candidates = []
    for sid in sorted(coded_by_system):
        coded = coded_by_system[sid].copy()
        names = [sid, *area_names.get(sid, ())]
        coded["text"] = [mask_area(text, names)[0] for text in coded["text"]]
        sizes = group_sizes(coded, lexicon.attribution_questions)
        candidates.append(quotable(coded, sizes, min_group_size, lexicon.attribution_questions))
    columns = coded_columns(lexicon)
    pool = pd.concat(candidates, ignore_index=True) if candidates else pd.DataFrame(columns=columns)
    pool = pool.sort_values("comment_key", kind="stable").reset_index(drop=True)
    every_comment = [coded_by_system[sid] for sid in sorted(coded_by_system)]
    all_coded = (
        pd.concat(every_comment, ignore_index=True)
        if every_comment
        else pd.DataFrame(columns=columns)
    )
    respondents = [responses_by_system[sid] for sid in sorted(responses_by_system)]
    all_respondents = pd.concat(respondents, ignore_index=True)
    if "scope" in scores.columns:
        scores = scores[scores["scope"] == "national"]
    contexts = statement_contexts(scores, instrument, lexicon, top_n) + theme_contexts(lexicon)
    return TextTables(
        coded=all_coded,
        quotes=choose_quotes(pool, contexts, per_context, lexicon),
        theme_counts=theme_counts(all_coded, lexicon),
        comment_rates=comment_rates(
            all_respondents, min_group_size, comment_rate_groups(instrument, lexicon)
        ),
    )
