"""The briefing pack: its input tables and its sections' contexts.

Each section is declared with :func:`relaudit.sections.section`; its context
function takes the pack's :class:`PackData` (everything read and worked out
once per system) and returns what its partial under
``templates/sections/briefing/`` needs, escaped or Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from relaudit import blocks
from relaudit import findings as fnd
from relaudit.comparison import COMPARED, NOT_COMPARABLE, has_comparator, reworded_items
from relaudit.config import System
from relaudit.document import Figure, place_figures
from relaudit.instrument import Instrument
from relaudit.labels import short_labels
from relaudit.markdown import Markdown, as_int, blockquote, fmt_date, fmt_mean, fmt_signed, md_table
from relaudit.sections import Placed, contexts, resolve, section
from relaudit.tables import columns_by_name

# The document's input tables, with their declared columns (relaudit.tables).
BRIEFING_TABLES = columns_by_name(
    "system",
    [
        "statement_scores",
        "group_scores",
        "label_distribution",
        "comparator",
        "comparator_summary",
        "breakdown_scores",
        "profile",
        "pool_consistency",
        "group_gaps",
        "quotes",
        "theme_counts",
        "comment_rates",
        "reconciliation",
        "quarantine",
    ],
)

SCOPE = "system"


def load_tables(paths: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Read the pack's input tables (missing files give empty tables)."""
    return blocks.load_tables(paths, BRIEFING_TABLES)


@dataclass
class PackData:
    """One system's inputs, and what several sections work out from them."""

    system: System
    instrument: Instrument
    tables: Mapping[str, pd.DataFrame]
    figures: Sequence[Figure]
    validation: Mapping[str, Any]
    rules: Sequence[fnd.EnquiryRule]
    k: int
    top_n: int
    census_date: str | dt.date | None = None
    # Comments already quoted in an earlier section (each is quoted once).
    seen_quotes: set[str] = field(default_factory=set)
    # Key messages (config): the group size a gap needs, and the comparator
    # systems a national pattern needs.
    key_message_min_group: int = fnd.DEFAULT_KEY_MESSAGE_MIN_GROUP
    pattern_min_systems: int = fnd.DEFAULT_PATTERN_MIN_SYSTEMS

    @property
    def version(self) -> str | None:
        return self.system.questionnaire_version

    @cached_property
    def labels(self) -> dict[str, str]:
        return blocks.statement_labels(self.instrument, self.version)

    @cached_property
    def names(self) -> dict[str, str]:
        return blocks.grouping_names(self.instrument)

    @cached_property
    def found(self) -> fnd.Findings:
        scale = self.instrument.scale
        return fnd.build_findings(
            self.tables["statement_scores"],
            self.tables["comparator"],
            self.tables["breakdown_scores"],
            self.tables["group_scores"],
            top_n=self.top_n,
            midpoint=scale.midpoint,
            scale_min=scale.min,
            scale_max=scale.max,
            labels=self.labels,
            grouping_names=self.names,
            domain_groupings=blocks.domain_groupings(self.instrument),
            exclude_groups=blocks.derived_groups(self.instrument),
            reversed_items=[item.id for item in self.instrument.items if item.reverse],
            pool_consistency=self.tables.get("pool_consistency"),
            gap_table=self.tables.get("group_gaps"),
            key_message_min_group=self.key_message_min_group,
            pattern_min_systems=self.pattern_min_systems,
        )

    @cached_property
    def recon(self) -> dict[str, Any]:
        reconciliation = self.tables["reconciliation"]
        recon = blocks.one_row(reconciliation[reconciliation["system_id"] == self.system.system_id])
        return recon or blocks.one_row(reconciliation)


def comparator_table(frame: pd.DataFrame, instrument: Instrument, version: str | None) -> Markdown:
    rows = []
    for _, row in frame.iterrows():
        interval = Markdown(
            f"{fmt_signed(row['diff'])} ({fmt_signed(row['diff_ci_low'])} to "
            f"{fmt_signed(row['diff_ci_high'])})"
        )
        rows.append(
            [
                blocks.statement_cell(instrument, row["item_id"], version),
                fmt_mean(row["mean"]),
                fmt_mean(row["comparator_mean"]),
                interval,
            ]
        )
    return md_table(
        ["Statement", "This system", "Other systems", "Difference (95% CI)"],
        rows,
        "lrrr",
        [52, 10, 10, 22],
    )


def comparator_versions(
    comparator: pd.DataFrame, instrument: Instrument, labels: Mapping[str, str]
) -> dict[str, Any]:
    """How questionnaire versions shaped the comparator: the statements compared, the
    reworded ones (compared within a wording only) and those no comparable system
    answered (flag ``not_comparable``)."""
    flags = comparator["flag"].fillna("").astype(str) if len(comparator) else pd.Series([])
    items = comparator["item_id"].astype(str) if len(comparator) else pd.Series([])
    apart = [labels.get(i, i) for i in items[flags == NOT_COMPARABLE]]
    return {
        "n_compared": int(flags.isin(COMPARED).sum()),
        "reworded": [labels.get(i, i) for i in reworded_items(instrument)],
        "not_comparable": apart,
    }


