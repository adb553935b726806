"""Contrasts between respondent groups that the text may state only when an
interval supports them.

A group's mean, standard deviation and 95% interval on a statement are worked
out from its answer counts per score (the suppressed ``breakdown_labels``
table), so nothing hidden there is used. A difference is called higher or
lower only when its interval lies wholly on one side (of zero, or of a
reference mean): the interval rule the rest of the documents use.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from relaudit import blocks, score
from relaudit import findings as fnd
from relaudit import labels as lbl
from relaudit.errors import ConfigError
from relaudit.instrument import Instrument, StatementSet
from relaudit.text import AttributionWording

# Statements listed on each side of a reference mean (see focus_statements).
FOCUS_STATEMENTS = 5


def group_moments(
    labels: pd.DataFrame, grouping: str, group: str, item_id: str
) -> tuple[int, float, float] | None:
    """n, mean and sample sd of one group's scores on one statement, from its answer
    counts per score (breakdown_labels); None when hidden or unanswered."""
    part = labels[
        (labels["grouping"] == grouping)
        & (labels["group"] == group)
        & (labels["item_id"] == item_id)
    ]
    if part.empty or part["suppressed"].map(blocks.is_suppressed).any():
        return None
    counts = pd.to_numeric(part["n"], errors="coerce").fillna(0).to_numpy(dtype=float)
    values = pd.to_numeric(part["score"], errors="coerce").to_numpy(dtype=float)
    n = counts.sum()
    if n < 1:
        return None
    mean = float((counts * values).sum() / n)
    sd = math.sqrt(float((counts * (values - mean) ** 2).sum() / (n - 1))) if n > 1 else math.nan
    return int(n), mean, sd


def mean_interval(n: int, mean: float, sd: float) -> tuple[float, float]:
    """95% t-interval of a mean (relaudit.score.add_interval; NaN when n < 2)."""
    row = score.add_interval(pd.DataFrame({"n": [n], "mean": [mean], "sd": [sd]})).iloc[0]
    return float(row["ci_low"]), float(row["ci_high"])


def interval_flag(low: float, high: float, reference: float = 0.0) -> str:
    """'lower' or 'higher' when the interval lies wholly on one side of `reference`."""
    if math.isnan(low) or math.isnan(high):
        return ""
    if high < reference:
        return "lower"
    if low > reference:
        return "higher"
    return ""


def breakdown_row(
    breakdown: pd.DataFrame, grouping: str, group: str, measure: str
) -> dict[str, Any]:
    """One group's row of breakdown_scores on one measure ({} when it has none)."""
    return blocks.one_row(
        breakdown[
            (breakdown["grouping"] == grouping)
            & (breakdown["group"] == group)
            & (breakdown["measure"] == measure)
        ]
    )


def shown(row: Mapping[str, Any], column: str) -> bool:
    """True when a table row exists, is not suppressed and has a value in `column`."""
    return (
        bool(row)
        and not blocks.is_suppressed(row.get("suppressed"))
        and not pd.isna(row.get(column))
    )


def check_group(instrument: Instrument, grouping: str, group: str, where: str) -> None:
    """A ConfigError unless `group` is a reported group of the respondent question."""
    try:
        question = instrument.question(grouping)
    except KeyError:
        raise ConfigError(
            f"{where}: grouping {grouping!r} is not a respondent question. Fix: use one of "
            f"{[q.id for q in instrument.questions]}."
        ) from None
    if group not in question.reported_groups:
        raise ConfigError(
            f"{where}: {group!r} is not a group of {grouping!r}. Fix: use one of "
            f"{question.reported_groups}."
        )


def attributions_of(wording: Sequence[AttributionWording], grouping: str, group: str) -> set[str]:
    """Every attribution a quote from `group` of `grouping` can carry (the lexicon's
    wording of each attribution question, joined as relaudit.text attributes quotes);
    empty when quotes are not attributed by `grouping`."""
    if grouping not in [entry.question for entry in wording]:
        return set()
    choices = [
        [entry.wording.get(group, entry.unknown)]
        if entry.question == grouping
        else sorted({*entry.wording.values(), entry.unknown})
        for entry in wording
    ]
    return {", ".join(combo) for combo in itertools.product(*choices)}


