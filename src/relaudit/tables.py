"""One schema per table that stages hand each other, and the two ways to write one.

Stages hand each other Parquet (:func:`write_stage`, :func:`read_stage`), with
the column types declared here, so a reader gets booleans as booleans and text
exactly as written. Spreadsheet-safe CSV (formula cells made inert, floats to
6 significant figures) is written only at the publication boundary, the
``tables/`` folders (:func:`write_publication`), and for files people edit or
audit by hand. Writers, readers, the rules' table lists, ``docs/dataflow.md``
and the tests all use these declarations.

Some tables have columns that come from the instrument (one per respondent
question, or per item): their schemas say so with ``extra`` and the writer
passes the instrument's column names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from relaudit.errors import RelauditError

# The Snakefile imports this module to list the tables each rule writes, on
# every run, even one with nothing to do. pandas (and relaudit.io, which needs
# it) cost that run about 0.3 s to import, so only the functions that read or
# write a frame import them, when they are called.
if TYPE_CHECKING:
    import pandas as pd

Dtype = Literal["str", "int", "count", "float", "bool", "datetime"]
Tier = Literal["published", "audit", "stage"]

# How each logical type is held in pandas. "count" is an integer that a
# suppressed cell leaves blank, so it is nullable.
PANDAS_DTYPES: Mapping[str, str] = {
    "str": "object",
    "int": "int64",
    "count": "Int64",
    "float": "float64",
    "bool": "bool",
    "datetime": "datetime64[ns]",
}


class TableError(RelauditError):
    """A table does not match its declared schema."""


@dataclass(frozen=True)
class Column:
    """One declared column."""

    name: str
    dtype: Dtype
    meaning: str = ""


@dataclass(frozen=True)
class Table:
    """A table's schema: its columns in order, and what it is for."""

    name: str
    columns: tuple[Column, ...]
    tier: Tier
    meaning: str
    # Columns the instrument adds after the declared ones, and their type.
    extra: str | None = None
    extra_dtype: Dtype = "float"
    # Declared columns that appear only for some instruments (e.g. not_rated).
    optional: frozenset[str] = frozenset()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def dtype(self, column: str) -> Dtype:
        for declared in self.columns:
            if declared.name == column:
                return declared.dtype
        return self.extra_dtype


def _columns(spec: str) -> tuple[Column, ...]:
    """'item_id:str n:count' -> Columns (a compact way to declare many tables)."""
    out = []
    for part in spec.split():
        name, _, dtype = part.partition(":")
        out.append(Column(name, dtype))  # type: ignore[arg-type]
    return tuple(out)


_SUPPRESSION = "suppressed:bool suppression:str"

