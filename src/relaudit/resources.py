"""Where relaudit's own files are: schemas, templates and report captions.

They are package data, read with :mod:`importlib.resources`:

* ``relaudit.templates``: the document templates (``templates/`` in the repository);
* ``relaudit.schemas``: the JSON schemas (``workflow/schemas/``);
* ``relaudit.report``: the Snakemake report captions (``workflow/report/``).

The folders stay at the top of the repository, where Snakemake and the guide
use them; ``pyproject.toml`` maps them into the package (``package-dir``) and
ships their files (``package-data``). An editable install (``make setup``)
points the three packages at those folders, and a wheel copies them into
``site-packages/relaudit/``.

Jinja, pandoc and Typst need real paths, so the folder functions return a
:class:`~pathlib.Path`. ``importlib.resources.files()`` gives one for every
install that keeps files on disk (editable or wheel); ``as_file`` would cover
a zip import, but on Python 3.11 it cannot extract a folder, so such an
install is refused with a clear error. One more case: ``src/`` put on
``PYTHONPATH`` in a checkout, with no install of this checkout (a second work
tree, or a script run from the repository). The three data packages are then
not importable, and the same files are read from their place in the checkout.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from relaudit.errors import RelauditError
from relaudit.yamlio import load_yaml

TEMPLATES = "relaudit.templates"
SCHEMAS = "relaudit.schemas"
REPORT = "relaudit.report"
# Where each data package lives in the repository.
CHECKOUT_FOLDERS = {
    TEMPLATES: ("templates",),
    SCHEMAS: ("workflow", "schemas"),
    REPORT: ("workflow", "report"),
}


def _folder(package: str) -> Path:
    """The folder of one data package, as a real path."""
    root: Traversable
    try:
        root = files(package)
    except ModuleNotFoundError:
        # relaudit imported from a checkout's src/ without installing it: the
        # repository around src/relaudit holds the same folders.
        root = files("relaudit").joinpath("..", "..", *CHECKOUT_FOLDERS[package])
    if not isinstance(root, Path):
        raise RelauditError(
            f"relaudit's {package} are not files on disk ({root!r}): install relaudit "
            "as a wheel or editable (pip install -e .), not from a zip archive."
        )
    folder = root.resolve()
    if not folder.is_dir():
        raise RelauditError(f"relaudit's {package} folder {folder} is missing: reinstall relaudit.")
    return folder


def schemas_dir() -> Path:
    """The JSON schemas (YAML), ``workflow/schemas/`` in the repository."""
    return _folder(SCHEMAS)


def schema_path(name: str) -> Path:
    """One schema, e.g. ``instrument.schema.yaml``."""
    return schemas_dir() / name


def load_schema(name: str) -> dict[str, Any]:
    """A schema, parsed."""
    with schema_path(name).open(encoding="utf-8") as handle:
        return load_yaml(handle)


def templates_dir() -> Path:
    """The document templates (Jinja2, CSS, Typst, filters), ``templates/`` in the repository."""
    return _folder(TEMPLATES)


def report_dir() -> Path:
    """Captions of the Snakemake report, ``workflow/report/`` in the repository."""
    return _folder(REPORT)
