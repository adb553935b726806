"""Tiny clean frames of a populations programme, shared by the score tests.

See tests/unit/test_population_scores.py for the tables they hold and the
figures worked out by hand from them.
"""

from __future__ import annotations

import math

import pandas as pd

from relaudit import population_scores as ps
from relaudit.instrument import parse_instrument

X = "x"  # no contact
DNA = "Did not answer"


def instrument_data(targets: list[str], question: str, options: list[str]) -> dict:
    """Two questions rated 1-4 per target; 0 or "No contact" is not a rating."""
    return (
        {
            "id": f"tiny-{question}",
            "versions": ["v1"],
            "rating_unit": "per_target",
            "targets": targets,
            "target_header": "{target} - {text}",
            "columns": {"response_id": "ID", "submitted": "Submitted", "comment_prefix": "Any"},
            "scale": {
                "labels": [{"label": str(s), "score": s} for s in range(1, 5)],
                "not_applicable": ["0", "No contact"],
                "positive_threshold": 3,
                "midpoint": 2.5,
            },
            "frameworks": [{"id": "fw", "groupings": {"aspect": ["P", "Q"]}}],
            "respondent_questions": [
                {"id": question, "prefix": f"Your {question}?", "layout": "single_choice",
                 "options": [{"label": o} for o in options]},
            ],
            "items": [
                {"id": "q1", "framework": "fw", "position": {"aspect": "P"},
                 "polarity": "positive", "text": {"v1": "Question one"}},
                {"id": "q2", "framework": "fw", "position": {"aspect": "Q"},
                 "polarity": "positive", "text": {"v1": "Question two"}},
            ],
        }
    )  # fmt: skip


def instrument(targets: list[str], question: str, options: list[str]):
    return parse_instrument(instrument_data(targets, question, options))


PROV_INSTRUMENT = instrument(["d1", "d2"], "zone", ["A", "B"])
OFFI_INSTRUMENT = instrument(["c"], "grade", ["X", "Y"])


def clean_frame(pop_id, inst, question, rows) -> pd.DataFrame:
    """A clean responses table in the design's shape: `rows` are (group, cells...), the
    cells in `Instrument.rating_columns()` order (items, then targets)."""
    ratings = inst.rating_columns()
    data = {
        "population": [pop_id] * len(rows),
        "response_id": [f"{pop_id}-{i}" for i in range(len(rows))],
        "source_file": ["export.csv"] * len(rows),
        "row_number": list(range(2, len(rows) + 2)),
        question: [r[0] for r in rows],
        "has_comment": [False] * len(rows),
        "comment": [""] * len(rows),
    }
    for k, rating in enumerate(ratings):
        cells = [r[1 + k] for r in rows]
        data[rating.column] = [math.nan if c is None or c == X else float(c) for c in cells]
        data[rating.not_rated_column] = [c == X for c in cells]
    return pd.DataFrame(data)


# Columns: q1@d1, q1@d2, q2@d1, q2@d2 (rating_columns: items, then targets).
PROV_ROWS = [
    ("A", 4, 2, 3, 3),
    ("A", 3, X, 2, X),
    ("B", 1, None, X, X),
    ("A", X, 4, 4, None),
    ("B", 2, 3, 1, 2),
    (DNA, 4, 4, 3, X),
]
OFFI_ROWS = [
    ("X", 2, 3),
    ("X", 3, X),
    ("Y", 2, 4),
    ("Y", 1, 2),
    ("X", 2, None),
]
PROV = ps.PopulationResponses(
    "prov", clean_frame("prov", PROV_INSTRUMENT, "zone", PROV_ROWS), PROV_INSTRUMENT
)
OFFI = ps.PopulationResponses(
    "offi", clean_frame("offi", OFFI_INSTRUMENT, "grade", OFFI_ROWS), OFFI_INSTRUMENT
)
