"""Findings for the briefing pack: best and worst statements, comparator
differences, group gaps, key messages and rule-based lines of enquiry.

Every function here is pure: it takes the score tables (as pandas frames in
the columns of docs/dataflow.md) and returns new frames or plain-text
sentences. Sentences are plain text, never markdown: the document layer
escapes them on output, so a hostile group name or statement cannot become
markup.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from relaudit.comparison import has_comparator
from relaudit.errors import ConfigError
from relaudit.patterns import HIGH, LOW, PATTERN_COLUMNS, national_patterns
from relaudit.resources import load_schema
from relaudit.score import DEFAULT_KEY_MESSAGE_MIN_GROUP, KEY_GAP_COLUMNS, TOP_N
from relaudit.score import group_gaps as group_gaps_table
from relaudit.yamlio import load_yaml

# Groups derived by ingest rather than chosen by the respondent (the
# instrument's defaults; callers pass each question's own): a gap involving
# them says nothing a review team can act on.
DERIVED_GROUPS = ("Multiple", "Did not answer")

GAP_COLUMNS = [
    "grouping",
    "measure",
    "high_group",
    "high_mean",
    "high_n",
    "low_group",
    "low_mean",
    "low_n",
    "gap",
]

# A gap that may be a key message: the two groups' sizes reach the documented
# minimum (config key_message_min_group) and its 95% Welch interval excludes 0.
DEFAULT_PATTERN_MIN_SYSTEMS = 3

# The placeholders each kind of rule may use in its text.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "bottom_and_lower": ("statement", "mean", "comparator_mean", "diff", "pct_positive"),
    "bottom": ("statement", "mean", "pct_positive"),
    "lower": ("statement", "mean", "comparator_mean", "diff"),
    "group_gap": (
        "measure",
        "grouping",
        "high_group",
        "high_mean",
        "low_group",
        "low_mean",
        "gap",
    ),
    "domain_below": ("domain", "mean", "threshold"),
    "no_comparator": (),
}


NUMBER_WORDS = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 10: "ten"}


def fmt_mean(value: float) -> str:
    """A mean (or difference) with two decimals, as the documents show it."""
    return f"{value:.2f}"


def fmt_signed(value: float) -> str:
    """A difference with its sign, using a true minus sign."""
    text = f"{abs(value):.2f}"
    if round(value, 2) > 0:
        return "+" + text
    if round(value, 2) < 0:
        return "\u2212" + text
    return text


def fmt_pct(value: float) -> str:
    """A percentage rounded to a whole number."""
    return f"{value:.0f}%"


def _is_number(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def best_and_worst(scores: pd.DataFrame, top_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `top_n` highest and lowest statements by mean (ties: table order).

    Statements without a mean (nobody answered) are in neither list.
    """
    valid = scores[scores["mean"].notna()].reset_index(drop=True)
    valid = valid.assign(_order=range(len(valid)))
    best = valid.sort_values(["mean", "_order"], ascending=[False, True], kind="mergesort")
    worst = valid.sort_values(["mean", "_order"], ascending=[True, True], kind="mergesort")
    return (
        best.head(top_n).drop(columns="_order").reset_index(drop=True),
        worst.head(top_n).drop(columns="_order").reset_index(drop=True),
    )


