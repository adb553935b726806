"""The report of a programme of populations (``layout: populations``).

A programme of populations surveys several populations on the same
questions (one population rating several targets, another one target, say)
and writes one report. This module holds what that report and its charts know
of the programme (:class:`ProgrammeView`, built from the programme file and
each population's instrument), the report's input tables, the rules that turn
findings into key messages and suggested actions (their texts are config:
``report_rules`` in the programme, validated by
``workflow/schemas/report_rules.schema.yaml``), and the report's sections,
declared with :func:`relaudit.sections.section` for the ``programme`` scope
(partials under ``templates/sections/report/``).

Nothing here names a population, question, target or group: they all come
from the programme and its instruments. Every value a section returns is
escaped by the document's Jinja environment, or is :class:`Markdown` built
from escaped pieces. A suppressed cell is never printed: it shows a mark,
and the table's note says what the mark means.

(Named ``programme_report`` because ``relaudit.report`` is the package of
Snakemake report captions, ``workflow/report/``.)
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from relaudit import blocks
from relaudit.chartset import PopulationPlan, plan_programme_charts
from relaudit.document import Figure
from relaudit.errors import ConfigError
from relaudit.instrument import Instrument
from relaudit.markdown import (
    DASH,
    Markdown,
    as_int,
    blockquote,
    fmt_count,
    fmt_date,
    fmt_mean,
    fmt_pct,
    fmt_signed,
    hidden_mark,
    hidden_reason,
    md_table,
    number,
    with_hidden_note,
)
from relaudit.resources import load_schema
from relaudit.sections import Placed, contexts, resolve, section
from relaudit.suppress import RESPONDENTS
from relaudit.yamlio import load_yaml

SCOPE = "programme"
OVERALL = "overall"
# The group a respondent who skipped a respondent question is counted in; no
# message singles it out (it is not a group anyone chose).
NOT_ANSWERED = "Did not answer"
LABEL_DISTRIBUTION = "label_distribution"
NO_CONTACT_ANSWER = "no_contact"


# --------------------------------------------------------------------------- the programme


@dataclass(frozen=True)
class Question:
    """One rated question: its id, title and the statements at the two scale ends."""

    id: str
    title: str
    low: str = ""
    high: str = ""


@dataclass(frozen=True)
class Grouping:
    """A respondent question results are broken down by, with its groups in order."""

    id: str
    name: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Population:
    """One surveyed population: its targets (id, name) and its breakdown groupings."""

    id: str
    name: str
    targets: tuple[tuple[str, str], ...]
    groupings: tuple[Grouping, ...] = ()

    def target_name(self, target: Any) -> str:
        return dict(self.targets).get(str(target), str(target))

    @property
    def multi_target(self) -> bool:
        return len(self.targets) > 1

    def grouping(self, grouping_id: str) -> Grouping:
        for grouping in self.groupings:
            if grouping.id == grouping_id:
                return grouping
        return Grouping(grouping_id, grouping_id)


@dataclass(frozen=True)
class ProgrammeView:
    """What the report and its charts need to know of a programme of populations."""

    title: str
    populations: tuple[Population, ...]
    questions: tuple[Question, ...]
    min_group_size: int
    scale_min: float = 1.0
    scale_max: float = 4.0
    midpoint: float = 2.5
    # The cross analysis compares `first` with `second` (difference = first - second).
    first: str = ""
    second: str = ""
    census_date: str = ""
    # What the targets of a population that rates several are called ("department").
    target_noun: str = "target"

    def population(self, population_id: Any) -> Population:
        for population in self.populations:
            if population.id == str(population_id):
                return population
        return Population(str(population_id), str(population_id), ())

    def question(self, question_id: Any) -> Question:
        for question in self.questions:
            if question.id == str(question_id):
                return question
        return Question(str(question_id), str(question_id))

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def chart_plans(self) -> list[PopulationPlan]:
        return [
            PopulationPlan(p.id, len(p.targets), tuple(g.id for g in p.groupings))
            for p in self.populations
        ]


def _ends(item: Any) -> tuple[str, str]:
    """An item's two scale-end statements (``scale_ends``), if its instrument has them."""
    ends = getattr(item, "scale_ends", None)
    if ends is None:
        return "", ""
    if isinstance(ends, Mapping):
        return str(ends.get("low", "") or ""), str(ends.get("high", "") or "")
    return str(getattr(ends, "low", "") or ""), str(getattr(ends, "high", "") or "")


def population_from_instrument(population_id: str, name: str, instrument: Instrument) -> Population:
    """A population's targets (ids and names) and breakdown groupings, from its instrument."""
    names = dict(getattr(instrument, "target_names", {}) or {})
    targets = tuple((str(t), str(names.get(t, t))) for t in instrument.targets)
    groupings = tuple(
        Grouping(q.id, q.name, tuple(q.reported_groups))
        for q in instrument.questions_with("breakdown")
    )
    return Population(population_id, name, targets, groupings)


