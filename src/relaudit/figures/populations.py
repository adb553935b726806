"""Charts for the report of a programme of populations (relaudit.programme_report).

One function per chart declared in relaudit.chartset's ``programme`` scope,
each called as ``function(ctx, **params)`` with a :class:`ProgrammeDrawContext`
and returning a :class:`relaudit.figures.common.Chart` (message-stating title,
caption, alt text with the key numbers). Populations, questions, targets and
groups come from the programme's view; nothing here names one. A suppressed
cell is never drawn as a number: heatmap cells are grey and marked, and
groups too small to show are left out of a bar chart and named in its caption.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Patch

from relaudit.figures.common import (
    LABEL_BOX,
    Chart,
    _count,
    _finish,
    _tick_label,
)
from relaudit.programme_report import (
    NO_CONTACT_ANSWER,
    OVERALL,
    ProgrammeView,
    clear_gaps,
    multi_target_population,
    no_contact_averages,
    question_means,
)
from relaudit.style import (
    DIVERGING_CMAP,
    GRID_COLOUR,
    MUTED_TEXT,
    OKABE_ITO,
    label_colours,
    new_figure,
    text_colour_on,
)

SUPPRESSED_FILL = "#D9D9D9"
SIDE_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])
CLEAR_COLOUR = OKABE_ITO["vermillion"]
UNCLEAR_COLOUR = "#8C8C8C"


@dataclass(frozen=True)
class ProgrammeDrawContext:
    """What a programme chart gets besides its parameters: the tables by name and
    the programme's view (its populations, questions and min_group_size)."""

    tables: Mapping[str, pd.DataFrame]
    view: ProgrammeView

    @property
    def k(self) -> int:
        return self.view.min_group_size


def _two(value: float) -> str:
    return f"{value:.2f}"


def _signed(value: float) -> str:
    text = f"{abs(value):.2f}"
    return ("+" if round(value, 2) > 0 else "\u2212" if round(value, 2) < 0 else "") + text


def _rows(frame: pd.DataFrame, **equal: Any) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in equal.items():
        if column not in frame.columns:
            return frame.iloc[0:0]
        mask &= frame[column].astype(str) == str(value)
    return frame.loc[mask]


def _hidden(row: Mapping[str, Any], column: str = "mean") -> bool:
    value = row.get(column)
    return bool(row.get("suppressed", False)) or value is None or pd.isna(value)


def _empty(message: str, title: str) -> Chart:
    fig = new_figure(1.2)
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED_TEXT)
    return _finish(fig, title, f"{title}. {message}", message)


# --------------------------------------------------------------------------- heatmap


