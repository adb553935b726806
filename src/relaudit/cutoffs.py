"""Deadlines and census dates: the one rule for "by the end of a day".

A response submitted on a day counts for that day up to its last moment;
anything later is after it (late, after the census, outside a comparator's
days). Ingest, scoring and the systems sheet all ask here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    Moment = dt.datetime | pd.Timestamp | pd.Series
else:
    Moment = Any
TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a day: anything after it is the next day."""
    return dt.datetime.combine(day, dt.time.max)


def after(moment: Moment, day: dt.date) -> Any:
    """True where `moment` (a datetime, or a Series of them) falls after the end of `day`."""
    return moment > end_of_day(day)


def by_end_of(moment: Moment, day: dt.date) -> Any:
    """True where `moment` falls on or before `day` (the complement of :func:`after`)."""
    return moment <= end_of_day(day)


def cutoff_text(day: dt.date) -> str:
    """The cutoff as tables show it (``2018-03-31 23:59:59``)."""
    return end_of_day(day).strftime(TEXT_FORMAT)
