"""The disclosure audit: attack the published tables by differencing.

`relaudit.suppress` hides small groups and the cells that would give them
away. This module checks the result as an outsider would, with nothing but
what leaves the analysts' hands (the documents and the ``tables/`` folders,
see ``docs/disclosure.md``): it subtracts published figures from each other
and asks whether what is left is a group of 1 to ``min_group_size - 1``
answers. Every attack works on answer counts (``n``): where the counts of a
difference are known, so are its sum of scores, its share positive and its
label counts, because every one of those is published for the same cells.

Each attack returns one row per published cell or difference it tried; a
row is ``recovered`` when the difference is a small group. The audit rule
(`workflow/scripts/disclosure_audit.py`) writes them to
``audit/disclosure.csv`` and fails the build on the first recovered one.

The remainder helpers (`partition_remainders`, `cross_scope_remainders`)
are also what `relaudit.score` uses to decide which national cells to hide,
so the rule that is checked and the rule that is applied are one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from relaudit.suppress import SUPPRESSED, protected

ATTACK_COLUMNS = ["attack", "scope", "target", "cells_checked", "recovered", "smallest", "detail"]

# The attacks, in the order they are tried, with what each one subtracts.
ATTACKS = {
    "total_vs_breakdown": "a scope's total minus the shown groups of one question",
    "pack_vs_annex": "a system's scope in the annex minus its briefing pack",
    "national_vs_systems": "the national scope minus every system's shown scope",
    "national_vs_packs": "a national group (or the hidden groups together) minus the packs",
    "labels_vs_n": "a label distribution's counts against the n of the same cells",
    "comparator_pools": "one pack's comparator pool minus an earlier pack's, or the packs in it",
    "quote_groups": "the group a quote is attributed to",
    "waves": "one wave's figures minus another's",
}


def shown(frame: pd.DataFrame) -> pd.Series:
    """True for rows whose numbers are published."""
    if SUPPRESSED not in frame.columns:
        return pd.Series(True, index=frame.index)
    # Every table reaches here typed (relaudit.tables), so the flag is a bool.
    return ~frame[SUPPRESSED].astype(bool)


def exposed(remainder: float | np.ndarray, min_group_size: int) -> bool | np.ndarray:
    """A difference of 1 to k - 1 answers is a small group someone can work out.

    The complement of relaudit.suppress.protected (the one rule), after rounding
    away the float noise of subtracting published means times counts.
    """
    out = ~np.asarray(protected(np.round(np.asarray(remainder, dtype=float), 6), min_group_size))
    return bool(out) if out.ndim == 0 else out


@dataclass
class Findings:
    """What the attacks tried, as rows of ``audit/disclosure.csv``."""

    rows: list[dict] = field(default_factory=list)
    recovered: list[dict] = field(default_factory=list)

    def add(
        self, attack: str, scope: str, checked: int, leaks: Sequence[tuple[str, float]],
        detail: str = "",
    ) -> None:  # fmt: skip
        """One attack on one scope: how many cells it tried and what it recovered."""
        first = leaks[0] if leaks else None
        row = {
            "attack": attack,
            "scope": scope,
            "target": first[0] if first else "",
            "cells_checked": int(checked),
            "recovered": len(leaks),
            "smallest": min(size for _, size in leaks) if leaks else np.nan,
            "detail": detail or ATTACKS[attack],
        }
        self.rows.append(row)
        for target, size in leaks:
            self.recovered.append(
                {"attack": attack, "scope": scope, "target": target, "size": size}
            )

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=ATTACK_COLUMNS)


# ---------------------------------------------------------------------------
# Remainders: what is left of a published total once the shown parts are taken


def partition_remainders(
    cells: pd.DataFrame, totals: pd.Series, within: Sequence[str], size: str = "n"
) -> pd.DataFrame:
    """Per partition: its published total, the shown cells' sum and the remainder.

    `cells` holds the partition's cells with their `size` (blank where
    hidden) and ``suppressed``; `totals` is indexed by the `within` values.
    The remainder is what the hidden cells (and any unshown part) hold
    together, worked out as a reader would: total minus the shown cells.
    """
    visible = cells[shown(cells)]
    sums = visible.groupby(list(within), sort=False)[size].sum()
    out = pd.DataFrame({"total": totals})
    out["shown"] = sums.reindex(out.index).fillna(0.0)
    out["remainder"] = out["total"] - out["shown"]
    return out


def cross_scope_remainders(
    national: pd.DataFrame,
    national_totals: pd.Series,
    packs: Mapping[str, tuple[pd.DataFrame, pd.Series]],
    keys: Sequence[str] = ("grouping", "measure"),
) -> pd.DataFrame:
    """National groups minus the same groups in every pack.

    `national` are the national breakdown cells (``group`` within `keys`,
    with ``n`` and ``suppressed``); `national_totals` the national total per
    `keys`; `packs` maps each system to its breakdown cells and its totals
    (indexed by `keys`, NaN where the pack hides its total).

    Returns one row per shown national cell (``kind = "group"``) and one per
    `keys` for the national hidden groups together (``kind = "hidden"``),
    with ``remainder``: what is left after subtracting what the packs show
    of the same respondents. For the hidden groups together, a pack whose
    own hidden groups all lie among them gives its total minus its shown
    groups outside them; any other pack gives its shown cells among them.
    """
    keys = list(keys)
    columns = [*keys, "kind", "group", "remainder"]
    nat = national[[*keys, "group", "n"]].assign(_shown=shown(national).to_numpy())
    nat["n"] = pd.to_numeric(nat["n"], errors="coerce")
    frames = []
    for sid, (cells, totals) in packs.items():
        part = cells[[*keys, "group", "n"]].assign(_shown=shown(cells).to_numpy(), _sid=sid)
        measure_totals = pd.Series(totals, dtype=float) if len(totals) else pd.Series(dtype=float)
        part["_total"] = part[keys[-1]].astype(str).map(measure_totals).to_numpy(dtype=float)
        frames.append(part)
    pack = pd.concat(frames, ignore_index=True) if frames else nat.iloc[0:0].assign(
        _sid="", _total=np.nan
    )  # fmt: skip
    pack["n"] = pd.to_numeric(pack["n"], errors="coerce").fillna(0.0)
    hidden_keys = nat.loc[~nat["_shown"], [*keys, "group"]].assign(_in_hidden=True)
    pack = pack.merge(hidden_keys, on=[*keys, "group"], how="left")
    pack["_in_hidden"] = pack["_in_hidden"].astype("boolean").fillna(False).astype(bool)
    # Shown national groups minus the packs' shown cells of the same group.
    per_group = pack[pack["_shown"]].groupby([*keys, "group"], sort=False)["n"].sum()
    shown_rows = nat[nat["_shown"]].join(per_group.rename("_packs"), on=[*keys, "group"])
    shown_rows["remainder"] = shown_rows["n"] - shown_rows["_packs"].fillna(0.0)
    group_rows = shown_rows.assign(kind="group")[columns]
    # The hidden national groups together, minus what each pack gives of them.
    pack["_outside_shown"] = np.where(pack["_shown"] & ~pack["_in_hidden"], pack["n"], 0.0)
    pack["_inside_shown"] = np.where(pack["_shown"] & pack["_in_hidden"], pack["n"], 0.0)
    pack["_stray"] = ~pack["_shown"] & ~pack["_in_hidden"]
    per_pack = pack.groupby([*keys, "_sid"], sort=False).agg(
        outside=("_outside_shown", "sum"), inside=("_inside_shown", "sum"),
        stray=("_stray", "any"), total=("_total", "first"),
    )  # fmt: skip
    whole = np.isfinite(per_pack["total"]) & ~per_pack["stray"]
    per_pack["subtract"] = np.where(
        whole, per_pack["total"] - per_pack["outside"], per_pack["inside"]
    )
    subtract = per_pack.groupby(level=list(range(len(keys))), sort=False)["subtract"].sum()
    shown_mass = nat[nat["_shown"]].groupby(keys, sort=False)["n"].sum()
    names = (
        nat[~nat["_shown"]]
        .groupby(keys, sort=False)["group"]
        .agg(lambda g: ";".join(sorted(map(str, g))))
    )
    totals = pd.Series(national_totals, dtype=float).dropna()
    totals.index = pd.MultiIndex.from_tuples(
        [k if isinstance(k, tuple) else (k,) for k in totals.index], names=keys
    )
    union = pd.DataFrame({"total": totals})
    union["remainder"] = (
        union["total"]
        - shown_mass.reindex(union.index).fillna(0.0)
        - subtract.reindex(union.index).fillna(0.0)
    )
    union["group"] = names.reindex(union.index).fillna("")
    union_rows = union.reset_index().assign(kind="hidden")[columns]
    return pd.concat([group_rows, union_rows], ignore_index=True)[columns]


# ---------------------------------------------------------------------------
# The attacks


def _leaks(frame: pd.DataFrame, label, min_group_size: int) -> list[tuple[str, float]]:
    bad = frame[exposed(frame["remainder"].to_numpy(), min_group_size)]
    return [(label(row), float(row["remainder"])) for _, row in bad.iterrows()]


def statement_totals(statements: pd.DataFrame) -> pd.Series:
    """Published answers per statement (NaN where hidden)."""
    n = statements["n"].where(shown(statements))
    return pd.Series(n.to_numpy(dtype=float), index=statements["item_id"].astype(str))


def total_vs_breakdown(
    findings: Findings, scope: str, statements: pd.DataFrame, breakdown: pd.DataFrame,
    profile: pd.DataFrame | None, comment_rates: pd.DataFrame | None, min_group_size: int,
) -> None:  # fmt: skip
    """Total minus shown groups, per question and statement, and for respondent counts."""
    totals = statement_totals(statements)
    items = breakdown[breakdown["measure"].astype(str).isin(totals.index)]
    checked, leaks = 0, []
    if len(items):
        index = pd.MultiIndex.from_frame(items[["grouping", "measure"]].drop_duplicates())
        per = pd.Series(
            totals.reindex(index.get_level_values("measure")).to_numpy(), index=index
        ).dropna()
        rem = partition_remainders(items, per, ["grouping", "measure"]).reset_index()
        checked += len(rem)
        leaks += _leaks(rem, lambda r: f"{r['grouping']} / {r['measure']} (hidden groups)",
                        min_group_size)  # fmt: skip
    for name, frame, grouping, size in (
        ("profile", profile, "question", "n"),
        ("comment rates", comment_rates, "grouping", "respondents"),
    ):
        if frame is None or not len(frame):
            continue
        total = respondents_total(profile) if profile is not None else np.nan
        if not np.isfinite(total):
            continue
        per = pd.Series(total, index=pd.Index(frame[grouping].drop_duplicates(), name=grouping))
        rem = partition_remainders(frame, per, [grouping], size=size).reset_index()
        checked += len(rem)
        leaks += _leaks(rem, lambda r, n=name, g=grouping: f"{n}: {r[g]} (hidden groups)",
                        min_group_size)  # fmt: skip
    findings.add("total_vs_breakdown", scope, checked, leaks)


def respondents_total(profile: pd.DataFrame) -> float:
    """The respondents a profile is a share of, as a reader works it out (n / pct)."""
    visible = profile[shown(profile) & (pd.to_numeric(profile["pct"], errors="coerce") > 0)]
    if not len(visible):
        return np.nan
    row = visible.iloc[0]
    return float(round(float(row["n"]) * 100.0 / float(row["pct"])))


def pack_vs_annex(
    findings: Findings, packs: Mapping[str, pd.DataFrame], national: pd.DataFrame,
    min_group_size: int,
) -> None:  # fmt: skip
    """A system's annex scope minus its pack, statement by statement."""
    checked, leaks = 0, []
    for sid, statements in packs.items():
        annex = statement_totals(national[national["scope"].astype(str) == sid])
        pack = statement_totals(statements)
        both = pd.DataFrame({"annex": annex, "pack": pack}).dropna()
        both["remainder"] = both["annex"] - both["pack"]
        checked += len(both)
        table = both.rename_axis("item").reset_index()
        leaks += _leaks(table, lambda r, s=sid: f"{s} / {r['item']}",
                        min_group_size)  # fmt: skip
    findings.add("pack_vs_annex", "all systems", checked, leaks)


