"""Small-group suppression: the one rule every output table goes through.

A cell built from fewer than ``min_group_size`` respondents shows no number:
every column except the ones that identify the row is blanked, the row gets
``suppressed = True`` and ``suppression = "small"``.

Hiding small cells is not enough when the cells of a partition add up to a
published total (the groups of one question, the systems of the nation):
the total minus the shown cells is the sum of the hidden ones. So, in every
partition, the hidden cells *together* (with any part of the total that no
cell shows, such as respondents who ticked several lengths of time) must
hold at least ``min_group_size`` respondents, or none. Where they hold
between 1 and ``min_group_size - 1``, the smallest shown cell is hidden as
well (``suppression = "secondary"``); one is always enough, since every
shown cell holds at least ``min_group_size``. Cells can belong to several
partitions at once, so the rule runs until no partition changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SUPPRESSED = "suppressed"
# Why a cell is hidden: "" (shown), SMALL or SECONDARY.
REASON = "suppression"
SMALL = "small"
SECONDARY = "secondary"

# What a cell counts, named wherever a count or a hidden cell is described:
# people who answered the survey, answers to one statement, or people who
# left a comment.
RESPONDENTS = "respondents"
ANSWERS = "answers"
COMMENTERS = "commenters"

# What a reader is told, once per table or chart (see relaudit.markdown). A
# cell hidden for another cell's sake is never called small: its own count
# may be large.
SMALL_NOTE = "fewer than {k} {kind}: not shown"
SECONDARY_NOTE = "not shown, to protect a smaller group"


def reason_note(reason: str, k: int, kind: str = RESPONDENTS) -> str:
    """The phrase a reader sees for one reason a cell is hidden, counting `kind`."""
    return SMALL_NOTE.format(k=k, kind=kind) if reason == SMALL else SECONDARY_NOTE


def protected(hidden_mass: float | np.ndarray, min_group_size: int) -> bool | np.ndarray:
    """True where a hidden (or unpublished) mass cannot expose a small group: 0 or >= k."""
    mass = np.asarray(hidden_mass, dtype=float)
    ok = (mass <= 0) | (mass >= min_group_size)
    return bool(ok) if ok.ndim == 0 else ok


def _sizes(frame: pd.DataFrame, size: str | float | pd.Series) -> pd.Series:
    if isinstance(size, str):
        values = pd.to_numeric(frame[size], errors="coerce")
    elif isinstance(size, pd.Series):
        values = pd.to_numeric(size.reset_index(drop=True), errors="coerce")
    else:
        values = pd.Series(float(size), index=frame.index)
    return pd.Series(values.to_numpy(dtype=float), index=frame.index)


def secondary_hide(
    hidden: np.ndarray,
    sizes: np.ndarray,
    partitions: Sequence[tuple[np.ndarray, np.ndarray]],
    min_group_size: int,
    aliases: np.ndarray | None = None,
) -> np.ndarray:
    """Hide more cells until every partition's hidden mass is 0 or at least `min_group_size`.

    `partitions` are (codes, remainder) pairs: ``codes[i]`` names the
    partition of cell i (-1: in none), ``remainder[p]`` is the part of
    partition p's total that no cell shows. Within a partition the smallest
    shown non-empty cell is hidden first; ties go to the first in table
    order, so the result is deterministic. `aliases` (optional) gives cells
    that count exactly the same respondents one code (-1: no alias): one of
    them hidden hides them all. Returns the new hidden mask.
    """
    hidden = hidden.copy()
    filled = np.nan_to_num(sizes, nan=0.0)
    non_empty = filled > 0
    order = np.lexsort((np.arange(len(sizes)), filled))
    changed = True
    while changed:
        changed = False
        for codes, remainder in partitions:
            member = codes >= 0
            mass = np.bincount(
                codes[member & hidden], weights=filled[member & hidden], minlength=len(remainder)
            ) + np.asarray(remainder, dtype=float)
            exposed = set(np.flatnonzero(~protected(mass, min_group_size)).tolist())
            if not exposed:
                continue
            for cell in order:
                code = codes[cell]
                if code in exposed and not hidden[cell] and non_empty[cell]:
                    hidden[cell] = True
                    exposed.discard(code)
                    changed = True
                    if not exposed:
                        break
        if aliases is not None:
            linked = aliases >= 0
            hidden_codes = np.unique(aliases[linked & hidden])
            spread = linked & ~hidden & np.isin(aliases, hidden_codes)
            if spread.any():
                hidden = hidden | spread
                changed = True
    return hidden


def partition_codes(
    frame: pd.DataFrame, within: Sequence[str], sizes: pd.Series, totals: pd.Series | None
) -> tuple[np.ndarray, np.ndarray]:
    """Partition codes of each row and each partition's unshown remainder."""
    codes, _ = pd.factorize(pd.MultiIndex.from_frame(frame[list(within)].astype(object)))
    count = int(codes.max()) + 1 if len(codes) else 0
    if totals is None:
        return codes, np.zeros(count)
    filled = np.nan_to_num(sizes.to_numpy(dtype=float), nan=0.0)
    cell_sum = np.bincount(codes, weights=filled, minlength=count)
    total = np.zeros(count)
    total_values = pd.to_numeric(totals.reset_index(drop=True), errors="coerce").fillna(0)
    np.maximum.at(total, codes, total_values.to_numpy(dtype=float))
    return codes, np.clip(total - cell_sum, 0.0, None)


