"""No label is cut at 1366×768, in any language (Debian's chromium through Playwright).

Every page of ``dashboard.PAGES`` is opened in English, Romanian and Ukrainian in a
1366×768 window. A text is *cut* when the element holding it, or one of its three
nearest ancestors, hides what overflows (``overflow: hidden``/``clip`` or
``text-overflow: ellipsis``) and is narrower or lower than its content: the widget labels, metric
labels and deltas, tab labels, buttons, expanders, the chosen options of a multiselect,
markdown. A select box shows its choice on one line, in an input: every option of its
menu is measured in the input's font against the room the input has, so that no choice
is cut once chosen. Tables and charts draw on a canvas or in SVG and are left out, as is
the folium map (an iframe). A screenshot of each page is kept in ``test-artifacts/fit/``
(``$THREATMON_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dashboard

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1366, 768
#: ms. The first run of the Forecasts page fits the series on the spot.
WAIT = 240_000
LANGUAGES = ("en", "ro", "uk")

#: Returns {element, text, scroll, client} for every cut text of the page.
CUT_TEXTS = """
() => {
  const skip = [
    "[data-testid='stSkipToContent']", "[data-testid='stDataFrame']",
    "[data-testid='stTable']", "[data-testid='stPlotlyChart']", "iframe",
    "[data-testid='stCode']", "pre", "[data-testid='stSelectbox'] [data-baseweb='select']",
  ].join(", ");
  const root = document.querySelector("[data-testid='stApp']") || document.body;
  // The lines of an element's own text, as boxes on the screen.
  const lines = (el) => [...el.childNodes].filter((n) => n.nodeType === 3).flatMap((n) => {
    const range = document.createRange();
    range.selectNodeContents(n);
    return [...range.getClientRects()];
  });
  const hides = (node, el) => {
    const style = getComputedStyle(node);
    const hiding = ["hidden", "clip"].includes(style.overflowX);
    const wide = (hiding || style.textOverflow === "ellipsis")
      && node.scrollWidth > node.clientWidth + 1;
    if (wide || !["hidden", "clip"].includes(style.overflowY)) return wide;
    // Wrapped onto lines that a box of fixed height hides: a line of the text ends below
    // the box's visible part.
    const bottom = node.getBoundingClientRect().top + node.clientTop + node.clientHeight;
    return lines(el).some((line) => line.height && line.bottom > bottom + 1);
  };
  const found = [];
  for (const el of root.querySelectorAll("*")) {
    if (el.closest(skip)) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3)
      .map((n) => n.textContent).join("").trim();
    if (!own) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    let node = el;
    for (let up = 0; up < 4 && node && node !== root; up++, node = node.parentElement) {
      if (hides(node, el)) {
        const named = el.closest("[data-testid]");
        found.push({
          element: named ? named.dataset.testid : el.tagName,
          text: (node.innerText || own).trim().slice(0, 100),
          scroll: node.scrollWidth,
          client: node.clientWidth,
        });
        break;
      }
    }
  }
  return found;
}
"""

#: Given a select box's input and its menu's options: [option, px wide, px of room] for
#: each option wider than the input's text area.
WIDER_THAN_BOX = """
([input, options]) => {
  const style = getComputedStyle(input);
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = style.font;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return options.map((text) => [text, Math.ceil(pen.measureText(text).width), Math.floor(room)])
    .filter(([, wide, space]) => wide > space);
}
"""

IDLE = """
() => {
  const app = document.querySelector("[data-test-script-state]");
  return app && app.dataset.testScriptState === "notRunning" && document.querySelector("h1");
}
"""


def _artifacts() -> Path:
    configured = os.environ.get("THREATMON_TEST_ARTIFACTS", "").strip()
    folder = (Path(configured) if configured else ROOT / "test-artifacts") / "fit"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _menu_options(page, box) -> list[str]:
    """The options of select box ``box`` (its input), read from its opened menu."""
    for _ in range(3):
        box.locator("xpath=following-sibling::button").click()
        options = page.locator("[role='option']")
        try:
            options.first.wait_for(state="attached", timeout=10_000)
        except Exception:  # noqa: BLE001 - a menu that did not open is tried again
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
            continue
        texts = options.all_text_contents()
        page.keyboard.press("Escape")
        options.first.wait_for(state="detached", timeout=10_000)
        return texts
    raise AssertionError(f"The menu of {box.get_attribute('aria-label')!r} did not open.")


def _cut_choices(page) -> list[str]:
    """The options of the page's select boxes that a box would cut once chosen."""
    cut = []
    boxes = page.locator("[data-testid='stSelectbox'] input")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        if box.is_disabled():
            continue
        options = _menu_options(page, box)
        assert options, box.get_attribute("aria-label")
        cut += [
            f"select box {box.get_attribute('aria-label')!r}: {text!r} ({wide} px in {room} px)"
            for text, wide, room in page.evaluate(WIDER_THAN_BOX, [box.element_handle(), options])
        ]
    return cut


def test_no_label_is_cut_at_1366_in_any_language(server, browser, dismiss_dialog):
    folder = _artifacts()
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    cut = []
    try:
        for language in LANGUAGES:
            for spec in dashboard.PAGES:
                stem = Path(spec.path).stem
                page.goto(
                    f"{server}/{spec.url_path}?lang={language}", wait_until="domcontentloaded"
                )
                page.wait_for_timeout(500)
                page.wait_for_function(IDLE, timeout=WAIT)
                page.wait_for_timeout(1000)  # fonts and the last layout of the run
                assert page.locator("[data-testid='stException']").count() == 0, stem
                page.screenshot(path=folder / f"{language}-{stem}.png", full_page=True)
                cut += [
                    f"{language} {stem} · {found['element']}: {found['text']!r} "
                    f"({found['scroll']} px in {found['client']} px)"
                    for found in page.evaluate(CUT_TEXTS)
                ]
                dismiss_dialog(page)
                cut += [f"{language} {stem} · {found}" for found in _cut_choices(page)]
    finally:
        page.close()
    assert not cut, "Texts cut at 1366×768:\n" + "\n".join(cut)


def test_the_uploader_speaks_the_language(server, browser):
    """Streamlit's own "Upload" and "100MB per file" are drawn over by ui/dropzone.py."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page.goto(f"{server}/load?lang=uk", wait_until="domcontentloaded")
        zone = page.locator("[data-testid='stFileUploaderDropzone']").first
        zone.wait_for(timeout=WAIT)
        drawn = zone.evaluate(
            """zone => [
                zone.querySelector("button [data-testid='stMarkdownContainer'] p"),
                zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span"),
            ].map(node => [
                getComputedStyle(node).fontSize, getComputedStyle(node, "::after").content,
            ])"""
        )
        assert drawn == [
            ["0px", '"Вибрати файл"'],
            ["0px", '"До 100 МБ на файл • CSV, TXT, TSV, XLSX, PARQUET"'],
        ]
        zone.screenshot(path=_artifacts() / "uk-uploader.png")
    finally:
        page.close()
