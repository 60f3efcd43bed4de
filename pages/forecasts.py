"""Forecasts: what comes next for one series, how far to trust it, and what is surging now.

For the steering committee. One series (the sidebar's area: all countries, one
country or one region; a crime type chosen here) with its forecast and 80 % / 95 %
ranges, one sentence of how often those ranges held on past months (and a warning when
too rarely, or when last year's month did better), the next periods as a table, the
choice in plain words, the method and its scorecard in an expander, the link to
migration flows, and the early-warning list. Every sentence comes from the catalogues:
``forecasting/`` gives notes (``forecasting.wording``), ``ui.i18n`` words them. Numbers
come from ``forecasting/`` through ``ui.data``; this page renders.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from forecasting.published import MIN_QUARTERS, MODELS, NAIVE, ORIGINS, SEASONAL_NAIVE
from forecasting.series import period_labels
from forecasting.trust import trust
from reports import figures as charts
from threatmon.disclosure.sensitive import SENSITIVE_TYPES
from threatmon.errors import TooFewPeriodsError
from threatmon.registry.crime_types import crime_type_label
from ui import auth, data, exports, levels, tables
from ui.figures import localise_figure
from ui.filters import current_filters
from ui.i18n import (
    bound,
    country_name,
    crime_label,
    kept,
    model_label,
    month_name,
    note_text,
    notes_text,
    number,
    plural,
    region_names,
    t,
)
from ui.messages import place_names, say

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def _area(filters) -> tuple[str | None, str | None, str]:
    """The series' area from the sidebar: one region, else one country, else everything."""
    if len(filters.regions) == 1:
        code = filters.regions[0]
        names = region_names(data.regions())
        return None, code, f"{names.get(code, code)} ({code})"
    if len(filters.countries) == 1:
        return filters.countries[0], None, country_name(filters.countries[0])
    scope = auth.current().scope
    if scope:
        return None, None, t("forecasts.area.scope", codes=", ".join(scope))
    return None, None, t("forecasts.area.all")


#: Notes of the choice kept for the expander on method: they compare methods by name.
_METHOD_NOTES = frozenset(
    {
        "default_kept",
        "held_out",
        "held_out_total",
        "fit_warnings",
        "no_skill_best",
        "no_skill_best_total",
    }
)


def _range(low: float, high: float, decimals: int) -> str:
    return t("forecasts.table.range", low=number(low, decimals), high=number(high, decimals))


def _forecast_table(forecast, monthly: bool) -> None:
    """The next periods as a visible table: forecast and its 80 % and 95 % ranges."""
    st.subheader(t("forecasts.table.header_month") if monthly else t("forecasts.table.header_week"))
    # Counts are whole numbers; a small series keeps one decimal so that 0.4 is not "0".
    decimals = 1 if float(forecast["upper_95"].max()) < 10 else 0
    if monthly:
        periods = [month_name(day, long=True) for day in forecast["period"]]
    else:
        periods = period_labels(pd.DatetimeIndex(forecast["period"]), "weeks")
    rows = {
        t("forecasts.table.period"): periods,
        t("forecasts.table.forecast"): [number(v, decimals) for v in forecast["mean"]],
        t("forecasts.table.range_80"): [
            _range(lo, hi, decimals)
            for lo, hi in zip(forecast["lower_80"], forecast["upper_80"], strict=True)
        ],
        t("forecasts.table.range_95"): [
            _range(lo, hi, decimals)
            for lo, hi in zip(forecast["lower_95"], forecast["upper_95"], strict=True)
        ],
    }
    st.table(pd.DataFrame(rows).set_index(t("forecasts.table.period")))


def _share(value: float) -> str:
    return t("format.percent", value=number(100 * value))


