"""Rendering engines: command lines, document quality, determinism, hostile text.

The sample document (tests/fixtures/render/sample.qmd) is rendered for real
with the embedded pandoc + Typst engine; Quarto is checked through its command
line (mocked: it is not installed here) and for real when it is on PATH. The
engine is always the configured one, whatever is installed.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from relaudit import render
from relaudit.render import (
    READER,
    RenderError,
    RenderResult,
    choose_engine,
    render_document,
    templates_dir,
)
from relaudit.text import safe_markdown

FIXTURES = Path(__file__).parents[1] / "fixtures" / "render"
_spec = importlib.util.spec_from_file_location("build_sample", FIXTURES / "build_sample.py")
assert _spec and _spec.loader
build_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_sample)

HEADER = "Sample Valley"
A4_POINTS = (595.28, 841.89)
PDF_SIDE_MARGIN = 2 / 2.54 * 72  # 2 cm, as in templates/typst/relaudit.typ
QUARTO_NOT_ON_PATH = (
    "Quarto is not on PATH (its installer downloads from outside, so it is not installed "
    "here): the Quarto engine is checked through its mocked command lines only"
)
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (poppler-utils) is not installed, so PDF text cannot be checked",
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    qmd = build_sample.make_sample(tmp_path_factory.mktemp("sample"))
    return render_document(qmd, ["html", "pdf"], "pandoc", running_header=HEADER)


def pdf_text(pdf: Path, *args: str) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


# --- engine choice and command lines -----------------------------------------


@pytest.mark.parametrize("quarto_on_path", [True, False])
def test_the_engine_is_the_configured_one(
    monkeypatch: pytest.MonkeyPatch, quarto_on_path: bool
) -> None:
    found = "/opt/quarto/bin/quarto" if quarto_on_path else None
    monkeypatch.setattr(render.shutil, "which", lambda name: found)
    assert choose_engine("pandoc") == "pandoc"
    assert choose_engine("quarto") == "quarto"
    for other in ("auto", "latex", ""):
        with pytest.raises(RenderError, match=r"unknown render engine .*use pandoc or quarto"):
            choose_engine(other)


def test_pandoc_is_used_even_when_quarto_is_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Quarto on PATH changes nothing: the pandoc engine renders, and the default is pandoc."""
    real_which = shutil.which
    asked: list[str] = []

    def which(name: str, *args: object, **kwargs: object) -> str | None:
        asked.append(name)
        return "/opt/quarto/bin/quarto" if name == "quarto" else real_which(name, *args, **kwargs)

    monkeypatch.setattr(render.shutil, "which", which)
    qmd = tmp_path / "x.qmd"
    qmd.write_text("# x\n\nSome text.\n", encoding="utf-8")
    for result in (
        render_document(qmd, ["html"], "pandoc", running_header="x"),
        render_document(qmd, ["html"], running_header="x", output_stem="default"),
    ):
        assert result.engine == "pandoc"
        assert result.engine_version.startswith("pandoc ")
        assert result.outputs["html"].read_text(encoding="utf-8").count("<html") == 1
    assert "quarto" not in asked


def test_reader_turns_off_every_raw_passthrough() -> None:
    for extension in ("raw_html", "raw_tex", "raw_attribute", "citations", "tex_math_dollars"):
        assert f"-{extension}" in READER
    assert READER.startswith("markdown-")


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    qmd = tmp_path / "x.qmd"
    qmd.write_text("# x\n", encoding="utf-8")
    with pytest.raises(RenderError, match="unknown output format"):
        render_document(qmd, ["html", "epub"], "pandoc", running_header="x")