def comparator_differences(comparator: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statements flagged higher (largest first) and lower (largest shortfall first)."""
    higher = comparator[comparator["flag"] == "higher"].sort_values(
        "diff", ascending=False, kind="mergesort"
    )
    lower = comparator[comparator["flag"] == "lower"].sort_values(
        "diff", ascending=True, kind="mergesort"
    )
    return higher.reset_index(drop=True), lower.reset_index(drop=True)


def group_gaps(
    breakdown: pd.DataFrame,
    exclude_groups: Sequence[str] = DERIVED_GROUPS,
    measures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The gap between the highest and lowest group for each grouping and measure.

    Only unsuppressed groups with a mean count, and derived groups
    (`Multiple`, `Did not answer`) are left out. A grouping needs at least two
    groups to have a gap. Sorted by gap, largest first (ties: grouping, measure).
    """
    frame = breakdown[breakdown["mean"].notna() & ~_as_bool(breakdown["suppressed"])]
    frame = frame[~frame["group"].isin(list(exclude_groups))]
    if measures is not None:
        frame = frame[frame["measure"].isin(list(measures))]
    # One sort, then the first and last row of each grouping and measure:
    # highest mean first, ties broken by group name.
    keys = ["grouping", "measure"]
    ordered = frame.sort_values(
        [*keys, "mean", "group"], ascending=[True, True, False, True], kind="mergesort"
    )
    ordered = ordered[ordered.groupby(keys, sort=False)["mean"].transform("size") >= 2]
    high = ordered.groupby(keys, sort=False).head(1).reset_index(drop=True)
    low = ordered.groupby(keys, sort=False).tail(1).reset_index(drop=True)
    rows = {
        "grouping": high["grouping"].tolist(),
        "measure": high["measure"].tolist(),
        "high_group": high["group"].tolist(),
        "high_mean": high["mean"].astype(float).tolist(),
        "high_n": high["n"].astype(int).tolist(),
        "low_group": low["group"].tolist(),
        "low_mean": low["mean"].astype(float).tolist(),
        "low_n": low["n"].astype(int).tolist(),
    }
    rows["gap"] = [h - lo for h, lo in zip(rows["high_mean"], rows["low_mean"], strict=True)]
    gaps = pd.DataFrame(rows, columns=GAP_COLUMNS)
    return gaps.sort_values(
        ["gap", "grouping", "measure"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)


def key_gaps(
    breakdown: pd.DataFrame,
    min_group: int,
    exclude_groups: Sequence[str] = DERIVED_GROUPS,
) -> tuple[pd.DataFrame, int]:
    """Gaps between groups that the evidence supports, and how many gaps were checked
    (from :func:`relaudit.score.group_gaps`, the pack's published ``group_gaps`` table)."""
    return supported_gaps(group_gaps_table(breakdown, min_group, exclude_groups))


def supported_gaps(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows of a ``group_gaps`` table that a key message may state, and how many
    gaps the table checked."""
    if table.empty:
        return pd.DataFrame(columns=KEY_GAP_COLUMNS), 0
    supported = table[table["supported"].astype(bool)][KEY_GAP_COLUMNS]
    return supported.reset_index(drop=True), len(table)


def beyond_midpoint(table: pd.DataFrame, midpoint: float, side: str) -> pd.DataFrame:
    """Rows (statements or groups) whose 95% interval lies wholly below (`side` "below")
    or above the midpoint, also as printed (two decimals); most extreme first (ties:
    table order). A row without an interval, or hidden, is never said to be either."""
    if table.empty or not {"ci_low", "ci_high"} <= set(table.columns):
        return table.iloc[0:0]
    shown = table["mean"].notna()
    if "suppressed" in table.columns:
        shown &= ~_as_bool(table["suppressed"].fillna(True))
    if side == "below":
        part = table[shown & (table["ci_high"].round(2) < midpoint)]
        return part.sort_values("mean", ascending=True, kind="mergesort").reset_index(drop=True)
    part = table[shown & (table["ci_low"].round(2) > midpoint)]
    return part.sort_values("mean", ascending=False, kind="mergesort").reset_index(drop=True)


def _as_bool(series: pd.Series) -> pd.Series:
    """`suppressed` as a boolean mask (a bool column in every typed table)."""
    return series.astype(bool)


def groups_below(group_scores: pd.DataFrame, grouping: str, threshold: float) -> pd.DataFrame:
    """Groups (e.g. a framework's domains) whose mean is below `threshold`, lowest first."""
    part = group_scores[(group_scores["grouping"] == grouping) & group_scores["mean"].notna()]
    part = part[part["mean"] < threshold]
    return part.sort_values(["mean", "group"], kind="mergesort").reset_index(drop=True)


@dataclass(frozen=True)
class Findings:
    """Everything the key messages and the enquiry rules draw on."""

    best: pd.DataFrame
    worst: pd.DataFrame
    higher: pd.DataFrame
    lower: pd.DataFrame
    gaps: pd.DataFrame
    domain_means: pd.DataFrame
    framework_means: pd.DataFrame
    has_comparator: bool
    midpoint: float
    # The scale's lowest and highest scores (key messages say "out of <max>").
    scale_min: float
    scale_max: float
    # Human names: item and framework ids -> wording; grouping ids -> name.
    labels: Mapping[str, str] = field(default_factory=dict)
    grouping_names: Mapping[str, str] = field(default_factory=dict)
    # Negatively worded statements (reverse scored), so sentences can say so.
    reversed_items: frozenset[str] = frozenset()
    # Group gaps the key messages may state (`key_gaps`), of how many checked,
    # and the group size they need.
    key_gaps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=KEY_GAP_COLUMNS))
    gaps_checked: int = 0
    key_message_min_group: int = DEFAULT_KEY_MESSAGE_MIN_GROUP
    # Statements whose 95% interval lies wholly below the midpoint, lowest first.
    below_midpoint: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Statements low or high in most comparator systems (`relaudit.patterns`),
    # and this system's statement means (to say where each pattern ranks here).
    patterns: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PATTERN_COLUMNS))
    item_means: Mapping[str, float] = field(default_factory=dict)

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def pattern(self, item_id: str) -> Mapping[str, Any] | None:
        """The national pattern of a statement, if it has one."""
        rows = self.patterns[self.patterns["item_id"] == item_id]
        return None if rows.empty else rows.iloc[0].to_dict()