def common_context(data: PackData) -> dict[str, Any]:
    """What the front matter and several sections use."""
    system, instrument, found = data.system, data.instrument, data.found
    summary = blocks.one_row(data.tables["comparator_summary"])
    comparator = data.tables["comparator"]
    return {
        "title": f"{system.name}: briefing pack",
        "subtitle": f"{instrument.title}, survey deadline {fmt_date(system.deadline)}",
        "header": system.name,
        "system": {
            "name": system.name,
            "deadline": system.deadline,
            "version": data.version,
            "review_order": system.review_order,
        },
        "counts": {
            "on_time": as_int(
                data.recon.get("kept_on_time"), as_int(data.tables["statement_scores"]["n"].max())
            ),
            "late": as_int(data.recon.get("kept_late")),
        },
        "comparator": {
            "present": has_comparator(comparator),
            "n_systems": as_int(summary.get("n_systems")),
            "responses": as_int(summary.get("responses")),
            "cutoff": summary.get("cutoff") if isinstance(summary.get("cutoff"), str) else None,
            "note": summary.get("note") if isinstance(summary.get("note"), str) else "",
            "higher": comparator_table(found.higher, instrument, data.version)
            if len(found.higher)
            else None,
            "lower": comparator_table(found.lower, instrument, data.version)
            if len(found.lower)
            else None,
            "n_higher": len(found.higher),
            "n_lower": len(found.lower),
            "n_statements": len(comparator),
            **comparator_versions(comparator, instrument, short_labels(instrument)),
        },
        "figures": place_figures(data.figures, data.instrument),
        "method": blocks.method_facts(instrument, data.k),
        "top_n": data.top_n,
        "census_date": data.census_date,
    }


# --- the sections, in the order of the demo programme -------------------------


@section(SCOPE, "cover", "About this pack")
def cover(data: PackData, placed: Placed) -> dict[str, Any]:
    return {}


@section(SCOPE, "key_messages", "Key messages")
def key_messages(data: PackData, placed: Placed) -> dict[str, Any]:
    return {"key_messages": fnd.key_messages(data.found)}


@section(SCOPE, "profile", "Who responded")
def profile(data: PackData, placed: Placed) -> dict[str, Any]:
    return {"profile_table": blocks.profile_table(data.tables["profile"], data.instrument, data.k)}


@section(SCOPE, "frameworks", "The frameworks")
def frameworks(data: PackData, placed: Placed) -> dict[str, Any]:
    return {
        "frameworks": blocks.frameworks_list(data.instrument),
        "framework_means": [
            {"name": data.labels.get(row["group"], row["group"]), "mean": row["mean"]}
            for _, row in data.found.framework_means.iterrows()
        ],
        **blocks.level_means(data.tables["group_scores"], data.instrument),
    }


@section(SCOPE, "best_worst", "Best and worst statements")
def best_worst(data: PackData, placed: Placed) -> dict[str, Any]:
    found, instrument = data.found, data.instrument
    statement_quotes = blocks.quotes_by_context(data.tables["quotes"], "statement")
    worst_quotes = []
    for _, row in found.worst.iterrows():
        for quote in statement_quotes.get(row["item_id"], [])[:1]:
            if quote["key"] in data.seen_quotes:
                continue
            data.seen_quotes.add(quote["key"])
            worst_quotes.append(
                {
                    "statement": data.labels.get(row["item_id"], row["item_id"]),
                    "quote": blockquote(quote),
                }
            )
    return {
        "best_table": blocks.statement_table(found.best, instrument, data.version)
        if len(found.best)
        else None,
        "worst_table": blocks.statement_table(found.worst, instrument, data.version)
        if len(found.worst)
        else None,
        "worst_quotes": worst_quotes,
        # Statements low or high in most comparator systems, with their rank here.
        "patterns": fnd.pattern_sentences(found),
    }


@section(SCOPE, "comparator", "Differences from other systems")
def comparator(data: PackData, placed: Placed) -> dict[str, Any]:
    return {}


@section(SCOPE, "groups", "Differences between groups")
def groups(data: PackData, placed: Placed) -> dict[str, Any]:
    """Framework means by each breakdown question, and the statement sets by theirs."""
    instrument, breakdown, names, labels = (
        data.instrument,
        data.tables["breakdown_scores"],
        data.names,
        data.labels,
    )
    groupings = [q.id for q in instrument.questions_with("breakdown")]
    group_tables = []
    for grouping in groupings:
        table = blocks.framework_breakdown(breakdown, instrument, grouping, data.k)
        if table is not None:
            group_tables.append(
                {"name": names.get(grouping, grouping), "grouping": grouping, "table": table}
            )
    return {
        "groupings": groupings,
        "group_tables": group_tables,
        # Charts placed beside their table (the others follow the tables).
        "group_slots": [g["grouping"] for g in group_tables],
        "statement_sets": [
            blocks.statement_set_block(breakdown, instrument, s, data.version, data.k, False)
            for s in instrument.statement_sets
            if not s.annex_only
        ],
        "gaps": widest_gaps(data.tables.get("group_gaps"), names, labels),
        "gap_min_group": data.key_message_min_group,
    }


