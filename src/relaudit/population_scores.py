"""Scores of a programme of populations: questions, targets, breakdowns, the cross analysis
and no contact.

A populations programme (``layout: populations``) surveys several groups of
people, each with its own instrument, and reports them side by side. Every
function here takes one population's clean responses (one row per kept
response, a float rating column and a boolean not-rated column per item and
target, named by :meth:`Instrument.rating_columns`) and its instrument;
nothing names a population, an item or a group of one programme.

Definitions (the programme's contract):

- a **question cell** is one population, target and question: the ratings
  (1 to the top of the scale; not-rated answers are counted apart as
  ``no_contact``, never averaged). ``sd`` is the sample SD (n-1), the
  interval the 95% Student t interval, blank below two ratings;
- a **target score** pools all of a target's ratings over its questions; the
  population's ``overall`` row pools every rating it gave;
- a **breakdown cell** (population, grouping, group, question or
  ``overall``) counts the group's respondents with at least one rating in
  it, and pools the ratings over targets (and over questions for
  ``overall``);
- the **cross analysis** compares two populations question by question.
  Each respondent counts once per question: their ratings of it are first
  averaged over the targets they rated, so the two sides are independent
  samples of people and Welch's interval applies;
- **no contact** counts, per target and question, the kept responses that
  chose the not-rated answer.

Small groups: a cell of fewer than ``min_group_size`` respondents shows no
mean, and complementary suppression stops a hidden cell being worked out by
subtraction from a published total (``relaudit.suppress``; the breakdown uses
the relational audit's own rule, :func:`relaudit.score.hide_breakdown_cells`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from relaudit.errors import ConfigError, InputFileError
from relaudit.instrument import Instrument
from relaudit.score import (
    add_interval,
    hide_breakdown_cells,
    summarise,
    to_long,
    welch_interval,
)
from relaudit.suppress import REASON, SECONDARY, SMALL, SUPPRESSED, blank, secondary_hide_distinct
from relaudit.tables import Table, schema

# The row of target_scores and the measure of breakdown_scores that pool everything.
OVERALL = "overall"
# The schema whose placeholder prefixes `cross_schema` replaces with population ids.
CROSS_TABLE = "programme/cross_analysis"
FIRST, SECOND = "first_", "second_"


@dataclass(frozen=True)
class PopulationResponses:
    """One population's kept responses and the instrument they answered."""

    id: str
    responses: pd.DataFrame
    instrument: Instrument

    @property
    def targets(self) -> list[str]:
        """The instrument's target ids, or the one blank target of an instrument rated
        once per respondent (as relaudit.score's long table has it)."""
        return list(self.instrument.targets) or [""]


# ---------------------------------------------------------------------------
# Long tables


def _plain_long(long: pd.DataFrame) -> pd.DataFrame:
    """relaudit.score's long table with plain text ids (a population is small)."""
    out = long.copy()
    for column in ("item_id", "target"):
        out[column] = out[column].astype(object)
    return out


def ratings_long(pop: PopulationResponses) -> pd.DataFrame:
    """Every rating as a row: ``row`` (position in the responses), ``item_id``, ``target``,
    ``score``. Not-rated answers are not ratings and are left out."""
    _check_reserved(pop)
    return _plain_long(to_long(pop.responses, pop.instrument))


def no_contact_counts(pop: PopulationResponses) -> pd.DataFrame:
    """Per target and question (``target``, ``item_id``): ``no_contact``, the responses
    whose not-rated flag is set. All 0 when the instrument's scale has no not-rated
    answer (the clean table then has no flags)."""
    rows = []
    for rating in pop.instrument.rating_columns():
        flag = rating.not_rated_column
        if pop.instrument.scale.not_applicable and flag not in pop.responses.columns:
            raise InputFileError(
                f"clean responses of {pop.id} lack the not-rated column {flag!r}. "
                "Fix: re-run ingest with the same instrument."
            )
        count = int(pop.responses[flag].astype(bool).sum()) if flag in pop.responses else 0
        rows.append((rating.target, rating.item_id, count))
    return pd.DataFrame(rows, columns=["target", "item_id", "no_contact"])


def _check_reserved(pop: PopulationResponses) -> None:
    """`overall` names the pooled row; an item or target of that id would be ambiguous."""
    clash = sorted({OVERALL} & (set(pop.instrument.item_ids) | set(pop.instrument.targets)))
    if clash:
        raise ConfigError(
            f"{pop.instrument.source}: an item or target has the id {OVERALL!r}, which the "
            "score tables use for the pooled row. Fix: rename it."
        )


