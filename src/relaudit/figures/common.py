"""What every chart shares: the Chart record, the drawing context, number
formats, title and alt-text helpers, and the diverging stacked bars.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from relaudit.comparison import HIGHER, LOWER, NOT_COMPARABLE
from relaudit.instrument import Framework, Instrument
from relaudit.labels import answer_label
from relaudit.style import (
    GRID_COLOUR,
    MUTED_TEXT,
    label_colours,
)
from relaudit.suppress import REASON, RESPONDENTS, SECONDARY, SMALL, reason_note

MINUS = "\u2212"
# A white box behind value labels keeps them readable over grid and reference lines.
LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}
SUPPRESSED_STYLE = {"color": MUTED_TEXT, "fontstyle": "italic", "fontsize": 8, "bbox": LABEL_BOX}


@dataclass
class Chart:
    """A figure with its message-stating title, data-driven alt text and caption.

    The title (drawn on the figure) states the chart's message; the caption
    (under the figure in the documents) says what the chart shows and how to
    read it, never the title again.
    """

    figure: Figure
    title: str
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class DrawContext:
    """What a registry draw function gets besides its own parameters: the scope's
    tables by name, the instrument, and the run's settings."""

    tables: Mapping[str, pd.DataFrame]
    instrument: Instrument
    top_n: int
    min_group_size: int


def national_scores(ctx: DrawContext) -> pd.DataFrame:
    """The national rows of the annex's statement scores (the table has every scope)."""
    scores = ctx.tables["statement_scores"]
    return scores[scores["scope"] == "national"]


# --------------------------------------------------------------------------- helpers


def _name(labels: dict[str, str], item_id: Any) -> str:
    """Short label of an item id from a table (per-target ids keep their target)."""
    base, _, target = str(item_id).partition("@")
    label = labels.get(base, base)
    return f"{label} \u2013 {target}" if target else label


def _tick_label(text: str, width: int = 44) -> str:
    """Wrap a long axis label (per-target statements) so the plot keeps its width."""
    return textwrap.fill(text, width)


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace("-", MINUS)


def _signed(value: float, digits: int = 1) -> str:
    text = f"{value:+.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", MINUS)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _n_range(values: Iterable[float]) -> str:
    numbers = [int(v) for v in values if pd.notna(v)]
    if not numbers:
        return "n = 0"
    low, high = min(numbers), max(numbers)
    return f"n = {low}" if low == high else f"n = {low}\u2013{high}"


def _is_true(series: pd.Series) -> pd.Series:
    """A typed boolean column (relaudit.tables) as a boolean mask."""
    return series.astype(bool)


def _wrap(text: str, width: float) -> str:
    """Wrap a title so it fits a figure `width` inches wide at the title size."""
    return textwrap.fill(text, width=max(30, int(width * 11)))


def _finish(fig: Figure, title: str, alt: str, caption: str = "") -> Chart:
    fig.suptitle(
        _wrap(title, fig.get_figwidth()),
        x=0.01,
        ha="left",
        fontsize=10.5,
        fontweight="bold",
    )
    return Chart(
        figure=fig, title=title, alt=" ".join(alt.split()), caption=" ".join(caption.split())
    )


def _hidden_reason(row: Any = None) -> str:
    """Why a hidden row is hidden: SECONDARY if its table says so, else SMALL."""
    reason = "" if row is None else str(row.get(REASON, "") or "")
    return SECONDARY if reason == SECONDARY else SMALL


def _hidden_groups(
    frame: pd.DataFrame,
    by: Sequence[str] = ("group",),
    name: Callable[[Mapping[str, Any]], str] | None = None,
) -> list[tuple[str, str]]:
    """The hidden groups of a table (one per value of the `by` columns), in table
    order, each with its reason; a group hidden as small in any row counts as small.

    `name` gives a row's name for a reader (default: its group), e.g. with its
    question where several questions share group names ("Did not answer").
    """
    out: dict[tuple[str, ...], tuple[str, str]] = {}
    for row in frame.loc[_is_true(frame["suppressed"])].to_dict("records"):
        key = tuple(str(row[c]) for c in by)
        if out.get(key, ("", ""))[1] != SMALL:
            out[key] = (name(row) if name else str(row["group"]), _hidden_reason(row))
    return list(out.values())


