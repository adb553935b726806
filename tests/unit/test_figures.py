"""Tests for relaudit.figures and the chart registry (relaudit.chartset): shapes of
every chart, suppression, determinism, and that every declared chart is drawn.

The fixture tables (tests/fixtures/tables/) use a tiny 8-item instrument.
Expected numbers below were worked out by hand from the answer counts in
tests/fixtures/tables/make_fixtures.py, e.g. Honesty × Culture answers
[0, 1, 1, 3, 4, 3] on scores 0-5: (1 + 2 + 9 + 16 + 15) / 12 = 43 / 12 = 3.58.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from known_answers import CQC_SYSTEM_CHARTS
from matplotlib.patches import Rectangle

from relaudit import chartset
from relaudit import figures as F
from relaudit.chartset import NATIONAL, REGISTRY, SYSTEM, plan_charts
from relaudit.config import load_programme
from relaudit.instrument import StatementSet, load_instrument
from relaudit.io import read_csv
from relaudit.labels import short_label, short_labels
from relaudit.style import text_colour_on

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "tables"
CQC = ROOT / "config" / "instruments" / "cqc-relational-audit.yaml"
COUNCIL = ROOT / "tests" / "fixtures" / "instruments" / "council-partner-relationships.yaml"
PROGRAMME = ROOT / "config" / "programmes" / "cqc-relational-audit-2017.yaml"
CAPTIONS = ROOT / "workflow" / "report" / "figures"
RULES = ROOT / "workflow" / "rules"
K = 5
COMM = ["care_tools", "proximity_directness"]
# The fixture instrument's statement sets: one charted in packs and annex, one annex only.
SETS = (
    StatementSet(id="communication", name="Communication", items=tuple(COMM), by="role"),
    StatementSet(
        id="proximity_parity",
        name="Parity",
        items=("proximity_parity",),
        by="org_type",
        annex_only=True,
    ),
)


@pytest.fixture(scope="module")
def inst():
    plain = load_instrument(FIXTURES / "instrument.yaml")
    return dataclasses.replace(plain, statement_sets=SETS)


@pytest.fixture(scope="module")
def cqc():
    return load_instrument(CQC)


def draw(scope: str, tables: dict[str, pd.DataFrame], instrument, top_n: int = 3):
    return F.draw_charts(plan_charts(scope, instrument), tables, instrument, top_n, K)


@pytest.fixture(scope="module")
def system():
    return {p.stem: read_csv(p) for p in sorted((FIXTURES / "system").glob("*.csv"))}


@pytest.fixture(scope="module")
def national():
    return {p.stem: read_csv(p) for p in sorted((FIXTURES / "national").glob("*.csv"))}


def no_comparator(system: dict[str, pd.DataFrame]) -> pd.DataFrame:
    comp = system["comparator"].copy()
    for column in ("comparator_n", "comparator_mean", "diff", "diff_ci_low", "diff_ci_high"):
        comp[column] = float("nan")
    comp["flag"] = "no_comparator"
    return comp


def bars(ax) -> list[Rectangle]:
    """Bars and cells drawn in an Axes (legend handles live elsewhere)."""
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def suppressed_labels(ax) -> int:
    """Labels of groups hidden as small: fewer than K respondents or answers."""
    small = {f"fewer than {K} respondents", f"fewer than {K} answers"}
    return sum(1 for t in texts(ax) if t in small)


# ------------------------------------------------------------------ labels


def test_short_labels_come_from_positions(cqc):
    labels = short_labels(cqc)
    assert labels["fairness_culture"] == "Fairness \u00d7 Culture"
    assert labels["trust_people"] == "Trust \u00d7 People"
    assert labels["proximity_continuity"] == "Proximity: Continuity"
    assert len(set(labels.values())) == len(cqc.items) == 35
    assert short_label(cqc, "proximity_parity@Housing") == "Proximity: Parity \u2013 Housing"


def test_chart_names_for_the_cqc_instrument(cqc):
    assert chartset.system_chart_names(cqc) == CQC_SYSTEM_CHARTS
    programme = load_programme(PROGRAMME)
    groupings = chartset.national_groupings(cqc, programme["documents"])
    assert groupings == ["tenure", "org_type", "role"]  # the annex's by_group sections
    assert chartset.national_chart_names(cqc, groupings) == [
        "responses_by_system",
        "profile",
        "relational_value_heatmap",
        "relational_proximity_domains",
        "best_worst",
        "consistency",
        "proximity_commonality_by_org_type",
        "frameworks_by_tenure",
        "frameworks_by_org_type",
        "frameworks_by_role",
        "communication_by_role",
        "comment_rates",
        "systems_by_attribute",
    ]


def test_text_colour_is_readable():
    assert text_colour_on("#08306B") == "#FFFFFF"
    assert text_colour_on("#F7F7F7") == "#000000"


# ------------------------------------------------------------------ per system


def test_heatmap_has_one_cell_per_grid_item(inst, system):
    chart = F.value_heatmap(
        system["statement_scores"],
        inst,
        system["comparator"],
        comparator_summary=system["comparator_summary"],
    )
    ax = chart.figure.axes[0]
    assert len(bars(ax)) == 6  # 2 attributes x 3 dimensions
    assert "3.6\n+1.0" in texts(ax)  # 43/12 = 3.58; 3.58 - 2.6 = +0.98
    assert "1.5\n\u22121.4" in texts(ax)  # 17/11 = 1.55; 1.55 - 2.9 = -1.35
    assert (
        chart.title
        == "Honesty \u00d7 Culture scores highest (3.6); Care \u00d7 People lowest (1.5)"
    )
    # Counted from the comparator table's flags, never from the differences.
    assert "of the 6 statements, 1 flagged higher and 1 flagged lower" in chart.alt
    assert "3 other" in chart.caption


def test_heatmap_without_comparator_is_relative_to_midpoint(inst, system):
    chart = F.value_heatmap(system["statement_scores"], inst, no_comparator(system))
    ax = chart.figure.axes[0]
    cells = {(round(p.get_x()), round(p.get_y())): p.get_facecolor() for p in bars(ax)}
    r, _, b = mcolors.to_rgb(cells[(0, 0)][:3])  # Honesty x Culture 3.58 > 2.5: blue
    assert b > r
    r, _, b = mcolors.to_rgb(cells[(1, 1)][:3])  # Care x People 1.55 < 2.5: red
    assert r > b
    assert "3.6" in texts(ax)
    assert "midpoint" in chart.alt


def test_domain_bars_pair_system_and_comparator(inst, system):
    chart = F.domain_bars(
        system["statement_scores"], inst, "relational_proximity", system["comparator"]
    )
    assert len(bars(chart.figure.axes[0])) == 4
    # Parity 32/12 = 2.67, Directness (reverse scored) 30/12 = 2.5.
    assert chart.title.startswith("Relational proximity: Parity scores highest (2.7)")
    alone = F.domain_bars(system["statement_scores"], inst, "relational_proximity")
    assert len(bars(alone.figure.axes[0])) == 2
    assert "comparator" not in alone.title


def test_best_worst_diverging_stack(inst, system):
    chart = F.best_worst(system["statement_scores"], system["label_distribution"], inst, top_n=3)
    ax = chart.figure.axes[0]
    assert len(bars(ax)) == 6 * 6  # 3 best + 3 worst, 6 labels each
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "Honesty \u00d7 Culture (n = 12)"
    assert ticks[-1] == "Care \u00d7 People (n = 11)"
    assert ticks[3] == "Proximity: Directness \u2020 (n = 12)"
    # Directness is reverse scored: "Often/Mostly/Consistently true" (3 + 2 + 1 of 12)
    # are the bad answers, 50%, stacked left of 0; the worst (score 0) outermost.
    row = [p for p in bars(ax) if abs(p.get_y() + p.get_height() / 2 - 3) < 1e-9]
    assert min(p.get_x() for p in row) == pytest.approx(-50.0)
    outermost = min(row, key=lambda p: p.get_x())
    assert outermost.get_width() == pytest.approx(100 / 12)  # one "Consistently true"
    assert chart.title == (
        "Best: Honesty \u00d7 Culture (83% positive); worst: Care \u00d7 People (27% positive)"
    )


def test_statement_differences_sorted_with_intervals(inst, system):
    chart = F.statement_differences(
        system["comparator"], system["statement_scores"], inst, system["comparator_summary"]
    )
    ax = chart.figure.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 8
    assert ticks[0] == "Honesty \u00d7 Culture" and ticks[-1] == "Care \u00d7 People"
    assert chart.title.startswith("1 statement scores higher than the comparator, 1 lower and 6")
    plain = F.statement_differences(no_comparator(system), system["statement_scores"], inst)
    # Without a comparator the chart says what it shows, not that there is none
    # (the pack says that once).
    assert plain.title.startswith("Honesty \u00d7 Culture scores highest")
    assert "comparator" not in (plain.title + plain.alt + plain.caption).lower()


def test_communication_by_role_hides_small_groups(inst, system):
    chart = F.group_means(system["breakdown_scores"], inst, "role", COMM, K)
    panels = chart.figure.axes
    assert len(panels) == 2
    for ax in panels:
        assert len(bars(ax)) == 2  # Senior executive (5) and Direct service delivery (6)
        assert suppressed_labels(ax) == 1  # Administrative (1)
        assert all(abs(p.get_y() + p.get_height() / 2 - 2) > 0.5 for p in bars(ax))
    assert "Administrative" in chart.alt and "fewer than 5" in chart.alt


def test_profile_draws_only_unsuppressed_groups(inst, system):
    chart = F.profile_chart(system["profile"], inst, K)
    panels = chart.figure.axes
    assert [len(bars(ax)) for ax in panels] == [1, 2, 1]
    assert [suppressed_labels(ax) for ax in panels] == [2, 1, 1]
    assert "VCSE" not in " ".join(t for ax in panels for t in texts(ax) if t[0].isdigit())


def test_system_chart_set_matches_names(inst, system):
    charts = draw(SYSTEM, system, inst)
    assert [n for n, _ in charts] == [
        "relational_value_heatmap",
        "relational_proximity_domains",
        "best_worst",
        "all_statements",
        "communication_by_role",
        "profile",
    ]
    for _, chart in charts:
        assert chart.title and chart.alt
        assert chart.figure.get_suptitle()


# ------------------------------------------------------------------ national


def test_responses_by_system_marks_version_change(inst, national):
    chart = F.responses_by_system(national["response_summary"])
    ax = chart.figure.axes[0]
    assert len(bars(ax)) == 6  # on time + late for 3 systems
    assert "questionnaire v1 \u2192 v2" in texts(ax)
    assert chart.title == "60 responses from 3 systems, from 12 (Beta & Sons) to 26 (Gamma)"
    assert "from Gamma" in chart.alt


def test_consistency_counts(inst, national):
    chart = F.consistency_chart(national["consistency"], inst)
    ax = chart.figure.axes[0]
    assert len(bars(ax)) == 2 * 8
    assert chart.title.startswith("Honesty \u00d7 Culture is in the top five in 3 of 3 systems")


def test_labels_by_group_hides_small_groups(inst, national):
    chart = F.labels_by_group(
        national["breakdown_labels"], inst, ["proximity_parity"], "org_type", K
    )
    ax = chart.figure.axes[0]
    assert len(bars(ax)) == 2 * 6  # VCSE (4) suppressed
    assert suppressed_labels(ax) == 1
    table = national["breakdown_labels"]
    rows = table[(table["item_id"] == "proximity_parity") & (table["grouping"] == "org_type")]
    n = rows.groupby("group")["n"].sum()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == [
        f"Health provider ({int(n['Health provider'])} answers)",
        f"Social care provider ({int(n['Social care provider'])} answers)",
        "VCSE",
    ]


def test_comment_rates(inst, national):
    chart = F.comment_rates_chart(national["comment_rates"], inst, K)
    assert [len(bars(ax)) for ax in chart.figure.axes] == [2, 2]
    assert [suppressed_labels(ax) for ax in chart.figure.axes] == [1, 1]
    assert chart.title == "Senior executive respondents comment most often (50%, 6 of 12)"


def test_small_multiples_one_panel_per_system(inst, national):
    chart = F.system_small_multiples(
        national["group_scores"], national["response_summary"], inst, "attribute"
    )
    visible = [ax for ax in chart.figure.axes if ax.get_visible()]
    assert len(visible) == 3
    assert [ax.get_title(loc="left") for ax in visible] == ["Alpha", "Beta & Sons", "Gamma"]
    # One dot per attribute (2) and one national tick per attribute, no bars.
    assert all(len(ax.collections[-1].get_offsets()) == 2 for ax in visible)
    assert all(not bars(ax) for ax in visible)


def test_national_chart_set_matches_names(inst, national):
    charts = draw(NATIONAL, national, inst)
    assert [n for n, _ in charts] == [
        "responses_by_system",
        "profile",
        "relational_value_heatmap",
        "relational_proximity_domains",
        "best_worst",
        "consistency",
        "proximity_parity_by_org_type",
        "frameworks_by_org_type",  # no programme: the breakdown questions, in order
        "frameworks_by_role",
        "frameworks_by_tenure",
        "communication_by_role",
        "comment_rates",
        "systems_by_attribute",
    ]
    for _, chart in charts:
        assert chart.title and chart.alt


# ------------------------------------------------------------------ files


def test_hostile_group_names_stay_text(inst, system, tmp_path):
    profile = system["profile"].copy()
    profile.loc[0, "group"] = "$\\alpha$ <script>alert(1)</script>"
    chart = F.profile_chart(profile, inst, K)
    F.save_charts([("profile", chart)], tmp_path)
    svg = (tmp_path / "profile.svg").read_text(encoding="utf-8")
    assert "<script>" not in svg
    assert "$\\alpha$ &lt;script&gt;" in svg


def test_files_are_byte_identical_and_listed(inst, system, tmp_path):
    def build(out: Path) -> list[dict]:
        return F.save_charts(draw(SYSTEM, system, inst), out)

    first = build(tmp_path / "a")
    build(tmp_path / "b")
    names = chartset.system_chart_names(inst)
    for name in names:
        for ext in ("svg", "png"):
            a = (tmp_path / "a" / f"{name}.{ext}").read_bytes()
            assert a == (tmp_path / "b" / f"{name}.{ext}").read_bytes(), f"{name}.{ext}"
    listed = json.loads((tmp_path / "a" / "figures.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in listed] == names
    assert listed == first
    assert listed[0]["svg"] == "relational_value_heatmap.svg"
    assert listed[0]["png"] == "relational_value_heatmap.png"
    svg = (tmp_path / "a" / "relational_value_heatmap.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert "<text" in svg and "DejaVu Sans" in svg  # real text with a font stack
    assert 'id="relaudit-relational_value_heatmap"' in svg  # unique root id per chart
    assert b"Software" not in (tmp_path / "a" / "profile.png").read_bytes()


def test_multiple_lengths_of_time_are_left_out(inst, system):
    profile = system["profile"].copy()
    extra = {"question": "tenure", "group": "Multiple", "n": 6, "pct": 10.0, "suppressed": False}
    profile = pd.concat([profile, pd.DataFrame([extra])], ignore_index=True)
    chart = F.profile_chart(profile, inst, K)
    tenure = chart.figure.axes[2]
    assert "Multiple" not in [t.get_text() for t in tenure.get_yticklabels()]
    assert len(bars(tenure)) == 1


def per_target_tables(instrument) -> dict[str, pd.DataFrame]:
    """Made-up per-system tables for a per-target instrument (ids "item@target")."""
    ids = [f"{i.id}@{t}" for i in instrument.items for t in instrument.targets]
    means = [1.5 + (k % 7) * 0.3 for k in range(len(ids))]
    scores = pd.DataFrame({"item_id": ids, "framework": "relationship", "n": 20, "mean": means})
    scores["sd"], scores["ci_low"], scores["ci_high"] = (
        0.8,
        scores["mean"] - 0.4,
        scores["mean"] + 0.4,
    )
    scores["pct_positive"] = 50.0
    scores["rank"] = scores["mean"].rank(ascending=False, method="min").astype(int)
    labels = pd.DataFrame(
        [
            {"item_id": i, "label": label, "score": score, "n": 5, "pct": 25.0}
            for i in ids
            for label, score in instrument.scale.labels
        ]
    )
    comp = scores[["item_id", "n", "mean"]].assign(
        comparator_n=60, comparator_mean=2.5, flag="similar"
    )
    comp["diff"] = comp["mean"] - 2.5
    comp["diff_ci_low"], comp["diff_ci_high"] = comp["diff"] - 0.5, comp["diff"] + 0.5
    profile = pd.DataFrame(
        [
            {"question": "provider_type", "group": "Home care", "n": 12, "pct": 60.0},
            {"question": "provider_type", "group": "Residential care", "n": 8, "pct": 40.0},
        ]
    ).assign(suppressed=False)
    return {
        "statement_scores": scores,
        "label_distribution": labels,
        "comparator": comp,
        "profile": profile,
        "breakdown_scores": pd.DataFrame(
            columns=["grouping", "group", "measure", "n", "mean", "pct_positive", "suppressed"]
        ),
    }


def test_a_per_target_instrument_needs_no_code_change():
    council = load_instrument(COUNCIL)
    names = chartset.system_chart_names(council)
    assert names == ["relationship_domains", "best_worst", "all_statements", "profile"]
    charts = draw(SYSTEM, per_target_tables(council), council, top_n=5)
    assert [n for n, _ in charts] == names
    domains = dict(charts)["relationship_domains"]
    assert len(bars(domains.figure.axes[0])) == 2 * 4  # 4 aspects, system and comparator
    ticks = [t.get_text() for t in dict(charts)["best_worst"].figure.axes[0].get_yticklabels()]
    assert any("\u2013 Commissioning" in t.replace("\n", " ") for t in ticks)
    labels = short_labels(council)
    assert labels["replies_promptly"] == "Quality: Communication (replies promptly)"
    assert "frameworks_by_provider_type" in chartset.national_chart_names(council)


# ------------------------------------------------------------------ the registry


def test_each_chart_is_declared_once_per_scope():
    # Two declarations may share a name pattern when they expand over different things.
    keys = [(d.scope, d.name, d.each) for d in REGISTRY]
    assert len(keys) == len(set(keys))
    assert {d.scope for d in REGISTRY} == {SYSTEM, NATIONAL, chartset.PROGRAMME}
    # Programme charts expand per population (tests/unit/test_programme_figures.py).
    assert all(
        d.each is None or d.each in chartset.EXPANSIONS
        for d in REGISTRY
        if d.scope != chartset.PROGRAMME
    )


def test_every_declaration_is_drawn_for_an_instrument_that_has_it(inst, system, national):
    drawn: set[chartset.ChartDeclaration] = set()
    for scope, tables in ((SYSTEM, system), (NATIONAL, national)):
        planned = plan_charts(scope, inst)
        charts = F.draw_charts(planned, tables, inst, 3, K)
        assert [n for n, _ in charts] == [c.name for c in planned]
        assert all(isinstance(chart, F.Chart) for _, chart in charts)
        drawn |= {c.declaration for c in planned}
    assert drawn == {d for d in REGISTRY if d.scope != chartset.PROGRAMME}


def test_draw_references_resolve():
    for declaration in REGISTRY:
        assert callable(chartset.resolve(declaration.draw)), declaration.draw
        assert declaration.draw.startswith("relaudit.figures.")


def test_declared_tables_are_the_scopes_tables():
    system_tables = {p.stem for p in (FIXTURES / "system").glob("*.csv")}
    national_tables = {p.stem for p in (FIXTURES / "national").glob("*.csv")}
    assert set(chartset.chart_tables(SYSTEM)) <= system_tables
    assert set(chartset.chart_tables(NATIONAL)) <= national_tables
    assert "comment_rates" in chartset.chart_tables(NATIONAL)
    assert "group_scores" not in chartset.chart_tables(SYSTEM)  # no system chart reads it


def test_every_caption_exists_and_is_used():
    for declaration in REGISTRY:
        path = chartset.caption_path(declaration)
        assert path == f"../report/figures/{declaration.caption}.rst"
        assert (RULES / path).resolve().is_file(), path
    used = {d.caption for d in REGISTRY}
    assert {p.stem for p in CAPTIONS.glob("*.rst")} == used


def test_planned_charts_carry_their_caption(cqc):
    captions = {c.name: c.caption for c in plan_charts(NATIONAL, cqc)}
    assert captions["frameworks_by_role"] == "../report/figures/frameworks_by_group.rst"
    assert captions["proximity_commonality_by_org_type"] == (
        "../report/figures/statement_set_labels.rst"
    )
    assert captions["relational_value_heatmap"] == "../report/figures/heatmap.rst"


def test_statement_sets_come_from_the_instrument(cqc):
    without = dataclasses.replace(cqc, statement_sets=())
    assert "communication_by_role" not in chartset.system_chart_names(without)
    national = chartset.national_chart_names(without)
    assert "communication_by_role" not in national
    assert "proximity_commonality_by_org_type" not in national
    renamed = dataclasses.replace(
        cqc,
        statement_sets=(
            StatementSet(id="pace", name="Pace", items=("trust_people",), by="tenure"),
        ),
    )
    assert "pace_by_tenure" in chartset.system_chart_names(renamed)
    assert "pace_by_tenure" in chartset.national_chart_names(renamed)


def test_national_groupings():
    council = load_instrument(COUNCIL)
    assert chartset.national_groupings(council) == ["provider_type", "provider_size"]
    documents = {
        "pack": {"scope": "system", "sections": [{"id": "by_group", "grouping": "a"}]},
        "annex": {
            "scope": "national",
            "sections": ["background", {"id": "by_group", "grouping": "provider_size"}],
        },
    }
    assert chartset.national_groupings(council, documents) == ["provider_size"]
    assert chartset.national_groupings(council, {"annex": {"scope": "national"}}) == [
        "provider_type",
        "provider_size",
    ]


def test_a_name_declared_twice_is_refused(cqc):
    with pytest.raises(ValueError, match="declared twice"):
        plan_charts(NATIONAL, cqc, ["role", "role"])
    with pytest.raises(ValueError, match="unknown chart scope"):
        plan_charts("regional", cqc)


CQC_SLOTS = {
    "relational_value_heatmap": "heatmap",
    "relational_proximity_domains": "proximity",
    "best_worst": "best_worst",
    "all_statements": "comparator",
    "communication_by_role": "communication",
    "profile": "profile",
    "responses_by_system": "responses",
    "consistency": "consistency",
    "proximity_commonality_by_org_type": "proximity_commonality",
    "frameworks_by_tenure": "tenure",
    "frameworks_by_org_type": "org_type",
    "frameworks_by_role": "role",
    "comment_rates": "comment_rates",
    "systems_by_attribute": "small_multiples",
    "something_new": "other",
}


@pytest.mark.parametrize(("name", "slot"), CQC_SLOTS.items())
def test_chart_slots(cqc, name, slot):
    assert chartset.chart_slot(name, cqc) == slot
    assert slot in chartset.figure_slots(cqc)


def test_chart_slots_by_name_alone():
    assert chartset.chart_slot("frameworks_by_provider_type") == "provider_type"
    assert chartset.chart_slot("systems_by_aspect") == "small_multiples"
    assert chartset.chart_slot("value_heatmap") == "heatmap"
    assert chartset.chart_slot("best_worst") == "best_worst"
    assert chartset.chart_slot("something_new") == "other"
    assert chartset.FIGURE_SLOTS[-1] == "other"
    assert "tenure" not in chartset.FIGURE_SLOTS  # per-instrument slots need the instrument


def test_figure_slots_cover_every_grouping_and_set(cqc):
    slots = chartset.figure_slots(cqc)
    assert {"tenure", "org_type", "role", "communication"} <= set(slots)
    assert set(chartset.FIGURE_SLOTS) <= set(slots)
    assert len(slots) == len(set(slots))


def _literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_chart_code_names_nothing_of_the_relational_audit(cqc):
    """Items, questions, groups, frameworks and statement sets come from the instrument."""
    names = set(cqc.item_ids) | {s.id for s in cqc.statement_sets}
    for question in cqc.questions:
        names |= {question.id, question.name, *question.reported_groups}
    for fw in cqc.frameworks:
        names |= {fw.id, fw.name, *fw.groupings}
        names |= {level for levels in fw.groupings.values() for level in levels}
    modules = [ROOT / "src" / "relaudit" / "chartset.py"]
    modules += sorted((ROOT / "src" / "relaudit" / "figures").glob("*.py"))
    modules += [ROOT / "workflow" / "scripts" / "figures.py"]
    for module in modules:
        found = _literals(module) & names
        assert not found, f"{module.name} names {sorted(found)}"
