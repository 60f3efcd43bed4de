"""An analyst fixes an agency's spellings in the Upload page, loads the file and sees only
what the load did; the Upload page in Ukrainian and Romanian on a 1366×768 laptop.

The extract names its regions in a column it calls ``Raion``: one misspelt (``Cahull``,
the check suggests MD-CA Cahul), one a name no registry knows (``Sudul``). The analyst
names the file's source, accepts the suggestion, chooses Cahul for the other, checks the
file again, loads it, and the page then says what was loaded and what comes next, with
the Load button disabled. Nothing of the dry run before stays on the page.
"""

from __future__ import annotations

import shutil

from threatmon.store.reader import Store

WAIT = 90_000
LAPTOP = {"width": 1366, "height": 768}
FILE_NAME = "igp-raioane-noiembrie-2026.csv"
EXTRACT = (
    "Data,Tara,Raion,Infractiune,Cazuri\n"
    "2026-11-05,MD,Cahull,migrant_smuggling,1\n"
    "2026-11-06,MD,Sudul,migrant_smuggling,2\n"
)
#: Every text that would be cut off: widget labels, buttons, expander titles, and what
#: they hold, drawn narrower than their text.
CUT_OFF = """() => {
  const cut = [];
  const selector = [
    '[data-testid="stWidgetLabel"]', '[data-testid="stWidgetLabel"] *',
    'button', 'button *', '[data-testid="stExpander"] summary',
    '[data-testid="stExpander"] summary *', '[data-testid="stHeading"] *',
  ].join(', ');
  for (const element of document.querySelectorAll(selector)) {
    if (element.offsetParent === null || !element.innerText || !element.innerText.trim()) {
      continue;
    }
    // An icon's ligature ("add") is drawn as one glyph, not as its letters.
    if (element.closest('[data-testid*="Icon"]')) {
      continue;
    }
    if (element.scrollWidth > element.clientWidth + 1) {
      const style = getComputedStyle(element);
      if (style.overflowX !== 'visible' || style.textOverflow === 'ellipsis') {
        cut.push(element.innerText.trim());
      }
    }
  }
  return [...new Set(cut)];
}"""


def _drop(page, path) -> None:
    # The uploader's own file input: its button is labelled in the page's language.
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)


def _box(page, label: str):
    """The menu labelled ``label`` as a person reads it (its accessible name keeps the
    Markdown escapes of the file's values)."""
    text = page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stSelectbox").filter(has=text).get_by_role("combobox")


def _choose(page, box, option: str) -> None:
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_analyst_accepts_a_suggestion_loads_the_file_and_sees_only_the_load(
    journey, account, start_server, leaving, demo_store_path, tmp_path
):
    store_path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_path, store_path)
    extract = tmp_path / FILE_NAME
    extract.write_text(EXTRACT, encoding="utf-8")
    account("ana", "analyst")
    analyst = journey("upload-review", **LAPTOP)
    page = analyst.page
    with start_server(store_path) as base:
        analyst.open(base + "/load", "Sign in")
        analyst.sign_in("ana", "Upload")
        _choose(
            page,
            page.get_by_role("combobox", name="Source (saved column mapping)"),
            "New source…",
        )
        name = page.get_by_role("textbox", name="Name of the new source")
        name.fill("md-igp")
        name.press("Enter")
        page.wait_for_timeout(500)
        _drop(page, extract)
        page.get_by_text("Rejected: 2 problems; nothing was written.").wait_for(timeout=WAIT)
        # The report names the file's own header; read in its download (a canvas table).
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the validation report (CSV)").click()
        report = analyst.keep("report.csv", download.value.path().read_bytes())
        assert "Raion" in report.read_text(encoding="utf-8")
        fix = page.get_by_role("heading", name="Fix values without editing the file")
        fix.scroll_into_view_if_needed()
        analyst.screenshot("values-refused")

        accept = page.get_by_text("Accept: Raion (region_code) “Cahull” (line 2) → MD-CA Cahul")
        accept.scroll_into_view_if_needed()
        accept.click()
        _choose(page, _box(page, "Raion (region_code) “Sudul” (line 3) stands for"), "MD-CA Cahul")
        analyst.screenshot("values-chosen")
        page.get_by_role("button", name="Check again").click()
        page.get_by_text("2 rows are valid; nothing was written (dry run).").wait_for(timeout=WAIT)
        assert page.get_by_text("Value aliases of source “md-igp” (2)").count() == 1
        analyst.screenshot("valid-with-aliases")

        load = page.get_by_role("button", name="Load into the store")
        load.scroll_into_view_if_needed()
        load.click()
        page.get_by_text("Loaded 2 rows as batch 6.").wait_for(timeout=WAIT)
        page.get_by_text("Next: every page shows these rows now.").wait_for(timeout=WAIT)
        page.get_by_role("heading", name="Loaded", exact=True).scroll_into_view_if_needed()
        analyst.screenshot("loaded")
        assert page.get_by_text("nothing was written (dry run)").count() == 0
        assert page.get_by_text("already loaded").count() == 0
        assert page.get_by_role("button", name="Load into the store").is_disabled()
        assert page.locator("[data-testid='stException']").count() == 0
    assert leaving(analyst.requests) == []
    store = Store(store_path)
    batch = store.batches().iloc[0]
    assert (batch["batch_id"], batch["file_name"], batch["rows_loaded"]) == (6, FILE_NAME, 2)
    loaded = store.query("SELECT region_code FROM incidents WHERE batch_id = 6")
    assert loaded["region_code"].tolist() == ["MD-CA", "MD-CA"]
    assert store.saved_source("md-igp")[2]["value_aliases"] == {
        "region_code": {"Cahull": "MD-CA", "Sudul": "MD-CA"}
    }


def test_the_upload_page_in_ukrainian_and_romanian_has_distinct_headings_and_whole_labels(
    journey, server, tmp_path
):
    extract = tmp_path / FILE_NAME
    extract.write_text(EXTRACT, encoding="utf-8")
    reader = journey("upload-languages", **LAPTOP)
    page = reader.page
    for language, title in (("uk", "Завантаження"), ("ro", "Încărcare"), ("en", "Upload")):
        reader.open(f"{server}/load?lang={language}", title)
        _drop(page, extract)
        # The checks' messages stay in English in every language.
        page.get_by_text("Rejected: 2 problems").wait_for(timeout=WAIT)
        page.wait_for_timeout(1000)
        headings = [text.strip() for text in page.get_by_test_id("stHeading").all_inner_texts()]
        assert len(headings) >= 4, headings
        assert len(set(headings)) == len(headings), headings
        reader.screenshot(f"{language}-top")
        page.get_by_test_id("stFileUploaderDropzone").scroll_into_view_if_needed()
        reader.screenshot(f"{language}-file")
        page.get_by_test_id("stHeading").nth(-2).scroll_into_view_if_needed()
        reader.screenshot(f"{language}-review")
        page.get_by_test_id("stHeading").last.scroll_into_view_if_needed()
        reader.screenshot(f"{language}-loads")
        assert page.evaluate(CUT_OFF) == [], language
        assert page.locator("[data-testid='stException']").count() == 0
