"""Statement scores, group means, label shares, breakdowns and the comparator.

Everything works on a long table of valid ratings (one row per respondent and
rating: ``row``, ``item_id``, ``target``, ``score``) built by :func:`to_long`
from the instrument's rating columns (:meth:`Instrument.rating_columns`), so
the same groupby code serves a system, the nation, a respondent group or a
per-target instrument. Statement tables pool a statement's ratings over
targets (n counts ratings); :func:`target_scores` keeps them apart. Answers
that are not ratings (the scale's ``not_applicable``) are never averaged: they
are counted in a ``not_rated`` column, present only when the instrument has
such answers. Item ids, frameworks, groupings and respondent questions all
come from the :class:`~relaudit.instrument.Instrument`.

Statistics: ``sd`` is the sample SD (n-1); the 95% interval of a mean is the
Student t interval; the comparator difference uses Welch's interval with
Welch-Satterthwaite degrees of freedom. The t quantile is SciPy's
(``scipy.special.stdtrit``, the inverse of Student's t CDF that
``scipy.stats.t.ppf`` calls, without the cost of importing ``scipy.stats``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from relaudit import patterns
from relaudit.comparison import (
    DEFAULT_FLAG_RULE,
    NO_COMPARATOR,
    NOT_COMPARABLE,
    comparable,
    flag_differences,
    version_mask,
)
from relaudit.config import System
from relaudit.cutoffs import by_end_of, cutoff_text
from relaudit.disclosure import cross_scope_remainders, exposed, statement_totals
from relaudit.errors import InputFileError
from relaudit.instrument import Instrument
from relaudit.pools import PoolGrid
from relaudit.suppress import REASON, SECONDARY, SMALL, SUPPRESSED, blank, secondary_hide, suppress

CONFIDENCE = 0.95
TOP_N = 5
FRAMEWORK = "framework"
STATEMENT_COLUMNS = (
    *("scope", "item_id", FRAMEWORK, "n", "mean", "sd"),
    *("ci_low", "ci_high", "pct_positive", "rank"),
)

# ---------------------------------------------------------------------------
# Student t distribution


def t_quantile(p: float, df: float) -> float:
    """Inverse CDF of Student's t: the t with P(T <= t) = p (``df`` may be fractional or inf)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), got {p}")
    if not df > 0:
        raise ValueError(f"df must be positive, got {df}")
    return float(stdtrit(df, p))


def _t_critical(df: pd.Series | np.ndarray) -> np.ndarray:
    """Two-sided 95% critical t for each df (NaN where df is not positive)."""
    values = np.asarray(df, dtype=float)
    out = np.full(values.shape, np.nan)
    valid = np.isfinite(values) & (values > 0)
    out[valid] = stdtrit(values[valid], 0.5 + CONFIDENCE / 2)
    return out


# ---------------------------------------------------------------------------
# Long format


NOT_RATED = "not_rated"
TARGET = "target"
TARGET_COLUMNS = (
    *("scope", "item_id", TARGET, FRAMEWORK, "n", "mean", "sd"),
    *("ci_low", "ci_high", "pct_positive"),
)


def item_frameworks(instrument: Instrument) -> dict[str, str]:
    return {item.id: item.framework for item in instrument.items}


def _targets(instrument: Instrument) -> list[str]:
    """The target categories of the long table (``""`` alone when rated per respondent)."""
    return list(instrument.targets) or [""]


def _rating_codes(instrument: Instrument) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The rating columns, and for each its item's and target's position."""
    ratings = instrument.rating_columns()
    items = {item_id: i for i, item_id in enumerate(instrument.item_ids)}
    targets = {target: i for i, target in enumerate(_targets(instrument))}
    return (
        [r.column for r in ratings],
        np.array([items[r.item_id] for r in ratings], dtype=np.int64),
        np.array([targets[r.target] for r in ratings], dtype=np.int64),
    )


def _long_frame(
    instrument: Instrument, values: np.ndarray, keep: np.ndarray, item_codes: np.ndarray,
    target_codes: np.ndarray, scores: np.ndarray | None,
) -> pd.DataFrame:  # fmt: skip
    """Rows of (respondent, rating column) where `keep`, with item and target categories."""
    count, width = values.shape
    rows = np.repeat(np.arange(count), width)[keep]
    column = np.tile(np.arange(width), count)[keep]
    frame = {
        "row": rows,
        "item_id": pd.Categorical.from_codes(
            item_codes[column], categories=pd.Index(instrument.item_ids, dtype=object)
        ),
        TARGET: pd.Categorical.from_codes(
            target_codes[column], categories=pd.Index(_targets(instrument), dtype=object)
        ),
    }
    if scores is not None:
        frame["score"] = scores[keep]
    return pd.DataFrame(frame)


def _columns_of(responses: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in responses.columns]
    if missing:
        raise InputFileError(
            f"clean responses lack {what} column(s) {', '.join(missing[:5])}. "
            "Fix: re-run ingest with the same instrument."
        )


def to_long(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Valid ratings as rows: ``row`` (position in `responses`), ``item_id``, ``target``,
    ``score``.

    ``item_id`` and ``target`` are categorical (categories: the items and the
    targets in instrument order; the one target ``""`` when the instrument
    rates per respondent): the national table has one row per rating,
    millions of them, and string columns would cost gigabytes and slow every
    groupby.
    """
    columns, item_codes, target_codes = _rating_codes(instrument)
    _columns_of(responses, columns, "rating")
    values = responses[columns].to_numpy(dtype=float)
    scores = values.ravel()
    return _long_frame(instrument, values, ~np.isnan(scores), item_codes, target_codes, scores)


def _columns_by_item(instrument: Instrument) -> dict[str, list[str]]:
    """Each item's rating columns (one, or one per target), items in order."""
    by_item: dict[str, list[str]] = {item_id: [] for item_id in instrument.item_ids}
    for rating in instrument.rating_columns():
        by_item[rating.item_id].append(rating.column)
    return by_item