def view_from_programme(
    config: Mapping[str, Any], instruments: Mapping[str, Instrument]
) -> ProgrammeView:
    """The view of a programme file (``layout: populations``) and its instruments.

    Questions come from the first population's instrument (every population
    answers the same questions); each population's targets and groupings from
    its own.
    """
    entries = list(config.get("populations", []))
    if not entries:
        raise ConfigError(
            f"{config.get('programme', 'the programme')}: no populations. "
            "Fix: list them under populations: [{id, name, instrument}]."
        )
    populations = tuple(
        population_from_instrument(
            str(e["id"]), str(e.get("name", e["id"])), instruments[str(e["id"])]
        )
        for e in entries
    )
    first = instruments[populations[0].id]
    questions = tuple(Question(item.id, first.text(item.id), *_ends(item)) for item in first.items)
    cross = config.get("cross_analysis") or {}
    ids = [p.id for p in populations]
    several = [instruments[p.id] for p in populations if p.multi_target]
    scale = first.scale
    return ProgrammeView(
        title=str(config.get("title", first.title)),
        populations=populations,
        questions=questions,
        min_group_size=int(config.get("min_group_size", 5)),
        scale_min=float(scale.min),
        scale_max=float(scale.max),
        midpoint=float(scale.midpoint),
        first=str(cross.get("first", ids[0])),
        second=str(cross.get("second", ids[1] if len(ids) > 1 else ids[0])),
        census_date=str(config.get("census_date", "") or ""),
        target_noun=str(several[0].target_name) if several else "target",
    )


# --------------------------------------------------------------------------- input tables

