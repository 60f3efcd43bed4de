"""An analyst loads a national system's extract and sees its incidents on the map.

The file is what a Moldovan police system exports: Romanian headers the contract does
not know, Windows-1250 with cedilla diacritics, semicolons, day-first dates and
district names instead of codes. The analyst looks at Cahul's migrant smuggling in
October 2026 on the map (none in the demo store), drops the file, reads why it is
refused, maps its columns in the form, loads it and finds the new incidents on the map.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd

from threatmon.filters import Filters
from threatmon.store.reader import Store

WAIT = 90_000
#: The analyst's view: Cahul (MD-CA), migrant smuggling, October 2026, counts, no symbols.
MAP_LINK = (
    "/maps?country=MD&region=MD-CA&crime=migrant_smuggling&from=2026-10&to=2026-10"
    "&measure=count&layers=none"
)
FILE_NAME = "export-IGP-octombrie-2026.csv"
#: Three cases, six incidents: one quoted note holds the delimiter.
EXTRACT = (
    "Nr. dosar;Data înregistrării;Ţara;Unitatea administrativ-teritorială;"
    "Categoria infracţiunii;Nr. cazuri;Observaţii\r\n"
    "MD-CA-2026-0117;03.10.2026;Republica Moldova;raionul Cahul;trafic de migranţi;2;"
    "grup de 5 persoane\r\n"
    "MD-CA-2026-0121;11.10.2026;Republica Moldova;Cahul;trafic de migranţi;1;\r\n"
    "MD-CA-2026-0134;24.10.2026;Republica Moldova;Cahul;Trafic de migranţi;3;"
    '"Giurgiuleşti; vamă"\r\n'
)
#: What the analyst chooses in the column-mapping form (the others were recognised).
MAPPING = {
    "Data înregistrării": "date",
    "Unitatea administrativ-teritorială": "region_code",
    "Categoria infracţiunii": "crime_type",
    "Nr. cazuri": "count",
}
REQUIRED_MISSING = ("date", "crime_type", "count")
CAHUL_OCTOBER = Filters(
    regions=("MD-CA",), crime_types=("migrant_smuggling",), start="2026-10-01", end="2026-10-31"
)


def _incidents(store: Store) -> int:
    return int(store.aggregate(CAHUL_OCTOBER, by=(), freq=None)["count"].sum())


def _map_tooltip(page) -> str:
    """Hover over Cahul on the map and read its tooltip."""
    iframe = page.locator("iframe[title*='streamlit_folium']").first
    iframe.wait_for(timeout=WAIT)
    # The page's banners push the map down: bring it into view, or the pointer misses it.
    iframe.scroll_into_view_if_needed()
    frame = iframe.content_frame
    region = frame.locator("path.leaflet-interactive")
    region.first.wait_for(timeout=WAIT)
    assert region.count() == 1  # the view is Cahul alone
    region.first.hover(force=True)
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=WAIT)
    return tooltip.inner_text()


def _summary(page) -> str:
    """The line under the uploader: rows, format, encoding, delimiter, dates."""
    return page.locator("[data-testid='stMarkdownContainer']", has_text="· format ").inner_text()


def _mapping_box(form, header: str):
    """The form's menu for ``header``, found by the label a person reads."""
    # Not by its accessible name: that keeps the Markdown escapes ("Nr\\. dosar").
    label = form.page.get_by_test_id("stWidgetLabel").get_by_text(header, exact=True)
    return form.get_by_test_id("stSelectbox").filter(has=label).get_by_role("combobox")


