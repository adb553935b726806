"""Charts for the briefing packs and the national annex.

One function per chart. Each takes tidy tables in the formats of
docs/dataflow.md plus the instrument, and returns a :class:`Chart`: the
matplotlib figure, a title that states the message and an alt text with the
key numbers, both worked out from the data. Nothing here knows the 35 CQC
statements: frameworks, grids, domains, labels and groups come from the
instrument. Groups suppressed upstream (``suppressed`` True, blank numbers)
are never drawn as bars; a "fewer than k responses" label stands in their
place.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from relaudit.chartset import (
    DEFAULT_COMMUNICATION_ITEMS,
    communication_items,
    domain_grouping,
    grid_frameworks,
    national_groupings,
    proximity_frameworks,
    small_multiple_groupings,
)
from relaudit.instrument import Framework, Instrument
from relaudit.io import write_json
from relaudit.labels import group_order, measure_label, question_name, short_labels
from relaudit.style import (
    COMPARATOR_COLOUR,
    GRID_COLOUR,
    HIGHER_COLOUR,
    LOWER_COLOUR,
    MUTED_TEXT,
    OKABE_ITO,
    SIMILAR_COLOUR,
    SYSTEM_COLOUR,
    SvgRasteriser,
    label_colours,
    new_figure,
    save_figure,
    text_colour_on,
)
from relaudit.suppress import REASON, SECONDARY

MINUS = "\u2212"
# A white box behind value labels keeps them readable over grid and reference lines.
LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}
SUPPRESSED_STYLE = {"color": MUTED_TEXT, "fontstyle": "italic", "fontsize": 8, "bbox": LABEL_BOX}


@dataclass
class Chart:
    """A figure with its message-stating title and data-driven alt text."""

    figure: Figure
    title: str
    alt: str


# --------------------------------------------------------------------------- labels


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
    if series.dtype == bool:
        return series
    return series.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])


def _wrap(text: str, width: float) -> str:
    """Wrap a title so it fits a figure `width` inches wide at the title size."""
    return textwrap.fill(text, width=max(30, int(width * 11)))


def _finish(fig: Figure, title: str, alt: str) -> Chart:
    fig.suptitle(
        _wrap(title, fig.get_figwidth()),
        x=0.01,
        ha="left",
        fontsize=10.5,
        fontweight="bold",
    )
    return Chart(figure=fig, title=title, alt=" ".join(alt.split()))


def _hidden_alt(kind: str, min_group_size: int, hidden: Sequence[str]) -> str:
    """The alt-text sentence naming the groups a chart does not show."""
    return (
        f" Not shown (fewer than {min_group_size} {kind}, or to protect a smaller group): "
        f"{', '.join(hidden)}."
    )


def _hide_group_label(min_group_size: int, row: Any = None) -> str:
    """What stands in for a hidden group: small, or hidden to protect a smaller one."""
    reason = "" if row is None else str(row.get(REASON, "") or "")
    if reason == SECONDARY:
        return "not shown, to protect a smaller group"
    return f"fewer than {min_group_size} responses"


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


def has_comparator(comparator: pd.DataFrame | None) -> bool:
    """True when the comparator table holds at least one comparison."""
    if comparator is None or comparator.empty:
        return False
    return bool(comparator["comparator_mean"].notna().any())


def _comparator_caption(summary: pd.DataFrame | None, comparator: pd.DataFrame) -> str:
    if summary is not None and not summary.empty:
        row = summary.iloc[0]
        systems = int(row["n_systems"]) if pd.notna(row["n_systems"]) else 0
        responses = int(row["responses"]) if pd.notna(row["responses"]) else 0
        noun = "system" if systems == 1 else "systems"
        return f"comparator: {systems} other {noun}, {responses} responses"
    return f"comparator: {_n_range(comparator['comparator_n'])}"


# --------------------------------------------------------------------------- per system


def value_heatmap(
    statement_scores: pd.DataFrame,
    instrument: Instrument,
    comparator: pd.DataFrame | None = None,
    framework_id: str | None = None,
    comparator_summary: pd.DataFrame | None = None,
) -> Chart:
    """Grid framework as a heatmap: every cell's mean printed, coloured by difference.

    Colour shows the difference from the comparator when there is one, else
    from the scale midpoint, on a diverging scale centred at 0 (fixed limits,
    so charts are comparable between systems).
    """
    fw = _grid_framework(instrument, framework_id)
    row_key, col_key = fw.grid  # type: ignore[misc]
    rows, cols = fw.groupings[row_key], fw.groupings[col_key]
    items = instrument.items_in(fw.id)
    means = _item_means(statement_scores)
    use_comparator = has_comparator(comparator)
    diffs: dict[str, float] = {}
    flags: dict[str, str] = {}
    if use_comparator:
        assert comparator is not None
        diffs = _item_means(comparator, "diff")
        flags = dict(zip(comparator["item_id"].astype(str), comparator["flag"], strict=True))
    span = instrument.scale.max - instrument.scale.min
    # Fixed class limits (per 5 scale points), so colours mean the same in every pack.
    steps = [0.1, 0.25, 0.5, 1.0] if use_comparator else [0.25, 0.5, 1.0, 1.5]
    half = np.array(steps) * span / 5
    bounds = np.concatenate([-half[::-1], half])
    cmap = mcolors.ListedColormap(label_colours(len(bounds) + 1))
    norm = mcolors.BoundaryNorm(bounds, ncolors=cmap.N, extend="both")

    fig = new_figure(height=1.6 + 0.5 * len(rows), width=7.0)
    ax = fig.add_subplot()
    for item in items:
        r, c = rows.index(item.position[row_key]), cols.index(item.position[col_key])
        mean = means.get(item.id)
        if mean is None:
            colour, text = "#F2F2F2", "no answers"
        else:
            value = (
                diffs.get(item.id, math.nan) if use_comparator else mean - instrument.scale.midpoint
            )
            colour = cmap(norm(value)) if not math.isnan(value) else "#F2F2F2"
            text = _fmt(mean)
            if use_comparator and not math.isnan(value):
                text += f"\n{_signed(value)}"
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
        bold = flags.get(item.id) in ("higher", "lower")
        ax.text(
            c + 0.5,
            r + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold" if bold else "normal",
            color=text_colour_on(colour),
        )
    ax.set_xlim(0, len(cols))
    ax.set_ylim(len(rows), 0)
    row_means = {
        r: np.mean([means[i.id] for i in items if i.position[row_key] == r and i.id in means])
        for r in rows
    }
    col_means = {
        c: np.mean([means[i.id] for i in items if i.position[col_key] == c and i.id in means])
        for c in cols
    }
    ax.set_xticks(np.arange(len(cols)) + 0.5, [f"{c}\n({_fmt(col_means[c])})" for c in cols])
    ax.set_yticks(np.arange(len(rows)) + 0.5, [f"{r} ({_fmt(row_means[r])})" for r in rows])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    n_text = _n_of(statement_scores, items)
    if use_comparator:
        assert comparator is not None
        legend = "Difference from comparator"
        note = f"Mean score per statement ({n_text}); second line and colour: difference from the "
        note += f"{_comparator_caption(comparator_summary, comparator)}; bold: 95% interval "
        note += "excludes 0. In brackets: group means."
    else:
        legend = f"Difference from midpoint {_fmt(instrument.scale.midpoint)}"
        note = f"Mean score per statement ({n_text}); colour: above (blue) or below (red) "
        note += f"the scale midpoint {_fmt(instrument.scale.midpoint)}. In brackets: group means."
    ax.set_title(textwrap.fill(note, 105), fontsize=8, color=MUTED_TEXT, pad=30)
    bar = fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap), ax=ax, orientation="vertical", fraction=0.04, pad=0.02
    )
    bar.set_ticks(bounds)
    bar.set_ticklabels([f"{b:+g}".replace("-", MINUS) for b in bounds])
    bar.ax.tick_params(labelsize=7)
    bar.set_label(legend, fontsize=7.5)
    bar.outline.set_visible(False)

    labels = short_labels(instrument)
    ranked = sorted(
        ((m, labels[i]) for i, m in means.items() if i in labels and i in {x.id for x in items})
    )
    low, high = ranked[0], ranked[-1]
    title = f"{high[1]} scores highest ({_fmt(high[0])}); {low[1]} lowest ({_fmt(low[0])})"
    alt = (
        f"Heatmap of mean scores for the {len(items)} {fw.name.lower()} statements, "
        f"{len(rows)} {row_key}s by {len(cols)} {col_key}s ({n_text} responses per statement). "
        f"Highest: {high[1]} {_fmt(high[0])}; lowest: {low[1]} {_fmt(low[0])}. "
    )
    weakest_row = min(row_means, key=lambda r: row_means[r])
    alt += f"Lowest {row_key}: {weakest_row} ({_fmt(row_means[weakest_row])}). "
    if use_comparator:
        fw_flags = [flags.get(i.id) for i in items]
        alt += (
            f"Against the comparator: higher on {_count(fw_flags.count('higher'), 'statement')}, "
            f"lower on {fw_flags.count('lower')}, similar on {fw_flags.count('similar')}."
        )
    else:
        above = sum(1 for i in items if means.get(i.id, -1) > instrument.scale.midpoint)
        alt += f"No comparator: {above} of {len(items)} statements are above the midpoint."
    return _finish(fig, title, alt)


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


def domain_bars(
    statement_scores: pd.DataFrame,
    instrument: Instrument,
    framework_id: str,
    comparator: pd.DataFrame | None = None,
    comparator_summary: pd.DataFrame | None = None,
    subject: str = "This system",
) -> Chart:
    """Domain means of a framework (unweighted mean of its statement means), with the
    comparator's beside them as paired bars when there is one."""
    fw = instrument.framework(framework_id)
    grouping = domain_grouping(fw)
    levels = fw.groupings[grouping]
    items = instrument.items_in(fw.id)
    means = _item_means(statement_scores)
    use_comparator = has_comparator(comparator)
    comp_means = _item_means(comparator, "comparator_mean") if use_comparator else {}  # type: ignore[arg-type]

    def level_mean(values: dict[str, float], level: str) -> float:
        found = [
            values[i.id] for i in items if i.position.get(grouping) == level and i.id in values
        ]
        return float(np.mean(found)) if found else math.nan

    own = [level_mean(means, lv) for lv in levels]
    other = [level_mean(comp_means, lv) for lv in levels] if use_comparator else []
    n_text = _n_of(statement_scores, items)

    fig = new_figure(height=1.5 + (0.55 if use_comparator else 0.35) * len(levels))
    ax = fig.add_subplot()
    y = np.arange(len(levels))
    height = 0.38 if use_comparator else 0.6
    offset = height / 2 if use_comparator else 0.0
    base = instrument.scale.min
    system_label = f"{subject} ({n_text})"
    bars = ax.barh(
        y - offset,
        [v - base for v in own],
        left=base,
        height=height,
        color=SYSTEM_COLOUR,
        label=system_label,
    )
    _label_bar_ends(ax, bars, own, bbox=LABEL_BOX)
    if use_comparator:
        assert comparator is not None
        comp_label = _comparator_caption(comparator_summary, comparator).capitalize()
        cbars = ax.barh(
            y + offset,
            [v - base for v in other],
            left=base,
            height=height,
            color=COMPARATOR_COLOUR,
            hatch="///",
            edgecolor="white",
            linewidth=0,
            label=comp_label,
        )
        _label_bar_ends(ax, cbars, other, color=MUTED_TEXT)
    _midpoint_line(ax, instrument)
    ax.set_yticks(y, levels)
    ax.invert_yaxis()
    _scale_axis(ax, instrument)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8)

    valid = [(v, lv) for v, lv in zip(own, levels, strict=True) if not math.isnan(v)]
    high, low = max(valid), min(valid)
    title = (
        f"{fw.name}: {high[1]} scores highest ({_fmt(high[0])}), {low[1]} lowest ({_fmt(low[0])})"
    )
    alt = (
        f"Bar chart of mean scores for the {len(levels)} {fw.name.lower()} {grouping}s "
        f"({n_text} responses): "
        + "; ".join(
            f"{lv} {_fmt(v)}" for v, lv in zip(own, levels, strict=True) if not math.isnan(v)
        )
        + "."
    )
    if use_comparator:
        above = sum(1 for a, b in zip(own, other, strict=True) if a > b)
        title += f"; {above} of {len(levels)} above the comparator"
        alt += " Comparator: " + "; ".join(
            f"{lv} {_fmt(v)}" for v, lv in zip(other, levels, strict=True) if not math.isnan(v)
        )
        alt += f". {above} of {len(levels)} {grouping}s score above the comparator."
    return _finish(fig, title, alt)


