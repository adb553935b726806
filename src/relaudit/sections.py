"""The section registry: what a document can hold, section by section.

Each section has an id, a default heading, a context function and a template
partial (``templates/sections/<document>/<id>.j2``). A programme lists, per
document, the sections in reading order (``documents.<name>.sections`` in
``config/programmes/*.yaml``); an entry is an id, or a mapping with the id and
options: ``heading`` (overrides the default) and, for sections repeated per
respondent question, ``grouping``. A document's template is the front matter
and a loop over those sections.

Adding a section: declare it with :func:`section` in relaudit.pack (briefing
packs), relaudit.annex (the national annex) or relaudit.programme_report (the
report of a programme of populations), write its partial, and list its id in
the programme.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from relaudit.errors import ConfigError

# A document's scope (programme schema) -> the folder of its section partials.
SCOPES = {"system": "briefing", "national": "annex", "programme": "report"}
# The module that declares each scope's sections.
MODULES = {"system": "pack", "national": "annex", "programme": "programme_report"}


@dataclass(frozen=True)
class Section:
    """One kind of section a document of `scope` can hold."""

    id: str
    scope: str
    heading: str
    context: Callable[[Any, Placed], dict[str, Any]]
    # Options an entry in the programme must give (e.g. grouping).
    requires: tuple[str, ...] = ()

    @property
    def partial(self) -> str:
        """The section's template, relative to templates/."""
        return f"sections/{SCOPES[self.scope]}/{self.id}.j2"


@dataclass(frozen=True)
class Placed:
    """A section as one document uses it: heading and options resolved."""

    section: Section
    heading: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.section.id


_REGISTRY: dict[str, dict[str, Section]] = {scope: {} for scope in SCOPES}


def section(
    scope: str, section_id: str, heading: str, requires: Sequence[str] = ()
) -> Callable[[Callable[[Any, Placed], dict[str, Any]]], Callable[[Any, Placed], dict[str, Any]]]:
    """Declare a section; decorates its context function ``(data, placed) -> dict``."""

    def register(
        function: Callable[[Any, Placed], dict[str, Any]],
    ) -> Callable[[Any, Placed], dict[str, Any]]:
        if section_id in _REGISTRY[scope]:
            raise ValueError(f"section {section_id!r} is declared twice for scope {scope!r}")
        _REGISTRY[scope][section_id] = Section(
            section_id, scope, heading, function, tuple(requires)
        )
        return function

    return register


def registry(scope: str) -> dict[str, Section]:
    """Every section a document of `scope` can hold, in declaration order."""
    # The declarations live beside their context functions.
    import relaudit.annex
    import relaudit.pack
    import relaudit.programme_report  # noqa: F401

    if scope not in _REGISTRY:
        raise ConfigError(f"unknown document scope {scope!r}. Fix: use one of {list(SCOPES)}.")
    return dict(_REGISTRY[scope])


def _unknown(scope: str, section_id: Any, known: Sequence[str], where: str) -> ConfigError:
    return ConfigError(
        f"{where}: unknown section id {section_id!r}. Fix: use one of "
        f"{', '.join(known)}, or declare the section in relaudit.sections' registry "
        f"(relaudit.{MODULES[scope]}) with a partial under "
        f"templates/sections/{SCOPES[scope]}/."
    )


def _entry_id(entry: str | Mapping[str, Any]) -> Any:
    return entry if isinstance(entry, str) else entry.get("id")


def check_ids(
    scope: str,
    entries: Sequence[str | Mapping[str, Any]],
    source: str = "the programme",
    document: str | None = None,
) -> None:
    """Fail early (when the workflow is read) on a section id with no partial.

    Looks only at the partials under templates/sections/, so the workflow
    need not import the context code; tests keep partials and declarations
    one-to-one. :func:`resolve` checks again against the registry.
    """
    from relaudit.resources import templates_dir

    folder = templates_dir() / "sections" / SCOPES[scope]
    known = sorted(p.stem for p in folder.glob("*.j2"))
    where = f"{source}: documents/{document or SCOPES[scope]}/sections"
    for position, entry in enumerate(entries, start=1):
        if _entry_id(entry) not in known:
            raise _unknown(scope, _entry_id(entry), known, f"{where}, entry {position}")


def resolve(
    scope: str,
    entries: Sequence[str | Mapping[str, Any]] | None,
    source: str = "the programme",
    document: str | None = None,
) -> list[Placed]:
    """The programme's section entries as registry sections (None: every section).

    An unknown id, or a missing option, is a ConfigError naming the file and the fix.
    """
    known = registry(scope)
    if entries is None:
        entries = [s.id for s in known.values() if not s.requires]
    where = f"{source}: documents/{document or SCOPES[scope]}/sections"
    placed = []
    for position, entry in enumerate(entries, start=1):
        options = {"id": entry} if isinstance(entry, str) else dict(entry)
        section_id = options.pop("id", None)
        found = known.get(str(section_id))
        if found is None:
            raise _unknown(scope, section_id, list(known), f"{where}, entry {position}")
        missing = [key for key in found.requires if not options.get(key)]
        if missing:
            raise ConfigError(
                f"{where}, entry {position} ({section_id}): no {missing[0]}. Fix: write it as "
                f"{{id: {section_id}, {missing[0]}: <respondent question id>}}."
            )
        heading = str(options.pop("heading", "") or "")
        if not heading:
            heading = found.heading.format(**{k: str(v) for k, v in options.items()})
        placed.append(Placed(found, heading, options))
    return placed


def contexts(placed: Sequence[Placed], data: Any) -> list[dict[str, Any]]:
    """Each section's template inputs, in document order (see templates/*.qmd.j2)."""
    return [
        {
            "id": p.id,
            "heading": p.heading,
            "partial": p.section.partial,
            "context": p.section.context(data, p),
        }
        for p in placed
    ]


def headings(scope: str, entries: Sequence[str | Mapping[str, Any]] | None = None) -> list[str]:
    """The section headings of a document, in order (tests look for them)."""
    return [p.heading for p in resolve(scope, entries)]
