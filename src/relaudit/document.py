"""Document content: the Jinja environment, tables as markdown, and the
contexts of the briefing pack and the national annex.

Escaping is the default. Every ``{{ expression }}`` in a template passes
through :func:`finalize`, which escapes it with
:func:`relaudit.escape.safe_markdown` unless it is a :class:`Markdown`
instance: markdown this module built itself from pieces it escaped (a pipe
table whose cells were each escaped, a figure reference, a formatted number).
Templates therefore cannot forget to escape a comment, a system name or a
group label.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from relaudit import findings as fnd
from relaudit.chartset import chart_slot, figure_slots
from relaudit.config import System
from relaudit.escape import safe_markdown
from relaudit.instrument import Instrument
from relaudit.io import FORMULA_TRIGGERS, read_csv
from relaudit.suppress import REASON, SECONDARY, SMALL, SUPPRESSED, reason_note

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"

# Stable section headings: tests look for them in the HTML and PDF text.
BRIEFING_SECTIONS: dict[str, str] = {
    "cover": "About this pack",
    "key_messages": "Key messages",
    "profile": "Who responded",
    "frameworks": "Relational value and proximity",
    "best_worst": "Best and worst statements",
    "comparator": "Differences from other systems",
    "groups": "Differences between groups",
    "themes": "Themes and quotes from comments",
    "enquiry": "Suggested lines of enquiry",
    "method": "Method and caveats",
    "data_quality": "Data quality",
}

ANNEX_SECTIONS: dict[str, str] = {
    "background": "Background",
    "frameworks": "The two frameworks",
    "overall": "Overall scores",
    "best_worst": "Best and worst statements",
    "consistency": "Consistency across systems",
    "themes": "Themes from comments",
    "tenure": "Findings by length of time",
    "org_type": "Findings by organisation type",
    "role": "Findings by role",
    "methodology": "Methodology",
    "limitations": "Limitations",
    "responses": "Responses by system",
}

# The two statements about communication, shown by role in both documents.
COMMUNICATION_ITEMS = ("integrity_technology", "proximity_directness")

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

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class Markdown(str):
    """Markdown this module built from trusted or already-escaped pieces."""

    __slots__ = ()


def esc(value: Any) -> Markdown:
    """Escape any value for markdown (Markdown instances pass unchanged)."""
    if isinstance(value, Markdown):
        return value
    if value is None:
        return Markdown("")
    if isinstance(value, float) and math.isnan(value):
        return Markdown("\u2014")
    if isinstance(value, bool):
        return Markdown("yes" if value else "no")
    if isinstance(value, int):
        return Markdown(f"{value:,}")
    return Markdown(safe_markdown(str(value)))


def finalize(value: Any) -> str:
    """Jinja finalize hook: escape everything that is not :class:`Markdown`."""
    return esc(value)


# --- number and date filters (their output is built from numbers only) -----


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def fmt_mean(value: Any) -> Markdown:
    number = _number(value)
    return Markdown("\u2014" if number is None else fnd.fmt_mean(number))


def fmt_pct(value: Any) -> Markdown:
    number = _number(value)
    return Markdown("\u2014" if number is None else fnd.fmt_pct(number))


def fmt_signed(value: Any) -> Markdown:
    number = _number(value)
    return Markdown("\u2014" if number is None else fnd.fmt_signed(number))


def fmt_count(value: Any) -> Markdown:
    number = _number(value)
    return Markdown("\u2014" if number is None else f"{round(number):,}")


def fmt_date(value: Any) -> Markdown:
    """A date as '8 September 2017' (locale independent)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return Markdown(f"{value.day} {MONTHS[value.month - 1]} {value.year}")


def yaml_string(value: Any) -> Markdown:
    """A YAML front-matter string: markdown-escaped, then JSON-quoted."""
    return Markdown(json.dumps(safe_markdown(str(value)), ensure_ascii=False))


