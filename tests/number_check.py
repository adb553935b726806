"""Every number a document prints, and whether the document's own tables hold it (the
"one number per fact" check; run `python tests/number_check.py results` on a build).

"One number per fact": a count, mean or percentage in a pack's text must be a
value of one of the tables published beside it (``tables/*.csv``, ``text/*.csv``
and the pack's ``audit/*.csv``), within the rounding it is printed with, or a
number the document's method text states (the smallest group shown, the scale's
points, the number of statements, ...). The tables are the checked digits; a
number that none of them holds was worked out somewhere else, and may disagree
with them.

What is read: the text of the HTML (tags stripped; each paragraph, list item,
table cell, caption and heading is one block). What is left out, and why:

- ``<head>``, the document header (title, subtitle with the deadline, running
  header) and the contents list: page furniture;
- block quotes: respondents' own words, not our numbers;
- ``<svg>``, ``<script>``, ``<style>`` and attributes (alt text, image data):
  not reading text (the charts' alt text is checked by the figure tests);
- statement wording and the titles of the programme and instrument: they are
  the questionnaire's words (a statement could contain a digit);
- dates ("8 September 2017") and figure or table numbering ("Figure 3"):
  not counts;
- a digit inside a word ("v2", "2017/18" after a letter): version labels.

One kind of number is worked out, not read: a gap between two groups, printed
in a block that says "gap" beside the two means it is the difference of. It is
accepted (and counted apart, as ``derived``) when it equals the difference of
two numbers of the same block within one unit of its last digit (both are
rounded).
"""

from __future__ import annotations

import html.parser
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b\d{{1,2}}\s+(?:{MONTHS})\s+\d{{4}}\b")
NUMBERING = re.compile(r"\b(?:Figure|Table|Page|page|p\.)\s*\d+\b")
# A number: optional sign (ASCII or the typographic minus), digits with optional
# thousands separators and decimals; not part of a word or of a longer number.
NUMBER = re.compile(
    r"(?<![\w.,/])([+\-\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w/]|\.\d|,\d{3})"
)

SKIP_TAGS = {"head", "script", "style", "svg", "nav", "blockquote", "header"}
BLOCK_TAGS = {
    "p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption",
    "summary", "div", "dt", "dd", "section", "figure", "table", "tr",
}  # fmt: skip


