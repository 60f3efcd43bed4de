"""Forecast accuracy held out on real monthly series, and the speed of one forecast.

The product's forecasts were tuned on its synthetic demo; this section asks how they do on
real series it has never seen. Each case cuts a real series at a month (the cut-off), gives
everything up to it to :func:`forecasting.forecast.forecast_series` (what ``threatmon
forecast --series`` calls) and compares the 12 months it forecasts with the 12 months that
followed, which the forecast never saw:

* **Frontex routes** (the acceptance set): monthly detections of illegal border crossings
  by route, every route that is not mostly zeros, cut at 2022-09, 2023-09 and 2024-09;
  then the same routes at eight earlier cut-offs (2012-09 to 2021-09), reported apart.
* **UCDP conflict events and deaths** (series the forecasts were not tuned on): monthly
  counts of organised-violence events and of deaths in Donetsk oblast, Luhansk oblast and
  all Ukraine, 2014–2021 (the 2022 candidate data undercount the war), cut at the end of
  2016 to 2020.

Per set: the geometric mean over cases of the forecast's mean absolute error relative to
seasonal naive's ("same month last year") and to the no-change forecast's (the last
month), the worst case relative to seasonal naive, and the share of the held-out months
inside the 80 % and 95 % intervals. Targets on the Frontex routes: below 0.95 × seasonal
naive, no case worse than 3 ×, 80 % coverage within 70–90 %.

The data are read where they lie (``--realdata``, by default ``/work/shared/realdata``),
never copied into the project; without them the section is skipped with a line saying so.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.forecast import forecast_series

HORIZON = 12
FRONTEX = "frontex_illegal_border_crossings/frontex_ibc_monthly_by_route_2009-01_2025-09.csv"
UCDP = "ucdp_ged_ukraine/ucdp_ged_ukraine_2014-01_2023-03.csv"
ACCEPTANCE_CUTOFFS = ("2022-09", "2023-09", "2024-09")
EARLIER_CUTOFFS = tuple(f"{year}-09" for year in (2012, 2014, 2016, 2017, 2018, 2019, 2020, 2021))
UCDP_CUTOFFS = tuple(f"{year}-12" for year in range(2016, 2021))
#: The series whose end-to-end command-line forecast is timed: a route over 15 years.
TIMED_ROUTE, TIMED_END = "Eastern Mediterranean Route", "2023-12"

Case = tuple[str, str, pd.Series, np.ndarray]


def _monthly(values: pd.Series) -> pd.Series:
    index = pd.date_range(values.index[0], periods=len(values), freq="MS", name="period")
    return pd.Series(values.to_numpy(dtype=float), index=index)


def _cut(name: str, series: pd.Series, cutoffs) -> list[Case]:
    out = []
    for cutoff in cutoffs:
        end = series.index.get_loc(pd.Timestamp(f"{cutoff}-01")) + 1
        test = series.iloc[end : end + HORIZON].to_numpy(dtype=float)
        if len(test) == HORIZON:
            out.append((name, cutoff, _monthly(series.iloc[:end]), test))
    return out


def frontex_routes(root: Path) -> pd.DataFrame:
    """Detections per month (rows) and route (columns); routes mostly zero are left out."""
    frame = pd.read_csv(root / FRONTEX)
    table = frame.pivot(index="month", columns="route", values="detections")
    table.index = pd.to_datetime(table.index + "-01")
    busy = (table > 0).mean() >= 0.5
    return table.loc[:, busy].astype(float)


def ucdp_series(root: Path) -> dict[str, pd.Series]:
    """Events and deaths per month, Donetsk, Luhansk and all Ukraine, 2014–2021."""
    events = pd.read_csv(root / UCDP, usecols=["date_start_iso", "adm_1", "best"])
    events["month"] = pd.to_datetime(events["date_start_iso"]).dt.to_period("M").dt.to_timestamp()
    months = pd.date_range("2014-01-01", "2021-12-01", freq="MS")
    areas = {
        "Donetsk": events[events["adm_1"] == "Donetsk oblast"],
        "Luhansk": events[events["adm_1"] == "Luhansk oblast"],
        "Ukraine": events,
    }
    out = {}
    for area, rows in areas.items():
        grouped = rows.groupby("month")
        out[f"events {area}"] = grouped.size().reindex(months, fill_value=0).astype(float)
        out[f"deaths {area}"] = grouped["best"].sum().reindex(months, fill_value=0).astype(float)
    return out


def case_sets(root: Path) -> dict[str, list[Case]]:
    """The held-out cases of each set, by the set's name."""
    routes = frontex_routes(root)
    return {
        "Frontex routes": [c for r in routes for c in _cut(r, routes[r], ACCEPTANCE_CUTOFFS)],
        "Frontex routes, earlier cut-offs": [
            c for r in routes for c in _cut(r, routes[r], EARLIER_CUTOFFS)
        ],
        "UCDP events and deaths": [
            c for name, s in ucdp_series(root).items() for c in _cut(name, s, UCDP_CUTOFFS)
        ],
    }


