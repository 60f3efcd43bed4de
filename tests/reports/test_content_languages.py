"""The briefing in Romanian and Ukrainian: every sentence of the English briefing
translated, names, numbers and months in the language, charts and map included.

The briefings are built on the small demo store; the trend charts are recorded and drawn
as a blank PNG (the Chromium drawing is ``test_content.py``'s), the map is drawn.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pandas as pd
import pypdfium2 as pdfium
import pytest

from forecasting.warning.alerts import COLUMNS as ALERT_SOURCE_COLUMNS
from reports import content, hotspot_map
from reports.briefing import briefing_pdf
from reports.content import briefing_content
from reports.words import Words
from threatmon.disclosure.sensitive import SENSITIVE_TYPES
from threatmon.filters import Filters
from threatmon.messages import Message, odds
from threatmon.settings import DEFAULT_MARKING
from threatmon.store.reader import Store

GENERATED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LANGUAGES = ("en", "ro", "uk")
# A 1 x 1 white PNG: the chart's image (its figure is recorded).
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8ffff3f0005fe02fea7d6a4a30000000049454e44ae426082"
)


def _alerts() -> pd.DataFrame:
    """One surge in Chișinău, with its sentence as a message (as early_warning gives it)."""
    period = pd.Timestamp("2026-10-01")
    message = Message(
        "alert.surge",
        {
            "region": "MD-CU",
            "crime": "migrant_smuggling",
            "count": 1234,
            "month": period,
            "baseline": 12,
            "months": 12,
            "odds": odds(1e-7),
            "ratio": 3.5,
            "expected": 3.4,
        },
    )
    row = {
        "rank": 1,
        "kind": "surge",
        "region_code": "MD-CU",
        "country": "MD",
        "crime_type": "migrant_smuggling",
        "period": period,
        "count": 1234,
        "expected": 3.4,
        "ratio": 3.5,
        "p_value": 1e-6,
        "sentence": "Chișinău (Moldova), Migrant smuggling: 1,234 incidents in October 2026.",
        "link": "maps?…",
    }
    return pd.DataFrame([row], columns=list(ALERT_SOURCE_COLUMNS)).assign(message=[message])


def _build(path, language: str):
    store = Store(path, withheld=SENSITIVE_TYPES)
    drawn: dict[str, list] = {"figures": [], "map_titles": [], "progress": []}
    map_png = hotspot_map.hotspot_png

    def record_map(*args, **options):
        drawn["map_titles"].append(list(options["title"]))
        return map_png(*args, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            content, "figure_png", lambda figure, **_: drawn["figures"].append(figure) or BLANK_PNG
        )
        patch.setattr(hotspot_map, "hotspot_png", record_map)
        made = briefing_content(
            store,
            Filters(countries=("MD", "RO", "UA")),
            generated_at=GENERATED,
            sensitive_source=Store(path),
            alerts=_alerts(),
            forecast_crime_types=("migrant_smuggling",),
            progress=lambda fraction, message: drawn["progress"].append(message),
            words=Words(language),
        )
    return made, drawn


@pytest.fixture(scope="module")
def built(demo_store_path):
    """The viewer's briefing (sensitive table and its note) in each language: content,
    drawn figures and map titles, and the PDF's text."""
    out = {}
    for language in LANGUAGES:
        made, drawn = _build(demo_store_path, language)
        pages = [p.get_textpage().get_text_range() for p in pdfium.PdfDocument(briefing_pdf(made))]
        out[language] = (made, drawn, " ".join(" ".join(pages).split()))
    return out


def _texts(made, cells: bool = True) -> list[str]:
    """Every text of the content: title, period, labels, key figures, captions, table
    headings (and ``cells``), notes and the reference sources."""
    texts = [made.title, made.period, *made.labels.values(), *made.notes, *made.sources[-3:]]
    texts += [text for kpi in made.kpis for text in kpi]
    texts += [caption for caption, _ in made.trend_charts]
    texts += [made.hotspot_map[0]] if made.hotspot_map else []
    for frame in (made.changes, made.alerts, made.forecasts, *(t for _, t in made.extra_tables)):
        texts += [str(c) for c in frame.columns]
        texts += [str(v) for v in frame.to_numpy().ravel()] if cells else []
    texts += [heading for heading, _ in made.extra_tables]
    return texts


# Data the briefing shows as it is in every language: the marking, batch file names,
# registry names that exist only in English (Polish, Ukrainian regions in Romanian, …).
DATA = re.compile(r"RESTRICTED|synthetic|demo-|Poland|Getis-Ord|Natural Earth|CC BY|p = ")


def _phrases(text: str) -> list[str]:
    """The phrases of a sentence (split at punctuation) of three words or more."""
    parts = re.split(r"[.;:()“”,·–]\s*", text)
    return [p.strip() for p in parts if len(p.split()) >= 3 and not DATA.search(p)]


@pytest.mark.parametrize("language", ["ro", "uk"])
def test_no_english_sentence_is_left(built, language):
    """No phrase of the English briefing's texts is in the translated PDF."""
    english = {phrase for text in _texts(built["en"][0]) for phrase in _phrases(text)}
    assert len(english) > 60  # the comparison has something to compare
    pdf = built[language][2]
    assert sorted(phrase for phrase in english if phrase in pdf) == []