def national_vs_systems(
    findings: Findings, packs: Mapping[str, pd.DataFrame], national: pd.DataFrame,
    min_group_size: int,
) -> None:  # fmt: skip
    """The national scope minus the systems' scopes (annex where shown, else pack), and
    minus the packs alone."""
    scope = national["scope"].astype(str)
    total = statement_totals(national[scope == "national"])
    best = pd.Series(0.0, index=total.index)
    packs_only = pd.Series(0.0, index=total.index)
    for sid, statements in packs.items():
        annex = statement_totals(national[scope == sid]).reindex(total.index)
        pack = statement_totals(statements).reindex(total.index)
        best += annex.fillna(pack).fillna(0.0)
        packs_only += pack.fillna(0.0)
    checked, leaks = 0, []
    for label, parts in (("systems' scopes", best), ("packs", packs_only)):
        rem = pd.DataFrame({"remainder": total - parts}).dropna().rename_axis("item").reset_index()
        checked += len(rem)
        leaks += _leaks(rem, lambda r, lab=label: f"national / {r['item']} minus the {lab}",
                        min_group_size)  # fmt: skip
    findings.add("national_vs_systems", "national", checked, leaks)


def breakdown_totals(statements: pd.DataFrame, breakdown: pd.DataFrame) -> pd.Series:
    """Published total per (grouping, measure) for the item rows of a breakdown."""
    totals = statement_totals(statements)
    pairs = breakdown[["grouping", "measure"]].drop_duplicates()
    pairs = pairs[pairs["measure"].astype(str).isin(totals.index)]
    index = pd.MultiIndex.from_frame(pairs)
    return pd.Series(totals.reindex(pairs["measure"].astype(str)).to_numpy(), index=index)


