"""Statement charts: the best and worst statements, every statement against the
comparator, and how consistently statements rank across systems.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from relaudit.comparison import COMPARED, NOT_COMPARABLE, has_comparator
from relaudit.figures.common import (
    LABEL_BOX,
    Chart,
    DrawContext,
    _comparator_caption,
    _count,
    _diverging_stack,
    _finish,
    _fmt,
    _label_legend,
    _midpoint_line,
    _n_range,
    _name,
    _scale_axis,
    _signed,
    _tick_label,
    national_scores,
)
from relaudit.instrument import Instrument
from relaudit.labels import positive_note, short_labels
from relaudit.style import (
    GRID_COLOUR,
    HIGHER_COLOUR,
    LOWER_COLOUR,
    SIMILAR_COLOUR,
    SYSTEM_COLOUR,
    new_figure,
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
    reversed_any = positive_any = False
    for part in (best, worst):
        for row in part.itertuples():
            item = instrument.item(str(row.item_id).partition("@")[0])
            mark = " \u2020" if item.reverse else ""
            reversed_any = reversed_any or item.reverse
            positive_any = positive_any or not item.reverse
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
    _label_legend(fig, instrument, reversed_any, positive_any)
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
    caption = (
        f"Answers to the {count} highest- and {count} lowest-scoring statements by mean, as "
        "shares of each statement's answers: answers scoring below the midpoint to the left "
        "of 0, the others to the right."
    )
    if reversed_any:
        caption += " \u2020 Negatively worded and reverse scored: the legend gives its answers."
    caption += " " + positive_note(instrument, negative=reversed_any)
    return _finish(fig, title, alt, caption)


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
    apart: list[str] = []
    if use_comparator:
        assert comparator is not None
        flagged = comparator["flag"].fillna("").astype(str)
        apart = [_name(labels, i) for i in comparator.loc[flagged == NOT_COMPARABLE, "item_id"]]
        data = comparator[flagged.isin(COMPARED)].dropna(subset=["diff"]).copy()
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
            f"for {len(data)} statements, with 95% intervals, sorted by difference. "
            f"Against the comparator, {higher} higher, {lower} lower, {similar} similar (95% "
            f"interval of the difference). Largest difference: "
            f"{_name(labels, top.item_id)} {_signed(top['diff'])}; smallest: "
            f"{_name(labels, bottom.item_id)} {_signed(bottom['diff'])}."
        )
        caption = (
            "Each statement's difference from the comparator's mean, with its 95% interval, "
            "sorted from the largest difference to the smallest. A statement is flagged higher "
            "or lower only where its interval excludes 0; the grey ones cross it."
        )
        if apart:
            listed = ", ".join(apart)
            note = (
                f" Not shown: {listed}, reworded between questionnaire versions and "
                "answered in this system's wording by no comparator system."
            )
            alt += note
            caption += note
    else:
        _midpoint_line(ax, instrument)
        _scale_axis(ax, instrument, label=f"Mean score with 95% interval ({n_text})")
        top, bottom = data.iloc[0], data.iloc[-1]
        title = (
            f"{_name(labels, top.item_id)} scores highest ({_fmt(top['mean'])}), "
            f"{_name(labels, bottom.item_id)} lowest ({_fmt(bottom['mean'])})"
        )
        alt = (
            f"Dot plot of mean scores for all {len(data)} statements with 95% intervals, sorted by "
            f"mean. Highest {_name(labels, top.item_id)} {_fmt(top['mean'])}; lowest "
            f"{_name(labels, bottom.item_id)} {_fmt(bottom['mean'])}."
        )
        caption = (
            "Each statement's mean score with its 95% interval, sorted from highest to lowest; "
            f"dashed line: the scale midpoint {_fmt(instrument.scale.midpoint)}."
        )
    return _finish(fig, title, alt, caption)


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
    caption = (
        f"For each statement, the number of the {systems} systems in which it is among the "
        "five highest-scoring (right) or the five lowest-scoring (left); statements in neither "
        "in any system are left out."
    )
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- registry draws


def pack_best_worst(ctx: DrawContext) -> Chart:
    """A system's best and worst statements."""
    tables = ctx.tables
    return best_worst(
        tables["statement_scores"], tables["label_distribution"], ctx.instrument, ctx.top_n
    )


def annex_best_worst(ctx: DrawContext) -> Chart:
    """The best and worst statements nationally."""
    return best_worst(
        national_scores(ctx), ctx.tables["label_distribution"], ctx.instrument, ctx.top_n
    )


def pack_differences(ctx: DrawContext) -> Chart:
    """Every statement of a system against its comparator."""
    tables = ctx.tables
    return statement_differences(
        tables.get("comparator"),
        tables["statement_scores"],
        ctx.instrument,
        tables.get("comparator_summary"),
    )


def consistency(ctx: DrawContext) -> Chart:
    """How often each statement is among the systems' best or worst five."""
    return consistency_chart(ctx.tables["consistency"], ctx.instrument)
