"""The annex's charts across systems: responses per system and one small panel per system."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from relaudit.figures.common import (
    LABEL_BOX,
    Chart,
    DrawContext,
    _finish,
    _fmt,
    _midpoint_line,
)
from relaudit.instrument import Instrument
from relaudit.style import (
    COMPARATOR_COLOUR,
    GRID_COLOUR,
    MUTED_TEXT,
    OKABE_ITO,
    SYSTEM_COLOUR,
    new_figure,
)


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
    caption = (
        "Responses kept to the census date for each system, in review order: on time (counted "
        "in the system's pack) and late (counted in this annex only)."
    )
    if changes:
        caption += " The dashed line marks the change of questionnaire version."
    return _finish(fig, title, alt, caption)


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
    grouping: str,
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
    caption = (
        f"One panel per system, in review order: its mean for each {grouping} (dots) and the "
        "national mean (black ticks), joined by a line. The axis is zoomed to the data; "
        "differences from the national mean are not tested."
    )
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- registry draws


def responses(ctx: DrawContext) -> Chart:
    """Responses per system."""
    return responses_by_system(ctx.tables["response_summary"])


def small_multiples(ctx: DrawContext, grouping: str) -> Chart:
    """One panel per system of its means by `grouping`."""
    tables = ctx.tables
    return system_small_multiples(
        tables["group_scores"], tables["response_summary"], ctx.instrument, grouping
    )