def focus_statements(
    labels: pd.DataFrame,
    scores: pd.DataFrame,
    instrument: Instrument,
    grouping: str,
    group: str,
) -> dict[str, list[dict[str, Any]]]:
    """Statements on which the group's 95% interval lies wholly below (or above) the mean
    of all respondents, largest difference first."""
    out: dict[str, list[dict[str, Any]]] = {"lower": [], "higher": []}
    national = scores.set_index("item_id")["mean"] if len(scores) else pd.Series(dtype=float)
    for item_id in instrument.item_ids:
        moments = group_moments(labels, grouping, group, item_id)
        overall = national.get(item_id)
        if moments is None or overall is None or pd.isna(overall):
            continue
        n, mean, sd = moments
        low, high = mean_interval(n, mean, sd)
        flag = interval_flag(low, high, float(overall))
        if flag:
            out[flag].append(
                {
                    "label": lbl.short_label(instrument, item_id),
                    "text": instrument.text(item_id),
                    "n": n,
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "overall": float(overall),
                    "diff": mean - float(overall),
                }
            )
    out["lower"].sort(key=lambda e: (e["diff"], e["label"]))
    out["higher"].sort(key=lambda e: (-e["diff"], e["label"]))
    return {key: values[:FOCUS_STATEMENTS] for key, values in out.items()}


def divide_rows(
    breakdown: pd.DataFrame,
    labels: pd.DataFrame,
    instrument: Instrument,
    statement_set: StatementSet,
    groups: Sequence[str],
) -> list[dict[str, Any]]:
    """Each statement of the set: the two groups' means, answers and the 95% Welch
    interval of their difference (first minus second), with its flag."""
    first, second = groups
    by = statement_set.by
    out = []
    for item_id in [i for i in statement_set.items if i in instrument.item_ids]:
        entry: dict[str, Any] = {
            "label": lbl.short_label(instrument, item_id),
            "text": instrument.text(item_id),
            "reverse": instrument.item(item_id).reverse,
            "rows": [breakdown_row(breakdown, by, g, item_id) for g in groups],
            "flag": "",
            "diff": math.nan,
            "low": math.nan,
            "high": math.nan,
        }
        a = group_moments(labels, by, first, item_id)
        b = group_moments(labels, by, second, item_id)
        # The interval's moments must be those of the means shown: the same answers, and
        # the same mean to the stage tables' rounding.
        agree = all(
            moments is not None
            and shown(row, "mean")
            and moments[0] == int(row["n"])
            and math.isclose(moments[1], float(row["mean"]), abs_tol=1e-4)
            for moments, row in zip((a, b), entry["rows"], strict=True)
        )
        if a is not None and b is not None and agree:
            diff, low, high, _ = score.welch_interval(
                [a[1]], [a[2]], [a[0]], [b[1]], [b[2]], [b[0]]
            )
            entry.update(diff=float(diff[0]), low=float(low[0]), high=float(high[0]))
            entry["flag"] = interval_flag(entry["low"], entry["high"])
        out.append(entry)
    return out


def divide_sentence(entry: Mapping[str, Any], groups: Sequence[str]) -> str:
    """What the interval of one statement's difference supports, in words."""
    first, second = groups
    text = entry["label"]
    if math.isnan(entry["diff"]):
        return f"{text}: one of the groups is too small to show, so they are not compared."
    a, b = (fnd.fmt_mean(row["mean"]) for row in entry["rows"])
    interval = f"95% interval {fnd.fmt_signed(entry['low'])} to {fnd.fmt_signed(entry['high'])}"
    if entry["flag"]:
        return (
            f"{text}: {first} respondents scored it {entry['flag']} than {second} "
            f"respondents ({a} against {b}; difference {fnd.fmt_signed(entry['diff'])}, "
            f"{interval})."
        )
    return (
        f"{text}: {first} respondents ({a}) and {second} respondents ({b}) do not clearly "
        f"differ (difference {fnd.fmt_signed(entry['diff'])}, {interval}, which includes 0)."
    )