@pytest.mark.parametrize("language", ["ro", "uk"])
def test_no_text_of_the_content_is_left_in_english(built, language):
    """Every heading, label, caption and note differs from English (numbers aside)."""
    english = set(_texts(built["en"][0], cells=False))
    same = [
        text
        for text in _texts(built[language][0], cells=False)
        if text in english and re.search(r"[A-Za-z]{3}", text) and not DATA.search(text)
    ]
    # Codes and marks that read the same in every language.
    assert {t for t in same if not re.fullmatch(r"p [<=] .*|\d{4}-Q\d|[A-Z]{2}|Total", t)} == set()


def test_romanian_sentences(built):
    made, drawn, pdf = built["ro"]
    assert made.title == "Notă informativă Threat Monitor: Republica Moldova, România, Ucraina"
    assert made.period == (
        "1 nov. 2025 – 31 oct. 2026 (12 luni) · Toate tipurile de infracțiuni, cu excepția "
        "celor sensibile (vezi Note)"
    )
    assert made.labels["key_figures"] == "Cifre-cheie"
    assert made.labels["page"] == "Pagina {page} din {pages}"
    assert "Pagina 1 din " in pdf and "Generat 2026-11-30 09:00 UTC" in pdf
    assert made.notes[0].startswith(
        "Trafic de persoane și exploatarea sexuală a copiilor sunt excluse din toate cifrele "
        "și tabelele acestei note informative, cu excepția „Tipuri de infracțiuni sensibile, "
        "pe țări și trimestre”"
    )
    assert made.kpis[0][0] == "Total incidente"
    assert made.kpis[0][2].endswith(" față de nov. 2024 – oct. 2025")
    assert list(made.alerts.iloc[0]) == [
        "1",
        "salt brusc",
        "Chișinău (MD)",
        "Trafic de migranți",
        "oct. 2026",
        "1.234",
        "3,4",
        "Chișinău (Republica Moldova), Trafic de migranți — octombrie 2026: 1.234 de incidente, de "
        "3,5 ori media lunară de 3,4 din cele 12 luni anterioare (șansa ca aceasta să fie o "
        "coincidență: sub 1 la un milion).",
    ]
    assert drawn["map_titles"][0][1] == (
        "Puncte fierbinți și reci ale incidentelor la 100.000 de locuitori, nov. 2025 – oct. 2026"
    )
    assert drawn["progress"][0] == "Se citesc cifrele-cheie"


def test_ukrainian_sentences(built):
    made, drawn, pdf = built["uk"]
    assert made.title == "Брифінг Threat Monitor: Молдова, Румунія, Україна"
    assert made.period.startswith("1 лист. 2025 – 31 жовт. 2026 (12 місяців) · Усі види злочинів")
    assert made.labels["top_alerts"] == "Головні сповіщення"
    assert "Сторінка 1 з " in pdf
    assert made.alerts.columns[1] == "тип" and made.alerts.iloc[0, 1] == "різке зростання"
    assert made.alerts.iloc[0, 5] == "1\u00a0234"
    heading, table = made.extra_tables[-1]
    assert heading == "Чутливі види злочинів за країнами та кварталами"
    assert list(table.columns) == [
        "квартал",
        "країна",
        "Торгівля людьми",
        "Сексуальна експлуатація дітей",
        "Усього",
    ]
    assert set(table["країна"]) == {*Words("uk").countries().values(), "Усього"}


@pytest.mark.parametrize(
    ("language", "rows", "separator", "decimal"),
    [
        ("en", "{} rows", ",", "."),
        ("ro", "rânduri: {}", ".", ","),
        ("uk", "рядків: {}", "\u00a0", ","),
    ],
)
def test_numbers_follow_the_language(built, language, rows, separator, decimal):
    """The same numbers, written with the language's separators and decimal mark."""
    english, made = built["en"][0], built[language][0]

    def shown(text: str) -> str:
        return text.translate({ord(","): separator, ord("."): decimal})

    assert [v for _, v, _ in made.kpis] == [shown(v) for _, v, _ in english.kpis]
    count = re.search(r"([\d,]+) rows", english.sources[0]).group(1)
    assert "," in count  # thousands, so the separator is tested
    assert rows.format(shown(count)) in made.sources[0]
    expected = english.forecasts.iloc[0, 2]
    assert "." in expected  # a decimal, so the mark is tested
    assert made.forecasts.iloc[0, 2] == shown(expected)
    assert re.match(rf"^[+-]\d+\{decimal}\d %", made.kpis[0][2]), made.kpis[0][2]


@pytest.mark.parametrize(
    ("language", "title", "tick"),
    [
        ("en", "Monthly incidents by crime type", None),
        ("ro", "Incidente lunare pe tipuri de infracțiuni", "ian.<br>2026"),
        ("uk", "Інциденти за місяцями за видами злочинів", "січ.<br>2026"),
    ],
)
def test_charts_are_drawn_in_the_language(built, language, title, tick):
    trend, countries = built[language][1]["figures"]
    assert trend.layout.title.text == title
    assert trend.layout.separators == {"en": ".,", "ro": ",.", "uk": ",\u00a0"}[language]
    if tick:  # English keeps Plotly's own month names
        assert tick in trend.layout.xaxis.ticktext
    panels = {note.text for note in countries.layout.annotations}
    assert panels == {Words(language).country(c) for c in ("MD", "RO", "UA")}


def test_the_marking_stays_as_configured(built):
    for language in LANGUAGES:
        made = built[language][0]
        assert made.marking == DEFAULT_MARKING
        assert built[language][1]["map_titles"][0][0] == DEFAULT_MARKING
