"""The dashboard's one translation layer: every label in English, Romanian or Ukrainian.

Catalogues are flat JSON files in ``threatmon/locales/`` (``en.json`` is the reference; its
texts are the dashboard's English), read by :mod:`threatmon.i18n`, which holds the lookup,
numbers, months and plurals without Streamlit (the briefing and the CLI use it too); this
module adds the session's language. ``t("overview.title")`` looks a key up in the
session's language and fills named placeholders with ``str.format``; a key missing from
that catalogue falls back to English with a warning, so a page never breaks over a
label (``tests/ui/test_catalogues.py`` fails instead). Values are inserted, never
parsed again: text chosen by people is escaped by the caller *before* it is passed in
(``ui.upload.escape_markdown``, ``dashboard._plain``), exactly as without translation.

The session's language is chosen in the sidebar (:func:`language_selector`), starts
from ``?lang=ro`` or ``?lang=uk`` in the link, and is written back to the URL when it is
not English, so a reload or a shared link keeps it. Messages made by ``data_loaders/``
and ``forecasting/`` (validation problems) stay in English; see ``docs/languages.md``.
The forecasts' verdicts come as notes (``forecasting.wording``), put into words by
:func:`note_text`; counts take the language's plural forms (:func:`plural`). Sentences
the Overview shows (its summary, the alerts) come from the logic as messages (key and
values, ``msg.*``) and are written by ``ui.messages.say``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from forecasting.wording import Amount, Count, Country, Earlier, Model, Per, PValue, Share
from threatmon import i18n as _core
from threatmon.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    LOCAL_NAMES,
    LOCALES,
    NUMBER_SEPARATORS,
    catalogue,
    normalise_language,
)
from threatmon.registry.crime_types import CRIME_TYPE_KEYS, crime_type_label
from threatmon.registry.regions import PROJECT_COUNTRIES

#: Query parameter that names the language (``?lang=ro``); ``ua`` is taken for ``uk``.
QUERY_KEY = "lang"
# The session's choice, and the sidebar widget that edits it. Streamlit forgets a
# widget's value on a run that does not draw it; the plain key is never forgotten.
KEY_LANGUAGE = "ui_language"
KEY_WIDGET = "ui_language_choice"
_KEPT = "ui_language_kept"

#: Keys that are built at run time, by prefix. Each family's full set of keys comes from
#: a registry (the crime types, the project countries, the pages, …) and is checked
#: against the catalogues by ``tests/ui``; ``t()`` and ``translate()`` take no other
#: computed key.
DYNAMIC_PREFIXES: tuple[str, ...] = (
    "classes.",
    "country.",
    "crime.",
    "earlier.",
    "emerging.",
    "flag.",
    "granularity.",
    "hotcold.",
    "layer.",
    "level.",
    "measure.",
    "model.",
    "month.long.",
    "month.short.",
    "msg.",
    "note.",
    "page.",
    "per.",
    "plural.",
    "published_model.",
    "role.",
    "same.",
    "view.",
)


def current_language() -> str:
    """The session's language; English outside a Streamlit run (plain tests, the CLI)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT_LANGUAGE
    return normalise_language(st.session_state.get(KEY_LANGUAGE)) or DEFAULT_LANGUAGE


def translate(key: str, language: str, /, **values: object) -> str:
    """The text of ``key`` in ``language`` with ``values`` filled in.

    A key the language lacks, or a translation whose placeholders do not match, falls
    back to English (with a warning); a key English lacks shows as itself.
    """
    # The module's own ``catalogue`` (looked up at each call, so tests can replace it).
    return _core.fill(catalogue, key, language, values)


def t(key: str, /, **values: object) -> str:
    """The text of ``key`` in the session's language, placeholders filled from ``values``.

    >>> t("filters.header")
    'Filters'
    >>> t("overview.delta_from_zero", change="+3")
    '+3 (from 0)'
    """
    return translate(key, current_language(), **values)


def bound(label: Callable[..., str]) -> Callable[[Any], str]:
    """``label`` (a function of this module with a ``language`` keyword) fixed to the
    session's language: what a widget gets as ``format_func``.

    Streamlit keeps a widget's format function and AppTest calls it outside the run
    that drew the widget, where the session (and so its language) is unknown.
    """
    return functools.partial(label, language=current_language())


