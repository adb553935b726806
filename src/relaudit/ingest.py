"""Find and read raw survey exports (the input contract's file level)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

from relaudit.config import System
from relaudit.errors import InputFileError

EXPORT_SUFFIXES = (".csv", ".xlsx")


def discover_exports(raw_dir: str | Path, systems: Iterable[System]) -> dict[str, list[Path]]:
    """Map each system id to its export files, in filename order.

    A folder the systems sheet does not name is an error. A system with no
    folder is only a warning, so packs can be built before every system has
    data; such systems are absent from the result. Hidden files (``.*``) are
    skipped; any other file that is not ``.csv`` or ``.xlsx`` is an error.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputFileError(f"{raw_dir}: raw data folder not found. Fix: check raw_dir.")
    known = {s.system_id: s for s in systems}
    found: dict[str, list[Path]] = {}
    for entry in sorted(raw_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            raise InputFileError(
                f"{entry}: a file directly in {raw_dir}. Fix: put exports in {raw_dir}/<system_id>/."
            )
        if entry.name not in known:
            raise InputFileError(
                f"{entry}: folder for a system the systems sheet does not name. "
                "Fix: add the system to the sheet, or rename or remove the folder."
            )
        files = []
        for path in sorted(entry.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix.lower() not in EXPORT_SUFFIXES:
                raise InputFileError(
                    f"{path}: not a .csv or .xlsx export. Fix: remove it from the folder."
                )
            files.append(path)
        found[entry.name] = files
    for system_id in known:
        if system_id not in found:
            warnings.warn(
                f"{raw_dir / system_id}: no exports for system {system_id}; "
                "its pack is not built until data arrives.",
                stacklevel=2,
            )
    return {sid: found[sid] for sid in known if sid in found}
