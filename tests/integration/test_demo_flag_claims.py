"""For every demo pack: no caption, alt text, bullet or sentence calls a difference from
the comparator higher or lower unless the pack's comparator table flags it so, and no
reworded statement is compared with a pool that holds its other wording."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from flag_claims import unbacked_claims

from relaudit.comparison import COMPARED, reworded_items
from relaudit.config import load_systems
from relaudit.instrument import load_instrument
from relaudit.labels import short_labels

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(ROOT / "config" / "instruments" / "cqc-relational-audit.yaml")
SYSTEMS = load_systems(ROOT / "config" / "systems.tsv", INSTRUMENT.versions)
_IMAGE = re.compile(r'!\[(?P<caption>.*?)\]\([^)]*\)\{[^}]*fig-alt="(?P<alt>[^"]*)"')


def document_texts(qmd: str) -> list[str]:
    """A pack's prose, bullets and figure captions and alt texts (not headings or tables)."""
    body = qmd.split("\n---\n", 1)[-1] if qmd.startswith("---") else qmd
    texts = []
    for match in _IMAGE.finditer(body):
        texts += [match.group("caption").replace("\\", ""), match.group("alt")]
    body = _IMAGE.sub("", body)
    # Paragraphs and bullets, each joined over its wrapped lines.
    for block in re.split(r"\n\s*\n", body):
        items: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith(("#", "|", ":::", "<", "[", "-:", "+")):
                continue
            if line.startswith("- ") or not items:
                items.append(line.removeprefix("- "))
            else:
                items[-1] += " " + line
        texts += [item.replace("\\", "") for item in items]
    # The qmd escapes some characters as entities ("&#40;"): read them as the reader does.
    return [html.unescape(text) for text in texts]


@pytest.mark.parametrize("system", SYSTEMS, ids=lambda s: s.system_id)
def test_pack_text_follows_the_comparator_flags(demo_results: Path, system) -> None:
    folder = demo_results / "systems" / system.system_id
    comp = pd.read_csv(folder / "tables" / "comparator.csv", keep_default_na=False)
    flags = dict(zip(comp["item_id"].astype(str), comp["flag"].astype(str), strict=True))
    figures = json.loads((folder / "figures" / "figures.json").read_text(encoding="utf-8"))
    texts = [entry[key] for entry in figures for key in ("title", "caption", "alt")]
    texts += document_texts((folder / "briefing.qmd").read_text(encoding="utf-8"))
    names = {INSTRUMENT.text(i, system.questionnaire_version): i for i in INSTRUMENT.item_ids}
    names |= {label: item for item, label in short_labels(INSTRUMENT).items()}
    assert unbacked_claims(texts, flags, names) == []


def test_no_reworded_statement_is_compared_across_wordings(demo_results: Path) -> None:
    """A reworded statement's shown comparison pools only its own wording: its
    comparator n is at most the answers that the other systems on the pack's version
    gave by its deadline."""
    reworded = reworded_items(INSTRUMENT)
    by_version: dict[str, list[str]] = {}
    for system in SYSTEMS:
        by_version.setdefault(system.questionnaire_version, []).append(system.system_id)
    compared = 0
    for system in SYSTEMS:
        folder = demo_results / "systems" / system.system_id
        comp = pd.read_csv(folder / "tables" / "comparator.csv", keep_default_na=False)
        comp = comp[comp["item_id"].isin(reworded) & comp["flag"].isin(COMPARED)]
        same = [s for s in by_version[system.questionnaire_version] if s != system.system_id]
        answers = {}
        for other in same:
            sums = pd.read_parquet(
                demo_results / "systems" / other / "clean" / "daily_sums.parquet"
            )
            by_deadline = pd.to_datetime(sums["day"]).dt.date <= system.deadline
            answers[other] = sums[by_deadline].groupby("item_id")["n"].sum()
        for _, row in comp.iterrows():
            ceiling = sum(float(a.get(row["item_id"], 0)) for a in answers.values())
            assert float(row["comparator_n"]) <= ceiling, (system.system_id, row["item_id"])
            compared += 1
    assert compared > 0
