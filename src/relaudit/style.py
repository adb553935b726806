"""The one house style for every chart, and deterministic saving.

Colours are colour-vision-deficiency safe: categories use the Okabe-Ito
palette, and ordered answer labels and differences use ColorBrewer's RdBu
diverging scheme (red = worse, blue = better; never red against green).
Files are byte-identical for the same data: no dates or software versions
in the metadata, a fixed SVG hash salt and root id, and only matplotlib's
bundled DejaVu Sans for measuring and drawing text.

Each chart is drawn once, as SVG. Its PNG is that SVG rasterised by Typst
(the PDF engine) with the same fonts, so the HTML and the PDF show one
layout, and a chart costs one matplotlib drawing rather than two.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
from matplotlib import colormaps
from matplotlib.figure import Figure

from relaudit.fonts import typst_font_options

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
SYSTEM_COLOUR = OKABE_ITO["blue"]
COMPARATOR_COLOUR = "#8C8C8C"
HIGHER_COLOUR = OKABE_ITO["blue"]
LOWER_COLOUR = OKABE_ITO["vermillion"]
SIMILAR_COLOUR = "#6E6E6E"
TEXT_COLOUR = "#222222"
MUTED_TEXT = "#555555"
GRID_COLOUR = "#DDDDDD"
DIVERGING_CMAP = "RdBu"

FONT_STACK = ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"]
FIGURE_WIDTH = 7.0  # inches: fits an A4 page at 200 dpi without scaling
PNG_DPI = 200
# One page exactly the size of the SVG, on white, with the chart named by an input.
PNG_PAGE = (
    "#set page(width: auto, height: auto, margin: 0pt, fill: white)\n#image(sys.inputs.chart)\n"
)
METRES_PER_INCH = 0.0254

RC_PARAMS: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT_STACK,
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "text.color": TEXT_COLOUR,
    # Labels come from data (system and group names): never parse "$" as maths.
    "text.parse_math": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.constrained_layout.use": True,
    "svg.fonttype": "none",
    "svg.hashsalt": "relaudit",
    "path.simplify": True,
}


def apply_style() -> None:
    """Set the house style in matplotlib's global settings (idempotent)."""
    matplotlib.rcParams.update(RC_PARAMS)


def new_figure(height: float, width: float = FIGURE_WIDTH) -> Figure:
    """A figure in the house style, laid out by constrained layout."""
    apply_style()
    figure = Figure(figsize=(width, height), layout="constrained")
    # A little more room at the edges than the default, so no label touches them.
    figure.get_layout_engine().set(w_pad=0.06, h_pad=0.06)
    return figure


def label_colours(count: int) -> list[str]:
    """`count` colours from worst (red) to best (blue) for ordered answer labels."""
    cmap = colormaps[DIVERGING_CMAP]
    if count == 1:
        return [mcolors.to_hex(cmap(0.85))]
    low, high = 0.06, 0.94
    step = (high - low) / (count - 1)
    return [mcolors.to_hex(cmap(low + i * step)) for i in range(count)]


def text_colour_on(background: Any) -> str:
    """Black or white text, whichever is more readable on `background` (WCAG luminance)."""
    r, g, b = mcolors.to_rgb(background)

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    # Contrast with white vs black: pick the larger.
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#FFFFFF"


def png_with_dpi(png: bytes, dpi: int) -> bytes:
    """`png` with a pHYs chunk saying `dpi`, so DOCX and viewers size it in inches.

    The chunk goes straight after IHDR (the PNG specification puts pHYs
    before the image data). Pixels are counted per metre, rounded.

    Typst writes no pHYs, and matplotlib's ``savefig(dpi=...)`` (which does)
    does not draw these PNGs. Pillow could add it, ``save(dpi=...)``, but only
    by decoding and re-encoding the image: measured on the demo charts
    (issue 13), about 0.3 s a chart against 4 ms here, 18% larger files and new
    bytes for every PNG, for the same pixels (the PDFs stay the same: Typst
    re-encodes images). Inserting one chunk keeps the image data as Typst wrote it.
    """
    signature, ihdr_end = b"\x89PNG\r\n\x1a\n", 8 + 4 + 4 + 13 + 4
    header = png[: png.find(b"IDAT")]  # every chunk before the image data
    if not png.startswith(signature) or png[12:16] != b"IHDR" or b"pHYs" in header:
        raise ValueError("not a PNG that starts with IHDR and lacks pHYs")
    per_metre = round(dpi / METRES_PER_INCH)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:ihdr_end] + chunk + png[ihdr_end:]


class SvgRasteriser:
    """Turns the SVG charts of one folder into PNGs at :data:`PNG_DPI`, with Typst.

    One Typst compiler serves a whole folder, so fonts load once per chart
    set. Typst reads only files inside the folder, and the chart's file
    name reaches it as an input, never as Typst source.
    """

    def __init__(self, folder: Path) -> None:
        # Typst starts threads when it compiles, so a compiler is only ever
        # made inside a job, never in the job server before it forks.
        import typst

        self.folder = folder.resolve()
        self._compiler = typst.Compiler(root=str(self.folder), **typst_font_options())

    def __call__(self, svg: Path) -> Path:
        """Write the PNG beside `svg` and return its path."""
        if svg.resolve().parent != self.folder:
            raise ValueError(f"{svg} is not in {self.folder}")
        png = self._compiler.compile(
            input=PNG_PAGE.encode(), format="png", ppi=PNG_DPI, sys_inputs={"chart": svg.name}
        )
        path = svg.with_suffix(".png")
        path.write_bytes(png_with_dpi(png, PNG_DPI))
        return path


def save_figure(
    figure: Figure, stem: Path, rasterise: SvgRasteriser | None = None
) -> tuple[Path, Path]:
    """Write `stem`.svg and its `stem`.png, byte-identical for the same figure.

    Pass one `rasterise` for every chart of a folder to reuse its fonts.
    """
    apply_style()
    stem.parent.mkdir(parents=True, exist_ok=True)
    svg = stem.with_suffix(".svg")
    # A root id per chart, so several SVGs inlined in one HTML page never share one.
    with matplotlib.rc_context({"svg.id": f"relaudit-{stem.name}"}):
        figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    png = (rasterise or SvgRasteriser(stem.parent))(svg)
    return svg, png
