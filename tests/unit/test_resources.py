"""relaudit.resources: the package's own files (schemas, templates, report captions).

Expected locations are the repository's folders, named here, not derived from
the module under test.
"""

from __future__ import annotations

from pathlib import Path

from relaudit import resources

ROOT = Path(__file__).resolve().parents[2]


def test_folders_are_the_repository_folders_in_a_checkout() -> None:
    assert resources.templates_dir() == (ROOT / "templates").resolve()
    assert resources.schemas_dir() == (ROOT / "workflow" / "schemas").resolve()
    assert resources.report_dir() == (ROOT / "workflow" / "report").resolve()


def test_the_files_that_the_stages_read_are_there() -> None:
    templates = resources.templates_dir()
    for name in ("briefing.qmd.j2", "annex.qmd.j2", "css/relaudit.css", "typst/relaudit.typ"):
        assert (templates / name).is_file(), name
    assert (resources.report_dir() / "figures" / "figure.rst").is_file()
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
