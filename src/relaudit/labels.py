"""Short names for statements, measures, respondent questions and groups.

The one place that decides how a statement is named in a chart or a table and
in which order a question's groups are listed; charts and documents both use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from relaudit.instrument import Instrument


def short_labels(instrument: Instrument) -> dict[str, str]:
    """A short, unique label for every item, derived from its position.

    Grid items read "Row × Column" (e.g. "Fairness × Culture"); other items
    "Framework: level" using the framework name's last word (e.g.
    "Proximity: Continuity"). Labels that would repeat get the item id.
    """
    labels: dict[str, str] = {}
    for item in instrument.items:
        fw = instrument.framework(item.framework)
        if fw.grid:
            row, col = fw.grid
            label = f"{item.position[row]} \u00d7 {item.position[col]}"
        else:
            levels = " / ".join(item.position[g] for g in fw.groupings if g in item.position)
            label = f"{fw.label_name}: {levels}"
        labels[item.id] = label
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    for item_id, label in labels.items():
        if counts[label] > 1:
            labels[item_id] = f"{label} ({item_id.replace('_', ' ')})"
    return labels


def short_label(instrument: Instrument, item_id: str) -> str:
    """Short label of an item id (``item@target`` ids get the target appended)."""
    base, _, target = str(item_id).partition("@")
    label = short_labels(instrument).get(base, base)
    return f"{label} \u2013 {target}" if target else label


def measure_label(instrument: Instrument, measure: str) -> str:
    """Label of a breakdown measure: an item's short label or a framework's name."""
    for fw in instrument.frameworks:
        if fw.id == measure:
            return fw.name
    return short_label(instrument, measure)


def question_name(instrument: Instrument, grouping: str) -> str:
    """Display name of a respondent question id (or the id itself)."""
    for question in instrument.questions:
        if question.id == grouping or question.name == grouping:
            return question.name
    return grouping.replace("_", " ").capitalize()


def group_order(instrument: Instrument, grouping: str, groups: Iterable[str]) -> list[str]:
    """Groups in questionnaire order, then any others alphabetically.

    The "Multiple" group of a question that excludes multiple answers is dropped.
    """
    present = list(dict.fromkeys(str(g) for g in groups))
    known: list[str] = []
    for question in instrument.questions:
        if question.id == grouping or question.name == grouping:
            known = question.reported_groups
            if question.exclude_multiple:
                # e.g. several lengths of time ticked: left out of charts by definition.
                known = [g for g in known if g != question.multiple]
                present = [g for g in present if g != question.multiple]
    ordered = [g for g in known if g in present]
    return ordered + sorted(g for g in present if g not in ordered)


def answer_label(instrument: Instrument, score: float, reverse: bool) -> str:
    """The answer label that scores `score` (after reverse scoring when `reverse`)."""
    scale = instrument.scale
    for label, _ in scale.labels:
        if scale.score(label, reverse=reverse) == score:
            return label
    raise KeyError(score)


def positive_answers(instrument: Instrument, reverse: bool) -> list[str]:
    """The answer labels that count as positive for a statement, in scale order."""
    scale = instrument.scale
    return [
        label
        for label, _ in scale.labels
        if (scale.score(label, reverse=reverse) or 0.0) >= scale.positive_threshold
    ]


def _span(labels: list[str]) -> str:
    if len(labels) == 1:
        return f"\u201c{labels[0]}\u201d"
    return f"\u201c{labels[0]}\u201d to \u201c{labels[-1]}\u201d"


def positive_note(instrument: Instrument, negative: bool | None = None) -> str:
    """What "% positive" counts, from the scale: for a positively worded statement
    and, when the instrument has any (or `negative` says so), a reverse-scored one."""
    has_negative = any(item.reverse for item in instrument.items) if negative is None else negative
    text = (
        "\u201c% positive\u201d is the share of answers from "
        f"{_span(positive_answers(instrument, reverse=False))}"
    )
    if has_negative:
        text += (
            "; for a negatively worded statement, which is reverse scored, it is the share "
            f"from {_span(positive_answers(instrument, reverse=True))}"
        )
    return text + "."
