import numpy as np
import pandas as pd
import pytest

from forecasting.warning.surges import describe, message, poisson_upper_tail, surges
from threatmon.messages import Message

MONTHS = pd.date_range("2025-10-01", "2026-10-01", freq="MS")


def _monthly(series: dict[tuple[str, str], list[int]]) -> pd.DataFrame:
    rows = [
        {"period": month, "region_code": region, "crime_type": crime, "count": count}
        for (region, crime), counts in series.items()
        for month, count in zip(MONTHS, counts, strict=True)
        if count
    ]
    return pd.DataFrame(rows)


def test_the_poisson_tail_matches_scipy_stats():
    from scipy import stats

    observed = np.array([0, 1, 5, 12, 30])
    expected = np.array([2.0, 2.0, 2.0, 4.0, 10.0])
    want = np.where(observed > 0, stats.poisson.sf(observed - 1, expected), 1.0)
    np.testing.assert_allclose(poisson_upper_tail(observed, expected), want)


def test_the_negative_binomial_tail_matches_scipy_stats():
    from scipy import stats

    from forecasting.warning.surges import count_upper_tail

    observed = np.array([3, 10, 40, 160])
    mean = np.array([5.0, 5.0, 20.0, 100.0])
    variance = np.array([4.0, 15.0, 60.0, 400.0])  # the first is not overdispersed
    r = mean**2 / (variance - mean)
    q = mean / variance
    want = np.where(
        variance > mean,
        stats.nbinom.sf(observed - 1, r, q),
        stats.poisson.sf(observed - 1, mean),
    )
    np.testing.assert_allclose(count_upper_tail(observed, mean, variance), want, rtol=1e-9)


def test_a_noisy_series_needs_a_bigger_jump_than_a_steady_one():
    steady = _monthly({("MD-CA", "cybercrime"): [100] * 12 + [140]})
    noisy = _monthly(
        {("MD-CA", "cybercrime"): [70, 130, 85, 120, 100, 95, 110, 75, 125, 90, 105, 95, 140]}
    )
    assert len(surges(steady)) == 1
    assert surges(noisy).empty