def not_rated_long(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame | None:
    """Answers that are not ratings as rows (``row``, ``item_id``, ``target``), or None
    when the instrument's scale has no such answers."""
    if not instrument.scale.not_applicable:
        return None
    _, item_codes, target_codes = _rating_codes(instrument)
    flags = [rating.not_rated_column for rating in instrument.rating_columns()]
    _columns_of(responses, flags, "not-rated")
    values = responses[flags].to_numpy(dtype=bool)
    return _long_frame(instrument, values, values.ravel(), item_codes, target_codes, None)


def count_not_rated(
    table: pd.DataFrame, not_rated: pd.DataFrame | None, keys: Sequence[str]
) -> pd.DataFrame:
    """`table` with a ``not_rated`` count per `keys` after ``n`` (unchanged when None)."""
    if not_rated is None:
        return table
    keys = list(keys)
    sizes = not_rated.groupby(keys, sort=False, observed=True).size()
    counts = _plain(sizes.rename(NOT_RATED).reset_index())
    out = table.merge(counts, on=keys, how="left")
    out[NOT_RATED] = out[NOT_RATED].fillna(0).astype(int)
    columns = list(table.columns)
    columns.insert(columns.index("n") + 1, NOT_RATED)
    return out[columns]


def _attach(long: pd.DataFrame, responses: pd.DataFrame, **columns: str) -> pd.DataFrame:
    """Copy respondent columns (e.g. scope=system_id) onto the long table, as categoricals.

    Values are compared as text, as in the tables; a blank stays blank (NaN).
    """
    out = long.copy()
    rows = out["row"].to_numpy()
    for name, source in columns.items():
        values = responses[source]
        codes, uniques = pd.factorize(values.astype(str).where(values.notna()))
        categories = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
        out[name] = pd.Categorical.from_codes(codes[rows], categories=categories)
    return out


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns of a (small) result back to plain values."""
    for column in table.columns:
        if isinstance(table[column].dtype, pd.CategoricalDtype):
            table[column] = table[column].astype(object)
    return table


# ---------------------------------------------------------------------------
# Statement statistics


def sample_variance(n: np.ndarray, total: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """Variance (n - 1) from count, sum and sum of squares; NaN below two values.

    var = (n * sum(x^2) - sum(x)^2) / (n (n - 1)), exact for the integer
    scores of a rating scale; tiny negative rounding is clipped to 0.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (n * squares - total * total) / (n * (n - 1))
    return np.where(n >= 2, np.clip(variance, 0.0, None), np.nan)


def summarise(long: pd.DataFrame, keys: Sequence[str], positive_threshold: float) -> pd.DataFrame:
    """n, mean, sd (n-1) and pct_positive of `score` per `keys`.

    One pass of sums (`sample_variance`): a plain groupby is much faster than
    named aggregations on many small groups.
    """
    score_values = long["score"].to_numpy(dtype=float)
    work = pd.DataFrame(
        {
            "total": score_values,
            "squares": score_values * score_values,
            "positive": (score_values >= positive_threshold).astype(float),
        },
        index=long.index,
    )
    grouped = work.groupby([long[k] for k in keys], sort=False, observed=True)
    sums = grouped.sum()
    n = grouped.size().to_numpy(dtype=float)
    total = sums["total"].to_numpy()
    variance = sample_variance(n, total, sums["squares"].to_numpy())
    out = pd.DataFrame(
        {
            "n": n.astype(int),
            "mean": total / n,
            "sd": np.sqrt(variance),
            "pct_positive": sums["positive"].to_numpy() / n * 100.0,
        },
        index=sums.index,
    )
    return _plain(out.reset_index())


def add_interval(table: pd.DataFrame) -> pd.DataFrame:
    """95% t-interval of the mean; blank when n < 2."""
    out = table.copy()
    n = out["n"].to_numpy(dtype=float)
    half = _t_critical(n - 1) * out["sd"].to_numpy(dtype=float) / np.sqrt(n)
    half[n < 2] = np.nan
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def min_rank(values: pd.Series, by: Sequence[pd.Series] | None, ascending: bool) -> pd.Series:
    """Rank 1 = best; ties share the lowest rank ("min"); NaN stays unranked."""
    if by:
        return values.groupby(list(by), sort=False).rank(method="min", ascending=ascending)
    return values.rank(method="min", ascending=ascending)


def _full_grid(scopes: Sequence[str], columns: Sequence[str], scope_key: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            scope_key: np.repeat(np.asarray(scopes, dtype=object), len(columns)),
            "item_id": np.tile(np.asarray(columns, dtype=object), len(scopes)),
        }
    )


