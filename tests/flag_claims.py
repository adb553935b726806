"""Find every claim that a difference from the comparator is higher or lower, and check
it against the comparator table's flags (the one flag rule, relaudit.comparison).

A claim is a clause (between full stops, semicolons and colons) that speaks of the
comparator (or "other systems") and uses "higher", "lower", "above" or "below". It
is backed when:

- it counts: the number before the word is no more than the statements flagged
  that way (0 when none is), or
- it quotes statements: each quoted wording or short label is flagged that way.

Clauses that state the rule itself ("flagged higher or lower only where ...", "no
statement differs clearly") or speak of the midpoint are not claims. A claim that
neither counts nor quotes cannot be checked, and is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

DIRECTION = {"higher": "higher", "above": "higher", "lower": "lower", "below": "lower"}
_WORD = re.compile(r"\b(higher|lower|above|below)\b", re.IGNORECASE)
# Clause ends: . ; : and line breaks, but not the point of a decimal number.
_CLAUSES = re.compile(r"(?<!\d)[.;:](?!\d)|\n")
# Whole numbers only: a mean or a difference (2.10, +0.40) counts nothing.
_NUMBER = re.compile(r"(?<![\d.,])(\d+|no|none)(?![\d.,]*\d)\b", re.IGNORECASE)
_SHARE = re.compile(r"(?<![\d.,])(\d+|no|none) of (?:the )?\d+\b[^\d]*$", re.IGNORECASE)
_QUOTED = re.compile(r"\u201c([^\u201d]+)\u201d")
# Clauses that state the rule, or compare with something other than the comparator.
NOT_CLAIMS = re.compile(
    r"higher or lower|only (?:when|where)|differs? clearly|no statement|not tested"
    r"|midpoint|blue higher, red lower|\(95% interval (?:above|below) 0\)",
    re.IGNORECASE,
)
ABOUT_COMPARATOR = re.compile(r"comparator|other systems", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """The clauses of a text; a quoted statement's own full stop ends none."""
    quotes = _QUOTED.findall(text)
    masked = text
    for index, quote in enumerate(quotes):
        masked = masked.replace(f"\u201c{quote}\u201d", f"\u201c@{index}@\u201d", 1)
    out = []
    for clause in _CLAUSES.split(masked):
        for index, quote in enumerate(quotes):
            clause = clause.replace(f"\u201c@{index}@\u201d", f"\u201c{quote}\u201d")
        if clause.strip():
            out.append(clause.strip())
    return out


def unbacked_claims(
    texts: Iterable[str], flags: Mapping[str, str], names: Mapping[str, str]
) -> list[str]:
    """Claims in `texts` that the flags do not back, as readable strings.

    `flags` maps item ids to the comparator table's flag; `names` maps every
    way a document names a statement (wording, short label) to its item id.
    """
    counts = {
        direction: sum(1 for f in flags.values() if f == direction)
        for direction in ("higher", "lower")
    }
    problems = []
    for text in texts:
        for clause in clauses(" ".join(str(text).split())):
            if not ABOUT_COMPARATOR.search(clause) or NOT_CLAIMS.search(clause):
                continue
            for match in _WORD.finditer(clause):
                direction = DIRECTION[match.group(1).lower()]
                before = clause[: match.start()]
                numbers = _NUMBER.findall(before)
                quoted = _QUOTED.findall(clause)
                share = _SHARE.search(before)
                if share:  # "4 of 5 above": the count is the 4
                    numbers = [share.group(1)]
                if numbers:
                    word = numbers[-1].lower()
                    count = 0 if word in ("no", "none") else int(word)
                    if count > counts[direction]:
                        problems.append(
                            f"{clause!r}: {count} {direction}, but {counts[direction]} flagged"
                        )
                elif quoted:
                    for name in quoted:
                        item = names.get(name)
                        if item is None or flags.get(item) != direction:
                            problems.append(f"{clause!r}: {name!r} is not flagged {direction}")
                else:
                    problems.append(f"{clause!r}: a {direction} claim that names no statement")
    return problems