def build_findings(
    scores: pd.DataFrame,
    comparator: pd.DataFrame,
    breakdown: pd.DataFrame,
    group_scores: pd.DataFrame,
    *,
    top_n: int,
    midpoint: float,
    scale_min: float,
    scale_max: float,
    labels: Mapping[str, str],
    grouping_names: Mapping[str, str],
    domain_groupings: Sequence[str] = (),
    exclude_groups: Sequence[str] = DERIVED_GROUPS,
    reversed_items: Sequence[str] = (),
    pool_consistency: pd.DataFrame | None = None,
    key_message_min_group: int = DEFAULT_KEY_MESSAGE_MIN_GROUP,
    pattern_min_systems: int = DEFAULT_PATTERN_MIN_SYSTEMS,
    gap_table: pd.DataFrame | None = None,
) -> Findings:
    """Collect the findings of one system from its tables.

    `domain_groupings` are the groupings whose groups the domain_below rule
    reads (those of the frameworks without a grid); `exclude_groups` the
    derived groups left out of group gaps. `pool_consistency` is the
    consistency table over the comparator's systems (`relaudit.patterns`);
    `key_message_min_group` and `pattern_min_systems` come from the config.
    `gap_table` is the pack's published ``group_gaps`` table (worked out here from
    `breakdown` when it is not given).
    """
    best, worst = best_and_worst(scores, top_n)
    higher, lower = comparator_differences(comparator)
    domains = group_scores[
        group_scores["grouping"].isin(list(domain_groupings)) & group_scores["mean"].notna()
    ].reset_index(drop=True)
    frameworks = group_scores[
        (group_scores["grouping"] == "framework") & group_scores["mean"].notna()
    ].reset_index(drop=True)
    if gap_table is None:
        supported, checked = key_gaps(breakdown, key_message_min_group, exclude_groups)
    else:
        supported, checked = supported_gaps(gap_table)
    ranked = scores[scores["mean"].notna()]
    return Findings(
        best=best,
        worst=worst,
        higher=higher,
        lower=lower,
        gaps=group_gaps(breakdown, exclude_groups),
        domain_means=domains,
        framework_means=frameworks,
        has_comparator=has_comparator(comparator),
        midpoint=midpoint,
        scale_min=scale_min,
        scale_max=scale_max,
        labels=dict(labels),
        grouping_names=dict(grouping_names),
        reversed_items=frozenset(reversed_items),
        key_gaps=supported,
        gaps_checked=checked,
        key_message_min_group=key_message_min_group,
        below_midpoint=beyond_midpoint(scores, midpoint, "below"),
        patterns=national_patterns(pool_consistency, pattern_min_systems),
        item_means={str(r["item_id"]): float(r["mean"]) for _, r in ranked.iterrows()},
    )


