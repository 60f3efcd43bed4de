"""Latest months outside the interval forecast the month before them.

Each series' chosen model forecasts its latest complete month from the months before it
(:attr:`SeriesForecast.check`). A count outside that 95 % interval is surprising for the
model that has so far forecast the series best. Tested over every region and crime type,
about one series in twenty would land outside by chance each month, so two guards keep
the list short enough to be read:

* at least ``min_count`` incidents in the month (above) or expected (below), as for
  surges;
* Benjamini–Hochberg over all series tested at ``fdr`` (default 5 %): among the listed
  series, fewer than one in twenty is expected to be a false alarm.

The probability of a count that far out is read off the interval itself, as the model's
normal approximation with the standard deviation its 95 % bound implies; none is
reported below :data:`~forecasting.warning.surges.P_FLOOR`. The caller passes only
series reported in the month tested and over enough of the months before it
(:func:`forecasting.warning.alerts.early_warning`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from forecasting.warning.sentences import english
from forecasting.warning.surges import P_FLOOR
from threatmon.messages import Message, odds
from threatmon.rules import WARNING_FDR, WARNING_MIN_COUNT

ABOVE, BELOW = "above", "below"
_Z95 = 1.959963984540054
COLUMNS = (
    "region_code",
    "crime_type",
    "period",
    "count",
    "expected",
    "lower_95",
    "upper_95",
    "model",
    "direction",
    "p_value",
)


def _tail(z: np.ndarray) -> np.ndarray:
    return 0.5 * special.erfc(z / np.sqrt(2))


def outside_interval(
    checks: pd.DataFrame, *, min_count: int = WARNING_MIN_COUNT, fdr: float = WARNING_FDR
) -> pd.DataFrame:
    """Region × crime-type series whose latest count fell outside its 95 % interval.

    Parameters
    ----------
    checks : DataFrame
        ``region_code, crime_type, period, actual, mean, lower_95, upper_95, model``: one
        row per series tested (the refresh's checks of the region level).
    min_count : int
        Fewest incidents observed (above) or expected (below) for a series to be listed.
    fdr : float
        False discovery rate over all series in ``checks``.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, most surprising first; ``count`` is the actual, ``expected`` the
        forecast mean, ``direction`` ``"above"`` or ``"below"``, ``p_value`` the one-sided
        probability of a count at least that far out.
    """
    if not 0 < fdr < 1:
        raise ValueError(f"`fdr` must be between 0 and 1. Got {fdr!r}.")
    needed = {"region_code", "crime_type", "period", "actual", "mean", "lower_95", "upper_95"}
    missing = sorted(needed - set(checks.columns))
    if missing:
        raise ValueError(f"`checks` is missing column(s): {', '.join(missing)}.")
    actual = checks["actual"].to_numpy(dtype=float)
    mean = checks["mean"].to_numpy(dtype=float)
    upper = checks["upper_95"].to_numpy(dtype=float)
    lower = checks["lower_95"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd_up = (upper - mean) / _Z95
        sd_down = (mean - lower) / _Z95
        above = (actual > upper) & (actual >= min_count)
        below = (actual < lower) & (mean >= min_count)
        p = np.ones(len(checks))
        p[above] = _tail((actual[above] - mean[above]) / np.maximum(sd_up[above], 1e-9))
        p[below] = _tail((mean[below] - actual[below]) / np.maximum(sd_down[below], 1e-9))
    tested = len(checks)
    order = np.argsort(p, kind="stable")
    # Benjamini–Hochberg: the largest k with p_(k) <= k / m * fdr; all up to it pass.
    ranked = p[order]
    passing = np.flatnonzero(ranked <= np.arange(1, tested + 1) / max(tested, 1) * fdr)
    keep = order[: passing[-1] + 1] if len(passing) else order[:0]
    keep = keep[(above | below)[keep]]
    out = checks.iloc[keep]
    return pd.DataFrame(
        {
            "region_code": out["region_code"].to_numpy(),
            "crime_type": out["crime_type"].to_numpy(),
            "period": pd.to_datetime(out["period"]).to_numpy(),
            "count": out["actual"].to_numpy(dtype=float),
            "expected": out["mean"].to_numpy(dtype=float),
            "lower_95": out["lower_95"].to_numpy(dtype=float),
            "upper_95": out["upper_95"].to_numpy(dtype=float),
            "model": out["model"].to_numpy() if "model" in out else "",
            "direction": np.where(above[keep], ABOVE, BELOW),
            # Floored only for the record: the order and the test use the model's own.
            "p_value": np.maximum(p[keep], P_FLOOR),
        },
        columns=list(COLUMNS),
    )


def message(row) -> Message:
    """The sentence of a row of :func:`outside_interval`, as a message (``alert.above`` or
    ``alert.below``). The model is not named: the committee reads what was expected."""
    month = pd.Timestamp(row.period)
    return Message(
        f"alert.{ABOVE if row.direction == ABOVE else BELOW}",
        {
            "region": row.region_code,
            "crime": row.crime_type,
            "count": int(row.count),
            "month": month,
            "lower": float(row.lower_95),
            "upper": float(row.upper_95),
            "previous": month - pd.DateOffset(months=1),
            "odds": odds(float(row.p_value)),
        },
    )


def describe(row, places: dict[str, str], crimes: dict[str, str]) -> str:
    """One English sentence: the count, the range it left, the chance of that."""
    return english(message(row), places, crimes)