class _TextBlocks(html.parser.HTMLParser):
    """The text of an HTML page as blocks (one per paragraph, cell, caption...)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._buffer: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.blocks.append(text)
        self._buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._flush()
            self._skip += 1
        elif tag in BLOCK_TAGS or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def text_blocks(html_text: str) -> list[str]:
    parser = _TextBlocks()
    parser.feed(html_text)
    parser.close()
    return parser.blocks


@dataclass(frozen=True)
class Printed:
    """One number as printed: its value, its decimals and the block it stands in."""

    value: float
    decimals: int
    text: str
    block: str


def without(text: str, phrases: Iterable[str]) -> str:
    """`text` with every phrase, date and figure number blanked out."""
    for phrase in sorted({p for p in phrases if p}, key=len, reverse=True):
        text = text.replace(phrase, " ")
    text = DATE.sub(" ", text)
    return NUMBERING.sub(" ", text)


def numbers_in(block: str, excluded: Iterable[str] = ()) -> list[Printed]:
    """The numbers printed in one block of text, leaving out `excluded` phrases."""
    cleaned = without(block, excluded)
    found = []
    for match in NUMBER.finditer(cleaned):
        sign, whole, decimals = match.groups()
        digits = whole.replace(",", "") + (decimals or "")
        value = float(digits) * (-1.0 if sign in ("-", "\u2212") else 1.0)
        found.append(Printed(value, len(decimals) - 1 if decimals else 0, match.group(0), block))
    return found


def table_values(folders: Sequence[Path]) -> np.ndarray:
    """Every numeric cell of every CSV in `folders`, and each audit table's row counts
    per reason (a count of rows is that table's fact), sorted."""
    values: list[float] = []
    for folder in folders:
        for path in sorted(folder.glob("*.csv")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            values.append(float(len(frame)))
            for column in frame.columns:
                numeric = pd.to_numeric(frame[column].str.lstrip("'"), errors="coerce").dropna()
                values.extend(numeric.astype(float).tolist())
                if folder.name == "audit" and numeric.empty:
                    values.extend(float(c) for c in frame[column].value_counts().tolist())
    return np.unique(np.asarray(values, dtype=float))


def held(number: Printed, values: np.ndarray) -> bool:
    """True if some value rounds to the printed number at its printed decimals."""
    tolerance = 0.5 * 10.0 ** (-number.decimals) + 1e-9
    low = np.searchsorted(values, number.value - tolerance, side="left")
    high = np.searchsorted(values, number.value + tolerance, side="right")
    return bool(high > low)


@dataclass
class Check:
    """The numbers of one document: how many were checked and which were not found."""

    document: str
    checked: int = 0
    derived: int = 0
    missing: list[Printed] = field(default_factory=list)


def is_gap(number: Printed, others: Sequence[Printed]) -> bool:
    """True if `number` is a gap: its block says so, and it is the difference of two
    other numbers of the block (within one unit of its last digit)."""
    if "gap" not in number.block.lower():
        return False
    unit = 10.0 ** (-number.decimals) + 1e-9
    values = [o.value for o in others if o is not number]
    return any(abs(abs(a - b) - number.value) <= unit for a in values for b in values)


def check_document(
    html_path: Path,
    folders: Sequence[Path],
    method_numbers: Iterable[float],
    excluded: Iterable[str] = (),
) -> Check:
    """Check every number of one HTML document against its tables and method numbers."""
    values = np.unique(np.concatenate([table_values(folders), np.asarray(list(method_numbers))]))
    check = Check(str(html_path))
    excluded = list(excluded)
    for block in text_blocks(html_path.read_text(encoding="utf-8")):
        found = numbers_in(block, excluded)
        for number in found:
            check.checked += 1
            if held(number, values):
                continue
            if is_gap(number, found):
                check.derived += 1
            else:
                check.missing.append(number)
    return check


class _Tables(html.parser.HTMLParser):
    """The tables of an HTML page as lists of rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def respondent_counts(html_text: str) -> dict[tuple[str, str], set[str]]:
    """Every group's respondent count as printed in a "Respondents" column.

    Keyed by (question, group): the question is the table's "Question" or
    "Grouping" column (carried down blank cells) or, in a breakdown, its first
    header. Hidden cells (marks, dashes) are left out.
    """
    parser = _Tables()
    parser.feed(html_text)
    out: dict[tuple[str, str], set[str]] = {}
    for table in parser.tables:
        if not table or "Respondents" not in table[0]:
            continue
        head = table[0]
        count_at = head.index("Respondents")
        has_question = head[0] in ("Question", "Grouping")
        group_at = 1 if has_question else 0
        question = head[0]
        for row in table[1:]:
            if len(row) != len(head):
                continue
            if has_question and row[0]:
                question = row[0]
            count = row[count_at].replace(",", "")
            if count.isdigit():
                out.setdefault((question, row[group_at]), set()).add(count)
    return out


def one_size_per_group(html_text: str) -> dict[tuple[str, str], set[str]]:
    """The groups printed with more than one respondent count (should be none)."""
    return {key: counts for key, counts in respondent_counts(html_text).items() if len(counts) > 1}


def method_numbers(
    instrument_yaml: Path, min_group_size: int, top_n: int, quotes_per_theme: int = 2
) -> list[float]:
    """The numbers a document's method text states, read from the instrument and config.

    Read straight from the YAML (not through the code that writes the documents):
    the smallest group shown (and one fewer), the scale's points, lowest,
    highest and midpoint scores and positive threshold, the number of
    statements, of negatively worded statements, of frameworks and of the
    levels of each grouping, the number of best and worst statements, quotes
    per theme, 95 (the intervals) and 100 (percentages).
    """
    from relaudit.yamlio import load_yaml

    data = load_yaml(instrument_yaml.read_text(encoding="utf-8"))
    scale = data["scale"]
    scores = [float(label["score"]) for label in scale["labels"]]
    items = data["items"]
    numbers = [
        min_group_size,
        min_group_size - 1,
        len(scale["labels"]),
        min(scores),
        max(scores),
        float(scale["midpoint"]),
        float(scale["positive_threshold"]),
        len(items),
        sum(1 for item in items if item.get("polarity") == "negative"),
        len(data["frameworks"]),
        top_n,
        quotes_per_theme,
        95,
        100,
    ]
    for framework in data["frameworks"]:
        numbers.append(sum(1 for item in items if item["framework"] == framework["id"]))
        numbers.extend(len(levels) for levels in framework.get("groupings", {}).values())
    return [float(n) for n in numbers]


def instrument_phrases(instrument_yaml: Path, programme_title: str = "") -> list[str]:
    """Statement wording (every version) and titles, left out of the check."""
    from relaudit.yamlio import load_yaml

    data = load_yaml(instrument_yaml.read_text(encoding="utf-8"))
    phrases = [programme_title, str(data.get("title", ""))]
    for item in data["items"]:
        text = item["text"]
        phrases.extend(text.values() if isinstance(text, dict) else [text])
    return [" ".join(str(p).split()) for p in phrases if p]


def check_results(results: Path, root: Path) -> list[Check]:
    """Check every briefing pack under `results` (the demo programme's settings)."""
    from relaudit.yamlio import load_yaml

    config = load_yaml((root / "config" / "config.yaml").read_text(encoding="utf-8"))
    programme = load_yaml((root / config["programme"]).read_text(encoding="utf-8"))
    instrument = root / programme["instrument"]
    allowed = method_numbers(instrument, int(config["min_group_size"]), int(config["top_n"]))
    phrases = instrument_phrases(instrument, programme.get("title", ""))
    checks = []
    for pack in sorted((results / "systems").iterdir()):
        html_path = pack / "briefing.html"
        if not html_path.exists():
            continue
        folders = [pack / "tables", pack / "text", pack / "audit"]
        checks.append(check_document(html_path, folders, allowed, phrases))
    return checks


def main(argv: Sequence[str]) -> int:
    results = Path(argv[1]) if len(argv) > 1 else Path("results")
    root = Path(__file__).resolve().parents[1]
    checks = check_results(results, root)
    checked = sum(c.checked for c in checks)
    missing = sum(len(c.missing) for c in checks)
    derived = sum(c.derived for c in checks)
    for check in checks:
        print(
            f"{Path(check.document).parent.name}: {check.checked} checked, "
            f"{len(check.missing)} not found"
        )
        for number in check.missing:
            print(f"    {number.text!r} in: {number.block[:160]}")
    sizes = 0
    for check in checks:
        clashes = one_size_per_group(Path(check.document).read_text(encoding="utf-8"))
        sizes += len(clashes)
        for (question, group), counts in sorted(clashes.items()):
            print(f"{Path(check.document).parent.name}: {question} / {group}: {sorted(counts)}")
    print(f"groups printed with more than one respondent count: {sizes}")
    print(
        f"total: {checked} numbers checked in {len(checks)} packs, {missing} not found "
        f"({derived} gaps accepted as the difference of two printed means)"
    )
    return 0 if missing == 0 and sizes == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))


__all__ = ["Check", "Printed", "check_document", "check_results", "held", "numbers_in"]