def national_vs_packs(
    findings: Findings, packs: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]],
    national_statements: pd.DataFrame, national_breakdown: pd.DataFrame, min_group_size: int,
) -> None:  # fmt: skip
    """National groups minus the same groups in the packs (see `cross_scope_remainders`)."""
    nat_totals = breakdown_totals(
        national_statements[national_statements["scope"].astype(str) == "national"],
        national_breakdown,
    )
    items = national_breakdown[national_breakdown["measure"].astype(str).isin(
        nat_totals.index.get_level_values("measure"))]  # fmt: skip
    pack_cells = {
        sid: (cells[cells["measure"].isin(items["measure"])], statement_totals(st))
        for sid, (st, cells) in packs.items()
    }
    rem = cross_scope_remainders(items, nat_totals, pack_cells)
    leaks = _leaks(
        rem,
        lambda r: (
            f"{r['grouping']} / {r['measure']} / "
            + (r["group"] if r["kind"] == "group" else f"hidden groups ({r['group']})")
        ),
        min_group_size,
    )
    findings.add("national_vs_packs", "national", len(rem), leaks)


def labels_vs_n(
    findings: Findings, scope: str, statements: pd.DataFrame, labels: pd.DataFrame,
    breakdown: pd.DataFrame | None, breakdown_labels: pd.DataFrame | None, min_group_size: int,
) -> None:  # fmt: skip
    """Label counts must add up to the n of the same cells, and be hidden where it is."""
    checked, leaks = 0, []
    visible = labels[shown(labels)]
    sums = visible.groupby(visible["item_id"].astype(str))["n"].sum()
    totals = statement_totals(statements)
    both = pd.DataFrame({"labels": sums, "n": totals}).dropna()
    both["remainder"] = (both["labels"] - both["n"]).abs()
    checked += len(both)
    leaks += _leaks(both.rename_axis("item").reset_index(), lambda r: f"labels / {r['item']}",
                    min_group_size)  # fmt: skip
    if breakdown is not None and breakdown_labels is not None and len(breakdown_labels):
        keys = ["grouping", "group", "item_id"]
        lab = breakdown_labels.assign(_shown=shown(breakdown_labels).to_numpy())
        lab_n = lab[lab["_shown"]].groupby(keys, sort=False)["n"].sum()
        lab_shown = lab.groupby(keys, sort=False)["_shown"].any()
        cells = breakdown.rename(columns={"measure": "item_id"})
        cells = cells[cells["item_id"].isin(lab["item_id"])]
        cells = cells.assign(_shown=shown(cells).to_numpy()).set_index(keys)
        joined = cells.join(lab_shown.rename("labels_shown")).join(lab_n.rename("labels_n"))
        checked += len(joined)
        for key, row in joined.iterrows():
            name = " / ".join(map(str, key))
            if bool(row["labels_shown"]) != bool(row["_shown"]):
                size = float(row["labels_n"]) if row["labels_shown"] else float(row["n"])
                leaks.append((f"{name}: shown in one table, hidden in the other", size))
            elif row["_shown"] and exposed(abs(row["labels_n"] - row["n"]), min_group_size):
                leaks.append((name, abs(float(row["labels_n"]) - float(row["n"]))))
    findings.add("labels_vs_n", scope, checked, leaks)


