"""The national annex: its input tables and its sections' contexts.

Each section is declared with :func:`relaudit.sections.section`; its context
function takes the annex's :class:`AnnexData` and returns what its partial
under ``templates/sections/annex/`` needs. Systems are never named in
findings, only in the table of responses.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from relaudit import appendix, blocks, contrast
from relaudit import findings as fnd
from relaudit import labels as lbl
from relaudit.config import System
from relaudit.document import Figure, place_figures
from relaudit.errors import ConfigError
from relaudit.instrument import Instrument, StatementSet
from relaudit.markdown import (
    Markdown,
    blockquote,
    fmt_count,
    fmt_date,
    fmt_mean,
    fmt_signed,
    hidden_mark,
    hidden_reason,
    md_table,
    number_ranges,
    with_hidden_note,
)
from relaudit.sections import Placed, contexts, resolve, section
from relaudit.suppress import reason_note
from relaudit.tables import columns_by_name
from relaudit.text import AttributionWording, Lexicon

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
    # How quotes are attributed (the lexicon's wording), to find a group's quotes.
    attribution: Sequence[AttributionWording] = ()

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


# --- the analysis: definitions, enablers and barriers, one group, a divide -----

# Quotes a focus_group section shows, and an enablers_barriers section per
# statement, unless the programme's entry says `quotes`.
FOCUS_QUOTES = 4
STATEMENT_QUOTES = 2


def commentary(placed: Placed) -> list[str]:
    """The authors' commentary of an entry (its `commentary` option), as paragraphs."""
    text = str(placed.options.get("commentary", "") or "")
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def statement_facts(scores: pd.DataFrame, instrument: Instrument, item_id: str) -> dict[str, Any]:
    """A statement's place, wording and national figures, for a block of text."""
    item = instrument.item(item_id)
    row = blocks.one_row(scores[scores["item_id"] == item_id])
    return {
        "item_id": item_id,
        "label": lbl.short_label(instrument, item_id),
        "where": ", ".join(item.position.values()),
        "text": instrument.text(item_id),
        "reverse": item.reverse,
        "mean": row.get("mean"),
        "pct_positive": row.get("pct_positive"),
        "n": row.get("n"),
    }


def fresh_quotes(
    candidates: Sequence[Mapping[str, str]], seen: set[str], limit: int
) -> list[Markdown]:
    """Up to `limit` quotes not yet shown in the document (by comment key), as block quotes;
    the ones taken are added to `seen`."""
    chosen = []
    for quote in candidates:
        if len(chosen) >= limit:
            break
        key = quote.get("key", "")
        if key and key in seen:
            continue
        if key:
            seen.add(key)
        chosen.append(blockquote(quote))
    return chosen


def enablers_and_barriers(
    scores: pd.DataFrame,
    quotes: pd.DataFrame,
    instrument: Instrument,
    top_n: int,
    seen: set[str],
    per_statement: int = STATEMENT_QUOTES,
) -> dict[str, list[dict[str, Any]]]:
    """The best (enablers) and worst (barriers) national statements, each with its place
    in the frameworks and up to `per_statement` of the statement-linked quotes the quote
    rules chose for it (in their rank order, none shown before)."""
    best, worst = fnd.best_and_worst(scores, top_n)
    by_statement = blocks.quotes_by_context(quotes, "statement")
    out: dict[str, list[dict[str, Any]]] = {}
    for key, frame in (("enablers", best), ("barriers", worst)):
        entries = []
        for item_id in frame["item_id"]:
            if item_id not in instrument.item_ids:
                continue
            facts = statement_facts(scores, instrument, item_id)
            candidates = by_statement.get(str(item_id), [])
            facts["quotes"] = fresh_quotes(candidates, seen, per_statement)
            entries.append(facts)
        out[key] = entries
    return out


def _count_cell(row: Mapping[str, Any], column: str) -> Markdown:
    if contrast.shown(row, column):
        return fmt_count(row[column])
    return hidden_mark(hidden_reason(row)) if row else Markdown("\u2014")


def group_quotes(
    quotes: pd.DataFrame, attributions: set[str], seen: set[str], limit: int
) -> list[Markdown]:
    """Quotes (statement then theme contexts, in table order) whose attribution is one of
    `attributions`, each comment once and none already shown."""
    if quotes.empty or not attributions:
        return []
    candidates = [
        {
            "quote": row["quote"],
            "attribution": row["attribution"],
            "key": str(row.get("comment_key", "")),
        }
        for context_type in ("statement", "theme")
        for row in quotes[quotes["context_type"] == context_type].to_dict("records")
        if isinstance(row["quote"], str)
        and row["quote"].strip()
        and row["attribution"] in attributions
    ]
    return fresh_quotes(candidates, seen, limit)


