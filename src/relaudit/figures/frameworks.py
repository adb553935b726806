"""Framework charts: a grid framework's heatmap and a framework's domain bars."""

from __future__ import annotations

import math
import textwrap

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.patches import Rectangle

from relaudit.chartset import domain_grouping
from relaudit.comparison import has_comparator
from relaudit.figures.common import (
    LABEL_BOX,
    MINUS,
    Chart,
    DrawContext,
    _comparator_caption,
    _count,
    _finish,
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