def _members(long: pd.DataFrame, keys: Sequence[str]) -> dict[tuple, frozenset[int]]:
    """The respondents (rows) in each cell of `keys`."""
    if not len(long):
        return {}
    grouped = long.groupby(list(keys), sort=False)["row"]
    return {
        (key if isinstance(key, tuple) else (key,)): frozenset(map(int, rows))
        for key, rows in grouped.unique().items()
    }


# ---------------------------------------------------------------------------
# Question and target scores


QUESTION_COLUMNS = [
    *("population", "target", "question_id", "n", "no_contact", "mean", "sd"),
    *("ci_low", "ci_high", SUPPRESSED, REASON),
]
TARGET_COLUMNS = ["population", "target", "n_ratings", "mean", SUPPRESSED, REASON]


def _question_grid(pop: PopulationResponses) -> pd.DataFrame:
    """Every (target, question) of the instrument, targets in order, questions within."""
    return pd.DataFrame(
        [(t, q) for t in pop.targets for q in pop.instrument.item_ids],
        columns=["target", "item_id"],
        dtype=object,
    )


def question_statistics(pop: PopulationResponses) -> pd.DataFrame:
    """Per target and question, unsuppressed: n, no_contact, mean, sd, ci_low, ci_high."""
    long = ratings_long(pop)
    keys = ["target", "item_id"]
    stats = summarise(long, keys, pop.instrument.scale.positive_threshold).drop(
        columns="pct_positive"
    )
    for column in keys:
        stats[column] = stats[column].astype(object)
    table = _question_grid(pop).merge(stats, on=keys, how="left")
    table["n"] = table["n"].fillna(0).astype(int)
    table = table.merge(no_contact_counts(pop), on=keys, how="left")
    table["no_contact"] = table["no_contact"].fillna(0).astype(int)
    return add_interval(table)


def _target_members(pop: PopulationResponses) -> dict[str, frozenset[int]]:
    """The respondents who gave each target at least one rating."""
    found = _members(ratings_long(pop), ["target"])
    return {t: found.get((t,), frozenset()) for t in pop.targets}


def hidden_targets(pop: PopulationResponses, min_group_size: int) -> pd.DataFrame:
    """Which targets' pooled scores to hide, and why (index: target).

    A target rated by fewer than `min_group_size` respondents is hidden
    (``small``). The population's overall row pools every target, so the
    hidden targets' respondents together must number 0 or at least
    `min_group_size` (``secondary`` for the targets hidden to ensure it).
    """
    members = _target_members(pop)
    cells = [members[t] for t in pop.targets]
    small = np.array([len(m) < min_group_size for m in cells])
    codes = np.zeros(len(cells), dtype=np.int64)
    hidden = secondary_hide_distinct(small, cells, codes, min_group_size)
    reason = np.where(small, SMALL, np.where(hidden, SECONDARY, ""))
    return pd.DataFrame({SUPPRESSED: hidden, REASON: reason}, index=pd.Index(pop.targets))


def question_scores(pop: PopulationResponses, min_group_size: int) -> pd.DataFrame:
    """One row per target and question: n, no_contact, mean, sd, ci_low, ci_high,
    suppressed, suppression.

    Hiding blanks the mean, sd and interval; n and no_contact stay (they
    count respondents, not what they said). A cell of fewer than
    `min_group_size` ratings is ``small``. Within a target, the target score
    (its pooled mean, published in target_scores) minus the shown cells
    gives the hidden cells together, so their respondents must number 0 or
    at least `min_group_size`; further cells hidden for that are
    ``secondary``, as are all the cells of a target hidden for another
    target's sake (its questions would give its pooled score back).
    """
    table = question_statistics(pop)
    long = ratings_long(pop)
    members = _members(long, ["target", "item_id"])
    cells = [
        members.get((t, q), frozenset())
        for t, q in zip(table["target"], table["item_id"], strict=True)
    ]
    small = table["n"].to_numpy() < min_group_size
    codes, _ = pd.factorize(table["target"])
    hidden = secondary_hide_distinct(small, cells, codes, min_group_size)
    targets = hidden_targets(pop, min_group_size)
    hidden |= table["target"].map(targets[SUPPRESSED]).to_numpy(dtype=bool)
    table = table.rename(columns={"item_id": "question_id"})
    table.insert(0, "population", pop.id)
    keys = ["population", "target", "question_id", "n", "no_contact"]
    out = blank(table, hidden, keys)
    out[SUPPRESSED] = hidden
    out[REASON] = np.where(small, SMALL, np.where(hidden, SECONDARY, ""))
    return out[QUESTION_COLUMNS]


