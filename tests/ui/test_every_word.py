"""Every word translated: no English word reaches a page shown in Romanian or Ukrainian.

Each page of ``dashboard.PAGES`` is rendered through AppTest on the demo store (no
accounts, so everyone acts as an administrator and every page draws). Every text a
person reads is collected: headings, markdown, captions, messages, metrics (labels and
values), widgets (labels, options, help), expanders and tabs, table headers, the Plotly
figures' titles, axis titles, tick texts, legend entries and hover templates, and the
text of the folium maps (legend and notes). A text fails when it holds an *English word*:
a word of four letters or more that the English catalogue uses and neither the Romanian
nor the Ukrainian one does, unless :data:`ALLOWED` names it (proper nouns, codes, units,
method names). Each offending text is reported with its page and element. A page
must not show the same heading twice either (a translation that merged two English
headings, as "Upload" and "Load" once did in Ukrainian).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import dashboard
from threatmon.settings import DB_ENV_VAR, DEFAULT_MARKING
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard.py"
TIMEOUT = 300  # the Forecasts page fits its series on the first run; workers share cores

#: English words that may stand in a Romanian or Ukrainian page. Each is a name, a code
#: or a technical term that the translations keep as it is (docs/languages.md, "What
#: stays in English"). Lower case.
ALLOWED: frozenset[str] = frozenset(
    {
        # Methods and statistics known by their English names.
        "sarimax",  # seasonal ARIMA with exogenous regressors
        "croston",  # Croston-SBA
        "getis",  # Getis-Ord Gi*
        "moran",  # Local Moran's I
        "benjamini",  # Benjamini-Hochberg
        "hochberg",
        "jenks",  # Fisher-Jenks
        "fisher",
        "emerging",  # "Emerging Hot Spot Analysis", Esri's tool name
        "analysis",  # ditto
        "mase",  # mean absolute scaled error
        # Products, sources and organisations.
        "threat",  # "Threat Monitor", the product
        "monitor",
        "natural",  # Natural Earth (boundaries)
        "earth",
        "acled",
        "trendfinder",
        "esri",
        "openstreetmap",
        "leaflet",
        "folium",
        # Commands, files and formats written as they are typed.
        "threatmon",
        "demo",  # the DEMO banner and `threatmon demo`
        "html",
        "json",
        "xlsx",
        "duckdb",
        "postgresql",
        # Names and places.
        "english",  # the language menu names each language in that language
        "poland",  # the registry's English names of Polish regions ("Lesser Poland")
    }
)

#: Texts that are data, not labels: shown as they are in every language.
DATA: tuple[re.Pattern[str], ...] = (
    re.compile(re.escape(DEFAULT_MARKING)),  # the classification marking, a setting
    re.compile(r"demo-[\w-]+ \(synthetic\)"),  # demo batch names, chosen by the loader
)

#: (page stem, element) whose texts are data: the Audit page's filters offer the user
#: names and actions of the logs as they are written.
DATA_ELEMENTS: frozenset[tuple[str, str]] = frozenset({("audit", "multiselect options")})

#: Plotly's own (English) month names: ``%b`` and ``%B`` in a date format.
_PLOTLY_MONTHS = re.compile(r"%-?[bB]")

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_CODE = re.compile(r"`[^`]*`|```.*?```", re.S)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://\S+|\b[\w./-]+\.(?:py|md|csv|json|html|png|duckdb)\b")


def _words(text: str) -> set[str]:
    text = _URL.sub(" ", _CODE.sub(" ", text))
    return {word.lower() for word in _WORD.findall(text) if len(word) >= 4}


#: A placeholder of a catalogue text: names of values and units ("{count|incidents}"),
#: not words a reader sees.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _text_words(text: str) -> set[str]:
    return _words(_PLACEHOLDER.sub(" ", text))


def english_words() -> frozenset[str]:
    """Words of the English catalogue that no translation uses, minus :data:`ALLOWED`."""
    english = set().union(*map(_text_words, i18n.catalogue("en").values()))
    for language in i18n.LANGUAGES:
        if language != i18n.DEFAULT_LANGUAGE:
            english -= set().union(*map(_text_words, i18n.catalogue(language).values()))
    return frozenset(english - ALLOWED)


# -- what a page shows -------------------------------------------------------------------------


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


_SHOWN_FIELDS = ("body", "label", "options", "help", "placeholder", "value", "caption")


def _figure_texts(spec: str) -> Iterator[tuple[str, str]]:
    """The words of a Plotly figure: titles, ticks, legend entries, hovers, notes."""
    figure = json.loads(spec)
    layout = figure.get("layout", {})
    yield "figure title", json.dumps(layout.get("title", ""))
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            for text in _strings(axis.get("title", "")):
                yield f"{name} title", text
            for text in axis.get("ticktext", ()) or ():
                yield f"{name} tick", str(text)
            for field in ("tickformat", "hoverformat"):
                yield f"{name} {field}", str(axis.get(field) or "")
    for text in _strings(layout.get("legend", {}).get("title", "")):
        yield "legend title", text
    for note in layout.get("annotations", ()) or ():
        yield "figure note", str(note.get("text", ""))
    for trace in figure.get("data", ()):
        for field in ("name", "hovertemplate", "text", "legendgrouptitle"):
            for text in _strings(trace.get(field, "")):
                yield f"trace {field}", text


def _component_texts(json_args: str) -> Iterator[tuple[str, str]]:
    """The readable text of a custom component (the folium map): the text between the
    tags of its HTML, the legend and tooltips included (the script carries them as JSON
    strings, with ``<`` written ``\\u003c``)."""
    args = json.loads(json_args)
    for name, value in args.items():
        for text in _strings(value):
            text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
            text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
            for fragment in re.findall(r">([^<>]*[A-Za-z\u0400-\u04ff][^<>]*)<", text):
                fragment = html.unescape(fragment).strip()
                # Between two tags of the script itself, code rather than text.
                if fragment and not re.search(r"[{};=\"\n]", fragment):
                    yield f"map {name}", fragment


def _html_texts(body: str) -> Iterator[str]:
    """An ``st.html`` body: its text outside styles and scripts, and the texts a style
    draws (``content: "…"``, with its CSS escapes read)."""
    for quoted in re.findall(r'content:"((?:[^"\\]|\\.)*)"', body):
        yield re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m[1], 16)), quoted)
    yield re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S | re.I)


def _table_headers(node, data: dict) -> Iterator[str]:
    """The headers a table shows: a column's configured label, else its name; hidden
    columns and the index left out."""
    config = json.loads(data.get("columns") or "{}")
    order = data.get("column_order") or [str(column) for column in node.value.columns]
    for column in order:
        settings = config.get(column) or config.get(f"col:{column}") or {}
        if settings.get("hidden"):
            continue
        yield str(settings.get("label") or column)


def shown_texts(at) -> list[tuple[str, str]]:
    """(element, text) for every text of ``at``'s main area and sidebar."""
    from google.protobuf.json_format import MessageToDict

    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        kind = getattr(node, "type", "") or ""
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            data = MessageToDict(proto, preserving_proto_field_name=True)
            if kind == "plotly_chart":
                found.extend((f"plotly {where}", text) for where, text in _figure_texts(proto.spec))
            elif kind == "component_instance":
                found.extend(_component_texts(data.get("json_args", "{}")))
            elif kind == "html":
                found.extend(("html", text) for text in _html_texts(data.get("body", "")))
            elif kind in ("arrow_data_frame", "dataframe", "table"):
                found.extend(("table header", text) for text in _table_headers(node, data))
            else:
                # Blocks: expanders and tabs keep their label under their own message.
                for field in ("expandable", "tab", "popover"):
                    if field in data:
                        found.extend((kind or field, text) for text in _strings(data[field]))
                for field in _SHOWN_FIELDS:
                    if field in data:
                        found.extend((f"{kind} {field}", text) for text in _strings(data[field]))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [(kind, text) for kind, text in found if text.strip()]


