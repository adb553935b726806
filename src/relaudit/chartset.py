"""The chart registry: one declaration per chart (or chart family), no drawing here.

Each :class:`ChartDeclaration` says, once, what a chart is: its file name
(or a name pattern filled in per framework, grouping or statement set), its
scope (a system's briefing pack or the national annex), the tables it reads,
its draw function (a dotted ``module:function`` reference, imported only when
the chart is drawn), its document slot and its Snakemake report caption.
The Snakefile's outputs, the figures stage, the documents' figure placement,
the report captions and the tests all read :data:`REGISTRY`.

Kept apart from relaudit.figures so that the Snakefile can name every chart
output without importing matplotlib (about a second of every run's start-up).
Nothing here names an instrument's frameworks, questions or statements: they
come from the instrument (and the national groupings from the programme).

To add a chart: declare it below and write its draw function in the family
module of relaudit.figures it names; add a caption file under
workflow/report/figures/ only for a new caption kind.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from relaudit.instrument import Framework, Instrument, StatementSet

SYSTEM = "system"
NATIONAL = "national"
# The scopes whose charts an instrument plans (a system's pack, the national annex).
SCOPES = (SYSTEM, NATIONAL)
# A programme of populations' report: its charts are planned from the programme's
# populations (plan_programme_charts), not from one instrument.
PROGRAMME = "programme"
ALL_SCOPES = (*SCOPES, PROGRAMME)
# The slot of a chart no declaration names (a figure the document did not expect).
OTHER_SLOT = "other"
# Report captions, relative to a rule file under workflow/rules/.
CAPTION_FOLDER = "../report/figures"
# The section of a programme's document that breaks results down by one grouping.
BY_GROUP_SECTION = "by_group"


@dataclass(frozen=True)
class ChartDeclaration:
    """One chart, or one chart per framework, grouping or statement set.

    `name` and `slot` may hold placeholders that the expansion named by
    `each` fills in (see :data:`EXPANSIONS`): ``{framework}``, ``{grouping}``,
    ``{set}`` and ``{by}``. `draw` is ``"module:function"``; the function is
    called as ``function(ctx, **params)`` with a
    :class:`relaudit.figures.common.DrawContext` and the expansion's
    parameters, and returns a Chart. `caption` names
    ``workflow/report/figures/<caption>.rst``.
    """

    name: str
    scope: str
    tables: tuple[str, ...]
    draw: str
    slot: str
    caption: str
    each: str | None = None


@dataclass(frozen=True)
class PopulationPlan:
    """What the programme charts need of one population: its id, how many targets it
    rates and the groupings its results are broken down by (in order)."""

    id: str
    targets: int
    groupings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedChart:
    """A declaration filled in for one instrument: a chart file to draw."""

    name: str
    slot: str
    declaration: ChartDeclaration
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def caption(self) -> str:
        """The report caption's path for ``report(..., caption=...)`` in a rule file."""
        return caption_path(self.declaration)

    def draw_function(self) -> Callable[..., Any]:
        """The declaration's draw function, imported now."""
        return resolve(self.declaration.draw)


# --------------------------------------------------------------------------- expansions


def domain_grouping(fw: Framework) -> str:
    """The grouping that splits a framework's statements into domains."""
    return next(iter(fw.groupings))


def grid_frameworks(instrument: Instrument) -> list[Framework]:
    """Frameworks laid out as a grid (charted as heatmaps)."""
    return [fw for fw in instrument.frameworks if fw.grid]


def domain_frameworks(instrument: Instrument) -> list[Framework]:
    """Frameworks without a grid (charted as domain bars)."""
    return [fw for fw in instrument.frameworks if not fw.grid]


def pack_statement_sets(instrument: Instrument) -> list[StatementSet]:
    """Statement sets charted in the packs and the annex."""
    return [s for s in instrument.statement_sets if not s.annex_only]


def annex_statement_sets(instrument: Instrument) -> list[StatementSet]:
    """Statement sets charted in the annex only."""
    return [s for s in instrument.statement_sets if s.annex_only]


def small_multiple_groupings(instrument: Instrument) -> list[str]:
    """The grouping(s) the annex compares systems by, one small multiple each."""
    grids = grid_frameworks(instrument)
    if grids:
        return [grids[0].grid[0]]  # type: ignore[index]
    return [domain_grouping(instrument.frameworks[0])]


def breakdown_groupings(instrument: Instrument) -> list[str]:
    """The respondent questions results are broken down by, in questionnaire order."""
    return [q.id for q in instrument.questions_with("breakdown")]