def focus_framework_table(
    breakdown: pd.DataFrame,
    national: pd.DataFrame,
    instrument: Instrument,
    grouping: str,
    group: str,
    k: int,
) -> Markdown | None:
    """Framework means of the group beside those of all respondents (no count: the
    group's size is the profile's, said once in the text)."""
    rows, reasons = [], []
    for fw in instrument.frameworks:
        row = contrast.breakdown_row(breakdown, grouping, group, fw.id)
        overall = blocks.one_row(
            national[(national["grouping"] == "framework") & (national["group"] == fw.id)]
        )
        if not row and not overall:
            continue
        if row and not contrast.shown(row, "mean"):
            reasons.append(hidden_reason(row))
        rows.append(
            [
                fw.name,
                fmt_mean(row["mean"]) if contrast.shown(row, "mean") else _count_cell(row, "mean"),
                fmt_mean(overall.get("mean")),
            ]
        )
    if not rows:
        return None
    table = md_table(
        ["Framework", f"{group}: mean", "All respondents: mean"], rows, "lrr", [34, 16, 20]
    )
    return with_hidden_note(table, reasons, k)


def divide_extremes(
    breakdown: pd.DataFrame,
    instrument: Instrument,
    statement_set: StatementSet,
    skip: Sequence[str],
) -> list[str]:
    """Per statement of the set, the lowest and highest of every shown group of its
    question (a ranking of shown means; the groups `skip` left out)."""
    sentences = []
    for item_id in [i for i in statement_set.items if i in instrument.item_ids]:
        pair = _extremes(breakdown, statement_set.by, item_id, skip)
        if pair is None:
            continue
        high, low = pair
        sentences.append(
            f"{lbl.short_label(instrument, item_id)}: lowest among {low['group']} respondents "
            f"({fnd.fmt_mean(low['mean'])}), highest among {high['group']} respondents "
            f"({fnd.fmt_mean(high['mean'])})."
        )
    return sentences


def divide_table(
    entries: Sequence[Mapping[str, Any]], groups: Sequence[str], k: int
) -> Markdown | None:
    """Each statement: both groups' mean (answers) and the difference with its interval."""
    if not entries:
        return None
    rows, reasons = [], []
    for entry in entries:
        cells: list[Any] = [entry["label"]]
        for row in entry["rows"]:
            if contrast.shown(row, "mean"):
                cells.append(Markdown(f"{fmt_mean(row['mean'])} ({fmt_count(row['n'])})"))
            else:
                reasons.append(hidden_reason(row))
                cells.append(_count_cell(row, "mean"))
        if math.isnan(entry["diff"]):
            cells.append(Markdown("\u2014"))
        else:
            cells.append(
                Markdown(
                    f"{fmt_signed(entry['diff'])} ({fmt_signed(entry['low'])} to "
                    f"{fmt_signed(entry['high'])})"
                )
            )
        rows.append(cells)
    first, second = groups
    table = md_table(
        [
            "Statement",
            f"{first}: mean (answers)",
            f"{second}: mean (answers)",
            "Difference (95% interval)",
        ],
        rows,
        "lrrr",
        [24, 20, 20, 24],
    )
    return with_hidden_note(table, reasons, k)


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


# --- the analysis sections and the appendices ---------------------------------


