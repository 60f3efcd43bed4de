"""Column mapping: synonyms in four languages, explicit maps, and honest refusals."""

import pytest

from data_loaders.mapping import fold_header, map_columns, parse_map_option
from threatmon.errors import Problem


def test_canonical_and_synonym_headers_in_several_languages():
    headers = ["Data", "Țara", "Raion", "Tip infractiune", "Număr", "Notes"]
    mapping = map_columns(headers, "incidents")
    assert mapping.columns == {
        "Data": "date",
        "Țara": "country",
        "Raion": "region_code",
        "Tip infractiune": "crime_type",
        "Număr": "count",
    }
    assert mapping.ignored == ("Notes",)
    assert mapping.problems == ()


def test_cyrillic_headers():
    mapping = map_columns(["Дата", "Область", "Вид злочину", "Кількість"], "incidents")
    assert mapping.canonical == {
        "date": "Дата",
        "region_code": "Область",
        "crime_type": "Вид злочину",
        "count": "Кількість",
    }


def test_country_may_be_left_to_the_region():
    assert map_columns(["date", "region_code", "crime_type", "count"], "incidents").problems == ()


def test_explicit_map_wins_and_can_ignore():
    mapping = map_columns(
        ["When", "Where", "What", "How many", "id"],
        "incidents",
        {
            "When": "date",
            "Where": "region_code",
            "What": "crime_type",
            "How many": "count",
            "id": "-",
        },
    )
    assert mapping.columns == {
        "When": "date",
        "Where": "region_code",
        "What": "crime_type",
        "How many": "count",
    }
    assert mapping.ignored == ("id",)


def test_missing_required_column_points_at_unrecognised_ones():
    mapping = map_columns(["date", "region", "crime", "Nr. cazuri"], "incidents")
    assert mapping.problems == (
        Problem(
            None,
            "count",
            None,
            "Required column 'count' is missing.",
            "Map one of the unrecognised columns ('Nr. cazuri') to count.",
        ),
    )


def test_misspelt_contract_column_is_an_error_not_silently_ignored():
    mapping = map_columns(["date", "region", "crime", "count", "victms"], "incidents")
    assert mapping.problems == (
        Problem(
            None,
            "victms",
            None,
            "Column 'victms' looks like 'victims' but does not match it.",
            "Rename it to victims, or map 'victms' to victims (or to '-' to ignore it).",
        ),
    )


def test_two_columns_for_one_target():
    mapping = map_columns(["date", "region", "crime", "offence", "count"], "incidents")
    assert [p.reason for p in mapping.problems] == [
        "Columns 'crime', 'offence' all map to 'crime_type'; keep one, or map the others to '-'."
    ]


def test_several_region_columns_are_candidates_tried_admin1_first():
    """UCDP GED has "region" (world regions) and "adm_1" (the oblasts): the values decide,
    trying the admin-1 names before "region"."""
    headers = ["date", "region", "adm_1", "crime", "count", "country"]
    mapping = map_columns(headers, "incidents")
    assert mapping.problems == ()
    assert mapping.region_candidates == ("adm_1", "region")
    assert mapping.columns["adm_1"] == "region_code"
    assert "region" in mapping.ignored


def test_an_explicit_region_column_wins_over_the_candidates():
    headers = ["date", "region", "adm_1", "crime", "count", "country"]
    mapping = map_columns(headers, "incidents", {"region": "region_code"})
    assert mapping.problems == ()
    assert mapping.region_candidates == ()
    assert mapping.columns["region"] == "region_code"
    assert "adm_1" in mapping.ignored


def test_coordinates_name_the_country_of_an_event_list():
    mapping = map_columns(["date", "crime", "count", "lat", "lon"], "incidents")
    assert mapping.problems == ()


def test_bad_explicit_entries():
    mapping = map_columns(
        ["date", "region", "crime", "count"], "incidents", {"colour": "date", "region": "province"}
    )
    reasons = [p.reason for p in mapping.problems]
    assert reasons[0].startswith(
        "The mapping names a column that is not in the file. File columns:"
    )
    assert reasons[1].startswith("Cannot map to 'province': not a column of incidents.")


def test_flows_columns():
    mapping = map_columns(["date", "country", "entries", "exits", "checkpoint"], "flows")
    assert mapping.canonical == {
        "date": "date",
        "country": "country",
        "arrivals": "entries",
        "departures": "exits",
        "crossing_point": "checkpoint",
    }


def test_parse_map_option():
    assert parse_map_option("Raion=region_code, Notes=-") == {"Raion": "region_code", "Notes": "-"}
    with pytest.raises(ValueError, match="--map entries look like SOURCE=TARGET. Got 'Raion'."):
        parse_map_option("Raion")


def test_fold_header():
    assert fold_header("\ufeffNr. de  cazuri") == "nr de cazuri"
    assert fold_header("Județ") == fold_header("judet")


# -- tables of figures for periods ----------------------------------------------------------------


def test_a_national_table_maps_without_a_region_column():
    """Eurostat's long form: no column is taken for a region that the file does not have."""
    mapping = map_columns(["year", "geo", "iccs", "offences"], "incidents")
    assert mapping.canonical == {
        "date": "year",
        "country": "geo",
        "crime_type": "iccs",
        "count": "offences",
    }
    assert mapping.problems == ()
    sdmx = map_columns(["freq", "unit", "geo", "iccs", "TIME_PERIOD", "OBS_VALUE"], "incidents")
    assert sdmx.canonical == {
        "country": "geo",
        "crime_type": "iccs",
        "date": "TIME_PERIOD",
        "count": "OBS_VALUE",
    }
    assert sdmx.ignored == ("freq", "unit")
    assert sdmx.problems == ()


def test_without_region_the_country_is_required():
    mapping = map_columns(["year", "article_no", "ACC"], "incidents")
    assert [p.reason for p in mapping.problems] == [
        "Required column 'country' is missing.",
        "Required column 'count' is missing.",
    ]


def test_period_ends_map_for_incidents_only():
    spans = map_columns(["from", "to", "country", "crime", "count"], "incidents")
    assert spans.canonical["date"] == "from" and spans.canonical["period_end"] == "to"
    flows = map_columns(["date", "from", "country", "arrivals"], "flows")
    assert flows.canonical == {"date": "date", "country": "country", "arrivals": "arrivals"}
    assert flows.ignored == ("from",)
