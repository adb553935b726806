"""The national annex: its input tables and its sections' contexts.

Each section is declared with :func:`relaudit.sections.section`; its context
function takes the annex's :class:`AnnexData` and returns what its partial
under ``templates/sections/annex/`` needs. Systems are never named in
findings, only in the table of responses.
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
from relaudit.config import System
from relaudit.document import Figure, place_figures
from relaudit.instrument import Instrument
from relaudit.markdown import Markdown, fmt_count, fmt_date, md_table, number_ranges
from relaudit.sections import Placed, contexts, resolve, section
from relaudit.tables import columns_by_name

# The document's input tables, with their declared columns (relaudit.tables).
ANNEX_TABLES = columns_by_name(
    "national",
    [
        "scope_basis",
        "statement_scores",
        "group_scores",
        "response_summary",
        "label_distribution",
        "breakdown_scores",
        "breakdown_labels",
        "consistency",
        "profile",
        "quotes",
        "theme_counts",
        "comment_rates",
        "reconciliation",
        "quarantine",
    ],
)

SCOPE = "national"


def load_annex_tables(paths: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Read the national input tables (missing files give empty tables)."""
    return blocks.load_tables(paths, ANNEX_TABLES)


@dataclass
class AnnexData:
    """The national inputs, and what several sections work out from them."""

    instrument: Instrument
    tables: Mapping[str, pd.DataFrame]
    figures: Sequence[Figure]
    k: int
    top_n: int
    census_date: str | dt.date
    systems: Sequence[System] = ()
    seen_quotes: set[str] = field(default_factory=set)

    @cached_property
    def labels(self) -> dict[str, str]:
        return blocks.statement_labels(self.instrument, None)

    @cached_property
    def national_groups(self) -> pd.DataFrame:
        group_scores = self.tables["group_scores"]
        return group_scores[group_scores["scope"] == "national"]

    @cached_property
    def reworded(self) -> list[dict[str, Any]]:
        return reworded_items(self.instrument)


# --- helpers ------------------------------------------------------------------


def reworded_items(instrument: Instrument) -> list[dict[str, Any]]:
    """Statements whose wording changed between consecutive questionnaire versions."""
    out = []
    for old, new in zip(instrument.versions, instrument.versions[1:], strict=False):
        for item in instrument.items:
            if item.text[old] != item.text[new]:
                out.append(
                    {
                        "old_version": old,
                        "new_version": new,
                        "item_id": item.id,
                        "where": ", ".join(item.position.values()),
                        "old": item.text[old],
                        "new": item.text[new],
                    }
                )
    return out


def _extremes(
    breakdown: pd.DataFrame, grouping: str, measure: str, skip: Sequence[str]
) -> tuple[pd.Series, pd.Series] | None:
    """Highest and lowest unsuppressed group on a measure (None if fewer than two)."""
    part = breakdown[
        (breakdown["grouping"] == grouping)
        & (breakdown["measure"] == measure)
        & breakdown["mean"].notna()
        & ~breakdown["suppressed"].map(blocks.is_suppressed)
        & ~breakdown["group"].isin(list(skip))
    ]
    if len(part) < 2:
        return None
    ordered = part.sort_values(["mean", "group"], ascending=[False, True], kind="mergesort")
    return ordered.iloc[0], ordered.iloc[-1]


def group_sentences(breakdown: pd.DataFrame, instrument: Instrument, grouping: str) -> list[str]:
    """'<Framework>: highest X (2.95), lowest Y (2.60).' per framework."""
    sentences = []
    try:
        question = instrument.question(grouping)
        skip = [question.multiple, question.none]
    except KeyError:
        skip = blocks.derived_groups(instrument)
    for fw in instrument.frameworks:
        pair = _extremes(breakdown, grouping, fw.id, skip)
        if pair is None:
            continue
        high, low = pair
        sentences.append(
            f"{fw.name}: highest among {high['group']} respondents "
            f"({fnd.fmt_mean(high['mean'])}, n = {int(high['n']):,}), lowest among "
            f"{low['group']} respondents ({fnd.fmt_mean(low['mean'])}, n = {int(low['n']):,})."
        )
    return sentences