def make_environment(template_dir: str | Path = TEMPLATE_DIR) -> jinja2.Environment:
    """The Jinja environment for document templates (escaping by default)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        mean=fmt_mean,
        pct=fmt_pct,
        signed=fmt_signed,
        count=fmt_count,
        date=fmt_date,
        yaml_string=yaml_string,
    )
    return env


def render_template(name: str, context: Mapping[str, Any], template_dir: str | Path) -> str:
    """Render one document template to Quarto markdown."""
    text = make_environment(template_dir).get_template(name).render(**context)
    # Collapse runs of blank lines left by optional blocks.
    return re.sub(r"\n{3,}", "\n\n", text)


# --- markdown building blocks -------------------------------------------------


def md_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    align: str | None = None,
    widths: Sequence[int] | None = None,
) -> Markdown:
    """A pipe table; every cell is escaped unless it is already :class:`Markdown`.

    `align` has one letter per column (l, r, c); `widths` sets the relative
    column widths through the number of dashes in the separator line.
    """
    count = len(headers)
    align = align or "l" * count
    widths = widths or [3] * count
    rows = list(rows)
    lines = ["| " + " | ".join(esc(h) for h in headers) + " |"]
    separators = []
    for letter, width in zip(align, widths, strict=True):
        dashes = "-" * max(3, width)
        separators.append(
            {"l": ":" + dashes, "r": dashes + ":", "c": ":" + dashes + ":"}.get(letter, dashes)
        )
    lines.append("|" + "|".join(separators) + "|")
    for row in rows:
        cells = [esc(cell) or Markdown(" ") for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    return Markdown("\n".join(lines))


_FIGURE_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Figure:
    """One entry of figures.json, referenced from the qmd without extension."""

    name: str
    title: str
    alt: str
    path: str  # relative to the qmd, no extension

    @property
    def markdown(self) -> Markdown:
        ident = "fig-" + (_FIGURE_ID.sub("-", self.name.lower()).strip("-") or "figure")
        # The alt text sits in a quoted attribute: keep it to one line with
        # no quote or backslash, which are the only characters that matter there.
        alt = " ".join(safe_alt(self.alt).split())
        return Markdown(f'![{esc(self.title)}]({self.path}){{#{ident} fig-alt="{alt}"}}')


def safe_alt(text: str) -> str:
    """Alt text safe inside a double-quoted pandoc attribute."""
    cleaned = safe_markdown(str(text)).replace("\\", "")
    return cleaned.replace('"', "\u201d").replace("{", "(").replace("}", ")")


_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./-]+$")


def load_figures(figures_json: str | Path, qmd_dir: str | Path) -> list[Figure]:
    """Read figures.json ({name, title, alt, svg, png}) relative to the qmd folder."""
    figures_json = Path(figures_json)
    if not figures_json.exists():
        return []
    entries = json.loads(figures_json.read_text(encoding="utf-8"))
    if isinstance(entries, dict):
        entries = entries.get("figures", [])
    base = os.path.relpath(figures_json.parent, Path(qmd_dir))
    figures = []
    for entry in entries:
        source = entry.get("svg") or entry.get("png")
        if not source:
            continue
        stem = os.path.splitext(source)[0]
        path = Path(base, stem).as_posix()
        if path.startswith("./"):
            path = path[2:]
        if not _SAFE_PATH.match(path) or ".." in path.split("/"):
            continue  # a path we did not write; never put it in a document
        figures.append(
            Figure(
                name=str(entry.get("name", stem)),
                title=str(entry.get("title", "")),
                alt=str(entry.get("alt", entry.get("title", ""))),
                path=path,
            )
        )
    return figures


# Slots the templates name whatever the instrument (until they loop over the
# programme's sections); empty when the instrument has no such grouping or set.
TEMPLATE_SLOTS = ("tenure", "org_type", "role", "communication")


def place_figures(figures: Sequence[Figure], instrument: Instrument) -> dict[str, list[Markdown]]:
    """Assign figures to document slots by name (relaudit.chartset.chart_slot)."""
    names = dict.fromkeys([*figure_slots(instrument), *TEMPLATE_SLOTS])
    slots: dict[str, list[Markdown]] = {slot: [] for slot in names}
    for figure in figures:
        slots[chart_slot(figure.name, instrument)].append(figure.markdown)
    return slots


# --- reading tables -----------------------------------------------------------


def _unneutralise(value: Any) -> Any:
    """Undo write_csv's formula guard for display (the text is escaped anyway)."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def load_table(path: str | Path | None, columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read a pipeline CSV; a missing or empty file gives an empty table."""
    if path is None or not Path(path).exists() or Path(path).stat().st_size == 0:
        return pd.DataFrame(columns=list(columns))
    frame = read_csv(path)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_unneutralise)
    return frame


def is_suppressed(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


# --- shared content helpers ---------------------------------------------------


def statement_labels(instrument: Instrument, version: str | None) -> dict[str, str]:
    """Item and framework ids -> wording and names (for findings sentences)."""
    labels = {fw.id: fw.name for fw in instrument.frameworks}
    for item in instrument.items:
        labels[item.id] = instrument.text(item.id, version)
    return labels


def grouping_names(instrument: Instrument) -> dict[str, str]:
    names = {q.id: q.name for q in instrument.questions}
    names.update({"org_type": names.get("org_type", "Organisation type")})
    return names


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


def short_label(instrument: Instrument, item_id: str) -> str:
    """A short name for a statement: 'Integrity × Technology' or 'Relational proximity: Parity'."""
    try:
        item = instrument.item(item_id)
    except KeyError:
        return item_id
    fw = instrument.framework(item.framework)
    if fw.grid:
        return " \u00d7 ".join(item.position[g] for g in fw.grid)
    return f"{fw.name}: {', '.join(item.position.values())}"


# A hidden cell shows a mark; the table's note says once what the mark means.
HIDDEN_MARKS = {SMALL: "*", SECONDARY: "\u2020"}


def hidden_reason(row: Mapping[str, Any]) -> str:
    """Why a hidden row is hidden: "secondary" if its table says so, else "small"."""
    reason = str(row.get(REASON, "") or "").strip()
    return SECONDARY if reason == SECONDARY else SMALL


def hidden_mark(reason: str) -> Markdown:
    return Markdown(esc(HIDDEN_MARKS[reason]))


def with_hidden_note(table: Markdown, reasons: Iterable[str], k: int) -> Markdown:
    """A table followed by one line saying what each hidden-cell mark means."""
    present = [r for r in (SMALL, SECONDARY) if r in set(reasons)]
    if not present:
        return table
    notes = [f"{esc(HIDDEN_MARKS[r])} {esc(reason_note(r, k).capitalize())}." for r in present]
    return Markdown(f"{table}\n\n::: {{.table-note}}\n{' '.join(notes)}\n:::")


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
        ["Rank", "Statement", "Mean", "% positive", "n"], rows, "rlrrr", [6, 60, 8, 10, 6]
    )