# Whether two questionnaire versions word a statement comparably:
# (item, version, version) -> bool (relaudit.comparison.comparable).
Comparable = Callable[[str, str, str], bool]
# The comparator flags of a comparison that was made (relaudit.comparison.COMPARED).
_COMPARED = ("higher", "lower", "similar")


@dataclass
class Pool:
    """One pack's comparator pool: the pack plus its comparator, per statement."""

    system_id: str
    deadline: dt.date
    answers: pd.Series  # per item: pack n + comparator n (NaN where either is hidden)
    version: str | None = None


def comparator_pool(
    system_id: str, deadline: dt.date, comparator: pd.DataFrame, version: str | None = None
) -> Pool | None:
    """Everything submitted by the deadline, as the pack and its comparator publish it
    (statements it compared: not those with no comparable pool)."""
    visible = comparator[shown(comparator) & comparator["flag"].astype(str).isin(_COMPARED)]
    if not len(visible):
        return None
    answers = pd.to_numeric(visible["n"]) + pd.to_numeric(visible["comparator_n"])
    return Pool(
        system_id, deadline, pd.Series(answers.to_numpy(), index=visible["item_id"]), version
    )


def _alike(comparable: Comparable | None, items: pd.Index, a: str | None, b: str | None):
    """Per item of `items`: do versions `a` and `b` pool the same people's answers to it?"""
    if comparable is None or a is None or b is None:
        return pd.Series(True, index=items)
    return pd.Series([comparable(str(i), a, b) for i in items], index=items, dtype=bool)


