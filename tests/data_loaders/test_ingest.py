"""File ingest end to end: messy files load completely or not at all, with precise reports."""

import shutil

import pandas as pd
import pytest

from data_loaders.ingest import IngestOptions, ingest_file
from tests.factories import BACKENDS
from threatmon.errors import Problem
from threatmon.store.reader import Store


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, demo_store_path):
    """A private copy of the small demo store (ingest tests write to it), on each backend."""
    if request.param == "postgresql":
        return Store(request.getfixturevalue("postgres_demo_url"))
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, path)
    return Store(path)


def write(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


ROMANIAN_CP1250 = (
    "Data;Raion;Tip infracţiune;Număr;Sursa\n"
    "05.03.2026;Raionul Cahul;Trafic de migranţi;3;Poliţia de Frontieră\n"
    "17.03.2026;mun. Chişinău;trafic de droguri;1;IGP\n"
    "28.02.2026;Ştefan Vodă;Fals în acte;2;IGP\n"
)


def test_a_messy_moldovan_extract_loads(tmp_path, store):
    path = write(tmp_path / "md.csv", ROMANIAN_CP1250, "cp1250")
    before = store.coverage()["records"]
    result = ingest_file(path, user="ana", db=store.location)
    assert result.status == "loaded", result.problems
    assert (result.encoding, result.delimiter, result.rows_in_file, result.rows_loaded) == (
        "cp1250",
        ";",
        3,
        3,
    )
    assert result.date_format.startswith("dd.mm.yyyy")
    assert result.headers == ("Data", "Raion", "Tip infracţiune", "Număr", "Sursa")
    assert result.columns == {
        "Data": "date",
        "Raion": "region_code",
        "Tip infracţiune": "crime_type",
        "Număr": "count",
        "Sursa": "source",
    }
    assert store.coverage()["records"] == before + 3
    rows = store.query(
        "SELECT date, country, region_code, crime_type, count, source FROM incidents "
        "WHERE batch_id = ? ORDER BY date",
        [result.batch_id],
    )
    assert rows["region_code"].tolist() == ["MD-SV", "MD-CA", "MD-CU"]
    assert rows["crime_type"].tolist() == [
        "document_fraud",
        "migrant_smuggling",
        "drug_trafficking",
    ]
    assert rows["country"].tolist() == ["MD", "MD", "MD"]
    assert rows["source"].tolist() == ["IGP", "Poliţia de Frontieră", "IGP"]
    assert store.batches().iloc[0]["file_name"] == "md.csv"


def test_ukrainian_oblasts_in_cp1251_with_slashed_day_first_dates(tmp_path, store):
    text = (
        "дата,область,вид злочину,кількість\n"
        "25/03/2026,Одеська область,торгівля людьми,2\n"
        "01/04/2026,м. Київ,кіберзлочинність,5\n"
    )
    result = ingest_file(write(tmp_path / "ua.csv", text, "cp1251"), user="ana", db=store.location)
    assert result.status == "loaded", result.problems
    assert result.encoding == "cp1251"
    loaded = store.query(
        "SELECT region_code, date FROM incidents WHERE batch_id = ? ORDER BY date",
        [result.batch_id],
    )
    assert loaded["region_code"].tolist() == ["UA-51", "UA-30"]
    assert [d.isoformat()[:10] for d in pd.to_datetime(loaded["date"])] == [
        "2026-03-25",
        "2026-04-01",
    ]


def test_every_problem_is_reported_with_its_line_and_nothing_is_written(tmp_path, store):
    text = (
        "date,country,region_code,crime_type,count\n"
        "2026-01-05,MD,Cahull,migrant_smuggling,1\n"
        "2026-01-06,MD,MD-CA,migrant_smugling,<5\n"
        "2026-01-07,MD,MD-CA,cbrne,-2\n"
        "2026-13-01,MD,MD-CA,cbrne,1.5\n"
        "2026-01-09,MD,,cbrne,1\n"
    )
    version = store.version
    result = ingest_file(write(tmp_path / "bad.csv", text), user="ana", db=store.location)
    assert result.status == "rejected"
    # Line 6, with an empty region, is a national figure of MD: no problem.
    assert result.problem_count == 6
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (2, "region_code", "Cahull"),
        (3, "count", "<5"),
        (3, "crime_type", "migrant_smugling"),
        (4, "count", "-2"),
        (5, "count", "1.5"),
        (5, "date", "2026-13-01"),
    ]
    by_cell = {(p.row, p.column): p for p in result.problems}
    assert by_cell[(2, "region_code")].suggestion == "Did you mean MD-CA Cahul?"
    assert store.version == version