def _hidden_alt(
    kind: str, min_group_size: int, hidden: Sequence[tuple[str, str]] | Sequence[str]
) -> str:
    """The alt-text sentence naming the groups a chart does not show, by reason.

    `hidden` holds (group, reason) pairs (`_hidden_groups`); plain group names
    count as small. `kind` is what the chart's cells count (respondents or
    answers).
    """
    pairs = [(h, SMALL) if isinstance(h, str) else h for h in hidden]
    why = {SMALL: f"fewer than {min_group_size} {kind}", SECONDARY: "to protect a smaller group"}
    parts = []
    for reason in (SMALL, SECONDARY):
        groups = [g for g, r in pairs if r == reason]
        if groups:
            parts.append(f"{', '.join(groups)} ({why[reason]})")
    return f" Not shown: {'; '.join(parts)}." if parts else ""


def _hide_group_label(min_group_size: int, row: Any = None, kind: str = RESPONDENTS) -> str:
    """What stands in for a hidden group: fewer than k of `kind`, or hidden to protect a
    smaller group (never called small: its own count may be large)."""
    return _hidden_label(_hidden_reason(row), min_group_size, kind)


def _hidden_label(reason: str, min_group_size: int, kind: str = RESPONDENTS) -> str:
    if reason == SECONDARY:
        return reason_note(SECONDARY, min_group_size, kind)
    return f"fewer than {min_group_size} {kind}"


def _midpoint_line(ax: Axes, instrument: Instrument, vertical: bool = True) -> None:
    mid = instrument.scale.midpoint
    if vertical:
        ax.axvline(mid, color=MUTED_TEXT, linewidth=0.8, linestyle=(0, (3, 2)), zorder=1)
    else:
        ax.axhline(mid, color=MUTED_TEXT, linewidth=0.8, linestyle=(0, (3, 2)), zorder=1)


def _scale_axis(ax: Axes, instrument: Instrument, label: str = "Mean score") -> None:
    scale = instrument.scale
    ax.set_xlim(scale.min, scale.max)
    ax.set_xticks(np.arange(scale.min, scale.max + 0.5, 1.0))
    ax.set_xlabel(f"{label} ({_fmt(scale.min, 0)} worst to {_fmt(scale.max, 0)} best)")
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)


def _grid_framework(instrument: Instrument, framework_id: str | None) -> Framework:
    for fw in instrument.frameworks:
        if fw.grid and (framework_id is None or fw.id == framework_id):
            return fw
    raise ValueError(f"instrument {instrument.id} has no grid framework {framework_id!r}")


def _base_ids(item_ids: pd.Series) -> pd.Series:
    """Item ids without a per-target suffix ("item@target" -> "item")."""
    return item_ids.astype(str).str.partition("@")[0]


def _item_means(frame: pd.DataFrame, column: str = "mean") -> dict[str, float]:
    """Mean of `column` per item; per-target rows are averaged over targets (unweighted)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    grouped = values.groupby(_base_ids(frame["item_id"]), sort=False).mean()
    return {str(k): float(v) for k, v in grouped.items() if pd.notna(v)}


def _n_of(frame: pd.DataFrame, items: Sequence[Any]) -> str:
    ids = {i.id for i in items}
    return _n_range(frame.loc[_base_ids(frame["item_id"]).isin(ids), "n"])


def _comparator_caption(summary: pd.DataFrame | None, comparator: pd.DataFrame) -> str:
    if summary is not None and not summary.empty:
        row = summary.iloc[0]
        systems = int(row["n_systems"]) if pd.notna(row["n_systems"]) else 0
        responses = int(row["responses"]) if pd.notna(row["responses"]) else 0
        noun = "system" if systems == 1 else "systems"
        return f"comparator: {systems} other {noun}, {responses} responses"
    return f"comparator: {_n_range(comparator['comparator_n'])}"


def _flag_summary(flags: Sequence[str], noun: str = "statement") -> str:
    """What the flags of a set of statements say, in words, for titles and alt text.

    Only the flag rule calls a difference higher or lower: statements it
    does not flag are never counted as either.
    """
    n = len(flags)
    higher, lower = list(flags).count(HIGHER), list(flags).count(LOWER)
    apart = list(flags).count(NOT_COMPARABLE)
    if not higher and not lower:
        text = f"no {noun} differs clearly from the comparator"
    else:
        parts = []
        if higher:
            parts.append(f"{higher} flagged higher")
        if lower:
            parts.append(f"{lower} flagged lower")
        text = f"of the {_count(n, noun)}, " + " and ".join(parts) + " than the comparator"
    if apart:
        text += f" ({apart} not comparable: reworded between questionnaire versions)"
    return text


def _label_bar_ends(ax: Axes, bars: Any, values: Sequence[float], **style: Any) -> None:
    """Print each horizontal bar's value just past its end (none for a missing value)."""
    for rect, value in zip(bars, values, strict=True):
        if not math.isnan(value):
            ax.text(
                value + 0.05,
                rect.get_y() + rect.get_height() / 2,
                _fmt(value),
                va="center",
                fontsize=8,
                **style,
            )


