"""WLS (structural) reconciliation: coherence, the closed form, counts, intervals, errors."""

import re

import numpy as np
import pandas as pd
import pytest

from forecasting.reconcile import COHERENCE_TOLERANCE, incoherence, reconcile

BOUNDS = ["lower_80", "upper_80", "lower_95", "upper_95"]
# Two countries of two regions each: AA = a1 + a2, BB = b1 + b2, ALL = AA + BB.
REGIONS = pd.DataFrame(
    {"region_code": ["a1", "a2", "b1", "b2"], "country": ["AA", "AA", "BB", "BB"]}
)
NODES = [
    ("total", "ALL"),
    ("country", "AA"),
    ("country", "BB"),
    ("region", "a1"),
    ("region", "a2"),
    ("region", "b1"),
    ("region", "b2"),
]


def frame(means, crime_type="theft", period="2026-01-01", half_80=2.0, half_95=4.0):
    """One (crime_type, period) group: a row per node, means in NODES order, symmetric bounds."""
    mean = np.asarray(means, dtype=float)
    return pd.DataFrame(
        {
            "level": [level for level, _ in NODES],
            "area": [area for _, area in NODES],
            "crime_type": crime_type,
            "period": pd.Timestamp(period),
            "mean": mean,
            "lower_80": mean - half_80,
            "upper_80": mean + half_80,
            "lower_95": mean - half_95,
            "upper_95": mean + half_95,
        }
    )


COHERENT = [50, 30, 20, 10, 20, 15, 5]
# AA is 10 above its regions' sum and ALL is 10 above the countries' sum.
INCOHERENT = [60, 40, 10, 10, 20, 5, 5]


def wls_struct(means):
    """The textbook formula, from an explicit S: S (S' W^-1 S)^-1 S' W^-1 y, W = diag(S 1)."""
    s = np.array(
        [
            [1, 1, 1, 1],
            [1, 1, 0, 0],
            [0, 0, 1, 1],
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
        ],
        dtype=float,
    )
    w_inv = np.diag(1.0 / s.sum(axis=1))
    bottom = np.linalg.inv(s.T @ w_inv @ s) @ s.T @ w_inv @ np.asarray(means, dtype=float)
    return s @ bottom


def test_coherent_input_comes_back_unchanged():
    base = pd.concat([frame(COHERENT), frame(np.array(COHERENT) * 2, crime_type="fraud")])
    got = reconcile(base, REGIONS)
    np.testing.assert_array_equal(got["mean"], base["mean"])
    np.testing.assert_array_equal(got["base_mean"], got["mean"])
    for bound in BOUNDS:
        np.testing.assert_array_equal(got[bound], base[bound].clip(lower=0))
    assert incoherence(got, REGIONS) == 0.0


