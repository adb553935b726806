"""One number per fact: what each count counts, and how hidden cells are described.

Known answers worked out by hand. A cell hidden to protect another
(``suppression == "secondary"``) is never described as small; a small cell
names what it counts (respondents, answers or commenters).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from relaudit import blocks
from relaudit import markdown as md
from relaudit.figures.common import _hidden_alt, _hidden_groups, _hide_group_label
from relaudit.instrument import load_instrument
from relaudit.suppress import reason_note

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(ROOT / "config" / "instruments" / "cqc-relational-audit.yaml")
NAN = math.nan


def test_reason_notes_name_the_kind_and_never_call_a_protected_cell_small():
    assert reason_note("small", 5) == "fewer than 5 respondents: not shown"
    assert reason_note("small", 5, "answers") == "fewer than 5 answers: not shown"
    assert reason_note("small", 10, "commenters") == "fewer than 10 commenters: not shown"
    assert reason_note("secondary", 5, "answers") == "not shown, to protect a smaller group"


def test_table_note_names_the_kind():
    out = md.with_hidden_note(md.Markdown("| a |"), ["small", "secondary"], 5, "answers")
    assert "\\* Fewer than 5 answers\\: not shown." in out
    assert "\u2020 Not shown\\, to protect a smaller group." in out
    assert "fewer than 5 answers" not in out.split("\u2020")[1].lower()


@pytest.mark.parametrize(
    ("count", "singular", "plural", "expected"),
    [
        (1, "row", None, "row"),
        (0, "row", None, "rows"),
        (2, "row", None, "rows"),
        (1, "was", "were", "was"),
        (3, "was", "were", "were"),
        (1.0, "is", "are", "is"),
        (None, "is", "are", "are"),
    ],
)
def test_plural_agrees_with_the_count(count, singular, plural, expected):
    assert md.plural(count, singular, plural) == expected


def test_chart_label_of_a_hidden_group_says_why():
    secondary = pd.Series({"suppression": "secondary"})
    small = pd.Series({"suppression": "small"})
    assert _hide_group_label(5, secondary) == "not shown, to protect a smaller group"
    assert _hide_group_label(5, secondary, "answers") == "not shown, to protect a smaller group"
    assert _hide_group_label(5, small) == "fewer than 5 respondents"
    assert _hide_group_label(5, small, "answers") == "fewer than 5 answers"
    assert _hide_group_label(5) == "fewer than 5 respondents"


def test_alt_text_lists_hidden_groups_by_reason():
    frame = pd.DataFrame(
        {
            "question": ["org", "org", "org", "role", "role"],
            "group": ["VCSE", "Other", "Health", "Other", "Senior"],
            "suppressed": [True, True, False, True, False],
            "suppression": ["secondary", "small", "", "small", ""],
        }
    )
    hidden = _hidden_groups(frame, ("question", "group"))
    assert hidden == [("VCSE", "secondary"), ("Other", "small"), ("Other", "small")]
    alt = _hidden_alt("respondents", 5, hidden)
    assert alt == (
        " Not shown: Other, Other (fewer than 5 respondents); VCSE (to protect a smaller group)."
    )
    assert _hidden_alt("answers", 5, []) == ""


def _profile() -> pd.DataFrame:
    # Health 12 shown; VCSE 6 hidden to protect Other (3): hidden total 9 >= 5.
    return pd.DataFrame(
        {
            "question": "org_type",
            "group": ["Health commissioner", "VCSE", "Other"],
            "n": [12, NAN, NAN],
            "pct": [57.1, NAN, NAN],
            "suppressed": [False, True, True],
            "suppression": ["", "secondary", "small"],
        }
    )


def test_profile_table_marks_each_hidden_cell_by_its_reason():
    table = blocks.profile_table(_profile(), INSTRUMENT, 5)
    lines = table.splitlines()
    assert lines[0] == "| Question | Answer | Respondents | \\% of respondents |"
    row = {line.split("|")[2].strip(): line.split("|")[3].strip() for line in lines[2:5]}
    assert row == {"Health commissioner": "12", "VCSE": "\u2020", "Other": "\\*"}
    assert "Fewer than 5 respondents" in table and "to protect a smaller group" in table


def _breakdown(measures: list[str], n: list[float], reasons: list[str]) -> pd.DataFrame:
    hidden = [r != "" for r in reasons]
    return pd.DataFrame(
        {
            "grouping": "role",
            "group": "Senior executive",
            "measure": measures,
            "n": [NAN if h else v for v, h in zip(n, hidden, strict=True)],
            "mean": [NAN if h else 3.0 for h in hidden],
            "pct_positive": [NAN if h else 60.0 for h in hidden],
            "suppressed": hidden,
            "suppression": reasons,
        }
    )


def test_framework_breakdown_counts_respondents():
    frame = _breakdown(["relational_value", "relational_proximity"], [8, 7], ["", ""])
    table = blocks.framework_breakdown(frame, INSTRUMENT, "role", 5)
    assert table.splitlines()[0].startswith(
        "| Role | Relational value\\: mean &#40;respondents&#41;"
    )
    assert "| Senior executive | 3.00 (8) | 3.00 (7) |" in table


def test_statement_breakdown_counts_answers_and_calls_a_protected_cell_protected():
    items = ["integrity_technology", "proximity_directness"]
    frame = _breakdown(items, [9, 6], ["", "secondary"])
    table = blocks.breakdown_table(frame, INSTRUMENT, "role", items, ["a", "b"], 5)
    header = "| Role | a\\: mean &#40;answers&#41; | b\\: mean &#40;answers&#41; |"
    assert table.splitlines()[0] == header  # (escaped markdown of "a: mean (answers)")
    assert "| Senior executive | 3.00 (9) | \u2020 |" in table
    assert "Fewer than" not in table
    assert "Not shown\\, to protect a smaller group." in table


def test_comment_rates_name_respondents_and_commenters():
    rates = pd.DataFrame(
        {
            "grouping": "role",
            "group": ["Senior executive", "Administrative"],
            "respondents": [20, NAN],
            "comments": [9, NAN],
            "pct": [45.0, NAN],
            "suppressed": [False, True],
            "suppression": ["", "small"],
        }
    )
    table = blocks.comment_rate_table(rates, INSTRUMENT, 5, ["role"])
    assert table.splitlines()[0] == (
        "| Grouping | Group | Respondents | Commenters | \\% who commented |"
    )
    assert "| Role | Senior executive | 20 | 9 | 45% |" in table
    assert "Fewer than 5 respondents" in table


def _data_quality(late: int, duplicates: int, quarantined: int, columns: int) -> str:
    from relaudit.document import make_environment

    env = make_environment()
    template = env.get_template("sections/briefing/data_quality.j2")
    context = {
        "section": {"heading": "Data quality"},
        "counts": {"on_time": 1},
        "data_quality": {
            "rows_read": 1 + late + duplicates + quarantined,
            "late": late,
            "duplicates": duplicates,
            "quarantined": quarantined,
            "quarantine": None,
            "cell_issues": 1,
            "housekeeping": columns,
        },
    }
    return " ".join(template.render(context).split())


def test_data_quality_sentences_agree_with_their_counts():
    one = _data_quality(1, 1, 1, 1)
    assert "4 rows were read: 1 response was on time" in one
    assert "1 arrived after the deadline and is left out of this pack" in one
    assert "1 was a repeat from a later export and 1 was set aside." in one
    assert "1 answer was not one of the scale labels; it was treated" in one
    assert "1 survey-tool column (not used): it holds no answers, and nothing in it is read" in one
    many = _data_quality(2, 3, 0, 2)
    assert "2 arrived after the deadline and are left out" in many
    assert "3 were repeats from a later export and 0 were set aside." in many
    assert "2 survey-tool columns (not used): they hold no answers" in many