def _trust(result) -> None:
    """One sentence of trust, and a warning a committee cannot miss when it is weak."""
    found = trust(result)
    if found.checked:
        st.markdown(
            t(
                "forecasts.trust",
                share=_share(found.share_80),
                held=number(found.held_80),
                checked=number(found.checked),
            )
        )
    else:
        st.markdown(t("forecasts.trust_none"))
    if found.weak_range:
        st.warning(
            t(
                "forecasts.warning.range",
                share=_share(found.share_80),
                threshold=_share(found.min_coverage),
            ),
            icon=":material/warning:",
        )
    if found.baseline:
        st.warning(
            t(
                "forecasts.warning.baseline",
                chosen=number(found.baseline["chosen"], 2),
                seasonal=number(found.baseline["seasonal"], 2),
            ),
            icon=":material/warning:",
        )


def _scorecard(scores) -> None:
    if scores.empty:
        return
    table = scores.assign(
        model=scores["model"].map(model_label),
        lag=scores["lag"].map(
            lambda lag: "" if lag is None or math.isnan(lag) else plural("months", int(lag))
        ),
    )[["model", "lag", "rel_mae", "mase", "coverage_80", "coverage_95", "n"]]
    st.dataframe(
        tables.in_language(
            table,
            {
                "rel_mae": tables.Digits(2),
                "mase": tables.Digits(2),
                "coverage_80": tables.SHARE,
                "coverage_95": tables.SHARE,
                "n": tables.COUNT,
            },
        ),
        hide_index=True,
        column_config={
            "model": st.column_config.TextColumn(t("forecasts.score.model")),
            "lag": st.column_config.TextColumn(
                t("forecasts.score.lag"), help=t("forecasts.score.lag_help")
            ),
            "rel_mae": st.column_config.NumberColumn(
                t("forecasts.score.rel_mae"), help=t("forecasts.score.rel_mae_help")
            ),
            "mase": st.column_config.NumberColumn(
                t("forecasts.score.mase"), help=t("forecasts.score.mase_help")
            ),
            "coverage_80": st.column_config.NumberColumn(
                t("forecasts.score.coverage_80"), help=t("forecasts.score.coverage_help")
            ),
            "coverage_95": st.column_config.NumberColumn(t("forecasts.score.coverage_95")),
            "n": st.column_config.NumberColumn(t("forecasts.score.n")),
        },
    )


def _method(result) -> None:
    """How the forecast was chosen and tested: plain words first, the scorecard after."""
    with st.expander(t("forecasts.method.expander"), icon=":material/model_training:"):
        st.markdown(t("forecasts.method.help"))
        technical = [n for n in result.notes if n.key in _METHOD_NOTES]
        if technical:
            st.markdown(notes_text(technical))
        _scorecard(result.scores)


def _flows_text(text) -> str:
    said = getattr(text, "note", None)
    return note_text(said) if said is not None else str(text)


def _linkage(link: dict) -> None:
    st.subheader(t("forecasts.linkage.header"))
    if "correlation" not in link:
        said = getattr(link["text"], "note", None)
        if (
            said is not None
            and said.key == "flows_none"
            or str(link["text"]).startswith("no migration flows")
        ):
            st.info(t("forecasts.linkage.no_regressor", text=_flows_text(link["text"])))
        else:
            st.info(
                t(
                    "forecasts.linkage.monthly_only",
                    periods=t("forecasts.periods"),
                    months=t("forecasts.months"),
                )
            )
        return
    st.caption(t("forecasts.linkage.compared", text=_flows_text(link["text"])))
    if link.get("notes"):
        st.write(notes_text(link["notes"]))
    with st.expander(t("forecasts.linkage.expander"), icon=":material/query_stats:"):
        st.markdown(t("forecasts.linkage.help"))
        # A lag with fewer than 3 months in common has no correlation: rows of empty cells
        # say nothing, a sentence does.
        correlation = link["correlation"][link["correlation"]["r"].notna()]
        if correlation.empty:
            most = int(link["correlation"]["n"].max()) if len(link["correlation"]) else 0
            st.caption(t("forecasts.linkage.too_few", n=plural("months", most)))
            return
        st.dataframe(
            tables.in_language(
                correlation,
                {
                    "lag": tables.COUNT,
                    "r": tables.Digits(2, sign=True),
                    "n": tables.COUNT,
                    "band": tables.Digits(2),
                },
            ),
            hide_index=True,
            column_config={
                "lag": st.column_config.NumberColumn(
                    t("forecasts.linkage.lag"), help=t("forecasts.score.lag_help")
                ),
                "r": st.column_config.NumberColumn(t("forecasts.linkage.r")),
                "n": st.column_config.NumberColumn(t("forecasts.linkage.n")),
                "band": st.column_config.NumberColumn(
                    t("forecasts.linkage.band"), help=t("forecasts.linkage.band_help")
                ),
            },
        )


