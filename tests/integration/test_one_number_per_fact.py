"""One number per fact, on the demo build: every number in each pack's text is in
that pack's tables (or its method text), and each group has one respondent count.

The check itself, and what it leaves out and why, is tests/number_check.py (run
it by hand on a build: `python tests/number_check.py results`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from number_check import check_results, one_size_per_group

from relaudit.instrument import load_instrument
from relaudit.labels import question_name

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(ROOT / "config" / "instruments" / "cqc-relational-audit.yaml")


def test_every_number_in_every_pack_is_in_its_tables(demo_results):
    checks = check_results(demo_results, ROOT)
    assert len(checks) == 20
    assert sum(c.checked for c in checks) > 1000  # the packs print thousands of numbers
    missing = {Path(c.document).parent.name: [n.text for n in c.missing] for c in checks}
    assert not {pack: m for pack, m in missing.items() if m}


def test_each_group_has_one_respondent_count(demo_results):
    clashes = {
        pack.name: one_size_per_group((pack / "briefing.html").read_text(encoding="utf-8"))
        for pack in sorted((demo_results / "systems").iterdir())
    }
    assert not {pack: c for pack, c in clashes.items() if c}


def test_a_protected_cell_is_never_called_small(demo_results):
    """Every profile group hidden to protect a smaller one is named in the profile
    chart's alt text as protected, never under "fewer than"."""
    names = {q.id: question_name(INSTRUMENT, q.id).lower() for q in INSTRUMENT.questions}
    checked = 0
    for pack in sorted((demo_results / "systems").iterdir()):
        qmd = html.unescape((pack / "briefing.qmd").read_text(encoding="utf-8"))
        alt = re.search(r'\{#fig-profile fig-alt="([^"]*)"', qmd)
        assert alt, pack.name
        hidden = alt.group(1).split("Not shown: ", 1)[-1]
        small = re.findall(r"(.*?) \(fewer than \d+ respondents\)", hidden)
        small_text = small[0] if small else ""
        profile = pd.read_csv(pack / "tables" / "profile.csv", keep_default_na=False)
        for row in profile[profile["suppression"] == "secondary"].to_dict("records"):
            named = f"{row['group']} ({names[row['question']]})"
            assert named in hidden and named not in small_text, (pack.name, named)
            checked += 1
    assert checked > 0
