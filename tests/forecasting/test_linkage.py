from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from forecasting.effect import RegressorEffect
from forecasting.linkage import cross_correlation, explain, flow_linkage, granger, regressor_lag
from forecasting.wording import Count, Earlier, note

MONTHS = pd.date_range("2019-01-01", periods=84, freq="MS")


def _pair(lag: int, seed: int = 0, strength: float = 3.0):
    """Flows with their own ups and downs and a shared summer peak; counts follow at ``lag``."""
    rng = np.random.default_rng(seed)
    season = 10 * np.sin(2 * np.pi * np.arange(len(MONTHS)) / 12)
    flows = pd.Series(100 + season + np.cumsum(rng.normal(0, 5, len(MONTHS))), index=MONTHS)
    driven = flows.shift(lag).bfill()
    counts = 20 + season + strength * (driven - driven.mean()) / driven.std()
    counts = counts + rng.normal(0, 1, len(MONTHS))
    return counts, flows


def test_the_lag_at_which_counts_follow_flows_is_found():
    counts, flows = _pair(lag=2)
    before = counts.copy()
    table = cross_correlation(counts, flows, max_lag=6)
    pd.testing.assert_series_equal(counts, before)
    assert table["lag"].tolist() == list(range(7))
    best = table.loc[table["r"].abs().idxmax()]
    assert best["lag"] == 2
    assert best["r"] > best["band"]


def test_a_shared_season_alone_is_not_a_link():
    rng = np.random.default_rng(4)
    season = 10 * np.sin(2 * np.pi * np.arange(len(MONTHS)) / 12)
    counts = pd.Series(20 + season + rng.normal(0, 1, len(MONTHS)), index=MONTHS)
    flows = pd.Series(100 + season + rng.normal(0, 1, len(MONTHS)), index=MONTHS)
    # Raw, the two correlate strongly through the summer peak alone...
    assert np.corrcoef(counts, flows)[0, 1] > 0.9
    # ...seasonally differenced, they do not.
    table = cross_correlation(counts, flows, max_lag=3)
    assert (table["r"].abs() < 2.5 * table["band"]).all()


def test_granger_finds_flows_that_come_first():
    counts, flows = _pair(lag=1, seed=2)
    forward = granger(counts, flows, max_lag=2)
    assert forward["lag"].tolist() == [1, 2]
    assert forward["p_value"].min() < 0.01
    assert forward["n"].iloc[0] == 72


def test_granger_refuses_too_few_months():
    counts, flows = _pair(lag=1)
    with pytest.raises(
        ValueError,
        match="with 3 lags needs at least 14 months after comparing each month with a year "
        "earlier; there are 12.",
    ):
        granger(counts.iloc[:24], flows.iloc[:24], max_lag=3)


def test_the_explanation_says_what_a_test_cannot_show():
    counts, flows = _pair(lag=2, seed=1)
    said = explain(cross_correlation(counts, flows), granger(counts, flows))
    assert [n.key for n in said] == ["link_best", "granger_yes"]  # beyond chance; not a cause
    assert said[0].values["when"] == Earlier(2, "months")
    assert said[0].values["r"].sign and said[0].values["r"].decimals == 2


def test_bad_input_is_refused():
    counts, flows = _pair(lag=0)
    with pytest.raises(ValueError, match="`flows` needs a DatetimeIndex of periods."):
        cross_correlation(counts, flows.reset_index(drop=True))
    with pytest.raises(ValueError, match="`max_lag` must be 0 or more. Got -1."):
        cross_correlation(counts, flows, max_lag=-1)


# -- the Forecasts page's linkage: the lag of the effect and what is shown ---------------------


def _result(chosen: str, lag: float, scores: list[tuple[str, float, float]]) -> SimpleNamespace:
    """The parts of a ForecastResult the linkage reads: the chosen model, its lag, the scores."""
    frame = pd.DataFrame(scores, columns=["model", "lag", "rel_mae"])
    return SimpleNamespace(chosen=chosen, lag=lag, scores=frame, members=())


def test_the_effect_is_at_the_chosen_models_lag():
    result = _result("sarimax", 2.0, [("sarimax", 1.0, 0.5), ("sarimax", 2.0, 0.7)])
    assert regressor_lag(result) == 2


def test_another_winner_leaves_the_regressions_best_scoring_lag():
    scores = [("ets", np.nan, 0.4), ("sarimax", 3.0, 0.9), ("sarimax", 1.0, 0.6)]
    assert regressor_lag(_result("ets", np.nan, scores)) == 1
    # Ties keep the backtest's order.
    tied = [("sarimax", 2.0, 0.6), ("sarimax", 1.0, 0.6)]
    assert regressor_lag(_result("ets", np.nan, tied)) == 2


