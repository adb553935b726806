"""Provenance: what went into a build and what came out, in ``manifest.json``.

The manifest lets a reviewer check a pack against its inputs: every input file
and every output file with its SHA-256, the resolved configuration, the code
version (package version, git commit when git is available, and a digest of
``src/``, ``workflow/`` and ``templates/`` that means something without git),
the installed versions of the locked packages, and the engine that rendered
each document. It holds no timestamps, so the same build gives the same file.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import relaudit

CODE_FOLDERS = ("src", "workflow", "templates")
# Build by-products that are not code.
SKIPPED_PARTS = frozenset({"__pycache__", ".snakemake", ".pytest_cache", ".ruff_cache"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
CHUNK = 1 << 20
_LOCK_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==")


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def display_path(path: str | Path, *bases: Path) -> str:
    """`path` relative to the first base that contains it, else as an absolute path."""
    resolved = Path(path).resolve()
    for base in bases:
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()


def file_entries(paths: Iterable[str | Path], *bases: Path) -> list[dict[str, Any]]:
    """``{path, sha256, bytes}`` for each file, sorted by path, duplicates removed."""
    entries: dict[str, dict[str, Any]] = {}
    for path in paths:
        name = display_path(path, *bases)
        entries[name] = {
            "path": name,
            "sha256": sha256_file(path),
            "bytes": Path(path).stat().st_size,
        }
    return [entries[name] for name in sorted(entries)]


def code_files(root: Path, folders: Sequence[str] = CODE_FOLDERS) -> list[Path]:
    """Source files under `folders` of `root`, sorted, without caches or hidden files."""
    files = []
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            parts = path.relative_to(root).parts
            if not path.is_file() or path.suffix in SKIPPED_SUFFIXES:
                continue
            if any(part in SKIPPED_PARTS or part.startswith(".") for part in parts):
                continue
            files.append(path)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def code_digest(root: Path, folders: Sequence[str] = CODE_FOLDERS) -> tuple[str, int]:
    """SHA-256 over the relative path and content digest of every code file, and their count.

    Each file contributes ``<relative path>\\0<sha256 of content>\\n``, so a
    renamed, added, removed or edited file changes the digest.
    """
    digest = hashlib.sha256()
    files = code_files(root, folders)
    for path in files:
        digest.update(f"{path.relative_to(root).as_posix()}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest(), len(files)


def git_state(root: Path) -> dict[str, Any] | None:
    """``{"commit", "dirty"}`` of the git checkout at `root`, or None without git."""

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.strip(), "dirty": bool(status and status.strip())}


def locked_package_names(lock_file: str | Path) -> list[str]:
    """Package names pinned with ``==`` in a requirements lock file, sorted.

    A name pinned twice under different spellings (``PyYAML``, ``pyyaml``)
    is kept once, as first written.
    """
    names: dict[str, str] = {}
    for line in Path(lock_file).read_text(encoding="utf-8").splitlines():
        match = _LOCK_LINE.match(line)
        if match:
            names.setdefault(re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(1))
    return [names[key] for key in sorted(names)]


def package_versions(names: Iterable[str]) -> dict[str, str | None]:
    """Installed version of each package (None when it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def read_render_info(path: str | Path) -> dict[str, Any]:
    """A ``render.json`` written after a document was rendered."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {key: data.get(key) for key in ("engine", "engine_version", "outputs")}


def code_version(root: Path) -> dict[str, Any]:
    """Package version, git commit and dirty flag (when available) and the code digest."""
    digest, count = code_digest(root)
    git = git_state(root)
    return {
        "package_version": relaudit.__version__,
        "git_commit": git["commit"] if git else None,
        "git_dirty": git["dirty"] if git else None,
        "source_sha256": digest,
        "source_folders": list(CODE_FOLDERS),
        "source_files": count,
    }


# The two disclosure tiers (docs/disclosure.md). What leaves the analysts'
# hands: the documents, their charts, and every table under a tables/ folder;
# relaudit.disclosure proves these safe on their own and together. Everything
# else (clean/, audit/, text/ with its coding sheets and comment keys, logs)
# stays with quality reviewers.
PUBLISHED = "published"
AUDIT = "audit"
TIERS = {
    PUBLISHED: "documents, their figures and every tables/ folder: safe to release, "
    "alone and together (checked by audit/disclosure.csv)",
    AUDIT: "clean/, audit/, text/ (coding sheets, comment keys) and document sources: "
    "for quality reviewers only",
}


def disclosure_tier(path: str) -> str:
    """The tier of a results file, from its path relative to the results folder."""
    parts = Path(path).parts
    name = Path(path).name
    if "tables" in parts[:-1] or "figures" in parts[:-1]:
        return PUBLISHED
    document = Path(name).suffix in (".html", ".pdf", ".docx")
    if document and Path(name).stem in ("briefing", "annex"):
        return PUBLISHED
    # A programme of populations writes its one report to report/<output>.<format>.
    if document and parts[:-1] == ("report",):
        return PUBLISHED
    return AUDIT


def build_manifest(
    *,
    inputs: Mapping[str, Iterable[str | Path]],
    outputs: Iterable[str | Path],
    render_infos: Iterable[str | Path],
    config: Mapping[str, Any],
    root: Path,
    results_dir: Path,
    lock_file: str | Path | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict.

    `inputs` groups input files by kind (``raw_exports``, ``instrument``, ...);
    input paths are shown relative to `root`, output paths and documents
    relative to `results_dir`. Each rendered document is keyed by its path
    without extension (``systems/<id>/briefing``).
    """
    lock = Path(lock_file) if lock_file else root / "requirements.lock"
    names = locked_package_names(lock) if lock.is_file() else ["relaudit"]
    documents = {}
    for info_path in render_infos:
        info = read_render_info(info_path)
        folder = display_path(Path(info_path).parent, results_dir, root)
        rendered = {
            fmt: f"{folder}/{name}" for fmt, name in sorted((info.get("outputs") or {}).items())
        }
        stems = sorted({Path(name).stem for name in rendered.values()}) or ["document"]
        documents[f"{folder}/{stems[0]}"] = {**info, "outputs": rendered}
    return {
        "manifest_version": 1,
        "code": code_version(root),
        "config": json.loads(json.dumps(dict(config), sort_keys=True, default=str)),
        "inputs": {
            kind: file_entries(paths, root, results_dir) for kind, paths in sorted(inputs.items())
        },
        "packages": {
            "python": platform.python_version(),
            "locked": package_versions(names),
        },
        "render": dict(sorted(documents.items())),
        "tiers": TIERS,
        "outputs": [
            {**entry, "tier": disclosure_tier(entry["path"])}
            for entry in file_entries(outputs, results_dir, root)
        ],
    }
