"""The one end-of-day rule: deadlines, the census and comparator days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from relaudit.config import System
from relaudit.cutoffs import after, by_end_of, cutoff_text, end_of_day

DAY = dt.date(2018, 3, 31)


@pytest.mark.parametrize(
    ("moment", "is_after"),
    [
        (dt.datetime(2018, 3, 31, 0, 0), False),
        (dt.datetime(2018, 3, 31, 23, 59, 59), False),  # the last second is on the day
        (dt.datetime(2018, 3, 31, 23, 59, 59, 999999), False),
        (dt.datetime(2018, 4, 1, 0, 0), True),  # midnight is the next day
        (dt.datetime(2018, 3, 30, 12, 0), False),
    ],
)
def test_after_the_end_of_a_day(moment: dt.datetime, is_after: bool) -> None:
    assert after(moment, DAY) is is_after
    assert by_end_of(moment, DAY) is (not is_after)


def test_series_and_the_systems_sheet_use_the_same_rule() -> None:
    moments = pd.Series(pd.to_datetime(["2018-03-31 23:59:59", "2018-04-01 00:00:00", None]))
    assert after(moments, DAY).tolist() == [False, True, False]
    # A response with no time is by no day either.
    assert by_end_of(moments, DAY).tolist() == [True, False, False]
    system = System("s", "S", (), 1, "v1", dt.date(2018, 1, 1), DAY)
    assert system.deadline_end() == end_of_day(DAY) == dt.datetime(2018, 3, 31, 23, 59, 59, 999999)


def test_cutoff_text() -> None:
    assert cutoff_text(DAY) == "2018-03-31 23:59:59"
