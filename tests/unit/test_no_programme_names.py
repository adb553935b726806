"""The stages this covers name no relational-audit question, item, group or label:
those live in the instrument and the lexicon (config/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from relaudit.instrument import load_instrument

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(ROOT / "config" / "instruments" / "cqc-relational-audit.yaml")
# Ingest, cleaning, scoring, free text and disclosure (the other modules are checked
# as they are made instrument-driven).
MODULES = [
    "ingest", "clean", "score", "text", "disclosure", "pools", "suppress", "comparison",
    "cutoffs",
]  # fmt: skip


def programme_names() -> set[str]:
    names = {*INSTRUMENT.item_ids, *(label for label, _ in INSTRUMENT.scale.labels)}
    for question in INSTRUMENT.questions:
        names |= {question.id, question.multiple, question.none}
        names |= {o.label for o in question.options} | {o.report_as for o in question.options}
    for framework in INSTRUMENT.frameworks:
        names.add(framework.id)
        for levels in framework.groupings.values():
            names |= set(levels)
    return names


def string_literals(path: Path) -> list[tuple[int, str]]:
    """String constants in code (docstrings left out: they may give examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_forbidden_names_are_the_instruments() -> None:
    names = programme_names()
    assert {"role", "org_type", "tenure", "Multiple", "Often true", "trust_people"} <= names


@pytest.mark.parametrize("module", MODULES)
def test_module_names_no_programme_literal(module: str) -> None:
    path = ROOT / "src" / "relaudit" / f"{module}.py"
    found = [(line, text) for line, text in string_literals(path) if text in programme_names()]
    assert found == [], f"{path.name} names programme values {found}: move them to config"
