"""Small-group suppression: the one rule every output table goes through.

A cell built from fewer than ``min_group_size`` respondents shows no number:
every column except the ones that identify the row is blanked and the row
gets ``suppressed = True``. Within a partition whose rows add up to a known
total (the groups of one question, say), hiding a single non-empty cell would
let a reader recover it by subtraction, so the smallest other non-empty cell
of that partition is hidden as well (complementary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SUPPRESSED = "suppressed"


def _sizes(frame: pd.DataFrame, size: str | float | pd.Series) -> pd.Series:
    if isinstance(size, str):
        values = pd.to_numeric(frame[size], errors="coerce")
    elif isinstance(size, pd.Series):
        values = pd.to_numeric(size, errors="coerce")
    else:
        values = pd.Series(float(size), index=frame.index)
    return pd.Series(values.to_numpy(dtype=float), index=frame.index)


def _complementary(
    hidden: pd.Series, sizes: pd.Series, frame: pd.DataFrame, within: Sequence[str]
) -> pd.Series:
    """Hide the smallest visible non-empty cell where exactly one non-empty cell is hidden."""
    keys = [frame[column] for column in within]
    non_empty = sizes.fillna(0) > 0
    hidden_count = (hidden & non_empty).groupby(keys, sort=False, dropna=False).transform("sum")
    candidate = ~hidden & non_empty & (hidden_count == 1)
    if not candidate.any():
        return hidden
    candidate_sizes = sizes.where(candidate)
    # First row of the smallest size in each partition: deterministic in table order.
    ordered = candidate_sizes.dropna().sort_values(kind="stable")
    first = ordered.groupby([k.loc[ordered.index] for k in keys], sort=False).head(1)
    out = hidden.copy()
    out.loc[first.index] = True
    return out


def suppress(
    frame: pd.DataFrame,
    min_group_size: int,
    *,
    keys: Sequence[str],
    size: str | float | pd.Series = "n",
    within: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Blank every non-key cell of the rows built from fewer than `min_group_size` respondents.

    `keys` are the columns that name a row (kept as they are); `size` is the
    column (or a number, or a Series aligned with `frame`) giving how many
    respondents each row is built from; an unknown size counts as too small.
    Rows already flagged in an existing ``suppressed`` column stay suppressed.
    `within` names the columns of partitions for complementary suppression.
    Blanked numbers become NaN (written as empty cells), blanked text "".
    """
    out = frame.reset_index(drop=True)
    sizes = _sizes(out, size if not isinstance(size, pd.Series) else size.reset_index(drop=True))
    hidden = sizes.isna() | (sizes < min_group_size)
    if SUPPRESSED in out.columns:
        hidden |= out[SUPPRESSED].fillna(True).astype(bool)
    if within:
        hidden = _complementary(hidden, sizes, out, within)
    mask = hidden.to_numpy(dtype=bool)
    for column in out.columns:
        if column in keys or column == SUPPRESSED:
            continue
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            out[column] = np.where(mask, np.nan, series.to_numpy(dtype=float, na_value=np.nan))
        else:
            out[column] = series.astype(object).where(~mask, "")
    out[SUPPRESSED] = mask
    return out
