"""The one set of fonts for charts and PDFs: matplotlib's bundled DejaVu family.

Charts are measured and drawn with it, and Typst sets the PDF and turns the
SVG charts into PNGs with it. It ships inside the matplotlib wheel, so every
machine has the same files and no system font changes an output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def typst_font_options() -> dict[str, Any]:
    """Keyword arguments that give a Typst compile only the bundled fonts."""
    import matplotlib  # the package only, not pyplot: cheap where charts are not drawn

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {"font_paths": [str(folder)], "ignore_system_fonts": True}
