"""Render a briefing ``.qmd`` to HTML, PDF and DOCX with Quarto or embedded pandoc.

Two engines sit behind :func:`render_document`:

* ``pandoc`` (the default): the pandoc binary shipped by ``pypandoc-binary``
  for HTML and DOCX, and pandoc's Typst writer compiled by the ``typst``
  package for PDF;
* ``quarto``: ``quarto render``; Quarto must be on PATH.

The engine is an explicit setting (``render.engine`` in the config): the same
inputs never give a different document because Quarto happens to be
installed, and asking for Quarto where it is missing is an error. Both engines get
the same options: the project stylesheet and templates, a table of contents,
self-contained HTML, and a markdown reader with every raw-passthrough extension
turned off (comments are escaped before they reach the ``.qmd``; this is a
second guard). Outputs are written beside the ``.qmd`` and are byte-identical
from one build to the next.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from relaudit import resources
from relaudit.errors import RelauditError
from relaudit.fonts import typst_font_options

ENGINES = ("pandoc", "quarto")
FORMATS = ("html", "pdf", "docx")

# Pandoc markdown without anything that could pass raw content, maths,
# citations or a title block through to the output.
READER = "markdown" + "".join(
    f"-{ext}"
    for ext in (
        "raw_html",
        "raw_tex",
        "raw_attribute",
        "markdown_in_html_blocks",
        "native_divs",
        "native_spans",
        "citations",
        "tex_math_dollars",
        "tex_math_single_backslash",
        "tex_math_double_backslash",
        "latex_macros",
        "pandoc_title_block",
        "implicit_header_references",
    )
)
HTML_IMAGE_EXTENSION = "svg"
PRINT_IMAGE_EXTENSION = "png"
# Contents depth as heading levels after the filter: in HTML the body starts
# at h2 (under the title's h1), so 3 = sections and subsections. The PDF lists
# sections only, so the key messages start on page 1. DOCX: both levels.
HTML_TOC_DEPTH = 3
PDF_TOC_DEPTH = 1
DOCX_TOC_DEPTH = 2
STYLESHEET = Path("css") / "relaudit.css"
HTML_TEMPLATE = Path("html") / "relaudit.html"
TYPST_TEMPLATE = Path("typst") / "relaudit.typ"
LUA_FILTER = Path("filters") / "relaudit.lua"
QUARTO_MISSING = (
    "render.engine is quarto, but quarto is not on PATH: install Quarto, "
    "or set render.engine: pandoc (the embedded pandoc and Typst)"
)
SUBPROCESS_TIMEOUT = 600


class RenderError(RelauditError):
    """A document could not be rendered."""


@dataclass(frozen=True)
class RenderResult:
    """What one render produced, recorded in ``render.json`` and the manifest."""

    engine: str
    engine_version: str
    outputs: dict[str, Path] = field(default_factory=dict)

    def to_json(self, relative_to: Path | None = None) -> dict[str, object]:
        """A JSON-ready dict; output paths relative to `relative_to` when given."""
        outputs = {
            fmt: (path.relative_to(relative_to) if relative_to else path).as_posix()
            for fmt, path in sorted(self.outputs.items())
        }
        return {"engine": self.engine, "engine_version": self.engine_version, "outputs": outputs}


def templates_dir() -> Path:
    """The package's templates (``RELAUDIT_TEMPLATES`` overrides them)."""
    override = os.environ.get("RELAUDIT_TEMPLATES")
    if override:
        return Path(override)
    return resources.templates_dir()


def choose_engine(requested: str) -> str:
    """Check the configured engine: ``pandoc`` or ``quarto``, never guessed from PATH."""
    if requested not in ENGINES:
        raise RenderError(f"unknown render engine {requested!r}: use pandoc or quarto")
    return requested


def pandoc_path() -> str:
    """The pandoc binary bundled with pypandoc-binary."""
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def deterministic_env() -> dict[str, str]:
    """The process environment with a fixed build date for reproducible output."""
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = "0"
    return env