def test_a_surge_is_found_and_noise_and_small_counts_are_not():
    frame = _monthly(
        {
            ("MD-CA", "migrant_smuggling"): [4] * 12 + [19],  # ~5× a steady level
            ("MD-CU", "drug_trafficking"): [20, 25, 18, 22, 24, 19, 21, 23, 20, 22, 25, 18, 27],
            ("MD-BA", "cybercrime"): [0] * 12 + [3],  # from nothing, but only 3
        }
    )
    before = frame.copy()
    found = surges(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert found[["region_code", "crime_type", "count"]].values.tolist() == [
        ["MD-CA", "migrant_smuggling", 19]
    ]
    row = found.iloc[0]
    assert row["expected"] == pytest.approx(4.0)
    assert row["ratio"] == pytest.approx(4.75)
    assert row["period"] == pd.Timestamp("2026-10-01")


def test_the_correction_grows_with_the_number_of_series():
    one = _monthly({("MD-CA", "migrant_smuggling"): [4] * 12 + [11]})
    assert len(surges(one)) == 1
    many = _monthly(
        {("MD-CA", "migrant_smuggling"): [4] * 12 + [11]}
        | {(f"UA-{i:02d}", "cybercrime"): [4] * 13 for i in range(40)}
    )
    assert surges(many).empty  # p ≈ 0.002 is not a surge among 41 series


def test_the_sentence_explains_the_alert():
    frame = _monthly({("MD-CA", "migrant_smuggling"): [4] * 12 + [19]})
    row = surges(frame).iloc[0]
    text = describe(row, {"MD-CA": "Cahul (Moldova)"}, {"migrant_smuggling": "Migrant smuggling"})
    assert text == (
        "Cahul (Moldova), Migrant smuggling: 19 incidents in October 2026, 4.8 times the "
        "monthly average of 4.0 over the 12 months before (chance of this by coincidence: "
        "less than 1 in a million)."
    )
    assert row["p_value"] == pytest.approx(3.88e-7, rel=1e-2)  # was "3e-07"


def test_empty_input_and_bad_baseline():
    assert surges(pd.DataFrame(columns=["period", "region_code", "crime_type", "count"])).empty
    with pytest.raises(ValueError, match="`baseline` must be at least 3 months. Got 2."):
        surges(_monthly({("A", "b"): [1] * 13}), baseline=2)


def _with_gaps(counts: list[float]) -> pd.DataFrame:
    """One series over MONTHS; NaN is a month not reported (kept as a row)."""
    return pd.DataFrame(
        {"period": MONTHS, "region_code": "MD-CA", "crime_type": "cybercrime", "count": counts}
    )


def test_a_zero_baseline_gives_a_finite_probability_and_says_first_since():
    from scipy import stats

    found = surges(_with_gaps([0.0] * 12 + [6.0]))
    row = found.iloc[0]
    # Gamma-Poisson predictive after 0 incidents in 12 months, Jeffreys' prior: r = 1/2,
    # success probability 12/13 (a Poisson with mean 0 made it 0, printed as 1e-75).
    assert row["p_value"] == pytest.approx(stats.nbinom.sf(5, 0.5, 12 / 13), rel=1e-9)
    assert 1e-9 <= row["p_value"] < 1e-7
    assert np.isnan(row["ratio"])
    text = describe(row, {"MD-CA": "Cahul (Moldova)"}, {"cybercrime": "Cybercrime"})
    assert text == (
        "Cahul (Moldova), Cybercrime: 6 incidents in October 2026, the first since October "
        "2025 (chance of this by coincidence: less than 1 in a million)."
    )
    assert message(row) == Message(
        "alert.surge_first",
        {
            "region": "MD-CA",
            "crime": "cybercrime",
            "count": 6,
            "month": pd.Timestamp("2026-10-01"),
            "baseline": 12,
            "months": 12,
            "odds": Message("odds.below_million"),
            "since": pd.Timestamp("2025-10-01"),
        },
    )


def test_months_not_reported_are_left_out_of_the_baseline():
    found = surges(_with_gaps([np.nan] * 6 + [4.0] * 6 + [19.0]))
    row = found.iloc[0]
    assert row["expected"] == pytest.approx(4.0) and row["baseline_months"] == 6
    assert row["since"] == pd.Timestamp("2026-04-01")
    text = describe(row, {"MD-CA": "Cahul (Moldova)"}, {"cybercrime": "Cybercrime"})
    assert text == (
        "Cahul (Moldova), Cybercrime: 19 incidents in October 2026, 4.8 times the monthly "
        "average of 4.0 over the 6 reported months of the 12 before (chance of this by "
        "coincidence: about 1 in 580,000)."
    )
    zero = describe(
        surges(_with_gaps([np.nan] * 4 + [0.0] * 8 + [9.0])).iloc[0],
        {"MD-CA": "Cahul (Moldova)"},
        {"cybercrime": "Cybercrime"},
    )
    assert zero.startswith(
        "Cahul (Moldova), Cybercrime: 9 incidents in October 2026, the first since February "
        "2026 (8 of the 12 months before reported; chance of this by coincidence: "
    )


def test_no_surge_from_a_month_not_reported_or_a_short_baseline():
    # A source's first months: 5 reported months are a baseline, not enough to test.
    assert surges(_with_gaps([np.nan] * 7 + [1.0] * 5 + [40.0])).empty
    # The first month after a gap of 7 months: the same.
    assert surges(_with_gaps([2.0] * 5 + [np.nan] * 7 + [40.0])).empty
    # The latest month not reported: nothing to test.
    assert surges(_with_gaps([2.0] * 12 + [np.nan])).empty
    # Had the silent months been zeros, each would have been a surge "after none".
    assert len(surges(_with_gaps([0.0] * 7 + [1.0] * 5 + [40.0]))) == 1
