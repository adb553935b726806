"""Hostile text must stay inert text at every output boundary.

The markdown escaping is checked for real: the escaped text goes through
pandoc (markdown to its JSON AST, HTML, Typst and DOCX) and the Typst through
the Typst compiler, and the tests assert that only plain text comes out.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import unicodedata
import zipfile
from html.parser import HTMLParser

import pandas as pd
import pypandoc
import pytest
import typst
from hypothesis import given, settings
from hypothesis import strategies as st

from relaudit.io import write_csv
from relaudit.text import (
    escape_html,
    escape_typst,
    jinja_filters,
    neutralise_formula,
    safe_markdown,
    strip_controls,
)

PANDOC = pypandoc.get_pandoc_path()

PAYLOADS = {
    "script": "<script>alert('x')</script>",
    "raw_html": '<img src=x onerror="alert(1)"><iframe src="//evil"></iframe><b>bold</b>',
    "html_comment": "<!-- hidden --> &amp; &#60;b&#62;",
    "md_image_file_url": "![secret](file:///etc/passwd) and ![x](http://evil.com/t.png)",
    "md_link": "[click](javascript:alert(1)) [ref]: http://evil.com",
    "autolink": "<http://evil.com> https://evil.com www.evil.com",
    "typst_read": '#read("/etc/passwd") #import "x.typ": * #include "y.typ"',
    "typst_markup": "= Heading <label> @label // comment /* block */ ~ \\u{41}",
    "typst_code": '#let x = 1; #eval("1+1") #link("https://x")[y] #image("/etc/x.png")',
    "jinja": "{{ config.items() }} {% for x in y %}{% endfor %} {# c #}",
    "quarto_shortcode": "{{< include /etc/passwd >}} {{< meta title >}} {{{< env HOME >}}}",
    "citation": "@smith2020 says [@doe2019, p. 3] and [-@x]",
    "math": "$x^2$ and $$\\int f$$ and \\(a\\) and \\[b\\]",
    "formula": '=HYPERLINK("http://evil","x") +1 -2 @SUM(A1) =cmd|\' /C calc\'!A0',
    "markdown_blocks": "# Heading\n- item\n1. one\n> quote\n| a | b |\n|---|---|\n    code\n***",
    "emphasis": "**bold** __b__ *it* _it_ ~~strike~~ ^sup^ ~sub~ `code` ```raw```",
    "raw_attribute": "`<b>x</b>`{=html} ::: {.callout} :::  [span]{.cls} ^[footnote]",
    "tex": "\\textbf{x} \\input{/etc/passwd} \\newpage",
    "controls": "bell\x07 nul\x00 esc\x1b[31m red \u202eevil\u202c zero\u200bwidth",
    "smart": "\"quoted\" 'single' -- --- ... <- ->",
    "line_block": "| line\n| block\n(@) example\nTerm\n: definition",
}

# Pandoc readers the templates might use: plain pandoc markdown, and one with
# the extensions that make backslashes and bare URLs dangerous.
READERS = ["markdown", "markdown+tex_math_single_backslash+autolink_bare_uris+emoji+mark"]

INERT_INLINES = {"Str", "Space", "SoftBreak", "LineBreak"}


def plain(text: str) -> str:
    """What a reader should see: controls gone, whitespace collapsed."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u202a-\u202e]", "", text)
    return " ".join(text.split())


def pandoc(markdown: str, to: str, reader: str = "markdown") -> str:
    result = subprocess.run(
        [PANDOC, "-f", reader, "-t", to],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    return result.stdout


def ast_text(markdown: str, reader: str = "markdown") -> str:
    """Parse with pandoc; assert only inert text inlines; return the text."""
    doc = json.loads(pandoc(markdown, "json", reader))
    blocks = doc["blocks"]
    if not blocks:
        return ""
    assert len(blocks) == 1 and blocks[0]["t"] == "Para", blocks
    pieces = []
    for inline in blocks[0]["c"]:
        assert inline["t"] in INERT_INLINES, inline
        pieces.append(inline["c"] if inline["t"] == "Str" else " ")
    return "".join(pieces)


def typst_content(source: str) -> dict:
    """Compile `source` as Typst markup inside a content block; return its tree."""
    probe = f"#let body = [{source}]\n#metadata(body) <probe>\n"
    value = typst.query(probe.encode(), "<probe>", field="value", one=True)
    return json.loads(value) if isinstance(value, str) else value


def typst_text(node: dict) -> str:
    """Text of a Typst content tree, asserting it holds nothing but text."""
    func = node["func"]
    if func == "sequence":
        return "".join(typst_text(child) for child in node["children"])
    assert func in {"text", "symbol", "space", "linebreak"}, node
    return node.get("text", " ")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_markdown_parses_to_plain_text(name: str, reader: str) -> None:
    payload = PAYLOADS[name]
    assert ast_text(safe_markdown(payload), reader) == plain(payload)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_markdown_to_html_has_no_markup(name: str) -> None:
    out = pandoc(safe_markdown(PAYLOADS[name], hard_breaks=True), "html")
    tags = set(re.findall(r"</?([a-zA-Z][\w-]*)", out))
    assert tags <= {"p", "br"}, out
    assert "<script" not in out and "<img" not in out and "href" not in out


def test_script_is_shown_as_escaped_text() -> None:
    out = pandoc(safe_markdown(PAYLOADS["script"]), "html")
    assert "&lt;script&gt;" in out


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_markdown_to_typst_is_plain_text(name: str) -> None:
    payload = PAYLOADS[name]
    source = pandoc(safe_markdown(payload), "typst")
    # Typst typesets "-2" and "..." with a minus sign and an ellipsis:
    # typography, not markup.
    text = typst_text(typst_content(source.strip()))
    text = text.replace("\u2212", "-").replace("\u2026", "...")
    assert text == plain(payload)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_escape_typst_is_plain_text(name: str) -> None:
    payload = PAYLOADS[name]
    assert typst_text(typst_content(escape_typst(payload))) == plain(payload)


def test_typst_read_is_not_executed() -> None:
    source = pandoc(safe_markdown(PAYLOADS["typst_read"]), "typst")
    assert "\\#read(" in source
    assert not re.search(r"(?<!\\)#read\(", source)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_markdown_to_docx_has_no_links_fields_or_images(name: str) -> None:
    result = subprocess.run(
        [PANDOC, "-f", "markdown", "-t", "docx", "-o", "-"],
        input=safe_markdown(PAYLOADS[name]).encode(),
        capture_output=True,
        check=True,
    )
    with zipfile.ZipFile(io.BytesIO(result.stdout)) as docx:
        body = docx.read("word/document.xml").decode()
        names = docx.namelist()
    for marker in ("<w:hyperlink", "<w:drawing", "<w:fldSimple", "<w:instrText", "<w:object"):
        assert marker not in body
    assert not any(n.startswith("word/media/") for n in names)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag) -> None:
        self.tags.append(tag)

    def handle_comment(self, data) -> None:
        self.tags.append("!--")

    def handle_data(self, data) -> None:
        self.text.append(data)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_escape_html_is_text_only(name: str) -> None:
    payload = PAYLOADS[name]
    parser = _Collector()
    parser.feed(escape_html(payload))
    parser.close()
    assert parser.tags == []
    assert "".join(parser.text) == plain(payload)


