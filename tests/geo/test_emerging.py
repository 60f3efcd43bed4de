"""Tests for geo.emerging: Esri's 17 categories, Mann–Kendall, space-time Gi*, end to end."""

import re

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geo.emerging import (
    CATEGORIES,
    EMERGING_COLUMNS,
    classify,
    emerging_hot_spots,
    mann_kendall,
    space_time_gi_star,
)

N = 10  # periods in the constructed patterns: 9 of 10 is exactly the 90 % threshold
UP = (3.0, 0.001)  # a significant rising trend (z, p)
DOWN = (-3.0, 0.001)
FLAT = (0.4, 0.7)


def steps(*positions: int) -> np.ndarray:
    """A boolean series of N periods, True at ``positions`` (negative counts from the end)."""
    flags = np.zeros(N, dtype=bool)
    flags[list(positions)] = True
    return flags


ALL = tuple(range(N))
NONE = steps()

PATTERNS = {
    "no pattern detected": (NONE, NONE, FLAT),
    "new hot spot": (steps(-1), NONE, FLAT),
    "consecutive hot spot": (steps(-3, -2, -1), NONE, FLAT),
    "intensifying hot spot": (steps(*ALL), NONE, UP),
    "persistent hot spot": (steps(*ALL), NONE, FLAT),
    "diminishing hot spot": (steps(*ALL), NONE, DOWN),
    "sporadic hot spot": (steps(1, 4, 5, -1), NONE, FLAT),
    "oscillating hot spot": (steps(1, -1), steps(4), FLAT),
    "historical hot spot": (steps(*range(N - 1)), NONE, FLAT),
    "new cold spot": (NONE, steps(-1), FLAT),
    "consecutive cold spot": (NONE, steps(-2, -1), FLAT),
    "intensifying cold spot": (NONE, steps(*ALL), DOWN),
    "persistent cold spot": (NONE, steps(*ALL), FLAT),
    "diminishing cold spot": (NONE, steps(*ALL), UP),
    "sporadic cold spot": (NONE, steps(0, 2, -1), FLAT),
    "oscillating cold spot": (steps(3), steps(0, -1), FLAT),
    "historical cold spot": (NONE, steps(*range(N - 1)), DOWN),
}


def test_every_category_has_a_pattern():
    assert len(CATEGORIES) == len(set(CATEGORIES)) == 17
    assert set(PATTERNS) == set(CATEGORIES)


@pytest.mark.parametrize("category", list(PATTERNS))
def test_each_category_comes_from_its_published_pattern(category):
    hot, cold, (trend_z, trend_p) = PATTERNS[category]
    assert classify(hot, cold, trend_z, trend_p) == category


@pytest.mark.parametrize(
    ("hot", "cold", "trend", "expected"),
    [
        # 8 of 10 periods is below 90 %: a hot final period with earlier spells is sporadic.
        (steps(*range(2, N)), NONE, UP, "consecutive hot spot"),
        (steps(0, *range(3, N)), NONE, UP, "sporadic hot spot"),
        # Persistent does not mention the final period, historical needs it not hot.
        (steps(*range(N - 1)), NONE, UP, "historical hot spot"),
        # Never hot before, but cold before: new (Esri's "new" ignores cold spells).
        (steps(-1), steps(0, 1, 2), FLAT, "new hot spot"),
        (steps(-2, -1), steps(0), FLAT, "consecutive hot spot"),
        # A single final hot period after an earlier one is not consecutive.
        (steps(2, -1), NONE, FLAT, "sporadic hot spot"),
        # A trend that is not significant, or undefined, is no trend.
        (steps(*ALL), NONE, (5.0, 0.2), "persistent hot spot"),
        (steps(*ALL), NONE, (np.nan, np.nan), "persistent hot spot"),
        (NONE, steps(*ALL), (2.0, 0.05), "diminishing cold spot"),
        # Cold history but neither hot at the end nor 90 % anything.
        (steps(0), steps(1), FLAT, "no pattern detected"),
    ],
)
def test_where_the_published_rules_leave_room(hot, cold, trend, expected):
    assert classify(hot, cold, *trend) == expected


