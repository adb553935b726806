"""Framework charts: a grid framework's heatmap and a framework's domain bars."""

from __future__ import annotations

import math

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.patches import Rectangle

from relaudit.chartset import domain_grouping
from relaudit.comparison import DIFFERENT, NOT_COMPARABLE, flags_by_item, has_comparator
from relaudit.figures.common import (
    LABEL_BOX,
    MINUS,
    Chart,
    DrawContext,
    _comparator_caption,
    _finish,
    _flag_summary,
    _fmt,
    _grid_framework,
    _item_means,
    _label_bar_ends,
    _midpoint_line,
    _n_of,
    _scale_axis,
    _signed,
    national_scores,
)
from relaudit.instrument import Framework, Instrument
from relaudit.labels import short_labels
from relaudit.style import (
    COMPARATOR_COLOUR,
    MUTED_TEXT,
    SYSTEM_COLOUR,
    label_colours,
    new_figure,
    text_colour_on,
)

# Cells whose difference the flag rule does not call clear, and cells with no answers.
UNCLEAR_COLOUR = "#E3E3E3"
EMPTY_COLOUR = "#F7F7F7"


def _interval_excludes(low: float | None, high: float | None, value: float) -> bool:
    """True when a 95% interval lies wholly above or wholly below `value`."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return False
    return low > value or high < value


def value_heatmap(
    statement_scores: pd.DataFrame,
    instrument: Instrument,
    comparator: pd.DataFrame | None = None,
    framework_id: str | None = None,
    comparator_summary: pd.DataFrame | None = None,
) -> Chart:
    """Grid framework as a heatmap: every cell's mean printed, coloured by difference.

    With a comparator, colour shows the difference from it where the
    comparator table flags it (95% interval excludes 0), and grey where it
    does not; without, the difference from the scale midpoint where the
    statement's 95% interval excludes the midpoint, else grey. The scale is
    diverging, centred at 0, with fixed limits, so charts are comparable
    between systems.
    """
    fw = _grid_framework(instrument, framework_id)
    row_key, col_key = fw.grid  # type: ignore[misc]
    rows, cols = fw.groupings[row_key], fw.groupings[col_key]
    items = instrument.items_in(fw.id)
    means = _item_means(statement_scores)
    lows, highs = _item_means(statement_scores, "ci_low"), _item_means(statement_scores, "ci_high")
    use_comparator = has_comparator(comparator)
    diffs: dict[str, float] = {}
    flags: dict[str, str] = {}
    if use_comparator:
        assert comparator is not None
        diffs = _item_means(comparator, "diff")
        flags = flags_by_item(comparator)
    span = instrument.scale.max - instrument.scale.min
    midpoint = instrument.scale.midpoint
    # Fixed class limits (per 5 scale points), so colours mean the same in every pack.
    steps = [0.1, 0.25, 0.5, 1.0] if use_comparator else [0.25, 0.5, 1.0, 1.5]
    half = np.array(steps) * span / 5
    bounds = np.concatenate([-half[::-1], half])
    cmap = mcolors.ListedColormap(label_colours(len(bounds) + 1))
    norm = mcolors.BoundaryNorm(bounds, ncolors=cmap.N, extend="both")

    fig = new_figure(height=1.6 + 0.5 * len(rows), width=7.0)
    ax = fig.add_subplot()
    clear: dict[str, bool] = {}
    for item in items:
        r, c = rows.index(item.position[row_key]), cols.index(item.position[col_key])
        mean = means.get(item.id)
        hatch = None
        if mean is None:
            colour, text = EMPTY_COLOUR, "no answers"
        elif use_comparator:
            flag = flags.get(item.id, "")
            value = diffs.get(item.id, math.nan)
            clear[item.id] = flag in DIFFERENT
            colour = cmap(norm(value)) if clear[item.id] else UNCLEAR_COLOUR
            text = _fmt(mean)
            if flag == NOT_COMPARABLE:
                text += "\nnot comparable"
                hatch = "///"
            elif not math.isnan(value):
                text += f"\n{_signed(value)}"
        else:
            value = mean - midpoint
            clear[item.id] = _interval_excludes(lows.get(item.id), highs.get(item.id), midpoint)
            colour = cmap(norm(value)) if clear[item.id] else UNCLEAR_COLOUR
            text = _fmt(mean)
        ax.add_patch(
            Rectangle((c, r), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5, hatch=hatch)
        )
        ax.text(
            c + 0.5,
            r + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold" if clear.get(item.id) else "normal",
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
        legend = "Difference from comparator (flagged only)"
        note = "Grey: 95% interval of the difference includes 0."
    else:
        legend = f"Difference from midpoint {_fmt(midpoint)}"
        note = f"Grey: 95% interval of the mean includes the midpoint {_fmt(midpoint)}."
    ax.set_title(note, fontsize=8, color=MUTED_TEXT, pad=30)
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
    alt += f"Lowest {row_key} mean: {weakest_row} ({_fmt(row_means[weakest_row])}). "
    if use_comparator:
        fw_flags = [flags.get(i.id, "") for i in items]
        alt += f"Against the comparator, {_flag_summary(fw_flags)}."
        caption = (
            f"Each cell is one statement's mean score ({n_text}); the second line is its "
            f"difference from the {_comparator_caption(comparator_summary, comparator)}. "  # type: ignore[arg-type]
            "A cell is coloured, and its numbers bold, only where the 95% interval of the "
            "difference excludes 0 (blue higher, red lower); grey cells do not differ "
            f"clearly. In brackets: {row_key} and {col_key} means, which are not tested."
        )
    else:
        above = sum(1 for i in items if clear.get(i.id) and means[i.id] > midpoint)
        below = sum(1 for i in items if clear.get(i.id) and means[i.id] < midpoint)
        alt += (
            f"{above} of {len(items)} statements have a 95% interval above the midpoint "
            f"{_fmt(midpoint)}, {below} below it; the others include it."
        )
        caption = (
            f"Each cell is one statement's mean score ({n_text}). A cell is coloured, and its "
            f"number bold, only where the statement's 95% interval lies wholly above (blue) "
            f"or below (red) the scale midpoint {_fmt(midpoint)}; grey cells do not differ "
            f"clearly from it. In brackets: {row_key} and {col_key} means, which are not tested."
        )
    return _finish(fig, title, alt, caption)


def domain_bars(
    statement_scores: pd.DataFrame,
    instrument: Instrument,
    framework_id: str,
    comparator: pd.DataFrame | None = None,
    comparator_summary: pd.DataFrame | None = None,
    subject: str = "This system",
) -> Chart:
    """Domain means of a framework (unweighted mean of its statement means), with the
    comparator's beside them as paired bars when there is one.

    Domain means are not tested: what the title and alt text say about the
    comparator comes from the statements' flags in the comparator table.
    """
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
    caption = (
        f"Mean score of each {grouping} (the average of its statements' means; {n_text}) "
        f"on the scale from {_fmt(instrument.scale.min, 0)} to {_fmt(instrument.scale.max, 0)}; "
        f"dashed line: the midpoint {_fmt(instrument.scale.midpoint)}."
    )
    if use_comparator:
        assert comparator is not None
        flags = flags_by_item(comparator)
        summary = _flag_summary([flags.get(i.id, "") for i in items])
        title += f"; {summary}"
        alt += " Comparator: " + "; ".join(
            f"{lv} {_fmt(v)}" for v, lv in zip(other, levels, strict=True) if not math.isnan(v)
        )
        alt += f". Against the comparator, {summary} (95% interval of the difference)."
        caption += (
            " Hatched bars: the comparator's means. Whether a statement differs from the "
            "comparator is judged by the 95% interval of its difference, not by the bars."
        )
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- registry draws


def pack_heatmap(ctx: DrawContext, framework: Framework) -> Chart:
    """A system's heatmap of a grid framework, against its comparator."""
    tables = ctx.tables
    return value_heatmap(
        tables["statement_scores"],
        ctx.instrument,
        tables.get("comparator"),
        framework.id,
        tables.get("comparator_summary"),
    )


def annex_heatmap(ctx: DrawContext, framework: Framework) -> Chart:
    """The national heatmap of a grid framework, against the scale midpoint."""
    return value_heatmap(national_scores(ctx), ctx.instrument, None, framework.id)


def pack_domains(ctx: DrawContext, framework: Framework) -> Chart:
    """A system's domain bars of a framework, paired with its comparator's."""
    tables = ctx.tables
    return domain_bars(
        tables["statement_scores"],
        ctx.instrument,
        framework.id,
        tables.get("comparator"),
        tables.get("comparator_summary"),
    )


def annex_domains(ctx: DrawContext, framework: Framework) -> Chart:
    """The national domain bars of a framework."""
    return domain_bars(national_scores(ctx), ctx.instrument, framework.id, subject="All systems")