# -- choosing the language ---------------------------------------------------------------------


def start_language() -> str:
    """The session's language, read from ``?lang=`` on its first run (English if absent)."""
    state = st.session_state
    if KEY_LANGUAGE not in state:
        state[KEY_LANGUAGE] = normalise_language(st.query_params.get(QUERY_KEY)) or (
            DEFAULT_LANGUAGE
        )
    return state[KEY_LANGUAGE]


def kept(key: str) -> str:
    """``key``, marked as a widget whose options are shown in words: its value survives
    a change of language.

    The browser sends a choice back as the label it shows; after a change of language
    that label is no longer among the options and Streamlit would reset the widget.
    Widgets created with a default value (``index``, ``value``, ``default``) fall back
    to it instead, so only widgets without one need this.
    """
    st.session_state.setdefault(_KEPT, set()).add(key)
    return key


def _chosen() -> None:
    state = st.session_state
    # Still read with the previous run's labels: re-set as values, they win over the
    # browser's old labels on the next run.
    for key in state.get(_KEPT, ()):
        if key in state:
            state[key] = state[key]
    state[KEY_LANGUAGE] = state[KEY_WIDGET]


def language_selector(container) -> str:
    """Draw the language menu in ``container``; keep the choice in the session and the URL."""
    language = start_language()
    st.session_state[KEY_WIDGET] = language
    container.selectbox(
        t("language.label"),
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=KEY_WIDGET,
        on_change=_chosen,
        help=t("language.help"),
    )
    # English is the default and leaves the URL alone; another language is written
    # to it, so a reload (a new session) or a shared link opens in that language.
    wanted = None if language == DEFAULT_LANGUAGE else language
    if st.query_params.get(QUERY_KEY) != wanted:
        if wanted is None:
            del st.query_params[QUERY_KEY]
        else:
            st.query_params[QUERY_KEY] = wanted
    return language


# -- names from the registries -----------------------------------------------------------------
# Each takes ``language`` (default: the session's) so that ``bound`` can fix it. A name
# that is not in the catalogue shows as the registry has it: a crime type added to the
# registry but not yet translated must not break a page.


def _known(key: str) -> bool:
    return key in catalogue(DEFAULT_LANGUAGE)


def _language(language: str | None) -> str:
    return language or current_language()


def crime_label(key: str, language: str | None = None) -> str:
    """A crime type's label (the registry's English label for a key not translated)."""
    if not _known(f"crime.{key}"):
        return crime_type_label(key) if key in CRIME_TYPE_KEYS else key
    return translate(f"crime.{key}", _language(language))


def country_name(code: str, language: str | None = None) -> str:
    """A project country's name (the code itself for any other country)."""
    if not _known(f"country.{code}"):
        return PROJECT_COUNTRIES.get(code, code)
    return translate(f"country.{code}", _language(language))


def country_names(codes=None, language: str | None = None) -> dict[str, str]:
    """Code → name for ``codes`` (default: every project country, in display order)."""
    codes = PROJECT_COUNTRIES if codes is None else codes
    return {code: country_name(code, language) for code in codes}


def region_name(
    code: str, name_en: str, name_local: str, country: str, language: str | None = None
) -> str:
    """A region's name in ``language`` (default: the session's), where the registry knows it.

    Romanian uses the registry's local names for Moldova and Romania ("București"),
    Ukrainian those of Ukraine ("Одеська область"); otherwise the English name.
    """
    return _core.region_name(code, name_en, name_local, country, _language(language))


def region_names(registry: pd.DataFrame, language: str | None = None) -> dict[str, str]:
    """Region code → name in ``language`` for every row of the region registry."""
    return _core.region_names(registry, _language(language))


def role_name(role: str, language: str | None = None) -> str:
    """A role (``viewer``, ``analyst``, ``admin``) in words."""
    if not _known(f"role.{role}"):
        return role
    return translate(f"role.{role}", _language(language))


def measure_label(measure: str, language: str | None = None) -> str:
    """A map measure of :data:`geo.symbology.MEASURES`."""
    if not _known(f"measure.{measure}"):
        return measure
    return translate(f"measure.{measure}", _language(language))


def classes_label(method: str, language: str | None = None) -> str:
    """A classification method of :data:`geo.classes.METHODS`."""
    if not _known(f"classes.{method}"):
        return method
    return translate(f"classes.{method}", _language(language))