def blank(frame: pd.DataFrame, mask: np.ndarray, keys: Sequence[str]) -> pd.DataFrame:
    """Blank every non-key cell of the masked rows (numbers NaN, text "")."""
    out = frame.copy()
    for column in out.columns:
        if column in keys or column in (SUPPRESSED, REASON):
            continue
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            out[column] = np.where(mask, np.nan, series.to_numpy(dtype=float, na_value=np.nan))
        else:
            out[column] = series.astype(object).where(~mask, "")
    return out


def suppress(
    frame: pd.DataFrame,
    min_group_size: int,
    *,
    keys: Sequence[str],
    size: str | float | pd.Series = "n",
    within: Sequence[str] | None = None,
    totals: pd.Series | None = None,
) -> pd.DataFrame:
    """Blank every non-key cell of the rows built from fewer than `min_group_size` respondents.

    `keys` are the columns that name a row (kept as they are); `size` is the
    column (or a number, or a Series aligned with `frame`) giving how many
    respondents each row is built from; an unknown size counts as too small.
    Rows already flagged in an existing ``suppressed`` column stay
    suppressed (with their ``suppression`` reason, "small" if none).
    `within` names the columns of the partitions whose hidden cells must
    together hold 0 or at least `min_group_size` respondents; `totals`
    (aligned with `frame`) is each partition's published total, when the
    cells do not add up to it. Blanked numbers become NaN, blanked text "".
    """
    out = frame.reset_index(drop=True)
    sizes = _sizes(out, size)
    small = (sizes.isna() | (sizes < min_group_size)).to_numpy()
    reason = np.where(small, SMALL, "").astype(object)
    if SUPPRESSED in out.columns:
        flagged = out[SUPPRESSED].fillna(True).astype(bool).to_numpy()
        earlier = (
            out[REASON].fillna("").astype(str).to_numpy()
            if REASON in out.columns
            else np.full(len(out), "", dtype=object)
        )
        earlier = np.where(flagged & (earlier == ""), SMALL, earlier)
        reason = np.where(flagged & ~small, earlier, reason)
        small = small | flagged
    hidden = small
    if within:
        codes, remainder = partition_codes(out, within, sizes, totals)
        hidden = secondary_hide(small, sizes.to_numpy(), [(codes, remainder)], min_group_size)
        reason = np.where(hidden & ~small, SECONDARY, reason)
    out = blank(out, hidden, keys)
    out[SUPPRESSED] = hidden
    out[REASON] = np.where(hidden, reason, "")
    return out


def secondary_hide_distinct(
    hidden: np.ndarray,
    members: Sequence[frozenset[int]],
    codes: np.ndarray,
    min_group_size: int,
) -> np.ndarray:
    """Hide more cells until, in every partition, the hidden cells' respondents counted
    once each number 0 or at least `min_group_size`.

    The partition rule of :func:`secondary_hide` for cells whose respondents
    overlap: one person rates several questions of a target, or several
    targets. A pooled total (a target's mean over its questions, a
    population's over its targets) minus the shown cells is a figure about
    the hidden cells' respondents together, and a person in two hidden cells
    is still one person, so sizes cannot simply be added. `members[i]` are
    the respondents (row numbers) of cell i, ``codes[i]`` its partition (-1:
    in none). The shown cell with the fewest respondents is hidden first;
    ties go to the first in table order. Returns the new hidden mask.
    """
    hidden = np.asarray(hidden, dtype=bool).copy()
    sizes = np.array([len(m) for m in members], dtype=float)
    order = np.lexsort((np.arange(len(members)), sizes))
    for code in np.unique(codes[codes >= 0]):
        in_partition = codes == code
        people: set[int] = set()
        for cell in np.flatnonzero(in_partition & hidden):
            people |= members[cell]
        for cell in order:
            if protected(len(people), min_group_size):
                break
            if in_partition[cell] and not hidden[cell] and sizes[cell] > 0:
                hidden[cell] = True
                people |= members[cell]
    return hidden