def _quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def _statement_phrase(row: Mapping[str, Any], findings: Findings) -> str:
    text = (
        f"{_quoted(findings.label(row['item_id']))} (mean {fmt_mean(row['mean'])} "
        f"out of {findings.scale_max:g}, "
        f"{fmt_pct(row['pct_positive'])} positive)"
    )
    if row["item_id"] in findings.reversed_items:
        text += (
            "; this statement is worded negatively and reverse scored, so a low score means "
            "many respondents agreed with it"
        )
    return text


def key_messages(findings: Findings, max_gaps: int = 2, max_patterns: int = 2) -> list[str]:
    """Plain-text key messages with their numbers, most important first.

    A claim about a gap between groups, or that a statement is below the
    midpoint, is made only where its 95% interval supports it (`key_gaps`,
    `beyond_midpoint`); a statement low or high in most comparator systems is
    said to be so (`relaudit.patterns`).
    """
    messages: list[str] = []
    if len(findings.framework_means):
        parts = [
            f"{findings.label(row['group'])} {fmt_mean(row['mean'])}"
            for _, row in findings.framework_means.iterrows()
        ]
        messages.append(
            f"Average scores on a scale from {findings.scale_min:g} to {findings.scale_max:g} "
            f"(midpoint {findings.midpoint:g}): " + "; ".join(parts) + "."
        )
    told: set[str] = set()
    for frame, words, side in (
        (findings.best, "The highest-scoring statement was ", HIGH),
        (findings.worst, "The lowest-scoring statement was ", LOW),
    ):
        if not len(frame):
            continue
        row = frame.iloc[0]
        text = words + _statement_phrase(row, findings) + "."
        pattern = findings.pattern(row["item_id"])
        if pattern is not None and pattern["pattern"] == side:
            told.add(row["item_id"])
            text += (
                f" It is among the {_top_n_words(side)} statements in "
                f"{_of_systems(pattern)} other systems too: a pattern across systems, "
                "not only a local one."
            )
        messages.append(text)
    if not findings.has_comparator:
        messages.append(
            "There is no comparator: no other system had responses by this system's deadline, "
            "so the scores cannot be set against other systems, nor can this pack say which "
            "statements score low or high in most systems."
        )
    else:
        messages.append(_comparator_message(findings))
    pattern_message = _pattern_message(findings, told, max_patterns)
    if pattern_message:
        messages.append(pattern_message)
    midpoint_message = _midpoint_message(findings)
    if midpoint_message:
        messages.append(midpoint_message)
    messages.extend(_gap_messages(findings, max_gaps))
    return messages


def _top_n_words(side: str) -> str:
    count = NUMBER_WORDS.get(TOP_N, str(TOP_N))
    return f"{count} {'lowest' if side == LOW else 'highest'}-scoring"


def _of_systems(pattern: Mapping[str, Any]) -> str:
    """'9 of the 10', or 'all 7' when every system that ranks it agrees."""
    count, systems = int(pattern["count"]), int(pattern["systems"])
    return f"all {systems}" if count == systems else f"{count} of the {systems}"


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def here_rank(findings: Findings, item_id: str, side: str) -> str:
    """Where a statement ranks in this pack, counted from the `side` ("low": from the
    lowest) as 'lowest here', '3rd lowest of 35 here'; '' when it has no mean here.
    Ties share a place, as ranks do ("min")."""
    mean = findings.item_means.get(item_id)
    if mean is None:
        return ""
    means = list(findings.item_means.values())
    if side == LOW:
        place, word = 1 + sum(m < mean for m in means), "lowest"
    else:
        place, word = 1 + sum(m > mean for m in means), "highest"
    if place == 1:
        return f"{word} of {len(means)} here"
    return f"{_ordinal(place)} {word} of {len(means)} here"


