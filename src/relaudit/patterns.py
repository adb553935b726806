"""National patterns a pack can see at its own deadline.

A statement that is low (or high) in most systems is a national pattern, not a
local problem, and a pack should say so. The national consistency table
(``relaudit.score.consistency`` at the census date) would tell, but a pack is
built from the responses by its own deadline: depending on the national table
would rebuild every pack whenever any export lands. So a pack counts the same
thing over what it already has, its comparator pool: the other systems'
responses by its deadline (their daily sums, less what
``relaudit.pools.PoolGrid.keep`` keeps out), each system's statements ranked by
mean with the same rule as the national table.

Only ranks leave this module: a system's statement is ranked only when the
system has at least ``min_group_size`` responses in the pool and the statement
at least ``min_group_size`` respondents (as a pack shows it), and what is
published is how many systems rank each statement among their best or worst.

A statement reworded between questionnaire versions counts only the pool
systems on a version with the pack's own wording (`relaudit.comparison.comparable`): each
system still ranks all its statements, as nationally, but a system that saw
other words is not counted for that statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from relaudit.cutoffs import by_end_of
from relaudit.pools import PoolGrid

POOL_STATEMENT_COLUMNS = ["scope", "item_id", "framework", "mean"]
PATTERN_COLUMNS = ["item_id", "pattern", "count", "systems"]
LOW, HIGH = "low", "high"


def pool_sums(
    other_sums: pd.DataFrame,
    columns: Sequence[str],
    cutoff_day: dt.date,
    deadlines: Mapping[str, dt.date] | None,
    min_group_size: int,
) -> pd.DataFrame:
    """The daily sums a pack with this cutoff pools: other systems' days by the end of
    the cutoff, less what `PoolGrid.keep` keeps out (everything, with no `deadlines`)."""
    if not len(other_sums):
        return other_sums
    pool = other_sums[by_end_of(pd.to_datetime(other_sums["day"]), cutoff_day)]
    if deadlines is not None and len(pool):
        grid = PoolGrid(pool, columns, deadlines)
        pool = grid.select(pool, grid.keep(cutoff_day, "", min_group_size))
    return pool


def pool_statements(
    pool: pd.DataFrame,
    frameworks: Mapping[str, str],
    min_group_size: int,
    ratings_per_respondent: int = 1,
) -> pd.DataFrame:
    """Each pool system's statement means (``scope`` = system id), blank where not shown.

    A system's statement is shown when the system has `min_group_size`
    responses in the pool and the statement `min_group_size` respondents.
    Daily sums count ratings, and a respondent gives up to
    `ratings_per_respondent` of one statement (one per target), so a statement
    needs that many times `min_group_size` ratings: never fewer respondents
    than a pack would show.
    """
    columns = list(frameworks)
    if not len(pool):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in POOL_STATEMENT_COLUMNS})
    ids = pool["system_id"].astype(str)
    responses = (
        pool.assign(system_id=ids).drop_duplicates(["system_id", "day"])
        .groupby("system_id")["responses"].sum()
    )  # fmt: skip
    sums = (
        pool.assign(system_id=ids, item_id=pool["item_id"].astype(str))
        .groupby(["system_id", "item_id"])[["n", "total"]]
        .sum()
    )
    systems = sorted(responses.index)
    index = pd.MultiIndex.from_product([systems, columns], names=["system_id", "item_id"])
    sums = sums.reindex(index, fill_value=0)
    n = sums["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, sums["total"].to_numpy(dtype=float) / n, np.nan)
    size = responses.reindex(index.get_level_values(0)).to_numpy(dtype=float)
    shown = (size >= min_group_size) & (n >= min_group_size * max(ratings_per_respondent, 1))
    return pd.DataFrame(
        {
            "scope": index.get_level_values(0),
            "item_id": index.get_level_values(1),
            "framework": [frameworks[c] for c in index.get_level_values(1)],
            "mean": np.where(shown, mean, np.nan),
        }
    )


def national_patterns(consistency: pd.DataFrame, min_systems: int) -> pd.DataFrame:
    """Statements low (or high) in most systems, from a consistency table.

    Low in most systems: among a system's five lowest (``bottom5``) in more
    than half of the systems that rank it (``systems``); high likewise with
    ``top5``. Only statements ranked in at least `min_systems` systems: "most
    of two systems" is no pattern. A statement that is both (possible only
    with very few statements) is left out. Sorted low first, then by how many
    systems, then table order.
    """
    rows = []
    if consistency is None or consistency.empty:
        return pd.DataFrame(columns=PATTERN_COLUMNS)
    for order, (_, row) in enumerate(consistency.iterrows()):
        systems = int(row["systems"])
        if systems < max(min_systems, 1):
            continue
        low = int(row["bottom5"]) * 2 > systems
        high = int(row["top5"]) * 2 > systems
        if low == high:
            continue
        pattern, count = (LOW, int(row["bottom5"])) if low else (HIGH, int(row["top5"]))
        rows.append((str(row["item_id"]), pattern, count, systems, order))
    rows.sort(key=lambda r: (r[1] != LOW, -r[2] / r[3], r[4]))
    return pd.DataFrame([r[:4] for r in rows], columns=PATTERN_COLUMNS)
