"""The dashboard in Romanian and Ukrainian, driven through AppTest on the demo store.

Every page of ``dashboard.PAGES`` runs in each language without an exception, shows
its title and the sidebar in that language, and keeps the language from page to page.
A text that is shown exactly as an English catalogue text (and differs in the chosen
language) is a label that slipped past ``t()``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import dashboard
from threatmon.settings import DB_ENV_VAR
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard.py"
TIMEOUT = 120  # the first run imports plotly, scipy and folium; xdist workers share cores


@pytest.fixture
def app(demo_store_path, monkeypatch):
    """An AppTest of the dashboard on the session's demo store (not yet run)."""
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _language_box(at):
    return at.sidebar.selectbox(key=i18n.KEY_WIDGET)


def _shown_texts(at) -> list[str]:
    """The texts a person reads: headings, notes, messages, and labels of widgets."""
    texts = []
    for kind in ("title", "header", "subheader", "caption", "info", "warning", "error", "success"):
        texts += [element.value for element in getattr(at, kind)]
    for kind in (
        "button",
        "checkbox",
        "multiselect",
        "radio",
        "selectbox",
        "select_slider",
        "text_input",
        "toggle",
        "metric",
    ):
        texts += [element.label for element in getattr(at, kind)]
    texts += [element.proto.label for element in at.get("download_button")]
    return texts


def _english_leaks(at, language: str) -> list[str]:
    english, translated = i18n.catalogue("en"), i18n.catalogue(language)
    only_english = {text for key, text in english.items() if text != translated[key]}
    return [text for text in _shown_texts(at) if text in only_english]


@pytest.mark.parametrize("language", ["ro", "uk"])
@pytest.mark.slow
def test_every_page_in_the_chosen_language(app, language):
    """Choose the language in the sidebar, then open every page with it."""
    texts = i18n.catalogue(language)
    app.run()
    assert not app.exception
    assert _language_box(app).label == i18n.catalogue("en")["language.label"]
    _language_box(app).set_value(language).run()
    assert not app.exception
    assert app.title[0].value == texts["overview.title"]
    assert _language_box(app).label == texts["language.label"]
    assert texts["filters.header"] in [h.value for h in app.sidebar.header]
    assert {m.label for m in app.sidebar.multiselect} == {
        texts["filters.countries"],
        texts["filters.regions"],
        texts["filters.crime_types"],
    }
    # The link keeps the language, next to the filters.
    assert app.query_params["lang"] == language
    assert app.query_params["from"] == "2025-11"
    for spec in dashboard.PAGES:
        app.switch_page(spec.path).run()
        assert not app.exception, f"{spec.title}: {app.exception}"
        stem = Path(spec.path).stem
        assert app.title[0].value == texts[f"{stem}.title"], spec.title
        assert _language_box(app).value == language, f"the language was lost on {spec.title}"
        assert texts["filters.header"] in [h.value for h in app.sidebar.header]
        assert _english_leaks(app, language) == [], spec.title


def test_the_link_chooses_the_language_and_english_clears_it(app):
    """``?lang=uk`` opens in Ukrainian; choosing English again leaves the URL as before."""
    app.query_params = {"lang": "uk"}
    app.run()
    assert not app.exception
    assert app.title[0].value == "Огляд"
    assert _language_box(app).value == "uk"
    assert "Усього інцидентів" in [m.label for m in app.metric]
    _language_box(app).set_value("en").run()
    assert app.title[0].value == "Overview"
    assert "lang" not in app.query_params
    assert app.query_params == {"from": "2025-11", "to": "2026-10"}


def test_changing_the_language_keeps_the_filters(app):
    """Widgets are identified by their keys, so new labels do not reset them."""
    app.run()
    app.multiselect(key="filter_countries").select("MD").run()
    app.select_slider(key="filter_period").set_range("2026-01", "2026-06").run()
    _language_box(app).set_value("ro").run()
    assert not app.exception
    assert app.multiselect(key="filter_countries").value == ["MD"]
    assert app.select_slider(key="filter_period").value == ("2026-01", "2026-06")
    # Options are shown in Romanian: the country, and the Moldovan regions' local names.
    countries = app.multiselect(key="filter_countries").options
    assert countries[:3] == ["Republica Moldova", "Ucraina", "România"]
    assert "Unitatea Teritorială Autonomă Găgăuzia (MD-GA)" in (
        app.multiselect(key="filter_regions").options
    )
    (kpis,) = [c.value for c in app.caption if c.value.startswith("Incidente în")]
    assert "ian. 2026 – iun. 2026" in kpis


def test_the_sign_in_page_is_translated_too(app, private_accounts):
    """Before anyone signs in, the gate already speaks the chosen language."""
    from threatmon.access.accounts import Accounts

    Accounts(private_accounts).add("ana", "analyst", password="test password 123", by="test")
    app.query_params = {"lang": "ro"}
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == [i18n.translate("auth.sign_in", "ro")]
    assert [box.label for box in app.text_input] == ["Nume de utilizator", "Parolă"]
    app.text_input(key="auth_name").input("ana")
    app.text_input(key="auth_password").input("wrong password here")
    app.button[0].click().run()
    assert [e.value for e in app.error] == [i18n.translate("auth.sign_in_failed", "ro")]


def test_changing_the_language_keeps_the_forecasts_choices(app):
    """The crime type and the periods survive a change of language (what the browser shows
    afterwards is checked in test_languages_browser.py: AppTest reads stored values)."""
    app.query_params = {"lang": "uk", "country": "MD"}
    app.run()
    app.switch_page("pages/forecasts.py").run()
    app.selectbox(key="forecast_crime").set_value("terrorism").run()
    app.segmented_control(key="forecast_freq").set_value("W").run()
    assert app.title[0].value == "Прогнози"
    _language_box(app).set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Forecasts"
    assert app.selectbox(key="forecast_crime").value == "terrorism"
    assert app.segmented_control(key="forecast_freq").value == "W"
    assert "terrorism" in app.get("plotly_chart")[0].proto.spec
