"""The one set of fonts for charts and PDFs: matplotlib's bundled DejaVu family.

Charts are measured and drawn with it, and Typst sets the PDF and turns the
SVG charts into PNGs with it. It ships inside the matplotlib wheel, so every
machine has the same files and no system font changes an output.
"""

from __future__ import annotations

from pathlib import Path


def bundled_font_folders() -> list[Path]:
    """The folders of fonts that Typst may use (system fonts are always ignored)."""
    import matplotlib  # the package only, not pyplot: cheap where charts are not drawn

    return [Path(matplotlib.get_data_path()) / "fonts" / "ttf"]
