"""Comments of a programme of populations: theme counts and quotes per population.

Each population's comments are already redacted by ingest. They are coded
with the programme's one lexicon, as a system's comments are
(:mod:`relaudit.text`), and quoted per theme. A population answers its own
respondent questions, so quotes are attributed with the lexicon's wording of
that population's attribution questions only, and a quote is chosen only from
a group (its answers to those questions) with at least ``min_group_size``
commenters. A population whose instrument attributes quotes by no question is
one group, and its quotes are attributed to the population by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pandas as pd

from relaudit.errors import ConfigError
from relaudit.instrument import Instrument
from relaudit.text import (
    QUOTE_COLUMNS,
    Lexicon,
    apply_analyst_codes,
    choose_quotes,
    coding_sheet,
    group_sizes,
    quotable,
    theme_contexts,
    theme_counts,
)

__all__ = [
    "QUOTES_COLUMNS",
    "THEME_COUNT_COLUMNS",
    "population_comments",
    "population_lexicon",
    "population_text",
]

THEME_COUNT_COLUMNS = ("population", "theme", "label", "comments", "pct")
QUOTES_COLUMNS = ("population", *QUOTE_COLUMNS)


def population_lexicon(lexicon: Lexicon, instrument: Instrument) -> Lexicon:
    """The lexicon as one population uses it: the attribution wording of its own
    attribution questions (in the lexicon's order), checked against its instrument."""
    wanted = {q.id for q in instrument.questions_with("attribution")}
    worded = {entry.question for entry in lexicon.attribution_wording}
    missing = sorted(wanted - worded)
    if missing:
        raise ConfigError(
            f"{lexicon.source}: attribution has no wording for question(s) "
            f"{', '.join(missing)} of {instrument.source or instrument.id}. Fix: add an "
            "entry for each under `attribution`, or drop their `attribution` role."
        )
    own = dataclasses.replace(
        lexicon,
        attribution_wording=tuple(e for e in lexicon.attribution_wording if e.question in wanted),
    )
    own.check_against(instrument)
    return own


def population_comments(responses: pd.DataFrame, population: str, lexicon: Lexicon) -> pd.DataFrame:
    """Every comment of one population with its codes (``relaudit.text.coded_columns``).

    The population takes a system's place in the comment key, so keys stay
    distinct across populations; nobody is late in a population survey (a
    response after the closing date is quarantined by ingest).
    """
    frame = responses.assign(system_id=population, late=False)
    coded, _ = apply_analyst_codes(coding_sheet(frame, lexicon), {}, lexicon)
    return coded


def population_text(
    responses: Mapping[str, pd.DataFrame],
    instruments: Mapping[str, Instrument],
    names: Mapping[str, str],
    lexicon: Lexicon,
    *,
    populations: Sequence[str],
    min_group_size: int,
    per_context: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(theme counts, quotes) of every population, in the order of `populations`.

    Theme counts give each theme's comments as a share of the population's
    comments. Quotes are up to `per_context` per theme and population.
    """
    counts, quotes = [], []
    for population in populations:
        own = population_lexicon(lexicon, instruments[population])
        coded = population_comments(responses[population], population, own)
        table = theme_counts(coded, own)
        table.insert(0, "population", population)
        counts.append(table)
        by = own.attribution_questions
        candidates = quotable(coded, group_sizes(coded, by), min_group_size, by)
        chosen = choose_quotes(candidates, theme_contexts(own), per_context, own)
        if not by:
            chosen["attribution"] = names.get(population, population)
        chosen.insert(0, "population", population)
        quotes.append(chosen)
    return (
        _stack(counts, THEME_COUNT_COLUMNS),
        _stack(quotes, QUOTES_COLUMNS),
    )


def _stack(frames: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(columns))
    return pd.concat(frames, ignore_index=True).loc[:, list(columns)]