def national_groupings(
    instrument: Instrument, documents: Mapping[str, Mapping[str, Any]] | None = None
) -> list[str]:
    """The groupings the annex breaks the framework means down by, in its order.

    From the programme's national document: its ``by_group`` sections, in
    order. Without those, the instrument's breakdown questions.
    """
    for document in (documents or {}).values():
        if document.get("scope") != NATIONAL:
            continue
        groupings = [
            str(section["grouping"])
            for section in document.get("sections", [])
            if isinstance(section, Mapping) and section.get("id") == BY_GROUP_SECTION
        ]
        if groupings:
            return groupings
    return breakdown_groupings(instrument)


Expansion = Callable[[Instrument, Sequence[str]], list[tuple[dict[str, str], dict[str, Any]]]]


def _frameworks(pick: Callable[[Instrument], list[Framework]]) -> Expansion:
    return lambda inst, _: [({"framework": fw.id}, {"framework": fw}) for fw in pick(inst)]


def _sets(pick: Callable[[Instrument], list[StatementSet]]) -> Expansion:
    return lambda inst, _: [({"set": s.id, "by": s.by}, {"statement_set": s}) for s in pick(inst)]


# What a declaration's `each` expands over: (name fields, draw parameters) per chart.
EXPANSIONS: dict[str, Expansion] = {
    "grid_framework": _frameworks(grid_frameworks),
    "domain_framework": _frameworks(domain_frameworks),
    "statement_set": _sets(pack_statement_sets),
    "annex_statement_set": _sets(annex_statement_sets),
    "grouping": lambda _, groupings: [({"grouping": g}, {"grouping": g}) for g in groupings],
    "compared_grouping": lambda inst, _: [
        ({"grouping": g}, {"grouping": g}) for g in small_multiple_groupings(inst)
    ],
}


# --------------------------------------------------------------------------- the registry

_F = "relaudit.figures"
_SYSTEM_SCORES = ("statement_scores", "comparator", "comparator_summary")

