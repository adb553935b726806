"""Property tests: every row read ends up in exactly one place, whatever the mix."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relaudit.clean import ingest_system
from relaudit.config import load_systems
from relaudit.instrument import load_instrument

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
import make_small

REPO = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(REPO / "config" / "instruments" / "cqc-relational-audit.yaml")
SYSTEMS = load_systems(REPO / "tests" / "fixtures" / "small" / "systems.tsv", INSTRUMENT.versions)
SYSTEM = SYSTEMS[0]  # ashford-vale, v1, deadline 2017-09-15
CENSUS = "2018-04-05"
HEADER = make_small.export_header(INSTRUMENT, "v1", housekeeping=("IP Address",))
DEADLINE_END = dt.datetime(2017, 9, 15, 23, 59, 59)

# Each kind of row and the outcome the contract gives it.
KINDS = {
    "on_time": "kept_on_time",
    "late": "kept_late",
    "not_submitted": "not_submitted",
    "bad_timestamp": "bad_timestamp",
    "no_area": "no_area",
    "area_mismatch": "area_mismatch",
    "no_response_id": "no_response_id",
    "no_answers": "no_answers",
    "after_census": "after_census",
}


def _row(kind: str, rid: str, seconds: int, labels: list[str], xlsx: bool) -> dict[str, object]:
    submitted: object = DEADLINE_END - dt.timedelta(seconds=seconds)
    if kind == "late":
        submitted = DEADLINE_END + dt.timedelta(seconds=1 + seconds)
    elif kind == "after_census":
        submitted = dt.datetime(2018, 4, 6) + dt.timedelta(seconds=seconds)
    elif kind == "not_submitted":
        submitted = ""
    elif kind == "bad_timestamp":
        submitted = "32/13/2017 10:00"
    if isinstance(submitted, dt.datetime) and not xlsx:
        submitted = submitted.strftime("%d/%m/%Y %H:%M:%S")
    area = {"no_area": "", "area_mismatch": "Bramfield"}.get(kind, "ashford-vale")
    answers = {} if kind == "no_answers" else dict(zip(INSTRUMENT.item_ids, labels, strict=False))
    return make_small.response(
        INSTRUMENT,
        "v1",
        "" if kind == "no_response_id" else rid,
        submitted,
        area,
        answers,
        ticks={"org_type": ["Health provider"]},
        extra={"IP Address": "192.0.2.1"},
    )


label = st.sampled_from((*make_small.LABELS, "", "bogus"))
# A row: its kind, seconds offset, some answers (at least one valid), and whether
# it is repeated in a later file (the repeat is the one kept).
row_spec = st.tuples(
    st.sampled_from(sorted(KINDS)),
    st.integers(0, 3 * 24 * 3600),
    st.lists(label, min_size=0, max_size=4),
    st.booleans(),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    specs=st.lists(row_spec, min_size=0, max_size=12),
    formats=st.lists(
        st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "xlsx"]), min_size=2, max_size=2
    ),
)
def test_reconciliation_balances(specs, formats) -> None:
    first, second = [], []
    expected: Counter[str] = Counter()
    for n, (kind, seconds, labels, repeated) in enumerate(specs):
        labels = [*labels, "Often true"]  # at least one statement answered
        rid = f"R{n}"
        rows = (first, second) if repeated and kind != "no_response_id" else (first,)
        for target, fmt in zip(rows, formats, strict=False):
            target.append(_row(kind, rid, seconds, labels, fmt == "xlsx"))
        expected[KINDS[kind]] += 1
        if len(rows) == 2:
            expected["duplicates"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, rows, fmt in (
            ("2017-09-15_a", first, formats[0]),
            ("2018-01-01_b", second, formats[1]),
        ):
            if fmt == "xlsx":
                path = make_small.write_xlsx_export(Path(tmp) / f"{name}.xlsx", HEADER, rows)
            else:
                path = make_small.write_csv_export(
                    Path(tmp) / f"{name}.csv", HEADER, rows, encoding=fmt
                )
            paths.append(path)
        result = ingest_system(
            SYSTEM, paths, INSTRUMENT, SYSTEMS, CENSUS, redactor=lambda t: (t, {})
        )

    recon = result.reconciliation
    assert recon["rows_read"] == len(first) + len(second)
    assert recon["rows_read"] == (
        recon["kept_on_time"] + recon["kept_late"] + recon["quarantined"] + recon["duplicates"]
    )
    assert recon["kept_on_time"] == expected["kept_on_time"]
    assert recon["kept_late"] == expected["kept_late"]
    assert recon["duplicates"] == expected["duplicates"]
    reasons = Counter(result.quarantine.reason)
    for kind, outcome in KINDS.items():
        if not outcome.startswith("kept"):
            assert reasons[outcome] == expected[outcome], kind
    # Each row read is in exactly one place: kept or in the quarantine table.
    places = [tuple(x) for x in result.responses[["source_file", "row_number"]].values.tolist()]
    places += [tuple(x) for x in result.quarantine[["source_file", "row_number"]].values.tolist()]
    assert len(places) == len(set(places)) == recon["rows_read"]
    assert result.responses.response_id.is_unique


@given(index=st.integers(0, 5), item=st.sampled_from(INSTRUMENT.items))
def test_reversing_labels_mirrors_the_score(index: int, item) -> None:
    scale = INSTRUMENT.scale
    labels = [name for name, _ in scale.labels]
    mirrored = labels[len(labels) - 1 - index]
    forward = scale.score(labels[index], reverse=item.reverse)
    backward = scale.score(mirrored, reverse=item.reverse)
    assert forward + backward == scale.min + scale.max
    assert scale.score(labels[index], reverse=True) == scale.score(mirrored)