def target_scores(pop: PopulationResponses, min_group_size: int) -> pd.DataFrame:
    """One row per target (n_ratings, pooled mean), then the population's ``overall`` row
    (every rating it gave), with ``suppressed`` and ``suppression``.

    Targets are hidden as :func:`hidden_targets` says; the overall row is
    hidden when fewer than `min_group_size` respondents gave any rating.
    """
    long = ratings_long(pop)
    pooled = long.groupby("target", sort=False)["score"].agg(["count", "sum"])
    pooled = pooled.reindex(pop.targets).fillna(0.0)
    n_ratings = np.concatenate([pooled["count"].to_numpy(), [float(len(long))]])
    sums = np.concatenate([pooled["sum"].to_numpy(), [float(long["score"].sum())]])
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n_ratings > 0, sums / np.where(n_ratings > 0, n_ratings, 1), np.nan)
    flags = hidden_targets(pop, min_group_size)
    overall_small = long["row"].nunique() < min_group_size
    hidden = np.concatenate([flags[SUPPRESSED].to_numpy(dtype=bool), [overall_small]])
    reason = np.concatenate(
        [flags[REASON].to_numpy(dtype=object), [SMALL if overall_small else ""]]
    )
    table = pd.DataFrame(
        {
            "population": pop.id,
            "target": [*pop.targets, OVERALL],
            "n_ratings": n_ratings.astype(int),
            "mean": means,
        }
    )
    out = blank(table, hidden, ["population", "target", "n_ratings"])
    out[SUPPRESSED] = hidden
    out[REASON] = reason
    return out[TARGET_COLUMNS]


# ---------------------------------------------------------------------------
# Breakdowns by respondent group


BREAKDOWN_COLUMNS = [
    *("population", "grouping", "group", "question_id", "n", "mean"),
    *(SUPPRESSED, REASON),
]


def breakdown_groupings(pop: PopulationResponses) -> list[tuple[str, list[str]]]:
    """Each breakdown question of the instrument with its groups: the reported labels in
    order (``Did not answer`` included), then any other value the responses hold."""
    out = []
    for question in pop.instrument.questions_with("breakdown"):
        if question.id not in pop.responses.columns:
            continue
        groups = list(question.reported_groups)
        values = pop.responses[question.id].fillna(question.none).astype(str)
        groups += sorted(set(values) - set(groups))
        out.append((question.id, groups))
    return out


def respondent_totals(pop: PopulationResponses) -> pd.Series:
    """Respondents with at least one rating of each question, and of any (``overall``):
    the total each breakdown partition adds up to."""
    long = ratings_long(pop)
    per_question = long.groupby("item_id", sort=False)["row"].nunique()
    totals = per_question.reindex(pop.instrument.item_ids).fillna(0)
    totals[OVERALL] = long["row"].nunique()
    return totals.astype(float)


def _group_cells(
    long: pd.DataFrame, group_of_row: np.ndarray, grouping: str, groups: Sequence[str],
    questions: Sequence[str],
) -> pd.DataFrame:  # fmt: skip
    """The unsuppressed cells of one grouping: n (respondents), mean (pooled), members."""
    tagged = long.assign(group=group_of_row[long["row"].to_numpy()])
    per_question = _members(tagged, ["group", "item_id"])
    per_group = _members(tagged, ["group"])
    means = tagged.groupby(["group", "item_id"], sort=False)["score"].mean()
    overall = tagged.groupby("group", sort=False)["score"].mean()
    rows = []
    for group in groups:
        for question in [*questions, OVERALL]:
            if question == OVERALL:
                members = per_group.get((group,), frozenset())
                mean = overall.get(group, np.nan)
            else:
                members = per_question.get((group, question), frozenset())
                mean = means.get((group, question), np.nan)
            rows.append((grouping, group, question, float(len(members)), mean, members))
    return pd.DataFrame(rows, columns=["grouping", "group", "measure", "n", "mean", "members"])


def _alias_codes(cells: pd.DataFrame) -> np.ndarray:
    """One code per set of non-empty cells (of different groupings) that hold exactly the
    same respondents for the same measure: hiding one must hide them all, or the shown
    one gives the hidden one's figures. -1 for a cell with no alias."""
    keys = [
        (measure, tuple(sorted(members)))
        for measure, members in zip(cells["measure"], cells["members"], strict=True)
    ]
    codes, _ = pd.factorize(pd.Series(keys, dtype=object))
    non_empty = cells["n"].to_numpy() > 0
    counts = np.bincount(codes[non_empty], minlength=int(codes.max()) + 1 if len(codes) else 0)
    return np.where(non_empty & (counts[codes] > 1), codes, -1)


