"""Who is compared with whom: the comparator's eligibility rules, in one place.

A system's comparator pools other systems' responses received by its
deadline. The Snakefile (which daily sums a job needs), scoring, charts and
findings all ask here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from relaudit.config import System

NO_COMPARATOR = "no_comparator"


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
    return bool((comparator["flag"] != NO_COMPARATOR).any())
