"""The global filters in the sidebar, kept in sync with the URL in both directions.

URL format (documented in ``docs/dashboard.md``)::

    ?country=MD&country=UA&region=MD-CU&crime=migrant_smuggling&from=2025-11&to=2026-10

``country`` (ISO 3166-1 alpha-2), ``region`` (ISO 3166-2) and ``crime`` (crime-type
key) may repeat; absent means "all". ``from`` and ``to`` are inclusive months
(``YYYY-MM``) and are always written, so a copied link shows the same months even
after newer data arrives. The URL is read once, when a session starts (a link is
opened or the page reloaded); after that the widgets are the truth and every rerun
writes them back to the URL. Invalid values are dropped with a visible warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from threatmon import periods
from threatmon.errors import FilterError
from threatmon.filters import Filters
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import PROJECT_COUNTRIES
from ui import messages
from ui.i18n import bound, country_name, crime_label, kept, month_name, region_names, t

# Query-parameter names.
COUNTRY, REGION, CRIME, FROM, TO = "country", "region", "crime", "from", "to"
URL_KEYS: tuple[str, ...] = (COUNTRY, REGION, CRIME, FROM, TO)
# Widget keys in st.session_state.
KEY_COUNTRIES = "filter_countries"
KEY_REGIONS = "filter_regions"
KEY_CRIMES = "filter_crimes"
KEY_PERIOD = "filter_period"
_PERIOD_FALLBACK = "filter_period_fallback"
_URL_READ = "filter_url_read"
_FILTERS = "filter_current"


@dataclass(frozen=True)
class Selection:
    """The filter values as the widgets hold them (months as ``YYYY-MM``)."""

    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    crime_types: tuple[str, ...] = ()
    start: str = ""
    end: str = ""
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_filters(self) -> Filters:
        """The validated :class:`Filters` for whole months ``start``..``end``."""
        return Filters(
            countries=self.countries,
            regions=self.regions,
            crime_types=self.crime_types,
            start=month_first_day(self.start),
            end=month_last_day(self.end),
        )


# -- months ------------------------------------------------------------------------------------


def month_first_day(month: str) -> dt.date:
    """``"2025-11"`` -> 1 November 2025."""
    return dt.date.fromisoformat(f"{month}-01")


def month_last_day(month: str) -> dt.date:
    """``"2025-11"`` -> 30 November 2025."""
    return (pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0)).date()


def month_label(month: str, language: str | None = None) -> str:
    """``"2025-11"`` -> ``"Nov 2025"`` (in ``language``, default: the session's)."""
    return month_name(f"{month}-01", language=language)


def month_options(first: dt.date, last: dt.date) -> list[str]:
    """Every month from ``first``'s to ``last``'s as ``YYYY-MM``."""
    return list(periods.month_starts(first, last).strftime("%Y-%m"))


def default_period(
    first: dt.date, last: dt.date, months: int = periods.DEFAULT_MONTHS
) -> tuple[str, str]:
    """:func:`threatmon.periods.default_period` as the widgets' months (``YYYY-MM``)."""
    start, end = periods.default_period(first, last, months)
    return f"{start:%Y-%m}", f"{end:%Y-%m}"


# -- the URL -----------------------------------------------------------------------------------


def parse_query(
    params: Mapping[str, Sequence[str]],
    months: Sequence[str],
    regions: pd.DataFrame,
    default: tuple[str, str],
) -> Selection:
    """Read a selection from query parameters, dropping what is invalid.

    Parameters
    ----------
    params : mapping of str to list of str
        Every value of every query parameter (``st.query_params.get_all``).
    months : sequence of str
        The months the store covers (``YYYY-MM``), in order.
    regions : DataFrame
        The region registry (``region_code``, ``country``).
    default : tuple of str
        The period used when ``from``/``to`` are absent or invalid.

    Returns
    -------
    Selection
        With ``problems``: one sentence per dropped value, naming it.
    """
    problems: list[str] = []

    def values(name: str) -> list[str]:
        return [v.strip() for v in params.get(name, ()) if v.strip()]

    countries = []
    for raw in values(COUNTRY):
        code = raw.upper()
        if code in PROJECT_COUNTRIES:
            countries.append(code)
        else:
            problems.append(
                t(
                    "filters.problem.country",
                    param=f"{COUNTRY}={raw}",
                    codes=", ".join(PROJECT_COUNTRIES),
                )
            )
    country_of = dict(zip(regions["region_code"], regions["country"], strict=True))
    region_codes = []
    for raw in values(REGION):
        code = raw.upper()
        if code not in country_of:
            problems.append(t("filters.problem.region", param=f"{REGION}={raw}"))
        elif countries and country_of[code] not in countries:
            problems.append(
                t(
                    "filters.problem.region_country",
                    param=f"{REGION}={raw}",
                    country=country_of[code],
                )
            )
        else:
            region_codes.append(code)
    crimes = []
    for raw in values(CRIME):
        key = raw.lower()
        if key in CRIME_TYPE_KEYS:
            crimes.append(key)
        else:
            problems.append(t("filters.problem.crime", param=f"{CRIME}={raw}"))

    start, end = default
    chosen = {}
    for name in (FROM, TO):
        given = values(name)
        if not given:
            continue
        raw = given[-1]
        if raw in months:
            chosen[name] = raw
        elif _is_month(raw):
            problems.append(
                t(
                    "filters.problem.outside",
                    param=f"{name}={raw}",
                    first=months[0],
                    last=months[-1],
                )
            )
        else:
            problems.append(t("filters.problem.not_month", param=f"{name}={raw}"))
    start, end = chosen.get(FROM, start), chosen.get(TO, end)
    if start > end:
        problems.append(
            t(
                "filters.problem.reversed",
                start=f"{FROM}={start}",
                end=f"{TO}={end}",
                first=default[0],
                last=default[1],
            )
        )
        start, end = default
    return Selection(
        tuple(dict.fromkeys(countries)),
        tuple(dict.fromkeys(region_codes)),
        tuple(dict.fromkeys(crimes)),
        start,
        end,
        tuple(problems),
    )


def _is_month(text: str) -> bool:
    try:
        month_first_day(text)
    except ValueError:
        return False
    return len(text) == 7


def to_query(selection: Selection) -> dict[str, list[str]]:
    """The query parameters that reproduce ``selection`` (lists; empty lists are omitted)."""
    query = {
        COUNTRY: list(selection.countries),
        REGION: list(selection.regions),
        CRIME: list(selection.crime_types),
        FROM: [selection.start],
        TO: [selection.end],
    }
    return {key: value for key, value in query.items() if value and value != [""]}


def _sync_url(wanted: dict[str, list[str]]) -> None:
    """Write our keys to ``st.query_params`` when they differ; other keys are left alone."""
    for key in URL_KEYS:
        have = st.query_params.get_all(key)
        want = wanted.get(key, [])
        if have == want:
            continue
        if not want:
            del st.query_params[key]
        else:
            st.query_params[key] = want if len(want) > 1 else want[0]


# -- the widgets -------------------------------------------------------------------------------


def render_filters(
    first: dt.date,
    last: dt.date,
    regions: pd.DataFrame,
    crime_types: tuple[str, ...] = CRIME_TYPE_KEYS,
    latest: dt.date | None = None,
) -> Filters:
    """Draw the sidebar filters for a store covering ``first``..``last``; return the filters.

    The default period ends with the latest complete month of ``latest`` (the last day of
    daily or monthly coverage, :func:`threatmon.periods.latest_reported_day`), else of
    ``last``.

    ``regions`` and ``crime_types`` are what the user may see; a link naming others
    simply does not select them.

    On the first run of a session the widgets start from the URL (invalid values are
    warned about and dropped); on every run the URL is rewritten from the widgets.
    """
    months = month_options(first, last)
    default = default_period(first, min(latest or last, last))
    state = st.session_state
    if not state.get(_URL_READ):
        params = {key: st.query_params.get_all(key) for key in URL_KEYS}
        parsed = parse_query(params, months, regions, default)
        state[KEY_COUNTRIES] = list(parsed.countries)
        state[KEY_REGIONS] = list(parsed.regions)
        state[KEY_CRIMES] = list(parsed.crime_types)
        # The slider gets its start value through `value=` (that is what makes it a
        # range slider), not through session state.
        state[_PERIOD_FALLBACK] = (parsed.start, parsed.end)
        state[_URL_READ] = True
        messages.show_warning(t("filters.link_not_understood"), parsed.problems)

    sidebar = st.sidebar
    sidebar.header(t("filters.header"))
    visible = set(regions["country"])
    countries = sidebar.multiselect(
        t("filters.countries"),
        [code for code in PROJECT_COUNTRIES if code in visible],
        key=kept(KEY_COUNTRIES),
        format_func=bound(country_name),
        placeholder=t("filters.all_countries"),
    )
    region_frame = regions if not countries else regions[regions["country"].isin(countries)]
    names = region_names(region_frame)
    # Regions of countries no longer selected are dropped before the widget is drawn.
    state[KEY_REGIONS] = [r for r in state.get(KEY_REGIONS, []) if r in names]
    chosen_regions = sidebar.multiselect(
        t("filters.regions"),
        list(names),
        key=kept(KEY_REGIONS),
        format_func=lambda code: f"{names.get(code, code)} ({code})",
        placeholder=t("filters.all_regions_of_countries")
        if countries
        else t("filters.all_regions"),
    )
    state[KEY_CRIMES] = [c for c in state.get(KEY_CRIMES, []) if c in crime_types]
    crimes = sidebar.multiselect(
        t("filters.crime_types"),
        list(crime_types),
        key=kept(KEY_CRIMES),
        format_func=bound(crime_label),
        placeholder=t("filters.all_crime_types"),
    )
    initial = tuple(state.get(_PERIOD_FALLBACK, default))
    if not set(initial) <= set(months):  # the store changed under an open session
        initial = default
    start, end = sidebar.select_slider(
        t("filters.period"),
        months,
        value=initial,
        key=KEY_PERIOD,
        format_func=bound(month_label),
        help=t("filters.period_help"),
    )
    # What the slider falls back to when the browser's labels no longer match its
    # options (after a change of language): the period it shows now.
    state[_PERIOD_FALLBACK] = (start, end)
    sidebar.caption(t("filters.link_note"))

    selection = Selection(tuple(countries), tuple(chosen_regions), tuple(crimes), start, end)
    _sync_url(to_query(selection))
    try:
        filters = selection.to_filters()
    except FilterError as exc:  # a registry changed under an open session
        messages.show_error(exc)
        filters = Selection(start=start, end=end).to_filters()
    state[_FILTERS] = filters
    return filters


def focus_region(region_code: str, country: str) -> None:
    """Narrow the filters to one region (a widget callback: it runs before the next run)."""
    st.session_state[KEY_COUNTRIES] = [country]
    st.session_state[KEY_REGIONS] = [region_code]


def current_filters() -> Filters | None:
    """The filters the sidebar produced in this run, or None when no store could be read."""
    return st.session_state.get(_FILTERS)


def clear_current_filters() -> None:
    """Forget the last filters (the store disappeared or is empty)."""
    st.session_state.pop(_FILTERS, None)