def response_table(summary: pd.DataFrame) -> Markdown | None:
    if summary.empty:
        return None
    ordered = summary.sort_values("review_order", kind="mergesort")
    sent_to = pd.to_numeric(ordered["sent_to"], errors="coerce")
    rows = [
        [
            fmt_count(row["review_order"]),
            row["name"],
            row["questionnaire_version"],
            fmt_count(row["sent_to"]),
            fmt_count(row["responses"]),
            fmt_count(row["free_text"]),
        ]
        for _, row in ordered.iterrows()
    ]
    rows.append(
        [
            "",
            Markdown("**Total**"),
            "",
            fmt_count(sent_to.sum()) if sent_to.notna().all() else Markdown("\u2014"),
            Markdown(f"**{fmt_count(ordered['responses'].sum())}**"),
            Markdown(f"**{fmt_count(ordered['free_text'].sum())}**"),
        ]
    )
    return md_table(
        ["Order", "System", "Questionnaire", "Sent to", "Responses", "With a comment"],
        rows,
        "rllrrr",
        [7, 26, 14, 10, 11, 14],
    )


def _of(count: int, total: int) -> str:
    return f"all {total}" if count == total else f"{count} of the {total}"


def consistency_tables(
    consistency: pd.DataFrame, instrument: Instrument, limit: int = 8
) -> dict[str, Any]:
    """Statements most often among systems' best and worst, and summary sentences."""
    if consistency.empty:
        return {"best": None, "worst": None, "sentences": [], "n_systems": 0}
    n_systems = int(consistency["systems"].max())
    out: dict[str, Any] = {"n_systems": n_systems, "sentences": []}
    for key, column in (("best", "top5"), ("worst", "bottom5")):
        part = consistency[consistency[column] > 0].sort_values(
            [column, "item_id"], ascending=[False, True], kind="mergesort"
        )
        rows = [
            [blocks.statement_cell(instrument, row["item_id"], None), fmt_count(row[column])]
            for _, row in part.head(limit).iterrows()
        ]
        out[key] = md_table(["Statement", "Systems"], rows, "lr", [60, 10]) if rows else None
        if len(part):
            top = part.iloc[0]
            where = "best" if key == "best" else "worst"
            out["sentences"].append(
                f"\u201c{instrument.text(top['item_id'])}\u201d was among the five {where} "
                f"statements in {_of(int(top[column]), n_systems)} systems."
            )
    for fw in instrument.frameworks:
        part = consistency[consistency["framework"] == fw.id]
        if part.empty or len(instrument.items_in(fw.id)) < 2:
            continue
        top = part.sort_values(
            ["worst_in_framework", "item_id"], ascending=[False, True], kind="mergesort"
        ).iloc[0]
        if int(top["worst_in_framework"]) > 0:
            out["sentences"].append(
                f"\u201c{instrument.text(top['item_id'])}\u201d was the lowest-scoring "
                f"{fw.name.lower()} statement in {_of(int(top['worst_in_framework']), n_systems)} "
                "systems."
            )
    return out


def domain_statements(instrument: Instrument) -> Markdown | None:
    """Statements of the frameworks without a grid, one row per position."""
    plain = [fw for fw in instrument.frameworks if not fw.grid]
    header = next(iter(plain[0].groupings)).capitalize() if plain else ""
    rows = [
        [
            ", ".join(item.position.values()),
            instrument.text(item.id),
            "negatively" if item.reverse else "positively",
        ]
        for fw in instrument.frameworks
        if not fw.grid
        for item in instrument.items_in(fw.id)
    ]
    return md_table([header, "Statement", "Worded"], rows, "lll", [14, 60, 12]) if rows else None


def late_basis(basis: pd.DataFrame | None, systems: Sequence[System]) -> dict[str, Any]:
    """Which systems' annex rows use on-time responses only, and answers left out nationally."""
    if basis is None or basis.empty:
        return {"on_time_only": [], "left_out": 0}
    names = {s.system_id: s.name for s in systems}
    on_time = basis[basis["scope_basis"].astype(str) != "all kept responses"]
    return {
        "on_time_only": [names.get(sid, sid) for sid in on_time["system_id"]],
        "left_out": int(pd.to_numeric(basis["answers_left_out"]).sum()),
    }


