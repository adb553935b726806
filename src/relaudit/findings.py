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
from relaudit.resources import load_schema
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

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


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
) -> Findings:
    """Collect the findings of one system from its tables.

    `domain_groupings` are the groupings whose groups the domain_below rule
    reads (those of the frameworks without a grid); `exclude_groups` the
    derived groups left out of group gaps.
    """
    best, worst = best_and_worst(scores, top_n)
    higher, lower = comparator_differences(comparator)
    domains = group_scores[
        group_scores["grouping"].isin(list(domain_groupings)) & group_scores["mean"].notna()
    ].reset_index(drop=True)
    frameworks = group_scores[
        (group_scores["grouping"] == "framework") & group_scores["mean"].notna()
    ].reset_index(drop=True)
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


def key_messages(findings: Findings, max_gaps: int = 2) -> list[str]:
    """Plain-text key messages with their numbers, most important first."""
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
    if len(findings.best):
        messages.append(
            "The highest-scoring statement was "
            + _statement_phrase(findings.best.iloc[0], findings)
            + "."
        )
    if len(findings.worst):
        messages.append(
            "The lowest-scoring statement was "
            + _statement_phrase(findings.worst.iloc[0], findings)
            + "."
        )
    if not findings.has_comparator:
        messages.append(
            "There is no comparator: no other system had responses by this system's deadline, "
            "so the scores cannot be set against other systems."
        )
    else:
        messages.append(_comparator_message(findings))
    for _, gap in findings.gaps.head(max_gaps).iterrows():
        grouping = findings.grouping_names.get(gap["grouping"], gap["grouping"])
        messages.append(
            f"A wide gap by {grouping.lower()} on {_quoted(findings.label(gap['measure']))}: "
            f"{gap['high_group']} {fmt_mean(gap['high_mean'])} (n = {gap['high_n']}) against "
            f"{gap['low_group']} {fmt_mean(gap['low_mean'])} (n = {gap['low_n']}), "
            f"a gap of {fmt_mean(gap['gap'])}."
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
        for _, gap in findings.gaps.iterrows():
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
        domains = findings.domain_means
        below = domains[domains["mean"] < threshold].sort_values(
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