def test_the_threshold_counts_periods_not_rounded_shares():
    """54 of 60 periods is exactly 90 %; 53 is not."""
    never = np.zeros(60, dtype=bool)
    hot = np.ones(60, dtype=bool)
    hot[:6] = False
    assert classify(hot, never, *FLAT) == "persistent hot spot"
    hot[30] = False
    assert classify(hot, never, *FLAT) == "sporadic hot spot"
    assert classify(hot, never, *FLAT, threshold=0.85) == "persistent hot spot"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (
            (steps(1), steps(1), *FLAT),
            {},
            "A period cannot be both hot and cold; both at positions [1].",
        ),
        (
            ([True], [False, False], *FLAT),
            {},
            "`hot` and `cold` must be 1-D and of the same non-zero length. "
            "Got shapes (1,) and (2,).",
        ),
        ((NONE, NONE, *FLAT), {"threshold": 0}, "`threshold` must be in (0, 1]. Got 0."),
        ((NONE, NONE, *FLAT), {"alpha": 0}, "`alpha` must be between 0 and 1 (exclusive). Got 0."),
    ],
)
def test_classify_rejects_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        classify(*args, **kwargs)


# --- Mann–Kendall -------------------------------------------------------------------


def mann_kendall_loop(x):
    """Textbook Mann–Kendall (Gilbert 1987, ch. 16), one series, with explicit tie groups."""
    n = len(x)
    s = sum(np.sign(x[j] - x[i]) for i in range(n - 1) for j in range(i + 1, n))
    _, group_sizes = np.unique(x, return_counts=True)
    ties = sum(t * (t - 1) * (2 * t + 5) for t in group_sizes)
    variance = (n * (n - 1) * (2 * n + 5) - ties) / 18
    if s > 0:
        z = (s - 1) / np.sqrt(variance)
    elif s < 0:
        z = (s + 1) / np.sqrt(variance)
    else:
        z = 0.0
    return s, variance, z, 2 * (1 - stats.norm.cdf(abs(z)))


def series_with_ties():
    rng = np.random.default_rng(11)
    rows = [rng.integers(0, 4, 25).astype(float) for _ in range(20)]  # many ties
    rows.append(np.arange(25.0))  # strictly rising
    rows.append(np.arange(25.0)[::-1] + rng.normal(0, 3, 25))  # falling with noise
    rows.append(np.full(25, 2.0))  # constant
    return np.vstack(rows)


def test_mann_kendall_matches_a_loop_reference_including_ties():
    series = series_with_ties()
    result = mann_kendall(series)
    for row, x in enumerate(series):
        s, variance, z, p = mann_kendall_loop(x)
        assert result.s[row] == s
        assert result.variance[row] == pytest.approx(variance)
        assert result.z[row] == pytest.approx(z)
        assert result.p[row] == pytest.approx(p)


def test_mann_kendall_without_continuity_matches_scipys_kendalltau_against_time():
    """kendalltau's asymptotic test uses the same tie-corrected variance of S."""
    series = series_with_ties()[:-1]  # tau is undefined for the constant series
    result = mann_kendall(series, continuity=False)
    time = np.arange(series.shape[1])
    for row, x in enumerate(series):
        tau = stats.kendalltau(time, x, method="asymptotic")
        assert np.sign(result.s[row]) == np.sign(tau.statistic)
        assert result.p[row] == pytest.approx(tau.pvalue)