def days_open(systems: Sequence[System]) -> str:
    """How long surveys were open: '14' or 'between 10 and 14' ('' if unknown)."""
    spans = sorted({(s.deadline - s.survey_opened).days for s in systems})
    if not spans:
        return ""
    if len(spans) == 1:
        return str(spans[0])
    return f"between {spans[0]} and {spans[-1]}"


def _total(frame: pd.DataFrame, column: str) -> int:
    return int(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())


def common_context(data: AnnexData) -> dict[str, Any]:
    """What the front matter and several sections use."""
    summary = data.tables["response_summary"]
    with_data = summary[pd.to_numeric(summary["responses"], errors="coerce").fillna(0) > 0]
    return {
        "title": f"{data.instrument.title}: national annex",
        "subtitle": f"Results from all systems, responses to {fmt_date(data.census_date)}",
        "header": "National annex",
        "census_date": data.census_date,
        "n_systems": len(with_data),
        "responses": _total(summary, "responses"),
        "free_text": _total(summary, "free_text"),
        "figures": place_figures(data.figures, data.instrument),
        "method": blocks.method_facts(data.instrument, data.k),
        "top_n": data.top_n,
        "n_reworded": len(data.reworded),
    }


# --- the sections, in the order of the demo programme -------------------------


@section(SCOPE, "background", "Background")
def background(data: AnnexData, placed: Placed) -> dict[str, Any]:
    return {"profile_table": blocks.profile_table(data.tables["profile"], data.instrument, data.k)}


@section(SCOPE, "frameworks", "The frameworks")
def frameworks(data: AnnexData, placed: Placed) -> dict[str, Any]:
    instrument = data.instrument
    return {
        "frameworks": blocks.frameworks_list(instrument),
        "domain_statements": domain_statements(instrument),
        "domain_frameworks": " and ".join(
            fw.name.lower() for fw in instrument.frameworks if not fw.grid
        ),
    }