def profile_table(profile: pd.DataFrame, instrument: Instrument, k: int) -> Markdown:
    """Respondent profile: one block of rows per question; small groups suppressed."""
    rows = []
    names = {q.id: q.name for q in instrument.questions}
    order = [q.id for q in instrument.questions]
    questions = sorted(
        profile["question"].unique(), key=lambda q: (order.index(q) if q in order else 99, q)
    )
    for question in questions:
        part = profile[profile["question"] == question]
        rows += grouped_count_rows(names.get(question, question), part, "n", "n", k)
    table = md_table(["Question", "Answer", "Respondents", "%"], rows, "llrr", [20, 30, 12, 8])
    return with_hidden_note(table, hidden_reasons(profile, "n"), k)


def hidden_reasons(frame: pd.DataFrame, missing_column: str) -> list[str]:
    """The reasons of a table's hidden rows (see `hidden_reason`)."""
    return [
        hidden_reason(row)
        for row in frame.to_dict("records")
        if is_suppressed(row[SUPPRESSED]) or pd.isna(row[missing_column])
    ]


def grouped_count_rows(
    label: str, part: pd.DataFrame, count_column: str, missing_column: str, k: int
) -> list[list[Any]]:
    """Table rows for one question's groups: count and %, a mark where hidden.

    The question's label stands on its first row only; a row is hidden when
    flagged or when `missing_column` is blank (see `with_hidden_note`).
    """
    rows = []
    for position, (_, row) in enumerate(part.iterrows()):
        suppressed = is_suppressed(row["suppressed"]) or pd.isna(row[missing_column])
        rows.append(
            [
                label if position == 0 else "",
                row["group"],
                hidden_mark(hidden_reason(row)) if suppressed else fmt_count(row[count_column]),
                Markdown("\u2014") if suppressed else fmt_pct(row["pct"]),
            ]
        )
    return rows


def group_order(instrument: Instrument, grouping: str) -> list[str]:
    try:
        return instrument.question(grouping).reported_groups
    except KeyError:
        return []


def breakdown_table(
    breakdown: pd.DataFrame,
    instrument: Instrument,
    grouping: str,
    measures: Sequence[str],
    headers: Sequence[str],
    k: int,
    with_positive: bool = False,
) -> Markdown | None:
    """Groups × measures: mean (and % positive) per cell, small groups suppressed."""
    part = breakdown[(breakdown["grouping"] == grouping) & breakdown["measure"].isin(measures)]
    if part.empty:
        return None
    try:
        question = instrument.question(grouping)
        skip = {question.multiple} if question.exclude_multiple else set()
    except KeyError:
        skip = set()
    order = group_order(instrument, grouping)
    groups = [g for g in order if g in set(part["group"])]
    groups += sorted(set(part["group"]) - set(groups))
    # Each group's rows in table order, and its first row per measure.
    by_group: dict[Any, list[dict[str, Any]]] = {}
    for record in part.to_dict("records"):
        by_group.setdefault(record["group"], []).append(record)
    rows = []
    reasons: list[str] = []
    for group in groups:
        if group in skip:
            continue
        cells: list[Any] = [group]
        of_group = by_group.get(group, [])
        ns = [r["n"] for r in of_group if not pd.isna(r["n"])]
        all_suppressed = all(is_suppressed(r["suppressed"]) for r in of_group)
        if all_suppressed or not ns:
            small = any(hidden_reason(r) == SMALL for r in of_group) or not of_group
            reasons.append(SMALL if small else SECONDARY)
            cells.append(hidden_mark(reasons[-1]))
        else:
            cells.append(fmt_count(max(ns)))
        first_row: dict[Any, dict[str, Any]] = {}
        for record in of_group:
            first_row.setdefault(record["measure"], record)
        for measure in measures:
            row = first_row.get(measure)
            if row is None:
                cells.append(Markdown("\u2014"))
                if with_positive:
                    cells.append(Markdown("\u2014"))
                continue
            if is_suppressed(row["suppressed"]) or pd.isna(row["mean"]):
                mark = hidden_mark(hidden_reason(row))
                if not all_suppressed and ns:
                    reasons.append(hidden_reason(row))
                cells.append(mark if not all_suppressed and ns else Markdown("\u2014"))
                if with_positive:
                    cells.append(Markdown("\u2014"))
            else:
                cells.append(fmt_mean(row["mean"]))
                if with_positive:
                    cells.append(fmt_pct(row["pct_positive"]))
        rows.append(cells)
    names = grouping_names(instrument)
    head = [names.get(grouping, grouping), "Respondents"]
    for header in headers:
        head.append(f"{header}: mean" if with_positive else header)
        if with_positive:
            head.append(f"{header}: % positive")
    cols = len(head)
    table = md_table(head, rows, "l" + "r" * (cols - 1), [24] + [12] * (cols - 1))
    return with_hidden_note(table, reasons, k)


