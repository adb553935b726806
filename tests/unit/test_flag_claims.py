"""One flag rule everywhere: no chart title, caption or alt text, key message or line of
enquiry calls a difference from the comparator higher or lower unless the comparator
table flags it so (tests/flag_claims.py finds and checks the claims).

The fixture tables (tests/fixtures/tables/) flag Honesty x Culture higher (+0.98,
interval 0.38 to 1.58) and Care x People lower (-1.35); the variants below flag
nothing although the differences are as large, or set a statement apart as not
comparable.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from flag_claims import unbacked_claims

from relaudit import figures as F
from relaudit import findings as fnd
from relaudit.chartset import SYSTEM, plan_charts
from relaudit.figures.frameworks import UNCLEAR_COLOUR
from relaudit.instrument import load_instrument
from relaudit.io import read_csv
from relaudit.labels import answer_label, positive_note, short_labels

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "tables"
RULES = ROOT / "config" / "enquiry_rules.yaml"


@pytest.fixture(scope="module")
def inst():
    return load_instrument(FIXTURES / "instrument.yaml")


@pytest.fixture(scope="module")
def system():
    return {p.stem: read_csv(p) for p in sorted((FIXTURES / "system").glob("*.csv"))}


def unflagged(comparator: pd.DataFrame) -> pd.DataFrame:
    """The same differences, every interval widened to cross 0: nothing is flagged."""
    out = comparator.copy()
    out["diff_ci_low"] = out["diff"] - 2.0
    out["diff_ci_high"] = out["diff"] + 2.0
    out["flag"] = "similar"
    return out


def set_apart(comparator: pd.DataFrame, item: str) -> pd.DataFrame:
    out = comparator.copy()
    row = out["item_id"] == item
    for column in ("comparator_n", "comparator_mean", "diff", "diff_ci_low", "diff_ci_high"):
        out.loc[row, column] = float("nan")
    out.loc[row, "flag"] = "not_comparable"
    return out


VARIANTS = {
    "fixture": lambda c: c,
    "nothing flagged": unflagged,
    "one not comparable": lambda c: set_apart(c, "honesty_culture"),
}


def texts_of(inst, tables) -> list[str]:
    """Every chart's title, caption and alt text, every key message and enquiry line."""
    charts = F.draw_charts(plan_charts(SYSTEM, inst), tables, inst, 3, 5)
    out = [t for _, chart in charts for t in (chart.title, chart.caption, chart.alt)]
    labels = {item.id: inst.text(item.id) for item in inst.items}
    found = fnd.build_findings(
        tables["statement_scores"], tables["comparator"], tables["breakdown_scores"],
        tables["group_scores"], top_n=3, midpoint=2.5, scale_min=0, scale_max=5,
        labels=labels, grouping_names={}, domain_groupings=["domain"],
    )  # fmt: skip
    out += fnd.key_messages(found)
    out += fnd.lines_of_enquiry(fnd.load_enquiry_rules(RULES), found)
    return out


def names(inst) -> dict[str, str]:
    named = {inst.text(item.id): item.id for item in inst.items}
    named |= {label: item for item, label in short_labels(inst).items()}
    return named


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_no_text_calls_an_unflagged_difference_higher_or_lower(inst, system, variant):
    tables = dict(system)
    tables["comparator"] = VARIANTS[variant](system["comparator"])
    flags = dict(zip(tables["comparator"]["item_id"], tables["comparator"]["flag"], strict=True))
    assert unbacked_claims(texts_of(inst, tables), flags, names(inst)) == []


def test_the_checker_catches_the_old_captions(inst):
    # York's Figure 3 said "1 of 5 above the comparator" for +0.002; nothing was flagged.
    flags = {item.id: "similar" for item in inst.items}
    found = unbacked_claims(
        ["Relational proximity: Parity scores highest; 1 of 5 above the comparator"],
        flags,
        names(inst),
    )
    assert len(found) == 1 and "1 higher, but 0 flagged" in found[0]
    assert unbacked_claims(
        ["Explore \u201cWe are honest about culture.\u201d (below the comparator's 2.60)"],
        flags,
        names(inst),
    )


