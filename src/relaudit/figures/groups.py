"""Respondent-group charts: who responded, means and answers by group, comment rates."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd

from relaudit.figures.common import (
    LABEL_BOX,
    SUPPRESSED_STYLE,
    Chart,
    DrawContext,
    _diverging_stack,
    _finish,
    _fmt,
    _hidden_alt,
    _hidden_groups,
    _hide_group_label,
    _is_true,
    _label_legend,
    _midpoint_line,
    _name,
)
from relaudit.instrument import Instrument, StatementSet
from relaudit.labels import (
    group_order,
    measure_label,
    positive_note,
    question_name,
    short_labels,
)
from relaudit.style import (
    GRID_COLOUR,
    SYSTEM_COLOUR,
    new_figure,
)
from relaudit.suppress import ANSWERS, RESPONDENTS


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
    hidden = _hidden_groups(
        profile,
        ("question", "group"),
        lambda row: f"{row['group']} ({question_name(instrument, row['question']).lower()})",
    )
    alt = (
        "Bar charts of the number of respondents by "
        + ", ".join(question_name(instrument, q).lower() for q in questions)
        + ". "
        + "; ".join(describe)
        + "."
    )
    if hidden:
        alt += _hidden_alt("respondents", min_group_size, hidden)
    caption = (
        "Number of respondents (and their share of all respondents) in each group of "
        + ", ".join(question_name(instrument, q).lower() for q in questions)
        + "."
    )
    return _finish(fig, title, alt, caption)


def _derived_groups(instrument: Instrument, grouping: str) -> set[str]:
    """A question's derived groups (several ticked, none ticked): not a respondent's choice."""
    for question in instrument.questions:
        if question.id == grouping:
            return {question.multiple, question.none}
    return set()


def group_means(
    breakdown_scores: pd.DataFrame,
    instrument: Instrument,
    grouping: str,
    measures: Sequence[str],
    min_group_size: int,
) -> Chart:
    """Mean score of each measure (item or framework) by respondent group, one panel
    per measure. A hidden group shows as "fewer than k answers" (statements) or
    "fewer than k respondents" (frameworks), or as hidden to protect a smaller group."""
    data = breakdown_scores[breakdown_scores["grouping"] == grouping]
    groups = group_order(instrument, grouping, data["group"])
    gname = question_name(instrument, grouping)
    fig = new_figure(height=1.5 + 0.3 * len(groups) + (0.2 if len(measures) > 2 else 0))
    axes = fig.subplots(1, len(measures), sharey=True, squeeze=False)[0]
    # A statement's cell counts its answers; a framework's, the respondents who answered it.
    kind = ANSWERS if set(measures) <= set(instrument.item_ids) else RESPONDENTS
    counted = ANSWERS if kind == ANSWERS else "respondents who answered"
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
                    _hide_group_label(min_group_size, row, kind),
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
        f"{_fmt(instrument.scale.midpoint)}; n = {counted})",
        fontsize=8.5,
    )
    # The title names groups a respondent chose, as the documents' sentences do:
    # not the derived ones (several answers ticked, or none).
    derived = _derived_groups(instrument, grouping)
    chosen = [(m, [(v, g) for v, g in s if g not in derived]) for m, s in shown_all]
    gaps = [(max(s)[0] - min(s)[0], m, max(s), min(s)) for m, s in chosen if len(s) >= 2]
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
    hidden = _hidden_groups(data[data["measure"].isin(measures)])
    alt = f"Bar chart of mean scores by {gname.lower()}. " + "; ".join(parts) + "."
    if hidden:
        alt += _hidden_alt(kind, min_group_size, hidden)
    caption = (
        f"Mean score of {names} in each {gname.lower()} group, with the number answering; "
        f"dashed line: the scale midpoint {_fmt(instrument.scale.midpoint)}. Differences "
        "between groups are not tested."
    )
    return _finish(fig, title, alt, caption)


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
    reversed_any = positive_any = False
    for ax, item_id in zip(axes, items, strict=True):
        part = data[data["item_id"] == item_id]
        rows: list[tuple[str, pd.DataFrame | None]] = []
        positives: list[tuple[float, str, int]] = []
        for group in groups:
            dist = part[part["group"] == group]
            if dist.empty:
                continue
            if _is_true(dist["suppressed"]).any() or dist["pct"].isna().all():
                first = dist[_is_true(dist["suppressed"])]
                row = first.iloc[0] if len(first) else None
                rows.append((group, _hide_group_label(min_group_size, row, ANSWERS)))
                continue
            n = int(pd.to_numeric(dist["n"], errors="coerce").fillna(0).sum())
            rows.append((f"{group} ({n} {ANSWERS})", dist))
            positives.append((float(dist.loc[dist["score"] >= threshold, "pct"].sum()), group, n))
        _diverging_stack(ax, rows, instrument, min_group_size)
        item = instrument.item(item_id.partition("@")[0])
        reversed_any = reversed_any or item.reverse
        positive_any = positive_any or not item.reverse
        mark = " \u2020" if item.reverse else ""
        wording = f"{_name(labels, item_id)}{mark}: \u201c{instrument.text(item.id)}\u201d"
        ax.set_title(textwrap.fill(wording, 70), fontsize=8, fontweight="bold")
        summary.append((item_id, positives))
    axes[-1].set_xlabel("% of answers: worse to the left of 0, better to the right")
    _label_legend(fig, instrument, reversed_any, positive_any)
    first_item, positives = summary[0]
    name = _name(labels, first_item)
    derived = _derived_groups(instrument, grouping)
    positives = [p for p in positives if p[1] not in derived]
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
    hidden = _hidden_groups(data[data["item_id"].isin(items)])
    if hidden:
        alt += _hidden_alt(ANSWERS, min_group_size, hidden)
    caption = (
        f"How each {gname.lower()} group answered, as shares of its answers: answers scoring "
        "below the midpoint to the left of 0, the others to the right."
    )
    if reversed_any:
        caption += " \u2020 Negatively worded and reverse scored: the legend gives its answers."
    caption += " " + positive_note(instrument, negative=reversed_any)
    return _finish(fig, title, alt, caption)


def comment_rates_chart(
    comment_rates: pd.DataFrame,
    instrument: Instrument,
    min_group_size: int,
    groupings: Sequence[str] = (),
) -> Chart:
    """Share of respondents who left a comment, by group: one panel per grouping,
    `groupings` first, then the table's others in its order."""
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
    hidden = _hidden_groups(
        comment_rates,
        ("grouping", "group"),
        lambda row: f"{row['group']} ({question_name(instrument, row['grouping']).lower()})",
    )
    if hidden:
        alt += _hidden_alt(RESPONDENTS, min_group_size, hidden)
    caption = (
        "Share of each group's respondents who wrote a free-text comment, with the number "
        "who commented and the number of respondents."
    )
    return _finish(fig, title, alt, caption)


