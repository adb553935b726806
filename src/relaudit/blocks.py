"""Building blocks both documents share: input tables, statement and
breakdown tables, quotes, themes and the scale facts.

Everything returned is escaped or :class:`relaudit.markdown.Markdown`; names
and orders come from the instrument (relaudit.labels), never from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from relaudit import labels as lbl
from relaudit.instrument import Instrument, StatementSet
from relaudit.io import read_csv, read_parquet
from relaudit.markdown import (
    DASH,
    Markdown,
    blockquote,
    counted,
    esc,
    every,
    fmt_count,
    fmt_mean,
    fmt_pct,
    hidden_mark,
    hidden_reason,
    md_table,
    with_hidden_note,
)
from relaudit.suppress import ANSWERS, COMMENTERS, RESPONDENTS, SUPPRESSED

QUARANTINE_REASONS = {
    "duplicate": "Repeated in a later export (the later copy is kept)",
    "not_submitted": "Never submitted (partial response)",
    "bad_timestamp": "Submission time unreadable",
    "no_area": "No area recorded",
    "area_mismatch": "Area names another system",
    "no_response_id": "No response id",
    "no_answers": "No statement answered",
    "after_census": "Submitted after the census date",
}


# --- reading tables -----------------------------------------------------------


def load_table(path: str | Path | None, columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read a stage's Parquet table (typed, text as written; relaudit.tables), or an
    audit CSV of counts and reason codes. A missing or empty file gives an empty table.
    """
    if path is None or not Path(path).exists() or Path(path).stat().st_size == 0:
        return pd.DataFrame(columns=list(columns))
    if Path(path).suffix == ".parquet":
        return read_parquet(path)
    return read_csv(path)


def load_tables(
    paths: Mapping[str, str | Path], columns: Mapping[str, Sequence[str]]
) -> dict[str, pd.DataFrame]:
    """Read the named tables (missing files give empty tables with `columns`)."""
    return {name: load_table(paths.get(name), cols) for name, cols in columns.items()}


def is_suppressed(value: Any) -> bool:
    """A row's `suppressed` flag (a bool in every typed table)."""
    return bool(value)


def one_row(frame: pd.DataFrame) -> dict[str, Any]:
    return {} if frame.empty else frame.iloc[0].to_dict()


# --- names --------------------------------------------------------------------


def statement_labels(instrument: Instrument, version: str | None) -> dict[str, str]:
    """Item and framework ids -> wording and names (for findings sentences)."""
    labels = {fw.id: fw.name for fw in instrument.frameworks}
    for item in instrument.items:
        labels[item.id] = instrument.text(item.id, version)
    return labels


def grouping_names(instrument: Instrument) -> dict[str, str]:
    """Respondent question ids -> their names (relaudit.labels.question_name)."""
    return {q.id: lbl.question_name(instrument, q.id) for q in instrument.questions}


def derived_groups(instrument: Instrument) -> list[str]:
    """Groups made by ingest rather than chosen ("Multiple", "Did not answer")."""
    return instrument.derived_groups()


def domain_groupings(instrument: Instrument) -> list[str]:
    """Groupings of the frameworks without a grid (their statements' domains)."""
    return [g for fw in instrument.frameworks if not fw.grid for g in fw.groupings]


# --- statements ---------------------------------------------------------------


def statement_cell(instrument: Instrument, item_id: str, version: str | None) -> Markdown:
    """Statement wording with its place in the framework, in italics."""
    try:
        item = instrument.item(item_id)
    except KeyError:
        return esc(item_id)
    where = ", ".join(item.position.values())
    if item.reverse:
        where += "; negatively worded, reverse scored"
    return Markdown(f"{esc(instrument.text(item_id, version))} *({esc(where)})*")


def statement_table(frame: pd.DataFrame, instrument: Instrument, version: str | None) -> Markdown:
    rows = [
        [
            fmt_count(row["rank"]),
            statement_cell(instrument, row["item_id"], version),
            fmt_mean(row["mean"]),
            fmt_pct(row["pct_positive"]),
            fmt_count(row["n"]),
        ]
        for _, row in frame.iterrows()
    ]
    return md_table(
        ["Rank", "Statement", "Mean", "% positive", "Answers"], rows, "rlrrr", [6, 60, 8, 10, 8]
    )


