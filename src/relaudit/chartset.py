"""Which charts a pack and the annex have, by file name: no drawing here.

Kept apart from relaudit.figures so that the Snakefile can name every chart
output without importing matplotlib (about a second of every run's start-up).
"""

from __future__ import annotations

from collections.abc import Sequence

from relaudit.instrument import Framework, Instrument

# The communication statements charted by role, when the instrument has them.
DEFAULT_COMMUNICATION_ITEMS = ("integrity_technology", "proximity_directness")


def domain_grouping(fw: Framework) -> str:
    """The grouping that splits a framework's statements into domains."""
    return next(iter(fw.groupings))


def communication_items(
    instrument: Instrument, wanted: Sequence[str] = DEFAULT_COMMUNICATION_ITEMS
) -> list[str]:
    """The communication statements this instrument has (others are skipped)."""
    return [i for i in wanted if i in instrument.item_ids]


def proximity_frameworks(instrument: Instrument) -> list[Framework]:
    """Frameworks without a grid (charted as domain bars)."""
    return [fw for fw in instrument.frameworks if not fw.grid]


def grid_frameworks(instrument: Instrument) -> list[Framework]:
    """Frameworks laid out as a grid (charted as heatmaps)."""
    return [fw for fw in instrument.frameworks if fw.grid]


def system_chart_names(
    instrument: Instrument, comm_items: Sequence[str] = DEFAULT_COMMUNICATION_ITEMS
) -> list[str]:
    """File names (no extension) of a system's charts, in document order."""
    names = [f"{fw.id}_heatmap" for fw in grid_frameworks(instrument)]
    names += [f"{fw.id}_domains" for fw in proximity_frameworks(instrument)]
    names += ["best_worst", "all_statements"]
    if communication_items(instrument, comm_items):
        names.append("communication_by_role")
    names.append("profile")
    return names


# The annex's order for the respondent questions it breaks results down by; an
# instrument's other questions follow in questionnaire order.
PREFERRED_GROUPINGS = ("tenure", "org_type", "role")


def national_groupings(instrument: Instrument) -> list[str]:
    """Respondent question ids to break the national framework means down by."""
    ids = [q.id for q in instrument.questions]
    return [g for g in PREFERRED_GROUPINGS if g in ids] + [
        g for g in ids if g not in PREFERRED_GROUPINGS
    ]


def national_chart_names(
    instrument: Instrument,
    comm_items: Sequence[str] = DEFAULT_COMMUNICATION_ITEMS,
    commonality_item: str = "proximity_commonality",
) -> list[str]:
    """File names (no extension) of the national annex's charts, in document order."""
    names = ["responses_by_system", "profile"]
    names += [f"{fw.id}_heatmap" for fw in grid_frameworks(instrument)]
    names += [f"{fw.id}_domains" for fw in proximity_frameworks(instrument)]
    names += ["best_worst", "consistency"]
    if commonality_item in instrument.item_ids:
        names.append(f"{commonality_item}_by_org_type")
    names += [f"frameworks_by_{g}" for g in national_groupings(instrument)]
    if communication_items(instrument, comm_items):
        names.append("communication_by_role")
    names.append("comment_rates")
    names += [f"systems_by_{g}" for g in small_multiple_groupings(instrument)]
    return names


def small_multiple_groupings(instrument: Instrument) -> list[str]:
    """The grouping(s) the annex compares systems by, one small multiple each."""
    grids = grid_frameworks(instrument)
    if grids:
        return [grids[0].grid[0]]  # type: ignore[index]
    return [domain_grouping(instrument.frameworks[0])]


# Where each chart goes in a document: a slot takes every chart whose name
# contains one of its keywords (first slot that matches wins, in this order);
# a chart matching no slot goes to the slot "other" rather than being dropped.
_SLOT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("profile", ("profile",)),
    ("responses", ("responses_by_system", "response")),
    ("communication", ("communication",)),
    ("comment_rates", ("comment_rate",)),
    ("small_multiples", ("systems_by_", "small_multiple")),
    ("tenure", ("frameworks_by_tenure",)),
    ("org_type", ("frameworks_by_org_type",)),
    ("role", ("frameworks_by_role",)),
    ("item_by_group", ("_by_",)),
    ("consistency", ("consistency",)),
    ("heatmap", ("heatmap",)),
    ("best_worst", ("best", "worst")),
    ("comparator", ("all_statements", "comparator", "difference")),
    ("proximity", ("domains", "proximity")),
)
FIGURE_SLOTS = (*(slot for slot, _ in _SLOT_KEYWORDS), "other")


def chart_slot(name: str) -> str:
    """The document slot a chart file name goes to."""
    lowered = name.lower()
    for slot, keywords in _SLOT_KEYWORDS:
        if any(k in lowered for k in keywords):
            return slot
    return "other"
