"""Markdown for the documents: escaping, number formats and pipe tables.

Escaping is the default. Every ``{{ expression }}`` in a template passes
through :func:`finalize`, which escapes it with
:func:`relaudit.escape.safe_markdown` unless it is a :class:`Markdown`
instance: markdown built here from pieces that were each escaped (a pipe
table whose cells were each escaped, a figure reference, a formatted number).
Templates therefore cannot forget to escape a comment, a system name or a
group label.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from relaudit import findings as fnd
from relaudit.escape import safe_markdown
from relaudit.suppress import REASON, RESPONDENTS, SECONDARY, SMALL, reason_note

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

DASH = "\u2014"


class Markdown(str):
    """Markdown built from trusted or already-escaped pieces."""

    __slots__ = ()


def esc(value: Any) -> Markdown:
    """Escape any value for markdown (Markdown instances pass unchanged)."""
    if isinstance(value, Markdown):
        return value
    if value is None:
        return Markdown("")
    if isinstance(value, float) and math.isnan(value):
        return Markdown(DASH)
    if isinstance(value, bool):
        return Markdown("yes" if value else "no")
    if isinstance(value, int):
        return Markdown(f"{value:,}")
    return Markdown(safe_markdown(str(value)))


def finalize(value: Any) -> str:
    """Jinja finalize hook: escape everything that is not :class:`Markdown`."""
    return esc(value)


# --- number and date filters (their output is built from numbers only) -----


def number(value: Any) -> float | None:
    """A float, or None for a blank or NaN value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    result = float(value)
    return None if math.isnan(result) else result


def fmt_mean(value: Any) -> Markdown:
    value = number(value)
    return Markdown(DASH if value is None else fnd.fmt_mean(value))


def fmt_pct(value: Any) -> Markdown:
    value = number(value)
    return Markdown(DASH if value is None else fnd.fmt_pct(value))


def fmt_signed(value: Any) -> Markdown:
    value = number(value)
    return Markdown(DASH if value is None else fnd.fmt_signed(value))


def fmt_count(value: Any) -> Markdown:
    value = number(value)
    return Markdown(DASH if value is None else f"{round(value):,}")


def fmt_date(value: Any) -> Markdown:
    """A date as '8 September 2017' (locale independent)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return Markdown(f"{value.day} {MONTHS[value.month - 1]} {value.year}")


def yaml_string(value: Any) -> Markdown:
    """A YAML front-matter string: markdown-escaped, then JSON-quoted."""
    return Markdown(json.dumps(safe_markdown(str(value)), ensure_ascii=False))


def as_int(value: Any, default: int = 0) -> int:
    result = number(value) if value is not None else None
    return default if result is None else int(result)


# --- words ----------------------------------------------------------------

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def counted(count: int, noun: str) -> str:
    """'two frameworks', 'one framework', '12 frameworks'."""
    word = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else f"{count:,}"
    return f"{word} {noun}" + ("" if count == 1 else "s")


def plural(count: Any, singular: str, plural_form: str | None = None) -> str:
    """The word that agrees with `count`: 'row' or 'rows', 'was' or 'were'.

    Without `plural_form` the plural adds an "s" (relaudit.findings' rule).
    """
    number_value = as_int(count)
    if plural_form is None:
        return fnd._plural(number_value, singular)
    return singular if number_value == 1 else plural_form


def every(count: int, noun: str) -> str:
    """'the framework', 'both frameworks', 'all three frameworks'."""
    if count == 1:
        return f"the {noun}"
    if count == 2:
        return f"both {noun}s"
    return f"all {counted(count, noun)}"


def number_ranges(numbers: Iterable[int]) -> str:
    """[1, 2, 3, 5] -> '1 to 3 and 5'."""
    values = sorted(set(int(n) for n in numbers))
    parts: list[str] = []
    start = prev = None
    for value in values:
        if start is None:
            start = prev = value
        elif value == prev + 1:
            prev = value
        else:
            parts.append(str(start) if start == prev else f"{start} to {prev}")
            start = prev = value
    if start is not None:
        parts.append(str(start) if start == prev else f"{start} to {prev}")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- blocks -------------------------------------------------------------------


def md_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    align: str | None = None,
    widths: Sequence[int] | None = None,
) -> Markdown:
    """A pipe table; every cell is escaped unless it is already :class:`Markdown`.

    `align` has one letter per column (l, r, c); `widths` sets the relative
    column widths through the number of dashes in the separator line.
    """
    count = len(headers)
    align = align or "l" * count
    widths = widths or [3] * count
    rows = list(rows)
    lines = ["| " + " | ".join(esc(h) for h in headers) + " |"]
    separators = []
    for letter, width in zip(align, widths, strict=True):
        dashes = "-" * max(3, width)
        separators.append(
            {"l": ":" + dashes, "r": dashes + ":", "c": ":" + dashes + ":"}.get(letter, dashes)
        )
    lines.append("|" + "|".join(separators) + "|")
    for row in rows:
        cells = [esc(cell) or Markdown(" ") for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    return Markdown("\n".join(lines))


def blockquote(quote: Mapping[str, str]) -> Markdown:
    """A quote and its attribution as a block quote (both escaped)."""
    text = f"> \u201c{esc(quote['quote'])}\u201d"
    if quote.get("attribution"):
        text += f"\n>\n> \u2014 {esc(quote['attribution'])}"
    return Markdown(text)


# --- hidden cells -------------------------------------------------------------

# A hidden cell shows a mark; the table's note says once what the mark means.
HIDDEN_MARKS = {SMALL: "*", SECONDARY: "\u2020"}


def hidden_reason(row: Mapping[str, Any]) -> str:
    """Why a hidden row is hidden: "secondary" if its table says so, else "small"."""
    reason = str(row.get(REASON, "") or "").strip()
    return SECONDARY if reason == SECONDARY else SMALL


def hidden_mark(reason: str) -> Markdown:
    return Markdown(esc(HIDDEN_MARKS[reason]))


def with_hidden_note(
    table: Markdown, reasons: Iterable[str], k: int, kind: str = RESPONDENTS
) -> Markdown:
    """A table followed by one line saying what each hidden-cell mark means.

    `kind` is what the table's cells count (relaudit.suppress: respondents,
    answers or commenters), named in the note for cells hidden as small.
    """
    present = [r for r in (SMALL, SECONDARY) if r in set(reasons)]
    if not present:
        return table
    notes = [f"{esc(HIDDEN_MARKS[r])} {esc(_capital(reason_note(r, k, kind)))}." for r in present]
    return Markdown(f"{table}\n\n::: {{.table-note}}\n{' '.join(notes)}\n:::")


def _capital(text: str) -> str:
    """`text` with its first letter in capitals (the rest as it is)."""
    return text[:1].upper() + text[1:]


# --- data blocks ----------------------------------------------------------------


def data_block(table: Markdown | None, title: str, charts: Sequence[Any] = ()) -> Markdown | None:
    """A table that repeats the numbers of the chart beside it, as that chart's data.

    The HTML shows it folded (a ``<details>`` element, "Data: `title`"); the
    PDF moves it to the appendix of chart data, with a pointer where it
    stood (templates/filters/relaudit.lua). Without a chart (`charts` empty)
    the table stays where it is: it is then the only place for its numbers.
    """
    if not table or not charts:
        return table
    return Markdown(f":::: {{.chart-data}}\n{esc(title)}\n\n{table}\n::::")