def breakdown_scores(pop: PopulationResponses, min_group_size: int) -> pd.DataFrame:
    """One row per grouping, group and question (then ``overall``): n, mean, suppressed,
    suppression.

    A cell of fewer than `min_group_size` respondents is hidden (n and mean
    blanked), and within each grouping and question the hidden groups
    together must hold 0 or at least `min_group_size` respondents, counting
    those no group shows, because the population's total for the question
    is published (the relational audit's rule,
    :func:`relaudit.score.hide_breakdown_cells`, with its aliases: groups of
    two questions holding the same people are hidden together).
    """
    long = ratings_long(pop)
    questions = pop.instrument.item_ids
    pieces = []
    for grouping, groups in breakdown_groupings(pop):
        question = pop.instrument.question(grouping)
        values = pop.responses[grouping].fillna(question.none).astype(str).to_numpy(dtype=object)
        pieces.append(_group_cells(long, values, grouping, groups, questions))
    if not pieces:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    cells = pd.concat(pieces, ignore_index=True)
    flags = hide_breakdown_cells(
        cells[["grouping", "group", "measure", "n"]],
        respondent_totals(pop),
        min_group_size,
        _alias_codes(cells),
    )
    table = cells.drop(columns="members").rename(columns={"measure": "question_id"})
    table.insert(0, "population", pop.id)
    hidden = flags[SUPPRESSED].to_numpy(dtype=bool)
    out = blank(table, hidden, ["population", "grouping", "group", "question_id"])
    out[SUPPRESSED] = hidden
    out[REASON] = flags[REASON].to_numpy()
    return out[BREAKDOWN_COLUMNS]


# ---------------------------------------------------------------------------
# Cross analysis


CROSS_STAT_COLUMNS = ("n", "mean", "sd")


def person_question_means(pop: PopulationResponses) -> pd.DataFrame:
    """One row per respondent and question they rated: ``row``, ``item_id``, ``score`` =
    the mean of their ratings of that question over the targets they rated."""
    long = ratings_long(pop)
    means = long.groupby(["row", "item_id"], sort=True)["score"].mean()
    return means.reset_index()


def _person_statistics(pop: PopulationResponses, questions: Sequence[str]) -> pd.DataFrame:
    """n (people), mean and sd (n-1) of the person means, per question (index)."""
    people = person_question_means(pop)
    grouped = people.groupby("item_id", sort=False)["score"]
    stats = pd.DataFrame({"n": grouped.count(), "mean": grouped.mean(), "sd": grouped.std(ddof=1)})
    stats = stats.reindex(list(questions))
    stats["n"] = stats["n"].fillna(0)
    return stats


def mirrored_hidden(pop: PopulationResponses, questions: pd.DataFrame) -> frozenset[str]:
    """Questions whose cross-analysis mean must stay hidden because `questions` (this
    population's question_scores) hides the same figure.

    With one target, a respondent's average over targets is their one rating,
    so the cross mean of a question is that target's question mean.
    """
    if len(pop.targets) != 1:
        return frozenset()
    hidden = questions[questions[SUPPRESSED].astype(bool)]
    return frozenset(hidden["question_id"].astype(str))


def cross_columns(first: str, second: str) -> list[str]:
    """The cross-analysis columns, named from the two population ids (``<id>_n``...)."""
    return cross_schema(first, second).column_names


def cross_schema(first: str, second: str) -> Table:
    """`programme/cross_analysis` with its placeholder prefixes replaced by the ids."""
    if first == second:
        raise ConfigError(
            f"cross_analysis compares {first!r} with itself. Fix: name two different "
            "populations as first and second."
        )
    template = schema(CROSS_TABLE)

    def named(column: str) -> str:
        for prefix, pop_id in ((FIRST, first), (SECOND, second)):
            if column.startswith(prefix):
                return f"{pop_id}_{column[len(prefix) :]}"
        return column

    columns = tuple(dataclasses.replace(c, name=named(c.name)) for c in template.columns)
    return dataclasses.replace(template, columns=columns)