SCHEMAS: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "system/statement_scores",
            _columns(
                "item_id:str framework:str n:count not_rated:count mean:float sd:float "
                f"ci_low:float ci_high:float pct_positive:float rank:count {_SUPPRESSION}"
            ),
            "published",
            "one row per statement, on-time responses only",
            optional=frozenset({"not_rated"}),
        ),
        Table(
            "system/group_scores",
            _columns(
                f"grouping:str group:str mean:float {_SUPPRESSION} ci_low:float ci_high:float"
            ),
            "published",
            "one row per framework grouping level",
        ),
        Table(
            "system/label_distribution",
            _columns(f"item_id:str label:str score:float n:count pct:float {_SUPPRESSION}"),
            "published",
            "one row per statement and answer label",
        ),
        Table(
            "system/comparator",
            _columns(
                "item_id:str n:count mean:float comparator_n:count comparator_mean:float "
                "diff:float diff_ci_low:float diff_ci_high:float flag:str df:float "
                f"{_SUPPRESSION}"
            ),
            "published",
            "one row per statement: the system against its comparator (flag: higher, lower, "
            "similar, not_comparable or no_comparator; relaudit.comparison)",
        ),
        Table(
            "system/comparator_summary",
            _columns("systems:str n_systems:count responses:count cutoff:str note:str"),
            "published",
            "one row: who the comparator pools",
        ),
        Table(
            "system/breakdown_scores",
            _columns(
                "grouping:str group:str measure:str n:count mean:float pct_positive:float "
                f"{_SUPPRESSION} sd:float"
            ),
            "published",
            "one row per respondent group and measure (statement or framework)",
        ),
        Table(
            "system/profile",
            _columns(f"question:str group:str n:count pct:float {_SUPPRESSION}"),
            "published",
            "who responded, by respondent question and group",
        ),
        Table(
            "system/pool_consistency",
            _columns(
                "item_id:str framework:str systems:int top5:int bottom5:int worst_in_framework:int"
            ),
            "published",
            "per statement: in how many comparator systems it was among the best or worst",
        ),
        Table(
            "system/group_gaps",
            _columns(
                "grouping:str measure:str high_group:str high_mean:float high_sd:float "
                "high_n:count low_group:str low_mean:float low_sd:float low_n:count "
                "gap:float gap_ci_low:float gap_ci_high:float supported:bool"
            ),
            "published",
            "per grouping and statement: the gap between its highest and lowest shown group "
            "of at least key_message_min_group, with its 95% Welch interval",
        ),
        Table(
            "national/statement_scores",
            _columns(
                "scope:str item_id:str framework:str n:count not_rated:count mean:float "
                f"sd:float ci_low:float ci_high:float pct_positive:float rank:count {_SUPPRESSION}"
            ),
            "published",
            "one row per scope (national, or a system) and statement, to the census date",
            optional=frozenset({"not_rated"}),
        ),
        Table(
            "national/group_scores",
            _columns(
                f"scope:str grouping:str group:str mean:float {_SUPPRESSION} "
                "ci_low:float ci_high:float"
            ),
            "published",
            "one row per scope and framework grouping level",
        ),
        Table(
            "national/response_summary",
            _columns(
                "system_id:str name:str review_order:int questionnaire_version:str "
                "sent_to:count responses:int free_text:int on_time:int late:int"
            ),
            "published",
            "one row per system: responses and comments to the census date",
        ),
        Table(
            "national/label_distribution",
            _columns(f"item_id:str label:str score:float n:count pct:float {_SUPPRESSION}"),
            "published",
            "one row per statement and answer label",
        ),
        Table(
            "national/breakdown_scores",
            _columns(
                "grouping:str group:str measure:str n:count mean:float pct_positive:float "
                f"{_SUPPRESSION} sd:float"
            ),
            "published",
            "one row per respondent group and measure",
        ),
        Table(
            "national/breakdown_labels",
            _columns(
                "grouping:str group:str item_id:str label:str score:float n:count pct:float "
                f"{_SUPPRESSION} base:count"
            ),
            "published",
            "one row per respondent group, statement and answer label",
        ),
        Table(
            "national/consistency",
            _columns(
                "item_id:str framework:str systems:int top5:int bottom5:int worst_in_framework:int"
            ),
            "published",
            "per statement: in how many systems it was among the best or worst",
        ),
        Table(
            "national/profile",
            _columns(f"question:str group:str n:count pct:float {_SUPPRESSION}"),
            "published",
            "who responded, by respondent question and group",
        ),
        Table(
            "national/scope_basis",
            _columns(
                "system_id:str responses:int late:int scope_basis:str scope_responses:int "
                "answers_left_out:int"
            ),
            "audit",
            "which responses each national scope counts",
        ),
        Table(
            "audit/reconciliation",
            _columns(
                "system_id:str rows_read:int kept_on_time:int kept_late:int quarantined:int "
                "duplicates:int"
            ),
            "audit",
            "per system: every row read is kept, quarantined or a duplicate",
        ),
        Table(
            "audit/quarantine",
            _columns("system_id:str source_file:str row_number:int response_id:str reason:str"),
            "audit",
            "one row per quarantined or duplicate row, with its reason",
        ),
        # issue 15, helper A: the audit tables of a populations programme
        # (relaudit.populations), with the population in place of the system.
        Table(
            "programme/reconciliation",
            _columns("population:str rows_read:int kept:int quarantined:int duplicates:int"),
            "audit",
            "per population: every row read is kept, quarantined or a duplicate",
        ),
        Table(
            "programme/quarantine",
            _columns("population:str source_file:str row_number:int response_id:str reason:str"),
            "audit",
            "per population: one row per quarantined or duplicate row, with its reason",
        ),
        Table(
            "programme/cell_issues",
            _columns(
                "population:str source_file:str row_number:int response_id:str column:str "
                "value:str reason:str"
            ),
            "audit",
            "per population: one row per cell read as not answered (a value that is no option)",
        ),
        Table(
            "programme/redaction",
            _columns("population:str field:str tag:str count:int"),
            "audit",
            "per population: how many names, emails and phone numbers were redacted, by field",
        ),
        # end of issue 15, helper A
        Table(
            "text/quotes",
            _columns(
                "context_type:str context:str rank:int quote:str attribution:str comment_key:str"
            ),
            "audit",
            "quotes chosen per statement or theme",
        ),
        Table(
            "text/theme_counts",
            _columns("theme:str label:str comments:int pct:float"),
            "audit",
            "comments per theme",
        ),
        # issue 15, helper B: the scores of a populations programme
        # (relaudit.population_scores). The cross analysis names its columns
        # after the two populations it compares: "first_" and "second_" are
        # placeholders that relaudit.population_scores.cross_schema replaces.
        Table(
            "programme/question_scores",
            _columns(
                "population:str target:str question_id:str n:count no_contact:count mean:float "
                f"sd:float ci_low:float ci_high:float {_SUPPRESSION}"
            ),
            "published",
            "one row per population, target and question: its ratings (no contact apart)",
        ),
        Table(
            "programme/target_scores",
            _columns(f"population:str target:str n_ratings:count mean:float {_SUPPRESSION}"),
            "published",
            "one row per population and target (all questions pooled), then the population's "
            "overall row (every rating it gave)",
        ),
        Table(
            "programme/breakdown_scores",
            _columns(
                "population:str grouping:str group:str question_id:str n:count mean:float "
                f"{_SUPPRESSION}"
            ),
            "published",
            "one row per population, respondent group and question (or overall): respondents "
            "with a rating in the cell, and their ratings' mean pooled over targets",
        ),
        Table(
            "programme/cross_analysis",
            _columns(
                "question_id:str first_n:count first_mean:float second_n:count "
                "second_mean:float diff:float diff_ci_low:float diff_ci_high:float "
                f"first_sd:float second_sd:float df:float {_SUPPRESSION}"
            ),
            "published",
            "one row per question: two populations' means of person means (each respondent "
            "averaged over the targets they rated), first - second with its 95% Welch interval",
        ),
        Table(
            "programme/no_contact",
            _columns("target:str question_id:str no_contact:int population:str"),
            "published",
            "one row per target and question of a population rating several targets: the kept "
            "responses that chose no contact",
        ),
        # end of issue 15, helper B
        # issue 15, helper D
        Table(
            "programme/label_distribution",
            _columns(
                "population:str question_id:str answer:str score:float n:count pct:float "
                "suppressed:bool"
            ),
            "published",
            "per population and question, pooled over targets: ratings at each score "
            "(pct of ratings) and a no_contact row (pct of ratings and no contact)",
        ),
        Table(
            "text/comment_rates",
            _columns(
                f"grouping:str group:str respondents:count comments:count pct:float {_SUPPRESSION}"
            ),
            "published",
            "share of respondents who commented, by group",
        ),
        # issue 15, helper C: workshop must-haves and a programme's comments
        Table(
            "programme/must_haves",
            _columns("category:str label:str"),
            "published",
            "one row per must-have category, in codebook order: each population's must-haves "
            "in it, then each one's share of that population's must-haves (relaudit.must_haves)",
            extra="for each population with must-haves, in programme order, a count column "
            "named by its id, then for each one `<id>_pct`",
        ),
        Table(
            "programme/must_haves_coded",
            _columns(
                "row:int participant_type:str population:str must_have:str suggested:str "
                "category:str moderated:bool example_ok:bool"
            ),
            "stage",
            "one row per must-have, redacted: the suggested category, the final one (the "
            "analyst's when moderated) and whether the report may show it as an example",
        ),
        Table(
            "programme/must_haves_audit",
            _columns(
                "participant_type:str population:str rows_read:int blank:int coded:int "
                "redactions:int moderated:int agreed:int agreement_pct:float"
            ),
            "audit",
            "per participant type, then `all` (blank lines too): rows read = blank + coded, "
            "and how often the analyst's category agreed with the suggestion",
        ),
        Table(
            "programme/theme_counts",
            _columns("population:str theme:str label:str comments:int pct:float"),
            "audit",
            "comments per population and theme (pct of the population's comments)",
        ),
        Table(
            "programme/quotes",
            _columns(
                "population:str context_type:str context:str rank:int quote:str "
                "attribution:str comment_key:str"
            ),
            "audit",
            "quotes chosen per population and theme",
        ),
    )
}