def _diverging_stack(
    ax: Axes,
    rows: Sequence[tuple[str, pd.DataFrame | None]],
    instrument: Instrument,
    min_group_size: int,
) -> list[str]:
    """Horizontal diverging stacked bars: one row per (label, label-distribution).

    Labels scoring below the midpoint stack leftwards from 0 (worst
    outermost), the others rightwards, so bad is always on the left. A row
    whose distribution is None is suppressed: a text label stands in for it.
    Returns the colours used, by score from worst to best.
    """
    scores = sorted({score for _, score in instrument.scale.labels})
    colours = label_colours(len(scores))
    colour_of = dict(zip(scores, colours, strict=True))
    mid = instrument.scale.midpoint
    for y, (_, dist) in enumerate(rows):
        if dist is None:
            ax.text(
                0,
                y,
                _hide_group_label(min_group_size),
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


def _label_legend(fig: Figure, instrument: Instrument, reversed_items: bool) -> None:
    labels = sorted(instrument.scale.labels, key=lambda pair: pair[1])
    colours = label_colours(len(labels))
    handles = [
        Patch(facecolor=c, label=f"{_fmt(score, 0)} {name}")
        for (name, score), c in zip(labels, colours, strict=True)
    ]
    title = "Score and answer (worst to best)"
    if reversed_items:
        title += "; \u2020 negatively worded, reverse scored"
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=len(handles) if len(handles) <= 4 else 3,
        fontsize=7.5,
        title=title,
        title_fontsize=7.5,
    )