def framework_ids(instrument: Instrument) -> list[str]:
    return [fw.id for fw in instrument.frameworks]


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
    """Themes (most comments first) with their quotes, each comment shown once."""
    by_theme = quotes_by_context(quotes, "theme")
    blocks = []
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
            blocks.append({"label": row["label"], "quotes": chosen})
    return blocks


def blockquote(quote: Mapping[str, str]) -> Markdown:
    """A quote and its attribution as a block quote (both escaped)."""
    text = f"> \u201c{esc(quote['quote'])}\u201d"
    if quote.get("attribution"):
        text += f"\n>\n> \u2014 {esc(quote['attribution'])}"
    return Markdown(text)


def comment_rate_table(rates: pd.DataFrame, instrument: Instrument, k: int) -> Markdown | None:
    if rates.empty:
        return None
    names = grouping_names(instrument)
    rows = []
    for grouping in [g for g in ("role", "org_type") if g in set(rates["grouping"])]:
        order = group_order(instrument, grouping)
        part = rates[rates["grouping"] == grouping]
        part = part.assign(
            _order=[order.index(g) if g in order else 99 for g in part["group"]]
        ).sort_values(["_order", "group"], kind="mergesort")
        rows += grouped_count_rows(names.get(grouping, grouping), part, "respondents", "pct", k)
    table = md_table(
        ["Grouping", "Group", "Respondents", "% who commented"], rows, "llrr", [18, 28, 12, 14]
    )
    return with_hidden_note(table, hidden_reasons(rates, "pct"), k)


def method_facts(instrument: Instrument, k: int) -> dict[str, Any]:
    scale = instrument.scale
    reversed_items = [i for i in instrument.items if i.reverse]
    return {
        "k": k,
        "scale_min": f"{scale.min:g}",
        "scale_max": f"{scale.max:g}",
        "midpoint": f"{scale.midpoint:g}",
        "positive_threshold": f"{scale.positive_threshold:g}",
        "positive_labels": [
            label for label, score in scale.labels if score >= scale.positive_threshold
        ],
        "labels": [label for label, _ in scale.labels],
        "n_items": len(instrument.items),
        "n_reversed": len(reversed_items),
        "reversed": [instrument.text(i.id) for i in reversed_items],
    }


def quarantine_rows(quarantine: pd.DataFrame) -> list[list[Any]]:
    """Quarantined rows counted by reason (never the ids themselves)."""
    if quarantine.empty:
        return []
    counts = quarantine["reason"].value_counts()
    order = list(QUARANTINE_REASONS)
    reasons = sorted(counts.index, key=lambda r: (order.index(r) if r in order else 99, r))
    return [[QUARANTINE_REASONS.get(r, r), fmt_count(int(counts[r]))] for r in reasons]


def _one_row(frame: pd.DataFrame) -> dict[str, Any]:
    return {} if frame.empty else frame.iloc[0].to_dict()


def _int(value: Any, default: int = 0) -> int:
    number = _number(value) if value is not None else None
    return default if number is None else int(number)


# --- the briefing pack --------------------------------------------------------

BRIEFING_TABLES = {
    "statement_scores": [
        "item_id", "framework", "n", "mean", "sd", "ci_low", "ci_high", "pct_positive", "rank"
    ],
    "group_scores": ["grouping", "group", "mean"],
    "label_distribution": ["item_id", "label", "score", "n", "pct"],
    "comparator": [
        "item_id", "n", "mean", "comparator_n", "comparator_mean", "diff",
        "diff_ci_low", "diff_ci_high", "flag",
    ],
    "comparator_summary": ["systems", "n_systems", "responses", "cutoff", "note"],
    "breakdown_scores": ["grouping", "group", "measure", "n", "mean", "pct_positive", "suppressed",
                         "suppression"],
    "profile": ["question", "group", "n", "pct", "suppressed", "suppression"],
    "quotes": ["context_type", "context", "rank", "quote", "attribution", "comment_key"],
    "theme_counts": ["theme", "label", "comments", "pct"],
    "comment_rates": ["grouping", "group", "respondents", "comments", "pct", "suppressed",
                      "suppression"],
    "reconciliation": ["system_id", "rows_read", "kept_on_time", "kept_late", "quarantined",
                       "duplicates"],
    "quarantine": ["system_id", "source_file", "row_number", "response_id", "reason"],
}  # fmt: skip