def test_no_lag_without_a_regression_among_the_scores():
    assert regressor_lag(_result("ets", np.nan, [])) is None
    assert regressor_lag(_result("ets", np.nan, [("ets", np.nan, 0.4)])) is None
    assert regressor_lag(_result("sarimax", np.nan, [("sarimax", np.nan, 0.4)])) is None


def test_flow_linkage_without_monthly_flows_is_only_the_text():
    counts, flows = _pair(lag=1)
    result = _result("sarimax", 1.0, [("sarimax", 1.0, 0.5)])
    assert flow_linkage(counts, None, result, "no flows") == {"text": "no flows"}
    assert flow_linkage(counts, flows, result, "weekly", freq="W") == {"text": "weekly"}


def test_flow_linkage_gives_the_tests_the_verdict_and_the_effect():
    counts, flows = _pair(lag=2, seed=1)
    result = _result("sarimax", 2.0, [("sarimax", 2.0, 0.5)])
    link = flow_linkage(counts, flows, result, "arrivals in MD")
    assert set(link) == {
        "text",
        "correlation",
        "granger",
        "explanation",
        "notes",
        "effect",
        "effect_notes",
    }
    assert link["text"] == "arrivals in MD"
    assert link["explanation"] == explain(link["correlation"], link["granger"])
    assert link["notes"] == link["explanation"]
    assert isinstance(link["effect"], RegressorEffect) and link["effect"].lag == 2
    assert link["effect_notes"] == link["effect"].notes


def test_without_the_flows_in_the_backtest_the_effect_is_at_the_strongest_correlation():
    # Below 30 a month the backtest does not try the flows; the page still states the
    # effect, at the regressor lag where counts and flows move together most.
    counts, flows = _pair(lag=2, seed=1)
    link = flow_linkage(counts, flows, _result("level", np.nan, [("level", np.nan, 0.9)]), "MD")
    assert link["effect"].lag == 2


def test_flow_linkage_reports_too_few_months_instead_of_the_granger_test():
    counts, flows = _pair(lag=1)
    link = flow_linkage(counts.iloc[:24], flows.iloc[:24], _result("ets", np.nan, []), "few")
    assert "granger" not in link and "explanation" not in link and "effect" not in link
    assert [n.key for n in link["notes"]] == ["granger_too_few"]
    assert link["notes"][0].values == {"needed": Count(14, "months"), "found": Count(12, "months")}
    assert (
        "needs at least 14 months after comparing each month with a year earlier"
        in (link["granger_error"])
    )


# -- no contradiction between the forecast and the link it states ------------------------------


def test_a_forecast_using_flows_that_a_test_finds_no_link_for_says_why():
    # Unrelated series: Granger finds nothing, yet suppose the backtest chose the flows.
    rng = np.random.default_rng(5)
    counts = pd.Series(50 + rng.normal(0, 3, len(MONTHS)), index=MONTHS)
    flows = pd.Series(1000 + rng.normal(0, 100, len(MONTHS)), index=MONTHS)
    result = _result("sarimax", 1.0, [("sarimax", 1.0, 0.5)])
    link = flow_linkage(counts, flows, result, "arrivals")
    keys = [n.key for n in link["notes"]]
    assert "granger_no" in keys
    assert keys[-1] == "granger_no_but_used"
    assert link["notes"][-1].values == {"lag": Count(1, "months")}
    # Its effect cannot be told from zero: said, together with why the flows are used.
    assert [n.key for n in link["effect_notes"]][-1] == "effect_used_zero_inside"


def test_an_effect_that_cannot_be_sized_is_explained_when_the_forecast_uses_the_flows(
    monkeypatch,
):
    import forecasting.effect as effect_module

    counts, flows = _pair(lag=1, seed=2)
    unsized = RegressorEffect(1, np.nan, np.nan, np.nan, np.nan, 60, (note("effect_unsized"),))
    monkeypatch.setattr(effect_module, "regressor_effect", lambda *args: unsized)
    link = flow_linkage(counts, flows, _result("sarimax", 1.0, [("sarimax", 1.0, 0.5)]), "x")
    said = link["effect_notes"]
    # Not "too few or too regular" next to a forecast that uses them: one statement, why.
    assert [n.key for n in said] == ["effect_used_unsized"]
    assert said[0].values["lag"] == Count(1, "months")
    r = link["correlation"].set_index("lag").loc[1, "r"]
    assert said[0].values["r"].value == pytest.approx(r)
    # Without the flows in the forecast, the plain statement stays.
    plain = flow_linkage(counts, flows, _result("ets", np.nan, [("sarimax", 1.0, 0.5)]), "x")
    assert [n.key for n in plain["effect_notes"]] == ["effect_unsized"]