def pattern_sentences(findings: Findings) -> list[str]:
    """One sentence per statement low or high in most comparator systems, with its rank here."""
    sentences = []
    for _, row in findings.patterns.iterrows():
        where = here_rank(findings, row["item_id"], row["pattern"])
        sentences.append(
            f"{_quoted(findings.label(row['item_id']))} is among the "
            f"{_top_n_words(row['pattern'])} statements in {_of_systems(row)} other systems"
            + (f"; it is {where}." if where else "; it has no score here.")
        )
    return sentences


def _pattern_message(findings: Findings, told: set[str], limit: int) -> str:
    """The statements low in most other systems that no earlier message named (the
    `limit` clearest by name, the rest counted), and how many are high in most; the
    best and worst section lists them all."""
    rows = findings.patterns[~findings.patterns["item_id"].isin(list(told))]
    if rows.empty:
        return ""
    low, high = rows[rows["pattern"] == LOW], rows[rows["pattern"] == HIGH]
    parts = []
    if len(low):
        named = [
            f"{_quoted(findings.label(r['item_id']))} ({_of_systems(r)}"
            + (
                f"; {here_rank(findings, r['item_id'], LOW)}"
                if r["item_id"] in findings.item_means
                else ""
            )
            + ")"
            for _, r in low.head(limit).iterrows()
        ]
        if len(low) > limit:
            left = len(low) - limit
            named.append(f"{left} more {_plural(left, 'statement')}")
        verb = "is" if len(named) == 1 else "are"
        parts.append(
            f"{_join(named)} {verb} among the {_top_n_words(LOW)} statements in most of them"
        )
    if len(high):
        parts.append(
            f"{len(high)} {_plural(len(high), 'statement')} "
            f"{'is' if len(high) == 1 else 'are'} among the {_top_n_words(HIGH)} in most"
        )
    return (
        "Some statements score alike in most other systems with responses by this system's "
        "deadline (counted as in the national consistency table): "
        + ", and ".join(parts)
        + ". All are listed under the best and worst statements; read them here as part of "
        "that pattern, not only as local findings."
    )


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _midpoint_message(findings: Findings, limit: int = 3) -> str:
    """Statements whose whole 95% interval lies below the midpoint (none: no message)."""
    below = findings.below_midpoint
    if below is None or below.empty:
        return ""
    count = len(below)
    named = [
        f"{_quoted(findings.label(r['item_id']))} {fmt_mean(r['mean'])} "
        f"(95% interval {fmt_mean(r['ci_low'])} to {fmt_mean(r['ci_high'])})"
        for _, r in below.head(limit).iterrows()
    ]
    lead = "the lowest " if count > limit else ""
    return (
        f"{count} {_plural(count, 'statement')} scored below the midpoint of "
        f"{findings.midpoint:g} with the whole 95% interval below it; {lead}"
        + "; ".join(named)
        + "."
    )


def _gap_messages(findings: Findings, max_gaps: int) -> list[str]:
    """Gaps between groups whose interval excludes zero, or why none is a key message."""
    k = findings.key_message_min_group
    checked = findings.gaps_checked
    if checked == 0:
        if findings.gaps.empty:
            return []
        # Groups are shown (the groups section lists their gaps), but none is large enough.
        return [
            "No gap between respondent groups is a key message here: no statement has two "
            f"groups of at least {k} people to compare."
        ]
    if findings.key_gaps.empty:
        which = (
            "the one statement gap checked"
            if checked == 1
            else f"every one of the {checked} statement gaps checked"
        )
        return [
            f"No gap between respondent groups of at least {k} people is clear: for {which}, "
            "the 95% interval includes zero."
        ]
    messages = []
    for _, gap in findings.key_gaps.head(max_gaps).iterrows():
        grouping = findings.grouping_names.get(gap["grouping"], gap["grouping"])
        high_n, low_n = int(gap["high_n"]), int(gap["low_n"])
        messages.append(
            f"A gap by {grouping.lower()} on {_quoted(findings.label(gap['measure']))}: "
            f"{gap['high_group']} {fmt_mean(gap['high_mean'])} "
            f"({high_n} {_plural(high_n, 'answer')}) against "
            f"{gap['low_group']} {fmt_mean(gap['low_mean'])} ({low_n} {_plural(low_n, 'answer')}), "
            f"a gap of {fmt_mean(gap['gap'])} (95% interval {fmt_mean(gap['gap_ci_low'])} "
            f"to {fmt_mean(gap['gap_ci_high'])})."
        )
    supported = len(findings.key_gaps)
    verb = "has" if supported == 1 else "have"
    messages[-1] += (
        f" {supported} of the {checked} statement gaps checked between groups of at least "
        f"{k} people {verb} an interval clear of zero; with so many checked, some would by "
        "chance, so test them in fieldwork."
    )
    return messages