def layer_label(layer: str, language: str | None = None) -> str:
    """An optional map layer of :data:`ui.map_settings.LAYERS`."""
    if not _known(f"layer.{layer}"):
        return layer
    return translate(f"layer.{layer}", _language(language))


def _slug(text: str) -> str:
    return text.replace(" ", "_")


def level_label(level: str, language: str | None = None) -> str:
    """A change level of :data:`trends.changes.LEVELS` ("large increase", …)."""
    if not _known(f"level.{_slug(level)}"):
        return level
    return translate(f"level.{_slug(level)}", _language(language))


def flag_label(flag: str, language: str | None = None) -> str:
    """A guard flag of the change table ("low counts", "not significant"; "" stays "")."""
    if not _known(f"flag.{_slug(flag)}"):
        return flag
    return translate(f"flag.{_slug(flag)}", _language(language))


def model_label(model: str, language: str | None = None) -> str:
    """A forecasting model of :mod:`forecasting.models` in words."""
    if not _known(f"model.{model}"):
        return model
    return translate(f"model.{model}", _language(language))


def hot_cold_label(value: str, language: str | None = None) -> str:
    """A Gi* category of :data:`geo.symbology.HOT_COLD_COLOURS` ("hot", "cold", "none")."""
    if not _known(f"hotcold.{value}"):
        return value
    return translate(f"hotcold.{value}", _language(language))


def no_data_words(language: str | None = None):
    """The "no data" legend entry and notes of maps and hot spots in ``language``."""
    from geo.coverage import PERIOD_UNITS, NoDataWords

    language = _language(language)
    # Literal keys, so that the catalogue checks see each one used.
    return NoDataWords(
        legend=translate("map.no_data.legend", language),
        national=translate("map.no_data.national", language, country="{country}"),
        nothing=translate("map.no_data.nothing", language, country="{country}"),
        partly=translate(
            "map.no_data.partly",
            language,
            country="{country}",
            crime="{crime}",
            covered="{covered}",
            units="{units}",
        ),
        # After "of": "24 de luni" in Romanian, the genitive "з 21 місяця" in Ukrainian.
        months=lambda count: plural(PERIOD_UNITS["M"], count, language),
        weeks=lambda count: plural(PERIOD_UNITS["W"], count, language),
        more=lambda count: translate("map.no_data.more", language, count=count),
        no_neighbour=translate("map.no_data.no_neighbour", language),
        no_population=translate("map.no_data.no_population", language),
        country=lambda code: country_name(code, language),
        crime=lambda key: crime_label(key, language),
    )


def emerging_label(value: str, language: str | None = None) -> str:
    """An emerging hot spot category of :data:`geo.symbology.EMERGING_COLOURS`."""
    if not isinstance(value, str) or not _known(f"emerging.{_slug(value)}"):
        return value
    return translate(f"emerging.{_slug(value)}", _language(language))


# -- numbers and months ------------------------------------------------------------------------


def number(value: float, decimals: int = 0, sign: bool = False, language: str | None = None) -> str:
    """``value`` with the language's separators: "12,345.6" (en), "12.345,6" (ro),
    "12 345,6" (uk); ``sign`` writes "+" for positive values.

    >>> number(12345.678, 1, language="ro")
    '12.345,7'
    """
    return _core.number(value, decimals, sign, _language(language))


#: p-values below this are written "< 0.001": three decimals say nothing finer.
P_SMALLEST = 0.001


def p_value_text(p: float, language: str | None = None) -> str:
    """A p-value as the tables write it: "< 0.001", otherwise three decimals ("0.034";
    "0,034" in Romanian and Ukrainian); "" when there is none (NaN).

    >>> p_value_text(3e-7, language="en"), p_value_text(0.0344, language="ro")
    ('< 0.001', '0,034')
    """
    if p is None or p != p:
        return ""
    if p < P_SMALLEST:
        return "< " + number(P_SMALLEST, 3, language=language)
    return number(p, 3, language=language)


def plotly_separators(language: str | None = None) -> str:
    """The language's separators as Plotly's ``layout.separators`` (decimal, thousands)."""
    return "".join(NUMBER_SEPARATORS[_language(language)])


