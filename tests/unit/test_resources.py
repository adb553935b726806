"""relaudit.resources: the package's own files (schemas, templates, report captions).

Expected locations are the repository's folders, named here, not derived from
the module under test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from relaudit import resources
from relaudit.errors import RelauditError

ROOT = Path(__file__).resolve().parents[2]


def test_folders_are_the_repository_folders_in_a_checkout() -> None:
    assert resources.templates_dir() == (ROOT / "templates").resolve()
    assert resources.schemas_dir() == (ROOT / "workflow" / "schemas").resolve()
    assert resources.report_dir() == (ROOT / "workflow" / "report").resolve()


def test_the_files_that_the_stages_read_are_there() -> None:
    templates = resources.templates_dir()
    for name in ("briefing.qmd.j2", "annex.qmd.j2", "css/relaudit.css", "typst/relaudit.typ"):
        assert (templates / name).is_file(), name
    assert (resources.report_dir() / "figures" / "heatmap.rst").is_file()
    assert resources.schema_path("instrument.schema.yaml").is_file()


def test_load_schema_parses_a_schema() -> None:
    schema = resources.load_schema("config.schema.yaml")
    assert schema["type"] == "object"
    assert schema["properties"]["render"]["properties"]["engine"]["enum"] == ["pandoc", "quarto"]


def test_every_shipped_folder_is_a_package_with_its_data_declared() -> None:
    # pyproject.toml maps relaudit.templates, .schemas and .report to these folders;
    # an __init__.py makes each a regular package, so importlib.resources.files()
    # gives a real folder in editable installs and wheels alike.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for package, folder in (
        ("relaudit.templates", "templates"),
        ("relaudit.schemas", "workflow/schemas"),
        ("relaudit.report", "workflow/report"),
    ):
        assert f'"{package}" = "{folder}"' in text
        assert (ROOT / folder / "__init__.py").is_file()


def test_a_zip_import_is_refused_with_a_clear_error(monkeypatch) -> None:
    class NotOnDisk:  # a Traversable that is not a pathlib.Path, as from a zip import
        def joinpath(self, *parts: str) -> NotOnDisk:
            return self

    monkeypatch.setattr(resources, "files", lambda package: NotOnDisk())
    with pytest.raises(RelauditError, match="not files on disk"):
        resources.templates_dir()


def test_a_checkout_without_install_reads_the_repository_folders(monkeypatch) -> None:
    real_files = resources.files

    def files(package: str):
        if package != "relaudit":
            raise ModuleNotFoundError(package)
        return real_files(package)

    monkeypatch.setattr(resources, "files", files)
    assert resources.schemas_dir() == (ROOT / "workflow" / "schemas").resolve()
    assert resources.templates_dir() == (ROOT / "templates").resolve()


def _shipped(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.mark.slow
def test_the_wheel_ships_every_template_schema_and_caption(tmp_path: Path) -> None:
    """Build a wheel from a copy of the package's files; the data are inside, the demo is not."""
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for folder in ("src", "templates", "workflow/schemas", "workflow/report"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    subprocess.run(
        [*pip_wheel, "--no-build-isolation", "--wheel-dir", str(tmp_path / "wheel"), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "wheel").glob("relaudit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package, folder in (
        ("templates", "templates"),
        ("schemas", "workflow/schemas"),
        ("report", "workflow/report"),
    ):
        for name in _shipped(ROOT / folder):
            assert f"relaudit/{package}/{name}" in names, (folder, name)
    assert "relaudit/py.typed" in names
    assert not [n for n in names if "demo" in n or n.startswith("relaudit_dev")]
