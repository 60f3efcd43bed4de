"""How far to trust a forecast: its track record and the warnings a reader must see.

The Forecasts page states one sentence of trust per series (how often the 80 % range
held in the backtest) and warns when that range held too rarely
(:data:`threatmon.rules.FORECAST_MIN_COVERAGE_80`) or when repeating last year's month
did better than the forecast shown. This module decides; the page only words it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from forecasting.models import SEASONAL_NAIVE
from forecasting.series import INTERMITTENT
from threatmon.rules import FORECAST_MIN_COVERAGE_80


@dataclass(frozen=True)
class Trust:
    """What the page says about how far to trust one forecast.

    Attributes
    ----------
    checked : int
        Forecasts of past periods the ranges were judged on (0: no track record).
    held_80, held_95 : int
        How many of them fell inside the 80 % and 95 % ranges.
    weak_range : bool
        The 80 % range held less than ``min_coverage`` of the time.
    baseline : dict or None
        When seasonal naive did better in the backtest than the forecast shown:
        ``chosen`` and ``seasonal`` (their errors relative to no change, of the total over
        the horizon for an intermittent series, as the choice was made); else None.
    min_coverage : float
        The threshold ``weak_range`` was judged by.
    """

    checked: int = 0
    held_80: int = 0
    held_95: int = 0
    weak_range: bool = False
    baseline: dict | None = None
    min_coverage: float = FORECAST_MIN_COVERAGE_80

    @property
    def share_80(self) -> float:
        return self.held_80 / self.checked if self.checked else math.nan

    @property
    def share_95(self) -> float:
        return self.held_95 / self.checked if self.checked else math.nan


def _same_lag(a, b) -> bool:
    a_nan = a is None or a != a
    b_nan = b is None or b != b
    return (a_nan and b_nan) or (not a_nan and not b_nan and float(a) == float(b))


def trust(result, min_coverage: float = FORECAST_MIN_COVERAGE_80) -> Trust:
    """The :class:`Trust` of a :class:`~forecasting.forecast.SeriesForecast`."""
    track = result.track or {}
    checked = int(track.get("checked", 0))
    held_80, held_95 = int(track.get("held_80", 0)), int(track.get("held_95", 0))
    weak = bool(checked) and held_80 / checked < min_coverage
    baseline = None
    scores = result.scores
    by = "rel_total" if getattr(result, "status", None) == INTERMITTENT else "rel_mae"
    if by not in scores:
        by = "rel_mae"
    if len(scores) and result.chosen != SEASONAL_NAIVE:
        records = scores.to_dict("records")
        chosen = [
            r for r in records if r["model"] == result.chosen and _same_lag(r["lag"], result.lag)
        ]
        seasonal = [
            r for r in records if r["model"] == SEASONAL_NAIVE and _same_lag(r["lag"], None)
        ]
        if chosen and seasonal and seasonal[0][by] < chosen[0][by]:
            baseline = {"chosen": chosen[0][by], "seasonal": seasonal[0][by]}
    return Trust(checked, held_80, held_95, weak, baseline, min_coverage)
