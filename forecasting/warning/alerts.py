"""The early-warning list: region × crime-type series whose latest month stands out.

Each alert says in one sentence why it fired and links to the map of that region,
crime type and month, so that a committee member can look before asking. The sentence
names the region with its country ("Călărași (Moldova)": both countries have one), says
the chance in words and never names a model; it is kept as a message for the dashboard
(``message``, written in the reader's language) and in English (``sentence``).

No data is not zero: a region's month counts only where its country's regional figures
cover it (:mod:`threatmon.coverage`). A series is tested, for a surge or a miss of its
interval forecast, only when its latest month is reported and at least
:data:`~forecasting.warning.surges.MIN_BASELINE_MONTHS` of the 12 months before are:
never from a month nobody reported, nor from a source's first months.
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import pandas as pd

from forecasting.warning.exceedance import message as miss_message
from forecasting.warning.exceedance import outside_interval
from forecasting.warning.sentences import english
from forecasting.warning.surges import MIN_BASELINE_MONTHS, surges
from forecasting.warning.surges import message as surge_message
from threatmon.coverage import coverage_grid, with_coverage
from threatmon.filters import Filters
from threatmon.periods import last_complete_months
from threatmon.registry.crime_types import CRIME_TYPE_KEYS, CRIME_TYPES
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions
from threatmon.rules import SURGE_ALPHA, WARNING_BASELINE_MONTHS, WARNING_FDR, WARNING_MIN_COUNT
from threatmon.store.reader import Store

#: Columns of :func:`early_warning`, in order (the CLI's JSON keys); ``message`` follows.
COLUMNS: tuple[str, ...] = (
    "rank",
    "kind",
    "region_code",
    "country",
    "crime_type",
    "period",
    "count",
    "expected",
    "ratio",
    "p_value",
    "sentence",
    "link",
)


def map_link(region_code: str, country: str, crime_type: str, month: pd.Timestamp) -> str:
    """The map page showing this region's crime type in ``month`` (a relative URL)."""
    stamp = f"{pd.Timestamp(month):%Y-%m}"
    query = urlencode(
        {
            "country": country,
            "region": region_code,
            "crime": crime_type,
            "from": stamp,
            "to": stamp,
            "measure": "count",
        }
    )
    return f"maps?{query}"


#: How the briefing names the models (the alerts never do).
MODEL_NAMES = {
    "naive": "no change",
    "seasonal_naive": "seasonal naive",
    "level": "the recent level",
    "combination": "the combination",
    "ets": "ETS",
    "sarimax": "SARIMAX",
    "croston_sba": "Croston-SBA",
    "fallback": "the recent average",
}