def _comparator_message(findings: Findings) -> str:
    n_high, n_low = len(findings.higher), len(findings.lower)
    if n_high == 0 and n_low == 0:
        return (
            "No statement differed clearly from the comparator: every 95% interval of the "
            "difference includes zero."
        )
    text = (
        f"Compared with other systems, {n_high} {_plural(n_high, 'statement')} scored higher "
        f"and {n_low} lower (95% interval of the difference excludes zero)."
    )
    if n_low:
        row = findings.lower.iloc[0]
        text += (
            f" The largest shortfall was on {_quoted(findings.label(row['item_id']))}: "
            f"{fmt_mean(row['mean'])} against {fmt_mean(row['comparator_mean'])} "
            f"({fmt_signed(row['diff'])})."
        )
    if n_high:
        row = findings.higher.iloc[0]
        text += (
            f" The largest lead was on {_quoted(findings.label(row['item_id']))}: "
            f"{fmt_mean(row['mean'])} against {fmt_mean(row['comparator_mean'])} "
            f"({fmt_signed(row['diff'])})."
        )
    return text


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


# --- lines of enquiry ---------------------------------------------------------


@dataclass(frozen=True)
class EnquiryRule:
    """One rule from config/enquiry_rules.yaml."""

    id: str
    when: str
    text: str
    threshold: float | None = None
    max: int = 3


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def parse_enquiry_rules(data: Any, source: str = "<enquiry rules>") -> list[EnquiryRule]:
    """Validate a parsed rules document; errors name the file, the rule and the fix."""
    schema = load_schema("enquiry_rules.schema.yaml")
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = list(first.absolute_path)
        where = "(top level)"
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
            rule = data["rules"][path[1]]
            rule_id = rule.get("id", "?") if isinstance(rule, dict) else "?"
            where = f"rule {path[1] + 1} ({rule_id!r})"
            if len(path) > 2:
                where += f", key {'/'.join(str(p) for p in path[2:])}"
        raise ConfigError(
            f"{source}: {where}: {first.message}. Fix: see "
            "workflow/schemas/enquiry_rules.schema.yaml (when is one of "
            f"{', '.join(RULE_FIELDS)})."
        )
    rules: list[EnquiryRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"], start=1):
        where = f"{source}: rule {index} ({raw['id']!r})"
        if raw["id"] in seen:
            raise ConfigError(f"{where}: duplicate id. Fix: give every rule its own id.")
        seen.add(raw["id"])
        try:
            names = _placeholders(raw["text"])
        except ValueError as exc:
            raise ConfigError(
                f"{where}: text is not a valid template ({exc}). "
                "Fix: write placeholders as {name} and a literal brace as {{ or }}."
            ) from exc
        allowed = RULE_FIELDS[raw["when"]]
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ConfigError(
                f"{where}: placeholder {{{unknown[0]}}} is not available when "
                f"'when' is {raw['when']}. Fix: use only "
                + (", ".join("{" + a + "}" for a in allowed) or "no placeholders")
                + "."
            )
        rules.append(
            EnquiryRule(
                id=raw["id"],
                when=raw["when"],
                text=raw["text"],
                threshold=float(raw["threshold"]) if "threshold" in raw else None,
                max=int(raw.get("max", 3)),
            )
        )
    return rules


def load_enquiry_rules(path: str | Path) -> list[EnquiryRule]:
    """Read and validate config/enquiry_rules.yaml."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: enquiry rules file not found. Fix: check the path.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}). Fix: correct the syntax.") from exc
    return parse_enquiry_rules(data, source=str(path))


def _candidates(rule: EnquiryRule, findings: Findings) -> list[tuple[str, dict[str, str]]]:
    """(subject key, placeholder values) pairs a rule fires for, in priority order."""
    out: list[tuple[str, dict[str, str]]] = []
    lower_by_item = {row["item_id"]: row for _, row in findings.lower.iterrows()}
    if rule.when in ("bottom", "bottom_and_lower"):
        for _, row in findings.worst.iterrows():
            values = {
                "statement": findings.label(row["item_id"]),
                "mean": fmt_mean(row["mean"]),
                "pct_positive": fmt_pct(row["pct_positive"]),
            }
            if rule.when == "bottom_and_lower":
                comp = lower_by_item.get(row["item_id"])
                if comp is None:
                    continue
                values["comparator_mean"] = fmt_mean(comp["comparator_mean"])
                values["diff"] = fmt_signed(comp["diff"])
            out.append((f"item:{row['item_id']}", values))
    elif rule.when == "lower":
        for item_id, row in lower_by_item.items():
            out.append(
                (
                    f"item:{item_id}",
                    {
                        "statement": findings.label(item_id),
                        "mean": fmt_mean(row["mean"]),
                        "comparator_mean": fmt_mean(row["comparator_mean"]),
                        "diff": fmt_signed(row["diff"]),
                    },
                )
            )
    elif rule.when == "group_gap":
        threshold = rule.threshold if rule.threshold is not None else 0.0
        # Only gaps the key-message rule supports (groups large enough, interval clear of 0).
        for _, gap in findings.key_gaps.iterrows():
            if gap["gap"] < threshold:
                continue
            grouping = findings.grouping_names.get(gap["grouping"], gap["grouping"])
            out.append(
                (
                    f"gap:{gap['grouping']}:{gap['measure']}",
                    {
                        "measure": findings.label(gap["measure"]),
                        "grouping": grouping.lower(),
                        "high_group": str(gap["high_group"]),
                        "high_mean": fmt_mean(gap["high_mean"]),
                        "low_group": str(gap["low_group"]),
                        "low_mean": fmt_mean(gap["low_mean"]),
                        "gap": fmt_mean(gap["gap"]),
                    },
                )
            )
    elif rule.when == "domain_below":
        threshold = rule.threshold if rule.threshold is not None else findings.midpoint
        # A domain is said to be below only when its whole 95% interval is.
        below = beyond_midpoint(findings.domain_means, threshold, "below").sort_values(
            ["mean", "group"], kind="mergesort"
        )
        for _, row in below.iterrows():
            out.append(
                (
                    f"domain:{row['group']}",
                    {
                        "domain": str(row["group"]),
                        "mean": fmt_mean(row["mean"]),
                        "threshold": f"{threshold:g}",
                    },
                )
            )
    elif rule.when == "no_comparator" and not findings.has_comparator:
        out.append(("no_comparator", {}))
    return out


def lines_of_enquiry(rules: Sequence[EnquiryRule], findings: Findings) -> list[str]:
    """Suggested lines of enquiry: each rule's text filled in for what it fires on.

    Rules run in file order; a subject (a statement, a gap, a domain) gets at
    most one line, from the first rule that fires on it, and each rule gives at
    most `max` lines. Values are inserted once with ``str.format_map``, so text
    inside a value (braces included) is never treated as a template.
    """
    lines: list[str] = []
    used: set[str] = set()
    for rule in rules:
        count = 0
        for subject, values in _candidates(rule, findings):
            if count >= rule.max:
                break
            if subject in used:
                continue
            used.add(subject)
            lines.append(rule.text.format_map(values))
            count += 1
    return lines
