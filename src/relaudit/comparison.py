"""Who is compared with whom, and how a difference is flagged: in one place.

A system's comparator pools other systems' responses received by its
deadline. A statement reworded between questionnaire versions is compared
only with systems whose version has the same wording (after header
normalisation) or that the instrument declares comparable
(``../shared/spec/waves.md``, "What is compared"). The Snakefile (which
daily sums a job needs), scoring, pools, charts, findings and the
disclosure audit all ask here.

The flag rule (:func:`flag_differences`) is the one every caption, colour,
bullet, key message and enquiry rule reads, through the comparator table's
``flag`` column: nothing else may call a difference higher or lower.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from relaudit.config import System
from relaudit.instrument import Instrument, normalise_header

# The Snakefile imports this module on every run, a run with nothing to do
# included, to plan which systems' data each job needs. numpy and pandas would
# cost that run about 0.3 s to import, so the functions that need numpy import
# it when called.
if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

NO_COMPARATOR = "no_comparator"
NOT_COMPARABLE = "not_comparable"
HIGHER = "higher"
LOWER = "lower"
SIMILAR = "similar"
# Flags that record a comparison that was made (the others say why none was).
COMPARED = (HIGHER, LOWER, SIMILAR)
# Flags that call a difference clear: the only ones text may call higher or lower.
DIFFERENT = (HIGHER, LOWER)
# The flag rules the comparator knows (waves.md adds "fdr").
FLAG_RULES = ("interval",)
DEFAULT_FLAG_RULE = "interval"


def comparator_candidates(system: System, systems: Sequence[System]) -> list[str]:
    """Other systems that could hold a response submitted by `system`'s deadline."""
    return [
        other.system_id
        for other in systems
        if other.system_id != system.system_id and other.survey_opened <= system.deadline
    ]


def without_comparator(systems: Sequence[System]) -> list[str]:
    """Systems that get no comparator: the first reviewed had no earlier systems."""
    if not systems:
        return []
    first = min(s.review_order for s in systems)
    return [s.system_id for s in systems if s.review_order == first]


def has_comparator(comparator: pd.DataFrame | None) -> bool:
    """True when a comparator table holds at least one real comparison."""
    if comparator is None or comparator.empty:
        return False
    return bool(comparator["flag"].astype(str).isin(COMPARED).any())


# --------------------------------------------------------------------------- the flag rule


def flag_differences(
    low: Iterable[float] | np.ndarray, high: Iterable[float] | np.ndarray, rule: str = "interval"
) -> np.ndarray:
    """The flag of each difference from its 95% interval (`low`, `high`).

    ``interval``: ``higher`` when the interval lies above 0, ``lower`` when
    below, else ``similar``; ``no_comparator`` where there is no interval.
    This is the one place the rule lives, so the waves issue's ``fdr`` rule
    (q < 0.05) is one more branch here.
    """
    import numpy as np

    if rule not in FLAG_RULES:
        raise ValueError(f"unknown flag rule {rule!r}; expected one of {FLAG_RULES}")
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    flag = np.where(hi < 0, LOWER, np.where(lo > 0, HIGHER, SIMILAR)).astype(object)
    return np.where(np.isnan(lo) | np.isnan(hi), NO_COMPARATOR, flag).astype(object)


def flags_by_item(comparator: pd.DataFrame | None) -> dict[str, str]:
    """Each statement's flag (per-target ids keep their target), "" when the row is hidden."""
    if comparator is None or comparator.empty:
        return {}
    flags = comparator["flag"].fillna("").astype(str)
    return dict(zip(comparator["item_id"].astype(str), flags, strict=True))


# --------------------------------------------------------------------------- versions


def comparable(instrument: Instrument, item_id: str, version_a: str, version_b: str) -> bool:
    """True when a statement can be compared between two questionnaire versions.

    Same wording after header normalisation, or declared comparable by the
    instrument (the item's ``comparable_versions``). An unknown version is
    compared only with itself.
    """
    if version_a == version_b:
        return True
    item = instrument.item(item_id)
    if version_a not in item.text or version_b not in item.text:
        return False
    if normalise_header(item.text[version_a]) == normalise_header(item.text[version_b]):
        return True
    declared = set(item.comparable_versions)
    return version_a in declared and version_b in declared


def reworded_items(instrument: Instrument) -> list[str]:
    """Statements that some pair of the instrument's versions cannot compare."""
    versions = instrument.versions
    return [
        item_id
        for item_id in instrument.item_ids
        if any(not comparable(instrument, item_id, a, b) for a in versions for b in versions)
    ]


def version_mask(
    instrument: Instrument,
    systems: Sequence[str],
    versions: Mapping[str, str] | None,
    version: str | None,
) -> np.ndarray:
    """(system, statement) booleans: may `systems`' answers join a pool for `version`?

    Every cell is True without versions (a single-version programme, or a
    caller that does not know them); a system whose version is unknown is
    compared on the statements worded alike in every version.
    """
    import numpy as np

    items = instrument.item_ids
    mask = np.ones((len(systems), len(items)), dtype=bool)
    if versions is None or version is None:
        return mask
    reworded = set(reworded_items(instrument))
    for s, sid in enumerate(systems):
        other = versions.get(sid)
        for i, item_id in enumerate(items):
            if other is None:
                mask[s, i] = item_id not in reworded
            else:
                mask[s, i] = comparable(instrument, item_id, version, other)
    return mask


def comparable_items(
    instrument: Instrument, version_a: str | None, version_b: str | None
) -> np.ndarray:
    """Per statement (instrument order): comparable between the two versions?

    An unknown version (None) is comparable with every version on the
    statements worded alike in all of them.
    """
    import numpy as np

    if version_a is None or version_b is None:
        reworded = set(reworded_items(instrument))
        return np.array([i not in reworded for i in instrument.item_ids], dtype=bool)
    return np.array(
        [comparable(instrument, i, version_a, version_b) for i in instrument.item_ids],
        dtype=bool,
    )
