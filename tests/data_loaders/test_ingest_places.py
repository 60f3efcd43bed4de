"""Names and places as real sources write them: the right region column, events placed
by their coordinates. Small inline files modelled on UCDP GED (``region`` holds the world
region, ``adm_1`` the oblast, some events have coordinates only)."""

import pytest

from data_loaders.ingest import IngestOptions, ingest_file
from threatmon.errors import Problem
from threatmon.store.reader import Store

HINT = "Check the coordinates (latitude, longitude in decimal degrees) and the region."

UCDP_LIKE = (
    "id,date,region,adm_1,latitude,longitude,country,crime_type,count\n"
    "1,2022-03-01,Europe,Donetsk oblast,48.0159,37.8028,Ukraine,terrorism,1\n"
    "2,2022-03-02,Europe,Zaporizhzhya oblast,47.8388,35.1396,Ukraine,terrorism,1\n"
    "3,2022-03-03,Europe,Mykolayiv oblast,46.9750,31.9946,Ukraine,terrorism,1\n"
    "4,2022-03-04,Europe,Kiev Special Republican city,50.4501,30.5234,Ukraine,terrorism,1\n"
    "5,2022-03-05,Europe,,46.6354,32.6169,Ukraine,terrorism,1\n"
    "6,2022-03-06,Europe,Kharkiv Oblast,49.9935,36.2304,Ukraine,terrorism,1\n"
)