@section(SCOPE, "overall", "Overall scores")
def overall(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """Framework means, the spread of system means (no system named), level means."""
    instrument, group_scores, national = (
        data.instrument,
        data.tables["group_scores"],
        data.national_groups,
    )
    spreads = []
    system_fw = group_scores[
        (group_scores["scope"] != "national") & (group_scores["grouping"] == "framework")
    ]
    for fw in instrument.frameworks:
        values = system_fw[system_fw["group"] == fw.id]["mean"].dropna()
        if len(values) >= 2:
            spreads.append(
                f"{fw.name}: system averages ranged from {fnd.fmt_mean(values.min())} to "
                f"{fnd.fmt_mean(values.max())}."
            )
    return {
        "framework_means": [
            {"name": data.labels.get(row["group"], row["group"]), "mean": row["mean"]}
            for _, row in national[national["grouping"] == "framework"].iterrows()
        ],
        "spreads": spreads,
        **blocks.level_means(national, instrument),
    }


@section(SCOPE, "best_worst", "Best and worst statements")
def best_worst(data: AnnexData, placed: Placed) -> dict[str, Any]:
    all_scores = data.tables["statement_scores"]
    best, worst = fnd.best_and_worst(all_scores[all_scores["scope"] == "national"], data.top_n)
    labels, instrument = data.labels, data.instrument

    def sentence(which: str, frame: pd.DataFrame) -> str:
        if not len(frame):
            return ""
        top = frame.iloc[0]
        return (
            f"The {which}-scoring statement was \u201c{labels[top['item_id']]}\u201d "
            f"(mean {fnd.fmt_mean(top['mean'])})."
        )

    return {
        "best_table": blocks.statement_table(best, instrument, None) if len(best) else None,
        "worst_table": blocks.statement_table(worst, instrument, None) if len(worst) else None,
        "best_sentence": sentence("highest", best),
        "worst_sentence": sentence("lowest", worst),
    }


@section(SCOPE, "consistency", "Consistency across systems")
def consistency(data: AnnexData, placed: Placed) -> dict[str, Any]:
    return {"consistency": consistency_tables(data.tables["consistency"], data.instrument)}


@section(SCOPE, "themes", "Themes from comments")
def themes(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """Themes, comment rates (by the entry's `groupings`, if given) and quotes."""
    themes = data.tables["theme_counts"]
    return {
        "themes": blocks.theme_table(themes),
        "theme_quotes": blocks.theme_quotes(themes, data.tables["quotes"], 2, data.seen_quotes),
        "comment_rates": blocks.comment_rate_table(
            data.tables["comment_rates"], data.instrument, data.k, placed.options.get("groupings")
        ),
    }


@section(SCOPE, "by_group", "Findings by {grouping}", requires=("grouping",))
def by_group(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """Framework means by one respondent question, and the statement sets shown by it."""
    instrument, breakdown = data.instrument, data.tables["breakdown_scores"]
    grouping = str(placed.options["grouping"])
    return {
        "grouping": grouping,
        "group": {
            "name": blocks.grouping_names(instrument).get(grouping, grouping),
            "table": blocks.framework_breakdown(breakdown, instrument, grouping, data.k),
            "sentences": group_sentences(breakdown, instrument, grouping),
        },
        "statement_sets": [
            blocks.statement_set_block(breakdown, instrument, s, None, data.k, True)
            for s in instrument.statement_sets
            if s.by == grouping
        ],
    }


@section(SCOPE, "methodology", "Methodology")
def methodology(data: AnnexData, placed: Placed) -> dict[str, Any]:
    instrument, summary = data.instrument, data.tables["response_summary"]
    versions = []
    if not summary.empty:
        for version in instrument.versions:
            orders = summary[summary["questionnaire_version"] == version]["review_order"]
            if len(orders):
                versions.append({"version": version, "systems": number_ranges(orders)})
    reworded = data.reworded
    reworded_table = (
        md_table(
            [
                "Statement",
                f"Wording in {reworded[0]['old_version']}",
                f"Wording in {reworded[0]['new_version']}",
            ],
            [[r["where"], r["old"], r["new"]] for r in reworded],
            "lll",
            [14, 40, 40],
        )
        if reworded
        else None
    )
    recon = data.tables["reconciliation"]
    return {
        "days_open": days_open(data.systems),
        "late_basis": late_basis(data.tables.get("scope_basis"), data.systems),
        "versions": versions,
        "reworded": reworded_table,
        "reworded_dimensions": sorted({r["where"].split(", ")[-1] for r in reworded}),
        "other_boxes": [
            {"question": q.name.lower(), "label": q.other_text_label}
            for q in instrument.questions
            if q.other_text_label
        ],
        "quarantine": blocks.quarantine_table(data.tables["quarantine"]),
        "totals": {
            column: _total(recon, column)
            for column in ("rows_read", "kept_on_time", "kept_late", "quarantined", "duplicates")
        },
    }


@section(SCOPE, "limitations", "Limitations")
def limitations(data: AnnexData, placed: Placed) -> dict[str, Any]:
    return {}


@section(SCOPE, "responses", "Responses by system")
def responses(data: AnnexData, placed: Placed) -> dict[str, Any]:
    return {"response_table": response_table(data.tables["response_summary"])}


def annex_context(
    instrument: Instrument,
    tables: Mapping[str, pd.DataFrame],
    figures: Sequence[Figure],
    *,
    min_group_size: int,
    top_n: int,
    census_date: str | dt.date,
    systems: Sequence[System] = (),
    sections: Sequence[str | Mapping[str, Any]] | None = None,
    source: str = "the programme",
) -> dict[str, Any]:
    """Everything templates/annex.qmd.j2 needs: the common values and each
    section's context, for the programme's `sections` (None: every section
    that needs no options)."""
    data = AnnexData(
        instrument,
        tables,
        figures,
        k=min_group_size,
        top_n=top_n,
        census_date=census_date,
        systems=systems,
    )
    placed = resolve(SCOPE, sections, source, "annex")
    return {**common_context(data), "sections": contexts(placed, data)}