def widest_gaps(
    table: pd.DataFrame | None,
    names: Mapping[str, str],
    labels: Mapping[str, str],
    count: int = 5,
) -> list[str]:
    """The `count` widest gaps of the pack's ``group_gaps`` table, each with its interval
    and whether the interval is clear of zero (the key messages' rule)."""
    if table is None or table.empty:
        return []
    widest = table.sort_values(["gap", "grouping", "measure"], ascending=[False, True, True])
    lines = []
    for _, g in widest.head(count).iterrows():
        verdict = "clear of zero" if bool(g["supported"]) else "includes zero, so it may be chance"
        lines.append(
            f"{names.get(g['grouping'], g['grouping'])}: "
            f"\u201c{labels.get(g['measure'], g['measure'])}\u201d, {g['high_group']} "
            f"{fnd.fmt_mean(g['high_mean'])} ({int(g['high_n'])} answers) against "
            f"{g['low_group']} {fnd.fmt_mean(g['low_mean'])} ({int(g['low_n'])} answers): "
            f"gap {fnd.fmt_mean(g['gap'])}, 95% interval {fnd.fmt_mean(g['gap_ci_low'])} to "
            f"{fnd.fmt_mean(g['gap_ci_high'])}, {verdict}"
        )
    return lines


@section(SCOPE, "themes", "Themes and quotes from comments")
def themes(data: PackData, placed: Placed) -> dict[str, Any]:
    """Themes, comment rates (by the entry's `groupings`, if given) and quotes."""
    themes = data.tables["theme_counts"]
    return {
        "themes": blocks.theme_table(themes),
        "theme_quotes": blocks.theme_quotes(themes, data.tables["quotes"], 2, data.seen_quotes),
        "comment_rates": blocks.comment_rate_table(
            data.tables["comment_rates"], data.instrument, data.k, placed.options.get("groupings")
        ),
    }


@section(SCOPE, "enquiry", "Suggested lines of enquiry")
def enquiry(data: PackData, placed: Placed) -> dict[str, Any]:
    return {"enquiry": fnd.lines_of_enquiry(data.rules, data.found)}


@section(SCOPE, "method", "Method and caveats")
def method(data: PackData, placed: Placed) -> dict[str, Any]:
    return {}


@section(SCOPE, "data_quality", "Data quality")
def data_quality(data: PackData, placed: Placed) -> dict[str, Any]:
    cell_issues = data.validation.get("cell_issues", 0)
    if isinstance(cell_issues, list):
        cell_issues = len(cell_issues)
    recon = data.recon
    return {
        "data_quality": {
            "quarantine": blocks.quarantine_table(data.tables["quarantine"]),
            "late": as_int(recon.get("kept_late")),
            "cell_issues": as_int(cell_issues),
            # Counted, not named: the columns the survey tool adds are not data.
            "housekeeping": len(data.validation.get("housekeeping_columns", [])),
            "rows_read": as_int(recon.get("rows_read")),
            "duplicates": as_int(recon.get("duplicates")),
            "quarantined": as_int(recon.get("quarantined")),
        }
    }


def briefing_context(
    system: System,
    instrument: Instrument,
    tables: Mapping[str, pd.DataFrame],
    figures: Sequence[Figure],
    validation: Mapping[str, Any],
    rules: Sequence[fnd.EnquiryRule],
    *,
    min_group_size: int,
    top_n: int,
    census_date: str | dt.date | None = None,
    sections: Sequence[str | Mapping[str, Any]] | None = None,
    source: str = "the programme",
    key_message_min_group: int = fnd.DEFAULT_KEY_MESSAGE_MIN_GROUP,
    pattern_min_systems: int = fnd.DEFAULT_PATTERN_MIN_SYSTEMS,
) -> dict[str, Any]:
    """Everything templates/briefing.qmd.j2 needs: the common values and each
    section's context, for the programme's `sections` (None: every section)."""
    data = PackData(
        system,
        instrument,
        tables,
        figures,
        validation,
        rules,
        k=min_group_size,
        top_n=top_n,
        census_date=census_date,
        key_message_min_group=key_message_min_group,
        pattern_min_systems=pattern_min_systems,
    )
    placed = resolve(SCOPE, sections, source, "briefing")
    return {**common_context(data), "sections": contexts(placed, data)}