def comparator_pools(
    findings: Findings, pools: Sequence[Pool], packs: Mapping[str, pd.DataFrame],
    deadlines: Mapping[str, dt.date], min_group_size: int,
    versions: Mapping[str, str] | None = None, comparable: Comparable | None = None,
) -> None:  # fmt: skip
    """A later pool minus an earlier one; a pool minus the packs whose deadlines it spans.

    With `versions` and `comparable`, a statement's pool holds only systems of
    a comparable wording: two pools are differenced, and a pack taken from a
    pool, only on the statements their versions word comparably.
    """
    checked, leaks = 0, []
    versions = versions or {}
    ordered = sorted(pools, key=lambda p: (p.deadline, p.system_id))
    for i, later in enumerate(ordered):
        for earlier in ordered[:i]:
            if earlier.deadline >= later.deadline:
                continue
            rem = (later.answers - earlier.answers.reindex(later.answers.index)).dropna()
            rem = rem[_alike(comparable, rem.index, later.version, earlier.version)]
            frame = rem.rename("remainder").rename_axis("item").reset_index()
            checked += len(frame)
            leaks += _leaks(frame, lambda r, a=later, b=earlier:
                            f"pool to {a.deadline} ({a.system_id}) minus pool to {b.deadline} "
                            f"({b.system_id}) / {r['item']}", min_group_size)  # fmt: skip
        inside = [sid for sid, day in deadlines.items() if day <= later.deadline and sid in packs]
        covered = pd.Series(0.0, index=later.answers.index)
        for sid in inside:
            alike = _alike(comparable, covered.index, later.version, versions.get(sid))
            totals = statement_totals(packs[sid]).reindex(covered.index).fillna(0.0)
            covered += totals.where(alike, 0.0)
        frame = (later.answers - covered).rename("remainder").rename_axis("item").reset_index()
        checked += len(frame)
        leaks += _leaks(frame, lambda r, a=later:
                        f"pool to {a.deadline} ({a.system_id}) minus the packs in it / {r['item']}",
                        min_group_size)  # fmt: skip
    findings.add("comparator_pools", "all packs", checked, leaks)