# --------------------------------------------------------------------------- registry draws


def profile(ctx: DrawContext) -> Chart:
    """Who responded."""
    return profile_chart(ctx.tables["profile"], ctx.instrument, ctx.min_group_size)


def statement_set_means(ctx: DrawContext, statement_set: StatementSet) -> Chart:
    """Mean score of each statement of a set by the set's grouping."""
    return group_means(
        ctx.tables["breakdown_scores"],
        ctx.instrument,
        statement_set.by,
        list(statement_set.items),
        ctx.min_group_size,
    )


def statement_set_labels(ctx: DrawContext, statement_set: StatementSet) -> Chart:
    """Answers to each statement of a set by the set's grouping."""
    return labels_by_group(
        ctx.tables["breakdown_labels"],
        ctx.instrument,
        list(statement_set.items),
        statement_set.by,
        ctx.min_group_size,
    )


def framework_means(ctx: DrawContext, grouping: str) -> Chart:
    """Every framework's mean by one grouping."""
    frameworks = [fw.id for fw in ctx.instrument.frameworks]
    return group_means(
        ctx.tables["breakdown_scores"], ctx.instrument, grouping, frameworks, ctx.min_group_size
    )


def comment_rates(ctx: DrawContext) -> Chart:
    """Share of respondents who left a comment, by group."""
    return comment_rates_chart(ctx.tables["comment_rates"], ctx.instrument, ctx.min_group_size)