def test_incoherent_input_becomes_coherent_with_the_closed_form_result():
    base = frame(INCOHERENT)
    assert incoherence(base, REGIONS) == pytest.approx(10.0)
    got = reconcile(base, REGIONS)
    assert incoherence(got, REGIONS) < COHERENCE_TOLERANCE
    # By hand: P = (S'W^-1S)^-1 S'W^-1 has first row (10, 25, -5, 85, -35, -5, -5) / 120.
    expected = [50.0, 37.5, 12.5, 13.75, 23.75, 6.25, 6.25]
    np.testing.assert_allclose(got["mean"], expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["mean"], wls_struct(INCOHERENT), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(got["base_mean"], INCOHERENT)


def test_every_crime_type_and_period_is_reconciled_on_its_own():
    parts = [
        frame(INCOHERENT),
        frame(COHERENT, period="2026-02-01"),
        frame([7, 1, 1, 2, 3, 4, 5], crime_type="fraud"),
    ]
    got = reconcile(pd.concat(parts, ignore_index=True), REGIONS)
    for i, part in enumerate(parts):
        rows = got.iloc[7 * i : 7 * (i + 1)]
        np.testing.assert_allclose(rows["mean"], wls_struct(part["mean"]), rtol=0, atol=1e-9)


def test_counts_stay_non_negative_and_coherent():
    # AA is far below a1 + a2 = 100, which pulls a1 (base 0) below zero before clipping.
    base = frame([100, 10, 20, 0, 100, 10, 10])
    assert wls_struct(base["mean"])[3] < 0
    got = reconcile(base, REGIONS)
    assert (got[["mean", *BOUNDS]] >= 0).all().all()
    assert got.loc[got["area"] == "a1", "mean"].item() == 0.0
    assert incoherence(got, REGIONS) < COHERENCE_TOLERANCE


def test_input_is_not_mutated_and_rows_columns_and_extras_are_kept():
    base = frame(INCOHERENT).assign(model="ets", note="")
    base = base.iloc[[4, 0, 6, 2, 1, 5, 3]].set_axis([10, 11, 12, 13, 14, 15, 16])
    before = base.copy()
    got = reconcile(base, REGIONS)
    pd.testing.assert_frame_equal(base, before)
    assert list(got.columns) == [*base.columns, "base_mean"]
    pd.testing.assert_index_equal(got.index, base.index)
    pd.testing.assert_frame_equal(
        got[["level", "area", "crime_type", "period", "model", "note"]],
        base[["level", "area", "crime_type", "period", "model", "note"]],
    )
    np.testing.assert_array_equal(got["base_mean"], base["mean"])
    assert incoherence(got, REGIONS) < COHERENCE_TOLERANCE


def test_bounds_move_with_the_mean():
    base = frame(INCOHERENT, half_80=1.0, half_95=3.0)
    got = reconcile(base, REGIONS)
    shift = got["mean"] - base["mean"]
    # No bound reaches 0 here, so each is the base bound plus the shift.
    for bound in BOUNDS:
        np.testing.assert_allclose(got[bound], base[bound] + shift, rtol=0, atol=1e-9)


def test_bounds_are_clipped_at_zero_and_ordered():
    base = frame([100, 10, 20, 0, 100, 10, 10], half_80=5.0, half_95=30.0)
    # A disordered base row: the mean is above both upper bounds, lower_95 above lower_80.
    base.loc[6, ["lower_80", "upper_80", "lower_95", "upper_95"]] = [8.0, 9.0, 9.0, 8.5]
    got = reconcile(base, REGIONS)
    assert (got[BOUNDS] >= 0).all().all()
    assert (got["lower_95"] <= got["lower_80"]).all()
    assert (got["lower_80"] <= got["mean"]).all()
    assert (got["mean"] <= got["upper_80"]).all()
    assert (got["upper_80"] <= got["upper_95"]).all()


def test_missing_bounds_stay_missing():
    base = frame(INCOHERENT)
    base.loc[3, "lower_80"] = np.nan
    got = reconcile(base, REGIONS)
    assert np.isnan(got.loc[3, "lower_80"])
    assert got.loc[3, "lower_95"] == pytest.approx(got.loc[3, "mean"] - 4.0)


def test_random_inputs_are_coherent_non_negative_and_ordered():
    rng = np.random.default_rng(0)
    parts = []
    for period in pd.date_range("2026-01-01", periods=5, freq="MS"):
        part = frame(rng.uniform(0, 50, len(NODES)), period=period)
        parts.append(part.assign(**{b: part[b] + rng.normal(0, 3, len(NODES)) for b in BOUNDS}))
    got = reconcile(pd.concat(parts, ignore_index=True), REGIONS)
    assert incoherence(got, REGIONS) < COHERENCE_TOLERANCE
    assert (got[["mean", *BOUNDS]] >= 0).all().all()
    ordered = got[["lower_95", "lower_80", "mean", "upper_80", "upper_95"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= 0).all()


def test_unequal_countries_match_the_textbook_formula():
    # AA has three regions, BB one: the weights differ between the countries.
    regions = pd.DataFrame(
        {"region_code": ["a1", "a2", "a3", "b1"], "country": ["AA", "AA", "AA", "BB"]}
    )
    nodes = [*NODES[:4], ("region", "a2"), ("region", "a3"), ("region", "b1")]
    means = np.array([100.0, 70.0, 20.0, 15.0, 25.0, 10.0, 12.0])
    base = frame(means).assign(
        level=[level for level, _ in nodes], area=[area for _, area in nodes]
    )
    s = np.array(
        [[1, 1, 1, 1], [1, 1, 1, 0], [0, 0, 0, 1], *np.eye(4)],
        dtype=float,
    )
    w_inv = np.diag(1.0 / s.sum(axis=1))
    expected = s @ np.linalg.solve(s.T @ w_inv @ s, s.T @ w_inv @ means)
    got = reconcile(base, regions)
    np.testing.assert_allclose(got["mean"], expected, rtol=0, atol=1e-9)
    assert incoherence(got, regions) < COHERENCE_TOLERANCE


def test_countries_outside_regions_do_not_count_in_the_total():
    # Only AA's regions are listed: the total is AA alone, and BB rows are unknown.
    regions = REGIONS[REGIONS["country"] == "AA"]
    base = frame(INCOHERENT)
    base = base[~base["area"].isin(["BB", "b1", "b2"])]
    got = reconcile(base, regions)
    # S = [[1, 1], [1, 1], [1, 0], [0, 1]], W = diag(2, 2, 1, 1): a1 = 50/3, a2 = 80/3.
    expected = [130 / 3, 130 / 3, 50 / 3, 80 / 3]
    np.testing.assert_allclose(got["mean"], expected, rtol=0, atol=1e-9)


def test_without_a_total_countries_and_regions_match_the_textbook_formula():
    # A total left out (its forecast covers other months): countries → regions only.
    regions = pd.DataFrame(
        {"region_code": ["a1", "a2", "a3", "b1"], "country": ["AA", "AA", "AA", "BB"]}
    )
    nodes = [*NODES[1:4], ("region", "a2"), ("region", "a3"), ("region", "b1")]
    means = np.array([70.0, 20.0, 15.0, 25.0, 10.0, 12.0])
    base = (
        frame(np.r_[0.0, means])
        .iloc[1:]
        .assign(level=[level for level, _ in nodes], area=[area for _, area in nodes])
    )
    s = np.array([[1, 1, 1, 0], [0, 0, 0, 1], *np.eye(4)], dtype=float)
    w_inv = np.diag(1.0 / s.sum(axis=1))
    expected = s @ np.linalg.solve(s.T @ w_inv @ s, s.T @ w_inv @ means)
    got = reconcile(base, regions)
    np.testing.assert_allclose(got["mean"], expected, rtol=0, atol=1e-9)
    assert incoherence(got, regions) < COHERENCE_TOLERANCE
    assert "total" not in set(got["level"])


def test_empty_input_gives_an_empty_result():
    got = reconcile(frame(COHERENT).iloc[0:0], REGIONS)
    assert got.empty and "base_mean" in got.columns


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: b.drop(columns=["upper_95", "crime_type"]),
            "base is missing required column(s): crime_type, upper_95",
        ),
        (
            lambda b: b.assign(area=b["area"].replace("b2", "zz")),
            "region 'zz' in base is not in regions",
        ),
        (
            lambda b: b.assign(area=b["area"].replace("BB", "CC")),
            "country 'CC' in base is not in regions",
        ),
        (
            lambda b: b.assign(area=b["area"].replace("ALL", "EU")),
            "total rows must have area 'ALL', got 'EU'",
        ),
        (
            lambda b: b.assign(level=b["level"].replace("total", "world")),
            "unknown level 'world'; expected 'region', 'country' or 'total'",
        ),
        (
            lambda b: b[b["area"] != "a2"],
            "no row for level 'region', area 'a2', crime_type 'theft', period 2026-01-01",
        ),
        (
            lambda b: b[b["area"] != "BB"],
            "no row for level 'country', area 'BB', crime_type 'theft', period 2026-01-01",
        ),
        (
            lambda b: pd.concat([b, b.assign(period=pd.Timestamp("2026-02-01"))])[
                lambda f: (f["level"] != "total") | (f["period"] != pd.Timestamp("2026-02-01"))
            ],
            "no row for level 'total', area 'ALL', crime_type 'theft', period 2026-02-01",
        ),
        (
            lambda b: pd.concat([b, b.iloc[[5]]]),
            "duplicate rows for level 'region', area 'b1', crime_type 'theft', period 2026-01-01",
        ),
        (
            lambda b: b.assign(mean=b["mean"].where(b["area"] != "AA", np.nan)),
            "mean must be finite; it is not for "
            "level 'country', area 'AA', crime_type 'theft', period 2026-01-01",
        ),
        (
            lambda b: b.assign(base_mean=b["mean"]),
            "base already has a 'base_mean' column; is it reconciled already?",
        ),
    ],
)
def test_errors_name_what_is_wrong(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        reconcile(change(frame(INCOHERENT)), REGIONS)


def test_a_group_missing_a_node_is_named_even_when_others_are_complete():
    base = pd.concat([frame(COHERENT), frame(COHERENT, crime_type="fraud", period="2026-03-01")])
    base = base[~((base["crime_type"] == "fraud") & (base["area"] == "ALL"))]
    message = "no row for level 'total', area 'ALL', crime_type 'fraud', period 2026-03-01"
    with pytest.raises(ValueError, match=re.escape(message)):
        reconcile(base, REGIONS)


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        (REGIONS.drop(columns="country"), "regions is missing required column(s): country"),
        (REGIONS.iloc[0:0], "regions is empty"),
        (
            pd.concat([REGIONS, pd.DataFrame({"region_code": ["a1"], "country": ["BB"]})]),
            "region 'a1' belongs to more than one country in regions: 'AA', 'BB'",
        ),
    ],
)
def test_errors_in_the_hierarchy(regions, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        reconcile(frame(INCOHERENT), regions)


def test_incoherence_measures_the_largest_gap():
    assert incoherence(frame(COHERENT), REGIONS) == 0.0
    assert incoherence(frame([50, 30, 23, 10, 20, 15, 5]), REGIONS) == pytest.approx(3.0)