def quote_groups(
    findings: Findings, scope: str, quotes: pd.DataFrame, group_sizes: Mapping[str, int],
    min_group_size: int,
) -> None:  # fmt: skip
    """Every quote's attribution group must hold at least `min_group_size` respondents."""
    leaks = []
    for key, attribution in zip(quotes["comment_key"], quotes["attribution"], strict=True):
        size = group_sizes.get(str(key))
        if size is None or size < min_group_size:
            leaks.append((f"quote attributed to {attribution}", float(size or 0)))
    findings.add("quote_groups", scope, len(quotes), leaks)


def waves(findings: Findings, wave_count: int) -> None:
    """Wave against wave: recorded as tried once a programme has more than one wave."""
    detail = ATTACKS["waves"] + (" (one wave: nothing to difference)" if wave_count <= 1 else "")
    findings.add("waves", "all waves", 0, [], detail)


def summary_lines(findings: Findings) -> Iterable[str]:
    """One line per recovered group, naming the cell (for the build's error)."""
    for leak in findings.recovered:
        yield (
            f"{leak['attack']} [{leak['scope']}]: {leak['target']} "
            f"recovers a group of {leak['size']:g}"
        )


# ---------------------------------------------------------------------------
# The whole first tier


@dataclass
class PackTables:
    """What one briefing pack publishes."""

    statement_scores: pd.DataFrame
    breakdown_scores: pd.DataFrame
    label_distribution: pd.DataFrame
    profile: pd.DataFrame
    comparator: pd.DataFrame
    comment_rates: pd.DataFrame
    quotes: pd.DataFrame
    deadline: dt.date
    version: str | None = None


@dataclass
class AnnexTables:
    """What the national annex publishes."""

    statement_scores: pd.DataFrame
    breakdown_scores: pd.DataFrame
    breakdown_labels: pd.DataFrame
    label_distribution: pd.DataFrame
    profile: pd.DataFrame
    comment_rates: pd.DataFrame
    quotes: pd.DataFrame


def quote_group_sizes(
    coded: pd.DataFrame, respondents: pd.DataFrame, keys: Iterable[str], by: Sequence[str]
) -> dict[str, int]:
    """For each quoted comment key: respondents in its attribution group (the same
    answers to the attribution questions `by`)."""
    wanted = set(map(str, keys))
    by = list(by)
    if by:
        groups = respondents.groupby(by, sort=False).size()
        sizes = {(k if isinstance(k, tuple) else (k,)): int(n) for k, n in groups.items()}
        answers = zip(*(coded[q] for q in by), strict=True)
    else:
        sizes = {(): len(respondents)}
        answers = iter([()] * len(coded))
    out = {}
    for key, group in zip(coded["comment_key"], answers, strict=True):
        if str(key) in wanted:
            out[str(key)] = sizes.get(tuple(group), 0)
    return out


