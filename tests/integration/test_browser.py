"""Open the HTML documents in a real browser (headless Chromium).

A screenshot shows the page lays out and paints (title, blue headings,
tables); printing to PDF checks the print stylesheet (A4, no contents box).
The sample document is rendered here; the end-to-end build's briefing pack
and annex are checked too when `make report` has produced them.
"""

from __future__ import annotations

import importlib.util
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from relaudit.render import RenderResult, render_document

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "render"
_spec = importlib.util.spec_from_file_location("build_sample", FIXTURES / "build_sample.py")
assert _spec and _spec.loader
build_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_sample)

CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium); browser checks skipped",
)
WINDOW = (1280, 2000)
DARK_BLUE = (0x00, 0x30, 0x87)  # headings, templates/css/relaudit.css
TIMEOUT = 120


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with everything that could reach the network turned off."""
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def screenshot(html: Path, png: Path, profile: Path) -> None:
    width, height = WINDOW
    proc = chromium(
        [f"--screenshot={png}", f"--window-size={width},{height}", html.resolve().as_uri()],
        profile,
    )
    assert png.is_file(), proc.stderr[-2000:]


def png_size(png: Path) -> tuple[int, int]:
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def assert_painted(png: Path) -> None:
    """The page is not blank and shows the dark blue of the headings."""
    import matplotlib.image

    pixels = (matplotlib.image.imread(png)[..., :3] * 255).round()
    assert pixels.std() > 10, "screenshot is blank"
    blue = (abs(pixels - DARK_BLUE).max(axis=-1) <= 8).sum()
    assert blue > 200, "no heading-blue pixels in the screenshot"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    qmd = build_sample.make_sample(tmp_path_factory.mktemp("browser"))
    return render_document(qmd, ["html"], "pandoc", running_header="Sample Valley")


def test_sample_screenshot(sample: RenderResult, tmp_path: Path) -> None:
    png = tmp_path / "sample.png"
    screenshot(sample.outputs["html"], png, tmp_path / "profile")
    assert png_size(png) == WINDOW
    assert_painted(png)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_sample_prints_on_a4_without_the_contents_box(sample: RenderResult, tmp_path: Path) -> None:
    pdf = tmp_path / "printed.pdf"
    proc = chromium(
        [f"--print-to-pdf={pdf}", "--no-pdf-header-footer", sample.outputs["html"].as_uri()],
        tmp_path / "profile",
    )
    assert pdf.is_file(), proc.stderr[-2000:]
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Breakdowns by group" in text
    assert "Contents" not in text  # the table of contents is for screens only
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False)
    if info.returncode == 0:
        assert "(A4)" in info.stdout, info.stdout


@pytest.mark.parametrize("document", ["national/annex.html", "systems/york/briefing.html"])
def test_built_documents_screenshot(document: str, demo_results: Path, tmp_path: Path) -> None:
    """The real demo build's annex and a briefing pack open and paint in Chromium."""
    png = tmp_path / "built.png"
    screenshot(demo_results / document, png, tmp_path / "profile")
    assert png_size(png) == WINDOW
    assert_painted(png)