def test_domain_bars_count_flags_not_bar_lengths(inst, system):
    # Directness and Parity: own 2.5 and 2.67 against 2.5 and 2.6, neither flagged.
    chart = F.domain_bars(
        system["statement_scores"], inst, "relational_proximity", system["comparator"]
    )
    assert "no statement differs clearly from the comparator" in chart.title
    assert "above" not in chart.title
    # Relational value: one higher, one lower of six.
    flags = set_apart(system["comparator"], "honesty_people")
    chart = F.domain_bars(system["statement_scores"], inst, "relational_value", flags)
    assert "of the 6 statements, 1 flagged higher and 1 flagged lower" in chart.title
    assert "1 not comparable" in chart.title


def cell_colours(chart) -> dict[tuple[int, int], tuple[float, float, float]]:
    ax = chart.figure.axes[0]
    return {
        (round(p.get_x()), round(p.get_y())): mcolors.to_rgb(p.get_facecolor()[:3])
        for p in ax.patches
    }


def test_heatmap_greys_what_the_rule_does_not_flag(inst, system):
    grey = mcolors.to_rgb(UNCLEAR_COLOUR)
    flagged = cell_colours(F.value_heatmap(system["statement_scores"], inst, system["comparator"]))
    # (column, row): Honesty x Culture (0, 0) higher, Care x People (1, 1) lower.
    coloured = {cell for cell, colour in flagged.items() if colour != grey}
    assert coloured == {(0, 0), (1, 1)}
    nothing = cell_colours(
        F.value_heatmap(system["statement_scores"], inst, unflagged(system["comparator"]))
    )
    assert set(nothing.values()) == {grey}


def test_heatmap_without_comparator_colours_intervals_clear_of_the_midpoint(inst, system):
    scores = system["statement_scores"].copy()
    comp = set_apart(system["comparator"], "honesty_culture")
    comp["flag"] = "no_comparator"
    chart = F.value_heatmap(scores, inst, comp)
    grey = mcolors.to_rgb(UNCLEAR_COLOUR)
    colours = cell_colours(chart)
    # Honesty x Culture 3.58 (2.80 to 4.37): clear of 2.5; Honesty x People 3.08
    # (2.21 to 3.96) includes it: grey.
    assert colours[(0, 0)] != grey
    assert colours[(1, 0)] == grey
    assert "comparator" not in (chart.title + chart.alt + chart.caption).lower()


def test_legend_reads_scores_after_reverse_scoring(inst, system):
    # Score 0 of a negatively worded statement is the scale's top answer.
    assert answer_label(inst, 0, reverse=True) == "Consistently true"
    assert answer_label(inst, 0, reverse=False) == "Consistently not true"
    chart = F.best_worst(system["statement_scores"], system["label_distribution"], inst, 3)
    legend = chart.figure.legends[0]
    entries = [t.get_text() for t in legend.get_texts()]
    assert entries[0] == "0 Consistently not true (\u2020 Consistently true)"
    assert entries[-1] == "5 Consistently true (\u2020 Consistently not true)"
    assert "reverse scored" in legend.get_title().get_text()
    # Only negatively worded statements in a chart: their answers alone.
    only = F.labels_by_group(
        pd.DataFrame(
            {
                "grouping": "role", "group": "Administrative", "item_id": "proximity_directness",
                "label": [label for label, _ in inst.scale.labels], "score": range(5, -1, -1),
                "n": [5, 1, 1, 1, 1, 1], "pct": [50.0, 10, 10, 10, 10, 10], "suppressed": False,
            }
        ),
        inst, ["proximity_directness"], "role", 5,
    )  # fmt: skip
    entries = [t.get_text() for t in only.figure.legends[0].get_texts()]
    assert entries[0] == "0 Consistently true"


def test_percent_positive_is_explained_for_both_wordings(inst, system):
    note = positive_note(inst)
    assert "\u201cOften true\u201d to \u201cConsistently true\u201d" in note
    assert "\u201cConsistently not true\u201d to \u201cSometimes true\u201d" in note
    chart = F.best_worst(system["statement_scores"], system["label_distribution"], inst, 3)
    assert note in chart.caption


def test_captions_do_not_repeat_titles(inst, system):
    charts = F.draw_charts(plan_charts(SYSTEM, inst), system, inst, 3, 5)
    for name, chart in charts:
        assert chart.caption, name
        assert chart.title not in chart.caption, name