def test_mann_kendall_of_a_single_series_and_of_a_constant_one():
    rising = mann_kendall([1.0, 2.0, 3.0, 4.0, 5.0])
    assert isinstance(rising.z, float) and rising.s == 10.0 and rising.z > 0
    flat = mann_kendall(np.full(6, 4.0))
    assert (flat.s, flat.variance, flat.z, flat.p) == (0.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([1.0], "The Mann–Kendall test needs at least two periods. Got 1."),
        ([1.0, np.nan, 2.0], "`series` contains NaN."),
    ],
)
def test_mann_kendall_rejects_bad_input(series, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        mann_kendall(series)


# --- Space-time Gi* -----------------------------------------------------------------


def test_one_period_without_time_window_is_esdas_gi_star():
    weights = libpysal.weights.lat2W(6, 6, rook=False)
    values = np.random.default_rng(12).poisson(5, 36).astype(float)
    z, p = space_time_gi_star(values[:, None], weights, time_window=0)
    expected = esda.G_Local(values, weights, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(z[:, 0], expected.Zs)
    np.testing.assert_allclose(p[:, 0], 2 * expected.p_norm)


def test_space_time_gi_star_matches_explicit_space_time_weights():
    """Against Getis & Ord's formula on a dense (regions × periods)² binary weights matrix."""
    side, periods, window = 4, 7, 2
    weights = libpysal.weights.lat2W(side, side, rook=False)
    cube = np.random.default_rng(13).poisson(4, (side * side, periods)).astype(float)
    z, _ = space_time_gi_star(cube, weights, time_window=window)

    spatial = weights.full()[0] + np.eye(side * side)
    n = cube.size
    x = cube.ravel()  # bin (region r, period t) is r * periods + t
    mean, spread = x.mean(), x.std()
    expected = np.empty_like(cube)
    for r in range(side * side):
        for t in range(periods):
            w = np.zeros_like(cube)
            w[spatial[r] > 0, max(0, t - window) : t + 1] = 1.0
            w = w.ravel()
            numerator = w @ x - mean * w.sum()
            denominator = spread * np.sqrt((n * (w**2).sum() - w.sum() ** 2) / (n - 1))
            expected[r, t] = numerator / denominator
    np.testing.assert_allclose(z, expected)


# --- End to end ---------------------------------------------------------------------

SIDE, PERIODS = 7, 20
BLOCK = [r * SIDE + c for r in range(2, 5) for c in range(2, 5)]
CENTRE = 3 * SIDE + 3


def as_panel(cube: np.ndarray) -> pd.DataFrame:
    months = pd.period_range("2021-01", periods=cube.shape[1], freq="M")
    return pd.DataFrame(
        {
            "region_code": np.repeat(np.arange(cube.shape[0]), cube.shape[1]),
            "period": np.tile(months, cube.shape[0]),
            "value": cube.ravel(),
        }
    )


def background(level: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).poisson(level, (SIDE * SIDE, PERIODS)).astype(float)


def planted(kind: str, seed: int) -> np.ndarray:
    """A 3×3 block of regions with a constructed history among Poisson noise."""
    t = np.arange(PERIODS)
    cube = background(30 if kind.endswith("cold spot") else 5, seed)
    if kind == "new hot spot":
        cube[BLOCK, -1] = 60
    elif kind == "consecutive hot spot":
        cube[BLOCK, -4:] = 60
    elif kind == "intensifying hot spot":
        cube[BLOCK] = 40 + 2 * t
    elif kind == "persistent hot spot":
        cube[BLOCK] = 40
    elif kind == "diminishing hot spot":
        cube[BLOCK] = 78 - 2 * t
    elif kind == "persistent cold spot":
        cube[BLOCK] = 0
    elif kind == "new cold spot":
        cube[BLOCK, -1] = 0
    return cube


@pytest.mark.parametrize(
    "kind",
    [
        "new hot spot",
        "consecutive hot spot",
        "intensifying hot spot",
        "persistent hot spot",
        "diminishing hot spot",
        "persistent cold spot",
        "new cold spot",
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_constructed_panels_come_out_as_their_category(kind, seed):
    weights = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    result = emerging_hot_spots(as_panel(planted(kind, seed)), weights)
    assert list(result.columns) == EMERGING_COLUMNS
    assert result["region_code"].tolist() == list(range(SIDE * SIDE))
    assert result.loc[CENTRE, "category"] == kind


def test_pure_noise_has_no_pattern_after_fdr():
    weights = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    result = emerging_hot_spots(as_panel(background(5, seed=3)), weights)
    assert (result["category"] == "no pattern detected").all()
    assert (result[["hot_share", "cold_share"]] == 0).all().all()


def test_output_columns_describe_the_region():
    weights = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    result = emerging_hot_spots(as_panel(planted("intensifying hot spot", 0)), weights)
    centre = result.loc[CENTRE]
    assert centre["trend_z"] > 0 and centre["trend_p"] <= 0.05
    assert centre["hot_share"] >= 0.9 and centre["cold_share"] == 0
    assert centre["final_z"] > 0 and centre["final_p"] <= 0.05


def test_missing_rows_count_as_zero_and_listed_periods_count_even_without_rows():
    weights = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    cube = planted("persistent hot spot", 0)
    cube[:, 5] = 0.0
    cube[BLOCK[0], 7] = 0.0
    full = as_panel(cube)
    sparse_rows = full[full["value"] > 0]
    months = pd.period_range("2021-01", periods=PERIODS, freq="M")
    expected = emerging_hot_spots(full, weights)
    pd.testing.assert_frame_equal(
        emerging_hot_spots(sparse_rows, weights, periods=months), expected
    )
    # Without `periods` the empty month 6 is unknown, so there are only 19 periods.
    shorter = emerging_hot_spots(sparse_rows, weights)
    assert not shorter["hot_share"].equals(expected["hot_share"])


def test_inputs_are_not_modified():
    weights = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    panel = as_panel(planted("new hot spot", 0))
    before = panel.copy()
    emerging_hot_spots(panel, weights)
    pd.testing.assert_frame_equal(panel, before)
    assert weights.transform == "O"


def test_fdr_off_flags_more_bins():
    weights = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    panel = as_panel(background(5, seed=4))
    with_fdr = emerging_hot_spots(panel, weights)
    without = emerging_hot_spots(panel, weights, fdr=False)
    assert without["hot_share"].sum() + without["cold_share"].sum() > 0
    assert (without["final_p"] <= with_fdr["final_p"]).all()


def small_panel(**changes) -> pd.DataFrame:
    panel = pd.DataFrame(
        {"region_code": [0, 1, 0, 1], "period": ["2024-01", "2024-01", "2024-02", "2024-02"]}
    )
    panel["value"] = [1.0, 2.0, 3.0, 4.0]
    for column, values in changes.items():
        panel[column] = values
    return panel


@pytest.mark.parametrize(
    ("panel", "kwargs", "message"),
    [
        (small_panel().drop(columns="value"), {}, "`panel` lacks columns: ['value']."),
        (small_panel().iloc[:0], {}, "`panel` is empty; pass at least one region-period value."),
        (
            small_panel(period=["2024-01"] * 4),
            {},
            "`panel` has more than one row for (region_code, period): "
            "[('0', '2024-01'), ('1', '2024-01')].",
        ),
        (
            small_panel(region_code=[0, 1, 0, "MD-XX"]),
            {},
            "Region codes not in the weights: ['MD-XX'].",
        ),
        (
            small_panel(value=[1.0, None, 3.0, "x"]),
            {},
            "`panel` has missing or non-numeric values in 'value' in 2 rows.",
        ),
        (
            small_panel(value=[1.0, -2.0, 3.0, 4.0]),
            {},
            "Gi* needs non-negative values; 'value' is negative in 1 rows.",
        ),
        (
            small_panel(
                period=["2024-01", "2024-01", "2024-01", "2024-01"], region_code=[0, 1, 2, 3]
            ),
            {},
            "Emerging hot spot analysis needs at least two periods. Got 1.",
        ),
        (
            small_panel(),
            {"periods": ["2024-01"]},
            "Periods in `panel` not in `periods`: ['2024-02'].",
        ),
        (small_panel(), {"periods": ["2024-01", "2024-01"]}, "`periods` has duplicates."),
        (
            small_panel(),
            {"time_window": -1},
            "`time_window` must be a non-negative integer. Got -1.",
        ),
        (small_panel(), {"alpha": 2}, "`alpha` must be between 0 and 1 (exclusive). Got 2."),
        (
            small_panel().to_dict(),
            {},
            "`panel` must be a DataFrame. Got dict.",
        ),
    ],
)
def test_emerging_hot_spots_rejects_bad_input_with_a_clear_message(panel, kwargs, message):
    weights = libpysal.weights.lat2W(2, 2, rook=False)
    with pytest.raises(ValueError, match=re.escape(message)):
        emerging_hot_spots(panel, weights, **kwargs)
