"""Comparator eligibility: who can be compared with whom (relaudit.comparison)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from relaudit.comparison import comparator_candidates, has_comparator, without_comparator
from relaudit.config import System


def system(sid: str, order: int, opened: str, deadline: str) -> System:
    return System(
        sid, sid.title(), (), order, "v1", dt.date.fromisoformat(opened),
        dt.date.fromisoformat(deadline),
    )  # fmt: skip


# Worked by hand: b opens on a's deadline (counts, the day is inclusive); c
# opens after b's deadline; d is reviewed first together with a.
A = system("a", 1, "2017-09-01", "2017-10-01")
B = system("b", 2, "2017-10-01", "2017-11-01")
C = system("c", 3, "2017-11-02", "2017-12-01")
D = system("d", 1, "2017-08-01", "2017-09-15")
SYSTEMS = [A, B, C, D]


def test_candidates_are_others_open_by_the_deadline() -> None:
    assert comparator_candidates(A, SYSTEMS) == ["b", "d"]
    assert comparator_candidates(B, SYSTEMS) == ["a", "d"]
    assert comparator_candidates(C, SYSTEMS) == ["a", "b", "d"]
    assert comparator_candidates(D, SYSTEMS) == ["a"]
    assert comparator_candidates(A, [A]) == []


def test_the_first_reviewed_have_no_comparator() -> None:
    assert without_comparator(SYSTEMS) == ["a", "d"]
    assert without_comparator([B, C]) == ["b"]
    assert without_comparator([]) == []


def test_has_comparator_needs_one_real_comparison() -> None:
    assert not has_comparator(None)
    assert not has_comparator(pd.DataFrame({"flag": []}))
    assert not has_comparator(pd.DataFrame({"flag": ["no_comparator"] * 3}))
    assert has_comparator(pd.DataFrame({"flag": ["no_comparator", "similar"]}))