def framework_description(instrument: Instrument, framework_id: str) -> str:
    """The framework's prose from the instrument, its counts filled in."""
    fw = instrument.framework(framework_id)
    values: dict[str, Any] = {"n_items": len(instrument.items_in(framework_id))}
    for grouping, levels in fw.groupings.items():
        values[grouping] = ", ".join(levels)
        values[f"n_{grouping}"] = len(levels)
    if fw.description:
        try:
            return " ".join(fw.description.format(**values).split())
        except (KeyError, IndexError, ValueError):
            pass  # a placeholder the framework does not have: say it plainly instead
    groupings = "; ".join(f"{g}: {', '.join(levels)}" for g, levels in fw.groupings.items())
    return f"{fw.name} has {values['n_items']} statements, grouped by {groupings}."


def frameworks_list(instrument: Instrument) -> list[dict[str, str]]:
    return [
        {"name": fw.name, "description": framework_description(instrument, fw.id)}
        for fw in instrument.frameworks
    ]


def group_means_table(
    group_scores: pd.DataFrame, grouping: str, instrument: Instrument, header: str
) -> Markdown | None:
    part = group_scores[group_scores["grouping"] == grouping]
    if part.empty:
        return None
    order: list[str] = []
    for fw in instrument.frameworks:
        order.extend(fw.groupings.get(grouping, ()))
    part = part.assign(
        _order=[order.index(g) if g in order else 99 for g in part["group"]]
    ).sort_values(["_order", "group"], kind="mergesort")
    rows = [[row["group"], fmt_mean(row["mean"])] for _, row in part.iterrows()]
    return md_table([header, "Mean"], rows, "lr", [30, 10])


def level_means(group_scores: pd.DataFrame, instrument: Instrument) -> dict[str, list[Markdown]]:
    """Means by each framework grouping: grid tables (all or none) and domain tables."""
    grid = [
        group_means_table(group_scores, g, instrument, g.capitalize())
        for fw in instrument.frameworks
        if fw.grid
        for g in fw.grid
    ]
    domains = [
        group_means_table(group_scores, g, instrument, f"{fw.label_name} {g}")
        for fw in instrument.frameworks
        if not fw.grid
        for g in fw.groupings
    ]
    grid_names = [g for fw in instrument.frameworks if fw.grid for g in fw.grid]
    domain_names = [
        f"{fw.label_name} {g}" for fw in instrument.frameworks if not fw.grid for g in fw.groupings
    ]
    grid_ok = bool(grid) and all(t is not None for t in grid)
    return {
        "grid_means": grid if grid_ok else [],
        "domain_means": [t for t in domains if t is not None],
        # What each table is, for its data block ("Mean score by attribute").
        "grid_titles": [f"Mean score by {g}" for g in grid_names] if grid_ok else [],
        "domain_titles": [
            f"Mean score by {name.lower()}"
            for name, table in zip(domain_names, domains, strict=True)
            if table is not None
        ],
    }


# --- respondent groups --------------------------------------------------------


def hidden_reasons(frame: pd.DataFrame, missing_column: str) -> list[str]:
    """The reasons of a table's hidden rows (see `hidden_reason`)."""
    return [
        hidden_reason(row)
        for row in frame.to_dict("records")
        if is_suppressed(row[SUPPRESSED]) or pd.isna(row[missing_column])
    ]


def grouped_count_rows(
    label: str,
    part: pd.DataFrame,
    count_column: str,
    missing_column: str,
    k: int,
    also: Sequence[str] = (),
) -> list[list[Any]]:
    """Table rows for one question's groups: count (and the `also` counts) and %, a
    mark where hidden.

    The question's label stands on its first row only; a row is hidden when
    flagged or when `missing_column` is blank (see `with_hidden_note`).
    """
    rows = []
    for position, (_, row) in enumerate(part.iterrows()):
        suppressed = is_suppressed(row["suppressed"]) or pd.isna(row[missing_column])
        dash = Markdown(DASH)
        rows.append(
            [
                label if position == 0 else "",
                row["group"],
                hidden_mark(hidden_reason(row)) if suppressed else fmt_count(row[count_column]),
                *[dash if suppressed else fmt_count(row[column]) for column in also],
                dash if suppressed else fmt_pct(row["pct"]),
            ]
        )
    return rows


def profile_table(profile: pd.DataFrame, instrument: Instrument, k: int) -> Markdown | None:
    """Respondent profile: one block of rows per question; small groups suppressed."""
    if profile.empty:
        return None
    rows = []
    names = grouping_names(instrument)
    order = [q.id for q in instrument.questions]
    questions = sorted(
        profile["question"].unique(), key=lambda q: (order.index(q) if q in order else 99, q)
    )
    for question in questions:
        part = profile[profile["question"] == question]
        rows += grouped_count_rows(names.get(question, question), part, "n", "n", k)
    table = md_table(
        ["Question", "Answer", "Respondents", "% of respondents"], rows, "llrr", [20, 30, 12, 10]
    )
    return with_hidden_note(table, hidden_reasons(profile, "n"), k, RESPONDENTS)