def _diverging_stack(
    ax: Axes,
    rows: Sequence[tuple[str, pd.DataFrame | str | None]],
    instrument: Instrument,
    min_group_size: int,
) -> list[str]:
    """Horizontal diverging stacked bars: one row per (label, label-distribution).

    Labels scoring below the midpoint stack leftwards from 0 (worst
    outermost), the others rightwards, so bad is always on the left. A row
    whose distribution is None or a string is suppressed: the string (or "fewer
    than k respondents") stands in for it. Returns the colours used, by score
    from worst to best.
    """
    scores = sorted({score for _, score in instrument.scale.labels})
    colours = label_colours(len(scores))
    colour_of = dict(zip(scores, colours, strict=True))
    mid = instrument.scale.midpoint
    for y, (_, dist) in enumerate(rows):
        if dist is None or isinstance(dist, str):
            ax.text(
                0,
                y,
                dist if isinstance(dist, str) else _hide_group_label(min_group_size),
                ha="center",
                va="center",
                **SUPPRESSED_STYLE,
            )
            continue
        pct = dist.groupby("score")["pct"].sum()
        # (left edge, width, colour): below the midpoint outwards from 0 to the
        # left, worst outermost; the rest outwards to the right.
        segments = []
        edge = 0.0
        for score in sorted((s for s in scores if s < mid), reverse=True):
            width = float(pct.get(score, 0.0))
            edge -= width
            segments.append((edge, width, colour_of[score]))
        edge = 0.0
        for score in sorted(s for s in scores if s >= mid):
            width = float(pct.get(score, 0.0))
            segments.append((edge, width, colour_of[score]))
            edge += width
        for left, width, colour in segments:
            ax.barh(y, width, left=left, height=0.7, color=colour, edgecolor="white", linewidth=0.5)
        negative = float(sum(pct.get(s, 0.0) for s in scores if s < mid))
        positive = float(sum(pct.get(s, 0.0) for s in scores if s >= mid))
        ax.text(
            -negative - 1.5,
            y,
            f"{negative:.0f}%",
            ha="right",
            va="center",
            fontsize=7.5,
            color=MUTED_TEXT,
        )
        ax.text(
            positive + 1.5,
            y,
            f"{positive:.0f}%",
            ha="left",
            va="center",
            fontsize=7.5,
            color=MUTED_TEXT,
        )
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(-112, 112)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    return colours


def _label_legend(
    fig: Figure, instrument: Instrument, reversed_items: bool, positive_items: bool = True
) -> None:
    """The answer labels by colour, worst to best, as the scores mean after reverse
    scoring: for a negatively worded statement (\u2020) score 0 is the scale's top
    label. Charts with both kinds give each colour both answers."""
    scale = instrument.scale
    scores = sorted({score for _, score in scale.labels})
    colours = label_colours(len(scores))
    handles = []
    for score, colour in zip(scores, colours, strict=True):
        plain = answer_label(instrument, score, reverse=False)
        turned = answer_label(instrument, score, reverse=True)
        if reversed_items and positive_items:
            text = f"{_fmt(score, 0)} {plain} (\u2020 {turned})"
        elif reversed_items:
            text = f"{_fmt(score, 0)} {turned}"
        else:
            text = f"{_fmt(score, 0)} {plain}"
        handles.append(Patch(facecolor=colour, label=text))
    if reversed_items and positive_items:
        title = (
            "Score and answer (worst to best); \u2020 negatively worded, reverse scored: "
            "its answer in brackets"
        )
    elif reversed_items:
        title = "Score and answer after reverse scoring (worst to best): negatively worded"
    else:
        title = "Score and answer (worst to best)"
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=len(handles) if len(handles) <= 4 else (2 if reversed_items and positive_items else 3),
        fontsize=7.5,
        title=title,
        title_fontsize=7.5,
    )