def test_dates_that_contradict_each_other_reject_the_file(tmp_path, store):
    text = (
        "date,region_code,crime_type,count\n"
        "25/03/2026,MD-CA,cbrne,1\n"
        "03/26/2026,MD-CA,cbrne,1\n"
        "04/03/2026,MD-CA,cbrne,1\n"
    )
    result = ingest_file(write(tmp_path / "dates.csv", text), user="ana", db=store.location)
    assert result.status == "rejected"
    assert [(p.row, p.column, p.value) for p in result.problems] == [(3, "date", "03/26/2026")]
    assert "month-first" in result.problems[0].reason


def test_same_file_twice_is_a_duplicate(tmp_path, store):
    path = write(tmp_path / "md.csv", ROMANIAN_CP1250, "cp1250")
    first = ingest_file(path, user="ana", db=store.location)
    records = store.coverage()["records"]
    again = ingest_file(path, user="ana", db=store.location, file_name="renamed.csv")
    assert again.status == "duplicate"
    assert again.batch_id == first.batch_id
    assert again.message == (
        f"renamed.csv was already loaded as batch {first.batch_id} (same "
        "sha256); nothing was added. Undo that batch first to load it again."
    )
    assert store.coverage()["records"] == records


def test_dry_run_writes_nothing(tmp_path, store):
    version = store.version
    result = ingest_file(
        write(tmp_path / "md.csv", ROMANIAN_CP1250, "cp1250"),
        user="ana",
        db=store.location,
        dry_run=True,
    )
    assert result.status == "valid"
    assert result.preview["region_code"].tolist() == ["MD-CA", "MD-CU", "MD-SV"]
    assert result.preview["line"].tolist() == [2, 3, 4]
    assert store.version == version


def test_incident_ids_resent_or_repeated(tmp_path, store):
    first = "date,region_code,crime_type,count,incident_id\n2026-01-05,MD-CA,cbrne,1,MD-1\n"
    assert (
        ingest_file(write(tmp_path / "a.csv", first), user="ana", db=store.location).status
        == "loaded"
    )
    second = (
        "date,region_code,crime_type,count,incident_id\n"
        "2026-01-06,MD-CA,cbrne,1,MD-1\n"
        "2026-01-07,MD-CA,cbrne,1,MD-2\n"
        "2026-01-08,MD-CA,cbrne,1,MD-2\n"
    )
    result = ingest_file(write(tmp_path / "b.csv", second), user="ana", db=store.location)
    assert result.status == "rejected"
    batch = int(store.batches().iloc[0]["batch_id"])
    assert result.problems == (
        Problem(
            2,
            "incident_id",
            "MD-1",
            f"incident_id is already loaded in batch {batch}.",
            f"Undo batch {batch} first to replace it, or remove the row.",
        ),
        Problem(
            4,
            "incident_id",
            "MD-2",
            "incident_id appears more than once in this file (first on line 3).",
        ),
    )


def test_a_duckdb_store_takes_the_rows_without_an_arrow_stream(tmp_path, store, monkeypatch):
    """A DuckDB store's rows go from the check into the store in one DuckDB connection;
    only a PostgreSQL store is sent the rows as Arrow batches."""
    from data_loaders.staging import Staging

    streamed = []
    stream = Staging.arrow_stream

    def counted(self):
        streamed.append(1)
        return stream(self)

    monkeypatch.setattr(Staging, "arrow_stream", counted)
    text = "date,region_code,crime_type,count\n2026-01-06,MD-CA,cbrne,1\n2026-01-07,MD-CA,cbrne,2\n"
    result = ingest_file(write(tmp_path / "two.csv", text), user="ana", db=store.location)
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert streamed == ([] if store.location.url is None else [1])


def test_a_repeated_incident_id_is_found_beside_empty_ones(tmp_path, store):
    """Rows without an incident_id are not repeats of each other, and do not hide one."""
    text = (
        "date,region_code,crime_type,count,incident_id\n"
        "2026-01-06,MD-CA,cbrne,1,\n"
        "2026-01-07,MD-CA,cbrne,1,MD-2\n"
        "2026-01-08,MD-CA,cbrne,1,MD-2\n"
        "2026-01-09,MD-CA,cbrne,1,\n"
    )
    result = ingest_file(write(tmp_path / "ids.csv", text), user="ana", db=store.location)
    assert result.problems == (
        Problem(
            4,
            "incident_id",
            "MD-2",
            "incident_id appears more than once in this file (first on line 3).",
        ),
    )