def best_worst(
    statement_scores: pd.DataFrame,
    label_distribution: pd.DataFrame,
    instrument: Instrument,
    top_n: int = 5,
) -> Chart:
    """The `top_n` best and worst statements as diverging stacked bars of the labels."""
    scores = statement_scores.dropna(subset=["mean"]).sort_values(
        ["mean", "item_id"], ascending=[False, True]
    )
    count = min(top_n, len(scores) // 2)
    best = scores.head(count)
    worst = scores.tail(count).iloc[::-1].iloc[::-1]
    labels = short_labels(instrument)
    rows: list[tuple[str, pd.DataFrame | None]] = []
    reversed_any = False
    for part in (best, worst):
        for row in part.itertuples():
            item = instrument.item(str(row.item_id).partition("@")[0])
            mark = " \u2020" if item.reverse else ""
            reversed_any = reversed_any or item.reverse
            dist = label_distribution[label_distribution["item_id"] == row.item_id]
            name = f"{_name(labels, row.item_id)}{mark} (n = {int(row.n)})"
            rows.append((_tick_label(name), dist))
    fig = new_figure(height=1.9 + 0.33 * len(rows))
    ax = fig.add_subplot()
    _diverging_stack(ax, rows, instrument, min_group_size=0)
    ax.axhline(count - 0.5, color="#444444", linewidth=0.8, linestyle=(0, (4, 2)))
    ax.text(111, -0.45, f"Best {count}", ha="right", va="top", fontsize=8, fontweight="bold")
    ax.text(
        111, count - 0.45, f"Worst {count}", ha="right", va="top", fontsize=8, fontweight="bold"
    )
    ax.set_xlabel("% of answers: worse to the left of 0, better to the right")
    _label_legend(fig, instrument, reversed_any)
    top, bottom = best.iloc[0], worst.iloc[-1]
    title = (
        f"Best: {_name(labels, top.item_id)} ({top.pct_positive:.0f}% positive); "
        f"worst: {_name(labels, bottom.item_id)} ({bottom.pct_positive:.0f}% positive)"
    )
    describe = "; ".join(
        f"{_name(labels, r.item_id)} mean {_fmt(r.mean)}, {r.pct_positive:.0f}% positive"
        for r in pd.concat([best, worst]).itertuples()
    )
    alt = (
        f"Diverging stacked bars of answers to the {count} best and {count} worst statements "
        f"(by mean score), negative answers left of zero and positive right. {describe}."
    )
    return _finish(fig, title, alt)


def statement_differences(
    comparator: pd.DataFrame | None,
    statement_scores: pd.DataFrame,
    instrument: Instrument,
    comparator_summary: pd.DataFrame | None = None,
) -> Chart:
    """Every statement: difference from the comparator with its 95% interval,
    sorted by difference; without a comparator, the means with their intervals."""
    labels = short_labels(instrument)
    use_comparator = has_comparator(comparator)
    if use_comparator:
        assert comparator is not None
        data = comparator.dropna(subset=["diff"]).copy()
        data = data.sort_values(["diff", "item_id"], ascending=[False, True])
        value, low, high = data["diff"], data["diff_ci_low"], data["diff_ci_high"]
    else:
        data = statement_scores.dropna(subset=["mean"]).copy()
        data = data.sort_values(["mean", "item_id"], ascending=[False, True])
        value, low, high = data["mean"], data["ci_low"], data["ci_high"]
    names = [_tick_label(_name(labels, i)) for i in data["item_id"]]
    fig = new_figure(height=1.6 + 0.19 * len(data))
    ax = fig.add_subplot()
    y = np.arange(len(data))
    flags = data["flag"].tolist() if use_comparator else ["none"] * len(data)
    styles = {
        "higher": (HIGHER_COLOUR, "^", "Higher (95% interval above 0)"),
        "lower": (LOWER_COLOUR, "v", "Lower (95% interval below 0)"),
        "similar": (SIMILAR_COLOUR, "o", "Similar (interval crosses 0)"),
        "none": (SYSTEM_COLOUR, "o", "Mean with 95% interval"),
    }
    for flag in ("higher", "similar", "lower", "none"):
        mask = np.array([f == flag for f in flags])
        if not mask.any():
            continue
        colour, marker, text = styles[flag]
        lo = (value - low).to_numpy()[mask]
        hi = (high - value).to_numpy()[mask]
        err = np.nan_to_num(np.vstack([lo, hi]))
        ax.errorbar(
            value.to_numpy()[mask],
            y[mask],
            xerr=err,
            fmt=marker,
            color=colour,
            ecolor=colour,
            elinewidth=1.2,
            capsize=0,
            markersize=5,
            label=text,
        )
    ax.set_yticks(y, names)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    n_text = _n_range(statement_scores["n"])
    if use_comparator:
        assert comparator is not None
        ax.axvline(0, color="#444444", linewidth=0.8)
        # Symmetric, and at least a fifth of the scale either way, so that tiny
        # differences do not fill the chart and look large.
        reach = np.nanmax(np.abs(np.concatenate([low.to_numpy(), high.to_numpy(), [0.0]])))
        span = instrument.scale.max - instrument.scale.min
        limit = max(span / 5, float(reach) * 1.05)
        ax.set_xlim(-limit, limit)
        ax.set_xlabel(
            f"Difference from the comparator in mean score (this system {n_text};\n"
            f"{_comparator_caption(comparator_summary, comparator)})"
        )
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8)
        higher, lower, similar = flags.count("higher"), flags.count("lower"), flags.count("similar")
        if higher or lower:
            title = (
                f"{_count(higher, 'statement')} {'scores' if higher == 1 else 'score'} higher "
                f"than the comparator, {lower} lower "
                f"and {similar} about the same"
            )
        else:
            title = "No statement differs clearly from the comparator (all intervals cross 0)"
        top, bottom = data.iloc[0], data.iloc[-1]
        alt = (
            f"Dot plot of the difference between this system's mean score and the comparator's "
            f"for all {len(data)} statements, with 95% intervals, sorted by difference. "
            f"{higher} higher, {lower} lower, {similar} similar. Largest: "
            f"{_name(labels, top.item_id)} {_signed(top['diff'])}; smallest: "
            f"{_name(labels, bottom.item_id)} {_signed(bottom['diff'])}."
        )
    else:
        _midpoint_line(ax, instrument)
        _scale_axis(ax, instrument, label=f"Mean score with 95% interval ({n_text})")
        top, bottom = data.iloc[0], data.iloc[-1]
        title = (
            f"No comparator yet, so means only: {_name(labels, top.item_id)} highest "
            f"({_fmt(top['mean'])}), {_name(labels, bottom.item_id)} lowest "
            f"({_fmt(bottom['mean'])})"
        )
        alt = (
            f"Dot plot of mean scores for all {len(data)} statements with 95% intervals, sorted by "
            f"mean; no comparator systems were available. Highest "
            f"{_name(labels, top.item_id)} {_fmt(top['mean'])}; lowest "
            f"{_name(labels, bottom.item_id)} {_fmt(bottom['mean'])}."
        )
    return _finish(fig, title, alt)


