"""`threatmon hotspots`, `forecast` and `alerts`: the analyses of the dashboard's pages."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from threatmon.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    Command,
    add_db,
    print_json,
    report_error,
)
from threatmon.errors import ValidationError


def _add_hotspots(commands) -> None:
    hotspots = commands.add_parser(
        "hotspots", help="Gi* hot and cold spots and emerging hot spots per region"
    )
    add_db(hotspots)
    hotspots.add_argument(
        "--crime-type",
        action="append",
        default=[],
        metavar="KEY",
        help="count only these crime types (repeatable; default all)",
    )
    hotspots.add_argument(
        "--country",
        action="append",
        default=[],
        metavar="ISO2",
        help="analyse only these countries' regions (repeatable; default all)",
    )
    hotspots.add_argument(
        "--from",
        dest="start",
        default=None,
        metavar="YYYY-MM-DD",
        help="first day (default: the start of the last 24 complete months)",
    )
    hotspots.add_argument(
        "--to",
        dest="end",
        default=None,
        metavar="YYYY-MM-DD",
        help="last day (default: see --from)",
    )
    hotspots.add_argument(
        "--freq",
        choices=("W", "M", "Q"),
        default="M",
        help="time step of the emerging hot spot analysis (default M)",
    )
    hotspots.add_argument(
        "--measure",
        choices=("rate", "rate_raw", "count"),
        default="rate",
        help="incidents per 100,000 inhabitants smoothed by empirical Bayes (default), "
        "raw rates, or counts",
    )
    hotspots.add_argument(
        "--permutations", type=int, default=9999, help="Gi* permutations (default 9999)"
    )
    hotspots.add_argument("--seed", type=int, default=12345, help="permutation seed")
    hotspots.add_argument(
        "--band-km",
        type=float,
        default=None,
        metavar="KM",
        help="neighbours within KM km instead of regions sharing a border",
    )
    hotspots.add_argument("--json", action="store_true", help="print one record per region")


def _add_forecast(commands) -> None:
    forecast = commands.add_parser(
        "forecast",
        help="forecast one series (from the store, or a CSV you bring) with its track record",
    )
    add_db(forecast)
    forecast.add_argument(
        "--series", default=None, metavar="FILE.csv", help="forecast this CSV instead of the store"
    )
    forecast.add_argument("--date-col", default=None, metavar="C", help="date column of --series")
    forecast.add_argument("--value-col", default=None, metavar="C", help="value column of --series")
    forecast.add_argument(
        "--exog-col", default=None, metavar="C", help="regressor column of --series (e.g. flows)"
    )
    forecast.add_argument(
        "--freq",
        choices=("Y", "Q", "M", "W"),
        default=None,
        help="years, quarters, months or ISO weeks. --series: the file's periods (default: "
        "read from them; dates on 1 January start years, quarters and months alike, so "
        "those need it); a row that is no period of it is refused, never regrouped. "
        "The store: M (default) or W",
    )
    area = forecast.add_mutually_exclusive_group()
    area.add_argument("--region", default=None, metavar="CODE", help="one region (store)")
    area.add_argument("--country", default=None, metavar="ISO2", help="one country (store)")
    forecast.add_argument(
        "--crime-type", default=None, metavar="KEY", help="crime type (store; required there)"
    )
    forecast.add_argument(
        "--horizon",
        type=int,
        default=None,
        metavar="N",
        help="periods ahead, in the frequency's periods: years (Y, default 3), quarters "
        "(Q, default 4), months (M, default 6) or weeks (W, default 6)",
    )
    forecast.add_argument("--json", action="store_true", help="print the result as JSON")
    forecast.add_argument(
        "--all",
        action="store_true",
        help="forecast every region, country and total series (monthly) into the cache",
    )
    forecast.add_argument(
        "--workers", type=int, default=2, metavar="N", help="worker processes for --all"
    )
    forecast.add_argument(
        "--background", action="store_true", help=argparse.SUPPRESS
    )  # what the dashboard starts after a load: lower priority, no progress lines


def _add_alerts(commands) -> None:
    alerts = commands.add_parser(
        "alerts", help="early warning: series whose latest complete month stands out"
    )
    add_db(alerts)
    alerts.add_argument("--json", action="store_true", help="print one record per alert")


def _cmd_hotspots(args) -> int:
    from geo.analysis import region_hotspots
    from threatmon.filters import Filters
    from threatmon.periods import last_complete_months, latest_reported_day
    from threatmon.store.reader import Store

    store = Store(args.db)
    start, end = args.start, args.end
    if start is None or end is None:
        # Monthly coverage decides (a yearly figure does not make December a month of data).
        last = latest_reported_day(store.coverage_cells()) or store.coverage()["last"]
        if last is None:
            print(f"error: the store at {store.label} holds no incidents.", file=sys.stderr)
            return EXIT_ERROR
        default_start, default_end = last_complete_months(last, 24)
        start, end = start or default_start, end or default_end
    filters = Filters(countries=args.country, crime_types=args.crime_type, start=start, end=end)
    table = region_hotspots(
        store,
        filters,
        freq=args.freq,
        measure=args.measure,
        permutations=args.permutations,
        seed=args.seed,
        band_km=args.band_km,
    )
    if args.json:
        print_json(_frame_records(table))
        return EXIT_OK
    what, unit = {
        "rate": ("per 100,000 smoothed by empirical Bayes", "EB /100k"),
        "rate_raw": ("per 100,000, raw", "per 100,000"),
    }.get(args.measure, ("incidents", "incidents"))
    if store.is_demo():
        print("DEMO — synthetic data generated by `threatmon demo`; not real incidents.")
    neighbours = f"neighbours within {args.band_km:g} km" if args.band_km else "contiguity"
    print(
        f"Hot spots {filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d} ({what}; Gi* with "
        f"{args.permutations} permutations, FDR 5 %; {neighbours}; emerging by {args.freq}):"
    )
    print(
        f"{'region':<10} {'name':<28} {unit:>12} {'gi_z':>7} {'p_fdr':>7} {'hot/cold':<8} emerging"
    )
    for row in table.itertuples(index=False):
        print(
            f"{row.region_code:<10} {str(row.name)[:28]:<28} {_number(row.value, ',.1f'):>12} "
            f"{_number(row.gi_z, '+.2f'):>7} {_number(row.p_fdr, '.3f'):>7} {row.hot_cold:<8} "
            f"{row.moran_cluster:<5} {row.emerging_category or row.note}"
        )
    counts = table["hot_cold"].value_counts()
    print(f"{counts.get('hot', 0)} hot and {counts.get('cold', 0)} cold of {len(table)} regions.")
    missing = int(counts.get("no data", 0))
    if missing:
        print(
            f"{missing} regions have no data for the selection (no regional figures for every "
            "selected crime type and period): left out of the analysis, not counted as zeros."
        )
    return EXIT_OK


def _number(value: float, spec: str) -> str:
    """``value`` formatted, or "-" where there is none (no data is not zero)."""
    return "-" if value != value else format(value, spec)


def _frame_records(frame) -> list[dict]:
    """JSON-ready records: dates as YYYY-MM-DD, missing values as null."""
    out = frame.copy()
    for column in out.columns:
        if str(out[column].dtype).startswith("datetime"):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.astype(object).where(out.notna(), None).to_dict(orient="records")


def _cmd_forecast(args) -> int:
    import pandas as pd

    # Imported where needed: a forecast of a file (--series) must start in well under two
    # seconds, and the store reader and the forecast cache cost it almost half a second.
    from forecasting.forecast import DEFAULT_HORIZONS
    from forecasting.series import UNITS, period_labels

    if args.horizon is not None and args.horizon < 1:
        print("error: --horizon must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    if args.all:
        return _forecast_all(args)
    demo = False
    if args.series:
        from data_loaders.series_file import read_series
        from forecasting.forecast import forecast_series

        if not (args.date_col and args.value_col):
            print("error: --series needs --date-col and --value-col.", file=sys.stderr)
            return EXIT_USAGE
        try:
            found = read_series(
                args.series,
                date_col=args.date_col,
                value_col=args.value_col,
                exog_col=args.exog_col,
                freq=args.freq,
            )
        except ValidationError as error:  # the file's fault, like a rejected ingest
            report_error(error, args.json)
            return EXIT_REJECTED
        freq = found.freq
        horizon = args.horizon or DEFAULT_HORIZONS[UNITS[freq]]
        label, exog_text = Path(args.series).name, args.exog_col or "no regressor"
        result = forecast_series(found.series, horizon=horizon, exog=found.exog)
        cached = False
    else:
        if not args.crime_type:
            print("error: forecasting the store needs --crime-type KEY.", file=sys.stderr)
            return EXIT_USAGE
        freq = args.freq or "M"
        if freq not in ("M", "W"):
            print(
                f"error: --freq {freq} applies to --series; the store is forecast by "
                "month (M) or week (W).",
                file=sys.stderr,
            )
            return EXIT_USAGE
        from forecasting.cache import forecast_for
        from forecasting.selection import Selection
        from threatmon.store.reader import Store

        horizon = args.horizon or DEFAULT_HORIZONS[UNITS[freq]]
        store = Store(args.db)
        demo = store.is_demo()
        selection = Selection(args.country, args.region, (args.crime_type,))
        cached_result = forecast_for(store, selection, horizon, freq)
        exog_text, result, cached = (
            cached_result.flows_text,
            cached_result.result,
            cached_result.cached,
        )
        label = f"{selection.label}, {args.crime_type}"
    periods = period_labels(pd.DatetimeIndex(result.forecast["period"]), UNITS[freq])
    forecast = result.forecast.assign(period=periods)
    if args.json:
        print_json(
            {
                "series": label,
                "demo": demo,
                "regressor": exog_text,
                "chosen": result.chosen,
                "lag": None if result.lag != result.lag else int(result.lag),
                "message": result.message,
                "reconciled": cached,
                "forecast": _frame_records(forecast),
                "skill": result.skill,
                "held_out": result.held_out,
                "backtest": _frame_records(
                    result.scores[["model", "lag", "rel_mae", "mase", "coverage_80", "coverage_95"]]
                ),
                "freq": freq,
                "horizon": horizon,
            }
        )
        return EXIT_OK
    if demo:
        print("DEMO — synthetic data generated by `threatmon demo`; not real incidents.")
    print(f"Forecast of {label} (regressor: {exog_text}), {horizon} {UNITS[freq]} ahead.")
    print(result.message)
    print(f"{'period':<10} {'mean':>9} {'80 % interval':>21} {'95 % interval':>21}")
    for row in forecast.itertuples(index=False):
        print(
            f"{row.period:<10} {row.mean:>9.1f} {row.lower_80:>10.1f}–{row.upper_80:<10.1f}"
            f" {row.lower_95:>10.1f}–{row.upper_95:<10.1f}"
        )
    if not result.scores.empty:
        print(
            f"\n{'model':<16} {'lag':>4} {'vs naive':>8} {'MASE':>6} {'cover 80':>9} "
            f"{'cover 95':>9}"
        )
        for row in result.scores.itertuples(index=False):
            lag = "" if row.lag != row.lag else f"{int(row.lag)}"
            print(
                f"{row.model:<16} {lag:>4} {row.rel_mae:>8.2f} {row.mase:>6.2f} "
                f"{row.coverage_80:>9.0%} {row.coverage_95:>9.0%}"
            )
    return EXIT_OK


def _forecast_all(args) -> int:
    from forecasting import cache
    from threatmon.store.reader import Store

    if args.workers < 1:
        print("error: --workers must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    store = Store(args.db)
    if args.background:
        os.nice(10)  # the dashboard's own requests come first

    def echo(done: int, total: int) -> None:
        if not args.background and not args.json:
            print(f"\r{done:,} of {total:,} series", end="", file=sys.stderr, flush=True)

    try:
        result = cache.run(store, workers=args.workers, echo=echo)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not args.background and not args.json:
        print(file=sys.stderr)
    meta = result.meta
    chosen = result.series["chosen"].value_counts().to_dict()
    if args.json:
        print_json(meta | {"chosen": chosen, "cache": str(cache.cache_root(store))})
        return EXIT_OK
    print(
        f"Forecast {meta['series']:,} series ({meta['first']} to {meta['last']}, "
        f"{meta['horizon']} months ahead) in {meta['seconds']:.0f} s on {meta['workers']} "
        f"process{'es' if meta['workers'] > 1 else ''}; reconciled (largest gap "
        f"{meta['incoherence']:.1e})."
    )
    print("Chosen models: " + ", ".join(f"{k} {v:,}" for k, v in chosen.items()) + ".")
    print(f"Cache: {cache.cache_root(store)}")
    return EXIT_OK


def _cmd_alerts(args) -> int:
    from forecasting import cache
    from forecasting.warning.alerts import early_warning
    from threatmon.store.reader import Store

    store = Store(args.db)
    forecasts = cache.load(store)
    table = early_warning(store, checks=cache.region_checks(forecasts))
    table = table.drop(columns="message")  # the sentence says it in English
    if args.json:
        print_json(_frame_records(table.assign(period=table["period"].astype(str).str[:7])))
        return EXIT_OK
    if store.is_demo():
        print("DEMO — synthetic data generated by `threatmon demo`; not real incidents.")
    if forecasts is None:
        print(
            "Surges only: the forecasts of all series are not current, so misses of the "
            "interval forecast are not checked. Run `threatmon forecast --all` first."
        )
    if table.empty:
        print("No alerts: no series stands out in the latest complete month.")
        return EXIT_OK
    for row in table.itertuples(index=False):
        print(f"{row.rank:>3}. {row.sentence}\n     map: {row.link}")
    return EXIT_OK


COMMANDS = {
    "hotspots": Command(_add_hotspots, _cmd_hotspots),
    "forecast": Command(_add_forecast, _cmd_forecast),
    "alerts": Command(_add_alerts, _cmd_alerts),
}
