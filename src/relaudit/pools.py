"""Comparator pools that cannot be differenced against the packs.

A pack's comparator is every other system's responses by its deadline. A
reader holds every pack, so from pack + comparator they can take away:

- the packs of systems whose deadlines fall on or before the cutoff (each
  is that system's on-time responses), leaving those systems' *late*
  responses and the systems still open;
- an earlier pack's pack + comparator, leaving what came in between.

`PoolGrid` holds every system's answers per day and statement as one
array, so a pool, and every earlier pack's pool, is a few array sums. This
matters: each pack works the earlier packs' pools out again (so that packs
stay independent jobs), which is O(systems) pools per pack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from relaudit.comparison import comparable_items, version_mask
from relaudit.disclosure import exposed
from relaudit.instrument import Instrument


class PoolGrid:
    """Answers (``n``) and responses per system, submission day and statement."""

    def __init__(
        self, sums: pd.DataFrame, columns: Sequence[str], deadlines: Mapping[str, dt.date]
    ) -> None:
        self.columns = list(columns)
        self.systems = sorted(sums["system_id"].astype(str).unique()) if len(sums) else []
        days = pd.to_datetime(sums["day"]) if len(sums) else pd.Series(dtype="datetime64[ns]")
        self.days = np.array(sorted(days.dt.date.unique())) if len(sums) else np.array([])
        shape = (len(self.systems), len(self.days), len(self.columns))
        self.n = np.zeros(shape)
        self.responses = np.zeros(shape[:2])
        if len(sums):
            s = pd.Index(self.systems).get_indexer(sums["system_id"].astype(str))
            d = pd.Index(self.days).get_indexer(days.dt.date)
            i = pd.Index(self.columns).get_indexer(sums["item_id"].astype(str))
            ok = i >= 0
            np.add.at(self.n, (s[ok], d[ok], i[ok]), sums["n"].to_numpy(dtype=float)[ok])
            self.responses[s, d] = sums["responses"].to_numpy(dtype=float)
        far = dt.date.max
        self.deadline = np.array([deadlines.get(sid, far) for sid in self.systems])

    def keep(
        self, cutoff: dt.date, exclude: str, min_group_size: int, mask: np.ndarray | None = None
    ) -> np.ndarray:
        """Which (system, day, statement) cells the pool of a pack with this cutoff holds.

        Other systems' cells by the cutoff whose statement the pack can compare
        with theirs (`mask`, system by statement, from
        `relaudit.comparison.version_mask`; all when None), less: a system's
        answers after its own deadline when, for some statement, they are 1 to
        k - 1; and what no shown pack covers (those late answers, systems
        still open, statements a pack hides) when, for some statement, it is
        1 to k - 1. A pack shows a statement when it has k respondents and k
        answers. Every count is taken over the comparable cells only: the
        others are in no pool of this pack.
        """
        k = min_group_size
        if not self.n.size:
            return np.zeros(self.n.shape, dtype=bool)
        comparable = (
            np.ones((len(self.systems), len(self.columns)), dtype=bool) if mask is None else mask
        )
        n = self.n * comparable[:, None, :]
        window = self.days <= cutoff
        others = np.array([sid != exclude for sid in self.systems], dtype=bool)
        pool = others[:, None] & window[None, :]
        closed = self.deadline <= cutoff
        late = closed[:, None] & (self.days[None, :] > self.deadline[:, None])
        late_answers = (n * (pool & late)[:, :, None]).sum(axis=1)
        noisy = exposed(late_answers, k).any(axis=1)
        keep = pool & ~(late & noisy[:, None])
        on_time = pool & closed[:, None] & ~late
        pack_size = (self.responses * on_time).sum(axis=1)
        item_answers = (n * on_time[:, :, None]).sum(axis=1)
        shown = (pack_size >= k)[:, None] & (item_answers >= k)
        covered = on_time[:, :, None] & shown[:, None, :]
        cells = keep[:, :, None] & comparable[:, None, :]
        uncovered = cells & ~covered
        rest = (n * uncovered).sum(axis=(0, 1))
        if exposed(rest, k).any():
            return cells & ~uncovered
        return cells

    def published_answers(
        self, system_id: str, cutoff: dt.date, min_group_size: int, has_comparator: bool,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Pack + comparator answers per statement as that pack publishes them (NaN: hidden)."""
        nan = np.full(len(self.columns), np.nan)
        if not has_comparator:
            return nan
        pool = (self.n * self.keep(cutoff, system_id, min_group_size, mask)).sum(axis=(0, 1))
        own = np.zeros(len(self.columns))
        if system_id in self.systems and len(self.days):
            index = self.systems.index(system_id)
            own = self.n[index, self.days <= cutoff].sum(axis=0)
        if pool.sum() <= 0:
            return nan
        shown = (pool >= min_group_size) & (own >= min_group_size)
        return np.where(shown, pool + own, np.nan)

    def hidden_by_earlier_pools(
        self,
        system_id: str,
        deadlines: Mapping[str, dt.date],
        without_comparator: Sequence[str],
        min_group_size: int,
        versions: Mapping[str, str] | None = None,
        instrument: Instrument | None = None,
    ) -> np.ndarray:
        """Statements whose comparator row `system_id` must hide: its pack + pool would
        differ from an earlier pack's pack + pool by 1 to k - 1 answers.

        Every earlier pack is worked out in deadline order with the same rule,
        rows it hides included, so each pack reaches the same answer alone.
        With `versions` (every system's questionnaire version) and the
        `instrument`, each pack's pool holds only the systems it can compare
        a statement with (`relaudit.comparison.version_mask`), and two packs'
        pools of a statement are differenced only when their versions are
        comparable on it: otherwise they hold different people, and the
        difference is no group.
        """
        published: list[tuple[str | None, np.ndarray]] = []
        versioned = versions is not None and instrument is not None
        for sid in sorted(deadlines, key=lambda s: (deadlines[s], s)):
            version = versions.get(sid) if versions is not None else None
            mask = (
                version_mask(instrument, self.systems, versions, version)  # type: ignore[arg-type]
                if versioned
                else None
            )
            answers = self.published_answers(
                sid, deadlines[sid], min_group_size, sid not in without_comparator, mask
            )
            hide = np.zeros(len(self.columns), dtype=bool)
            for earlier_version, earlier in published:
                small = exposed(np.nan_to_num(answers - earlier, nan=0.0), min_group_size)
                if versioned:
                    small &= comparable_items(instrument, version, earlier_version)  # type: ignore[arg-type]
                hide |= small
            if sid == system_id:
                return hide
            published.append((version, np.where(hide, np.nan, answers)))
        return np.zeros(len(self.columns), dtype=bool)

    def select(self, sums: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
        """The rows of `sums` (daily sums) whose cell `keep` holds."""
        if not len(sums):
            return sums
        s = pd.Index(self.systems).get_indexer(sums["system_id"].astype(str))
        d = pd.Index(self.days).get_indexer(pd.to_datetime(sums["day"]).dt.date)
        i = pd.Index(self.columns).get_indexer(sums["item_id"].astype(str))
        ok = (s >= 0) & (d >= 0) & (i >= 0)
        held = np.zeros(len(sums), dtype=bool)
        held[ok] = keep[s[ok], d[ok], i[ok]]
        return sums[held]