def group_means(
    breakdown_scores: pd.DataFrame,
    instrument: Instrument,
    grouping: str,
    measures: Sequence[str],
    min_group_size: int,
) -> Chart:
    """Mean score of each measure (item or framework) by respondent group, one panel
    per measure. Suppressed groups show as "fewer than k responses"."""
    data = breakdown_scores[breakdown_scores["grouping"] == grouping]
    groups = group_order(instrument, grouping, data["group"])
    gname = question_name(instrument, grouping)
    fig = new_figure(height=1.5 + 0.3 * len(groups) + (0.2 if len(measures) > 2 else 0))
    axes = fig.subplots(1, len(measures), sharey=True, squeeze=False)[0]
    shown_all: list[tuple[str, list[tuple[float, str]]]] = []
    for ax, measure in zip(axes, measures, strict=True):
        part = data[data["measure"] == measure].set_index("group")
        y = np.arange(len(groups))
        shown: list[tuple[float, str]] = []
        for pos, group in zip(y, groups, strict=True):
            if group not in part.index:
                continue
            row = part.loc[group]
            if bool(_is_true(pd.Series([row["suppressed"]])).iloc[0]) or pd.isna(row["mean"]):
                ax.text(
                    instrument.scale.min + 0.1,
                    pos,
                    _hide_group_label(min_group_size, row),
                    va="center",
                    **SUPPRESSED_STYLE,
                )
                continue
            mean = float(row["mean"])
            ax.barh(
                pos,
                mean - instrument.scale.min,
                left=instrument.scale.min,
                height=0.65,
                color=SYSTEM_COLOUR,
            )
            ax.text(
                mean + 0.06,
                pos,
                f"{_fmt(mean)} (n = {int(row['n'])})",
                va="center",
                fontsize=7.5,
                bbox=LABEL_BOX,
            )
            shown.append((mean, group))
        shown_all.append((measure, shown))
        _midpoint_line(ax, instrument)
        ax.set_xlim(instrument.scale.min, instrument.scale.max)
        ax.set_xticks(np.arange(instrument.scale.min, instrument.scale.max + 0.5, 1.0))
        ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        ax.set_title(
            textwrap.fill(measure_label(instrument, measure), 40), fontsize=8.5, fontweight="bold"
        )
        ax.set_yticks(y, groups)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
    fig.supxlabel(
        f"Mean score ({_fmt(instrument.scale.min, 0)} worst to "
        f"{_fmt(instrument.scale.max, 0)} best; dashed line: midpoint "
        f"{_fmt(instrument.scale.midpoint)})",
        fontsize=8.5,
    )
    gaps = [(max(s)[0] - min(s)[0], m, max(s), min(s)) for m, s in shown_all if len(s) >= 2]
    names = ", ".join(measure_label(instrument, m) for m in measures)
    if gaps:
        _, measure, high, low = max(gaps, key=lambda g: (g[0], -measures.index(g[1])))
        title = (
            f"{measure_label(instrument, measure)} by {gname.lower()}: {high[1]} highest "
            f"({_fmt(high[0])}), {low[1]} lowest ({_fmt(low[0])})"
        )
    else:
        title = f"{names} by {gname.lower()}: too few responses per group to compare"
    parts = []
    for measure, shown in shown_all:
        values = ", ".join(f"{g} {_fmt(v)}" for v, g in shown) or "no group large enough"
        parts.append(f"{measure_label(instrument, measure)}: {values}")
    hidden = [g for g in groups if g in set(data.loc[_is_true(data["suppressed"]), "group"])]
    alt = f"Bar chart of mean scores by {gname.lower()}. " + "; ".join(parts) + "."
    if hidden:
        alt += _hidden_alt("responses", min_group_size, hidden)
    return _finish(fig, title, alt)