def test_quarto_command_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The quarto engine runs `quarto render` once per format, beside the qmd."""
    qmd = tmp_path / "briefing.qmd"
    qmd.write_text("---\ntitle: t\n---\n\n# x\n", encoding="utf-8")
    calls: list[tuple[list[str], dict]] = []

    def fake_run(cmd, **kwargs):
        calls.append((cmd, kwargs))
        if cmd[1:] == ["--version"]:
            return subprocess.CompletedProcess(cmd, 0, stdout="1.6.40\n", stderr="")
        out = cmd[cmd.index("--output") + 1]
        (kwargs["cwd"] / out).write_bytes(b"rendered")
        return subprocess.CompletedProcess(cmd, 0, stdout="", stderr="")

    monkeypatch.setattr(render.shutil, "which", lambda name: "/opt/quarto/bin/quarto")
    monkeypatch.setattr(render.subprocess, "run", fake_run)
    result = render_document(qmd, ["html", "pdf"], "quarto", running_header="North & South")

    assert result.engine == "quarto"
    assert result.engine_version == "quarto 1.6.40"
    assert result.outputs == {"html": tmp_path / "briefing.html", "pdf": tmp_path / "briefing.pdf"}
    renders = [(cmd, kw) for cmd, kw in calls if cmd[1] == "render"]
    assert len(renders) == 2
    templates = templates_dir().resolve()
    (html_cmd, _), (pdf_cmd, _) = renders
    assert html_cmd[:7] == [
        "/opt/quarto/bin/quarto",
        "render",
        "briefing.qmd",
        "--to",
        "html",
        "--output",
        "briefing.html",
    ]
    assert pdf_cmd[3:7] == ["--to", "typst", "--output", "briefing.pdf"]
    for cmd, kw in renders:
        assert kw["cwd"] == tmp_path
        assert "shell" not in kw
        assert kw["env"]["SOURCE_DATE_EPOCH"] == "0"
        pairs = {cmd[i + 1] for i, arg in enumerate(cmd) if arg == "-M"}
        assert f"from:{READER}" in pairs
        assert "relaudit-header:North & South" in pairs
        assert "toc:true" in pairs
        assert f"filters:[{templates / 'filters' / 'relaudit.lua'}]" in pairs
    html_pairs = {html_cmd[i + 1] for i, a in enumerate(html_cmd) if a == "-M"}
    pdf_pairs = {pdf_cmd[i + 1] for i, a in enumerate(pdf_cmd) if a == "-M"}
    assert "embed-resources:true" in html_pairs
    assert f"css:{templates / 'css' / 'relaudit.css'}" in html_pairs
    assert "default-image-extension:svg" in html_pairs
    assert "default-image-extension:png" in pdf_pairs
    assert f"template:{templates / 'typst' / 'relaudit.typ'}" in pdf_pairs


def test_quarto_engine_without_quarto_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    qmd = tmp_path / "x.qmd"
    qmd.write_text("# x\n", encoding="utf-8")
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    with pytest.raises(RenderError, match=r"render\.engine is quarto, but quarto is not on PATH"):
        render_document(qmd, ["html"], "quarto", running_header="x")


@pytest.mark.skipif(shutil.which("quarto") is None, reason=QUARTO_NOT_ON_PATH)
def test_quarto_renders_the_sample_for_real(tmp_path: Path) -> None:
    qmd = build_sample.make_sample(tmp_path)
    result = render_document(qmd, ["html", "pdf"], "quarto", running_header=HEADER)
    assert result.engine == "quarto"
    assert result.outputs["html"].read_text(encoding="utf-8").count("<html") == 1
    assert result.outputs["pdf"].read_bytes().startswith(b"%PDF")


def test_pandoc_command_line_has_the_project_options(tmp_path: Path) -> None:
    qmd = tmp_path / "briefing.qmd"
    templates = templates_dir()
    cmd = render.pandoc_command(
        qmd,
        "html",
        tmp_path / "briefing.html",
        running_header="A",
        templates=templates,
        pandoc="pandoc",
    )
    assert cmd[:2] == ["pandoc", "briefing.qmd"]
    for option in ("--embed-resources", "--standalone", "--toc", "--default-image-extension=svg"):
        assert option in cmd
    assert f"--from={READER}" in cmd
    typst_cmd = render.pandoc_command(
        qmd, "typst", tmp_path / "b.typ", running_header="A", templates=templates, pandoc="pandoc"
    )
    # Pandoc reads nothing but its inputs while writing Typst.
    assert "--sandbox" in typst_cmd
    assert "--default-image-extension=png" in typst_cmd


def test_render_result_json_uses_relative_paths(tmp_path: Path) -> None:
    result = RenderResult("pandoc", "pandoc 3.9; typst 0.15.2", {"pdf": tmp_path / "b.pdf"})
    assert result.to_json(tmp_path) == {
        "engine": "pandoc",
        "engine_version": "pandoc 3.9; typst 0.15.2",
        "outputs": {"pdf": "b.pdf"},
    }


# --- HTML quality ----------------------------------------------------------------


class _HtmlAudit(HTMLParser):
    """Collects what the HTML checks need: tags, attributes, headings, CSS."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.headings: list[int] = []
        self.css: list[str] = []
        self._in_style = False
        self.table_header_cells = 0
        self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self._in_style = tag == "style"
        self.tables += tag == "table"
        self.table_header_cells += tag == "th"
        if "style" in attributes:
            self.css.append(attributes["style"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


def audit_html(path: Path) -> _HtmlAudit:
    parser = _HtmlAudit()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


EXTERNAL = re.compile(r"^\s*(https?:|file:|//|ftp:)", re.IGNORECASE)


def external_requests(audit: _HtmlAudit) -> list[str]:
    """Resource references that would make a browser fetch something."""
    found = []
    for tag, attrs in audit.tags:
        for name in ("src", "srcset", "poster", "data", "background", "xlink:href"):
            if EXTERNAL.match(attrs.get(name, "")):
                found.append(f"<{tag} {name}={attrs[name]}>")
        if tag in ("link", "script", "iframe", "object", "embed", "base") and (
            EXTERNAL.match(attrs.get("href", "")) or tag in ("script", "iframe", "base")
        ):
            found.append(f"<{tag} {attrs}>")
        if tag == "a" and attrs.get("href", "").lower().startswith("file:"):
            found.append(f"<a href={attrs['href']}>")
    for css in audit.css:
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            if not url.startswith(("data:", "#")):
                found.append(f"url({url})")
        if "@import" in css:
            found.append("@import")
    return found


def test_external_request_check_catches_real_references() -> None:
    parser = _HtmlAudit()
    parser.feed(
        '<img src="https://x/a.png"><link rel="stylesheet" href="file:///etc/x.css">'
        '<style>@import "y.css"; body{background:url(http://x/b.png)}</style>'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg><p>src="http://x"</p>'
    )
    assert len(external_requests(parser)) == 4


def test_html_is_one_file_without_external_requests(sample: RenderResult) -> None:
    html = sample.outputs["html"]
    assert sorted(p.name for p in html.parent.glob("*.html")) == ["sample.html"]
    audit = audit_html(html)
    assert external_requests(audit) == []
    images = [attrs for tag, attrs in audit.tags if tag == "img"]
    assert len(images) == 2
    assert all(attrs["src"].startswith("data:image/svg+xml") for attrs in images)


def test_html_basic_accessibility(sample: RenderResult) -> None:
    audit = audit_html(sample.outputs["html"])
    html_tag = next(attrs for tag, attrs in audit.tags if tag == "html")
    assert html_tag["lang"] == "en-GB"
    # One h1 (the title), then no skipped level: the sample jumps from # to ###.
    assert audit.headings[0] == 1 and audit.headings.count(1) == 1
    for before, after in itertools.pairwise(audit.headings):
        assert after <= before + 1, audit.headings
    for tag, attrs in audit.tags:
        if tag == "img":
            assert attrs.get("alt", "").strip(), attrs.keys()
        if tag == "svg":
            assert attrs.get("role") == "img" and attrs.get("aria-label", "").strip()
    # fig-alt, not the caption, is the alt text.
    alts = [attrs["alt"] for tag, attrs in audit.tags if tag == "img"]
    assert alts[0].startswith("Bar chart of 6 statement means")
    assert audit.tables == 2 and audit.table_header_cells >= audit.tables
    assert any(tag == "main" for tag, _ in audit.tags)
    assert any(tag == "nav" and attrs.get("aria-label") for tag, attrs in audit.tags)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula_known_answers() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    # #767676 on white is the classic just-passing AA grey (4.54:1).
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_stylesheet_colours_have_enough_contrast() -> None:
    css = (templates_dir() / "css" / "relaudit.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("text", "#ffffff"),
        ("text", colours["zebra"]),
        ("text", colours["keybg"]),
        ("blue", "#ffffff"),
        ("blue", colours["keybg"]),
        ("grey", "#ffffff"),
        ("grey", colours["zebra"]),
        ("dark", "#ffffff"),
    ]
    for name, background in pairs:
        assert contrast(colours[name], background) >= 4.5, (name, background)
    # White header text on the dark blue table header.
    assert contrast("#ffffff", colours["dark"]) >= 4.5


def test_stylesheet_prints_well() -> None:
    css = (templates_dir() / "css" / "relaudit.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4[^}]*margin", css)
    print_rules = css[css.index("@media print") :]
    assert re.search(r"nav\.toc[^{]*{\s*display:\s*none", print_rules)
    assert re.search(r"figure[^{]*{[^}]*break-inside:\s*avoid", print_rules)
    assert re.search(r"\btr\b[^{]*{[^}]*break-inside:\s*avoid", print_rules)
    assert "img" in css and "max-width: 100%" in css


# --- PDF quality ------------------------------------------------------------------


def test_pdf_is_a4(sample: RenderResult) -> None:
    data = sample.outputs["pdf"].read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes, "no page size found"
    for width, height in boxes:
        assert (float(width), float(height)) == pytest.approx(A4_POINTS, abs=0.5)


@needs_pdftotext
def test_pdf_has_page_numbers_and_running_header(sample: RenderResult) -> None:
    pages = pdf_text(sample.outputs["pdf"]).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    for page in pages[1:]:
        assert page.lstrip().startswith(HEADER)
    assert "Relational audit briefing: Sample Valley" in pages[0]


@needs_pdftotext
def test_pdf_text_stays_inside_the_margins(sample: RenderResult) -> None:
    """Every word of every table, caption and heading lies within the side margins."""
    layout = pdf_text(sample.outputs["pdf"], "-bbox")
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', layout)
    assert len(words) > 100
    for x_min, x_max in words:
        assert float(x_min) >= PDF_SIDE_MARGIN - 1
        assert float(x_max) <= A4_POINTS[0] - PDF_SIDE_MARGIN + 1


WORD_BOX = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
)


def overlapping_words(pdf: Path) -> list[tuple[int, str, str]]:
    """Pairs of words on the same line of a page whose boxes overlap."""
    found = []
    for number, page in enumerate(pdf_text(pdf, "-bbox").split("<page ")[1:], start=1):
        words = [(float(a), float(b), float(c), w) for a, b, c, _, w in WORD_BOX.findall(page)]
        for i, first in enumerate(words):
            for second in words[i + 1 :]:
                same_line = abs(first[1] - second[1]) < 2
                if same_line and first[0] < second[2] - 0.8 and second[0] < first[2] - 0.8:
                    found.append((number, first[3], second[3]))
    return found


@needs_pdftotext
def test_no_words_overlap_in_the_pdf(sample: RenderResult) -> None:
    """Table cells never spill into each other, the ten-column table included."""
    assert overlapping_words(sample.outputs["pdf"]) == []
    # The check can fail: the header words of the wide table are all there.
    words = {w for *_, w in WORD_BOX.findall(pdf_text(sample.outputs["pdf"], "-bbox"))}
    assert {"Responses", "Communication", "Governance", "Overall"} <= words


PDF_BOTTOM_MARGIN = 2.2 / 2.54 * 72  # as in templates/typst/relaudit.typ


@needs_pdftotext
def test_long_table_breaks_across_pages(tmp_path: Path) -> None:
    """A table longer than a page continues on the next pages, never off the bottom."""
    rows = "\n".join(
        f"| Statement number {i} about working together | {i} | 3.1 |" for i in range(1, 121)
    )
    qmd = tmp_path / "long.qmd"
    qmd.write_text(
        "---\ntitle: Long\nlang: en-GB\n---\n\n# A long table\n\n"
        f"| Statement | n | Mean |\n|:---|---:|---:|\n{rows}\n\n: A long table {{#tbl-long}}\n",
        encoding="utf-8",
    )
    pdf = render_document(qmd, ["pdf"], "pandoc", running_header="Long").outputs["pdf"]
    text = pdf_text(pdf)
    assert "Statement number 120 about working together" in text
    # Word boxes include the font's descent, which Typst lets hang below the text area.
    lowest = A4_POINTS[1] - PDF_BOTTOM_MARGIN + 3
    pages = pdf_text(pdf, "-bbox").split("<page ")[1:]
    # The header row ("Mean" appears nowhere else) repeats on every page of the table.
    assert sum(">Mean<" in page for page in pages) >= 3
    for page in pages:
        for _, _, _, y_max, word in WORD_BOX.findall(page):
            if not re.fullmatch(r"Page|of|\d+", word):
                assert float(y_max) <= lowest, (word, y_max)


# --- determinism and hostile text -------------------------------------------------


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = render_document(
        build_sample.make_sample(tmp_path / "a"), ["html", "pdf"], "pandoc", running_header=HEADER
    )
    second = render_document(
        build_sample.make_sample(tmp_path / "b"), ["html", "pdf"], "pandoc", running_header=HEADER
    )
    for fmt in ("html", "pdf"):
        assert first.outputs[fmt].read_bytes() == second.outputs[fmt].read_bytes(), fmt
    assert first.engine_version == second.engine_version
    assert re.fullmatch(r"pandoc \d+(\.\d+)+; typst \d+(\.\d+)+", first.engine_version)


def test_docx_when_configured(tmp_path: Path) -> None:
    qmd = build_sample.make_sample(tmp_path)
    result = render_document(qmd, ["docx"], "pandoc", running_header=HEADER)
    with zipfile.ZipFile(result.outputs["docx"]) as docx:
        names = docx.namelist()
        body = docx.read("word/document.xml").decode("utf-8")
    # Both figures are embedded as PNG, with their alt text.
    assert len([n for n in names if n.startswith("word/media/") and n.endswith(".png")]) == 2
    assert "Bar chart of 6 statement means" in body


PAYLOADS = [
    "<script>alert('x')</script>",
    "![x](file:///etc/passwd)",
    '#read("/etc/passwd")',
    "{{< include /etc/passwd >}}",
    "$x$ and $$y$$",
    "@ref and [@smith2020]",
    '`<b>`{=html} <img src="http://evil.example/a.png">',
    "<style>@import url(http://evil.example/x.css);</style>",
]
SECRET = "root:x:0:0"


def hostile_qmd(folder: Path, payloads: list[str]) -> Path:
    lines = ["---", 'title: "Hostile text"', "lang: en-GB", 'relaudit-header: "x"', "---", ""]
    lines.append("# Comments")
    lines.append("")
    for payload in payloads:
        lines += [payload, "", f"- {payload}", "", f"> {payload}", ""]
    lines += ["| Comment | n |", "|:---|---:|"]
    lines += [f"| {payload.replace('|', '')} | 1 |" for payload in payloads]
    folder.mkdir(parents=True, exist_ok=True)
    qmd = folder / "hostile.qmd"
    qmd.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return qmd


def _assert_inert_html(html_path: Path) -> str:
    audit = audit_html(html_path)
    assert external_requests(audit) == []
    tags = {tag for tag, _ in audit.tags}
    assert not tags & {"script", "img", "math", "iframe", "object"}, tags
    assert [tag for tag, _ in audit.tags].count("style") == 1  # only the project stylesheet
    text = html_path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert 'class="citation"' not in text and 'class="math' not in text
    return text


@pytest.mark.parametrize("escaped", [True, False], ids=["safe_markdown", "raw-defence"])
def test_hostile_text_stays_inert(tmp_path: Path, escaped: bool) -> None:
    """Escaped payloads render as literal text; raw ones are still made harmless."""
    payloads = [safe_markdown(p) for p in PAYLOADS] if escaped else PAYLOADS
    qmd = hostile_qmd(tmp_path, payloads)
    header = '#read("/etc/passwd") $x$ <b>North</b> @ref'
    result = render_document(qmd, ["html", "pdf"], "pandoc", running_header=header)
    html = _assert_inert_html(result.outputs["html"])
    if escaped:
        assert "&lt;script&gt;alert(" in html
        assert "{{&lt; include /etc/passwd &gt;}}" in html
    if shutil.which("pdftotext"):
        text = pdf_text(result.outputs["pdf"])
        assert SECRET not in text
        assert "#read(" in text  # printed, not run
        if escaped:
            assert "<script>alert(" in text
            assert "$x$" in text and "@ref" in text
    else:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")


@needs_pdftotext
def test_running_header_is_escaped(tmp_path: Path) -> None:
    qmd = build_sample.make_sample(tmp_path)
    header = '#read("/etc/passwd") *North* $x$ @ref'
    result = render_document(qmd, ["pdf"], "pandoc", running_header=header)
    pages = pdf_text(result.outputs["pdf"]).split("\f")
    assert pages[1].lstrip().startswith('#read("/etc/passwd") *North* $x$ @ref')


@pytest.mark.parametrize(
    "src",
    ["file:///etc/passwd", "/etc/passwd", "../../etc/passwd", "http://evil.example/a.png"],
)
def test_images_outside_the_document_folder_are_dropped(tmp_path: Path, src: str) -> None:
    qmd = tmp_path / "doc.qmd"
    qmd.write_text(f"---\ntitle: t\nlang: en-GB\n---\n\n# A\n\n![A chart]({src})\n", "utf-8")
    result = render_document(qmd, ["html", "pdf"], "pandoc", running_header="t")
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert "[image not shown]" in html
    assert "<img" not in html
