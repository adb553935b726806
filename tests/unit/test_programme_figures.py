"""The programme report's charts: registry entries, titles and alt text, hidden groups."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

from relaudit.chartset import (
    PROGRAMME,
    PopulationPlan,
    caption_path,
    declarations,
    plan_programme_charts,
    system_chart_names,
)
from relaudit.figures.populations import (
    ProgrammeDrawContext,
    draw_programme_charts,
    group_bars,
    target_heatmap,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "programme_tables"))
import make_tables  # noqa: E402


def test_programme_charts_expand_per_population_and_grouping():
    plans = [PopulationPlan("a", 3, ("x", "y")), PopulationPlan("b", 1, ("z",))]
    names = [c.name for c in plan_programme_charts(plans)]
    assert names == [
        "a_heatmap",
        "a_ratings",
        "b_ratings",
        "no_contact",
        "cross_analysis",
        "a_by_x",
        "a_by_y",
        "b_by_z",
        "must_haves",
    ]
    slots = {c.name: c.slot for c in plan_programme_charts(plans)}
    assert slots["a_by_y"] == "a_y" and slots["b_ratings"] == "b_questions"


def test_every_programme_declaration_resolves_and_has_a_caption_file():
    for declaration in declarations(PROGRAMME):
        assert callable(
            __import__("relaudit.chartset", fromlist=["resolve"]).resolve(declaration.draw)
        )
        caption = (ROOT / "workflow" / "rules" / caption_path(declaration)).resolve()
        assert caption.is_file(), caption


def test_programme_charts_leave_the_system_charts_alone(tmp_path):
    from relaudit.instrument import load_instrument

    instrument = load_instrument(ROOT / "config" / "instruments" / "cqc-relational-audit.yaml")
    assert not any(name.endswith("_ratings") for name in system_chart_names(instrument))


def test_every_chart_has_a_title_caption_and_alt_text():
    view = make_tables.make_view()
    charts = draw_programme_charts(view, make_tables.make_tables())
    assert (
        len(charts) == 1 + 2 + 1 + 1 + 5 + 3 + 1
    )  # heatmap, ratings, no contact, cross, breakdowns, must-haves
    for name, chart in charts:
        assert chart.title and chart.caption and chart.alt, name


def _view_and_breakdown():
    view = make_tables.make_view()
    breakdown = pd.DataFrame(
        {
            "population": ["providers"] * 3,
            "grouping": ["area"] * 3,
            "group": ["North", "Mid", "South"],
            "question_id": ["overall"] * 3,
            "n": [20, 2, 30],
            "mean": [2.10, math.nan, 2.60],
            "suppressed": [False, True, False],
        }
    )
    return view, breakdown


def test_a_small_group_is_never_drawn_and_is_named_in_the_caption():
    view, breakdown = _view_and_breakdown()
    chart = group_bars(
        ProgrammeDrawContext({"breakdown_scores": breakdown}, view), "providers", "area"
    )
    ax = chart.figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["North", "South"]
    assert "Not drawn: Mid" in chart.caption
    assert "2.10 (North)" in chart.title and "2.60 (South)" in chart.title


def test_a_suppressed_heatmap_cell_is_grey_and_marked():
    view = make_tables.make_view()
    scores = pd.DataFrame(
        {
            "population": ["providers", "providers"],
            "target": ["ao_senior", "finance"],
            "question_id": ["trust", "trust"],
            "mean": [2.5, math.nan],
            "suppressed": [False, True],
        }
    )
    chart = target_heatmap(ProgrammeDrawContext({"question_scores": scores}, view), "providers")
    texts = [t.get_text() for t in chart.figure.axes[0].texts]
    assert "2.50" in texts
    assert "n<5" in texts
    assert "fewer than 5 respondents" in chart.caption
