"""A change of language in a real browser (Debian's chromium through Playwright).

The browser sends a widget's choice back as the label it shows. After a change of
language that label is no longer among the options: without ``ui.i18n.kept`` the
widget would keep showing the old language's label. AppTest does not reproduce this
(it reads the stored values directly), so this test drives the real frontend.
"""

from __future__ import annotations

# ms. The first run of the Forecasts page fits the series on the spot (the tests keep no
# forecasts of all series): about 20 s alone, several times that beside the rest of
# `make test` on two cores.
WAIT = 240_000


def _choose(page, box: str, option: str) -> None:
    page.get_by_role("combobox", name=box, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_change_of_language_relabels_the_choices_already_made(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/?lang=uk&country=MD", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Огляд").wait_for(timeout=WAIT)
        page.get_by_role("link", name="Прогнози").click()
        page.get_by_role("heading", name="Прогнози").wait_for(timeout=WAIT)
        _choose(page, "Вид злочину", "Тероризм")
        page.get_by_text("Молдова: тероризм").first.wait_for(timeout=WAIT)

        _choose(page, "Мова", "English")
        page.get_by_role("heading", name="Forecasts").wait_for(timeout=WAIT)
        page.get_by_text("Moldova: terrorism").first.wait_for(timeout=WAIT)
        assert page.get_by_role("combobox", name="Crime type", exact=True).input_value() == (
            "Terrorism"
        )
        sidebar = page.locator("section[data-testid='stSidebar']").inner_text()
        assert "Moldova" in sidebar and "Молдова" not in sidebar
        assert "lang=" not in page.url and "country=MD" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()
