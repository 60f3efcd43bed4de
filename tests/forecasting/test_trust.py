from types import SimpleNamespace

import numpy as np
import pandas as pd

from forecasting.calibration import held_by_calibrated
from forecasting.trust import trust
from threatmon.rules import FORECAST_MIN_COVERAGE_80


def _result(chosen="ets", lag=np.nan, track=None, scores=()):
    frame = pd.DataFrame(list(scores), columns=["model", "lag", "rel_mae"])
    return SimpleNamespace(chosen=chosen, lag=lag, track=track, scores=frame)


def test_a_range_that_held_too_rarely_is_weak():
    weak = trust(_result(track={"checked": 24, "held_80": 15, "held_95": 20}))
    assert (weak.checked, weak.held_80, weak.share_80) == (24, 15, 15 / 24)
    assert weak.weak_range and weak.min_coverage == FORECAST_MIN_COVERAGE_80 == 0.70
    fine = trust(_result(track={"checked": 24, "held_80": 19, "held_95": 23}))
    assert not fine.weak_range


def test_no_track_record_is_no_warning_and_no_share():
    found = trust(_result(track=None))
    assert found.checked == 0 and not found.weak_range and np.isnan(found.share_80)


def test_seasonal_naive_doing_better_than_the_forecast_is_flagged():
    scores = [("ets", np.nan, 0.9), ("seasonal_naive", np.nan, 0.7), ("naive", np.nan, 1.0)]
    found = trust(_result("ets", scores=scores))
    assert found.baseline == {"chosen": 0.9, "seasonal": 0.7}
    # The regression at another lag is another row: only the chosen one counts.
    lagged = [("sarimax", 1.0, 0.6), ("sarimax", 2.0, 0.8), ("seasonal_naive", np.nan, 0.7)]
    assert trust(_result("sarimax", 1.0, scores=lagged)).baseline is None
    assert trust(_result("sarimax", 2.0, scores=lagged)).baseline == {
        "chosen": 0.8,
        "seasonal": 0.7,
    }
    # Seasonal naive shown is not worse than itself.
    assert trust(_result("seasonal_naive", scores=scores)).baseline is None


def _rows(errors_by_origin):
    """Backtest rows with a model spread of 0.1 on the log scale and given log errors."""
    cutoffs, actual, mean = [], [], []
    for origin, errors in enumerate(errors_by_origin):
        for error in errors:
            cutoffs.append(origin)
            mean.append(100.0)
            actual.append(float(np.expm1(np.log1p(100.0) + error)))
    mean = np.array(mean)
    spread = 0.1 * 1.959964
    return {
        "cutoff": np.array(cutoffs),
        "actual": np.array(actual),
        "mean": mean,
        "lower_95": np.expm1(np.log1p(mean) - spread),
        "upper_95": np.expm1(np.log1p(mean) + spread),
    }


def test_each_origin_is_judged_by_ranges_calibrated_on_the_others():
    steady = [[0.01, -0.02, 0.03]] * 4
    assert held_by_calibrated(_rows(steady)) == {"checked": 12, "held_80": 12, "held_95": 12}
    # One origin with errors ten times the others': calibrated on the others, it misses.
    shock = [[0.01, -0.02, 0.03]] * 3 + [[0.5, -0.6, 0.7]]
    found = held_by_calibrated(_rows(shock))
    assert found["checked"] == 12 and found["held_80"] <= 9
    assert held_by_calibrated(_rows([[0.01, 0.02]])) is None