def target_heatmap(ctx: ProgrammeDrawContext, population: str) -> Chart:
    """Targets x questions: each cell the population's question mean for that target."""
    view = ctx.view
    pop = view.population(population)
    scores = _rows(ctx.tables["question_scores"], population=population)
    if scores.empty:
        return _empty(
            "No scores to show.", f"{pop.name}: scores by {view.target_noun} and question"
        )
    cells = {(str(r["target"]), str(r["question_id"])): r for r in scores.to_dict("records")}
    targets, questions = list(pop.targets), list(view.questions)
    values = np.full((len(targets), len(questions)), np.nan)
    hidden_cells = np.zeros(values.shape, dtype=bool)
    hidden: list[str] = []
    for i, (target, _) in enumerate(targets):
        for j, question in enumerate(questions):
            row = cells.get((target, question.id))
            if row is not None and not _hidden(row):
                values[i, j] = float(row["mean"])
            elif row is not None:
                hidden_cells[i, j] = True
                hidden.append(f"{pop.target_name(target)}, {question.title}")
    fig = new_figure(0.42 * len(targets) + 2.6)
    ax = fig.add_subplot()
    cmap = colormaps[DIVERGING_CMAP].with_extremes(bad=SUPPRESSED_FILL)
    norm = TwoSlopeNorm(vmin=view.scale_min, vcenter=view.midpoint, vmax=view.scale_max)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto")
    for i in range(len(targets)):
        for j in range(len(questions)):
            value = values[i, j]
            if hidden_cells[i, j]:
                ax.text(
                    j,
                    i,
                    "n<" + str(ctx.k),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#333333",
                    fontstyle="italic",
                )
            elif math.isnan(value):
                ax.text(j, i, "\u2014", ha="center", va="center", fontsize=7.5, color="#333333")
            else:
                ax.text(
                    j,
                    i,
                    _two(value),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color=text_colour_on(cmap(norm(value))),
                )
    ax.set_xticks(
        range(len(questions)), [_tick_label(q.title, 14) for q in questions], fontsize=7.5
    )
    ax.set_yticks(range(len(targets)), [name for _, name in targets])
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, orientation="horizontal", fraction=0.05, pad=0.04, aspect=40)
    bar.set_label(f"Mean score ({view.scale_min:g} low to {view.scale_max:g} high)")
    finite = [
        (values[i, j], i, j)
        for i in range(len(targets))
        for j in range(len(questions))
        if not math.isnan(values[i, j])
    ]
    low = min(finite) if finite else None
    high = max(finite) if finite else None
    if low and high:
        title = (
            f"{pop.name}: lowest {targets[low[1]][1]} on {questions[low[2]].title.lower()} "
            f"({_two(low[0])}), highest {targets[high[1]][1]} on "
            f"{questions[high[2]].title.lower()} "
            f"({_two(high[0])})"
        )
    else:
        title = f"{pop.name}: scores by {view.target_noun} and question"
    caption = (
        f"Mean score each {view.target_noun} received from {pop.name.lower()} on each question "
        f"({view.scale_min:g} low to {view.scale_max:g} high; red below the midpoint, blue above). "
        + (
            f"Grey cells marked n<{ctx.k}: fewer than {ctx.k} respondents rated that "
            "cell, so no mean is shown."
            if hidden
            else "Every cell had enough respondents to show."
        )
    )
    alt = f"Heatmap of {len(targets)} {view.target_noun}s by {len(questions)} questions. {title}."
    if hidden:
        alt += f" {len(hidden)} cells not shown (fewer than {ctx.k} respondents)."
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- rating bars