def _effect(link: dict) -> None:
    effect_notes = link.get("effect_notes", ())
    if not effect_notes:
        return
    if "effect" in link:
        st.markdown(t("forecasts.effect.header", lag=plural("months", link["effect"].lag)))
    st.write(notes_text(effect_notes))


def _refresh_text(found) -> str:
    if found.state == "failed":
        return t("forecasts.refresh.failed", error=found.error)
    if found.total:
        return t("forecasts.refresh.running", done=number(found.done), total=number(found.total))
    return t("forecasts.refresh.starting")


@st.fragment(run_every=3)
def _refresh_progress(state: str) -> None:
    """While all series are being refreshed, show how far; rerun the page when done."""
    found = data.forecast_refresh()
    if found.state != state:
        st.rerun()
    if found.state == "running" and found.total:
        st.progress(found.done / found.total, text=_refresh_text(found))
    elif found.state == "running":
        st.caption(_refresh_text(found))


def _refresh_status(cached: bool, freq: str) -> None:
    found = data.forecast_refresh()
    if found.state == "running":
        _refresh_progress(found.state)
    elif found.state == "failed":
        st.warning(_refresh_text(found))
    if freq == "W":
        st.caption(t("forecasts.status.weekly"))
    elif not cached:
        st.caption(t("forecasts.status.live"))
    else:
        st.caption(t("forecasts.status.cached"))


def _alerts() -> None:
    st.subheader(t("forecasts.alerts.header"))
    table = data.alerts()
    if table.empty:
        st.info(t("forecasts.alerts.none"))
        st.caption(t("forecasts.alerts.coverage"))
        return
    places = place_names()
    for row in table.head(20).itertuples(index=False):
        st.markdown(f"{row.rank}. {say(row.message, places)} [{t('alerts.map_link')}]({row.link})")
    st.caption(t("forecasts.alerts.caption", count=len(table)))
    st.caption(t("forecasts.alerts.coverage"))


def _sensitive_forecast() -> None:
    """Viewers' forecast of the sensitive types, from the totals their tables publish."""
    st.subheader(t("forecasts.sensitive.header"))
    st.caption(t("forecasts.sensitive.caption", quarters=data.FORECAST_QUARTERS))
    columns = st.columns([3, 1])
    crime = columns[0].selectbox(
        t("forecasts.crime_type"),
        list(SENSITIVE_TYPES),
        format_func=bound(crime_label),
        key="forecast_sensitive_crime",
    )
    horizon = columns[1].selectbox(
        t("forecasts.sensitive.ahead"), [2, 4], key="forecast_sensitive_h"
    )
    found = data.sensitive_forecast(data.store_status().last, crime_type_label(crime), horizon)
    if found.model is None:
        published = int(found.history.notna().sum())
        st.info(t("forecasts.sensitive.too_few", count=published, needed=MIN_QUARTERS))
        return
    fig = charts.forecast_chart(
        found.history,
        found.forecast,
        title=t("forecasts.sensitive.chart_title", crime=crime_label(crime)),
        y_title=t("forecasts.sensitive.axis"),
        months_shown=len(found.history),
    )
    st.plotly_chart(localise_figure(fig), width="stretch", config=PLOTLY_CONFIG)
    columns = st.columns(3)
    exports.chart_png_download(localise_figure(fig), "sensitive_forecast", columns[0])
    exports.table_downloads(found.forecast, "sensitive_forecast", columns[1])
    tried = [name for name in MODELS if name in found.mae]
    seasonal = found.mae[SEASONAL_NAIVE]
    st.info(
        t(
            "forecasts.sensitive.method",
            model=t(f"published_model.{found.model}"),
            models=", ".join(t(f"published_model.{name}") for name in tried),
            origins=ORIGINS,
            mae=number(found.mae[found.model]),
            naive=number(found.mae[NAIVE]),
            seasonal="–" if math.isnan(seasonal) else number(seasonal),
        ),
        icon=":material/model_training:",
    )