def audit(
    packs: Mapping[str, PackTables],
    annex: AnnexTables,
    quote_sizes: Mapping[str, Mapping[str, int]],
    min_group_size: int,
    wave_count: int = 1,
    comparable: Comparable | None = None,
) -> Findings:
    """Try every attack on the first tier. `quote_sizes` maps a scope (a system id or
    ``national``) to the attribution group size of each of its quotes' comment keys;
    `comparable` says which statements two packs' versions pool alike (see
    `comparator_pools`)."""
    k = min_group_size
    findings = Findings()
    for sid, pack in packs.items():
        total_vs_breakdown(
            findings, sid, pack.statement_scores, pack.breakdown_scores, pack.profile,
            pack.comment_rates, k,
        )  # fmt: skip
    national_scope = annex.statement_scores[
        annex.statement_scores["scope"].astype(str) == "national"
    ]
    total_vs_breakdown(
        findings, "national", national_scope, annex.breakdown_scores, annex.profile,
        annex.comment_rates, k,
    )  # fmt: skip
    statements = {sid: pack.statement_scores for sid, pack in packs.items()}
    pack_vs_annex(findings, statements, annex.statement_scores, k)
    national_vs_systems(findings, statements, annex.statement_scores, k)
    national_vs_packs(
        findings,
        {sid: (pack.statement_scores, pack.breakdown_scores) for sid, pack in packs.items()},
        annex.statement_scores,
        annex.breakdown_scores,
        k,
    )
    for sid, pack in packs.items():
        labels_vs_n(findings, sid, pack.statement_scores, pack.label_distribution, None, None, k)
    labels_vs_n(
        findings, "national", national_scope, annex.label_distribution, annex.breakdown_scores,
        annex.breakdown_labels, k,
    )  # fmt: skip
    deadlines = {sid: pack.deadline for sid, pack in packs.items()}
    pools = [
        pool
        for sid, pack in packs.items()
        if (pool := comparator_pool(sid, pack.deadline, pack.comparator, pack.version)) is not None
    ]
    versions = {sid: pack.version for sid, pack in packs.items() if pack.version is not None}
    comparator_pools(findings, pools, statements, deadlines, k, versions, comparable)
    for sid, pack in packs.items():
        quote_groups(findings, sid, pack.quotes, quote_sizes.get(sid, {}), k)
    quote_groups(findings, "national", annex.quotes, quote_sizes.get("national", {}), k)
    waves(findings, wave_count)
    return findings


# ---------------------------------------------------------------------------
# A populations programme (layout: populations; relaudit.population_scores)

# The attacks on a populations programme's score tables, in the order tried.
POPULATION_ATTACKS = {
    "small_shown": "a breakdown cell of fewer than min_group_size respondents that is shown",
    "total_vs_breakdown": "a population's question total minus the shown groups of one grouping",
    "target_vs_questions": "a target's pooled ratings minus its shown question cells",
    "overall_vs_targets": "a population's overall ratings minus its shown targets",
    "cross_vs_questions": "a cross-analysis mean shown where the same question mean is hidden",
}


@dataclass
class PopulationTables:
    """What a populations programme publishes about one population's scores, and the
    respondents with a rating of each question (and ``overall``), each breakdown
    partition's total: the audit assumes a reader knows them."""

    question_scores: pd.DataFrame
    target_scores: pd.DataFrame
    breakdown_scores: pd.DataFrame
    totals: pd.Series
    # The cross analysis's mean column for this population, when it is in one.
    cross_means: pd.Series | None = None


def _population_add(findings: Findings, attack: str, scope: str, checked: int, leaks) -> None:
    findings.add(attack, scope, checked, leaks, POPULATION_ATTACKS[attack])