def rating_bars(ctx: ProgrammeDrawContext, population: str) -> Chart:
    """Per question: the share of ratings at each score, diverging around the midpoint;
    no contact drawn apart, as its own bar on the right."""
    view = ctx.view
    pop = view.population(population)
    dist = _rows(ctx.tables["label_distribution"], population=population)
    if dist.empty:
        return _empty("No ratings to show.", f"{pop.name}: ratings by question")
    ratings = dist[dist["answer"].astype(str) != NO_CONTACT_ANSWER]
    scores = sorted({float(s) for s in ratings["score"].dropna()})
    colours = label_colours(len(scores))
    questions = list(view.questions)
    has_no_contact = pop.multi_target or bool(
        pd.to_numeric(_rows(dist, answer=NO_CONTACT_ANSWER)["n"], errors="coerce").fillna(0).sum()
    )
    fig = new_figure(0.42 * len(questions) + 1.9)
    grid = (
        fig.add_gridspec(1, 2, width_ratios=(4.2, 1)) if has_no_contact else fig.add_gridspec(1, 1)
    )
    ax = fig.add_subplot(grid[0, 0])
    side = fig.add_subplot(grid[0, 1], sharey=ax) if has_no_contact else None
    alt_parts, lows = [], []
    for y, question in enumerate(questions):
        part = _rows(ratings, question_id=question.id)
        if part.empty or bool(part["suppressed"].astype(bool).any()):
            ax.text(
                0,
                y,
                f"fewer than {ctx.k} respondents",
                ha="center",
                va="center",
                fontsize=8,
                color=MUTED_TEXT,
                fontstyle="italic",
                bbox=LABEL_BOX,
            )
            continue
        pct = {float(r["score"]): float(r["pct"]) for r in part.to_dict("records")}
        below = [s for s in scores if s < view.midpoint]
        above = [s for s in scores if s >= view.midpoint]
        edge = 0.0
        for score in sorted(below, reverse=True):
            width = pct.get(score, 0.0)
            edge -= width
            ax.barh(
                y,
                width,
                left=edge,
                height=0.7,
                color=colours[scores.index(score)],
                edgecolor="white",
                linewidth=0.5,
            )
        edge = 0.0
        for score in above:
            width = pct.get(score, 0.0)
            ax.barh(
                y,
                width,
                left=edge,
                height=0.7,
                color=colours[scores.index(score)],
                edgecolor="white",
                linewidth=0.5,
            )
            edge += width
        negative = sum(pct.get(s, 0.0) for s in below)
        positive = sum(pct.get(s, 0.0) for s in above)
        ax.text(
            -negative - 2,
            y,
            f"{negative:.0f}%",
            ha="right",
            va="center",
            fontsize=7.5,
            color=MUTED_TEXT,
        )
        ax.text(
            positive + 2,
            y,
            f"{positive:.0f}%",
            ha="left",
            va="center",
            fontsize=7.5,
            color=MUTED_TEXT,
        )
        alt_parts.append(f"{question.title} {negative:.0f}% low, {positive:.0f}% high")
        lows.append((negative, question.title))
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(range(len(questions)), [_tick_label(q.title, 30) for q in questions])
    ax.set_ylim(len(questions) - 0.5, -0.5)
    ax.set_xlim(-115, 115)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
    ax.set_xlabel("Share of ratings")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    if side is not None:
        contact = _rows(dist, answer=NO_CONTACT_ANSWER)
        by_q = {str(r["question_id"]): r for r in contact.to_dict("records")}
        top = 5.0
        for y, question in enumerate(questions):
            row = by_q.get(question.id)
            if row is None or _hidden(row, "pct"):
                continue
            value = float(row["pct"])
            top = max(top, value)
            side.barh(y, value, height=0.7, color="#9E9E9E")
            side.text(value + 1, y, f"{value:.0f}%", va="center", fontsize=7.5, color=MUTED_TEXT)
        side.set_xlim(0, top * 1.35 + 5)
        side.set_xlabel("No contact\n(% of answers)")
        side.tick_params(axis="y", length=0, labelleft=False)
        side.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    handles = [
        Patch(
            facecolor=c,
            label=f"{s:g}"
            + (" (low end)" if i == 0 else " (high end)" if i == len(scores) - 1 else ""),
        )
        for i, (s, c) in enumerate(zip(scores, colours, strict=True))
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=len(handles),
        fontsize=7.5,
        title="Rating",
        title_fontsize=7.5,
    )
    worst = max(lows) if lows else None
    title = (
        f"{pop.name}: {worst[1].lower()} has the most low ratings ({worst[0]:.0f}% rated it "
        f"below {view.midpoint:g})"
        if worst
        else f"{pop.name}: ratings by question"
    )
    caption = (
        f"Share of the ratings given by {pop.name.lower()} at each score, pooled over "
        "everything they rated: "
        f"ratings of {', '.join(f'{s:g}' for s in scores if s < view.midpoint)} to the "
        "left of the line, "
        f"{', '.join(f'{s:g}' for s in scores if s >= view.midpoint)} to the right. "
        + (
            "No contact is not a rating: it is shown apart, on the right, as a share "
            "of all answers."
            if side is not None
            else "No contact is not a rating and is not counted here."
        )
    )
    alt = f"Diverging bars for {len(questions)} questions. {title}. " + "; ".join(alt_parts) + "."
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- no contact


