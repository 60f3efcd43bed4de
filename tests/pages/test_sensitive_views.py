"""Viewers' coarsened views of the sensitive crime types on the Map and Forecasts pages.

Viewers' stores withhold the sensitive types from every layer and series; what they get
instead is drawn from the suppressed quarterly tables, and from nothing finer.
"""

import base64
import json
import re
from pathlib import Path

import numpy as np
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from threatmon.settings import DB_ENV_VAR

APP = Path(__file__).resolve().parents[2] / "dashboard.py"
TIMEOUT = 120
SENSITIVE_LABELS = ["Human trafficking", "Child sexual exploitation"]


@pytest.fixture
def app(demo_store_path, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def maps_drawn(at) -> list[str]:
    """The Leaflet script of each st_folium map on the page, in order (with its group of
    regions, when it has one)."""
    drawn = [
        json.loads(element.proto.json_args)
        for element in at.get("component_instance")
        if element.proto.component_name.endswith("st_folium")
    ]
    return [arguments["script"] + "\n" + (arguments["feature_group"] or "") for arguments in drawn]


def numbers(values) -> list[float]:
    """A trace's values as sent to the browser: plotly packs float arrays as base64."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"]).tolist()
    return list(values)


def published(demo_store_path, crime: str, quarter: str) -> dict[str, object]:
    """Country name → the cell of ``crime`` the suppressed table publishes for ``quarter``."""
    from threatmon.disclosure import sensitive
    from threatmon.store.reader import Store

    store = Store(demo_store_path)
    table = sensitive.sensitive_table(store, store.coverage()["last"])
    rows = table[(table["quarter"] == quarter) & (table["country"] != "Total")]
    return dict(zip(rows["country"], rows[crime], strict=True))


@pytest.mark.slow
def test_a_viewer_gets_a_country_map_of_the_published_cells_only(app, sign_in, demo_store_path):
    sign_in(app, "eva", "viewer").run()
    app.switch_page("pages/map.py").run()
    assert not app.exception
    assert "Sensitive crime types by country" in [s.value for s in app.subheader]
    crime = app.selectbox(key="map_sensitive_crime")
    assert crime.options == SENSITIVE_LABELS
    quarter = app.selectbox(key="map_sensitive_q")
    assert len(quarter.options) == 4 and quarter.value == quarter.options[0]
    crime.select("child_sexual_exploitation").run()
    quarter.select(quarter.options[1]).run()
    assert not app.exception
    region_map, country_map = maps_drawn(app)
    # Countries, and nothing finer: no admin-1 feature reaches this map.
    assert re.findall(r'"region_code": "([A-Z]{2})"', country_map)
    assert not re.findall(r'"region_code": "[A-Z]{2}-', country_map)
    assert re.findall(r'"region_code": "[A-Z]{2}-', region_map)
    cells = published(demo_store_path, "Child sexual exploitation", quarter.options[1])
    for country, cell in cells.items():
        shown = str(cell).replace("<", "\\u0026lt;")
        tooltip = (
            f"\\u003cb\\u003e{country}\\u003c/b\\u003e\\u003ctable\\u003e\\u003ctr\\u003e"
            f"\\u003ctd\\u003eChild sexual exploitation, {quarter.options[1]}\\u003c/td\\u003e"
        )
        assert tooltip in country_map
        assert f"\\u003cb\\u003e{shown}\\u003c/b\\u003e" in country_map
    labels = [button.proto.label for button in app.get("download_button")]
    assert labels.count("Map as PNG") == 2  # the region map's and this one's


def test_an_analyst_sees_the_sensitive_types_on_the_map_itself_and_no_country_map(app, sign_in):
    sign_in(app, "ana", "analyst").run()
    app.switch_page("pages/map.py").run()
    assert not app.exception
    assert "Sensitive crime types by country" not in [s.value for s in app.subheader]
    assert len(maps_drawn(app)) == 1


@pytest.mark.slow
def test_a_case_meeting_projects_the_country_map_too(app, sign_in):
    sign_in(app, "eva", "viewer").run()
    app.switch_page("pages/map.py").run()
    app.toggle(key="map_projection").set_value(True).run()
    assert not app.exception
    # Projected, the sensitive map is a tab of its own, so that the page fits the screen.
    assert [tab.label for tab in app.tabs] == ["Regions", "Sensitive crime types by country"]
    assert len(maps_drawn(app)) == 2


def test_a_viewer_gets_a_forecast_of_the_published_quarterly_totals(app, sign_in, demo_store_path):
    from forecasting.published import published_forecast
    from threatmon.disclosure import sensitive
    from threatmon.store.reader import Store

    sign_in(app, "eva", "viewer").run()
    app.switch_page("pages/forecasts.py").run()
    assert not app.exception
    assert "Sensitive crime types: the next quarters" in [s.value for s in app.subheader]
    app.selectbox(key="forecast_sensitive_crime").select("child_sexual_exploitation")
    app.selectbox(key="forecast_sensitive_h").select(4).run()
    assert not app.exception
    (chart,) = [
        plotly.io.from_json(c.proto.spec)
        for c in app.get("plotly_chart")
        if "published quarterly totals" in c.proto.spec
    ]
    assert chart.layout.title.text == (
        "Child sexual exploitation: published quarterly totals and forecast"
    )
    (forecast,) = [trace for trace in chart.data if trace.name == "forecast"]
    # The same numbers as a forecast made from the published totals alone.
    store = Store(demo_store_path)
    table = sensitive.sensitive_table(store, store.coverage()["last"], quarters=16)
    expected = published_forecast(
        sensitive.published_totals(table), "Child sexual exploitation", horizon=4
    )
    assert numbers(forecast.y) == pytest.approx(expected.forecast["mean"].tolist())
    (method,) = [i.value for i in app.info if i.value.startswith("Model: ")]
    assert "forecasting each of the last 4 published quarters" in method


def test_an_analyst_gets_no_forecast_of_published_totals(app, sign_in):
    sign_in(app, "ana", "analyst").run()
    app.switch_page("pages/forecasts.py").run()
    assert not app.exception
    assert "Sensitive crime types: the next quarters" not in [s.value for s in app.subheader]


def test_a_deployment_with_a_larger_k_says_so_and_hides_more(
    app, sign_in, monkeypatch, demo_store_path
):
    monkeypatch.setenv("THREATMON_SUPPRESSION_K", "10")
    sign_in(app, "eva", "viewer").run()
    assert not app.exception
    (caption,) = [c.value for c in app.caption if "calendar quarter" in c.value]
    assert "Counts from 1 to 9 are shown as “<10”" in caption
    (table,) = [d.value for d in app.dataframe if "quarter" in d.value.columns]
    cells = table.drop(columns=["quarter", "country"]).to_numpy().ravel().tolist()
    assert not [v for v in cells if v.isdigit() and 1 <= int(v) <= 9]
    assert "<10" in cells and "<5" not in cells
    app.switch_page("pages/map.py").run()
    assert any("“<10” for 1 to 9" in c.value for c in app.caption)


def _silent_store(path) -> Path:
    """Moldova sends both sensitive types monthly for 2026Q1-Q3 (and drug trafficking, so
    the overview has something to show); no other country sends anything."""
    import pandas as pd

    from threatmon.store.writer import write_session

    months = pd.date_range("2026-01-01", "2026-09-01", freq="MS")
    types = ["human_trafficking", "child_sexual_exploitation", "drug_trafficking"]
    frame = pd.DataFrame(
        [("MD", crime, month, 8) for crime in types for month in months],
        columns=["country", "crime_type", "date", "count"],
    )
    frame["period_end"] = frame["date"] + pd.offsets.MonthEnd(0)
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="md.csv", sha256="d" * 64)
    return path


@pytest.mark.slow
def test_a_viewer_sees_no_data_for_countries_that_sent_nothing(tmp_path, monkeypatch, sign_in):
    monkeypatch.setenv(DB_ENV_VAR, str(_silent_store(tmp_path / "silent.duckdb")))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    sign_in(app, "eva", "viewer").run()
    assert not app.exception
    (table,) = [d.value for d in app.dataframe if "quarter" in d.value.columns]
    q3 = table[table["quarter"] == "2026Q3"].set_index("country")
    for country in ("Estonia", "Latvia", "Lithuania", "Georgia"):
        assert q3.loc[country].tolist()[1:] == ["no data"] * 3
    assert q3.loc["Moldova"].tolist()[1:] == ["24", "24", "48"]
    assert "0" not in table.drop(columns=["quarter", "country"]).to_numpy().ravel().tolist()
    assert (
        "“no data” marks a country that did not report the type for the whole quarter: it is "
        "unknown, not 0, and the totals add up the countries that reported."
    ) in [c.value for c in app.caption]


def test_viewers_of_different_scopes_get_rows_of_one_table(demo_store_path, monkeypatch, sign_in):
    """Issue 20: a viewer of all countries and one of Moldova and Ukraine, in one process (one
    cache): the second gets the first's rows, and their tables together narrow no "<5"."""
    from threatmon.disclosure.scopes import joint_audit

    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    tables = {}
    for name, scope in (("eva", ()), ("ion", ("MD", "UA"))):
        at = sign_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT), name, "viewer", scope)
        at.run()
        assert not at.exception
        (table,) = [d.value for d in at.dataframe if "quarter" in d.value.columns]
        tables[name] = table
    every, two = tables["eva"], tables["ion"]
    assert set(two["country"]) == {"Moldova", "Ukraine", "Total"}
    for quarter in every["quarter"].unique():
        ours = every[every["quarter"] == quarter].drop(columns="quarter").set_index("country")
        theirs = two[two["quarter"] == quarter].drop(columns="quarter").set_index("country")
        rows = ["Moldova", "Ukraine"]
        assert theirs.loc[rows].values.tolist() == ours.loc[rows].values.tolist()
        assert joint_audit([ours, theirs]) == []
