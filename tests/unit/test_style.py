"""Saving charts: one SVG drawing, and a PNG rasterised from it at 200 dpi.

Expected sizes are worked out by hand: a chart 7 in wide at 200 dpi is
1,400 px wide, and 200 dpi is 200 / 0.0254 = 7,874.0 pixels per metre.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from matplotlib.patches import Rectangle
from PIL import Image

from relaudit.style import SvgRasteriser, new_figure, png_with_dpi, save_figure

RED = (255, 0, 0)


def red_block_figure(height: float = 2.0):
    """A 7 x `height` in chart whose middle is a solid red block."""
    figure = new_figure(height)
    axes = figure.add_subplot()
    axes.axis("off")
    axes.add_patch(Rectangle((0.25, 0.25), 0.5, 0.5, transform=axes.transAxes, color="#FF0000"))
    return figure


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, read by hand from the byte layout."""
    found, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        found.append((kind, png[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return found


def test_png_is_the_svg_at_200_dpi(tmp_path):
    svg, png = save_figure(red_block_figure(2.0), tmp_path / "block")
    assert svg.read_text(encoding="utf-8").startswith("<?xml")
    image = Image.open(png).convert("RGB")
    assert image.size == (1400, 400)  # 7 in and 2 in at 200 dpi
    assert image.getpixel((700, 200)) == RED  # the block's centre
    assert image.getpixel((5, 5)) == (255, 255, 255)  # white page, not transparent
    kinds = [kind for kind, _ in chunks(png.read_bytes())]
    assert kinds[:2] == [b"IHDR", b"pHYs"]
    assert b"tEXt" not in kinds and b"iTXt" not in kinds  # no software or dates


def test_png_with_dpi_refuses_what_is_not_a_png():
    with pytest.raises(ValueError):
        png_with_dpi(Path(__file__).read_bytes(), 200)


def test_png_with_dpi_known_answer(tmp_path):
    _, png = save_figure(red_block_figure(1.0), tmp_path / "small")
    data = dict(chunks(png.read_bytes()))
    assert data[b"pHYs"] == struct.pack(">IIB", 7874, 7874, 1)  # 200 dpi, unit: metre
    assert Image.open(png).info["dpi"] == pytest.approx((200, 200), abs=0.001)
    with pytest.raises(ValueError):  # never two pHYs chunks
        png_with_dpi(png.read_bytes(), 200)


def test_rasteriser_reads_only_its_own_folder(tmp_path):
    inside, outside = tmp_path / "charts", tmp_path / "elsewhere"
    inside.mkdir()
    svg, _ = save_figure(red_block_figure(), outside / "block")
    with pytest.raises(ValueError):
        SvgRasteriser(inside)(svg)


def test_same_figure_same_bytes(tmp_path):
    first = save_figure(red_block_figure(), tmp_path / "a" / "block")
    second = save_figure(red_block_figure(), tmp_path / "b" / "block")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_png_with_dpi_keeps_the_pixels(tmp_path):
    """Only a chunk is added: the image data decode to the same pixels as before."""
    _, png = save_figure(red_block_figure(1.0), tmp_path / "small")
    with_dpi = png.read_bytes()
    phys = 8 + 25  # signature + IHDR chunk, then the 21-byte pHYs chunk
    without = with_dpi[:phys] + with_dpi[phys + 21 :]
    assert b"pHYs" not in without
    assert png_with_dpi(without, 200) == with_dpi
    before, after = Image.open(io.BytesIO(without)), Image.open(io.BytesIO(with_dpi))
    assert before.size == after.size and before.mode == after.mode
    assert before.tobytes() == after.tobytes()