def no_contact_bars(ctx: ProgrammeDrawContext) -> Chart:
    """Each department's average number of no-contact answers per question."""
    view = ctx.view
    pop = multi_target_population(view)
    averages = no_contact_averages(view, ctx.tables["no_contact"])
    if pop is None or averages.empty:
        return _empty("No no-contact answers to show.", f"No contact by {view.target_noun}")
    names = [pop.target_name(t) for t in averages["target"]]
    values = [float(v) for v in averages["average"]]
    fig = new_figure(0.34 * len(names) + 1.4)
    ax = fig.add_subplot()
    bars = ax.barh(range(len(names)), values, height=0.65, color=OKABE_ITO["sky_blue"])
    for rect, value in zip(bars, values, strict=True):
        ax.text(
            value + max(values) * 0.01 + 0.05,
            rect.get_y() + rect.get_height() / 2,
            f"{value:.1f}",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, max(values) * 1.15 + 0.5)
    ax.set_xlabel(f"Average number of {pop.name.lower()} with no contact, per question")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    title = (
        f"{names[0]}: the most {pop.name.lower()} with no contact "
        f"({values[0]:.1f} per question on average)"
    )
    caption = (
        f"For each {view.target_noun}, the number of {pop.name.lower()} who said they "
        "have no contact with it, "
        f"averaged over the {len(view.questions)} questions; most first."
    )
    alt = (
        f"Bar chart. {title}. "
        + "; ".join(f"{n} {v:.1f}" for n, v in zip(names, values, strict=True))
        + "."
    )
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- cross analysis