def month_name(
    day: dt.date | pd.Timestamp | str, long: bool = False, language: str | None = None
) -> str:
    """``day``'s month and year: "Nov 2025" (or "November 2025" when ``long``)."""
    return _core.month_name(day, long, _language(language))


def month_span(start, end, long_single: bool = False, language: str | None = None) -> str:
    """ "Nov 2025 – Oct 2026", or one month alone when ``start`` and ``end`` share it."""
    return _core.month_span(start, end, long_single, _language(language))


# -- plurals and the forecasts' notes ----------------------------------------------------------


def plural_form(count: int, language: str | None = None) -> int:
    """Which of the language's plural forms ``count`` takes (CLDR rules for integers).

    English: 1 month / 2 months. Romanian: 1 lună / 2 luni / 20 de luni (0 and 2–19,
    also after the hundreds, take the second form). Ukrainian: 1 місяць / 2 місяці /
    5 місяців (21 takes the first form, 22–24 the second, 11–14 the third).
    """
    return _core.plural_form(count, _language(language))


def plural(unit: str, count: int, language: str | None = None) -> str:
    """``count`` and ``unit`` in the language's plural form: "1 month", "20 de luni",
    "5 місяців".

    The catalogue's ``plural.<unit>`` holds the forms separated by ``|``, in the order
    of :func:`plural_form` (English 2, Romanian and Ukrainian 3).

    >>> plural("months", 2, language="uk")
    '2 місяці'
    """
    return _core.plural(unit, count, _language(language))


def model_name(model: str, lag: int | None = None, language: str | None = None) -> str:
    """A model in words, with the lag of the flows it uses: "Seasonal model with migration
    flows (SARIMAX), arrivals 1 month earlier"."""
    language = _language(language)
    name = model_label(model, language)
    if lag is None or lag != lag:
        return name
    return translate(
        "forecasts.model_lag", language, model=name, lag=plural("months", int(lag), language)
    )


def _value_text(value: object, language: str) -> str:
    if isinstance(value, Country):
        return country_name(value.code, language)
    if isinstance(value, Count):
        return plural(value.unit, value.n, language)
    if isinstance(value, Model):
        return model_name(value.name, value.lag, language)
    if isinstance(value, Share):
        return translate(
            "format.percent", language, value=number(100 * value.value, 0, language=language)
        )
    if isinstance(value, Amount):
        if value.value != value.value:
            return "–"
        # A true minus sign: a hyphen before a number reads as a dash.
        return number(value.value, value.decimals, value.sign, language).replace("-", "\u2212")
    if isinstance(value, PValue):
        if value.value < 0.001:
            return "< " + number(0.001, 3, language=language)
        return "= " + number(value.value, 3, language=language)
    if isinstance(value, Per):
        return translate(f"per.{value.unit}", language)
    if isinstance(value, Earlier):
        if value.n == 0:
            return translate(f"same.{value.unit}", language)
        count = plural(value.unit, value.n, language)
        return translate(f"earlier.{value.unit}", language, lag=count)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return number(value, language=language)
    return str(value)


def note_text(said, language: str | None = None) -> str:
    """A :class:`forecasting.wording.Note` as a sentence in ``language`` (default: the
    session's): its values in words, then the catalogue's ``note.<key>``."""
    language = _language(language)
    values = {name: _value_text(value, language) for name, value in said.values.items()}
    return translate(f"note.{said.key}", language, **values)


def notes_text(notes, language: str | None = None) -> str:
    """Several notes as one paragraph."""
    return " ".join(note_text(said, language) for said in notes)


__all__ = [
    "DEFAULT_LANGUAGE",
    "DYNAMIC_PREFIXES",
    "LANGUAGES",
    "LOCALES",
    "LOCAL_NAMES",
    "NUMBER_SEPARATORS",
    "QUERY_KEY",
    "bound",
    "catalogue",
    "classes_label",
    "country_name",
    "country_names",
    "crime_label",
    "current_language",
    "emerging_label",
    "flag_label",
    "hot_cold_label",
    "kept",
    "language_selector",
    "layer_label",
    "level_label",
    "measure_label",
    "model_label",
    "model_name",
    "note_text",
    "notes_text",
    "month_name",
    "month_span",
    "normalise_language",
    "number",
    "p_value_text",
    "plotly_separators",
    "plural",
    "plural_form",
    "region_name",
    "region_names",
    "role_name",
    "start_language",
    "t",
    "translate",
]