def test_escape_html_quotes_attributes() -> None:
    assert escape_html('" onload="x') == "&quot; onload=&quot;x"
    assert html.unescape(escape_html("a'b")) == "a'b"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("fine = ok", "fine = ok"),
        ("", ""),
        (3, 3),
    ],
)
def test_neutralise_formula(cell: object, expected: object) -> None:
    assert neutralise_formula(cell) == expected


def test_write_csv_makes_formulas_inert(tmp_path) -> None:
    frame = pd.DataFrame(
        {"quote": ["=cmd|' /C calc'!A0", "+1", "-1", "@x", "ok"], "=head": [1, 2, 3, 4, 5]}
    )
    path = write_csv(frame, tmp_path / "quotes.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "quote,'=head"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "'=cmd|' /C calc'!A0",
        "'+1",
        "'-1",
        "'@x",
        "ok",
    ]


# Known answers for the layout rules, worked out by hand.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb\n\n\nc", "a b c"),
        ("  lots   of\tspace  ", "lots of space"),
        ("x" * 40, "x" * 40),
        ("x" * 41, "x" * 30 + "\u200b" + "x" * 11),
        ("y" * 65, "y" * 30 + "\u200b" + "y" * 30 + "\u200b" + "y" * 5),
        ("\x00\x1b\x7f", ""),
        ("", ""),
    ],
)
def test_layout(text: str, expected: str) -> None:
    assert safe_markdown(text) == expected


def test_hard_breaks_never_leave_a_blank_line() -> None:
    assert safe_markdown("a\n\n\nb.", hard_breaks=True) == "a\\\nb\\."
    assert "\n\n" not in safe_markdown("x\n\n\n\ny\n \nz", hard_breaks=True)


def test_every_ascii_punctuation_is_escaped() -> None:
    out = safe_markdown("!\"#$%&'*+,-./:;<=>?@\\^_`{|}~")
    assert out == "".join("\\" + ch for ch in "!\"#$%&'*+,-./:;<=>?@\\^_`{|}~")
    assert safe_markdown("()[]") == "&#40;&#41;&#91;&#93;"


def test_no_jinja_or_shortcode_delimiters_survive() -> None:
    out = safe_markdown(PAYLOADS["jinja"] + PAYLOADS["quarto_shortcode"])
    for delimiter in ("{{", "{%", "{#", "}}", "%}", "{{<", ">}}"):
        assert delimiter not in out


def expected_text(text: str) -> str:
    """The text a reader should get back: controls and format characters removed."""
    text = re.sub(r"\r\n?|[\n\v\f\u0085\u2028\u2029]", " ", text)
    kept = "".join(
        ch for ch in text if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cn")
    )
    return " ".join(kept.split())


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_round_trips_through_pandoc(text: str) -> None:
    parsed = ast_text(safe_markdown(text)).replace("\u200b", "")
    assert " ".join(parsed.split()) == expected_text(text)


def test_jinja_filters_escape_in_a_template() -> None:
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment(autoescape=False)
    env.filters.update(jinja_filters())
    template = env.from_string("> {{ quote | md }}\n\n{{ quote | typst }}\n")
    out = template.render(quote="{{ 7*7 }} <b>#read('x')</b>")
    assert "49" not in out
    assert out.splitlines()[0] == "> " + safe_markdown("{{ 7*7 }} <b>#read('x')</b>")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40))
def test_strip_controls_ascii_fast_path_matches_the_definition(text: str) -> None:
    # Independent of the fast path: keep newline and tab, drop every other
    # character whose Unicode category is a control, after newline folding.
    folded = re.sub(r"\r\n?|[\n\v\f]", "\n", text)
    expected = "".join(
        ch for ch in folded if ch in "\n\t" or not unicodedata.category(ch).startswith("C")
    )
    assert strip_controls(text) == expected