def evaluate(cases: list[Case]) -> dict:
    """Accuracy of the product's forecasts of ``cases`` (see the module doc)."""
    vs_seasonal, vs_naive, inside80, inside95, worst, chosen, skill = [], [], [], [], [], {}, []
    for name, cutoff, train, test in cases:
        result = forecast_series(train, horizon=HORIZON)
        forecast = result.forecast
        mae = float(np.mean(np.abs(forecast["mean"].to_numpy() - test)))
        history = train.to_numpy()
        seasonal = float(np.mean(np.abs(history[-12:] - test)))
        naive = float(np.mean(np.abs(history[-1] - test)))
        if mae > 0 and seasonal > 0:
            vs_seasonal.append(mae / seasonal)
            worst.append((mae / seasonal, f"{name} after {cutoff}"))
        if mae > 0 and naive > 0:
            vs_naive.append(mae / naive)
        low80, high80 = forecast["lower_80"].to_numpy(), forecast["upper_80"].to_numpy()
        low95, high95 = forecast["lower_95"].to_numpy(), forecast["upper_95"].to_numpy()
        inside80.append(np.mean((low80 <= test) & (test <= high80)))
        inside95.append(np.mean((low95 <= test) & (test <= high95)))
        chosen[result.chosen] = chosen.get(result.chosen, 0) + 1
        skill.append(bool(getattr(result, "skill", None)))
    top = max(worst)
    return {
        "cases": len(cases),
        "vs_seasonal_naive": float(np.exp(np.mean(np.log(vs_seasonal)))),
        "vs_no_change": float(np.exp(np.mean(np.log(vs_naive)))),
        "worst": top[0],
        "worst_case": top[1],
        "worse_than_2": int(sum(r > 2 for r in vs_seasonal)),
        "coverage_80": float(np.mean(inside80)),
        "coverage_95": float(np.mean(inside95)),
        "skill": float(np.mean(skill)),
        "chosen": chosen,
    }


def command_line_seconds(root: Path, repeat: int) -> float:
    """Median wall time of ``threatmon forecast --series`` on 15 years of one route, 12
    months ahead, process start included (the file is written to a temporary folder)."""
    route = frontex_routes(root)[TIMED_ROUTE]
    route = route[route.index <= pd.Timestamp(f"{TIMED_END}-01")]
    times = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "route.csv"
        frame = pd.DataFrame({"month": route.index.strftime("%Y-%m"), "detections": route})
        frame.to_csv(path, index=False)
        command = [sys.executable, "-m", "threatmon.cli", "forecast", "--series", str(path)]
        command += ["--date-col", "month", "--value-col", "detections", "--horizon", "12"]
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return float(np.median(times))


def run(root: Path, repeat: int = 3) -> dict | None:
    """Every set's accuracy and the command-line time; None without the data."""
    if not (root / FRONTEX).exists():
        return None
    started = time.perf_counter()
    sets = {name: evaluate(cases) for name, cases in case_sets(root).items() if cases}
    return {
        "sets": sets,
        "seconds": time.perf_counter() - started,
        "cli_seconds": command_line_seconds(root, repeat),
    }


def report(result: dict | None, root: Path) -> list[str]:
    """The lines `python -m bench` prints."""
    if result is None:
        return [f"skipped: no real data at {root} (pass --realdata PATH to measure accuracy)"]
    lines = []
    for name, found in result["sets"].items():
        chosen = ", ".join(f"{k} {v}" for k, v in sorted(found["chosen"].items()))
        lines.append(
            f"{name} ({found['cases']} cases, 12 months held out): MAE "
            f"{found['vs_seasonal_naive']:.2f} × seasonal naive's (geometric mean), "
            f"{found['vs_no_change']:.2f} × no change's; worst {found['worst']:.2f} × "
            f"({found['worst_case']}), {found['worse_than_2']} worse than 2 ×; intervals held "
            f"{found['coverage_80'] * 100:.0f} % (80 %) and {found['coverage_95'] * 100:.0f} % "
            f"(95 %); skill in {found['skill'] * 100:.0f} %; shown: {chosen}"
        )
    lines.append(
        "targets on the Frontex routes: below 0.95 × seasonal naive, none worse than 3 ×, "
        f"80 % intervals holding 70–90 %; all sets in {result['seconds']:.0f} s"
    )
    lines.append(
        f"`threatmon forecast --series` of 15 years of a route, 12 months ahead, process "
        f"start included: {result['cli_seconds']:.2f} s (target ≤ 2 s)"
    )
    return lines


__all__ = ["run", "report"]