# Every chart, in document order within its scope.
REGISTRY: tuple[ChartDeclaration, ...] = (
    # A system's briefing pack.
    ChartDeclaration(
        name="{framework}_heatmap",
        scope=SYSTEM,
        tables=_SYSTEM_SCORES,
        draw=f"{_F}.frameworks:pack_heatmap",
        slot="heatmap",
        caption="heatmap",
        each="grid_framework",
    ),
    ChartDeclaration(
        name="{framework}_domains",
        scope=SYSTEM,
        tables=_SYSTEM_SCORES,
        draw=f"{_F}.frameworks:pack_domains",
        slot="proximity",
        caption="domains",
        each="domain_framework",
    ),
    ChartDeclaration(
        name="best_worst",
        scope=SYSTEM,
        tables=("statement_scores", "label_distribution"),
        draw=f"{_F}.statements:pack_best_worst",
        slot="best_worst",
        caption="best_worst",
    ),
    ChartDeclaration(
        name="all_statements",
        scope=SYSTEM,
        tables=_SYSTEM_SCORES,
        draw=f"{_F}.statements:pack_differences",
        slot="comparator",
        caption="all_statements",
    ),
    ChartDeclaration(
        name="{set}_by_{by}",
        scope=SYSTEM,
        tables=("breakdown_scores",),
        draw=f"{_F}.groups:statement_set_means",
        slot="{set}",
        caption="statement_set_means",
        each="statement_set",
    ),
    ChartDeclaration(
        name="profile",
        scope=SYSTEM,
        tables=("profile",),
        draw=f"{_F}.groups:profile",
        slot="profile",
        caption="profile",
    ),
    # The national annex.
    ChartDeclaration(
        name="responses_by_system",
        scope=NATIONAL,
        tables=("response_summary",),
        draw=f"{_F}.systems:responses",
        slot="responses",
        caption="responses_by_system",
    ),
    ChartDeclaration(
        name="profile",
        scope=NATIONAL,
        tables=("profile",),
        draw=f"{_F}.groups:profile",
        slot="profile",
        caption="profile",
    ),
    ChartDeclaration(
        name="{framework}_heatmap",
        scope=NATIONAL,
        tables=("statement_scores",),
        draw=f"{_F}.frameworks:annex_heatmap",
        slot="heatmap",
        caption="heatmap",
        each="grid_framework",
    ),
    ChartDeclaration(
        name="{framework}_domains",
        scope=NATIONAL,
        tables=("statement_scores",),
        draw=f"{_F}.frameworks:annex_domains",
        slot="proximity",
        caption="domains",
        each="domain_framework",
    ),
    ChartDeclaration(
        name="best_worst",
        scope=NATIONAL,
        tables=("statement_scores", "label_distribution"),
        draw=f"{_F}.statements:annex_best_worst",
        slot="best_worst",
        caption="best_worst",
    ),
    ChartDeclaration(
        name="consistency",
        scope=NATIONAL,
        tables=("consistency",),
        draw=f"{_F}.statements:consistency",
        slot="consistency",
        caption="consistency",
    ),
    ChartDeclaration(
        name="{set}_by_{by}",
        scope=NATIONAL,
        tables=("breakdown_labels",),
        draw=f"{_F}.groups:statement_set_labels",
        slot="{set}",
        caption="statement_set_labels",
        each="annex_statement_set",
    ),
    ChartDeclaration(
        name="frameworks_by_{grouping}",
        scope=NATIONAL,
        tables=("breakdown_scores",),
        draw=f"{_F}.groups:framework_means",
        slot="{grouping}",
        caption="frameworks_by_group",
        each="grouping",
    ),
    ChartDeclaration(
        name="{set}_by_{by}",
        scope=NATIONAL,
        tables=("breakdown_labels",),
        draw=f"{_F}.groups:statement_set_labels",
        slot="{set}",
        caption="statement_set_labels",
        each="statement_set",
    ),
    ChartDeclaration(
        name="comment_rates",
        scope=NATIONAL,
        tables=("comment_rates",),
        draw=f"{_F}.groups:comment_rates",
        slot="comment_rates",
        caption="comment_rates",
    ),
    ChartDeclaration(
        name="systems_by_{grouping}",
        scope=NATIONAL,
        tables=("group_scores", "response_summary"),
        draw=f"{_F}.systems:small_multiples",
        slot="small_multiples",
        caption="systems_by_group",
        each="compared_grouping",
    ),
    # The report of a programme of populations (relaudit.programme_report).
    ChartDeclaration(
        name="{population}_heatmap",
        scope=PROGRAMME,
        tables=("question_scores",),
        draw=f"{_F}.populations:target_heatmap",
        slot="{population}_heatmap",
        caption="population_heatmap",
        each="multi_target_population",
    ),
    ChartDeclaration(
        name="{population}_ratings",
        scope=PROGRAMME,
        tables=("label_distribution",),
        draw=f"{_F}.populations:rating_bars",
        slot="{population}_questions",
        caption="population_ratings",
        each="population",
    ),
    ChartDeclaration(
        name="no_contact",
        scope=PROGRAMME,
        tables=("no_contact",),
        draw=f"{_F}.populations:no_contact_bars",
        slot="no_contact",
        caption="population_no_contact",
    ),
    ChartDeclaration(
        name="cross_analysis",
        scope=PROGRAMME,
        tables=("cross_analysis",),
        draw=f"{_F}.populations:cross_analysis",
        slot="cross_analysis",
        caption="population_cross_analysis",
    ),
    ChartDeclaration(
        name="{population}_by_{grouping}",
        scope=PROGRAMME,
        tables=("breakdown_scores",),
        draw=f"{_F}.populations:group_bars",
        slot="{population}_{grouping}",
        caption="population_breakdown",
        each="population_grouping",
    ),
    ChartDeclaration(
        name="must_haves",
        scope=PROGRAMME,
        tables=("must_haves",),
        draw=f"{_F}.populations:must_have_bars",
        slot="must_haves",
        caption="population_must_haves",
    ),
)

ProgrammeExpansion = Callable[
    [Sequence[PopulationPlan]], list[tuple[dict[str, str], dict[str, Any]]]
]

# What a programme declaration's `each` expands over.
PROGRAMME_EXPANSIONS: dict[str, ProgrammeExpansion] = {
    "population": lambda pops: [({"population": p.id}, {"population": p.id}) for p in pops],
    "multi_target_population": lambda pops: [
        ({"population": p.id}, {"population": p.id}) for p in pops if p.targets > 1
    ],
    "population_grouping": lambda pops: [
        ({"population": p.id, "grouping": g}, {"population": p.id, "grouping": g})
        for p in pops
        for g in p.groupings
    ],
}


def declarations(scope: str) -> list[ChartDeclaration]:
    """The declarations of one scope, in document order."""
    if scope not in ALL_SCOPES:
        raise ValueError(f"unknown chart scope {scope!r}; expected one of {ALL_SCOPES}")
    return [d for d in REGISTRY if d.scope == scope]


def caption_path(declaration: ChartDeclaration) -> str:
    """The caption file of a declaration, relative to a rule file under workflow/rules/."""
    return f"{CAPTION_FOLDER}/{declaration.caption}.rst"


def resolve(reference: str) -> Callable[..., Any]:
    """The function a ``"module:function"`` reference names, importing its module."""
    module, _, function = reference.partition(":")
    return getattr(importlib.import_module(module), function)