def profile_chart(profile: pd.DataFrame, instrument: Instrument, min_group_size: int) -> Chart:
    """Who responded: one panel of counts per respondent question."""
    questions = list(dict.fromkeys(profile["question"].astype(str)))
    sizes = [len(profile[profile["question"] == q]) for q in questions]
    fig = new_figure(height=1.0 + 0.24 * sum(sizes) + 0.45 * len(questions))
    axes = fig.subplots(
        len(questions), 1, squeeze=False, height_ratios=[max(s, 1) + 1 for s in sizes]
    )[:, 0]
    largest: list[str] = []
    describe: list[str] = []
    max_n = float(pd.to_numeric(profile["n"], errors="coerce").max() or 1)
    for ax, question in zip(axes, questions, strict=True):
        part = profile[profile["question"] == question]
        groups = group_order(instrument, question, part["group"])
        part = part.set_index("group")
        shown: list[tuple[float, str, float]] = []
        for pos, group in enumerate(groups):
            row = part.loc[group]
            if bool(_is_true(pd.Series([row["suppressed"]])).iloc[0]) or pd.isna(row["n"]):
                ax.text(
                    max_n * 0.01,
                    pos,
                    _hide_group_label(min_group_size, row),
                    va="center",
                    **SUPPRESSED_STYLE,
                )
                continue
            n = float(row["n"])
            ax.barh(pos, n, height=0.7, color=SYSTEM_COLOUR)
            pct = f" ({float(row['pct']):.0f}%)" if pd.notna(row["pct"]) else ""
            ax.text(
                n + max_n * 0.01, pos, f"{int(n)}{pct}", va="center", fontsize=7.5, bbox=LABEL_BOX
            )
            shown.append((n, group, float(row["pct"]) if pd.notna(row["pct"]) else math.nan))
        qname = question_name(instrument, question)
        ax.set_title(qname, fontsize=8.5, fontweight="bold")
        ax.set_yticks(range(len(groups)), groups)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_xlim(0, max_n * 1.18)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        if shown:
            top = max(shown)
            largest.append(f"{top[1]} ({top[2]:.0f}%)" if not math.isnan(top[2]) else top[1])
        describe.append(f"{qname}: " + ", ".join(f"{g} {int(n)}" for n, g, _ in shown))
    axes[-1].set_xlabel("Respondents")
    title = "Largest groups: " + ", ".join(largest) if largest else "Respondent profile"
    hidden = profile.loc[_is_true(profile["suppressed"]), "group"].tolist()
    alt = (
        "Bar charts of the number of respondents by "
        + ", ".join(question_name(instrument, q).lower() for q in questions)
        + ". "
        + "; ".join(describe)
        + "."
    )
    if hidden:
        alt += _hidden_alt("respondents", min_group_size, hidden)
    return _finish(fig, title, alt)


# --------------------------------------------------------------------------- national


def responses_by_system(response_summary: pd.DataFrame) -> Chart:
    """Responses per system in review order (on time and late), with the change of
    questionnaire version marked."""
    data = response_summary.sort_values("review_order").reset_index(drop=True)
    fig = new_figure(height=1.4 + 0.24 * len(data))
    ax = fig.add_subplot()
    y = np.arange(len(data))
    on_time = data["on_time"].fillna(0).to_numpy(dtype=float)
    late = data["late"].fillna(0).to_numpy(dtype=float)
    ax.barh(y, on_time, height=0.7, color=SYSTEM_COLOUR, label="On time (in the system's pack)")
    ax.barh(y, late, left=on_time, height=0.7, color=OKABE_ITO["orange"], label="Late (annex only)")
    total = data["responses"].to_numpy(dtype=float)
    xmax = float(np.nanmax(total)) if len(total) else 1.0
    for pos, row in data.iterrows():
        ax.text(
            float(row["responses"]) + xmax * 0.01,
            pos,
            str(int(row["responses"])),
            va="center",
            fontsize=7.5,
            bbox=LABEL_BOX,
        )
    versions = data["questionnaire_version"].astype(str).tolist()
    changes = [i for i in range(1, len(versions)) if versions[i] != versions[i - 1]]
    for i in changes:
        ax.axhline(i - 0.5, color="#444444", linewidth=0.9, linestyle=(0, (4, 2)))
        ax.text(
            xmax * 1.18,
            i - 0.5,
            f"questionnaire {versions[i - 1]} \u2192 {versions[i]}",
            ha="right",
            va="center",
            fontsize=7.5,
            color=MUTED_TEXT,
            bbox=LABEL_BOX,
        )
    ax.set_yticks(
        y, [f"{int(o)}. {n}" for o, n in zip(data["review_order"], data["name"], strict=True)]
    )
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(0, xmax * 1.2)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    ax.set_xlabel("Responses kept to the census date")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8)
    hi, lo = data.loc[data["responses"].idxmax()], data.loc[data["responses"].idxmin()]
    total_n = int(data["responses"].sum())
    title = (
        f"{total_n:,} responses from {len(data)} systems, from "
        f"{int(lo['responses'])} ({lo['name']}) to {int(hi['responses'])} ({hi['name']})"
    )
    alt = (
        f"Bar chart of responses by system in review order, {total_n:,} in total "
        f"({int(on_time.sum())} on time, {int(late.sum())} late). Most: {hi['name']} "
        f"{int(hi['responses'])}; fewest: {lo['name']} {int(lo['responses'])}."
    )
    for i in changes:
        alt += (
            f" The questionnaire changed from {versions[i - 1]} to {versions[i]} "
            f"from {data.loc[i, 'name']}."
        )
    return _finish(fig, title, alt)


