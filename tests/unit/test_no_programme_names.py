"""No module under src/ names an item, group or label of one programme.

The instrument and the programme are the only sources of truth: every item id,
respondent question, group and label of the relational audit lives in its YAML
under config/. This test reads every Python module under src/ (string constants,
docstrings included, and identifiers) and fails on any name taken from the
relational audit's instrument, naming the module, the line and the name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
INSTRUMENT = ROOT / "config" / "instruments" / "cqc-relational-audit.yaml"
# Defaults every instrument shares (the derived groups of a respondent question).
SHARED_DEFAULTS = {"Multiple", "Did not answer"}


def programme_names() -> tuple[set[str], set[str]]:
    """(names matched anywhere, names matched only as a whole string or identifier).

    Ids with an underscore and labels of several words are distinctive enough to
    look for inside any text. A one-word label ("Trust", "Other") or a question id
    that is an English word ("role") is looked for only as a whole value, so that
    ordinary prose ("the respondent's role") passes.
    """
    data = yaml.safe_load(INSTRUMENT.read_text(encoding="utf-8"))
    names: set[str] = set()
    names.update(item["id"] for item in data["items"])
    names.update(fw["id"] for fw in data["frameworks"])
    names.update(fw["name"] for fw in data["frameworks"])
    for fw in data["frameworks"]:
        # Grouping ids (attribute, dimension, domain) name a framework's structure,
        # and "domain" is relaudit's own word for a grid-less framework's levels;
        # the levels themselves are the programme's.
        for levels in fw["groupings"].values():
            names.update(levels)
    for question in data["respondent_questions"]:
        names.update((question["id"], question["name"], question["prefix"]))
        for option in question["options"]:
            names.add(option["label"])
            names.add(option.get("report_as", option["label"]))
    names.update(label["label"] for label in data["scale"]["labels"])
    names.update(entry["id"] for entry in data.get("statement_sets", []))
    names -= SHARED_DEFAULTS
    anywhere = {n for n in names if "_" in n or " " in n}
    whole = names - anywhere
    return anywhere, whole


def _strings_and_names(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, kind, text) of every string constant and identifier in a module."""
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, "string", node.value))
        elif isinstance(node, ast.Name):
            found.append((node.lineno, "name", node.id))
        elif isinstance(node, ast.Attribute):
            found.append((node.lineno, "name", node.attr))
        elif isinstance(node, ast.arg):
            found.append((node.lineno, "name", node.arg))
        elif isinstance(node, ast.keyword) and node.arg:
            found.append((node.value.lineno, "name", node.arg))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((node.lineno, "name", node.name))
    return found


def offending(text: str, kind: str, anywhere: set[str], whole: set[str]) -> list[str]:
    """The programme names `text` contains."""
    hits = []
    for name in anywhere:
        if kind == "name":
            # An identifier containing an id as its own underscore-separated part.
            if re.search(rf"(?:^|_){re.escape(name)}(?:_|$)", text):
                hits.append(name)
        elif re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text):
            hits.append(name)
    if text in whole:
        hits.append(text)
    return sorted(hits)


def scan(paths: list[Path]) -> list[str]:
    anywhere, whole = programme_names()
    problems = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, kind, text in _strings_and_names(tree):
            for name in offending(text, kind, anywhere, whole):
                problems.append(f"{path.relative_to(ROOT)}:{line}: {kind} names {name!r}")
    return sorted(set(problems))


def test_the_scan_finds_a_planted_name(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        'ITEMS = ("integrity_technology",)\n'
        "def by_org_type_chart(role): return 'Often true'\n"
        'LABEL = "VCSE"\n'
        '"""Prose about a respondent\'s role and trust is fine."""\n',
        encoding="utf-8",
    )
    anywhere, whole = programme_names()
    tree = ast.parse(planted.read_text(encoding="utf-8"))
    hits = {
        name
        for _, kind, text in _strings_and_names(tree)
        for name in offending(text, kind, anywhere, whole)
    }
    assert hits == {"integrity_technology", "org_type", "role", "Often true", "VCSE"}


@pytest.mark.parametrize(
    "text",
    ["the respondent's role", "Trust is earned", "other systems", "roles", "tenure_days"],
)
def test_ordinary_words_pass(text):
    anywhere, whole = programme_names()
    assert offending(text, "string", anywhere, whole) == []


def test_no_module_under_src_names_a_programme_item_group_or_label():
    modules = sorted(SRC.rglob("*.py"))
    assert modules, "no modules found under src/"
    problems = scan(modules)
    assert not problems, "src/ names programme items, groups or labels:\n" + "\n".join(problems)