def cross_analysis(ctx: ProgrammeDrawContext) -> Chart:
    """Per question: both sides' means (left), and the difference with its 95% interval."""
    view = ctx.view
    cross = ctx.tables["cross_analysis"]
    first, second = view.population(view.first), view.population(view.second)
    if cross.empty:
        return _empty("No comparison to show.", f"{first.name} and {second.name} compared")
    questions = [q for q in view.questions if q.id in set(cross["question_id"].astype(str))]
    rows = {str(r["question_id"]): r for r in cross.to_dict("records")}
    clear = set(clear_gaps(cross)["question_id"].astype(str))
    fig = new_figure(0.4 * len(questions) + 1.9)
    grid = fig.add_gridspec(1, 2, width_ratios=(1.15, 1))
    left = fig.add_subplot(grid[0, 0])
    right = fig.add_subplot(grid[0, 1], sharey=left)
    ys = np.arange(len(questions))
    for side, colour, marker in ((first, SIDE_COLOURS[0], "o"), (second, SIDE_COLOURS[1], "D")):
        means = question_means(view, cross, side.id).set_index("question_id")["mean"]
        left.scatter(
            [means.get(q.id, np.nan) for q in questions],
            ys,
            color=colour,
            marker=marker,
            s=28,
            zorder=3,
            label=side.name,
        )
    for y, q in enumerate(questions):
        row = rows[q.id]
        a, b = row.get(f"{first.id}_mean"), row.get(f"{second.id}_mean")
        if pd.notna(a) and pd.notna(b):
            left.plot([a, b], [y, y], color="#BBBBBB", linewidth=1.2, zorder=2)
    left.set_xlim(view.scale_min, view.scale_max)
    left.set_xticks(np.arange(view.scale_min, view.scale_max + 0.5, 1.0))
    left.set_xlabel(f"Mean score ({view.scale_min:g} low to {view.scale_max:g} high)")
    left.axvline(view.midpoint, color=MUTED_TEXT, linewidth=0.8, linestyle=(0, (3, 2)))
    left.set_yticks(ys, [_tick_label(q.title, 26) for q in questions])
    left.set_ylim(len(questions) - 0.5, -0.5)
    left.tick_params(axis="y", length=0)
    left.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    spans = []
    for y, q in enumerate(questions):
        row = rows[q.id]
        diff, low, high = float(row["diff"]), float(row["diff_ci_low"]), float(row["diff_ci_high"])
        colour = CLEAR_COLOUR if q.id in clear else UNCLEAR_COLOUR
        right.plot([low, high], [y, y], color=colour, linewidth=1.6)
        right.scatter([diff], [y], color=colour, s=24, zorder=3)
        right.text(high + 0.04, y, _signed(diff), va="center", fontsize=7.5, color=colour)
        spans += [low, high]
    right.axvline(0, color="#444444", linewidth=0.8)
    bound = max(1.0, max(abs(v) for v in spans) + 0.35) if spans else 1.0
    right.set_xlim(-bound, bound)
    right.set_xlabel(f"Difference, {first.name.lower()} minus {second.name.lower()} (95% interval)")
    right.tick_params(axis="y", length=0, labelleft=False)
    right.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    handles = [
        Patch(facecolor=SIDE_COLOURS[0], label=first.name),
        Patch(facecolor=SIDE_COLOURS[1], label=second.name),
        Patch(facecolor=CLEAR_COLOUR, label="interval clear of zero"),
        Patch(facecolor=UNCLEAR_COLOUR, label="interval includes zero"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=7.5)
    lower = sum(1 for q in questions if q.id in clear and float(rows[q.id]["diff"]) < 0)
    higher = sum(1 for q in questions if q.id in clear and float(rows[q.id]["diff"]) > 0)
    if lower or higher:
        parts = []
        if lower:
            parts.append(f"lower on {_count(lower, 'question')}")
        if higher:
            parts.append(f"higher on {_count(higher, 'question')}")
        title = (
            f"{first.name} score the relationship clearly {' and '.join(parts)} "
            f"than {second.name.lower()}"
        )
    else:
        title = (
            f"No clear difference between {first.name.lower()} and "
            f"{second.name.lower()} on any question"
        )
    caption = (
        f"Left: each side's mean per question (the ratings by {first.name.lower()} "
        f"pooled over the {view.target_noun}s they rated). "
        f"Right: the difference, {first.name.lower()} minus {second.name.lower()}, "
        "with its 95% Welch interval; "
        "where the interval does not cross zero the difference is unlikely to be chance."
    )
    alt = (
        f"Two panels for {len(questions)} questions. {title}. "
        + "; ".join(f"{q.title} {_signed(float(rows[q.id]['diff']))}" for q in questions)
        + "."
    )
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- breakdowns


def group_bars(ctx: ProgrammeDrawContext, population: str, grouping: str) -> Chart:
    """Overall mean by group; groups too small to show are not drawn (named in the caption)."""
    view = ctx.view
    pop = view.population(population)
    group_info = pop.grouping(grouping)
    part = _rows(
        ctx.tables["breakdown_scores"],
        population=population,
        grouping=grouping,
        question_id=OVERALL,
    )
    records = {str(r["group"]): r for r in part.to_dict("records")}
    order = [g for g in group_info.groups if g in records] + sorted(
        set(records) - set(group_info.groups)
    )
    shown = [g for g in order if not _hidden(records[g])]
    hidden = [g for g in order if _hidden(records[g])]
    title_base = f"{pop.name} by {group_info.name.lower()}"
    if not shown:
        return _empty(f"Every group has fewer than {ctx.k} respondents.", title_base)
    values = [float(records[g]["mean"]) for g in shown]
    fig = new_figure(0.36 * len(shown) + 1.3)
    ax = fig.add_subplot()
    colours = [OKABE_ITO["blue"] if v >= view.midpoint else OKABE_ITO["vermillion"] for v in values]
    ax.barh(
        range(len(shown)),
        [v - view.scale_min for v in values],
        left=view.scale_min,
        height=0.6,
        color=colours,
    )
    for y, (g, v) in enumerate(zip(shown, values, strict=True)):
        ax.text(v + 0.04, y, f"{_two(v)} (n = {int(records[g]['n'])})", va="center", fontsize=8)
    ax.set_yticks(range(len(shown)), [_tick_label(g, 30) for g in shown])
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(view.scale_min, view.scale_max)
    ax.set_xticks(np.arange(view.scale_min, view.scale_max + 0.5, 1.0))
    ax.axvline(view.midpoint, color=MUTED_TEXT, linewidth=0.8, linestyle=(0, (3, 2)))
    ax.set_xlabel(f"Overall mean score ({view.scale_min:g} low to {view.scale_max:g} high)")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    low = min(range(len(values)), key=lambda i: values[i])
    high = max(range(len(values)), key=lambda i: values[i])
    title = (
        f"{title_base}: from {_two(values[low])} ({shown[low]}) to "
        f"{_two(values[high])} ({shown[high]})"
        if len(shown) > 1
        else f"{title_base}: {_two(values[0])} ({shown[0]})"
    )
    caption = (
        f"Overall mean score of each group of {pop.name.lower()} (all their ratings pooled), "
        "with the number of respondents."
        + (
            f" Not drawn: {', '.join(hidden)} (too few respondents to show, fewer than {ctx.k}, "
            "or hidden so that a smaller group cannot be worked out)."
            if hidden
            else ""
        )
    )
    alt = (
        f"Bar chart. {title}. "
        + "; ".join(f"{g} {_two(v)}" for g, v in zip(shown, values, strict=True))
        + "."
    )
    if hidden:
        alt += f" Not shown: {', '.join(hidden)}."
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- must-haves


def must_have_bars(ctx: ProgrammeDrawContext) -> Chart:
    """Each category's share of each side's must-haves, the sides side by side."""
    view = ctx.view
    table = ctx.tables["must_haves"]
    sides = [p for p in view.populations if p.id in table.columns][:2]
    if table.empty or not sides:
        return _empty("No must-haves to show.", "Must-haves by category")
    labels = [str(x) for x in table["label"]]
    fig = new_figure(0.42 * len(labels) + 1.5)
    ax = fig.add_subplot()
    height = 0.8 / len(sides)
    tops: dict[str, tuple[float, str]] = {}
    peak = 5.0
    for s, (side, colour) in enumerate(zip(sides, SIDE_COLOURS, strict=False)):
        pcts = pd.to_numeric(table[f"{side.id}_pct"], errors="coerce").fillna(0.0).to_numpy()
        counts = pd.to_numeric(table[side.id], errors="coerce").fillna(0).astype(int).to_numpy()
        ys = np.arange(len(labels)) - 0.4 + height * (s + 0.5)
        ax.barh(ys, pcts, height=height * 0.95, color=colour, label=side.name)
        for y, p, c in zip(ys, pcts, counts, strict=True):
            ax.text(p + 0.6, y, f"{p:.0f}% ({c})", va="center", fontsize=7)
        peak = max(peak, float(pcts.max()) if len(pcts) else 0.0)
        best = int(np.argmax(pcts)) if len(pcts) else 0
        tops[side.name] = (float(pcts[best]) if len(pcts) else 0.0, labels[best] if labels else "")
    ax.set_yticks(range(len(labels)), [_tick_label(label, 34) for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, peak * 1.3 + 2)
    ax.set_xlabel("Share of that side's must-haves (number in brackets)")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    fig.legend(loc="outside lower center", ncol=len(sides), fontsize=7.5)
    title = "Most common must-have: " + "; ".join(
        f"{name.lower()}, {label.lower()} ({pct:.0f}%)" for name, (pct, label) in tops.items()
    )
    caption = (
        "Each must-have written at the workshops was put in one best-fit category. Bars show each "
        "category's share of that side's must-haves, with the number; the two sides "
        "wrote different "
        "numbers of must-haves, so compare the shares."
    )
    alt = f"Paired bar chart of {len(labels)} categories. {title}."
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- drawing them all


def draw_programme_charts(
    view: ProgrammeView, tables: Mapping[str, pd.DataFrame]
) -> list[tuple[str, Chart]]:
    """Every chart the registry plans for the programme, named, in document order."""
    from relaudit.chartset import plan_programme_charts

    ctx = ProgrammeDrawContext(tables=tables, view=view)
    return [
        (chart.name, chart.draw_function()(ctx, **chart.params))
        for chart in plan_programme_charts(view.chart_plans())
    ]


def chart_names(view: ProgrammeView) -> Sequence[str]:
    from relaudit.chartset import programme_chart_names

    return programme_chart_names(view.chart_plans())