def consistency_chart(consistency: pd.DataFrame, instrument: Instrument) -> Chart:
    """How often each statement is among a system's top or bottom five: bottom-five
    counts to the left, top-five counts to the right."""
    labels = short_labels(instrument)
    data = consistency[(consistency["top5"] > 0) | (consistency["bottom5"] > 0)].copy()
    data["net"] = data["top5"] - data["bottom5"]
    data = data.sort_values(["net", "top5", "item_id"], ascending=[False, False, True])
    systems = int(consistency["systems"].max())
    fig = new_figure(height=1.6 + 0.2 * len(data))
    ax = fig.add_subplot()
    y = np.arange(len(data))
    ax.barh(y, data["top5"], height=0.7, color=HIGHER_COLOUR, label="Among the top five")
    ax.barh(
        y,
        -data["bottom5"],
        height=0.7,
        color=LOWER_COLOUR,
        hatch="///",
        edgecolor="white",
        linewidth=0,
        label="Among the bottom five",
    )
    for pos, (top, bottom) in enumerate(zip(data["top5"], data["bottom5"], strict=True)):
        if top:
            ax.text(top + 0.15, pos, str(int(top)), va="center", fontsize=7.5, bbox=LABEL_BOX)
        if bottom:
            ax.text(-bottom - 0.15, pos, str(int(bottom)), va="center", ha="right", fontsize=7.5)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(y, [_tick_label(_name(labels, i)) for i in data["item_id"]])
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(-systems * 1.15 - 0.5, systems * 1.15 + 0.5)
    ticks = [t for t in range(-systems, systems + 1) if t % max(1, systems // 4) == 0]
    ax.set_xticks(ticks, [str(abs(t)) for t in ticks])
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    ax.set_xlabel(
        f"Number of systems (of {systems}): bottom five to the left, top five to the right"
    )
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8)
    top = consistency.sort_values(["top5", "item_id"], ascending=[False, True]).iloc[0]
    bottom = consistency.sort_values(["bottom5", "item_id"], ascending=[False, True]).iloc[0]
    title = (
        f"{_name(labels, top.item_id)} is in the top five in {int(top.top5)} of {systems} "
        f"systems; {_name(labels, bottom.item_id)} in the bottom five in {int(bottom.bottom5)}"
    )
    alt = (
        f"Diverging bar chart of how many of the {systems} systems have each statement among their "
        f"five best (right) or five worst (left); {len(data)} statements appear at least once. "
        + "; ".join(
            f"{_name(labels, r.item_id)} top {int(r.top5)}, bottom {int(r.bottom5)}"
            for r in data.itertuples()
        )
        + "."
    )
    return _finish(fig, title, alt)


def labels_by_group(
    breakdown_labels: pd.DataFrame,
    instrument: Instrument,
    items: Sequence[str],
    grouping: str,
    min_group_size: int,
) -> Chart:
    """Answers to one or more statements by respondent group, as diverging stacked
    bars (one panel per statement). Suppressed groups show as a text label."""
    labels = short_labels(instrument)
    gname = question_name(instrument, grouping)
    data = breakdown_labels[breakdown_labels["grouping"] == grouping]
    groups = group_order(instrument, grouping, data["group"])
    fig = new_figure(height=1.9 + len(items) * (0.45 + 0.3 * len(groups)))
    axes = fig.subplots(len(items), 1, sharex=True, squeeze=False)[:, 0]
    summary: list[tuple[str, list[tuple[float, str, int]]]] = []
    threshold = instrument.scale.positive_threshold
    reversed_any = False
    for ax, item_id in zip(axes, items, strict=True):
        part = data[data["item_id"] == item_id]
        rows: list[tuple[str, pd.DataFrame | None]] = []
        positives: list[tuple[float, str, int]] = []
        for group in groups:
            dist = part[part["group"] == group]
            if dist.empty:
                continue
            if _is_true(dist["suppressed"]).any() or dist["pct"].isna().all():
                rows.append((group, None))
                continue
            n = int(pd.to_numeric(dist["n"], errors="coerce").fillna(0).sum())
            rows.append((f"{group} (n = {n})", dist))
            positives.append((float(dist.loc[dist["score"] >= threshold, "pct"].sum()), group, n))
        _diverging_stack(ax, rows, instrument, min_group_size)
        item = instrument.item(item_id.partition("@")[0])
        reversed_any = reversed_any or item.reverse
        mark = " \u2020" if item.reverse else ""
        wording = f"{_name(labels, item_id)}{mark}: \u201c{instrument.text(item.id)}\u201d"
        ax.set_title(textwrap.fill(wording, 70), fontsize=8, fontweight="bold")
        summary.append((item_id, positives))
    axes[-1].set_xlabel("% of answers: worse to the left of 0, better to the right")
    _label_legend(fig, instrument, reversed_any)
    first_item, positives = summary[0]
    name = _name(labels, first_item)
    if len(positives) >= 2:
        high, low = max(positives), min(positives)
        if round(high[0]) == round(low[0]):
            title = f"{name}: {high[0]:.0f}% positive in every {gname.lower()} group shown"
        else:
            title = (
                f"{name}: {high[0]:.0f}% positive among {high[1]} respondents against "
                f"{low[0]:.0f}% among {low[1]}"
            )
    else:
        title = f"{name} by {gname.lower()}: too few responses per group to compare"
    parts = []
    for item_id, positives in summary:
        values = (
            ", ".join(f"{g} {p:.0f}% (n = {n})" for p, g, n in positives) or "no group large enough"
        )
        parts.append(f"{_name(labels, item_id)}, % answering positively: {values}")
    alt = f"Diverging stacked bars of answers by {gname.lower()}. " + "; ".join(parts) + "."
    hidden = sorted(set(data.loc[_is_true(data["suppressed"]), "group"]))
    if hidden:
        alt += _hidden_alt("responses", min_group_size, hidden)
    return _finish(fig, title, alt)


def comment_rates_chart(
    comment_rates: pd.DataFrame,
    instrument: Instrument,
    min_group_size: int,
    groupings: Sequence[str] = ("role", "org_type"),
) -> Chart:
    """Share of respondents who left a comment, by group (one panel per grouping)."""
    found_groupings = list(dict.fromkeys(comment_rates["grouping"].astype(str)))
    present = [g for g in groupings if g in found_groupings]
    present += [g for g in found_groupings if g not in present]
    sizes = [comment_rates["grouping"].eq(g).sum() for g in present]
    fig = new_figure(height=1.1 + 0.26 * sum(sizes) + 0.45 * len(present))
    axes = fig.subplots(
        len(present), 1, sharex=True, squeeze=False, height_ratios=[s + 1 for s in sizes]
    )[:, 0]
    found: list[tuple[float, str, int, int]] = []
    parts = []
    for ax, grouping in zip(axes, present, strict=True):
        part = comment_rates[comment_rates["grouping"] == grouping].set_index("group")
        groups = group_order(instrument, grouping, part.index)
        shown = []
        for pos, group in enumerate(groups):
            row = part.loc[group]
            if bool(_is_true(pd.Series([row["suppressed"]])).iloc[0]) or pd.isna(row["pct"]):
                ax.text(
                    1, pos, _hide_group_label(min_group_size, row), va="center", **SUPPRESSED_STYLE
                )
                continue
            pct = float(row["pct"])
            ax.barh(pos, pct, height=0.7, color=SYSTEM_COLOUR)
            ax.text(
                pct + 1,
                pos,
                f"{pct:.0f}% ({int(row['comments'])} of {int(row['respondents'])})",
                va="center",
                fontsize=7.5,
            )
            shown.append((pct, group, int(row["comments"]), int(row["respondents"])))
        found.extend(shown)
        ax.set_title(question_name(instrument, grouping), fontsize=8.5, fontweight="bold")
        ax.set_yticks(range(len(groups)), groups)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        parts.append(
            f"{question_name(instrument, grouping)}: "
            + ", ".join(f"{g} {p:.0f}%" for p, g, _, _ in shown)
        )
    axes[-1].set_xlabel("% of respondents who left a comment")
    if found:
        top = max(found)
        title = f"{top[1]} respondents comment most often ({top[0]:.0f}%, {top[2]} of {top[3]})"
    else:
        title = "Too few responses per group to compare comment rates"
    alt = (
        "Bar charts of the share of respondents leaving a free-text comment. "
        + "; ".join(parts)
        + "."
    )
    hidden = comment_rates.loc[_is_true(comment_rates["suppressed"]), "group"].tolist()
    if hidden:
        alt += _hidden_alt("respondents", min_group_size, hidden)
    return _finish(fig, title, alt)


def _abbreviations(levels: Sequence[str]) -> list[str]:
    """Shortest unique prefixes of at least three letters ("Int", "Res", ...)."""
    for size in range(3, max((len(lv) for lv in levels), default=3) + 1):
        short = [lv[:size] for lv in levels]
        if len(set(short)) == len(short):
            return short
    return list(levels)


def system_small_multiples(
    group_scores: pd.DataFrame,
    response_summary: pd.DataFrame,
    instrument: Instrument,
    grouping: str = "attribute",
) -> Chart:
    """One small panel per system (review order): its mean for each level of
    `grouping` as dots, joined to the national mean (black tick) by a line.

    The shared y axis is zoomed to the data (dots carry no zero baseline), so
    small differences between systems stay visible; the axis label says so.
    """
    levels: list[str] = []
    for fw in instrument.frameworks:
        if grouping in fw.groupings:
            levels = list(fw.groupings[grouping])
    systems = response_summary.sort_values("review_order")
    names = dict(zip(systems["system_id"].astype(str), systems["name"].astype(str), strict=True))
    data = group_scores[group_scores["grouping"] == grouping]
    national = data[data["scope"] == "national"].set_index("group")["mean"]
    ids = [s for s in names if s in set(data["scope"])]
    values_of = {
        sid: [
            float(data[(data["scope"] == sid) & (data["group"] == lv)]["mean"].sum(min_count=1))
            for lv in levels
        ]
        for sid in ids
    }
    national_values = [float(national.get(lv, math.nan)) for lv in levels]
    system_values = [v for vals in values_of.values() for v in vals if not math.isnan(v)]
    every = (
        system_values
        + [v for v in national_values if not math.isnan(v)]
        + [instrument.scale.midpoint]
    )
    low = max(instrument.scale.min, math.floor(min(every) * 2) / 2 - 0.25)
    high = min(instrument.scale.max, math.ceil(max(every) * 2) / 2 + 0.25)
    ncols = 5 if len(ids) > 8 else max(1, min(4, len(ids)))
    nrows = math.ceil(len(ids) / ncols)
    fig = new_figure(height=1.5 + 1.2 * nrows)
    # Same limits and ticks on every panel, set one by one: sharex/sharey cost
    # time with the square of the number of panels (minutes at 150 systems).
    axes = fig.subplots(nrows, ncols, squeeze=False)
    lowest: dict[str, int] = {}
    x = np.arange(len(levels))
    short = _abbreviations(levels)
    for index, ax in enumerate(axes.flat):
        if index >= len(ids):
            ax.set_visible(False)
            continue
        sid = ids[index]
        values = values_of[sid]
        ax.vlines(x, national_values, values, color=COMPARATOR_COLOUR, linewidth=1.2, zorder=2)
        ax.scatter(x, national_values, marker="_", s=80, color="#000000", linewidths=1.4, zorder=3)
        ax.scatter(x, values, marker="o", s=18, color=SYSTEM_COLOUR, zorder=4)
        _midpoint_line(ax, instrument, vertical=False)
        ax.set_title(textwrap.shorten(names[sid], 22, placeholder="\u2026"), fontsize=7.5)
        ax.set_ylim(low, high)
        ax.set_xlim(-0.6, len(levels) - 0.4)
        ax.set_xticks(x, short)
        ax.tick_params(labelsize=7, length=2)
        ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.5)
        ax.label_outer()  # tick labels on the bottom row and left column only
        valid = [(v, lv) for v, lv in zip(values, levels, strict=True) if not math.isnan(v)]
        if valid:
            worst = min(valid)[1]
            lowest[worst] = lowest.get(worst, 0) + 1
    handles = [
        Line2D([], [], color=SYSTEM_COLOUR, marker="o", linestyle="none", label="System mean"),
        Line2D(
            [],
            [],
            color="#000000",
            marker="_",
            linestyle="none",
            markersize=9,
            label="National mean",
        ),
    ]
    key = ", ".join(f"{a} = {lv}" for a, lv in zip(short, levels, strict=True) if a != lv)
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=2,
        fontsize=7.5,
        title=key or None,
        title_fontsize=7.5,
    )
    fig.supylabel(
        f"Mean score (axis shows {_fmt(low, 2)}\u2013{_fmt(high, 2)} of "
        f"{_fmt(instrument.scale.min, 0)}\u2013{_fmt(instrument.scale.max, 0)}; "
        f"dashed: midpoint)",
        fontsize=8,
    )
    if lowest:
        worst, count = max(lowest.items(), key=lambda kv: (kv[1], -levels.index(kv[0])))
        title = f"{worst} is the lowest-scoring {grouping} in {count} of {len(ids)} systems"
    else:
        title = f"Mean score by {grouping} and system"
    alt = (
        f"Small multiples, one dot chart per system ({len(ids)} systems in review order), "
        f"of the mean score for each {grouping} ({', '.join(levels)}) against the national "
        "mean. "
        + "; ".join(
            f"{lv} is lowest in {c} systems"
            for lv, c in sorted(lowest.items(), key=lambda kv: -kv[1])
        )
        + ". National means: "
        + ", ".join(
            f"{lv} {_fmt(v)}"
            for lv, v in zip(levels, national_values, strict=True)
            if not math.isnan(v)
        )
        + f". System means range from {_fmt(min(system_values))} to {_fmt(max(system_values))}."
    )
    return _finish(fig, title, alt)