def test_unknown_columns_need_a_mapping(tmp_path, store):
    text = "Ziua,Unde,Ce,Cate\n2026-01-05,MD-CA,cbrne,1\n"
    path = write(tmp_path / "odd.csv", text)
    rejected = ingest_file(path, user="ana", db=store.location)
    assert rejected.status == "rejected"
    # No region column: the rows would be national figures, which need their country.
    assert [p.column for p in rejected.problems] == ["date", "country", "crime_type", "count"]
    mapping = {"Ziua": "date", "Unde": "region_code", "Ce": "crime_type", "Cate": "count"}
    loaded = ingest_file(
        path, user="ana", db=store.location, options=IngestOptions(mapping=mapping)
    )
    assert loaded.status == "loaded", loaded.problems


def test_flows_file(tmp_path, store):
    text = (
        "date,country,crossing_point,arrivals,departures\n"
        "2026-11-01,Republica Moldova,MD-UA-PALANCA,1200,900\n"
        "2026-11-01,Polska,,30000,\n"
    )
    result = ingest_file(
        write(tmp_path / "flows.csv", text),
        user="ana",
        db=store.location,
        options=IngestOptions(kind="flows"),
    )
    assert result.status == "loaded", result.problems
    rows = store.query(
        "SELECT country, arrivals, departures FROM flows WHERE batch_id = ? ORDER BY country",
        [result.batch_id],
    )
    assert rows.to_dict("list") == {
        "country": ["MD", "PL"],
        "arrivals": [1200, 30000],
        "departures": [900, None],
    }


def test_xlsx_problems_use_the_sheet_row(tmp_path, store):
    frame = pd.DataFrame(
        {
            "date": [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-02")],
            "region": ["Cahul", "Nowhere"],
            "crime": ["cbrne", "cbrne"],
            "count": [1, 2],
        }
    )
    path = tmp_path / "x.xlsx"
    frame.to_excel(path, index=False, sheet_name="data")
    result = ingest_file(path, user="ana", db=store.location)
    assert result.status == "rejected"
    assert [(p.row, p.column, p.value) for p in result.problems] == [(3, "region_code", "Nowhere")]
    assert result.sheet == "data"


def test_a_file_that_is_not_what_it_says(tmp_path, store):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = ingest_file(path, user="ana", db=store.location)
    assert result.status == "rejected"
    assert result.problem_count == 1


def test_entirely_empty_rows_are_skipped_not_reported(tmp_path, store):
    frame = pd.DataFrame(
        {
            "date": ["2026-02-01", None, "2026-02-03"],
            "region": ["Cahul", None, "Ocnița"],
            "crime": ["cbrne", None, "cbrne"],
            "count": [1, None, 2],
        }
    )
    path = tmp_path / "gaps.xlsx"
    frame.to_excel(path, index=False)
    result = ingest_file(path, user="ana", db=store.location)
    assert result.status == "loaded", result.problems
    assert (result.rows_in_file, result.rows_loaded) == (3, 2)
    assert result.message.endswith("1 empty row was skipped.")


def test_a_scoped_analyst_loads_only_the_countries_of_their_scope(tmp_path, store):
    text = (
        "date,country,region,crime_type,count\n"
        "2026-03-01,MD,Cahul,drug_trafficking,1\n"
        "2026-03-02,Ukraine,Odesa Oblast,drug_trafficking,2\n"
        "2026-03-03,RO,Iași,drug_trafficking,1\n"
    )
    path = write(tmp_path / "mixed.csv", text)
    before = store.coverage()["records"]
    result = ingest_file(path, user="ana", db=store.location, options=IngestOptions(scope=("MD",)))
    assert result.status == "rejected"
    reason = "Outside your country scope: you may load MD only."
    suggestion = "Remove the rows of other countries, or ask an administrator."
    assert result.problems == (
        Problem(3, "country", "Ukraine", reason, suggestion),
        Problem(4, "country", "RO", reason, suggestion),
    )
    assert store.coverage()["records"] == before
    loaded = ingest_file(
        path, user="ana", db=store.location, options=IngestOptions(scope=("MD", "RO", "UA"))
    )
    assert loaded.status == "loaded", loaded.problems


def test_without_a_country_column_the_region_decides_the_scope(tmp_path, store):
    path = write(
        tmp_path / "regions.csv",
        "date,region,crime_type,count\n2026-03-01,Cahul,drug_trafficking,1\n"
        "2026-03-02,UA-51,drug_trafficking,2\n",
    )
    result = ingest_file(path, user="ana", db=store.location, options=IngestOptions(scope=("MD",)))
    assert [(p.row, p.column, p.value) for p in result.problems] == [(3, "region_code", "UA-51")]
