"""Generated files (hypothesis): valid files validate whatever their dialect; one bad cell is
found on its line; arbitrary bytes never crash the pipeline."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_loaders.ingest import ingest_file
from data_loaders.normalise import resolve_regions
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.regions import load_regions

REGIONS = load_regions()
NAMES = list(zip(REGIONS["region_code"], REGIONS["name_en"], REGIONS["name_local"], strict=True))
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

rows = st.lists(
    st.tuples(
        st.dates(dt.date(2021, 1, 1), dt.date(2026, 10, 31)),
        st.sampled_from(NAMES),
        st.sampled_from(CRIME_TYPES),
        st.integers(1, 500),
        st.sampled_from(["code", "name_en", "name_local"]),
        st.sampled_from(["key", "label"]),
    ),
    min_size=1,
    max_size=30,
)
dialects = st.tuples(
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8-sig"]),
    st.sampled_from(["%Y-%m-%d", "%d.%m.%Y"]),
)


def _render(data, dialect):
    delimiter, _, date_format = dialect
    lines = [delimiter.join(["date", "region", "crime", "count"])]
    for day, (code, name_en, name_local), crime, count, region_kind, crime_kind in data:
        region = {"code": code, "name_en": name_en, "name_local": name_local}[region_kind]
        label = crime.key if crime_kind == "key" else crime.label
        lines.append(delimiter.join([day.strftime(date_format), region, label, str(count)]))
    return "\n".join(lines) + "\n"


def _ambiguous(name: str) -> bool:
    """Names that the registry cannot place without a country (e.g. Călărași: MD and RO)."""
    return resolve_regions([(name, None)])[(name, None)].value is None


@SETTINGS
@given(data=rows, dialect=dialects)
def test_valid_generated_files_validate(tmp_path_factory, data, dialect):
    data = [
        r for r in data if not (r[4] != "code" and _ambiguous(r[1][1 if r[4] == "name_en" else 2]))
    ]
    if not data:
        return
    path = tmp_path_factory.mktemp("gen") / "gen.csv"
    path.write_bytes(_render(data, dialect).encode(dialect[1]))
    result = ingest_file(path, user="h", db=path.with_suffix(".duckdb"), dry_run=True)
    assert result.status == "valid", result.problems[:3]
    assert result.rows_in_file == len(data)
    assert result.delimiter == dialect[0]
    assert result.preview["region_code"].tolist()[:5] == [r[1][0] for r in data][:5]


@SETTINGS
@given(
    data=rows,
    bad_line=st.integers(0, 29),
    bad_value=st.sampled_from(["-1", "<5", "2.5", "many", ""]),
)
def test_one_bad_count_is_found_on_its_line(tmp_path_factory, data, bad_line, bad_value):
    bad_line %= len(data)
    text = _render(
        [(d, (code, code, code), c, n, "code", "key") for d, (code, _, _), c, n, _, _ in data],
        (",", "utf-8", "%Y-%m-%d"),
    )
    lines = text.splitlines()
    cells = lines[bad_line + 1].split(",")
    cells[3] = bad_value
    lines[bad_line + 1] = ",".join(cells)
    path = tmp_path_factory.mktemp("bad") / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    result = ingest_file(path, user="h", db=path.with_suffix(".duckdb"), dry_run=True)
    assert result.status == "rejected"
    assert [(p.row, p.column) for p in result.problems] == [(bad_line + 2, "count")]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_arbitrary_bytes_never_crash(tmp_path_factory, payload, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"fuzz{suffix}"
    path.write_bytes(payload)
    result = ingest_file(path, user="h", db=path.with_suffix(".duckdb"), dry_run=True)
    assert result.status in {"valid", "rejected"}
    if result.status == "rejected":
        assert result.problems


@pytest.mark.parametrize("text", ["date,region,crime,count\n", "\ufeffdate;region;crime;count\n"])
def test_header_only_is_refused(tmp_path, text):
    path = tmp_path / "empty.csv"
    path.write_text(text)
    result = ingest_file(path, user="h", db=tmp_path / "s.duckdb", dry_run=True)
    assert (result.status, result.rows_in_file) == ("rejected", 0)
    assert [p.reason for p in result.problems] == ["No data rows; nothing loaded."]
