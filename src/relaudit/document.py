"""Document plumbing: the Jinja environment, figures, writing and rendering.

A document's template (``templates/briefing.qmd.j2``, ``templates/annex.qmd.j2``)
is its front matter and a loop over its sections; :func:`render_section`
renders one section's partial with the document's common values and the
section's own context (see relaudit.sections). Markdown and escaping are in
relaudit.markdown, the shared tables in relaudit.blocks, the sections'
contexts in relaudit.pack and relaudit.annex.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from relaudit.chartset import chart_slot, figure_slots
from relaudit.escape import safe_markdown
from relaudit.instrument import Instrument
from relaudit.markdown import (
    Markdown,
    data_block,
    esc,
    finalize,
    fmt_count,
    fmt_date,
    fmt_mean,
    fmt_pct,
    fmt_signed,
    plural,
    yaml_string,
)
from relaudit.resources import templates_dir

TEMPLATE_DIR = templates_dir()


@jinja2.pass_context
def render_section(context: jinja2.runtime.Context, section: Mapping[str, Any]) -> Markdown:
    """One section's partial, with the document's values and the section's own.

    The partial sees ``section`` (its id and heading) too.
    """
    template = context.environment.get_template(section["partial"])
    values = {**context.get_all(), **section["context"], "section": section}
    return Markdown(template.render(values))


def make_environment(template_dir: str | Path = TEMPLATE_DIR) -> jinja2.Environment:
    """The Jinja environment for document templates (escaping by default)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        mean=fmt_mean,
        pct=fmt_pct,
        signed=fmt_signed,
        count=fmt_count,
        date=fmt_date,
        yaml_string=yaml_string,
    )
    # Wording and layout: words that agree with a count; tables that repeat a chart.
    env.filters.update(plural=plural, data_block=data_block)
    env.globals["render_section"] = render_section
    return env


def render_template(
    name: str, context: Mapping[str, Any], template_dir: str | Path = TEMPLATE_DIR
) -> str:
    """Render one document template to Quarto markdown."""
    text = make_environment(template_dir).get_template(name).render(**context)
    # Collapse runs of blank lines left by optional blocks.
    return re.sub(r"\n{3,}", "\n\n", text)


# --- figures ------------------------------------------------------------------


_FIGURE_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Figure:
    """One entry of figures.json, referenced from the qmd without extension."""

    name: str
    title: str
    alt: str
    path: str  # relative to the qmd, no extension
    # What the chart shows (its title, drawn on the chart, states the message).
    caption: str = ""

    @property
    def markdown(self) -> Markdown:
        ident = "fig-" + (_FIGURE_ID.sub("-", self.name.lower()).strip("-") or "figure")
        # The alt text sits in a quoted attribute: keep it to one line with
        # no quote or backslash, which are the only characters that matter there.
        alt = " ".join(safe_alt(self.alt).split())
        caption = self.caption or self.title
        return Markdown(f'![{esc(caption)}]({self.path}){{#{ident} fig-alt="{alt}"}}')


def safe_alt(text: str) -> str:
    """Alt text safe inside a double-quoted pandoc attribute."""
    cleaned = safe_markdown(str(text)).replace("\\", "")
    return cleaned.replace('"', "\u201d").replace("{", "(").replace("}", ")")


_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./-]+$")


def load_figures(figures_json: str | Path, qmd_dir: str | Path) -> list[Figure]:
    """Read figures.json ({name, title, caption, alt, svg, png}) relative to the qmd folder."""
    figures_json = Path(figures_json)
    if not figures_json.exists():
        return []
    entries = json.loads(figures_json.read_text(encoding="utf-8"))
    if isinstance(entries, dict):
        entries = entries.get("figures", [])
    base = os.path.relpath(figures_json.parent, Path(qmd_dir))
    figures = []
    for entry in entries:
        source = entry.get("svg") or entry.get("png")
        if not source:
            continue
        stem = os.path.splitext(source)[0]
        path = Path(base, stem).as_posix()
        if path.startswith("./"):
            path = path[2:]
        if not _SAFE_PATH.match(path) or ".." in path.split("/"):
            continue  # a path we did not write; never put it in a document
        figures.append(
            Figure(
                name=str(entry.get("name", stem)),
                title=str(entry.get("title", "")),
                alt=str(entry.get("alt", entry.get("title", ""))),
                path=path,
                caption=str(entry.get("caption", "")),
            )
        )
    return figures


def place_figures(figures: Sequence[Figure], instrument: Instrument) -> dict[str, list[Markdown]]:
    """Assign figures to document slots by their chart declarations (relaudit.chartset).

    Every slot the instrument can have is present, empty if no chart fills it,
    so a template may ask for any of them.
    """
    slots: dict[str, list[Markdown]] = {slot: [] for slot in figure_slots(instrument)}
    for figure in figures:
        slots.setdefault(chart_slot(figure.name, instrument), []).append(figure.markdown)
    return slots


# --- writing and rendering -----------------------------------------------------


def write_qmd(text: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render_and_record(
    qmd: str | Path,
    formats: Sequence[str],
    engine: str,
    running_header: str,
    render_info: str | Path,
) -> dict[str, Any]:
    """Render the qmd with relaudit.render and write render.json beside it."""
    from relaudit.io import write_json
    from relaudit.render import render_document

    qmd = Path(qmd)
    result = render_document(qmd, list(formats), engine, running_header=running_header)
    info = {
        "engine": result.engine,
        "engine_version": result.engine_version,
        "outputs": {
            fmt: os.path.relpath(path, Path(render_info).parent).replace(os.sep, "/")
            for fmt, path in sorted(result.outputs.items())
        },
    }
    write_json(info, render_info)
    return info