def _run(cmd: Sequence[str], cwd: Path) -> str:
    """Run a command (never through a shell); raise RenderError with its stderr."""
    try:
        proc = subprocess.run(
            list(cmd),
            cwd=cwd,
            env=deterministic_env(),
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"could not run {cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        raise RenderError(
            f"{Path(cmd[0]).name} failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}"
        )
    return proc.stdout


def _check_formats(formats: Sequence[str]) -> list[str]:
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise RenderError(f"unknown output format(s) {unknown}: use any of {list(FORMATS)}")
    return list(dict.fromkeys(formats))


# --- pandoc (embedded) -------------------------------------------------------


def pandoc_command(
    qmd: Path,
    fmt: str,
    output: Path,
    *,
    running_header: str,
    templates: Path,
    pandoc: str,
) -> list[str]:
    """The pandoc command line that writes `fmt` (html, typst or docx) to `output`.

    Paths are absolute so the command works from any folder; pandoc is run
    from the ``.qmd``'s folder so figure paths resolve relative to it.
    """
    templates = templates.resolve()
    cmd = [
        pandoc,
        qmd.name,
        f"--from={READER}",
        f"--lua-filter={templates / LUA_FILTER}",
        f"--metadata=relaudit-header:{running_header}",
        f"--output={output.resolve()}",
        "--standalone",
    ]
    if fmt == "html":
        cmd += [
            "--to=html5",
            "--embed-resources",
            f"--template={templates / HTML_TEMPLATE}",
            f"--css={templates / STYLESHEET}",
            "--toc",
            f"--toc-depth={HTML_TOC_DEPTH}",
            f"--default-image-extension={HTML_IMAGE_EXTENSION}",
            "--wrap=none",
        ]
    elif fmt == "typst":
        # Pandoc reads no file while writing Typst; figures are read by Typst,
        # confined to the document's folder.
        cmd += [
            "--to=typst",
            "--sandbox",
            f"--template={templates / TYPST_TEMPLATE}",
            "--toc",
            f"--toc-depth={PDF_TOC_DEPTH}",
            f"--default-image-extension={PRINT_IMAGE_EXTENSION}",
        ]
    elif fmt == "docx":
        cmd += [
            "--to=docx",
            "--toc",
            f"--toc-depth={DOCX_TOC_DEPTH}",
            f"--default-image-extension={PRINT_IMAGE_EXTENSION}",
        ]
    else:
        raise RenderError(f"pandoc cannot write {fmt!r} directly")
    return cmd


def compile_typst(source: Path, pdf: Path, root: Path) -> None:
    """Compile a Typst file to PDF with only the bundled fonts and files under `root`."""
    import typst

    try:
        typst.compile(
            str(source),
            output=str(pdf),
            root=str(root),
            timestamp=0,
            **typst_font_options(),
        )
    except typst.TypstError as exc:
        raise RenderError(f"typst could not compile {source.name}: {exc}") from exc


def pandoc_version(pandoc: str | None = None) -> str:
    """E.g. ``pandoc 3.9; typst 0.15.2``."""
    import typst

    first_line = _run([pandoc or pandoc_path(), "--version"], Path.cwd()).splitlines()[0]
    return f"{first_line.strip()}; typst {typst.__version__}"


def _render_pandoc(
    qmd: Path, formats: Sequence[str], stem: str, running_header: str, templates: Path
) -> RenderResult:
    pandoc = pandoc_path()
    folder = qmd.parent
    outputs: dict[str, Path] = {}
    for fmt in formats:
        target = folder / f"{stem}.{fmt}"
        if fmt == "pdf":
            # The Typst source lives beside the qmd only while it compiles, so
            # relative figure paths resolve and nothing outside the folder is read.
            source = folder / f".{stem}.render.typ"
            try:
                _run(
                    pandoc_command(
                        qmd,
                        "typst",
                        source,
                        running_header=running_header,
                        templates=templates,
                        pandoc=pandoc,
                    ),
                    folder,
                )
                compile_typst(source, target, root=folder)
            finally:
                source.unlink(missing_ok=True)
        else:
            cmd = pandoc_command(
                qmd,
                fmt,
                target,
                running_header=running_header,
                templates=templates,
                pandoc=pandoc,
            )
            _run(cmd, folder)
        outputs[fmt] = target
    return RenderResult("pandoc", pandoc_version(pandoc), outputs)


