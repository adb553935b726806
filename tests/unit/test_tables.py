"""Typed tables between stages (relaudit.tables): schemas, Parquet hand-off, CSV."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relaudit import tables as T

ROOT = Path(__file__).resolve().parents[2]


def profile_rows(**overrides) -> pd.DataFrame:
    data = {
        "question": ["q", "q"],
        "group": ["=A", "B"],
        "n": [12, None],
        "pct": [2 / 3, None],
        "suppressed": [False, True],
        "suppression": ["", "small"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_a_table_round_trips_typed_through_the_stage(tmp_path):
    published, stage = tmp_path / "profile.csv", tmp_path / "profile.parquet"
    T.write_table(profile_rows(), "system/profile", published, stage)
    back = T.read_stage(stage, "system/profile")
    assert back["suppressed"].tolist() == [False, True]
    assert back["suppressed"].dtype == bool
    assert str(back["n"].dtype) == "Int64"
    assert back["n"].isna().tolist() == [False, True]
    assert back["group"].tolist() == ["=A", "B"]  # text as written: no guard in the stage
    # 2/3 to six significant figures, as the CSV says: 0.666667.
    assert back["pct"].iloc[0] == 0.666667
    text = published.read_text(encoding="utf-8")
    assert text.splitlines()[1] == "q,'=A,12,0.666667,False,"
    assert T.read_publication(published, "system/profile")["group"].tolist() == ["=A", "B"]


def test_a_missing_or_undeclared_column_names_the_table_and_the_fix():
    with pytest.raises(T.TableError, match=r"system/profile.*missing \['pct'\].*Fix"):
        T.conform(profile_rows().drop(columns="pct"), "system/profile")
    with pytest.raises(T.TableError, match=r"not declared \['extra'\]"):
        T.conform(profile_rows(extra=[1, 2]), "system/profile")


def test_a_flag_that_is_not_a_boolean_is_refused():
    with pytest.raises(T.TableError, match="suppressed is not bool"):
        T.conform(profile_rows(suppressed=["yes", "no"]), "system/profile")


def test_optional_columns_appear_only_when_given():
    base = T.schema("system/statement_scores").column_names
    assert "not_rated" in base
    frame = pd.DataFrame({c: [] for c in base if c != "not_rated"})
    assert "not_rated" not in T.conform(frame, "system/statement_scores").columns


def test_every_declared_table_is_in_the_dataflow_doc():
    doc = (ROOT / "docs" / "dataflow.md").read_text(encoding="utf-8")
    for name, table in T.SCHEMAS.items():
        assert name.split("/", 1)[1] in doc, name
        for column in table.columns:
            assert f"`{column.name}`" in doc or column.name in doc, (name, column.name)


def test_unknown_schema_says_where_to_declare_it():
    with pytest.raises(T.TableError, match=r"relaudit\.tables\.SCHEMAS"):
        T.schema("system/nothing")


def test_schema_for_falls_back_to_the_shared_text_tables():
    assert T.schema_for("system", "profile") == "system/profile"
    assert T.schema_for("national", "quotes") == "text/quotes"


@given(st.lists(st.floats(allow_nan=True, allow_infinity=False, width=64), max_size=20))
def test_stage_numbers_equal_what_the_csv_prints(values):
    frame = pd.DataFrame({"x": pd.Series(values, dtype="float64")})
    out = T.as_published(frame)["x"]
    for original, rounded in zip(values, out, strict=True):
        if math.isnan(original):
            assert math.isnan(rounded)
        else:
            assert rounded == float(f"{original:.6g}")
