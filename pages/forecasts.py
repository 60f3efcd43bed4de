"""Forecasts: what comes next for one series, how far to trust it, and what is surging now.

For the steering committee. One series (the sidebar's area: all countries, one
country or one region; a crime type chosen here) with its forecast and 80 % / 95 %
intervals, the backtest scorecard that chose the model (MASE against seasonal naive,
interval coverage), the link to migration flows in plain words, and the early-warning
list. Numbers come from ``forecasting/`` through ``ui.data``; this page renders.
"""

from __future__ import annotations

import math

import streamlit as st

from data_loaders.crime_types import CRIME_TYPE_KEYS, crime_type_label
from data_loaders.regions import PROJECT_COUNTRIES
from forecasting import charts
from ui import auth, data
from ui.filters import current_filters

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
MODEL_NAMES = {
    "seasonal_naive": "Seasonal naive (same month last year)",
    "ets": "Exponential smoothing (ETS)",
    "sarimax": "SARIMAX",
    "croston_sba": "Croston-SBA (intermittent counts)",
    "fallback": "Recent average (fallback)",
}


def _area(filters) -> tuple[str | None, str | None, str]:
    """The series' area from the sidebar: one region, else one country, else everything."""
    if len(filters.regions) == 1:
        code = filters.regions[0]
        names = dict(zip(data.regions()["region_code"], data.regions()["name_en"], strict=True))
        return None, code, f"{names.get(code, code)} ({code})"
    if len(filters.countries) == 1:
        return filters.countries[0], None, PROJECT_COUNTRIES[filters.countries[0]]
    scope = auth.current().scope
    if scope:
        return None, None, "all countries of your scope (" + ", ".join(scope) + ")"
    return None, None, "all project countries"


def _scorecard(scores) -> None:
    if scores.empty:
        return
    table = scores.assign(
        model=scores["model"].map(MODEL_NAMES).fillna(scores["model"]),
        lag=scores["lag"].map(
            lambda lag: "" if lag is None or math.isnan(lag) else f"{int(lag)} months"
        ),
    )[["model", "lag", "mase", "coverage_80", "coverage_95", "n"]]
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "model": st.column_config.TextColumn("Model"),
            "lag": st.column_config.TextColumn(
                "Flows lag", help="Migration flows used as a regressor, this many months earlier."
            ),
            "mase": st.column_config.NumberColumn(
                "MASE",
                format="%.2f",
                help="Mean absolute error in the backtest, scaled by the error of 'same "
                "month last year'. Below 1: better than that naive rule.",
            ),
            "coverage_80": st.column_config.NumberColumn(
                "80 % interval held", format="percent", help="Share of backtest months inside."
            ),
            "coverage_95": st.column_config.NumberColumn("95 % interval held", format="percent"),
            "n": st.column_config.NumberColumn("Backtest months"),
        },
    )


def _linkage(link: dict) -> None:
    st.subheader("Does it follow migration flows?")
    if "correlation" not in link:
        if link["text"].startswith("no migration flows"):
            st.info(f"No regressor: {link['text']}.")
        else:
            st.info(
                "The link with migration flows is tested on monthly series (each month "
                "against the same month a year earlier); switch Periods to Months."
            )
        return
    st.caption(f"Compared with {link['text']}, after removing the yearly pattern.")
    if "explanation" in link:
        st.write(link["explanation"])
    else:
        st.info(link.get("granger_error", ""))
    st.dataframe(
        link["correlation"],
        hide_index=True,
        column_config={
            "lag": st.column_config.NumberColumn("Flows … months earlier"),
            "r": st.column_config.NumberColumn("Correlation", format="%+.2f"),
            "n": st.column_config.NumberColumn("Months"),
            "band": st.column_config.NumberColumn(
                "Chance band (±)", format="%.2f", help="95 % band of unrelated series."
            ),
        },
    )


def _effect(link: dict) -> None:
    if "effect" in link:
        effect = link["effect"]
        st.markdown(
            f"**Effect implied by the SARIMAX regressor** (flows {effect.lag} months earlier):"
        )
        st.write(effect.text)
    elif "effect_error" in link:
        st.caption(f"No regressor effect: {link['effect_error']}")


@st.fragment(run_every=3)
def _refresh_progress(state: str) -> None:
    """While all series are being refreshed, show how far; rerun the page when done."""
    found = data.forecast_refresh()
    if found.state != state:
        st.rerun()
    if found.state == "running" and found.total:
        st.progress(found.done / found.total, text=found.message)
    elif found.state == "running":
        st.caption(found.message)


def _refresh_status(cached: bool, freq: str) -> None:
    found = data.forecast_refresh()
    if found.state == "running":
        _refresh_progress(found.state)
    elif found.state == "failed":
        st.warning(found.message)
    if freq == "W":
        st.caption(
            "Weekly forecasts are fitted for this series when asked; they are not reconciled."
        )
    elif not cached:
        st.caption(
            "This forecast was fitted for this series alone just now; once all series are "
            "refreshed, regions, countries and the total are reconciled so that they add up."
        )
    else:
        st.caption(
            "From the forecasts of all series computed after the last load; regions, countries "
            "and the total are reconciled so that they add up."
        )


def _alerts() -> None:
    st.subheader("Early warning: the latest complete month")
    table = data.alerts()
    if table.empty:
        st.info(
            "No region and crime type stands out in the latest complete month: none is a surge "
            "(at least 5 incidents and beyond its own month-to-month variation, corrected for "
            "the number of series) or outside the interval its model forecast the month "
            "before (at a 5 % false discovery rate)."
        )
        return
    for row in table.head(20).itertuples(index=False):
        st.markdown(f"{row.rank}. {row.sentence} [Map]({row.link})")
    st.caption(f"{len(table)} alerts; the first 20 are listed. `threatmon alerts` lists all.")


def main() -> None:
    """Render the forecast of the sidebar's area for the chosen crime type."""
    filters = current_filters()
    if filters is None:
        st.stop()
    st.title("Forecasts")
    country, region, label = _area(filters)
    default = filters.crime_types[0] if filters.crime_types else "migrant_smuggling"
    columns = st.columns([3, 1, 1])
    crime = columns[0].selectbox(
        "Crime type",
        list(CRIME_TYPE_KEYS),
        index=list(CRIME_TYPE_KEYS).index(default),
        format_func=crime_type_label,
        key="forecast_crime",
    )
    freq = (
        columns[1].segmented_control(
            "Periods",
            ["M", "W"],
            default="M",
            format_func={"M": "Months", "W": "Weeks"}.get,
            key="forecast_freq",
        )
        or "M"
    )
    unit = "Months" if freq == "M" else "Weeks"
    steps = [3, 6, 12] if freq == "M" else [4, 8, 13]
    horizon = columns[2].selectbox(f"{unit} ahead", steps, index=1, key=f"forecast_h_{freq}")
    st.caption(
        f"Area: {label} (choose one country or one region in the sidebar to narrow it). "
        f"The period filter does not apply: a forecast uses every complete {unit.lower()[:-1]}."
    )
    found = data.forecast(country, region, crime, horizon, freq)
    result = found["result"]
    fig = charts.forecast_chart(
        found["history"],
        result.forecast,
        title=f"{label}: {crime_type_label(crime).lower()}",
        y_title=f"Incidents per {unit.lower()[:-1]}",
        months_shown=36 if freq == "M" else 104,
    )
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG)
    st.info(result.message, icon=":material/model_training:")
    _refresh_status(found["cached"], freq)
    _scorecard(result.scores)
    _linkage(found["linkage"])
    _effect(found["linkage"])
    _alerts()


main()