def cross_analysis(
    first: PopulationResponses,
    second: PopulationResponses,
    min_group_size: int,
    first_hidden: frozenset[str] = frozenset(),
    second_hidden: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Per question: each side's n (people), mean and sd of person means, the difference
    first - second with its 95% Welch interval (and Welch df).

    Questions are the first instrument's, then any only the second asks. A
    side with fewer than `min_group_size` people on a question, or whose
    question mean is hidden elsewhere (`first_hidden`, `second_hidden`: see
    :func:`mirrored_hidden`), shows no mean or sd, and then no difference.
    """
    questions = list(dict.fromkeys([*first.instrument.item_ids, *second.instrument.item_ids]))
    a = _person_statistics(first, questions)
    b = _person_statistics(second, questions)
    diff, low, high, df = welch_interval(a["mean"], a["sd"], a["n"], b["mean"], b["sd"], b["n"])
    table = pd.DataFrame({"question_id": questions})
    for prefix, stats in ((first.id, a), (second.id, b)):
        for column in CROSS_STAT_COLUMNS:
            table[f"{prefix}_{column}"] = stats[column].to_numpy()
    table["diff"], table["diff_ci_low"], table["diff_ci_high"], table["df"] = diff, low, high, df
    small_a = a["n"].to_numpy() < min_group_size
    small_b = b["n"].to_numpy() < min_group_size
    hide_a = small_a | np.isin(questions, sorted(first_hidden))
    hide_b = small_b | np.isin(questions, sorted(second_hidden))
    for prefix, hide in ((first.id, hide_a), (second.id, hide_b)):
        for column in ("mean", "sd"):
            table[f"{prefix}_{column}"] = np.where(hide, np.nan, table[f"{prefix}_{column}"])
    either = hide_a | hide_b
    for column in ("diff", "diff_ci_low", "diff_ci_high", "df"):
        table[column] = np.where(either, np.nan, table[column])
    table[SUPPRESSED] = either
    table[REASON] = np.where(small_a | small_b, SMALL, np.where(either, SECONDARY, ""))
    return table[cross_columns(first.id, second.id)]


# ---------------------------------------------------------------------------
# No contact


NO_CONTACT_COLUMNS = ["target", "question_id", "no_contact", "population"]


def no_contact_populations(
    pops: Sequence[PopulationResponses], chosen: Sequence[str] | None = None
) -> list[PopulationResponses]:
    """The populations the no-contact table covers: those named in `chosen` (the
    programme's ``no_contact_populations``), else every one rating several targets."""
    if chosen is None:
        return [p for p in pops if len(p.instrument.targets) > 1]
    known = {p.id: p for p in pops}
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise ConfigError(
            f"no_contact_populations names unknown population(s) {unknown}. "
            f"Fix: use ids from populations ({sorted(known)})."
        )
    return [known[c] for c in chosen]


def no_contact(pops: Sequence[PopulationResponses]) -> pd.DataFrame:
    """Per population, target and question: the kept responses that chose no contact."""
    pieces = []
    for pop in pops:
        table = question_statistics(pop)[["target", "item_id", "no_contact"]]
        pieces.append(table.rename(columns={"item_id": "question_id"}).assign(population=pop.id))
    if not pieces:
        return pd.DataFrame(columns=NO_CONTACT_COLUMNS)
    return pd.concat(pieces, ignore_index=True)[NO_CONTACT_COLUMNS]


# ---------------------------------------------------------------------------
# The whole stage


def score_populations(
    pops: Sequence[PopulationResponses],
    min_group_size: int,
    cross: tuple[str, str] | None,
    no_contact_from: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every score table of the programme, keyed by table name (without its prefix).

    `pops` in programme order; `cross` the (first, second) population ids of
    the cross analysis (difference = first - second), or None for none.
    """
    by_id: Mapping[str, PopulationResponses] = {p.id: p for p in pops}
    questions = {p.id: question_scores(p, min_group_size) for p in pops}
    tables = {
        "question_scores": pd.concat(questions.values(), ignore_index=True),
        "target_scores": pd.concat(
            [target_scores(p, min_group_size) for p in pops], ignore_index=True
        ),
        "breakdown_scores": pd.concat(
            [breakdown_scores(p, min_group_size) for p in pops], ignore_index=True
        ),
        "no_contact": no_contact(no_contact_populations(pops, no_contact_from)),
    }
    if cross is not None:
        missing = [c for c in cross if c not in by_id]
        if missing:
            raise ConfigError(
                f"cross_analysis names unknown population(s) {missing}. "
                f"Fix: use ids from populations ({sorted(by_id)})."
            )
        first, second = (by_id[c] for c in cross)
        tables["cross_analysis"] = cross_analysis(
            first,
            second,
            min_group_size,
            mirrored_hidden(first, questions[first.id]),
            mirrored_hidden(second, questions[second.id]),
        )
    return tables