def _choose(page, box, option: str) -> None:
    # An open list closes when the page scrolls, and a click first scrolls its target
    # into view: scroll there before opening the list, not while it is open.
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_analyst_maps_a_messy_extract_loads_it_and_sees_it_on_the_map(
    journey, account, start_server, leaving, demo_store_path, tmp_path
):
    store_path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, store_path)
    assert _incidents(Store(store_path)) == 0
    extract = tmp_path / FILE_NAME
    extract.write_bytes(EXTRACT.encode("cp1250"))
    account("ana", "analyst")
    analyst = journey("analyst")
    page = analyst.page
    with start_server(store_path) as base:
        # A link to the map she keeps: nothing there yet.
        analyst.open(base + MAP_LINK, "Sign in")
        analyst.sign_in("ana", "Map")
        assert re.search(r"Incidents October 2026\s+0\b", _map_tooltip(page))
        analyst.screenshot("map-before")

        page.get_by_role("link", name="Upload").click()
        page.get_by_role("heading", name="Upload", exact=True).wait_for(timeout=WAIT)
        page.get_by_text("You have no active load to undo").wait_for(timeout=WAIT)
        analyst.screenshot("upload-page")

        # The extract is read as it is, and refused for its columns.
        with page.expect_file_chooser() as chooser:
            page.get_by_test_id("stFileUploaderDropzone").get_by_role(
                "button", name="Upload", exact=True
            ).click()
        chooser.value.set_files(extract)
        page.get_by_text(
            "Rejected: 3 problems; nothing was written. The file's columns do not match the "
            "contract."
        ).wait_for(timeout=WAIT)
        summary = _summary(page)
        assert "encoding cp1250" in summary and "delimiter ';'" in summary
        # The problems table is drawn on a canvas: she reads it in the report she downloads.
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the validation report (CSV)").click()
        report = pd.read_csv(download.value.path())
        assert report["reason"].tolist() == [
            f"Required column '{column}' is missing." for column in REQUIRED_MISSING
        ]
        page.get_by_text(
            "The file's columns do not fit the contract: map them below, then validate again."
        ).wait_for()
        page.get_by_text("Rejected: 3 problems").scroll_into_view_if_needed()
        analyst.screenshot("columns-refused")

        # The form offers every header; two were recognised already.
        form = page.get_by_test_id("stExpander").filter(has_text="Column mapping")
        form.scroll_into_view_if_needed()
        assert _mapping_box(form, "Nr. dosar").input_value() == "incident_id"
        assert _mapping_box(form, "Ţara").input_value() == "country"
        for header, column in MAPPING.items():
            _choose(page, _mapping_box(form, header), column)
        analyst.screenshot("mapping-chosen")
        page.get_by_role("button", name="Apply mapping and validate again").click()
        page.get_by_text("3 rows are valid; nothing was written (dry run).").wait_for(timeout=WAIT)
        assert "dates dd.mm.yyyy (day first)" in _summary(page)
        analyst.screenshot("valid")

        page.get_by_role("button", name="Load into the store").click()
        page.get_by_text("Loaded 3 rows as batch 6.").wait_for(timeout=WAIT)
        # Her load is the one she may undo, named as in the Loads table.
        undo = page.get_by_role("combobox", name="Undo a load")
        undo.wait_for(timeout=WAIT)
        assert undo.input_value() == f"6 · {FILE_NAME} · 3 rows · 2026-10-03 – 2026-10-24"
        page.get_by_role("heading", name="Loads").scroll_into_view_if_needed()
        analyst.screenshot("loaded")

        # Back on the map, the same view (the sidebar kept it) shows the six incidents.
        page.get_by_role("link", name="Map").click()
        page.get_by_role("heading", name="Map", exact=True).wait_for(timeout=WAIT)
        assert re.search(r"Incidents October 2026\s+6\b", _map_tooltip(page))
        analyst.screenshot("map-after")
    assert leaving(analyst.requests) == []
    store = Store(store_path)
    assert _incidents(store) == 6
    batch = store.batches().iloc[0]
    assert (batch["batch_id"], batch["file_name"], batch["user_name"]) == (6, FILE_NAME, "ana")
    assert (batch["rows_loaded"], batch["status"]) == (3, "active")
    entry = store.audit().iloc[-1]
    assert (entry["user_name"], entry["action"], entry["target"]) == ("ana", "load", "batch:6")