def statement_scores(
    long: pd.DataFrame,
    instrument: Instrument,
    scopes: Sequence[str] | None = None,
    not_rated: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (scope, item): n, mean, sd, CI, pct_positive, rank.

    `long` (and `not_rated`, see :func:`not_rated_long`) carry a ``scope``
    column when `scopes` is given; every item appears for every scope (n = 0
    and blanks when nobody answered it). A per-target item pools its ratings
    over the targets: n counts ratings. With `not_rated`, a ``not_rated``
    column counts the answers that are not ratings.
    """
    columns = instrument.item_ids
    if scopes is None:
        long = long.assign(scope="")
        not_rated = None if not_rated is None else not_rated.assign(scope="")
        scopes = [""]
    stats = summarise(long, ["scope", "item_id"], instrument.scale.positive_threshold)
    table = _full_grid(scopes, columns, "scope").merge(stats, on=["scope", "item_id"], how="left")
    table["n"] = table["n"].fillna(0).astype(int)
    table.insert(2, FRAMEWORK, table["item_id"].map(item_frameworks(instrument)))
    table = add_interval(table)
    table["rank"] = min_rank(table["mean"], [table["scope"]], ascending=False)
    return count_not_rated(table[list(STATEMENT_COLUMNS)], not_rated, ["scope", "item_id"])


def target_scores(
    long: pd.DataFrame,
    instrument: Instrument,
    scopes: Sequence[str] | None = None,
    not_rated: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (scope, item, target) of a per-target instrument: n, mean, sd, CI,
    pct_positive (and ``not_rated`` as in :func:`statement_scores`)."""
    if scopes is None:
        long = long.assign(scope="")
        not_rated = None if not_rated is None else not_rated.assign(scope="")
        scopes = [""]
    keys = ["scope", "item_id", TARGET]
    stats = summarise(long, keys, instrument.scale.positive_threshold)
    targets = _targets(instrument)
    grid = pd.DataFrame(
        [(s, i, t) for s in scopes for i in instrument.item_ids for t in targets],
        columns=keys,
        dtype=object,
    )
    table = grid.merge(stats, on=keys, how="left")
    table["n"] = table["n"].fillna(0).astype(int)
    table.insert(3, FRAMEWORK, table["item_id"].map(item_frameworks(instrument)))
    table = add_interval(table)
    return count_not_rated(table[list(TARGET_COLUMNS)], not_rated, keys)


def group_scores(statements: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Unweighted mean of statement means per attribute, dimension, domain and framework.

    ``ci_low``/``ci_high`` (when `statements` has them) average the
    statements' 95% intervals: the interval the mean would have if its
    statements' errors were perfectly correlated, the widest they allow (the
    standard error of a mean of means is at most the mean of their standard
    errors; each statement keeps its own t quantile): conservative, so a
    claim that it excludes a value does not overstate the evidence. Blank
    when a statement with a mean has no interval.
    """
    pieces = []
    with_interval = {"ci_low", "ci_high"} <= set(statements.columns)
    positions = {item.id: item.position for item in instrument.items}
    frameworks = item_frameworks(instrument)
    for framework in instrument.frameworks:
        members = [c for c, fw in frameworks.items() if fw == framework.id]
        subset = statements[statements["item_id"].isin(members)]
        for grouping, levels in [*framework.groupings.items(), (FRAMEWORK, (framework.id,))]:
            if grouping == FRAMEWORK:
                level = pd.Series(framework.id, index=subset.index)
            else:
                level = subset["item_id"].map({c: p.get(grouping) for c, p in positions.items()})
            grouped = subset.groupby([subset["scope"], level], sort=False)
            means = grouped["mean"].mean()
            scopes = list(dict.fromkeys(statements["scope"]))
            index = pd.MultiIndex.from_product([scopes, list(levels)])
            piece = pd.DataFrame(
                {
                    "scope": index.get_level_values(0),
                    "grouping": grouping,
                    "group": index.get_level_values(1),
                    "mean": means.reindex(index).to_numpy(),
                }
            )
            if with_interval:
                complete = (grouped["ci_low"].count() == grouped["mean"].count()).reindex(index)
                for bound in ("ci_low", "ci_high"):
                    values = grouped[bound].mean().reindex(index)
                    piece[bound] = values.where(complete.fillna(False).astype(bool)).to_numpy()
            pieces.append(piece)
    table = pd.concat(pieces, ignore_index=True)
    order = {s: i for i, s in enumerate(dict.fromkeys(statements["scope"]))}
    return table.sort_values("scope", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def label_scores(instrument: Instrument, column: str) -> list[tuple[str, float]]:
    # `column` is an item id: every target of an item shares its scoring.
    """Each scale label with its score for this item after reverse scoring."""
    scale = instrument.scale
    reverse = instrument.item(column).reverse
    return [(label, scale.score(label, reverse=reverse)) for label, _ in scale.labels]


def label_distribution(
    long: pd.DataFrame,
    instrument: Instrument,
    keys: Sequence[str] = (),
    combos: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of valid answers choosing each label, per item (and per `keys`).

    `combos` lists the key values to report (default: those in `long`).
    ``base`` is the number of valid answers the percentage is taken of.
    """
    keys = list(keys)
    counts = long.groupby([*keys, "item_id", "score"], sort=False, observed=True).size()
    counts = _plain(counts.rename("n").reset_index())
    label_rows = [
        (column, label, score)
        for column in instrument.item_ids
        for label, score in label_scores(instrument, column)
    ]
    labels = pd.DataFrame(label_rows, columns=["item_id", "label", "score"])
    if keys:
        if combos is None:
            combos = long[keys].drop_duplicates()
        grid = combos[keys].merge(labels, how="cross")
    else:
        grid = labels
    table = grid.merge(counts, on=[*keys, "item_id", "score"], how="left")
    table["n"] = table["n"].fillna(0).astype(int)
    table["base"] = table.groupby([*keys, "item_id"], sort=False)["n"].transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["pct"] = np.where(table["base"] > 0, table["n"] / table["base"] * 100.0, np.nan)
    return table[[*keys, "item_id", "label", "score", "n", "pct", "base"]]


# ---------------------------------------------------------------------------
# Breakdowns by respondent group


def _groupings(instrument: Instrument, responses: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """Each breakdown question with the groups to report (without its `multiple` group
    when the question says `exclude_multiple`)."""
    out = []
    for question in instrument.questions_with("breakdown"):
        if question.id not in responses.columns:
            continue
        groups = list(question.reported_groups)
        seen = sorted(set(responses[question.id].dropna().astype(str)) - set(groups))
        groups += seen
        if question.exclude_multiple:
            groups = [g for g in groups if g != question.multiple]
        out.append((question.id, groups))
    return out


def _each_grouping(
    long: pd.DataFrame, responses: pd.DataFrame, groupings: Sequence[tuple[str, list[str]]]
) -> Iterator[tuple[str, list[str], pd.DataFrame]]:
    """Per respondent question: its reported groups, and the long table tagged with
    ``group`` and cut to them.

    One question at a time, so only one tagged copy of the long table is
    held at once (the national long table has millions of rows).
    """
    for grouping, groups in groupings:
        tagged = _attach(long, responses, group=grouping)
        yield grouping, groups, tagged[tagged["group"].isin(groups)]


def _order_by_grouping(table: pd.DataFrame, groupings: Sequence[tuple[str, list[str]]]):
    order = {grouping: i for i, (grouping, _) in enumerate(groupings)}
    return table.sort_values("grouping", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def _row_hashes(count: int) -> np.ndarray:
    """A fixed pseudo-random 40-bit number per respondent row.

    Summed over a cell's respondents, it tells (with overwhelming
    probability) whether two cells of different questions count exactly the
    same people; 40 bits keep a sum over millions of rows exact in int64.
    """
    return np.random.default_rng(0).integers(0, 2**40, size=count, dtype=np.int64)


def _alias_codes(frame: pd.DataFrame) -> np.ndarray:
    """One code per set of non-empty cells (of different groupings) with the same respondents."""
    key = pd.MultiIndex.from_frame(frame[["measure", "n", "signature"]].astype(object))
    codes, _ = pd.factorize(key)
    non_empty = frame["n"].fillna(0).to_numpy() > 0
    counts = np.bincount(codes[non_empty], minlength=int(codes.max()) + 1 if len(codes) else 0)
    linked = non_empty & (counts[codes] > 1)
    return np.where(linked, codes, -1)


def hide_breakdown_cells(
    cells: pd.DataFrame,
    totals: pd.Series,
    min_group_size: int,
    aliases: np.ndarray | None = None,
    packs: Mapping[str, tuple[pd.DataFrame, pd.Series]] | None = None,
) -> pd.DataFrame:
    """Which item cells of a breakdown to hide, and why (``suppressed``, ``suppression``).

    `cells` has ``grouping, group, measure, n`` (one row per group and
    statement); `totals` the scope's answers per statement (indexed by
    measure). The hidden groups of each question, with the answers no
    group shows (a question's `multiple` group when it is left out), must
    hold 0 or at least `min_group_size` answers (`relaudit.suppress`); cells with the same
    respondents in two questions are hidden together. For the national
    breakdown, `packs` (each system's published cells and totals) adds
    the check against the packs: a national cell is hidden where it, or
    the hidden cells together, minus what the packs show of the same
    people leaves 1 to `min_group_size - 1` answers.
    """
    sizes = cells["n"].to_numpy(dtype=float)
    small = np.nan_to_num(sizes, nan=0.0) < min_group_size
    keys = cells[["grouping", "measure"]]
    codes, _ = pd.factorize(pd.MultiIndex.from_frame(keys.astype(object)))
    first = pd.Series(range(len(cells))).groupby(codes).first()
    partition_totals = totals.reindex(cells["measure"].iloc[first.to_numpy()]).to_numpy(float)
    cell_sum = np.bincount(codes, weights=np.nan_to_num(sizes), minlength=len(first))
    remainder = np.clip(np.nan_to_num(partition_totals) - cell_sum, 0.0, None)
    hidden = secondary_hide(small, sizes, [(codes, remainder)], min_group_size, aliases)
    if packs is not None:
        national_totals = pd.Series(
            partition_totals, index=pd.MultiIndex.from_frame(keys.iloc[first.to_numpy()])
        )
        order = np.lexsort((np.arange(len(cells)), np.nan_to_num(sizes)))
        while True:
            view = cells.assign(suppressed=hidden)
            rem = cross_scope_remainders(view, national_totals, packs)
            bad = rem[exposed(rem["remainder"].to_numpy(), min_group_size)]
            if bad.empty:
                break
            extra = hidden.copy()
            for _, row in bad.iterrows():
                in_key = (cells["grouping"] == row["grouping"]).to_numpy() & (
                    cells["measure"] == row["measure"]
                ).to_numpy()
                if row["kind"] == "group":
                    extra |= in_key & (cells["group"] == row["group"]).to_numpy()
                else:
                    candidates = [c for c in order if in_key[c] and not extra[c] and sizes[c] > 0]
                    if candidates:
                        extra[candidates[0]] = True
            if (extra == hidden).all():
                break
            hidden = secondary_hide(extra, sizes, [(codes, remainder)], min_group_size, aliases)
    reason = np.where(small, SMALL, np.where(hidden, SECONDARY, ""))
    return pd.DataFrame({SUPPRESSED: hidden, REASON: reason}, index=cells.index)


def breakdown_scores(
    responses: pd.DataFrame,
    long: pd.DataFrame,
    instrument: Instrument,
    min_group_size: int,
    packs: Mapping[str, tuple[pd.DataFrame, pd.Series]] | None = None,
) -> pd.DataFrame:
    """Mean, pct_positive and sd per respondent group, for every item and framework.

    ``sd`` (the last column, so the published columns before it keep their
    places) is the sample SD of a statement cell's ratings, for the Welch
    interval of a gap between groups (relaudit.findings); a framework cell has
    none.

    Which item cells are hidden is `hide_breakdown_cells`. A framework cell
    is the unweighted mean of its item cells, so it is hidden when any of
    them is (otherwise a hidden item mean could be recovered); its ``n`` is
    the number of group members who answered any of its items. `packs` is
    for the national breakdown (see `hide_breakdown_cells`).
    """
    columns = [
        *("grouping", "group", "measure", "n", "mean", "pct_positive", SUPPRESSED, REASON),
        "sd",
    ]
    groupings = _groupings(instrument, responses)
    if not groupings:
        return pd.DataFrame(columns=columns)
    frameworks = item_frameworks(instrument)
    keys = ["grouping", "group", "measure"]
    hashes = _row_hashes(len(responses))
    item_stats, answered_parts, signatures = [], [], []
    for grouping, _groups, tagged in _each_grouping(long, responses, groupings):
        stats = summarise(tagged, ["group", "item_id"], instrument.scale.positive_threshold)
        raters = _one_per_rater(tagged, instrument)
        if raters is not tagged:
            sizes = raters.groupby(["group", "item_id"], sort=False, observed=True).size()
            stats = stats.merge(
                _plain(sizes.rename("raters").reset_index()), on=["group", "item_id"], how="left"
            )
        item_stats.append(stats.rename(columns={"item_id": "measure"}).assign(grouping=grouping))
        signature = pd.Series(hashes[raters["row"].to_numpy()], index=raters.index)
        sig = signature.groupby([raters["group"], raters["item_id"]], sort=False, observed=True)
        signatures.append(
            _plain(sig.sum().rename("signature").reset_index())
            .rename(columns={"item_id": "measure"})
            .assign(grouping=grouping)
        )
        by_framework = [tagged["group"], tagged["item_id"].map(frameworks).rename("measure")]
        answered = tagged["row"].groupby(by_framework, sort=False, observed=True).nunique()
        answered_parts.append(_plain(answered.rename("n").reset_index()).assign(grouping=grouping))
    stats = pd.concat(item_stats, ignore_index=True)
    grid = pd.DataFrame(
        [(q, g, c) for q, groups in groupings for c in instrument.item_ids for g in groups],
        columns=keys,
    )
    raw = grid.merge(stats, on=keys, how="left").merge(
        pd.concat(signatures, ignore_index=True), on=keys, how="left"
    )
    raw["n"] = raw["n"].fillna(0)
    # Cells are hidden by the people in them: with several targets a
    # respondent gives several ratings of one statement.
    people = raw.assign(n=raw["raters"].fillna(0)) if "raters" in raw.columns else raw
    totals = _one_per_rater(long, instrument).groupby("item_id", observed=True).size()
    totals.index = totals.index.astype(str)
    flags = hide_breakdown_cells(people, totals, min_group_size, _alias_codes(people), packs)
    items = blank(
        raw[["grouping", "group", "measure", "n", "mean", "pct_positive", "sd"]],
        flags[SUPPRESSED].to_numpy(),
        keys,
    )
    items[SUPPRESSED] = flags[SUPPRESSED].to_numpy()
    items[REASON] = flags[REASON].to_numpy()
    fw_keys = [raw["grouping"], raw["group"], raw["measure"].map(frameworks)]
    fw_stats = raw[["mean", "pct_positive"]].groupby(fw_keys, sort=False).mean()
    hidden = items[SUPPRESSED].groupby(fw_keys, sort=False).any()
    answered = pd.concat(answered_parts, ignore_index=True).set_index(keys)["n"]
    fw_grid = pd.DataFrame(
        [(q, g, f.id) for q, groups in groupings for f in instrument.frameworks for g in groups],
        columns=keys,
    )
    fw_table = fw_grid.join(fw_stats, on=keys).join(answered, on=keys).join(hidden, on=keys)
    fw_table["n"] = fw_table["n"].fillna(0)
    # A framework cell averages statement means: it has no sd of its own.
    fw_table["sd"] = np.nan
    fw_hidden = fw_table[SUPPRESSED].astype("boolean").fillna(True).astype(bool).to_numpy()
    fw_small = fw_table["n"].to_numpy(dtype=float) < min_group_size
    fw_table = blank(fw_table, fw_hidden | fw_small, keys)
    fw_table[SUPPRESSED] = fw_hidden | fw_small
    fw_table[REASON] = np.where(fw_small, SMALL, np.where(fw_hidden, SECONDARY, ""))
    return _order_by_grouping(pd.concat([items, fw_table], ignore_index=True)[columns], groupings)


def breakdown_labels(
    responses: pd.DataFrame,
    long: pd.DataFrame,
    instrument: Instrument,
    breakdown: pd.DataFrame,
) -> pd.DataFrame:
    """Label shares per respondent group and item, hidden exactly where `breakdown` hides
    the same cell (the counts add up to its n, so they must share its rule)."""
    columns = [
        "grouping", "group", "item_id", "label", "score", "n", "pct", SUPPRESSED, REASON, "base",
    ]  # fmt: skip
    groupings = _groupings(instrument, responses)
    if not groupings:
        return pd.DataFrame(columns=columns)
    pieces = []
    for grouping, groups, tagged in _each_grouping(long, responses, groupings):
        combos = pd.DataFrame({"group": groups})
        piece = label_distribution(tagged, instrument, keys=["group"], combos=combos)
        pieces.append(piece.assign(grouping=grouping))
    table = pd.concat(pieces, ignore_index=True)
    flags = breakdown.rename(columns={"measure": "item_id"}).set_index(
        ["grouping", "group", "item_id"]
    )[[SUPPRESSED, REASON]]
    joined = table.join(flags, on=["grouping", "group", "item_id"])
    mask = joined[SUPPRESSED].astype("boolean").fillna(True).astype(bool).to_numpy()
    table = blank(table, mask, ["grouping", "group", "item_id", "label", "score"])
    table[SUPPRESSED] = mask
    table[REASON] = np.where(mask, joined[REASON].fillna(SMALL).replace("", SMALL), "")
    return table[columns]


def profile(responses: pd.DataFrame, instrument: Instrument, min_group_size: int) -> pd.DataFrame:
    """How many respondents fall in each group of each profile question."""
    pieces = []
    total = len(responses)
    for question in instrument.questions_with("profile"):
        if question.id not in responses.columns:
            continue
        groups = list(question.reported_groups)
        groups += sorted(set(responses[question.id].dropna().astype(str)) - set(groups))
        counts = responses[question.id].astype(str).value_counts().reindex(groups, fill_value=0)
        table = pd.DataFrame(
            {
                "question": question.id,
                "group": groups,
                "n": counts.to_numpy(),
                "pct": counts.to_numpy() / total * 100.0 if total else np.nan,
            }
        )
        pieces.append(
            suppress(table, min_group_size, keys=["question", "group"], within=["question"])
        )
    columns = ["question", "group", "n", "pct", SUPPRESSED, REASON]
    if not pieces:
        return pd.DataFrame(columns=columns)
    return pd.concat(pieces, ignore_index=True)[columns]


# ---------------------------------------------------------------------------
# Comparator


def welch_interval(
    mean1: np.ndarray,
    sd1: np.ndarray,
    n1: np.ndarray,
    mean2: np.ndarray,
    sd2: np.ndarray,
    n2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Difference of means (1 - 2), its 95% Welch interval and Welch-Satterthwaite df."""
    mean1, sd1, n1, mean2, sd2, n2 = (
        np.asarray(a, dtype=float) for a in (mean1, sd1, n1, mean2, sd2, n2)
    )
    diff = mean1 - mean2
    with np.errstate(invalid="ignore", divide="ignore"):
        v1, v2 = sd1**2 / n1, sd2**2 / n2
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    usable = (n1 >= 2) & (n2 >= 2)
    df = np.where(usable & (se > 0), df, np.nan)
    half = np.where(se > 0, _t_critical(df) * se, 0.0)
    half = np.where(usable, half, np.nan)
    return diff, diff - half, diff + half, df


DAILY_SUM_COLUMNS = ["system_id", "day", "responses", "item_id", "n", "total", "squares"]


def daily_sums(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """A system's comparator contribution: sums of its ratings per submission day.

    One row per (system, day, item): the day's responses, and the count, sum
    and sum of squares of the item's valid ratings (over every target of a
    per-target instrument, as the statement tables pool them). These are sufficient for
    the comparator's n, mean and sd over any set of days and systems, so a
    system's comparator reads these small tables instead of every other
    system's responses (which made the build grow with the square of the
    number of systems). Rows without a submission time are in no day, as
    they are in no comparator.
    """
    if not len(responses):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DAILY_SUM_COLUMNS})
    days = pd.to_datetime(responses["submitted_at"]).dt.floor("D")
    keys = [responses["system_id"].astype(str).rename("system_id"), days.rename("day")]
    by_item = _columns_by_item(instrument)
    _columns_of(responses, [c for cs in by_item.values() for c in cs], "rating")
    parts: dict[str, dict[str, pd.Series]] = {"n": {}, "total": {}, "squares": {}}
    for item_id, columns in by_item.items():
        values = responses[columns].apply(pd.to_numeric, errors="coerce")
        parts["n"][item_id] = values.notna().sum(axis=1)
        parts["total"][item_id] = values.sum(axis=1)
        parts["squares"][item_id] = (values * values).sum(axis=1)
    stacked = pd.DataFrame(
        {
            name: pd.DataFrame(part).groupby(keys, sort=True).sum().stack()
            for name, part in parts.items()
        }
    )
    stacked.index = stacked.index.set_names(["system_id", "day", "item_id"])
    per_day = responses.groupby(keys, sort=True).size().rename("responses").reset_index()
    out = stacked.reset_index().merge(per_day, on=["system_id", "day"], how="left")
    out["n"] = out["n"].astype(int)
    out["responses"] = out["responses"].astype(int)
    return out[DAILY_SUM_COLUMNS]


def _pool_statistics(pool: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """n, mean and sd per item from daily sums (the same formula as `summarise`)."""
    sums = pool.groupby("item_id", sort=False)[["n", "total", "squares"]].sum().reindex(columns)
    n = sums["n"].fillna(0).to_numpy(dtype=float)
    total = sums["total"].fillna(0).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
    variance = sample_variance(n, total, sums["squares"].fillna(0).to_numpy(dtype=float))
    return pd.DataFrame({"n": n, "mean": mean, "sd": np.sqrt(variance)}, index=list(columns))


def _comparable_rows(
    sums: pd.DataFrame, instrument: Instrument, versions: Mapping[str, str], version: str
) -> np.ndarray:
    """Rows of daily sums whose system's version can be compared with `version` on their
    statement (`relaudit.comparison.comparable`)."""
    if not len(sums):
        return np.zeros(0, dtype=bool)
    pairs = pd.DataFrame(
        {"system_id": sums["system_id"].astype(str), "item_id": sums["item_id"].astype(str)}
    )
    systems = sorted(pairs["system_id"].unique())
    mask = version_mask(instrument, systems, versions, version)
    s = pd.Index(systems).get_indexer(pairs["system_id"])
    i = pd.Index(instrument.item_ids).get_indexer(pairs["item_id"])
    ok = i >= 0
    out = np.zeros(len(sums), dtype=bool)
    out[ok] = mask[s[ok], i[ok]]
    return out


def comparator(
    own: pd.DataFrame,
    other_sums: pd.DataFrame,
    instrument: Instrument,
    cutoff_day: dt.date,
    has_comparator: bool = True,
    deadlines: Mapping[str, dt.date] | None = None,
    min_group_size: int = 0,
    versions: Mapping[str, str] | None = None,
    version: str | None = None,
    flag_rule: str = DEFAULT_FLAG_RULE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The system's statement means against every other system's responses to the cutoff.

    `own` are the system's on-time responses; `other_sums` the `daily_sums`
    of the other systems that could be in the comparator, stacked together.
    Their responses submitted by the end of `cutoff_day` (late or not) form
    it, less what `relaudit.pools.PoolGrid.keep` keeps out (given every
    system's `deadlines`). With every system's questionnaire `versions` and
    this system's `version`, a statement is compared only with the systems
    whose version words it comparably (`relaudit.comparison.comparable`):
    when none of them answered it by the cutoff but others did, its flag is
    ``not_comparable``. Flags follow `flag_rule`
    (`relaudit.comparison.flag_differences`). Returns (comparator, summary).
    """
    columns = instrument.item_ids
    versioned = versions is not None and version is not None
    excluded = pd.Series(0.0, index=list(columns))
    if has_comparator and len(other_sums):
        days = pd.to_datetime(other_sums["day"])
        pool = other_sums[by_end_of(days, cutoff_day)]
        if versioned:
            ok = _comparable_rows(pool, instrument, versions, version)  # type: ignore[arg-type]
            excluded = (
                pool[~ok].groupby(pool.loc[~ok, "item_id"].astype(str))["n"].sum()
                .reindex(columns).fillna(0.0)
            )  # fmt: skip
        if deadlines is not None:
            grid = PoolGrid(pool, columns, deadlines)
            mask = version_mask(instrument, grid.systems, versions, version) if versioned else None
            pool = grid.select(pool, grid.keep(cutoff_day, "", min_group_size, mask))
        elif versioned:
            pool = pool[ok]
    else:
        pool = other_sums.iloc[0:0]
    pool_days = pool.drop_duplicates(["system_id", "day"])
    pool_responses = int(pool_days["responses"].sum())
    own_stats = summarise(
        to_long(own, instrument), ["item_id"], instrument.scale.positive_threshold
    )
    own_stats = own_stats.set_index("item_id").reindex(columns)
    pool_stats = _pool_statistics(pool, columns)
    table = pd.DataFrame(
        {
            "item_id": columns,
            "n": own_stats["n"].fillna(0).to_numpy(),
            "mean": own_stats["mean"].to_numpy(),
            "comparator_n": pool_stats["n"].to_numpy(),
            "comparator_mean": pool_stats["mean"].to_numpy(),
        }
    )
    diff, low, high, df = welch_interval(
        own_stats["mean"], own_stats["sd"], own_stats["n"],
        pool_stats["mean"], pool_stats["sd"], pool_stats["n"],
    )  # fmt: skip
    table["diff"], table["diff_ci_low"], table["diff_ci_high"], table["df"] = diff, low, high, df
    flag = flag_differences(low, high, flag_rule)
    # Other systems answered the statement, but none in a comparable wording.
    reworded = (pool_stats["n"].to_numpy() == 0) & (excluded.to_numpy(dtype=float) > 0)
    table["flag"] = np.where(reworded, NOT_COMPARABLE, flag)
    table = table[[c for c in table.columns if c != "df"] + ["df"]]
    if not pool_responses:
        table[["comparator_mean", "diff", "diff_ci_low", "diff_ci_high", "df"]] = np.nan
        table["flag"] = NO_COMPARATOR
    systems = sorted(pool_days.loc[pool_days["responses"] > 0, "system_id"].astype(str).unique())
    if not has_comparator:
        note = "first system in review order: no earlier systems to compare with"
    elif not pool_responses:
        note = "no responses from other systems by the cutoff"
    else:
        note = ""
    summary = pd.DataFrame(
        {
            "systems": [";".join(systems)],
            "n_systems": [len(systems)],
            "responses": [pool_responses],
            "cutoff": [cutoff_text(cutoff_day)],
            "note": [note],
        }
    )
    return table, summary


# ---------------------------------------------------------------------------
# National consistency and response summary


def consistency(statements: pd.DataFrame, top_n: int = TOP_N) -> pd.DataFrame:
    """Per statement: in how many systems it is top-n, bottom-n, and worst of its framework.

    `statements` is the national statement table restricted to system scopes
    that are shown (not suppressed). Ranks use the "min" method both ways.
    """
    table = statements.copy()
    by_scope = [table["scope"]]
    table["top"] = min_rank(table["mean"], by_scope, ascending=False) <= top_n
    table["bottom"] = min_rank(table["mean"], by_scope, ascending=True) <= top_n
    lowest = table.groupby(["scope", FRAMEWORK], sort=False)["mean"].transform("min")
    table["worst"] = table["mean"].notna() & (table["mean"] == lowest)
    table["has_mean"] = table["mean"].notna()
    out = table.groupby(["item_id", FRAMEWORK], sort=False).agg(
        systems=("has_mean", "sum"),
        top5=("top", "sum"),
        bottom5=("bottom", "sum"),
        worst_in_framework=("worst", "sum"),
    )
    return out.reset_index()


def pool_consistency(
    other_sums: pd.DataFrame,
    instrument: Instrument,
    cutoff_day: dt.date,
    has_comparator: bool,
    deadlines: Mapping[str, dt.date] | None,
    min_group_size: int,
    versions: Mapping[str, str] | None = None,
    own_version: str | None = None,
) -> pd.DataFrame:
    """`consistency` over a pack's comparator pool at its cutoff (`relaudit.patterns`).

    One row per statement; every count is 0 when there is no comparator.
    With `versions` (every system's questionnaire version) and the pack's
    `own_version`, a statement counts only the systems whose version words
    it comparably with the pack's (`relaudit.comparison.comparable`).
    """
    frameworks = item_frameworks(instrument)
    pool = other_sums.iloc[0:0]
    if has_comparator:
        pool = patterns.pool_sums(
            other_sums, instrument.item_ids, cutoff_day, deadlines, min_group_size
        )
    statements = patterns.pool_statements(
        pool, frameworks, min_group_size, max(len(instrument.targets), 1)
    )
    counts = ["systems", "top5", "bottom5", "worst_in_framework"]
    table = pd.DataFrame({"item_id": instrument.item_ids}).assign(
        **{FRAMEWORK: lambda t: t["item_id"].map(frameworks)}
    )
    if len(statements):
        if versions is None or own_version is None:
            found = consistency(statements).drop(columns=FRAMEWORK)
        else:
            version = statements["scope"].map(versions).fillna(own_version)
            parts = []
            for their_version, part in statements.groupby(version, sort=True):
                ranked = consistency(part).drop(columns=FRAMEWORK)
                other_words = ~ranked["item_id"].map(
                    lambda item_id, theirs=str(their_version): comparable(
                        instrument, item_id, theirs, own_version
                    )
                )
                ranked.loc[other_words, counts] = 0
                parts.append(ranked)
            found = pd.concat(parts).groupby("item_id", sort=False)[counts].sum().reset_index()
        table = table.merge(found, on="item_id", how="left")
    for column in counts:
        values = table[column] if column in table.columns else pd.Series(0, index=table.index)
        table[column] = values.fillna(0).astype(int)
    return table[["item_id", FRAMEWORK, *counts]]


def response_summary(responses: pd.DataFrame, systems: Iterable[System]) -> pd.DataFrame:
    """Responses, free text, on-time and late counts per system in the sheet (0 without data)."""
    ids = responses["system_id"].astype(str)
    late = responses["late"].astype(bool)
    counts = pd.DataFrame(
        {
            "responses": ids.value_counts(),
            "free_text": responses["has_comment"].astype(bool).groupby(ids).sum(),
            "on_time": (~late).groupby(ids).sum(),
            "late": late.groupby(ids).sum(),
        }
    )
    rows = []
    for system in systems:
        got = counts.loc[system.system_id] if system.system_id in counts.index else None
        rows.append(
            {
                "system_id": system.system_id,
                "name": system.name,
                "review_order": system.review_order,
                "questionnaire_version": system.questionnaire_version,
                "sent_to": system.sent_to if system.sent_to is not None else np.nan,
                **{
                    key: int(got[key]) if got is not None else 0
                    for key in ("responses", "free_text", "on_time", "late")
                },
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Whole stages


def _scoped_statements(
    responses: pd.DataFrame, long: pd.DataFrame, instrument: Instrument, scopes: Sequence[str],
    scope_column: str, min_group_size: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Statement and group tables per scope.

    A statement is hidden when its scope has fewer than `min_group_size`
    respondents or it has fewer than `min_group_size` answers; an attribute,
    dimension or domain mean is hidden with any statement it averages that
    has answers (else that statement's mean could be worked back out).
    """
    tagged = _attach(long, responses, scope=scope_column)
    not_rated = not_rated_long(responses, instrument)
    if not_rated is not None:
        not_rated = _attach(not_rated, responses, scope=scope_column)
    statements = statement_scores(tagged, instrument, scopes, not_rated)
    groups = group_scores(statements, instrument)
    sizes = responses[scope_column].astype(str).value_counts()
    scope_sizes = statements["scope"].map(sizes).fillna(0)
    answered = statements["n"].to_numpy(dtype=float)
    statements = suppress(
        statements, min_group_size, keys=["scope", "item_id", FRAMEWORK],
        size=pd.Series(np.minimum(scope_sizes.to_numpy(dtype=float),
                                  _raters(tagged, statements, ["scope", "item_id"], instrument))),
    )  # fmt: skip
    # The same averaging with 1 for a hidden statement that has answers: a
    # group whose "mean" is above 0 averages at least one of them.
    risky = statements.assign(mean=(statements[SUPPRESSED] & (answered > 0)).astype(float))
    averages_hidden = group_scores(risky, instrument)["mean"].fillna(0).to_numpy() > 0
    groups[SUPPRESSED] = averages_hidden
    groups[REASON] = np.where(averages_hidden, SECONDARY, "")
    groups = suppress(
        groups, min_group_size, keys=["scope", "grouping", "group"],
        size=groups["scope"].map(sizes).fillna(0),
    )  # fmt: skip
    return statements, groups


def _one_per_rater(long: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The long table with one row per respondent and item (itself when rated per
    respondent): who a statement's cells count, whatever the targets."""
    if not instrument.targets:
        return long
    return long.drop_duplicates(["row", "item_id"])


def _raters(
    long: pd.DataFrame, table: pd.DataFrame, keys: Sequence[str], instrument: Instrument
) -> np.ndarray:
    """Respondents who gave a rating in each row of `table` (its ``n`` unless several
    targets pool their ratings)."""
    if not instrument.targets:
        return table["n"].to_numpy(dtype=float)
    counts = _plain(
        long.groupby(list(keys), sort=False, observed=True)["row"].nunique().reset_index()
    )
    merged = table[list(keys)].merge(counts, on=list(keys), how="left")
    return merged["row"].fillna(0).to_numpy(dtype=float)


def scoped_targets(
    responses: pd.DataFrame, long: pd.DataFrame, instrument: Instrument, min_group_size: int
) -> pd.DataFrame:
    """A per-target instrument's (item, target) table for one scope, hidden like
    statements: fewer than `min_group_size` respondents, or ratings."""
    not_rated = not_rated_long(responses, instrument)
    table = target_scores(long, instrument, None, not_rated).drop(columns="scope")
    size = np.minimum(float(len(responses)), table["n"].to_numpy(dtype=float))
    return suppress(
        table, min_group_size, keys=["item_id", TARGET, FRAMEWORK], size=pd.Series(size)
    )


# The smallest group a key message may compare (config key_message_min_group).
DEFAULT_KEY_MESSAGE_MIN_GROUP = 10
# A gap between the highest and lowest shown group on a statement (`group_gaps`).
KEY_GAP_COLUMNS = [
    *("grouping", "measure", "high_group", "high_mean", "high_sd", "high_n"),
    *("low_group", "low_mean", "low_sd", "low_n", "gap", "gap_ci_low", "gap_ci_high"),
]


def group_gaps(
    breakdown: pd.DataFrame,
    min_group: int,
    exclude_groups: Sequence[str],
) -> pd.DataFrame:
    """Every gap a key message could state, with whether the evidence supports it.

    For each grouping and statement, the highest and the lowest shown group
    among those with at least `min_group` respondents (derived groups left
    out; ties by group name, as in `group_gaps`) give one gap, checked with
    the comparator's 95% Welch interval (:func:`welch_interval`).
    A gap is kept when that interval excludes zero, also once rounded to
    the two decimals a document prints. Only cells with an
    ``sd`` (statements, not framework means) can be checked. Sorted by the
    interval's lower end, the gap most clearly above zero first (ties:
    grouping, measure); ``supported`` marks the kept gaps, and the table's
    length is how many were checked, so a message can say of how many
    comparisons its gaps are the survivors. The pack prints these numbers,
    so they are a published table (``group_gaps``), not worked out in the
    document.
    """
    empty = pd.DataFrame(columns=[*KEY_GAP_COLUMNS, "supported"])
    if "sd" not in breakdown.columns or breakdown.empty:
        return empty
    frame = breakdown[
        breakdown["mean"].notna()
        & breakdown["sd"].notna()
        & ~breakdown["suppressed"].astype(bool)
        & (pd.to_numeric(breakdown["n"], errors="coerce").fillna(0) >= min_group)
        & ~breakdown["group"].isin(list(exclude_groups))
    ]
    keys = ["grouping", "measure"]
    ordered = frame.sort_values(
        [*keys, "mean", "group"], ascending=[True, True, False, True], kind="mergesort"
    )
    ordered = ordered[ordered.groupby(keys, sort=False)["mean"].transform("size") >= 2]
    if ordered.empty:
        return empty
    high = ordered.groupby(keys, sort=False).head(1).reset_index(drop=True)
    low = ordered.groupby(keys, sort=False).tail(1).reset_index(drop=True)
    gap, ci_low, ci_high, _ = welch_interval(
        high["mean"], high["sd"], high["n"], low["mean"], low["sd"], low["n"]
    )
    table = pd.DataFrame(
        {
            "grouping": high["grouping"].tolist(),
            "measure": high["measure"].tolist(),
            "high_group": high["group"].tolist(),
            "high_mean": high["mean"].astype(float).tolist(),
            "high_sd": high["sd"].astype(float).tolist(),
            "high_n": high["n"].astype(int).tolist(),
            "low_group": low["group"].tolist(),
            "low_mean": low["mean"].astype(float).tolist(),
            "low_sd": low["sd"].astype(float).tolist(),
            "low_n": low["n"].astype(int).tolist(),
            "gap": gap,
            "gap_ci_low": ci_low,
            "gap_ci_high": ci_high,
        },
        columns=KEY_GAP_COLUMNS,
    )
    # Clear of zero as printed, too: a lower end that rounds to 0.00 would read as touching it.
    table["supported"] = table["gap_ci_low"].round(2) > 0
    table = table.sort_values(
        ["supported", "gap_ci_low", "grouping", "measure"],
        ascending=[False, False, True, True],
        kind="mergesort",
    )
    return table.reset_index(drop=True)


def score_system(
    responses: pd.DataFrame,
    others: pd.DataFrame,
    instrument: Instrument,
    *,
    deadline: dt.date,
    min_group_size: int,
    has_comparator: bool = True,
    deadlines: Mapping[str, dt.date] | None = None,
    without_comparator: Sequence[str] = (),
    versions: Mapping[str, str] | None = None,
    flag_rule: str = DEFAULT_FLAG_RULE,
    key_message_min_group: int = DEFAULT_KEY_MESSAGE_MIN_GROUP,
) -> dict[str, pd.DataFrame]:
    """Every per-system table, from the system's on-time responses.

    `others` are the other systems' `daily_sums` that could be in the
    comparator, stacked together; `deadlines` every system's deadline (for
    `relaudit.pools`); `versions` every system's questionnaire version (a
    reworded statement is compared only with systems of a comparable
    wording, see `comparator`, and `pool_consistency` counts only those).
    """
    own = responses[~responses["late"].astype(bool)].reset_index(drop=True)
    long = to_long(own, instrument)
    total = len(own)
    scope = own.assign(_scope="system")
    statements, groups = _scoped_statements(
        scope, long, instrument, ["system"], "_scope", min_group_size
    )
    labels = label_distribution(long, instrument)
    labels = suppress(labels, min_group_size, keys=["item_id", "label", "score"], size=total)
    system_id = str(responses["system_id"].iloc[0]) if len(responses) else ""
    version = versions.get(system_id) if versions is not None else None
    comp, comp_summary = comparator(
        own, others, instrument, deadline, has_comparator, deadlines, min_group_size,
        versions, version, flag_rule,
    )  # fmt: skip
    # Each row shows the pack's own answers and the pool's: both must be k or more.
    pool_size = comp_summary["responses"].iloc[0]
    own_raters = comp["n"].to_numpy(dtype=float)
    if instrument.targets:  # the people behind a statement's pooled ratings
        counts = _one_per_rater(long, instrument).groupby("item_id", observed=True).size()
        counts.index = counts.index.astype(str)
        own_raters = comp["item_id"].map(counts).fillna(0).to_numpy(dtype=float)
    comp_size = np.minimum(own_raters, total)
    if pool_size:
        # A statement no comparable system answered shows the pack's own numbers only.
        pooled = np.where(
            comp["flag"].to_numpy() == NOT_COMPARABLE,
            np.inf,
            comp["comparator_n"].to_numpy(dtype=float),
        )
        comp_size = np.minimum(comp_size, pooled)
        if deadlines is not None and len(responses):
            grid = PoolGrid(
                concat_daily_sums([others, daily_sums(responses, instrument)]),
                instrument.item_ids,
                deadlines,
            )
            hide = grid.hidden_by_earlier_pools(
                system_id, deadlines, without_comparator, min_group_size, versions, instrument
            )
            hide_by_item = dict(zip(instrument.item_ids, hide, strict=True))
            comp_size = np.where(comp["item_id"].map(hide_by_item).to_numpy(bool), 0.0, comp_size)
    comp = suppress(comp, min_group_size, keys=["item_id"], size=pd.Series(comp_size))
    breakdown = breakdown_scores(own, long, instrument, min_group_size)
    tables = {
        "statement_scores": statements.drop(columns="scope"),
        "group_scores": groups.drop(columns="scope"),
        "label_distribution": labels.drop(columns="base"),
        "comparator": comp,
        "comparator_summary": comp_summary,
        "breakdown_scores": breakdown,
        "group_gaps": group_gaps(breakdown, key_message_min_group, instrument.derived_groups()),
        "profile": profile(own, instrument, min_group_size),
        "pool_consistency": pool_consistency(
            others,
            instrument,
            deadline,
            has_comparator,
            deadlines,
            min_group_size,
            versions,
            _own_version(responses, versions),
        ),
    }
    if instrument.targets:
        tables["target_scores"] = scoped_targets(own, long, instrument, min_group_size)
    return tables


def _own_version(responses: pd.DataFrame, versions: Mapping[str, str] | None) -> str | None:
    """The system's questionnaire version, from `versions` (None without them)."""
    if versions is None or not len(responses):
        return None
    return versions.get(str(responses["system_id"].iloc[0]))


SCOPE_BASIS_COLUMNS = [
    "system_id", "responses", "late", "scope_basis", "scope_responses", "answers_left_out",
]  # fmt: skip
ALL_KEPT = "all kept responses"
ON_TIME_ONLY = "on-time responses only"


def national_scopes(
    kept: pd.DataFrame, instrument: Instrument, system_ids: Sequence[str], min_group_size: int
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """Which kept responses and answers each national table counts (``docs/disclosure.md``).

    - A system's scope holds its on-time responses only when, for some
      statement, its late answers number 1 to `min_group_size - 1`: its
      pack shows the on-time ones, and the difference would expose them.
    - For each statement, the answers that no shown system scope holds
      (those late ones, and systems or statements too small to show) count
      in the national scope only when they are 0 or at least
      `min_group_size`: otherwise the national scope minus the systems
      would give them away.

    Returns the mask of rows in their system's scope, the national table
    (`kept` with those left-out answers blanked) and each system's basis.
    """
    by_item = _columns_by_item(instrument)
    _columns_of(kept, [c for cs in by_item.values() for c in cs], "rating")
    ratings = pd.DataFrame(
        {item_id: kept[cs].notna().sum(axis=1) for item_id, cs in by_item.items()},
        index=kept.index,
    )
    answered = ratings > 0
    ids = kept["system_id"].astype(str)
    late = kept["late"].astype(bool)
    late_answers = answered[late].groupby(ids[late]).sum()
    small_late = late_answers.apply(
        lambda row: bool(exposed(row.to_numpy(), min_group_size).any()), axis=1
    )
    on_time_only = set(small_late[small_late].index)
    in_scope = ~(late & ids.isin(on_time_only))
    scope_size = in_scope.groupby(ids).sum()
    scope_answers = answered[in_scope].groupby(ids[in_scope]).sum()
    # A statement of a system scope is shown when the scope and its answers reach k.
    shown = (scope_answers >= min_group_size) & scope_size.reindex(scope_answers.index).ge(
        min_group_size
    ).to_numpy()[:, None]
    shown_rows = shown.reindex(ids.to_numpy()).fillna(False).to_numpy(dtype=bool)
    outside = answered.to_numpy() & ~(shown_rows & in_scope.to_numpy()[:, None])
    left_out = outside & exposed(outside.sum(axis=0), min_group_size)[None, :]
    national = kept.copy()
    for index, columns in enumerate(by_item.values()):
        if left_out[:, index].any():
            national.loc[left_out[:, index], columns] = np.nan
    ratings_left_out = ratings.to_numpy() * left_out
    rows = []
    for sid in system_ids:
        mine = (ids == sid).to_numpy()
        rows.append(
            {
                "system_id": sid,
                "responses": int(mine.sum()),
                "late": int((mine & late.to_numpy()).sum()),
                "scope_basis": ON_TIME_ONLY if sid in on_time_only else ALL_KEPT,
                "scope_responses": int((mine & in_scope.to_numpy()).sum()),
                "answers_left_out": int(ratings_left_out[mine].sum()),
            }
        )
    return in_scope, national, pd.DataFrame(rows, columns=SCOPE_BASIS_COLUMNS)


def score_national(
    responses: pd.DataFrame,
    systems: Sequence[System],
    instrument: Instrument,
    *,
    census_date: dt.date,
    min_group_size: int,
    packs: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every national table, from the kept responses submitted by the census date.

    Which responses each scope counts is `national_scopes`. `packs` maps a
    system to its published pack tables (statement_scores, breakdown_scores):
    national breakdown cells that, less the packs, would leave a small
    group are hidden too (`hide_breakdown_cells`).
    """
    systems = sorted(systems, key=lambda s: s.review_order)
    kept = responses[by_end_of(responses["submitted_at"], census_date)].reset_index(drop=True)
    with_data = set(kept["system_id"].astype(str))
    system_ids = [s.system_id for s in systems if s.system_id in with_data]
    in_scope, national, basis = national_scopes(kept, instrument, system_ids, min_group_size)
    scoped = kept[in_scope.to_numpy()].reset_index(drop=True)
    long = to_long(national, instrument)
    nat_statements, nat_groups = _scoped_statements(
        national.assign(_scope="national"), long, instrument, ["national"], "_scope",
        min_group_size,
    )  # fmt: skip
    sys_statements, sys_groups = _scoped_statements(
        scoped.assign(_scope=scoped["system_id"].astype(str)), to_long(scoped, instrument),
        instrument, system_ids, "_scope", min_group_size,
    )  # fmt: skip
    statements = pd.concat([nat_statements, sys_statements], ignore_index=True)
    groups = pd.concat([nat_groups, sys_groups], ignore_index=True)
    labels = label_distribution(long, instrument)
    labels = suppress(
        labels, min_group_size, keys=["item_id", "label", "score"], size=len(national)
    )
    shown_statements = sys_statements[~sys_statements[SUPPRESSED]]
    pack_cells = None
    if packs is not None:
        pack_cells = {
            sid: (cells, statement_totals(statements_table))
            for sid, (statements_table, cells) in packs.items()
        }
    breakdown = breakdown_scores(national, long, instrument, min_group_size, pack_cells)
    return {
        "statement_scores": statements,
        "group_scores": groups,
        "response_summary": response_summary(kept, systems),
        "label_distribution": labels.drop(columns="base"),
        "breakdown_scores": breakdown,
        "breakdown_labels": breakdown_labels(national, long, instrument, breakdown),
        "consistency": consistency(shown_statements),
        "profile": profile(national, instrument, min_group_size),
        "scope_basis": basis,
    }


def concat_responses(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack clean per-system tables (an empty list gives an empty table)."""
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame(
            {"system_id": pd.Series(dtype=str), "submitted_at": pd.Series(dtype="datetime64[ns]")}
        )
    return pd.concat(frames, ignore_index=True)


def concat_daily_sums(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack systems' `daily_sums` tables (an empty list gives an empty table)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DAILY_SUM_COLUMNS})
    return pd.concat(frames, ignore_index=True)