def _expand(
    declaration: ChartDeclaration, instrument: Instrument, groupings: Sequence[str]
) -> Iterator[PlannedChart]:
    if declaration.each is None:
        yield PlannedChart(declaration.name, declaration.slot, declaration)
        return
    for fields, params in EXPANSIONS[declaration.each](instrument, groupings):
        yield PlannedChart(
            declaration.name.format(**fields),
            declaration.slot.format(**fields),
            declaration,
            params,
        )


def plan_charts(
    scope: str, instrument: Instrument, groupings: Sequence[str] | None = None
) -> list[PlannedChart]:
    """Every chart of a scope for an instrument, in document order.

    `groupings` are the national breakdowns (see :func:`national_groupings`;
    the instrument's breakdown questions when None).
    """
    chosen = breakdown_groupings(instrument) if groupings is None else list(groupings)
    charts = [c for d in declarations(scope) for c in _expand(d, instrument, chosen)]
    names = [c.name for c in charts]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{scope} charts {repeated} are declared twice for {instrument.id}")
    return charts


def plan_programme_charts(populations: Sequence[PopulationPlan]) -> list[PlannedChart]:
    """Every chart of a programme of populations' report, in document order."""
    charts: list[PlannedChart] = []
    for declaration in declarations(PROGRAMME):
        if declaration.each is None:
            charts.append(PlannedChart(declaration.name, declaration.slot, declaration))
            continue
        for fields, params in PROGRAMME_EXPANSIONS[declaration.each](populations):
            charts.append(
                PlannedChart(
                    declaration.name.format(**fields),
                    declaration.slot.format(**fields),
                    declaration,
                    params,
                )
            )
    names = [c.name for c in charts]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"programme charts {repeated} are declared twice")
    return charts


def programme_chart_names(populations: Sequence[PopulationPlan]) -> list[str]:
    """File names (no extension) of a programme report's charts, in document order."""
    return [c.name for c in plan_programme_charts(populations)]


def chart_tables(scope: str) -> list[str]:
    """The tables a scope's charts read, each once, in declaration order."""
    return list(dict.fromkeys(t for d in declarations(scope) for t in d.tables))


def system_chart_names(instrument: Instrument) -> list[str]:
    """File names (no extension) of a system's charts, in document order."""
    return [c.name for c in plan_charts(SYSTEM, instrument)]


def national_chart_names(
    instrument: Instrument, groupings: Sequence[str] | None = None
) -> list[str]:
    """File names (no extension) of the national annex's charts, in document order."""
    return [c.name for c in plan_charts(NATIONAL, instrument, groupings)]


# --------------------------------------------------------------------------- document slots

# The slots no placeholder makes, in registry order, then "other".
FIGURE_SLOTS: tuple[str, ...] = (
    *dict.fromkeys(d.slot for d in REGISTRY if "{" not in d.slot and d.scope in SCOPES),
    OTHER_SLOT,
)


def figure_slots(instrument: Instrument) -> tuple[str, ...]:
    """Every slot a document can ask for with this instrument: the fixed slots, one
    per breakdown grouping and one per statement set (empty when no chart fills it)."""
    planned = [c.slot for scope in SCOPES for c in plan_charts(scope, instrument)]
    per_instrument = [*breakdown_groupings(instrument), *(s.id for s in instrument.statement_sets)]
    return tuple(dict.fromkeys([*FIGURE_SLOTS[:-1], *planned, *per_instrument, OTHER_SLOT]))


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    return re.compile(
        "".join(
            f"(?P<{p[1:-1]}>.+)" if p.startswith("{") and p.endswith("}") else re.escape(p)
            for p in parts
        )
    )


# Most specific patterns first (most literal characters), so that a family with a
# fixed prefix ("frameworks_by_...") wins over one that is all placeholders.
_PATTERNS = sorted(
    ((_pattern(d.name), d) for d in REGISTRY if d.scope in SCOPES),
    key=lambda pair: -len(re.sub(r"\{\w+\}", "", pair[1].name)),
)


def chart_slot(name: str, instrument: Instrument | None = None) -> str:
    """The document slot a chart file name (no extension) goes to.

    With the instrument, the name is looked up among the charts planned for
    it. Without, it is matched against the declarations' name patterns (most
    specific first), which cannot tell a pack statement set from an annex-only
    one. A name no declaration makes goes to "other".
    """
    if instrument is not None:
        for scope in SCOPES:
            for chart in plan_charts(scope, instrument):
                if chart.name == name:
                    return chart.slot
        return OTHER_SLOT
    for pattern, declaration in _PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            return declaration.slot.format(**match.groupdict())
    return OTHER_SLOT