# --------------------------------------------------------------------------- chart sets


def system_charts(
    tables: dict[str, pd.DataFrame],
    instrument: Instrument,
    top_n: int,
    min_group_size: int,
    comm_items: Sequence[str] = DEFAULT_COMMUNICATION_ITEMS,
) -> list[tuple[str, Chart]]:
    """Every chart of one system's briefing pack, named and in document order."""
    scores = tables["statement_scores"]
    comparator = tables.get("comparator")
    summary = tables.get("comparator_summary")
    charts: list[tuple[str, Chart]] = []
    for fw in grid_frameworks(instrument):
        charts.append(
            (f"{fw.id}_heatmap", value_heatmap(scores, instrument, comparator, fw.id, summary))
        )
    for fw in proximity_frameworks(instrument):
        charts.append(
            (f"{fw.id}_domains", domain_bars(scores, instrument, fw.id, comparator, summary))
        )
    charts.append(
        ("best_worst", best_worst(scores, tables["label_distribution"], instrument, top_n))
    )
    charts.append(
        ("all_statements", statement_differences(comparator, scores, instrument, summary))
    )
    items = communication_items(instrument, comm_items)
    if items:
        charts.append(
            (
                "communication_by_role",
                group_means(tables["breakdown_scores"], instrument, "role", items, min_group_size),
            )
        )
    charts.append(("profile", profile_chart(tables["profile"], instrument, min_group_size)))
    return charts


