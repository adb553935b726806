"""Charts for the briefing packs and the national annex.

One function per chart, in one module per chart family: ``frameworks``
(heatmaps, domain bars), ``statements`` (best and worst, differences from the
comparator, consistency), ``groups`` (profile, means and answers by group,
comment rates) and ``systems`` (the annex's charts across systems), with the
shared helpers in ``common``. Each takes tidy tables in the formats of
docs/dataflow.md plus the instrument, and returns a :class:`Chart`: the
matplotlib figure, a title that states the message and an alt text with the
key numbers, both worked out from the data. Nothing here knows an
instrument's statements: frameworks, grids, domains, statement sets, labels
and groups come from the instrument. Groups suppressed upstream
(``suppressed`` True, blank numbers) are never drawn as bars; a label says
why in their place: "fewer than k respondents" (or answers), or "not shown,
to protect a smaller group" for a cell hidden so that another cannot be
worked out by subtraction.

Which charts a scope has, and which function draws each, is the registry's
(relaudit.chartset); :func:`draw_charts` draws what it plans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from relaudit.chartset import PlannedChart
from relaudit.figures.common import Chart, DrawContext, _is_true
from relaudit.figures.frameworks import domain_bars, value_heatmap
from relaudit.figures.groups import comment_rates_chart, group_means, labels_by_group, profile_chart
from relaudit.figures.statements import best_worst, consistency_chart, statement_differences
from relaudit.figures.systems import responses_by_system, system_small_multiples
from relaudit.instrument import Instrument
from relaudit.io import write_json
from relaudit.style import SvgRasteriser, save_figure

__all__ = [
    "Chart",
    "DrawContext",
    "_is_true",
    "best_worst",
    "comment_rates_chart",
    "consistency_chart",
    "domain_bars",
    "draw_charts",
    "group_means",
    "labels_by_group",
    "profile_chart",
    "responses_by_system",
    "save_charts",
    "statement_differences",
    "system_small_multiples",
    "value_heatmap",
]


def draw_charts(
    planned: Sequence[PlannedChart],
    tables: Mapping[str, pd.DataFrame],
    instrument: Instrument,
    top_n: int,
    min_group_size: int,
) -> list[tuple[str, Chart]]:
    """Draw every planned chart (relaudit.chartset.plan_charts), named, in order."""
    ctx = DrawContext(
        tables=tables, instrument=instrument, top_n=top_n, min_group_size=min_group_size
    )
    return [(chart.name, chart.draw_function()(ctx, **chart.params)) for chart in planned]


def save_charts(charts: Sequence[tuple[str, Chart]], out_dir: str | Path) -> list[dict[str, Any]]:
    """Write every chart as SVG and PNG, then `figures.json` listing them in order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rasterise = SvgRasteriser(out)
    entries: list[dict[str, Any]] = []
    for name, chart in charts:
        svg, png = save_figure(chart.figure, out / name, rasterise)
        entries.append(
            {
                "name": name,
                "title": chart.title,
                "caption": chart.caption,
                "alt": chart.alt,
                "svg": svg.name,
                "png": png.name,
            }
        )
    write_json(entries, out / "figures.json")
    return entries