def write(tmp_path, text: str, name: str = "events.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def check(tmp_path, text: str, **options):
    return ingest_file(
        write(tmp_path, text),
        user="ana",
        db=tmp_path / "store.duckdb",
        options=IngestOptions(**options),
        dry_run=True,
    )


# --------------------------------------------------------------------------- the column


def test_the_oblasts_column_is_chosen_over_a_column_of_world_regions(tmp_path):
    result = check(tmp_path, UCDP_LIKE)
    assert result.status == "valid", result.problems
    assert result.region_column == "adm_1"
    assert result.region_column_reason == (
        "Region column 'adm_1': 5 of 5 distinct values are regions of Ukraine; "
        "'region' holds world regions (Europe)."
    )
    assert result.columns["adm_1"] == "region_code"
    assert "region" in result.ignored_columns
    assert result.preview["region_code"].tolist() == [
        "UA-14",
        "UA-23",
        "UA-48",
        "UA-30",
        "UA-65",  # no oblast: placed by its coordinates (Kherson)
        "UA-63",
    ]
    assert result.placed_by_coordinates == 1
    assert result.level == {"admin1": 6, "national": 0}
    assert result.to_json()["region_column"] == "adm_1"
    assert result.to_json()["placed_by_coordinates"] == 1


def test_the_order_of_the_columns_does_not_matter(tmp_path):
    text = (
        "date,adm_1,country,region,crime_type,count\n"
        "2022-03-01,Luhansk oblast,Ukraine,Europe,terrorism,1\n"
    )
    result = check(tmp_path, text)
    assert result.status == "valid", result.problems
    assert (result.region_column, result.preview["region_code"].tolist()) == ("adm_1", ["UA-09"])


def test_an_explicit_mapping_wins_over_the_values(tmp_path):
    result = check(tmp_path, UCDP_LIKE, mapping={"region": "region_code"})
    assert result.status == "rejected"
    assert result.region_column == "region"
    assert result.region_column_reason == "Region column 'region': chosen in the mapping."
    assert result.problems[0] == Problem(
        2, "region_code", "Europe", "Not a known region of Ukraine."
    )


def test_a_column_of_world_regions_alone_means_national_figures(tmp_path):
    text = "date,region,country,crime_type,count\n2022-03,Europe,Ukraine,terrorism,4\n"
    result = check(tmp_path, text)
    assert result.status == "valid", result.problems
    assert result.region_column is None
    assert result.region_column_reason == (
        "No region column: 'region' holds world regions (Europe), so the rows are national figures."
    )
    assert result.level == {"admin1": 0, "national": 1}


def test_a_column_of_world_regions_alone_with_coordinates_places_the_rows(tmp_path):
    text = (
        "date,region,lat,lon,crime_type,count\n"
        "2022-03-01,Europe,47.0105,28.8638,terrorism,1\n"
        "2022-03-02,Europe,46.4825,30.7233,terrorism,1\n"
    )
    result = check(tmp_path, text)
    assert result.status == "valid", result.problems
    assert result.region_column is None
    assert result.region_column_reason == (
        "No region column: 'region' holds world regions (Europe), so the rows are placed by "
        "their coordinates."
    )
    assert result.preview[["country", "region_code"]].values.tolist() == [
        ["MD", "MD-CU"],
        ["UA", "UA-51"],
    ]
    assert result.placed_by_coordinates == 2


def test_a_column_of_world_regions_without_a_country_or_coordinates_is_refused(tmp_path):
    text = "date,region,crime_type,count\n2022-03,Europe,terrorism,4\n"
    result = check(tmp_path, text)
    assert result.status == "rejected"
    assert (
        Problem(
            None,
            "region_code",
            None,
            "No column holds mostly regions of the file's countries: 'region' holds world "
            "regions (Europe).",
            "Map the column that holds the regions with --map COLUMN=region_code (on the Upload "
            "page, in the column mapping), or correct the names listed below.",
        )
        in result.problems
    )


def test_when_no_candidate_resolves_the_file_is_refused_naming_the_columns_tried(tmp_path):
    text = (
        "date,region,raion,country,crime_type,count\n"
        "2022-03,Nord,Cahull,Moldova,terrorism,4\n"
        "2022-03,Sud,Taraclya,Moldova,terrorism,2\n"
    )
    result = check(tmp_path, text)
    assert result.status == "rejected"
    assert result.region_column == "raion"  # the admin-1 name first, the nearest to regions
    assert result.problems[0] == Problem(
        None,
        "region_code",
        None,
        "No column holds mostly regions of the file's countries: 'raion': only 0 of 2 "
        "distinct values are regions; 'region': only 0 of 2 distinct values are regions.",
        "Map the column that holds the regions with --map COLUMN=region_code (on the Upload "
        "page, in the column mapping), or correct the names listed below.",
    )
    assert (
        Problem(
            2,
            "region_code",
            "Cahull",
            "Not a known region of Moldova.",
            "Did you mean MD-CA Cahul?",
        )
        in result.problems
    )


def test_a_single_region_column_is_still_explained(tmp_path):
    text = "date,raion,country,crime_type,count\n2022-03,Kagul,MD,terrorism,4\n"
    result = check(tmp_path, text)
    assert result.status == "valid", result.problems
    assert result.region_column_reason == (
        "Region column 'raion': 1 of 1 distinct values are regions of Moldova."
    )


# ------------------------------------------------------------------------ the coordinates

EVENTS = "date,country,region,latitude,longitude,crime_type,count\n"


@pytest.mark.parametrize(
    ("point", "country", "code"),
    [
        ("47.0105,28.8638", "MD", "MD-CU"),  # inside Chișinău
        ("47.80303,36.57692", "UA", "UA-14"),  # a vertex Donetsk and Zaporizhzhia share
        ("46.4,30.8", "UA", "UA-51"),  # 2 km off Odesa's coast as drawn: snapped
        ("46,4;30,8", "UA", "UA-51"),  # decimal commas
    ],
)
def test_a_row_without_a_region_is_placed_by_its_coordinates(tmp_path, point, country, code):
    text = EVENTS + f"2022-03-01,{country},,{point.replace(';', ',')},terrorism,1\n"
    if ";" in point:
        text = text.replace(",", ";").replace("46;4;30;8", "46,4;30,8")
    result = check(tmp_path, text)
    assert result.status == "valid", result.problems
    assert result.preview["region_code"].tolist() == [code]
    assert result.preview["level"].tolist() == ["admin1"]
    assert result.placed_by_coordinates == 1


def test_coordinates_outside_the_projects_countries_are_refused_with_their_line(tmp_path):
    text = (
        EVENTS
        + "2022-03-01,UA,,46.36,30.85,terrorism,1\n"  # 7 km out to sea
        + "2022-03-02,UA,,50.6,36.6,terrorism,1\n"  # Belgorod, Russia
    )
    result = check(tmp_path, text)
    assert result.status == "rejected"
    assert result.problems == (
        Problem(
            2,
            "latitude",
            "46.36",
            "The coordinates (46.36, 30.85) lie outside the project's countries (the nearest "
            "region, UA-51 Odesa, is 7 km away).",
            HINT,
        ),
        Problem(
            3,
            "latitude",
            "50.6",
            "The coordinates (50.6, 36.6) lie outside the project's countries (the nearest "
            "region, UA-63 Kharkiv, is 35 km away).",
            HINT,
        ),
    )


def test_coordinates_in_another_country_than_the_rows_are_refused(tmp_path):
    result = check(tmp_path, EVENTS + "2022-03-01,UA,,47.0105,28.8638,terrorism,1\n")
    assert result.problems == (
        Problem(
            2,
            "latitude",
            "47.0105",
            "The coordinates (47.0105, 28.8638) lie in MD-CU Chișinău (Moldova), not in "
            "Ukraine, the row's country.",
            "Check the coordinates and the country.",
        ),
    )


def test_a_stated_region_far_from_the_coordinates_is_refused_naming_both(tmp_path):
    text = (
        EVENTS
        + "2022-03-01,UA,Donetsk oblast,47.3,35.2,terrorism,1\n"  # 118 km away
        + "2022-03-02,UA,Donetsk oblast,47.80303,36.44,terrorism,1\n"  # 10 km: kept
    )
    result = check(tmp_path, text)
    assert result.problems == (
        Problem(
            2,
            "region_code",
            "Donetsk oblast",
            "The coordinates (47.3, 35.2) lie 118 km outside UA-14 Donetsk, the row's region, "
            "in UA-23 Zaporizhzhia.",
            HINT,
        ),
    )
    assert result.placed_by_coordinates == 0


def test_a_row_naming_its_country_stays_national_and_a_row_without_coordinates_too(tmp_path):
    text = (
        EVENTS
        + "2022-03-01,UA,Ukraine,48.0159,37.8028,terrorism,1\n"
        + "2022-03-02,UA,,,,terrorism,1\n"
        + "2022-03-03,UA,,48.0159,37.8028,terrorism,1\n"
    )
    result = check(tmp_path, text)
    assert result.status == "valid", result.problems
    assert result.preview["level"].tolist() == ["national", "national", "admin1"]
    assert result.level == {"admin1": 1, "national": 2}
    assert result.placed_by_coordinates == 1


def test_an_event_list_with_coordinates_only(tmp_path):
    text = (
        "date,lat,lon,crime_type,count\n"
        "2022-03-01,56.9496,24.1052,cybercrime,1\n"
        "2022-03-02,,,cybercrime,1\n"
    )
    result = check(tmp_path, text)
    assert result.preview["country"].tolist()[:1] == ["LV"]
    assert result.preview["region_code"].tolist()[:1] == ["LV-RIX"]
    assert result.problems == (
        Problem(
            3,
            "latitude",
            None,
            "Value is missing.",
            "Without a region or a country column each row needs its coordinates; add a "
            "country column for national figures.",
        ),
    )


def test_placed_rows_are_stored_with_their_region(tmp_path):
    db = tmp_path / "store.duckdb"
    result = ingest_file(write(tmp_path, UCDP_LIKE), user="ana", db=db)
    assert result.status == "loaded", result.problems
    assert result.placed_by_coordinates == 1
    rows = Store(db).query(
        "SELECT region_code, level, country FROM incidents WHERE batch_id = ? ORDER BY date",
        [result.batch_id],
    )
    assert rows.values.tolist()[4] == ["UA-65", "admin1", "UA"]