@section(SCOPE, "definitions", "Definitions")
def definitions(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """Each attribute, dimension and domain with what it means (from the instrument)."""
    return {
        "commentary": commentary(placed),
        "groupings": appendix.definition_blocks(data.instrument),
    }


@section(SCOPE, "enablers_barriers", "Enablers and barriers")
def enablers_barriers(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """The statement-linked quotes of the best and worst statements, by framework concept."""
    all_scores = data.tables["statement_scores"]
    return {
        "commentary": commentary(placed),
        **enablers_and_barriers(
            all_scores[all_scores["scope"] == "national"],
            data.tables["quotes"],
            data.instrument,
            data.top_n,
            data.seen_quotes,
            int(placed.options.get("quotes", STATEMENT_QUOTES)),
        ),
    }


@section(SCOPE, "focus_group", "Findings for {group}", requires=("grouping", "group"))
def focus_group(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """One respondent group (the programme names it): its size, scores and quotes, with
    the caveat its numbers need."""
    instrument = data.instrument
    grouping, group = str(placed.options["grouping"]), str(placed.options["group"])
    contrast.check_group(instrument, grouping, group, f"{placed.heading} ({placed.id})")
    profile, rates = data.tables["profile"], data.tables["comment_rates"]
    size = blocks.one_row(profile[(profile["question"] == grouping) & (profile["group"] == group)])
    rate = blocks.one_row(rates[(rates["grouping"] == grouping) & (rates["group"] == group)])
    all_scores = data.tables["statement_scores"]
    national = all_scores[all_scores["scope"] == "national"]
    attributions = contrast.attributions_of(data.attribution, grouping, group)
    question = instrument.question(grouping)
    return {
        "commentary": commentary(placed),
        "group": group,
        "question": lbl.question_name(instrument, grouping).lower(),
        "size": {
            "known": bool(size),
            "shown": contrast.shown(size, "n"),
            "n": size.get("n"),
            "pct": size.get("pct"),
            "hidden_note": reason_note(hidden_reason(size), data.k) if size else "",
        },
        "rate": {
            "shown": contrast.shown(rate, "pct"),
            "comments": rate.get("comments"),
            "respondents": rate.get("respondents"),
            "same_base": contrast.shown(size, "n")
            and contrast.shown(rate, "respondents")
            and int(size["n"]) == int(rate["respondents"]),
            "pct": rate.get("pct"),
        },
        "multiple": "" if question.single_choice else question.multiple,
        "framework_table": focus_framework_table(
            data.tables["breakdown_scores"],
            data.national_groups,
            instrument,
            grouping,
            group,
            data.k,
        ),
        "statements": contrast.focus_statements(
            data.tables["breakdown_labels"], national, instrument, grouping, group
        ),
        "attributed": bool(attributions),
        "quotes": group_quotes(
            data.tables["quotes"],
            attributions,
            data.seen_quotes,
            int(placed.options.get("quotes", FOCUS_QUOTES)),
        ),
    }


@section(SCOPE, "divide", "{statement_set}: a divide", requires=("statement_set", "groups"))
def divide(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """Two groups of a statement set's question compared on its statements (the programme
    names the set and the groups), with the interval of each difference."""
    instrument = data.instrument
    where = f"{placed.heading} ({placed.id})"
    statement_set = instrument.statement_set(str(placed.options["statement_set"]))
    if statement_set is None:
        raise ConfigError(
            f"{where}: no statement set {placed.options['statement_set']!r}. Fix: use one of "
            f"{[s.id for s in instrument.statement_sets]}."
        )
    groups = [str(g) for g in placed.options["groups"]]
    if len(groups) != 2:
        raise ConfigError(f"{where}: groups must name two groups. Fix: give exactly two.")
    for group in groups:
        contrast.check_group(instrument, statement_set.by, group, where)
    entries = contrast.divide_rows(
        data.tables["breakdown_scores"],
        data.tables["breakdown_labels"],
        instrument,
        statement_set,
        groups,
    )
    question = instrument.question(statement_set.by)
    return {
        "commentary": commentary(placed),
        "extremes": divide_extremes(
            data.tables["breakdown_scores"],
            instrument,
            statement_set,
            [question.multiple, question.none],
        ),
        "set_name": statement_set.name,
        "by_name": lbl.question_name(instrument, statement_set.by).lower(),
        "groups": groups,
        "texts": [entry["text"] for entry in entries],
        "any_reverse": any(entry["reverse"] for entry in entries),
        "table": divide_table(entries, groups, data.k),
        "sentences": [contrast.divide_sentence(entry, groups) for entry in entries],
        "n_flagged": sum(bool(entry["flag"]) for entry in entries),
        "set_id": statement_set.id,
    }


@section(SCOPE, "statement_matrix", "Appendix: the statements")
def statement_matrix_section(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """Every statement's place and its wording in each questionnaire version."""
    instrument = data.instrument
    return {
        "commentary": commentary(placed),
        "versions": list(instrument.versions),
        "matrices": [
            {"name": fw.name, "table": appendix.statement_matrix(instrument, fw.id)}
            for fw in instrument.frameworks
        ],
    }


@section(SCOPE, "questionnaire", "Appendix: the questionnaire")
def questionnaire(data: AnnexData, placed: Placed) -> dict[str, Any]:
    """The questions about the respondent, the rating scale and the comment box."""
    instrument = data.instrument
    return {
        "commentary": commentary(placed),
        "scale_table": appendix.scale_table(instrument),
        "questions": appendix.questionnaire_questions(instrument),
        "comment_box": instrument.columns.get("comment_prefix", ""),
        "per_target": bool(instrument.targets),
        "targets": list(instrument.targets),
        "target_name": instrument.target_name,
    }


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
    lexicon: Lexicon | None = None,
) -> dict[str, Any]:
    """Everything templates/annex.qmd.j2 needs: the common values and each
    section's context, for the programme's `sections` (None: every section
    that needs no options). Without `lexicon` no quote can be traced to a group."""
    data = AnnexData(
        instrument,
        tables,
        figures,
        k=min_group_size,
        top_n=top_n,
        census_date=census_date,
        systems=systems,
        attribution=lexicon.attribution_wording if lexicon is not None else (),
    )
    placed = resolve(SCOPE, sections, source, "annex")
    return {**common_context(data), "sections": contexts(placed, data)}