def national_charts(
    tables: dict[str, pd.DataFrame],
    instrument: Instrument,
    top_n: int,
    min_group_size: int,
    comm_items: Sequence[str] = DEFAULT_COMMUNICATION_ITEMS,
    commonality_item: str = "proximity_commonality",
) -> list[tuple[str, Chart]]:
    """Every chart of the national annex, named and in document order."""
    scores_all = tables["statement_scores"]
    scores = scores_all[scores_all["scope"] == "national"]
    charts: list[tuple[str, Chart]] = [
        ("responses_by_system", responses_by_system(tables["response_summary"])),
        ("profile", profile_chart(tables["profile"], instrument, min_group_size)),
    ]
    for fw in grid_frameworks(instrument):
        charts.append((f"{fw.id}_heatmap", value_heatmap(scores, instrument, None, fw.id)))
    for fw in proximity_frameworks(instrument):
        charts.append(
            (f"{fw.id}_domains", domain_bars(scores, instrument, fw.id, subject="All systems"))
        )
    charts.append(
        ("best_worst", best_worst(scores, tables["label_distribution"], instrument, top_n))
    )
    charts.append(("consistency", consistency_chart(tables["consistency"], instrument)))
    if commonality_item in instrument.item_ids:
        charts.append(
            (
                f"{commonality_item}_by_org_type",
                labels_by_group(
                    tables["breakdown_labels"],
                    instrument,
                    [commonality_item],
                    "org_type",
                    min_group_size,
                ),
            )
        )
    frameworks = [fw.id for fw in instrument.frameworks]
    for grouping in national_groupings(instrument):
        charts.append(
            (
                f"frameworks_by_{grouping}",
                group_means(
                    tables["breakdown_scores"], instrument, grouping, frameworks, min_group_size
                ),
            )
        )
    items = communication_items(instrument, comm_items)
    if items:
        charts.append(
            (
                "communication_by_role",
                labels_by_group(
                    tables["breakdown_labels"], instrument, items, "role", min_group_size
                ),
            )
        )
    charts.append(
        ("comment_rates", comment_rates_chart(tables["comment_rates"], instrument, min_group_size))
    )
    for grouping in small_multiple_groupings(instrument):
        charts.append(
            (
                f"systems_by_{grouping}",
                system_small_multiples(
                    tables["group_scores"], tables["response_summary"], instrument, grouping
                ),
            )
        )
    return charts


def save_charts(charts: Sequence[tuple[str, Chart]], out_dir: str | Path) -> list[dict[str, Any]]:
    """Write every chart as SVG and PNG, then `figures.json` listing them in order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rasterise = SvgRasteriser(out)
    entries: list[dict[str, Any]] = []
    for name, chart in charts:
        svg, png = save_figure(chart.figure, out / name, rasterise)
        entries.append(
            {"name": name, "title": chart.title, "alt": chart.alt, "svg": svg.name, "png": png.name}
        )
    write_json(entries, out / "figures.json")
    return entries