def breakdown_table(
    breakdown: pd.DataFrame,
    instrument: Instrument,
    grouping: str,
    measures: Sequence[str],
    headers: Sequence[str],
    k: int,
    with_positive: bool = False,
) -> Markdown | None:
    """Groups × measures: mean (and % positive) per cell, small groups suppressed.

    Each mean carries its own count ("2.47 (21)"), named in the header, as the
    breakdown table holds it (relaudit.score.breakdown_scores): a statement's
    cell counts its answers, a framework's the group's respondents who answered
    any of its statements. Counts differ from measure to measure, so no single
    count per group is printed. The note on hidden cells names the same kind.
    """
    part = breakdown[(breakdown["grouping"] == grouping) & breakdown["measure"].isin(measures)]
    if part.empty:
        return None
    kind = ANSWERS if set(measures) <= set(instrument.item_ids) else RESPONDENTS
    groups = lbl.group_order(instrument, grouping, part["group"])
    # Each group's rows in table order, and its first row per measure.
    first_row: dict[tuple[Any, Any], dict[str, Any]] = {}
    for record in part.to_dict("records"):
        first_row.setdefault((record["group"], record["measure"]), record)
    rows = []
    reasons: list[str] = []
    for group in groups:
        cells: list[Any] = [group]
        for measure in measures:
            row = first_row.get((group, measure))
            if row is None:
                cells.append(Markdown(DASH))
            elif is_suppressed(row["suppressed"]) or pd.isna(row["mean"]):
                reasons.append(hidden_reason(row))
                cells.append(hidden_mark(reasons[-1]))
            else:
                cells.append(Markdown(f"{fmt_mean(row['mean'])} ({fmt_count(row['n'])})"))
            if with_positive:
                shown = row is not None and not is_suppressed(row["suppressed"])
                cells.append(fmt_pct(row["pct_positive"]) if shown else Markdown(DASH))
        rows.append(cells)
    head = [lbl.question_name(instrument, grouping)]
    for header in headers:
        head.append(f"{header}: mean ({kind})")
        if with_positive:
            head.append(f"{header}: % positive")
    cols = len(head)
    table = md_table(head, rows, "l" + "r" * (cols - 1), [24] + [14] * (cols - 1))
    return with_hidden_note(table, reasons, k, kind)


def framework_breakdown(
    breakdown: pd.DataFrame, instrument: Instrument, grouping: str, k: int
) -> Markdown | None:
    """One question's groups × every framework's mean."""
    return breakdown_table(
        breakdown,
        instrument,
        grouping,
        [fw.id for fw in instrument.frameworks],
        [fw.name for fw in instrument.frameworks],
        k,
    )


def statement_set_block(
    breakdown: pd.DataFrame,
    instrument: Instrument,
    statement_set: StatementSet,
    version: str | None,
    k: int,
    with_positive: bool,
) -> dict[str, Any]:
    """A statement set by its respondent question: names, wording and table."""
    items = [i for i in statement_set.items if i in instrument.item_ids]
    short = [lbl.short_label(instrument, i) for i in items]
    table = (
        breakdown_table(
            breakdown, instrument, statement_set.by, items, short, k, with_positive=with_positive
        )
        if items
        else None
    )
    count = counted(len(items), "statement")
    return {
        "id": statement_set.id,
        "name": statement_set.name,
        "by": statement_set.by,
        "by_name": lbl.question_name(instrument, statement_set.by),
        "texts": [instrument.text(i, version) for i in items],
        "short_labels": short,
        "count_text": count[:1].upper() + count[1:],
        "verb": "is" if len(items) == 1 else "are",
        "table": table,
    }


# --- comments -----------------------------------------------------------------


def quotes_by_context(quotes: pd.DataFrame, context_type: str) -> dict[str, list[dict[str, str]]]:
    """Quotes grouped by context in rank order: {context: [{quote, attribution}]}."""
    out: dict[str, list[dict[str, str]]] = {}
    if quotes.empty:
        return out
    part = quotes[quotes["context_type"] == context_type]
    part = part.sort_values(["context", "rank"], kind="mergesort")
    for _, row in part.iterrows():
        text = row["quote"]
        if not isinstance(text, str) or not text.strip():
            continue
        attribution = row["attribution"] if isinstance(row["attribution"], str) else ""
        out.setdefault(str(row["context"]), []).append(
            {"quote": text, "attribution": attribution, "key": str(row.get("comment_key", ""))}
        )
    return out