# --- quarto ------------------------------------------------------------------

QUARTO_TARGETS: Mapping[str, str] = {"html": "html", "pdf": "typst", "docx": "docx"}


def quarto_command(
    qmd: Path, fmt: str, *, running_header: str, templates: Path, output_name: str, quarto: str
) -> list[str]:
    """The ``quarto render`` command line for one format (PDF through Quarto's Typst)."""
    templates = templates.resolve()
    to = QUARTO_TARGETS[fmt]
    image_ext = HTML_IMAGE_EXTENSION if fmt == "html" else PRINT_IMAGE_EXTENSION
    cmd = [
        quarto,
        "render",
        qmd.name,
        "--to",
        to,
        "--output",
        output_name,
        "-M",
        f"from:{READER}",
        "-M",
        f"relaudit-header:{running_header}",
        "-M",
        "toc:true",
        "-M",
        f"default-image-extension:{image_ext}",
        "-M",
        f"filters:[{templates / LUA_FILTER}]",
    ]
    if fmt == "html":
        cmd += [
            "-M",
            f"toc-depth:{HTML_TOC_DEPTH}",
            "-M",
            "embed-resources:true",
            "-M",
            f"css:{templates / STYLESHEET}",
            "-M",
            f"template:{templates / HTML_TEMPLATE}",
        ]
    elif fmt == "pdf":
        cmd += [
            "-M",
            f"template:{templates / TYPST_TEMPLATE}",
            "-M",
            f"toc-depth:{PDF_TOC_DEPTH}",
            "-M",
            "keep-typ:false",
        ]
    return cmd


def quarto_version(quarto: str) -> str:
    return f"quarto {_run([quarto, '--version'], Path.cwd()).strip()}"


def _render_quarto(
    qmd: Path, formats: Sequence[str], stem: str, running_header: str, templates: Path
) -> RenderResult:
    quarto = shutil.which("quarto")
    if quarto is None:
        raise RenderError(QUARTO_MISSING)
    outputs: dict[str, Path] = {}
    for fmt in formats:
        name = f"{stem}.{fmt}"
        cmd = quarto_command(
            qmd,
            fmt,
            running_header=running_header,
            templates=templates,
            output_name=name,
            quarto=quarto,
        )
        _run(cmd, qmd.parent)
        outputs[fmt] = qmd.parent / name
    return RenderResult("quarto", quarto_version(quarto), outputs)


# --- entry point -------------------------------------------------------------


def render_document(
    qmd: Path,
    formats: Sequence[str],
    engine: str = "pandoc",
    *,
    running_header: str,
    output_stem: str | None = None,
    templates: Path | None = None,
) -> RenderResult:
    """Render `qmd` to each of `formats`, beside it, with the chosen engine.

    `running_header` (e.g. the system's name) is passed as plain-text metadata,
    so the writer escapes it; it heads every PDF page after the first.
    """
    qmd = Path(qmd).resolve()
    if not qmd.is_file():
        raise RenderError(f"{qmd}: no such document to render")
    wanted = _check_formats(formats)
    stem = output_stem or qmd.stem
    folder = templates or templates_dir()
    chosen = choose_engine(engine)
    if chosen == "quarto":
        result = _render_quarto(qmd, wanted, stem, running_header, folder)
    else:
        result = _render_pandoc(qmd, wanted, stem, running_header, folder)
    missing = [str(p) for p in result.outputs.values() if not p.is_file()]
    if missing:
        raise RenderError(f"{result.engine} did not write {', '.join(missing)}")
    return result