def english_in(at) -> list[tuple[str, str, list[str]]]:
    """(element, text, English words) for each shown text that holds English words."""
    english = english_words()
    offending = []
    for kind, text in shown_texts(at):
        for pattern in DATA:
            text = pattern.sub(" ", text)
        words = sorted(_words(_TAG.sub(" ", text)) & english)
        if kind.startswith("plotly") and _PLOTLY_MONTHS.search(text):
            words.append("Plotly's English month names")
        if words:
            offending.append((kind, text, words))
    return offending


# -- the test ----------------------------------------------------------------------------------


@pytest.fixture
def app(demo_store_path, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["ro", "uk"])
def test_no_english_word_on_any_page(app, language):
    app.query_params = {"lang": language}
    app.run()
    assert not app.exception
    report = {}
    for spec in dashboard.PAGES:
        stem = Path(spec.path).stem
        app.switch_page(spec.path).run()
        assert not app.exception, f"{spec.title}: {app.exception}"
        headings = [
            h.value for kind in ("title", "header", "subheader") for h in getattr(app.main, kind)
        ]
        twice = sorted({h for h in headings if headings.count(h) > 1})
        assert not twice, f"{stem}: the same heading twice in {language}: {twice}"
        for kind, text, words in english_in(app):
            if (stem, kind) in DATA_ELEMENTS:
                continue
            report.setdefault(f"{stem} · {kind}: {text[:160]!r} — {', '.join(words)}", None)
    assert not report, f"English words on the {language} pages:\n" + "\n".join(report)


def test_the_detector_knows_english_from_names_and_code():
    english = english_words()
    assert {"incidents", "forecast", "upload"} <= english
    assert not {"sarimax", "threatmon", "english", "demo"} & english
    # Commands and file names are written as they are typed; short words are left out.
    assert _words("Run `threatmon users add` or see docs/languages.md") == set()
    assert _words("Incidents per month") == {"incidents", "month"}