def theme_table(themes: pd.DataFrame) -> Markdown | None:
    if themes.empty:
        return None
    ordered = themes[pd.to_numeric(themes["comments"], errors="coerce").fillna(0) > 0]
    if ordered.empty:
        return None
    ordered = ordered.sort_values(["comments", "label"], ascending=[False, True], kind="mergesort")
    rows = [
        [row["label"], fmt_count(row["comments"]), fmt_pct(row["pct"])]
        for _, row in ordered.iterrows()
    ]
    return md_table(["Theme", "Comments", "% of comments"], rows, "lrr", [40, 12, 14])


def theme_quotes(
    themes: pd.DataFrame, quotes: pd.DataFrame, per_theme: int, seen: set[str]
) -> list[dict[str, Any]]:
    """Themes (most comments first) with their quotes as block quotes, each comment once."""
    by_theme = quotes_by_context(quotes, "theme")
    blocks: list[dict[str, Any]] = []
    if themes.empty:
        return blocks
    ordered = themes.sort_values(["comments", "label"], ascending=[False, True], kind="mergesort")
    for _, row in ordered.iterrows():
        chosen = []
        for quote in by_theme.get(str(row["theme"]), []):
            if quote["key"] and quote["key"] in seen:
                continue
            seen.add(quote["key"])
            chosen.append(quote)
            if len(chosen) >= per_theme:
                break
        if chosen:
            blocks.append({"label": row["label"], "quotes": [blockquote(q) for q in chosen]})
    return blocks


def comment_rate_table(
    rates: pd.DataFrame, instrument: Instrument, k: int, groupings: Sequence[str] | None = None
) -> Markdown | None:
    """Share who commented, by the questions with the comment_rates role (or `groupings`)."""
    if rates.empty:
        return None
    if groupings is None:
        groupings = [q.id for q in instrument.questions_with("comment_rates")]
    names = grouping_names(instrument)
    rows = []
    for grouping in [g for g in groupings if g in set(rates["grouping"])]:
        part = rates[rates["grouping"] == grouping]
        order = lbl.group_order(instrument, grouping, part["group"])
        part = part.assign(
            _order=[order.index(g) if g in order else 99 for g in part["group"]]
        ).sort_values(["_order", "group"], kind="mergesort")
        rows += grouped_count_rows(
            names.get(grouping, grouping), part, "respondents", "pct", k, ["comments"]
        )
    table = md_table(
        ["Grouping", "Group", "Respondents", COMMENTERS.capitalize(), "% who commented"],
        rows,
        "llrrr",
        [18, 28, 12, 12, 14],
    )
    return with_hidden_note(table, hidden_reasons(rates, "pct"), k, RESPONDENTS)


# --- method and data checks ---------------------------------------------------


def method_facts(instrument: Instrument, k: int) -> dict[str, Any]:
    scale = instrument.scale
    reversed_items = [i for i in instrument.items if i.reverse]
    n_frameworks = len(instrument.frameworks)
    return {
        "k": k,
        "scale_min": f"{scale.min:g}",
        "scale_max": f"{scale.max:g}",
        "midpoint": f"{scale.midpoint:g}",
        "positive_threshold": f"{scale.positive_threshold:g}",
        "positive_label": scale.positive_label,
        # What "% positive" counts, for positively and negatively worded statements.
        "positive_note": lbl.positive_note(instrument),
        "positive_labels": [
            label for label, score in scale.labels if score >= scale.positive_threshold
        ],
        "labels": [label for label, _ in scale.labels],
        "n_items": len(instrument.items),
        "n_reversed": len(reversed_items),
        "reversed": [instrument.text(i.id) for i in reversed_items],
        "n_frameworks": n_frameworks,
        "frameworks_text": counted(n_frameworks, "framework"),
        "every_framework": every(n_frameworks, "framework"),
    }


def quarantine_rows(quarantine: pd.DataFrame) -> list[list[Any]]:
    """Quarantined rows counted by reason (never the ids themselves)."""
    if quarantine.empty:
        return []
    counts = quarantine["reason"].value_counts()
    order = list(QUARANTINE_REASONS)
    reasons = sorted(counts.index, key=lambda r: (order.index(r) if r in order else 99, r))
    return [[QUARANTINE_REASONS.get(r, r), fmt_count(int(counts[r]))] for r in reasons]


def quarantine_table(quarantine: pd.DataFrame) -> Markdown | None:
    if not len(quarantine):
        return None
    return md_table(["Reason", "Rows"], quarantine_rows(quarantine), "lr", [50, 10])
