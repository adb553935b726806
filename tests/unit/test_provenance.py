"""Provenance manifest: hashes, code version, package versions, determinism."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import relaudit
from relaudit import provenance
from relaudit.io import write_json
from relaudit.provenance import (
    AUDIT,
    PUBLISHED,
    build_manifest,
    code_digest,
    disclosure_tier,
    display_path,
    file_entries,
    git_state,
    locked_package_names,
    package_versions,
    sha256_file,
)

# SHA-256 of b"abc" and of the empty string (FIPS 180-2 test vectors).
SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
SHA_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_sha256_known_answers(tmp_path: Path) -> None:
    assert sha256_file(write(tmp_path / "abc.txt", "abc")) == SHA_ABC
    assert sha256_file(write(tmp_path / "empty.txt", "")) == SHA_EMPTY


def test_file_entries_sorted_relative_and_deduplicated(tmp_path: Path) -> None:
    b = write(tmp_path / "data" / "b.csv", "abc")
    a = write(tmp_path / "data" / "a.csv", "")
    entries = file_entries([b, a, b], tmp_path)
    assert entries == [
        {"path": "data/a.csv", "sha256": SHA_EMPTY, "bytes": 0},
        {"path": "data/b.csv", "sha256": SHA_ABC, "bytes": 3},
    ]


def test_display_path_falls_back_to_absolute(tmp_path: Path) -> None:
    inside = write(tmp_path / "root" / "x.txt", "")
    outside = write(tmp_path / "elsewhere" / "y.txt", "")
    assert display_path(inside, tmp_path / "root") == "x.txt"
    assert display_path(outside, tmp_path / "root") == outside.resolve().as_posix()


def make_code_tree(root: Path) -> None:
    write(root / "src" / "pkg" / "a.py", "abc")
    write(root / "workflow" / "rules" / "b.smk", "")
    write(root / "src" / "pkg" / "__pycache__" / "a.cpython-311.pyc", "cache")
    write(root / "templates" / ".hidden", "ignored")
    write(root / "tests" / "t.py", "not code that is hashed")


def test_code_digest_known_answer(tmp_path: Path) -> None:
    make_code_tree(tmp_path)
    # Worked out from the rule: "<relative path>\0<sha256>\n" per file, in path order.
    expected = hashlib.sha256(
        f"src/pkg/a.py\0{SHA_ABC}\nworkflow/rules/b.smk\0{SHA_EMPTY}\n".encode()
    ).hexdigest()
    assert code_digest(tmp_path) == (expected, 2)


def test_code_digest_sees_edits_and_renames(tmp_path: Path) -> None:
    make_code_tree(tmp_path)
    before, _ = code_digest(tmp_path)
    (tmp_path / "src" / "pkg" / "a.py").rename(tmp_path / "src" / "pkg" / "c.py")
    renamed, _ = code_digest(tmp_path)
    write(tmp_path / "src" / "pkg" / "c.py", "abd")
    edited, _ = code_digest(tmp_path)
    assert len({before, renamed, edited}) == 3


def test_locked_package_names(tmp_path: Path) -> None:
    lock = write(
        tmp_path / "requirements.lock",
        "# comment\nsetuptools==80.9.0\nPyYAML==6.0.2\nsnakemake[reports]==9.1\n"
        "-e .\n  jinja2 == 3.1.6\nnot-pinned>=1\n\npyyaml==6.0.2\n",
    )
    assert locked_package_names(lock) == ["jinja2", "PyYAML", "setuptools", "snakemake"]


def test_package_versions() -> None:
    versions = package_versions(["pytest", "surely-not-an-installed-package-xyz"])
    assert versions == {"pytest": pytest.__version__, "surely-not-an-installed-package-xyz": None}


def test_git_state_without_a_repository(tmp_path: Path) -> None:
    assert git_state(tmp_path) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_state_commit_and_dirty_flag(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    write(tmp_path / "a.txt", "one")
    git("add", "a.txt")
    git("commit", "-q", "-m", "first")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_state(tmp_path) == {"commit": head, "dirty": False}
    write(tmp_path / "a.txt", "two")
    assert git_state(tmp_path) == {"commit": head, "dirty": True}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A tiny project: code, config, raw exports, and a results folder with documents."""
    monkeypatch.setattr(provenance, "git_state", lambda root: None)
    root = tmp_path / "project"
    make_code_tree(root)
    write(root / "requirements.lock", "pytest==1\nsurely-not-an-installed-package-xyz==1\n")
    raw = [write(root / "data" / "raw" / "s1" / "export.csv", "abc")]
    config_file = write(root / "config" / "config.yaml", "")
    results = tmp_path / "results"
    docs = [
        write(results / "systems" / "s1" / "briefing.html", "abc"),
        write(results / "systems" / "s1" / "briefing.pdf", ""),
    ]
    info = write(
        results / "systems" / "s1" / "render.json",
        json.dumps(
            {
                "engine": "pandoc",
                "engine_version": "pandoc 3.9; typst 0.15.2",
                "outputs": {"html": "briefing.html", "pdf": "briefing.pdf"},
            }
        ),
    )
    return {
        "inputs": {"raw_exports": raw, "config_files": [config_file], "lexicon": []},
        "outputs": [*docs, info],
        "render_infos": [info],
        "config": {"results_dir": str(results), "min_group_size": 5, "render": {"engine": "auto"}},
        "root": root,
        "results_dir": results,
    }


