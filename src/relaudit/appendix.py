"""The instrument described for readers: what each attribute, dimension or domain
means, every statement with its wording in each questionnaire version, the rating
scale and the questions about the respondent.

Everything comes from the instrument YAML (relaudit.instrument); the annex's
Definitions section and its appendices show it. Tables are escaped markdown
(relaudit.markdown); other values are plain text the templates escape.
"""

from __future__ import annotations

from typing import Any

from relaudit.instrument import Instrument
from relaudit.markdown import Markdown, md_table


def plural(word: str) -> str:
    """'attribute' -> 'attributes' (a grouping's name, for headings)."""
    return word if word.endswith("s") else f"{word}s"


def definition_blocks(instrument: Instrument) -> list[dict[str, Any]]:
    """Per framework grouping, each level with its definition ('' when the instrument
    gives none), in the instrument's order."""
    return [
        {
            "heading": f"{plural(grouping).capitalize()} of {fw.name[:1].lower()}{fw.name[1:]}",
            "levels": [
                {"name": level, "definition": fw.definitions.get(level, "")} for level in levels
            ],
        }
        for fw in instrument.frameworks
        for grouping, levels in fw.groupings.items()
    ]


def statement_matrix(instrument: Instrument, framework_id: str) -> Markdown | None:
    """Every statement of a framework with its place and its wording in each
    questionnaire version (one row per distinct wording)."""
    fw = instrument.framework(framework_id)
    several = len(instrument.versions) > 1
    rows = []
    for item in instrument.items_in(framework_id):
        wordings: dict[str, list[str]] = {}
        for version in instrument.versions:
            wordings.setdefault(item.text[version], []).append(version)
        for position, (text, versions) in enumerate(wordings.items()):
            place = [item.position.get(g, "") if position == 0 else "" for g in fw.groupings]
            cells = [*place, text]
            if several:
                cells.append(" and ".join(versions))
            cells.append(("negatively" if item.reverse else "positively") if position == 0 else "")
            rows.append(cells)
    if not rows:
        return None
    headers = [g.capitalize() for g in fw.groupings] + ["Statement"]
    widths = [14] * len(fw.groupings) + [50]
    if several:
        headers.append("Questionnaire")
        widths.append(13)
    headers.append("Worded")
    widths.append(11)
    align = "l" * len(headers)
    return md_table(headers, rows, align, widths)


def scale_table(instrument: Instrument) -> Markdown:
    """The answer labels and the score each gives a positive and a negative statement."""
    scale = instrument.scale
    rows = [
        [label, f"{scale.score(label):g}", f"{scale.score(label, reverse=True):g}"]
        for label, _ in scale.labels
    ]
    if scale.not_applicable:
        rows.append([" or ".join(scale.not_applicable), "not scored", "not scored"])
    return md_table(
        ["Answer", "Score: positive statement", "Score: negative statement"],
        rows,
        "lrr",
        [30, 20, 20],
    )


def questionnaire_questions(instrument: Instrument) -> list[dict[str, Any]]:
    """The respondent questions as asked: wording, how answered, options and extra boxes."""
    out = []
    for q in instrument.questions:
        renamed = [o for o in q.options if o.report_as != o.label]
        out.append(
            {
                "name": q.name,
                # The wording as asked, when it says more than the question's name.
                "prefix": "" if q.prefix.casefold() == q.name.casefold() else q.prefix,
                "how": "one answer" if q.single_choice else "a tick box for each answer",
                "options": [o.label for o in q.options],
                "renamed": [{"label": o.label, "report_as": o.report_as} for o in renamed],
                "multiple": "" if q.single_choice else q.multiple,
                "exclude_multiple": q.exclude_multiple,
                "other": q.other_text_label or "",
                "other_versions": " and ".join(q.other_text_versions),
            }
        )
    return out