# Each input table's columns (the contract's, then the ones this report uses):
# an absent file reads as an empty table with these columns.
REPORT_TABLES: dict[str, list[str]] = {
    "question_scores": [
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
    "target_scores": ["population", "target", "n_ratings", "mean"],
    "breakdown_scores": [
        "population",
        "grouping",
        "group",
        "question_id",
        "n",
        "mean",
        "suppressed",
    ],
    "cross_analysis": ["question_id", "diff", "diff_ci_low", "diff_ci_high"],
    "no_contact": ["target", "question_id", "no_contact"],
    "must_haves": ["category", "label"],
    "must_haves_coded": [
        "row",
        "participant_type",
        "population",
        "must_have",
        "suggested",
        "category",
        "moderated",
    ],
    "theme_counts": ["theme", "label", "comments", "pct"],
    "quotes": ["context_type", "context", "rank", "quote", "attribution", "comment_key"],
    "reconciliation": ["population", "rows_read", "kept", "quarantined", "duplicates"],
    "quarantine": ["population", "source_file", "row_number", "response_id", "reason"],
    "cell_issues": ["population"],
    LABEL_DISTRIBUTION: [
        "population",
        "question_id",
        "answer",
        "score",
        "n",
        "pct",
        "suppressed",
    ],
}


def load_report_tables(paths: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Read the report's input tables (Parquet or CSV; missing files: empty tables)."""
    return blocks.load_tables(paths, REPORT_TABLES)


def _rows(frame: pd.DataFrame, **equal: Any) -> pd.DataFrame:
    """The rows of `frame` whose columns equal the given values (as text)."""
    mask = pd.Series(True, index=frame.index)
    for column, value in equal.items():
        if column not in frame.columns:
            return frame.iloc[0:0]
        mask &= frame[column].astype(str) == str(value)
    return frame.loc[mask]


def _shown(row: Mapping[str, Any], column: str = "mean") -> bool:
    """A cell that may be printed: not suppressed, with a number."""
    return not bool(row.get("suppressed", False)) and number(row.get(column)) is not None


# --------------------------------------------------------------------------- label distribution


def label_distribution(
    responses: pd.DataFrame,
    population: str,
    rating_columns: Sequence[Any],
    scores: Sequence[float],
    min_group_size: int,
) -> pd.DataFrame:
    """Each question's ratings by score, and its no-contact answers, pooled over targets.

    One row per question and score, ``answer`` the score as text, ``pct`` the
    share of the question's ratings; then one ``no_contact`` row whose
    ``pct`` is the share of all the question's answers (ratings and no
    contact). `rating_columns` are the instrument's
    :class:`relaudit.instrument.RatingColumn`. A question with fewer than
    `min_group_size` respondents who answered it is suppressed (blank counts).
    """
    by_question: dict[str, list[Any]] = {}
    for column in rating_columns:
        by_question.setdefault(column.item_id, []).append(column)
    rows: list[dict[str, Any]] = []
    for question_id, columns in by_question.items():
        values = pd.concat(
            [pd.to_numeric(responses[c.column], errors="coerce") for c in columns],
            ignore_index=True,
        )
        no_contact = sum(
            int(responses[c.not_rated_column].astype(bool).sum())
            for c in columns
            if c.not_rated_column in responses.columns
        )
        answered = pd.Series(False, index=responses.index)
        for c in columns:
            answered |= pd.to_numeric(responses[c.column], errors="coerce").notna()
            if c.not_rated_column in responses.columns:
                answered |= responses[c.not_rated_column].astype(bool)
        ratings = int(values.notna().sum())
        small = int(answered.sum()) < min_group_size
        for score in scores:
            count = int((values == score).sum())
            rows.append(
                {
                    "population": population,
                    "question_id": question_id,
                    "answer": f"{score:g}",
                    "score": float(score),
                    "n": None if small else count,
                    "pct": math.nan if small or not ratings else 100.0 * count / ratings,
                    "suppressed": small,
                }
            )
        total = ratings + no_contact
        rows.append(
            {
                "population": population,
                "question_id": question_id,
                "answer": NO_CONTACT_ANSWER,
                "score": math.nan,
                "n": None if small else no_contact,
                "pct": math.nan if small or not total else 100.0 * no_contact / total,
                "suppressed": small,
            }
        )
    frame = pd.DataFrame(rows, columns=REPORT_TABLES[LABEL_DISTRIBUTION])
    frame["n"] = frame["n"].astype("Int64")
    return frame


# --------------------------------------------------------------------------- findings


def question_means(view: ProgrammeView, cross: pd.DataFrame, population: str) -> pd.DataFrame:
    """One population's mean per question, pooled over its targets (the cross
    analysis table's ``<population>_mean``): question_id, n, mean, in question order."""
    mean_col, n_col = f"{population}_mean", f"{population}_n"
    if cross.empty or mean_col not in cross.columns:
        return pd.DataFrame(columns=["question_id", "n", "mean"])
    out = pd.DataFrame(
        {
            "question_id": cross["question_id"].astype(str),
            "n": pd.to_numeric(cross.get(n_col), errors="coerce"),
            "mean": pd.to_numeric(cross[mean_col], errors="coerce"),
        }
    )
    order = {q: i for i, q in enumerate(view.question_ids)}
    out = out.assign(_o=out["question_id"].map(lambda q: order.get(q, len(order))))
    return out.sort_values("_o", kind="mergesort").drop(columns="_o").reset_index(drop=True)


def no_contact_averages(view: ProgrammeView, no_contact: pd.DataFrame) -> pd.DataFrame:
    """Each target's mean no-contact count over its questions (the contract's
    department average), most no contact first; ties in programme order."""
    if no_contact.empty:
        return pd.DataFrame(columns=["target", "average", "questions"])
    counts = pd.to_numeric(no_contact["no_contact"], errors="coerce")
    grouped = counts.groupby(no_contact["target"].astype(str), sort=False)
    out = pd.DataFrame({"average": grouped.mean(), "questions": grouped.size()}).reset_index()
    out = out.rename(columns={"index": "target"})
    order = {t: i for p in view.populations for i, (t, _) in enumerate(p.targets)}
    out = out.assign(_o=out["target"].map(lambda t: order.get(t, len(order))))
    out = out.sort_values(["average", "_o"], ascending=[False, True], kind="mergesort")
    return out.drop(columns="_o").reset_index(drop=True)


def clear_gaps(cross: pd.DataFrame) -> pd.DataFrame:
    """Cross-analysis rows whose difference's 95% interval excludes 0, widest first."""
    if cross.empty:
        return cross
    low = pd.to_numeric(cross["diff_ci_low"], errors="coerce")
    high = pd.to_numeric(cross["diff_ci_high"], errors="coerce")
    clear = cross.loc[(low > 0) | (high < 0)]
    size = pd.to_numeric(clear["diff"], errors="coerce").abs()
    return clear.assign(_size=size).sort_values("_size", ascending=False, kind="mergesort")


def multi_target_population(view: ProgrammeView) -> Population | None:
    """The (first) population that rates several targets: the one no contact is about."""
    return next((p for p in view.populations if p.multi_target), None)


# --------------------------------------------------------------------------- rules

Facts = list[dict[str, str]]


@dataclass(frozen=True)
class ReportRule:
    """One key-message or suggested-action rule from ``report_rules.yaml``."""

    rule: str
    text: str
    count: int = 1
    population: str | None = None
    grouping: str | None = None
    min_n: int = 0
    # Said when the rule finds nothing (empty: say nothing).
    none: str = ""


@dataclass(frozen=True)
class ReportRules:
    key_messages: tuple[ReportRule, ...]
    actions: tuple[ReportRule, ...]


# The placeholders each rule kind fills (report_rules.schema.yaml lists the kinds).
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "overall_scores": ("population", "mean", "n_ratings", "max"),
    "lowest_questions": ("population", "question", "mean", "n", "max"),
    "highest_questions": ("population", "question", "mean", "n", "max"),
    "largest_gaps": (
        "question",
        "first",
        "second",
        "first_mean",
        "second_mean",
        "diff",
        "gap",
        "ci_low",
        "ci_high",
        "higher",
        "lower",
    ),
    "most_no_contact": ("population", "target", "average", "questions"),
    "lowest_target": ("population", "target", "mean", "n_ratings", "max"),
    "weakest_group": ("population", "grouping", "group", "mean", "n", "overall_mean", "max"),
}


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def _check_text(text: str, kind: str, where: str) -> None:
    try:
        names = _placeholders(text)
    except ValueError as exc:
        raise ConfigError(
            f"{where}: text is not a valid template ({exc}). "
            "Fix: write placeholders as {name} and a literal brace as {{ or }}."
        ) from exc
    unknown = [n for n in names if n not in RULE_FIELDS[kind]]
    if unknown:
        raise ConfigError(
            f"{where}: placeholder {{{unknown[0]}}} is not filled by rule {kind}. Fix: use only "
            + ", ".join("{" + f + "}" for f in RULE_FIELDS[kind])
            + "."
        )


def parse_report_rules(data: Any, source: str = "<report rules>") -> ReportRules:
    """Validate a parsed ``report_rules.yaml``; errors name the file, the rule and the fix."""
    validator = jsonschema.Draft202012Validator(load_schema("report_rules.schema.yaml"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = list(first.absolute_path)
        where = "(top level)"
        if len(path) >= 2 and isinstance(path[1], int):
            where = f"{path[0]}, entry {path[1] + 1}"
            if len(path) > 2:
                where += f", key {'/'.join(str(p) for p in path[2:])}"
        raise ConfigError(
            f"{source}: {where}: {first.message}. Fix: see "
            f"workflow/schemas/report_rules.schema.yaml (rule is one of {', '.join(RULE_FIELDS)})."
        )
    parsed: dict[str, tuple[ReportRule, ...]] = {}
    for part in ("key_messages", "actions"):
        rules = []
        for index, raw in enumerate(data.get(part, []), start=1):
            where = f"{source}: {part}, entry {index} ({raw['rule']})"
            for key in ("text", "none"):
                if raw.get(key):
                    _check_text(str(raw[key]), raw["rule"], f"{where}, {key}")
            rules.append(
                ReportRule(
                    rule=raw["rule"],
                    text=str(raw["text"]),
                    count=int(raw.get("count", 1)),
                    population=raw.get("population"),
                    grouping=raw.get("grouping"),
                    min_n=int(raw.get("min_n", 0)),
                    none=str(raw.get("none", "") or ""),
                )
            )
        parsed[part] = tuple(rules)
    return ReportRules(parsed["key_messages"], parsed["actions"])


def load_report_rules(path: str | Path) -> ReportRules:
    """Read and validate a programme's ``report_rules.yaml``."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: report rules file not found. Fix: check report_rules in the programme."
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}). Fix: correct the syntax.") from exc
    return parse_report_rules(data, source=str(path))


def check_rule_names(rules: ReportRules, view: ProgrammeView, source: str) -> None:
    """A rule's population or grouping must be one of the programme's."""
    for part, entries in (("key_messages", rules.key_messages), ("actions", rules.actions)):
        for index, rule in enumerate(entries, start=1):
            where = f"{source}: {part}, entry {index} ({rule.rule})"
            ids = [p.id for p in view.populations]
            if rule.population is not None and rule.population not in ids:
                raise ConfigError(
                    f"{where}: population {rule.population!r} is not in the programme. "
                    f"Fix: use one of {', '.join(ids)}."
                )
            if rule.grouping is not None:
                pops = [view.population(rule.population)] if rule.population else view.populations
                known = sorted({g.id for p in pops for g in p.groupings})
                if rule.grouping not in known:
                    raise ConfigError(
                        f"{where}: grouping {rule.grouping!r} is not a breakdown of "
                        f"{rule.population or 'any population'}. Fix: use one of "
                        f"{', '.join(known)}."
                    )


def _max(view: ProgrammeView) -> str:
    return f"{view.scale_max:g}"


def _populations(view: ProgrammeView, rule: ReportRule) -> list[Population]:
    if rule.population:
        return [view.population(rule.population)]
    return list(view.populations)


def _overall_facts(
    view: ProgrammeView, tables: Mapping[str, pd.DataFrame], rule: ReportRule
) -> Facts:
    facts = []
    for population in _populations(view, rule):
        for row in _rows(tables["target_scores"], population=population.id, target=OVERALL).to_dict(
            "records"
        ):
            if number(row["mean"]) is None:
                continue
            facts.append(
                {
                    "population": population.name,
                    "mean": fmt_mean(row["mean"]),
                    "n_ratings": fmt_count(row["n_ratings"]),
                    "max": _max(view),
                }
            )
    return facts


def _question_facts(
    lowest: bool,
) -> Callable[[ProgrammeView, Mapping[str, pd.DataFrame], ReportRule], Facts]:
    def facts(view: ProgrammeView, tables: Mapping[str, pd.DataFrame], rule: ReportRule) -> Facts:
        out = []
        for population in _populations(view, rule):
            means = question_means(view, tables["cross_analysis"], population.id).dropna(
                subset=["mean"]
            )
            ordered = means.sort_values("mean", ascending=lowest, kind="mergesort")
            for row in ordered.head(rule.count).to_dict("records"):
                out.append(
                    {
                        "population": population.name,
                        "question": view.question(row["question_id"]).title,
                        "mean": fmt_mean(row["mean"]),
                        "n": fmt_count(row["n"]),
                        "max": _max(view),
                    }
                )
        return out

    return facts


def _gap_facts(view: ProgrammeView, tables: Mapping[str, pd.DataFrame], rule: ReportRule) -> Facts:
    first, second = view.population(view.first), view.population(view.second)
    out = []
    for row in clear_gaps(tables["cross_analysis"]).head(rule.count).to_dict("records"):
        diff = float(row["diff"])
        higher, lower = (first, second) if diff > 0 else (second, first)
        out.append(
            {
                "question": view.question(row["question_id"]).title,
                "first": first.name,
                "second": second.name,
                "first_mean": fmt_mean(row.get(f"{first.id}_mean")),
                "second_mean": fmt_mean(row.get(f"{second.id}_mean")),
                "diff": fmt_signed(diff),
                "gap": fmt_mean(abs(diff)),
                "ci_low": fmt_signed(row["diff_ci_low"]),
                "ci_high": fmt_signed(row["diff_ci_high"]),
                "higher": higher.name,
                "lower": lower.name,
            }
        )
    return out


def _no_contact_facts(
    view: ProgrammeView, tables: Mapping[str, pd.DataFrame], rule: ReportRule
) -> Facts:
    population = multi_target_population(view)
    if population is None:
        return []
    averages = no_contact_averages(view, tables["no_contact"])
    return [
        {
            "population": population.name,
            "target": population.target_name(row["target"]),
            "average": f"{row['average']:.1f}",
            "questions": fmt_count(row["questions"]),
        }
        for row in averages.head(rule.count).to_dict("records")
    ]


def _target_facts(
    view: ProgrammeView, tables: Mapping[str, pd.DataFrame], rule: ReportRule
) -> Facts:
    out = []
    pops = _populations(view, rule) if rule.population else [multi_target_population(view)]
    for population in [p for p in pops if p is not None and p.multi_target]:
        scores = _rows(tables["target_scores"], population=population.id)
        scores = scores[scores["target"].astype(str) != OVERALL]
        scores = scores.assign(_m=pd.to_numeric(scores["mean"], errors="coerce")).dropna(
            subset=["_m"]
        )
        for row in scores.sort_values("_m", kind="mergesort").head(rule.count).to_dict("records"):
            out.append(
                {
                    "population": population.name,
                    "target": population.target_name(row["target"]),
                    "mean": fmt_mean(row["mean"]),
                    "n_ratings": fmt_count(row["n_ratings"]),
                    "max": _max(view),
                }
            )
    return out


def _group_facts(
    view: ProgrammeView, tables: Mapping[str, pd.DataFrame], rule: ReportRule
) -> Facts:
    """The lowest overall means among groups shown with at least max(k, min_n) respondents."""
    breakdown = tables["breakdown_scores"]
    least = max(view.min_group_size, rule.min_n)
    candidates = []
    for population in _populations(view, rule):
        overall = _rows(tables["target_scores"], population=population.id, target=OVERALL)
        overall_mean = overall["mean"].iloc[0] if len(overall) else None
        part = _rows(breakdown, population=population.id, question_id=OVERALL)
        if rule.grouping:
            part = part[part["grouping"].astype(str) == rule.grouping]
        for row in part.to_dict("records"):
            if not _shown(row) or as_int(row["n"]) < least or str(row["group"]) == NOT_ANSWERED:
                continue
            candidates.append((float(row["mean"]), population, row, overall_mean))
    candidates.sort(key=lambda c: c[0])
    return [
        {
            "population": population.name,
            "grouping": population.grouping(str(row["grouping"])).name,
            "group": str(row["group"]),
            "mean": fmt_mean(row["mean"]),
            "n": fmt_count(row["n"]),
            "overall_mean": fmt_mean(overall_mean),
            "max": _max(view),
        }
        for _, population, row, overall_mean in candidates[: rule.count]
    ]


RULES: dict[str, Callable[[ProgrammeView, Mapping[str, pd.DataFrame], ReportRule], Facts]] = {
    "overall_scores": _overall_facts,
    "lowest_questions": _question_facts(lowest=True),
    "highest_questions": _question_facts(lowest=False),
    "largest_gaps": _gap_facts,
    "most_no_contact": _no_contact_facts,
    "lowest_target": _target_facts,
    "weakest_group": _group_facts,
}


def apply_rules(
    rules: Sequence[ReportRule], view: ProgrammeView, tables: Mapping[str, pd.DataFrame]
) -> list[str]:
    """Each rule's text filled in once per finding it makes, in rule order (plain text:
    the template escapes it)."""
    lines: list[str] = []
    for rule in rules:
        facts = RULES[rule.rule](view, tables, rule)
        if not facts and rule.none:
            lines.append(rule.none.format(**{k: "" for k in RULE_FIELDS[rule.rule]}))
        lines.extend(rule.text.format(**fact) for fact in facts)
    return list(dict.fromkeys(lines))


# --------------------------------------------------------------------------- report data


@dataclass
class ReportData:
    """Everything the report's sections read, worked out once."""

    view: ProgrammeView
    tables: Mapping[str, pd.DataFrame]
    figures: Sequence[Figure]
    rules: ReportRules
    seen_quotes: set[str] = field(default_factory=set)

    @property
    def k(self) -> int:
        return self.view.min_group_size

    def slots(self) -> dict[str, list[Markdown]]:
        """The figures by document slot (relaudit.chartset's programme declarations)."""
        planned = plan_programme_charts(self.view.chart_plans())
        slot_of = {chart.name: chart.slot for chart in planned}
        slots: dict[str, list[Markdown]] = {chart.slot: [] for chart in planned}
        slots.setdefault("other", [])
        for figure in self.figures:
            slots.setdefault(slot_of.get(figure.name, "other"), []).append(figure.markdown)
        return slots


def _hidden_cell(row: Mapping[str, Any], reasons: list[str]) -> Markdown:
    reasons.append(hidden_reason(row))
    return hidden_mark(reasons[-1])


def _mean_n(row: Mapping[str, Any] | None, reasons: list[str]) -> Markdown:
    """'2.31 (40)', a hidden mark, or a dash when there is no row."""
    if row is None:
        return Markdown(DASH)
    if not _shown(row):
        return _hidden_cell(row, reasons)
    return Markdown(f"{fmt_mean(row['mean'])} ({fmt_count(row['n'])})")


def _interval(row: Mapping[str, Any]) -> Markdown:
    if number(row.get("ci_low")) is None or number(row.get("ci_high")) is None:
        return Markdown(DASH)
    return Markdown(f"{fmt_mean(row['ci_low'])} to {fmt_mean(row['ci_high'])}")


# --------------------------------------------------------------------------- sections


@section(SCOPE, "key_messages", "Key messages")
def key_messages(data: ReportData, placed: Placed) -> dict[str, Any]:
    return {"messages": apply_rules(data.rules.key_messages, data.view, data.tables)}


@section(SCOPE, "responses", "Who responded")
def responses(data: ReportData, placed: Placed) -> dict[str, Any]:
    """Responses kept per population, then each population's groups (from the breakdown
    table's overall rows: every kept response has a rating, so n is the group's size)."""
    recon = data.tables["reconciliation"]
    totals = []
    for population in data.view.populations:
        row = blocks.one_row(_rows(recon, population=population.id))
        totals.append({"name": population.name, "kept": as_int(row.get("kept"))})
    groups = []
    for population in data.view.populations:
        part = _rows(data.tables["breakdown_scores"], population=population.id, question_id=OVERALL)
        table_rows: list[list[Any]] = []
        reasons: list[str] = []
        for grouping in population.groupings:
            rows = {
                str(r["group"]): r for r in part[part["grouping"] == grouping.id].to_dict("records")
            }
            order = [g for g in grouping.groups if g in rows] + sorted(
                set(rows) - set(grouping.groups)
            )
            for position, group in enumerate(order):
                row = rows[group]
                shown = _shown(row, "n")
                table_rows.append(
                    [
                        grouping.name if position == 0 else "",
                        group,
                        fmt_count(row["n"]) if shown else _hidden_cell(row, reasons),
                    ]
                )
        if table_rows:
            table = md_table(["Question", "Group", "Respondents"], table_rows, "llr", [30, 30, 12])
            groups.append(
                {"name": population.name, "table": with_hidden_note(table, reasons, data.k)}
            )
    return {"totals": totals, "group_tables": groups}


@section(SCOPE, "overall", "Overall scores")
def overall(data: ReportData, placed: Placed) -> dict[str, Any]:
    scores = data.tables["target_scores"]
    overall_rows, target_tables = [], []
    for population in data.view.populations:
        row = blocks.one_row(_rows(scores, population=population.id, target=OVERALL))
        if row:
            overall_rows.append(
                [population.name, fmt_mean(row.get("mean")), fmt_count(row.get("n_ratings"))]
            )
        if population.multi_target:
            rows = []
            part = _rows(scores, population=population.id)
            by_target = {str(r["target"]): r for r in part.to_dict("records")}
            for target, name in population.targets:
                if target in by_target:
                    r = by_target[target]
                    rows.append([name, fmt_mean(r["mean"]), fmt_count(r["n_ratings"])])
            if rows:
                target_tables.append(
                    {
                        "name": population.name,
                        "table": md_table(
                            ["Rated", "Mean score", "Ratings"], rows, "lrr", [40, 12, 12]
                        ),
                    }
                )
    return {
        "overall_table": md_table(
            ["Population", "Overall score", "Ratings"], overall_rows, "lrr", [40, 12, 12]
        )
        if overall_rows
        else None,
        "target_tables": target_tables,
        "max": _max(data.view),
    }


@section(SCOPE, "questions", "Question by question")
def questions(data: ReportData, placed: Placed) -> dict[str, Any]:
    """Each question with its two end statements and every population's means."""
    scores = data.tables["question_scores"]
    items = []
    for question in data.view.questions:
        rows: list[list[Any]] = []
        reasons: list[str] = []
        for population in data.view.populations:
            part = _rows(scores, population=population.id, question_id=question.id)
            by_target = {str(r["target"]): r for r in part.to_dict("records")}
            for target, name in population.targets:
                row = by_target.get(target)
                if row is None:
                    continue
                label = f"{population.name}: {name}" if population.multi_target else population.name
                shown = _shown(row)
                rows.append(
                    [
                        label,
                        fmt_mean(row["mean"]) if shown else _hidden_cell(row, reasons),
                        fmt_count(row["n"]) if shown else Markdown(DASH),
                        _interval(row) if shown else Markdown(DASH),
                        fmt_count(row["no_contact"]) if shown else Markdown(DASH),
                    ]
                )
        table = (
            with_hidden_note(
                md_table(
                    ["Who rated what", "Mean", "Ratings", "95% interval", "No contact"],
                    rows,
                    "lrrrr",
                    [44, 8, 8, 14, 10],
                ),
                reasons,
                data.k,
            )
            if rows
            else None
        )
        items.append(
            {"title": question.title, "low": question.low, "high": question.high, "table": table}
        )
    return {
        "questions": items,
        "population_slots": [f"{p.id}_questions" for p in data.view.populations],
        "min": f"{data.view.scale_min:g}",
        "max": _max(data.view),
    }


@section(SCOPE, "heatmap", "Scores at a glance")
def heatmap(data: ReportData, placed: Placed) -> dict[str, Any]:
    scores = data.tables["question_scores"]
    tables = []
    for population in [p for p in data.view.populations if p.multi_target]:
        part = _rows(scores, population=population.id)
        cells = {(str(r["target"]), str(r["question_id"])): r for r in part.to_dict("records")}
        reasons: list[str] = []
        rows = []
        for target, name in population.targets:
            row_cells: list[Any] = [name]
            for question in data.view.questions:
                row = cells.get((target, question.id))
                if row is None:
                    row_cells.append(Markdown(DASH))
                elif _shown(row):
                    row_cells.append(fmt_mean(row["mean"]))
                else:
                    row_cells.append(_hidden_cell(row, reasons))
            rows.append(row_cells)
        headers = ["Rated", *[q.title for q in data.view.questions]]
        table = md_table(headers, rows, "l" + "r" * len(data.view.questions))
        tables.append(
            {
                "name": population.name,
                "slot": f"{population.id}_heatmap",
                "table": with_hidden_note(table, reasons, data.k),
            }
        )
    return {"heatmaps": tables}


@section(SCOPE, "no_contact", "No contact")
def no_contact(data: ReportData, placed: Placed) -> dict[str, Any]:
    population = multi_target_population(data.view)
    table = data.tables["no_contact"]
    if population is None or table.empty:
        return {"population": None, "table": None, "respondents": 0, "noun": data.view.target_noun}
    averages = {
        str(r["target"]): r["average"]
        for r in no_contact_averages(data.view, table).to_dict("records")
    }
    cells = {
        (str(r["target"]), str(r["question_id"])): r["no_contact"] for r in table.to_dict("records")
    }
    rows = []
    for target, name in population.targets:
        rows.append(
            [
                name,
                *[fmt_count(cells.get((target, q.id))) for q in data.view.questions],
                Markdown(f"{averages[target]:.1f}") if target in averages else Markdown(DASH),
            ]
        )
    headers = [
        data.view.target_noun.capitalize(),
        *[q.title for q in data.view.questions],
        "Average",
    ]
    recon = blocks.one_row(_rows(data.tables["reconciliation"], population=population.id))
    return {
        "population": population.name,
        "respondents": as_int(recon.get("kept")),
        "noun": data.view.target_noun,
        "table": md_table(headers, rows, "l" + "r" * (len(headers) - 1)),
    }


@section(SCOPE, "breakdowns", "Differences between groups")
def breakdowns(data: ReportData, placed: Placed) -> dict[str, Any]:
    """Each population's groupings: groups x (overall, each question), small groups hidden."""
    breakdown = data.tables["breakdown_scores"]
    populations = []
    for population in data.view.populations:
        part = _rows(breakdown, population=population.id)
        groupings = []
        for grouping in population.groupings:
            cells = {
                (str(r["group"]), str(r["question_id"])): r
                for r in part[part["grouping"].astype(str) == grouping.id].to_dict("records")
            }
            present = list(dict.fromkeys(g for g, _ in cells))
            order = [g for g in grouping.groups if g in present] + sorted(
                set(present) - set(grouping.groups)
            )
            reasons: list[str] = []
            rows = []
            for group in order:
                overall_row = cells.get((group, OVERALL))
                rows.append(
                    [
                        group,
                        _mean_n(overall_row, reasons),
                        *[
                            fmt_mean(cells[(group, q.id)]["mean"])
                            if (group, q.id) in cells and _shown(cells[(group, q.id)])
                            else (
                                _hidden_cell(cells[(group, q.id)], reasons)
                                if (group, q.id) in cells
                                else Markdown(DASH)
                            )
                            for q in data.view.questions
                        ],
                    ]
                )
            if not rows:
                continue
            headers = [
                grouping.name,
                "Overall (respondents)",
                *[q.title for q in data.view.questions],
            ]
            table = md_table(headers, rows, "l" + "r" * (len(headers) - 1))
            groupings.append(
                {
                    "name": grouping.name,
                    "slot": f"{population.id}_{grouping.id}",
                    "table": with_hidden_note(table, reasons, data.k, RESPONDENTS),
                }
            )
        if groupings:
            populations.append({"name": population.name, "groupings": groupings})
    return {"populations": populations}


@section(SCOPE, "cross_analysis", "How the two sides compare")
def cross_analysis(data: ReportData, placed: Placed) -> dict[str, Any]:
    view, cross = data.view, data.tables["cross_analysis"]
    first, second = view.population(view.first), view.population(view.second)
    by_question = {str(r["question_id"]): r for r in cross.to_dict("records")}
    rows = []
    clear = set(clear_gaps(cross)["question_id"].astype(str)) if len(cross) else set()
    for question in view.questions:
        row = by_question.get(question.id)
        if row is None:
            continue
        rows.append(
            [
                question.title,
                Markdown(
                    f"{fmt_mean(row.get(f'{first.id}_mean'))} "
                    f"({fmt_count(row.get(f'{first.id}_n'))})"
                ),
                Markdown(
                    f"{fmt_mean(row.get(f'{second.id}_mean'))} "
                    f"({fmt_count(row.get(f'{second.id}_n'))})"
                ),
                fmt_signed(row["diff"]),
                Markdown(f"{fmt_signed(row['diff_ci_low'])} to {fmt_signed(row['diff_ci_high'])}"),
                "yes" if question.id in clear else "no",
            ]
        )
    table = (
        md_table(
            [
                "Question",
                f"{first.name}: mean (people)",
                f"{second.name}: mean (people)",
                "Difference",
                "95% interval",
                "Clear of zero",
            ],
            rows,
            "lrrrrc",
            [30, 14, 14, 10, 16, 8],
        )
        if rows
        else None
    )
    return {
        "first": first.name,
        "second": second.name,
        "table": table,
        "n_clear": len(clear),
        "n_questions": len(rows),
    }


def _side_columns(view: ProgrammeView, table: pd.DataFrame) -> list[Population]:
    """The populations the must-haves table has a column for, in programme order."""
    return [p for p in view.populations if p.id in table.columns]


@section(SCOPE, "must_haves", "What each side said it must have")
def must_haves(data: ReportData, placed: Placed, examples: int = 1) -> dict[str, Any]:
    """Categories with each side's counts and shares, and redacted examples."""
    table = data.tables["must_haves"]
    coded = data.tables["must_haves_coded"]
    sides = _side_columns(data.view, table)
    rows = []
    example_blocks = []
    totals = {p.id: int(pd.to_numeric(table[p.id], errors="coerce").fillna(0).sum()) for p in sides}
    for row in table.to_dict("records"):
        rows.append(
            [
                row["label"],
                *[
                    Markdown(f"{fmt_count(row[p.id])} ({fmt_pct(row.get(f'{p.id}_pct'))})")
                    for p in sides
                ],
            ]
        )
        quotes = []
        for population in sides:
            part = _rows(coded, category=row["category"], population=population.id)
            if "row" in part.columns:
                part = part.sort_values("row", kind="mergesort")
            for text in part["must_have"].head(examples):
                if isinstance(text, str) and text.strip():
                    quotes.append(blockquote({"quote": text, "attribution": population.name}))
        if quotes:
            example_blocks.append({"label": row["label"], "quotes": quotes})
    return {
        "table": md_table(
            ["Category", *[f"{p.name}: number (%)" for p in sides]],
            rows,
            "l" + "r" * len(sides),
            [40, *[16] * len(sides)],
        )
        if rows
        else None,
        "totals": [{"name": p.name, "count": totals[p.id]} for p in sides],
        "examples": example_blocks,
    }


@section(SCOPE, "themes", "Themes from comments")
def themes(data: ReportData, placed: Placed) -> dict[str, Any]:
    counts = data.tables["theme_counts"]
    quotes = data.tables["quotes"]
    if "population" not in counts.columns:
        return {
            "groups": [
                {
                    "name": "",
                    "table": blocks.theme_table(counts),
                    "quotes": blocks.theme_quotes(counts, quotes, 1, data.seen_quotes),
                }
            ]
        }
    groups = []
    for population in data.view.populations:
        part = _rows(counts, population=population.id)
        quote_part = (
            _rows(quotes, population=population.id) if "population" in quotes.columns else quotes
        )
        if part.empty:
            continue
        groups.append(
            {
                "name": population.name,
                "table": blocks.theme_table(part),
                "quotes": blocks.theme_quotes(part, quote_part, 1, data.seen_quotes),
            }
        )
    return {"groups": groups}


@section(SCOPE, "actions", "Suggested actions")
def actions(data: ReportData, placed: Placed) -> dict[str, Any]:
    return {"actions": apply_rules(data.rules.actions, data.view, data.tables)}


@section(SCOPE, "method", "Method and caveats")
def method(data: ReportData, placed: Placed) -> dict[str, Any]:
    return {}


QUARANTINE_REASONS = {
    **blocks.QUARANTINE_REASONS,
    "no_answers": "No rating given anywhere",
    "after_census": "Submitted after the survey closed",
}


@section(SCOPE, "data_quality", "Data quality")
def data_quality(data: ReportData, placed: Placed) -> dict[str, Any]:
    """Reconciliation per population, quarantine reasons and cell-issue counts (never
    the cells themselves)."""
    recon, quarantine, issues = (
        data.tables["reconciliation"],
        data.tables["quarantine"],
        data.tables["cell_issues"],
    )
    rows = []
    for population in data.view.populations:
        row = blocks.one_row(_rows(recon, population=population.id))
        if not row:
            continue
        rows.append(
            [
                population.name,
                fmt_count(row.get("rows_read")),
                fmt_count(row.get("kept")),
                fmt_count(row.get("duplicates")),
                fmt_count(row.get("quarantined")),
                fmt_count(len(_rows(issues, population=population.id))),
            ]
        )
    reasons = []
    if not quarantine.empty:
        counted_reasons = quarantine.groupby(
            [quarantine["population"].astype(str), quarantine["reason"].astype(str)], sort=False
        ).size()
        for population in data.view.populations:
            for (pop, reason), count in counted_reasons.items():
                if pop == population.id and reason != "duplicate":
                    reasons.append(
                        [population.name, QUARANTINE_REASONS.get(reason, reason), fmt_count(count)]
                    )
    return {
        "reconciliation": md_table(
            ["Population", "Rows read", "Kept", "Repeats", "Set aside", "Answers not read"],
            rows,
            "lrrrrr",
        )
        if rows
        else None,
        "reasons": md_table(
            ["Population", "Reason set aside", "Responses"], reasons, "llr", [20, 40, 10]
        )
        if reasons
        else None,
        "n_issues": len(issues),
    }


# --------------------------------------------------------------------------- the document


def report_context(
    view: ProgrammeView,
    tables: Mapping[str, pd.DataFrame],
    figures: Sequence[Figure],
    rules: ReportRules,
    *,
    sections: Sequence[str | Mapping[str, Any]] | None = None,
    source: str = "the programme",
    document: str = "report",
) -> dict[str, Any]:
    """Everything ``templates/report.qmd.j2`` needs: the common values and each section's."""
    data = ReportData(view, tables, figures, rules)
    placed = resolve(SCOPE, sections, source, document)
    names = [p.name for p in view.populations]
    return {
        "title": view.title,
        "subtitle": "Survey results and workshop findings"
        + (f", survey closed {fmt_date(view.census_date)}" if view.census_date else ""),
        "header": view.title,
        "figures": data.slots(),
        "populations": names,
        "method": {
            "k": view.min_group_size,
            "min": f"{view.scale_min:g}",
            "max": f"{view.scale_max:g}",
            "midpoint": f"{view.midpoint:g}",
            "first": view.population(view.first).name,
            "second": view.population(view.second).name,
            "target_noun": view.target_noun,
        },
        "sections": contexts(placed, data),
    }


def write_report(
    view: ProgrammeView,
    tables: Mapping[str, pd.DataFrame],
    rules: ReportRules,
    figures_json: str | Path,
    qmd: str | Path,
    *,
    sections: Sequence[str | Mapping[str, Any]] | None = None,
    source: str = "the programme",
    template: str = "report.qmd.j2",
) -> Path:
    """Write the report's ``.qmd`` (figures referenced relative to it)."""
    import shutil

    from relaudit.document import load_figures, render_template, write_qmd

    qmd = Path(qmd)
    # Documents read figures only from inside their own folder (relaudit.document's
    # path guard, Typst's root), so the charts are copied beside the report.
    local = qmd.parent / "figures"
    local.mkdir(parents=True, exist_ok=True)
    source = Path(figures_json)
    if source.is_file():
        for path in sorted(source.parent.iterdir()):
            if path.suffix in (".svg", ".png", ".json"):
                shutil.copyfile(path, local / path.name)
    context = report_context(
        view,
        tables,
        load_figures(local / source.name, qmd.parent),
        rules,
        sections=sections,
        source=source,
    )
    return write_qmd(render_template(template, context), qmd)