def population_breakdown(
    findings: Findings, scope: str, breakdown: pd.DataFrame, totals: pd.Series,
    min_group_size: int,
) -> None:  # fmt: skip
    """No shown breakdown cell under k; each question total minus the shown groups of one
    grouping is 0 or at least k respondents.

    A total under k is left out: the figure of the whole population on that
    question is itself hidden (question_scores, the cross analysis), so the
    groups it is made of give nothing away together.
    """
    visible = breakdown[shown(breakdown)]
    small = visible[pd.to_numeric(visible["n"], errors="coerce").fillna(0) < min_group_size]
    _population_add(findings, "small_shown", scope, len(visible), [
        (f"{r['grouping']} / {r['group']} / {r['question_id']}", float(r["n"]))
        for _, r in small.iterrows()
    ])  # fmt: skip
    cells = breakdown.rename(columns={"question_id": "measure"})
    pairs = cells[["grouping", "measure"]].drop_duplicates()
    index = pd.MultiIndex.from_frame(pairs)
    per = pd.Series(
        pd.Series(totals, dtype=float).reindex(pairs["measure"].astype(str)).to_numpy(),
        index=index,
    ).dropna()
    per = per[per >= min_group_size]
    rem = partition_remainders(cells, per, ["grouping", "measure"]).reset_index()
    leaks = _leaks(rem, lambda r: f"{r['grouping']} / {r['measure']} (hidden groups)",
                   min_group_size)  # fmt: skip
    _population_add(findings, "total_vs_breakdown", scope, len(rem), leaks)


def population_targets(
    findings: Findings, scope: str, questions: pd.DataFrame, targets: pd.DataFrame,
    min_group_size: int,
) -> None:  # fmt: skip
    """A target's n_ratings minus its shown question cells, and the overall row's minus
    the shown targets (a hidden target whose questions are all shown counts as shown)."""
    from relaudit.population_scores import OVERALL

    per_target = targets[targets["target"].astype(str) != OVERALL].set_index("target")
    overall = targets[targets["target"].astype(str) == OVERALL]
    q = questions.assign(_shown=shown(questions).to_numpy())
    q["n"] = pd.to_numeric(q["n"], errors="coerce").fillna(0.0)
    shown_n = q[q["_shown"]].groupby("target", sort=False)["n"].sum()
    all_shown = q.groupby("target", sort=False)["_shown"].all()
    visible_targets = per_target[shown(per_target)]
    rem = pd.DataFrame({"total": pd.to_numeric(visible_targets["n_ratings"], errors="coerce")})
    rem["remainder"] = rem["total"] - shown_n.reindex(rem.index).fillna(0.0)
    table = rem.rename_axis("target").reset_index()
    leaks = _leaks(table, lambda r: f"{r['target']} (hidden questions)", min_group_size)
    _population_add(findings, "target_vs_questions", scope, len(table), leaks)
    checked, leaks = 0, []
    if len(overall) and bool(shown(overall).iloc[0]):
        recoverable = all_shown.reindex(per_target.index).fillna(False).astype(bool)
        worked_out = shown(per_target).astype(bool) | recoverable
        n_ratings = pd.to_numeric(per_target["n_ratings"], errors="coerce").fillna(0.0)
        remainder = float(overall["n_ratings"].iloc[0]) - float(n_ratings[worked_out].sum())
        checked = 1
        leaks = _leaks(
            pd.DataFrame({"remainder": [remainder]}), lambda r: "hidden targets", min_group_size
        )
    _population_add(findings, "overall_vs_targets", scope, checked, leaks)


def population_cross(
    findings: Findings, scope: str, questions: pd.DataFrame, cross_means: pd.Series | None
) -> None:
    """With one target, a population's cross-analysis mean is its question mean: it must
    be hidden wherever question_scores hides that question."""
    leaks = []
    one_target = questions["target"].astype(str).nunique() == 1
    if cross_means is not None and one_target:
        hidden = questions[~shown(questions)]
        for _, row in hidden.iterrows():
            value = cross_means.get(str(row["question_id"]), np.nan)
            if pd.notna(value):
                leaks.append((f"{row['target']} / {row['question_id']}", float(row["n"])))
    checked = 0 if cross_means is None else len(cross_means)
    _population_add(findings, "cross_vs_questions", scope, checked, leaks)


def audit_populations(populations: Mapping[str, PopulationTables], min_group_size: int) -> Findings:
    """Try every populations-programme attack on each population's published scores."""
    findings = Findings()
    for scope, tables in populations.items():
        population_breakdown(
            findings, scope, tables.breakdown_scores, tables.totals, min_group_size
        )
        population_targets(
            findings, scope, tables.question_scores, tables.target_scores, min_group_size
        )
        population_cross(findings, scope, tables.question_scores, tables.cross_means)
    return findings
