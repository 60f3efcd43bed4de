import threading

from data_loaders import warm_up
from data_loaders.normalise.crossings import prepare_crossing_points
from data_loaders.normalise.placement import prepare_boundaries
from data_loaders.normalise.places import prepare_regions


def test_a_file_with_regions_and_coordinates_needs_names_and_boundaries():
    headers = ["date", "country", "Raion", "crime_type", "count", "latitude", "longitude"]
    assert warm_up.indexes_needed(headers, "incidents") == [prepare_regions, prepare_boundaries]


def test_flows_never_need_boundaries_and_crossing_points_need_their_names():
    headers = ["date", "country", "crossing_point", "arrivals", "latitude", "longitude"]
    assert warm_up.indexes_needed(headers, "flows") == [prepare_crossing_points]


def test_coordinates_without_a_region_column_need_the_boundaries_only():
    headers = ["date", "country", "crime_type", "count", "latitude", "longitude"]
    assert warm_up.indexes_needed(headers, "incidents") == [prepare_boundaries]


def test_a_file_without_places_needs_nothing():
    assert warm_up.indexes_needed(["date", "crime_type", "count"], "incidents") == []


def test_the_explicit_mapping_decides_what_a_header_feeds():
    headers = ["date", "where", "crime_type", "count"]
    assert warm_up.indexes_needed(headers, "incidents", {"where": "region_code"}) == [
        prepare_regions
    ]


def test_the_indexes_are_built_in_a_thread_that_is_waited_for(monkeypatch):
    built = []

    def prepare():
        built.append(threading.current_thread().name)

    monkeypatch.setattr(warm_up, "indexes_needed", lambda headers, kind, explicit: [prepare])
    with warm_up.warming_up("incidents") as on_header:
        on_header(("date", "country"))
    assert built == ["threatmon-warm-up"]


def test_a_failing_preparation_is_left_to_the_check(monkeypatch):
    def broken():
        raise OSError("boundaries unreadable")

    monkeypatch.setattr(warm_up, "indexes_needed", lambda headers, kind, explicit: [broken])
    with warm_up.warming_up("incidents") as on_header:
        on_header(("date",))


def test_headers_that_cannot_be_mapped_start_nothing(monkeypatch):
    def refuse(headers, kind, explicit):
        raise ValueError("unknown kind")

    monkeypatch.setattr(warm_up, "map_columns", refuse)
    with warm_up.warming_up("incidents") as on_header:
        on_header(("date",))
