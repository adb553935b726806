"""Escaping untrusted text at every output boundary.

A free-text comment (or any other cell from an export) may contain anything:
raw HTML, markdown images with ``file://`` links, Typst commands, Jinja or
Quarto shortcode braces, citations, maths or spreadsheet formulas. These
functions turn such text into inert, literal text for one target language
each. Use the function that matches where the text is put:

* :func:`safe_markdown` for Pandoc/Quarto markdown (the briefing templates),
* :func:`escape_html` for HTML source,
* :func:`escape_typst` for Typst markup,
* :func:`neutralise_formula` for a spreadsheet cell (CSV/XLSX).
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Callable

from relaudit.io import neutralise_cell

# Words longer than this get a zero-width space every WORD_CHUNK characters,
# so a 500-character "word" cannot push a table or page off its width.
LONG_WORD = 40
WORD_CHUNK = 30
ZERO_WIDTH_SPACE = "\u200b"

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_WORD = re.compile(r"\S+")
_NEWLINES = re.compile(r"\r\n?|[\n\v\f\u0085\u2028\u2029]")
_SPACES = re.compile(r"[ \t]+")
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def strip_controls(text: str) -> str:
    """Remove control and invisible format characters, keeping newline and tab.

    Bidirectional overrides and zero-width characters (Unicode category Cf)
    can disguise text or hide words from redaction, so they go too.
    """
    text = _NEWLINES.sub("\n", text)
    if text.isascii():
        # The usual case, and a fast path: in ASCII only C0 controls and DEL qualify.
        return _ASCII_CONTROLS.sub("", text)
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )


def break_long_words(text: str, limit: int = LONG_WORD, chunk: int = WORD_CHUNK) -> str:
    """Insert a zero-width space every `chunk` characters in words over `limit`."""

    def _split(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) <= limit:
            return word
        return ZERO_WIDTH_SPACE.join(word[i : i + chunk] for i in range(0, len(word), chunk))

    return _WORD.sub(_split, text)


def _tidy(text: str, hard_breaks: bool) -> list[str]:
    """Clean text into lines of single-spaced words (one line unless hard_breaks)."""
    text = strip_controls(str(text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not hard_breaks:
        lines = [" ".join(lines)] if lines else []
    return [break_long_words(line) for line in lines]


# Brackets become numeric entities rather than backslash escapes: with
# Pandoc's tex_math_single_backslash extension, which a template might
# enable, a backslash before ( or [ would start maths.
_MARKDOWN_ENTITIES = {"(": "&#40;", ")": "&#41;", "[": "&#91;", "]": "&#93;"}


def _backslash_punctuation(text: str) -> str:
    return "".join("\\" + ch if ch in _ASCII_PUNCTUATION else ch for ch in text)


def _escape_markdown_line(text: str) -> str:
    return "".join(
        _MARKDOWN_ENTITIES.get(ch) or ("\\" + ch if ch in _ASCII_PUNCTUATION else ch) for ch in text
    )


def safe_markdown(text: str, hard_breaks: bool = False) -> str:
    """Make untrusted text literal inline Pandoc/Quarto markdown.

    Every ASCII punctuation character is backslash-escaped (Pandoc markdown
    accepts an escape before any of them; brackets and parentheses become
    numeric character references instead), so nothing in the text can become
    emphasis, a heading, a list, a link or image, raw HTML, a citation, maths,
    a Quarto shortcode or a Jinja tag. Control characters are removed, runs
    of spaces collapse, and newlines become spaces, or Pandoc hard line
    breaks when `hard_breaks` is true (never a blank line, which would end
    the paragraph or block quote the template put the text in). Very long
    words get zero-width spaces. The result is a single paragraph's worth of
    inline text: safe inside a paragraph, list item, table cell or block quote.
    """
    separator = "\\\n" if hard_breaks else " "
    return separator.join(_escape_markdown_line(line) for line in _tidy(text, hard_breaks))


def escape_html(text: str) -> str:
    """Make untrusted text literal HTML (element content or quoted attribute value)."""
    return html.escape(" ".join(_tidy(text, hard_breaks=False)), quote=True)


def escape_typst(text: str) -> str:
    """Make untrusted text literal Typst markup.

    Typst accepts a backslash before any character as an escape, so every
    ASCII punctuation character is escaped: no ``#`` command, ``$`` maths,
    ``@`` reference, ``<label>``, ``//`` comment, heading or list marker can
    start. Newlines become spaces.
    """
    return _backslash_punctuation(" ".join(_tidy(text, hard_breaks=False)))


def neutralise_formula(value: object) -> object:
    """Make a spreadsheet cell inert (same rule as :func:`relaudit.io.write_csv`)."""
    return neutralise_cell(value)


def jinja_filters() -> dict[str, Callable[[str], str]]:
    """Filters for a Jinja environment: ``{{ quote | md }}`` and so on.

    Every untrusted value a template prints must pass through one of these,
    chosen by the language the template emits.
    """
    return {
        "md": safe_markdown,
        "md_lines": lambda text: safe_markdown(text, hard_breaks=True),
        "html": escape_html,
        "typst": escape_typst,
    }