def early_warning(
    store: Store,
    *,
    checks: pd.DataFrame | None = None,
    baseline: int = WARNING_BASELINE_MONTHS,
    min_count: int = WARNING_MIN_COUNT,
    alpha: float = SURGE_ALPHA,
    fdr: float = WARNING_FDR,
) -> pd.DataFrame:
    """Surges and interval misses of the latest complete month, ranked, explained, linked.

    Parameters
    ----------
    checks : DataFrame, optional
        The region rows of the forecast cache's checks (``area`` as region code); with
        them, series outside the interval forecast the month before are listed too
        (:func:`forecasting.warning.exceedance.outside_interval`).

    Returns
    -------
    DataFrame
        :data:`COLUMNS` and ``message`` (the sentence as a
        :class:`threatmon.messages.Message`); ``kind`` is ``"surge"`` (latest month far
        above its trailing ``baseline`` months; :func:`forecasting.warning.surges.surges`)
        or ``"above_interval"`` / ``"below_interval"``. A series that is both a surge and
        above its interval is listed once, as a surge. Ranked by ``p_value``.
    """
    coverage = store.coverage()
    if coverage["last"] is None:
        return pd.DataFrame(columns=[*COLUMNS, "message"])
    start, end = last_complete_months(coverage["last"], baseline + 1)
    window = Filters(start=start, end=end)
    registry = load_regions()
    monthly = reported_months(store, window, registry)
    found = surges(monthly, baseline=baseline, min_count=min_count, alpha=alpha)
    eligible = _eligible(monthly, baseline)
    countries = dict(zip(registry["region_code"], registry["country"], strict=True))
    places = place_names(registry)
    crimes = {crime.key: crime.label for crime in CRIME_TYPES}
    parts = [
        found.assign(
            kind="surge",
            message=[surge_message(row, baseline) for _, row in found.iterrows()],
        )
    ]
    if checks is not None and len(checks):
        latest = pd.Timestamp(start).to_period("M").start_time + pd.DateOffset(months=baseline)
        tested = checks[pd.to_datetime(checks["period"]) == latest]
        pairs = zip(tested["region_code"], tested["crime_type"], strict=True)
        tested = tested[np.array([key in eligible for key in pairs], dtype=bool)]
        missed = outside_interval(tested, min_count=min_count, fdr=fdr)
        surged = set(zip(found["region_code"], found["crime_type"], strict=True))
        missed = missed[
            [
                key not in surged
                for key in zip(missed["region_code"], missed["crime_type"], strict=True)
            ]
        ]
        if len(missed):
            parts.append(
                missed.assign(
                    kind=missed["direction"] + "_interval",
                    ratio=missed["count"] / missed["expected"].where(missed["expected"] > 0),
                    message=[miss_message(row) for row in missed.itertuples(index=False)],
                )
            )
    frames = [part for part in parts if len(part)]
    out = pd.concat(frames, ignore_index=True) if frames else parts[0]
    out = out.sort_values("p_value", kind="stable").reset_index(drop=True)
    out["country"] = out["region_code"].map(countries)
    out["sentence"] = [english(m, places, crimes) for m in out["message"]]
    out["link"] = [
        map_link(row.region_code, row.country, row.crime_type, row.period)
        for row in out.itertuples(index=False)
    ]
    out.insert(0, "rank", range(1, len(out) + 1))
    return out[[*COLUMNS, "message"]].reset_index(drop=True)


def place_names(registry: pd.DataFrame) -> dict[str, str]:
    """Region code → "Name (Country)" in English: region names repeat across countries."""
    return {
        code: f"{name} ({PROJECT_COUNTRIES.get(country, country)})"
        for code, name, country in registry[["region_code", "name_en", "country"]].itertuples(
            index=False
        )
    }


def reported_months(store: Store, window: Filters, registry: pd.DataFrame) -> pd.DataFrame:
    """Incidents per region, crime type and month of ``window``: 0 where the region's
    country reported its regions that month without a row, NaN where it did not."""
    monthly = store.aggregate(window, by=("region_code", "crime_type"), freq="M")
    grid = coverage_grid(
        store.coverage_cells(window),
        "M",
        window.start,
        window.end,
        level="admin1",
        countries=sorted(registry["country"].unique()),
        crime_types=CRIME_TYPE_KEYS,
    )
    full = with_coverage(
        monthly.dropna(subset=["region_code"]),
        grid,
        ["region_code", "crime_type"],
        regions=registry[["region_code", "country"]],
    )
    # Series never reported in the window are not tested at all; dropping them keeps
    # the frame to what the store holds.
    seen = full.groupby(["region_code", "crime_type"])["count"].transform("count") > 0
    return full[seen].drop(columns="coverage").reset_index(drop=True)


def _eligible(monthly: pd.DataFrame, baseline: int) -> set[tuple[str, str]]:
    """(region_code, crime_type) reported in the latest month and in at least
    :data:`MIN_BASELINE_MONTHS` of the ``baseline`` months before it."""
    if monthly.empty:
        return set()
    last = monthly["period"].max()
    first = (pd.Timestamp(last).to_period("M") - baseline).start_time
    window = monthly[monthly["period"].between(first, last)]
    known = window.assign(now=(window["period"] == last) & window["count"].notna())
    known["before"] = (known["period"] < last) & known["count"].notna()
    table = known.groupby(["region_code", "crime_type"])[["now", "before"]].sum()
    ok = table[(table["now"] > 0) & (table["before"] >= MIN_BASELINE_MONTHS)]
    return set(ok.index)