def main() -> None:
    """Render the forecast of the sidebar's area for the chosen crime type."""
    filters = current_filters()
    if filters is None:
        st.stop()
    st.title(t("forecasts.title"))
    country, region, label = _area(filters)
    # Defaults through the session (not index=/default=), so that kept() can carry the
    # choices over a change of language without a duplicate-value warning.
    visible = data.visible_crime_types()
    st.session_state.setdefault(
        "forecast_crime", filters.crime_types[0] if filters.crime_types else "migrant_smuggling"
    )
    if st.session_state["forecast_crime"] not in visible:  # withheld from this role
        st.session_state["forecast_crime"] = visible[0]
    st.session_state.setdefault("forecast_freq", "M")
    columns = st.columns([3, 1, 1])
    crime = columns[0].selectbox(
        t("forecasts.crime_type"),
        list(visible),
        format_func=bound(crime_label),
        key=kept("forecast_crime"),
    )
    periods = {"M": t("forecasts.months"), "W": t("forecasts.weeks")}
    freq = (
        columns[1].segmented_control(
            t("forecasts.periods"),
            ["M", "W"],
            format_func=periods.get,
            key=kept("forecast_freq"),
        )
        or "M"
    )
    monthly = freq == "M"
    steps = [3, 6, 12] if monthly else [4, 8, 13]
    horizon = columns[2].selectbox(
        t("forecasts.months_ahead") if monthly else t("forecasts.weeks_ahead"),
        steps,
        index=1,
        key=f"forecast_h_{freq}",
    )
    st.caption(
        t("forecasts.area_caption_month", area=label)
        if monthly
        else t("forecasts.area_caption_week", area=label)
    )
    try:
        found = data.forecast(country, region, crime, horizon, freq)
    except TooFewPeriodsError as error:
        if error.found:  # a series too short for a test it needs: not a coverage matter
            raise
        # Never reported: no forecast, and no flat line of zeros either.
        st.info(t("forecasts.not_reported", area=label, crime=crime_label(crime).lower()))
        _alerts()
        return
    result = found["result"]
    fig = charts.forecast_chart(
        found["history"],
        result.forecast,
        title=t("forecasts.chart_title", area=label, crime=crime_label(crime).lower()),
        y_title=t("chart.per_month") if monthly else t("chart.per_week"),
        months_shown=36 if monthly else 104,
    )
    st.plotly_chart(localise_figure(fig), width="stretch", config=PLOTLY_CONFIG)
    columns = st.columns(3)
    exports.chart_png_download(localise_figure(fig), "forecast", columns[0])
    exports.table_downloads(result.forecast, "forecast", columns[1])
    _trust(result)
    _forecast_table(result.forecast, monthly)
    summary = [n for n in result.notes if n.key not in _METHOD_NOTES]
    if summary:
        st.info(notes_text(summary), icon=":material/model_training:")
    levels.show_coarser(filters.replace(crime_types=(crime,)), freq)
    _refresh_status(found["cached"], freq)
    _method(result)
    _linkage(found["linkage"])
    _effect(found["linkage"])
    if auth.current().suppressed:
        _sensitive_forecast()
    _alerts()


main()