def schema(name: str) -> Table:
    """The schema of a table by name (``system/statement_scores``, ``text/quotes``...)."""
    try:
        return SCHEMAS[name]
    except KeyError as exc:
        raise TableError(
            f"no table schema named {name!r}. Fix: declare it in relaudit.tables.SCHEMAS."
        ) from exc


def schema_for(scope: str, name: str) -> str:
    """The schema name of a scope's table: its own, else the shared text or audit one."""
    for candidate in (f"{scope}/{name}", f"text/{name}", f"audit/{name}"):
        if candidate in SCHEMAS:
            return candidate
    raise TableError(f"no table {name!r} for scope {scope}. Fix: declare it in SCHEMAS.")


def columns_by_name(scope: str, table_names: Iterable[str]) -> dict[str, list[str]]:
    """{table: its declared columns} for a document's input tables."""
    return {name: schema(schema_for(scope, name)).column_names for name in table_names}


def names(prefix: str, tier: Tier | None = None) -> list[str]:
    """Table names (without the prefix) declared under `prefix`, e.g. ``system``."""
    return [
        name.split("/", 1)[1]
        for name, table in SCHEMAS.items()
        if name.startswith(prefix + "/") and (tier is None or table.tier == tier)
    ]


def _cast(series: pd.Series, dtype: Dtype, table: str, column: str) -> pd.Series:
    import pandas as pd

    try:
        if dtype == "str":
            # Already text (every non-missing value a str): nothing to convert.
            if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in (
                "string",
                "empty",
            ):
                return series
            return series.where(series.isna(), series.astype(str)).astype(object)
        if dtype != "bool" and str(series.dtype) == PANDAS_DTYPES[dtype]:
            return series
        if dtype == "bool":
            if series.dtype != bool and not series.isin([True, False]).all():
                raise TypeError("holds values other than True and False")
            return series.astype(bool)
        if dtype == "datetime":
            return pd.to_datetime(series).astype("datetime64[ns]")
        return series.astype(PANDAS_DTYPES[dtype])
    except (TypeError, ValueError) as exc:
        raise TableError(
            f"table {table}: column {column} is not {dtype} ({exc}). "
            "Fix: the stage that writes it must give that type."
        ) from exc