def load_tables(paths: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Read the named input tables (missing files give empty tables)."""
    return {name: load_table(paths.get(name), columns) for name, columns in BRIEFING_TABLES.items()}


def comparator_table(frame: pd.DataFrame, instrument: Instrument, version: str | None) -> Markdown:
    rows = []
    for _, row in frame.iterrows():
        interval = Markdown(
            f"{fmt_signed(row['diff'])} ({fmt_signed(row['diff_ci_low'])} to "
            f"{fmt_signed(row['diff_ci_high'])})"
        )
        rows.append(
            [
                statement_cell(instrument, row["item_id"], version),
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
) -> dict[str, Any]:
    """Everything templates/briefing.qmd.j2 needs, escaped or marked Markdown."""
    version = system.questionnaire_version
    k = min_group_size
    scores = tables["statement_scores"]
    comparator = tables["comparator"]
    labels = statement_labels(instrument, version)
    names = grouping_names(instrument)
    found = fnd.build_findings(
        scores,
        comparator,
        tables["breakdown_scores"],
        tables["group_scores"],
        top_n=top_n,
        midpoint=instrument.scale.midpoint,
        labels=labels,
        grouping_names=names,
        reversed_items=[item.id for item in instrument.items if item.reverse],
    )
    summary = _one_row(tables["comparator_summary"])
    reconciliation = tables["reconciliation"]
    recon = _one_row(reconciliation[reconciliation["system_id"] == system.system_id])
    if not recon:
        recon = _one_row(reconciliation)
    slots = place_figures(figures, instrument)
    fw_ids = framework_ids(instrument)
    fw_names = [fw.name for fw in instrument.frameworks]
    breakdown = tables["breakdown_scores"]
    group_tables = []
    for grouping in ("org_type", "role", "tenure"):
        table = breakdown_table(breakdown, instrument, grouping, fw_ids, fw_names, k)
        if table is not None:
            group_tables.append({"name": names.get(grouping, grouping), "table": table})
    comm_items = [i for i in COMMUNICATION_ITEMS if i in instrument.item_ids]
    communication = breakdown_table(
        breakdown,
        instrument,
        "role",
        comm_items,
        [short_label(instrument, i) for i in comm_items],
        k,
        with_positive=False,
    )
    seen_quotes: set[str] = set()
    statement_quotes = quotes_by_context(tables["quotes"], "statement")
    worst_quotes = []
    for _, row in found.worst.iterrows():
        for quote in statement_quotes.get(row["item_id"], [])[:1]:
            if quote["key"] in seen_quotes:
                continue
            seen_quotes.add(quote["key"])
            worst_quotes.append(
                {
                    "statement": labels.get(row["item_id"], row["item_id"]),
                    "quote": blockquote(quote),
                }
            )
    themes = tables["theme_counts"]
    blocks = theme_quotes(themes, tables["quotes"], 2, seen_quotes)
    late = _int(recon.get("kept_late"))
    cell_issues = validation.get("cell_issues", 0)
    if isinstance(cell_issues, list):
        cell_issues = len(cell_issues)
    return {
        "sections": BRIEFING_SECTIONS,
        "title": f"{system.name}: briefing pack",
        "subtitle": f"{instrument.title}, survey deadline {fmt_date(system.deadline)}",
        "header": system.name,
        "system": {
            "name": system.name,
            "deadline": system.deadline,
            "version": version,
            "review_order": system.review_order,
        },
        "counts": {
            "on_time": _int(recon.get("kept_on_time"), _int(scores["n"].max())),
            "late": late,
        },
        "comparator": {
            "present": found.has_comparator,
            "n_systems": _int(summary.get("n_systems")),
            "responses": _int(summary.get("responses")),
            "cutoff": summary.get("cutoff") if isinstance(summary.get("cutoff"), str) else None,
            "note": summary.get("note") if isinstance(summary.get("note"), str) else "",
            "higher": comparator_table(found.higher, instrument, version)
            if len(found.higher)
            else None,
            "lower": comparator_table(found.lower, instrument, version)
            if len(found.lower)
            else None,
            "n_higher": len(found.higher),
            "n_lower": len(found.lower),
            "n_statements": len(comparator),
        },
        "key_messages": fnd.key_messages(found),
        "frameworks": [
            {"name": fw.name, "description": framework_description(instrument, fw.id)}
            for fw in instrument.frameworks
        ],
        "profile_table": profile_table(tables["profile"], instrument, k)
        if not tables["profile"].empty
        else None,
        "figures": slots,
        "framework_means": [
            {"name": labels.get(row["group"], row["group"]), "mean": row["mean"]}
            for _, row in found.framework_means.iterrows()
        ],
        "domain_means": _group_means_table(
            tables["group_scores"], "domain", instrument, "Proximity domain"
        ),
        "attribute_means": _group_means_table(
            tables["group_scores"], "attribute", instrument, "Attribute"
        ),
        "dimension_means": _group_means_table(
            tables["group_scores"], "dimension", instrument, "Dimension"
        ),
        "top_n": top_n,
        "best_table": statement_table(found.best, instrument, version) if len(found.best) else None,
        "worst_table": statement_table(found.worst, instrument, version)
        if len(found.worst)
        else None,
        "worst_quotes": worst_quotes,
        "group_tables": group_tables,
        "communication": communication,
        "communication_items": [labels[i] for i in comm_items],
        "gaps": [
            f"{names.get(g['grouping'], g['grouping'])}: "
            f"\u201c{labels.get(g['measure'], g['measure'])}\u201d, {g['high_group']} "
            f"{fnd.fmt_mean(g['high_mean'])} against {g['low_group']} {fnd.fmt_mean(g['low_mean'])}"
            f" (gap {fnd.fmt_mean(g['gap'])})"
            for _, g in found.gaps.head(5).iterrows()
        ],
        "themes": theme_table(themes),
        "theme_quotes": [
            {"label": b["label"], "quotes": [blockquote(q) for q in b["quotes"]]} for b in blocks
        ],
        "comment_rates": comment_rate_table(tables["comment_rates"], instrument, k),
        "enquiry": fnd.lines_of_enquiry(rules, found),
        "method": method_facts(instrument, k),
        "data_quality": {
            "quarantine": md_table(
                ["Reason", "Rows"], quarantine_rows(tables["quarantine"]), "lr", [50, 10]
            )
            if len(tables["quarantine"])
            else None,
            "late": late,
            "cell_issues": _int(cell_issues),
            "housekeeping": [str(c) for c in validation.get("housekeeping_columns", [])],
            "rows_read": _int(recon.get("rows_read")),
            "duplicates": _int(recon.get("duplicates")),
            "quarantined": _int(recon.get("quarantined")),
        },
        "census_date": census_date,
    }


def _group_means_table(
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


# --- writing and rendering ----------------------------------------------------


def write_qmd(text: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render_and_record(
    qmd: str | Path,
    formats: Sequence[str],
    engine: str,
    running_header: str,
    render_info: str | Path,
) -> dict[str, Any]:
    """Render the qmd with relaudit.render and write render.json beside it."""
    from relaudit.io import write_json
    from relaudit.render import render_document

    qmd = Path(qmd)
    result = render_document(qmd, list(formats), engine, running_header=running_header)
    info = {
        "engine": result.engine,
        "engine_version": result.engine_version,
        "outputs": {
            fmt: os.path.relpath(path, Path(render_info).parent).replace(os.sep, "/")
            for fmt, path in sorted(result.outputs.items())
        },
    }
    write_json(info, render_info)
    return info


# --- the national annex -------------------------------------------------------

ANNEX_TABLES = {
    "scope_basis": ["system_id", "responses", "late", "scope_basis", "scope_responses",
                    "answers_left_out"],
    "statement_scores": ["scope", "item_id", "framework", "n", "mean", "sd", "ci_low", "ci_high",
                         "pct_positive", "rank"],
    "group_scores": ["scope", "grouping", "group", "mean"],
    "response_summary": ["system_id", "name", "review_order", "questionnaire_version", "sent_to",
                         "responses", "free_text", "on_time", "late"],
    "label_distribution": ["item_id", "label", "score", "n", "pct"],
    "breakdown_scores": ["grouping", "group", "measure", "n", "mean", "pct_positive", "suppressed",
                         "suppression"],
    "breakdown_labels": ["grouping", "group", "item_id", "label", "score", "n", "pct",
                         "suppressed", "suppression"],
    "consistency": ["item_id", "framework", "systems", "top5", "bottom5", "worst_in_framework"],
    "profile": ["question", "group", "n", "pct", "suppressed", "suppression"],
    "quotes": ["context_type", "context", "rank", "quote", "attribution", "comment_key"],
    "theme_counts": ["theme", "label", "comments", "pct"],
    "comment_rates": ["grouping", "group", "respondents", "comments", "pct", "suppressed",
                      "suppression"],
    "reconciliation": ["system_id", "rows_read", "kept_on_time", "kept_late", "quarantined",
                       "duplicates"],
    "quarantine": ["system_id", "source_file", "row_number", "response_id", "reason"],
}  # fmt: skip

# Our own short descriptions of the CQC frameworks; any other framework gets a
# generic sentence built from the instrument.
FRAMEWORK_DESCRIPTIONS = {
    "relational_value": (
        "Relational value is about the quality of the relationships between organisations. "
        "It crosses {n_attribute} attributes of a good relationship ({attribute}) with "
        "{n_dimension} dimensions of joint working ({dimension}). There is one statement for "
        "each of the {n_items} combinations, so each attribute and each dimension can be "
        "scored on its own."
    ),
    "relational_proximity": (
        "Relational proximity is about how close partners are in practice: whether they talk "
        "to each other directly, whether relationships last long enough to build trust, how "
        "much they know about each other's organisations, whether influence is shared fairly, "
        "and whether day-to-day decisions serve common goals. It has {n_domain} domains "
        "({domain}), with one statement each."
    ),
}


def load_annex_tables(paths: Mapping[str, str | Path]) -> dict[str, pd.DataFrame]:
    """Read the national input tables (missing files give empty tables)."""
    return {name: load_table(paths.get(name), columns) for name, columns in ANNEX_TABLES.items()}


def number_ranges(numbers: Iterable[int]) -> str:
    """[1, 2, 3, 5] -> '1 to 3 and 5'."""
    values = sorted(set(int(n) for n in numbers))
    parts: list[str] = []
    start = prev = None
    for value in values:
        if start is None:
            start = prev = value
        elif value == prev + 1:
            prev = value
        else:
            parts.append(str(start) if start == prev else f"{start} to {prev}")
            start = prev = value
    if start is not None:
        parts.append(str(start) if start == prev else f"{start} to {prev}")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def framework_description(instrument: Instrument, framework_id: str) -> str:
    fw = instrument.framework(framework_id)
    values: dict[str, Any] = {"n_items": len(instrument.items_in(framework_id))}
    for grouping, levels in fw.groupings.items():
        values[grouping] = ", ".join(levels)
        values[f"n_{grouping}"] = len(levels)
    template = FRAMEWORK_DESCRIPTIONS.get(framework_id)
    if template:
        try:
            return template.format(**values)
        except KeyError:
            pass  # an instrument that reuses the id with other groupings
    groupings = "; ".join(f"{g}: {', '.join(levels)}" for g, levels in fw.groupings.items())
    return f"{fw.name} has {values['n_items']} statements, grouped by {groupings}."


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
        & ~breakdown["suppressed"].map(is_suppressed)
        & ~breakdown["group"].isin(list(skip))
    ]
    if len(part) < 2:
        return None
    ordered = part.sort_values(["mean", "group"], ascending=[False, True], kind="mergesort")
    return ordered.iloc[0], ordered.iloc[-1]


def group_sentences(breakdown: pd.DataFrame, instrument: Instrument, grouping: str) -> list[str]:
    """'Relational value: highest X (2.95), lowest Y (2.60).' per framework."""
    sentences = []
    try:
        question = instrument.question(grouping)
        skip = [question.multiple, question.none]
    except KeyError:
        skip = list(fnd.DERIVED_GROUPS)
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
            [statement_cell(instrument, row["item_id"], None), fmt_count(row[column])]
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


def _of(count: int, total: int) -> str:
    return f"all {total}" if count == total else f"{count} of the {total}"


def _proximity_table(instrument: Instrument) -> Markdown | None:
    """Statements of the frameworks without a grid (proximity), one per domain."""
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
    return md_table(["Domain", "Statement", "Worded"], rows, "lll", [14, 60, 12]) if rows else None


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _counted(count: int, noun: str) -> str:
    """'two frameworks', 'one framework', '12 frameworks'."""
    word = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else f"{count:,}"
    return f"{word} {noun}" + ("" if count == 1 else "s")


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


def annex_context(
    instrument: Instrument,
    tables: Mapping[str, pd.DataFrame],
    figures: Sequence[Figure],
    *,
    min_group_size: int,
    top_n: int,
    census_date: str | dt.date,
    systems: Sequence[System] = (),
) -> dict[str, Any]:
    """Everything templates/annex.qmd.j2 needs. Systems are never named in findings."""
    k = min_group_size
    all_scores = tables["statement_scores"]
    scores = all_scores[all_scores["scope"] == "national"]
    group_scores = tables["group_scores"]
    national_groups = group_scores[group_scores["scope"] == "national"]
    summary = tables["response_summary"]
    best, worst = fnd.best_and_worst(scores, top_n)
    labels = statement_labels(instrument, None)
    names = grouping_names(instrument)
    breakdown = tables["breakdown_scores"]
    fw_ids = framework_ids(instrument)
    fw_names = [fw.name for fw in instrument.frameworks]

    # Spread of system means per framework (no system named).
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
    framework_means = [
        {"name": labels.get(row["group"], row["group"]), "mean": row["mean"]}
        for _, row in national_groups[national_groups["grouping"] == "framework"].iterrows()
    ]
    versions = []
    if not summary.empty:
        for version in instrument.versions:
            orders = summary[summary["questionnaire_version"] == version]["review_order"]
            if len(orders):
                versions.append({"version": version, "systems": number_ranges(orders)})
    reworded = reworded_items(instrument)
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
    other_boxes = [q for q in instrument.questions if q.other_text_label]
    comm_items = [i for i in COMMUNICATION_ITEMS if i in instrument.item_ids]
    commonality = [i for i in ("proximity_commonality",) if i in instrument.item_ids]
    seen_quotes: set[str] = set()
    recon = tables["reconciliation"]
    totals = {
        column: int(pd.to_numeric(recon[column], errors="coerce").fillna(0).sum())
        for column in ("rows_read", "kept_on_time", "kept_late", "quarantined", "duplicates")
    }
    with_data = summary[pd.to_numeric(summary["responses"], errors="coerce").fillna(0) > 0]
    return {
        "sections": ANNEX_SECTIONS,
        "title": f"{instrument.title}: national annex",
        "subtitle": f"Results from all systems, responses to {fmt_date(census_date)}",
        "header": "National annex",
        "census_date": census_date,
        "n_systems": len(with_data),
        "responses": int(pd.to_numeric(summary["responses"], errors="coerce").fillna(0).sum()),
        "free_text": int(pd.to_numeric(summary["free_text"], errors="coerce").fillna(0).sum()),
        "figures": place_figures(figures, instrument),
        "frameworks": [
            {"name": fw.name, "description": framework_description(instrument, fw.id)}
            for fw in instrument.frameworks
        ],
        "proximity_statements": _proximity_table(instrument),
        "n_frameworks_text": _counted(len(instrument.frameworks), "framework"),
        "proximity_name": " and ".join(
            fw.name.lower() for fw in instrument.frameworks if not fw.grid
        ),
        "profile_table": profile_table(tables["profile"], instrument, k)
        if not tables["profile"].empty
        else None,
        "framework_means": framework_means,
        "spreads": spreads,
        "attribute_means": _group_means_table(
            national_groups, "attribute", instrument, "Attribute"
        ),
        "dimension_means": _group_means_table(
            national_groups, "dimension", instrument, "Dimension"
        ),
        "domain_means": _group_means_table(
            national_groups, "domain", instrument, "Proximity domain"
        ),
        "top_n": top_n,
        "best_table": statement_table(best, instrument, None) if len(best) else None,
        "worst_table": statement_table(worst, instrument, None) if len(worst) else None,
        "best_sentence": (
            f"The highest-scoring statement was \u201c{labels[best.iloc[0]['item_id']]}\u201d "
            f"(mean {fnd.fmt_mean(best.iloc[0]['mean'])})."
        )
        if len(best)
        else "",
        "worst_sentence": (
            f"The lowest-scoring statement was \u201c{labels[worst.iloc[0]['item_id']]}\u201d "
            f"(mean {fnd.fmt_mean(worst.iloc[0]['mean'])})."
        )
        if len(worst)
        else "",
        "consistency": consistency_tables(tables["consistency"], instrument),
        "themes": theme_table(tables["theme_counts"]),
        "theme_quotes": [
            {"label": b["label"], "quotes": [blockquote(q) for q in b["quotes"]]}
            for b in theme_quotes(tables["theme_counts"], tables["quotes"], 2, seen_quotes)
        ],
        "comment_rates": comment_rate_table(tables["comment_rates"], instrument, k),
        "groups": {
            grouping: {
                "name": names.get(grouping, grouping),
                "table": breakdown_table(breakdown, instrument, grouping, fw_ids, fw_names, k),
                "sentences": group_sentences(breakdown, instrument, grouping),
            }
            for grouping in ("tenure", "org_type", "role")
        },
        "commonality": breakdown_table(
            breakdown,
            instrument,
            "org_type",
            commonality,
            [short_label(instrument, i) for i in commonality],
            k,
            with_positive=True,
        )
        if commonality
        else None,
        "commonality_statement": labels[commonality[0]] if commonality else "",
        "commonality_heading": (
            f"{short_label(instrument, commonality[0])} by organisation type"
            if commonality
            else "Answers by organisation type"
        ),
        "days_open": days_open(systems),
        "late_basis": late_basis(tables.get("scope_basis"), systems),
        "communication": breakdown_table(
            breakdown,
            instrument,
            "role",
            comm_items,
            [short_label(instrument, i) for i in comm_items],
            k,
            with_positive=True,
        )
        if comm_items
        else None,
        "communication_items": [labels[i] for i in comm_items],
        "method": method_facts(instrument, k),
        "versions": versions,
        "reworded": reworded_table,
        "n_reworded": len(reworded),
        "reworded_dimensions": sorted({r["where"].split(", ")[-1] for r in reworded}),
        "other_boxes": [
            {"question": q.name.lower(), "label": q.other_text_label} for q in other_boxes
        ],
        "quarantine": md_table(
            ["Reason", "Rows"], quarantine_rows(tables["quarantine"]), "lr", [50, 10]
        )
        if len(tables["quarantine"])
        else None,
        "totals": totals,
        "response_table": response_table(summary),
    }