def test_manifest_contents(project: dict) -> None:
    manifest = build_manifest(**project)
    assert manifest["inputs"] == {
        "config_files": [{"path": "config/config.yaml", "sha256": SHA_EMPTY, "bytes": 0}],
        "lexicon": [],
        "raw_exports": [{"path": "data/raw/s1/export.csv", "sha256": SHA_ABC, "bytes": 3}],
    }
    assert [o["path"] for o in manifest["outputs"]] == [
        "systems/s1/briefing.html",
        "systems/s1/briefing.pdf",
        "systems/s1/render.json",
    ]
    assert manifest["outputs"][0]["sha256"] == SHA_ABC
    assert manifest["render"] == {
        "systems/s1/briefing": {
            "engine": "pandoc",
            "engine_version": "pandoc 3.9; typst 0.15.2",
            "outputs": {"html": "systems/s1/briefing.html", "pdf": "systems/s1/briefing.pdf"},
        }
    }
    code = manifest["code"]
    assert code["package_version"] == relaudit.__version__
    assert code["git_commit"] is None and code["git_dirty"] is None
    assert code["source_sha256"] == code_digest(project["root"])[0]
    assert code["source_files"] == 2
    assert manifest["packages"]["locked"] == {
        "pytest": pytest.__version__,
        "surely-not-an-installed-package-xyz": None,
    }
    assert manifest["config"]["render"] == {"engine": "auto"}


def test_manifest_is_deterministic_and_has_no_timestamps(project: dict, tmp_path: Path) -> None:
    first = write_json(build_manifest(**project), tmp_path / "one.json").read_bytes()
    second = write_json(build_manifest(**project), tmp_path / "two.json").read_bytes()
    assert first == second
    text = first.decode()
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)
    assert "time" not in json.loads(text)


def test_manifest_changes_when_an_input_changes(project: dict) -> None:
    before = build_manifest(**project)
    write(project["inputs"]["raw_exports"][0], "abd")
    after = build_manifest(**project)
    assert before["inputs"]["raw_exports"] != after["inputs"]["raw_exports"]
    assert before["code"] == after["code"]


def test_manifest_of_this_checkout_names_real_versions() -> None:
    """On the project itself: locked packages resolve and the code digest is stable."""
    root = Path(__file__).resolve().parents[2]
    versions = package_versions(locked_package_names(root / "requirements.lock"))
    for name in ("pandas", "snakemake", "typst", "pypandoc_binary"):
        assert versions.get(name), name
    assert code_digest(root) == code_digest(root)


def test_every_chart_file_is_published() -> None:
    """Chart files of both scopes, whatever the registry names them, are in the published tier."""
    from relaudit.chartset import national_chart_names, system_chart_names
    from relaudit.instrument import load_instrument

    root = Path(__file__).resolve().parents[2]
    cqc = load_instrument(root / "config" / "instruments" / "cqc-relational-audit.yaml")
    for name in system_chart_names(cqc):
        for ext in ("svg", "png"):
            assert disclosure_tier(f"systems/halton/figures/{name}.{ext}") == PUBLISHED
    for name in national_chart_names(cqc):
        assert disclosure_tier(f"national/figures/{name}.svg") == PUBLISHED
    assert disclosure_tier("national/figures/figures.json") == PUBLISHED
    assert disclosure_tier("systems/halton/text/quotes.csv") == AUDIT


def test_report_captions_render() -> None:
    """Every caption renders as Snakemake renders it: Jinja, then reStructuredText."""
    from docutils.core import publish_parts
    from jinja2 import Environment, StrictUndefined

    class Job:
        def __init__(self) -> None:
            self.config = {"min_group_size": 5, "census_date": "2018-04-05", "top_n": 5}

    report = Path(__file__).resolve().parents[2] / "workflow" / "report"
    captions = sorted(report.rglob("*.rst"))
    assert len(captions) >= 25
    env = Environment(undefined=StrictUndefined)
    for caption in captions:
        text = env.from_string(caption.read_text(encoding="utf-8")).render(snakemake=Job())
        assert "{{" not in text and "{%" not in text
        html = publish_parts(text, writer="html", settings_overrides={"report_level": 2})
        assert "system-message" not in html["body"], caption
