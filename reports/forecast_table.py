"""The briefing's forecast table: per crime type, the incidents expected over the next
months for one area, from the forecast cache when it is current (no fit, no query of the
series), else fitted on the spot as the Forecasts page does
(:func:`forecasting.cache.forecast_for`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from forecasting import cache
from forecasting.forecast import SeriesForecast
from forecasting.refresh import ForecastSet
from forecasting.selection import Selection
from reports.words import ENGLISH, Words
from threatmon.errors import TooFewPeriodsError
from threatmon.filters import Filters
from threatmon.store.reader import Store

__all__ = ["forecast_area", "forecast_rows"]


def forecast_area(
    filters: Filters,
    registry: pd.DataFrame,
    codes: list[str],
    store: Store,
    words: Words = ENGLISH,
) -> tuple[str | None, str | None, str]:
    """(country, region, label): one region, else one country, else all countries
    (``registry``'s ``name_en`` names the region, :meth:`reports.words.Words.named`)."""
    names = dict(zip(registry["region_code"], registry["name_en"], strict=True))
    if len(filters.regions) == 1:
        code = filters.regions[0]
        return None, code, f"{names.get(code, code)} ({code})"
    countries = sorted(set(registry.loc[registry["region_code"].isin(codes), "country"]))
    if len(countries) == 1:
        return countries[0], None, words.country(countries[0])
    if store.scope:
        return None, None, ", ".join(words.country(c) for c in store.scope)
    return None, None, words.t("briefing.all_countries")


def _number(value: float, words: Words) -> str:
    return words.number(value, 0 if abs(value) >= 100 else 1)


def _national(store: Store, country: str | None, crime_types: Sequence[str]) -> set[str]:
    """The crime types for which the area's countries hold national figures: the cache's
    countries add up their regions, so those are fitted as the Forecasts page fits them."""
    if not store.held().national:
        return set()
    countries = (country,) if country else ()
    cells = store.coverage_cells(Filters(countries=countries, crime_types=tuple(crime_types)))
    return set(cells.loc[cells["level"] == "national", "crime_type"])


def _result(
    store: Store, selection: Selection, horizon: int, cached: ForecastSet | None
) -> SeriesForecast:
    if cached is not None:
        found = cache.lookup(cached, selection, horizon)
        if found is not None:
            return found
    return cache.forecast_for(store, selection, horizon, "M").result


def forecast_rows(
    store: Store,
    crime_types: Sequence[str],
    area: tuple[str | None, str | None, str],
    labels: Mapping[str, str],
    horizon: int,
    cached: ForecastSet | None = None,
    words: Words = ENGLISH,
) -> tuple[pd.DataFrame, str]:
    """The forecast table and its note.

    ``cached`` is :func:`forecasting.cache.load` of ``store`` (None for a restricted
    reader, or when the cache is not current): series found there are not fitted again.
    """
    country, region, area_label = area
    national = set() if region else _national(store, country, crime_types)
    rows, months, silent = [], "", []
    for key in crime_types:
        selection = Selection(country, region, (key,))
        try:
            result = _result(store, selection, horizon, None if key in national else cached)
        except TooFewPeriodsError as error:
            if error.found:
                raise
            silent.append(labels[key])  # never reported: not forecast, never a zero
            continue
        frame = result.forecast.head(horizon)
        months = words.span(frame["period"].iloc[0], frame["period"].iloc[-1])
        rows.append(
            (
                labels[key],
                area_label,
                _number(float(frame["mean"].sum()), words),
                f"{_number(float(frame['lower_80'].sum()), words)} – "
                f"{_number(float(frame['upper_80'].sum()), words)}",
                words.model(result.chosen),
            )
        )
    expected = (
        words.t("briefing.forecasts.expected_in", months=months)
        if months
        else words.t("briefing.forecasts.expected")
    )
    columns = [
        words.t("briefing.col.crime_type"),
        words.t("briefing.col.area"),
        expected,
        words.t("briefing.forecasts.range"),
        words.t("briefing.forecasts.model"),
    ]
    note = words.t(
        "briefing.forecasts.note",
        horizon=words.plural("months", horizon),
        months=months or words.t("briefing.forecasts.no_months"),
    )
    if silent:
        note += " " + words.t("briefing.forecasts.silent", crimes=", ".join(silent))
    return pd.DataFrame(rows, columns=columns), note