def conform(
    frame: pd.DataFrame, table: Table | str, extra_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """`frame` with exactly the schema's columns, in order, and their declared types.

    A missing declared column (not optional) or an undeclared one is an error.
    """
    table = schema(table) if isinstance(table, str) else table
    expected = [c for c in table.column_names if c in frame.columns or c not in table.optional]
    expected += list(extra_columns)
    missing = [c for c in expected if c not in frame.columns]
    unexpected = [c for c in frame.columns if c not in expected]
    if missing or unexpected:
        raise TableError(
            f"table {table.name}: columns differ from its schema "
            f"(missing {missing}, not declared {unexpected}). "
            "Fix: change the stage or the schema in relaudit.tables, and docs/dataflow.md."
        )
    out = frame.loc[:, expected].copy()
    for column in expected:
        out[column] = _cast(out[column], table.dtype(column), table.name, column)
    return out.reset_index(drop=True)


def write_stage(
    frame: pd.DataFrame, path: str | Path, table: Table | str, extra_columns: Sequence[str] = ()
) -> Path:
    """Write a table for the next stage: Parquet, typed as declared."""
    from relaudit.io import write_parquet

    return write_parquet(conform(frame, table, extra_columns), path)


def read_stage(path: str | Path, table: Table | str) -> pd.DataFrame:
    """Read a table another stage wrote with :func:`write_stage`, checking its columns."""
    from relaudit.io import read_parquet

    table = schema(table) if isinstance(table, str) else table
    frame = read_parquet(path)
    declared = set(table.column_names)
    extra = [c for c in frame.columns if c not in declared] if table.extra else []
    return conform(frame, table, extra)


def read_publication(path: str | Path, table: Table | str) -> pd.DataFrame:
    """Read a published CSV back as its schema types, undoing the formula guard.

    For the disclosure audit, which attacks exactly what was published; stages
    read each other's Parquet instead (:func:`read_stage`).
    """
    from relaudit.io import read_csv, unneutralise_cell

    table = schema(table) if isinstance(table, str) else table
    frame = read_csv(path)
    for column in frame.columns:
        dtype = table.dtype(column)
        if dtype == "str":
            frame[column] = frame[column].map(unneutralise_cell)
        elif dtype == "bool":
            frame[column] = frame[column].map(_parse_bool)
    declared = set(table.column_names)
    extra = [c for c in frame.columns if c not in declared] if table.extra else []
    return conform(frame, table, extra)


def _parse_bool(value: object) -> bool:
    """write_csv writes booleans as True and False."""
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text not in ("True", "False"):
        raise TableError(f"{value!r} is not True or False. Fix: rebuild the table.")
    return text == "True"


def write_publication(
    frame: pd.DataFrame, path: str | Path, table: Table | str, extra_columns: Sequence[str] = ()
) -> Path:
    """Write a published table: spreadsheet-safe CSV (relaudit.io.write_csv)."""
    from relaudit.io import write_csv

    return write_csv(conform(frame, table, extra_columns), path)


def write_table(
    frame: pd.DataFrame,
    name: str,
    published: str | Path,
    stage: str | Path | None,
    extra_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Write one table both ways: the CSV people read, and the next stages' Parquet.

    Returns the conformed table (what both files hold).
    """
    from relaudit.io import write_csv, write_parquet

    table = as_published(conform(frame, name, extra_columns))
    write_csv(table, published)
    if stage is not None:
        write_parquet(table, stage)
    return table


def as_published(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats rounded as the published CSV writes them (6 significant figures).

    The next stages then chart and write about exactly the numbers a reader
    finds in the published table, not a more precise neighbour of them.
    """
    from relaudit.io import FLOAT_FORMAT

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == "float64":
            out[column] = [float(FLOAT_FORMAT % v) if v == v else v for v in out[column]]
    return out


def markdown_rows(tables: Iterable[Table]) -> list[str]:
    """Rows of docs/dataflow.md's schema tables: `| name | tier | columns |`."""
    return [
        f"| `{t.name}` | {t.tier} | {', '.join(f'`{c.name}` {c.dtype}' for c in t.columns)} |"
        for t in tables
    ]
