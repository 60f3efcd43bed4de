"""Tests for geo.hotspots: planted clusters are found, noise is not, inputs stay as they were."""

import re

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
from esda.significance import calculate_significance

from geo.hotspots import (
    GI_COLUMNS,
    MORAN_COLUMNS,
    benjamini_hochberg,
    getis_ord,
    is_significant,
    local_moran,
    permutation_p_values,
    two_sided,
)

SIDE = 12


def lattice(side: int = SIDE) -> libpysal.weights.W:
    """Queen contiguity on a side × side grid; ids 0 … side² - 1, row by row."""
    return libpysal.weights.lat2W(side, side, rook=False)


def cell(row: int, col: int, side: int = SIDE) -> int:
    return row * side + col


def square(top: int, left: int, size: int, side: int = SIDE) -> list[int]:
    return [cell(top + r, left + c, side) for r in range(size) for c in range(size)]


def ring(row: int, col: int) -> list[int]:
    return [cell(row + dr, col + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]


def poisson_map(mean: float, seed: int, side: int = SIDE) -> pd.Series:
    counts = np.random.default_rng(seed).poisson(mean, side * side).astype(float)
    return pd.Series(counts, index=range(side * side))


def test_a_planted_cluster_of_high_counts_is_hot_after_fdr():
    """A 4×4 block at 8× the background: its inner cells are hot, nothing far away is."""
    values = poisson_map(5, seed=1)
    block = square(4, 4, 4)
    values[block] = np.random.default_rng(2).poisson(40, len(block))
    result = getis_ord(values, lattice())
    assert list(result.columns) == GI_COLUMNS
    hot = set(result.loc[result["hot_cold"] == "hot", "region_code"])
    assert set(square(5, 5, 2)) <= hot
    near_block = set(square(3, 3, 6))  # the block and the ring of cells touching it
    assert hot <= near_block
    assert not (result["hot_cold"] == "cold").any()
    assert (result.loc[list(hot), "p_fdr"] <= 0.05).all()
    assert (result.loc[list(hot), "gi_z"] > 0).all()


def test_a_planted_cluster_of_zeros_is_cold_after_fdr():
    """A 4×4 block of zeros among counts around 30: inner cells cold, nothing hot."""
    values = poisson_map(30, seed=3)
    values[square(4, 4, 4)] = 0.0
    result = getis_ord(values, lattice())
    cold = set(result.loc[result["hot_cold"] == "cold", "region_code"])
    assert set(square(5, 5, 2)) <= cold
    assert cold <= set(square(3, 3, 6))
    assert not (result["hot_cold"] == "hot").any()
    assert (result.loc[list(cold), "gi_z"] < 0).all()


def test_gi_z_is_esdas_standardised_gi_star_on_binary_weights():
    values = poisson_map(5, seed=4)
    expected = esda.G_Local(
        values.to_numpy(), lattice(), transform="B", star=True, permutations=0
    ).Zs
    np.testing.assert_allclose(getis_ord(values, lattice())["gi_z"], expected)


def gamma_map(seed: int, side: int = SIDE) -> pd.Series:
    """Continuous values without ties, like rates of populous regions."""
    values = np.random.default_rng(seed).gamma(2.0, 3.0, side * side)
    return pd.Series(values, index=range(side * side))


def _flag_rates(statistic, make_map) -> tuple[float, float, float, int]:
    """Mean share of regions at two-sided p <= 0.05, its standard error, the mean share
    at nearer-tail p_sim <= 0.05, and the maps with any flag after FDR, over 50 maps."""
    alpha, side, maps = 0.05, 10, 50
    weights = lattice(side)
    two_sided_rates, nearer_rates, flagged_maps = [], [], 0
    for draw in range(maps):
        result = statistic(make_map(1000 + draw, side), weights, seed=draw)
        two_sided_rates.append(np.mean(two_sided(result["p_sim"]) <= alpha))
        nearer_rates.append(np.mean(result["p_sim"] <= alpha))
        flagged_maps += bool((result.iloc[:, -1] != "none").any())
    standard_error = np.std(two_sided_rates, ddof=1) / np.sqrt(maps)
    return np.mean(two_sided_rates), standard_error, np.mean(nearer_rates), flagged_maps


@pytest.mark.parametrize("statistic", [getis_ord, local_moran])
def test_on_random_values_the_share_flagged_is_near_alpha(statistic):
    """Under spatial randomness (iid values without ties) about alpha of the regions
    have two-sided p <= alpha.

    Maps are independent draws, so the standard error of the mean per-map rate is
    estimated from their spread, whatever the correlation between neighbours within
    a map; 4 standard errors is a sound bound. The nearer tail's p alone flags about
    twice alpha, which is why the decision uses the two-sided value. After the FDR
    correction, flags are rare.
    """
    rate, standard_error, nearer, flagged_maps = _flag_rates(
        statistic, lambda seed, side: gamma_map(seed, side)
    )
    assert abs(rate - 0.05) <= 4 * standard_error
    assert nearer > 1.5 * 0.05
    # BH controls the chance of any flag on a map with no clusters at alpha.
    assert flagged_maps <= 0.15 * 50


@pytest.mark.parametrize("statistic", [getis_ord, local_moran])
def test_on_random_counts_with_ties_the_test_keeps_its_level(statistic):
    """Poisson(5) counts tie often; ties count against significance in both tails, so
    the test is conservative (about 3.7 %), never above alpha."""
    rate, standard_error, _, flagged_maps = _flag_rates(
        statistic, lambda seed, side: poisson_map(5, seed, side)
    )
    assert rate <= 0.05 + 2 * standard_error
    assert rate >= 0.5 * 0.05
    assert flagged_maps <= 0.15 * 50


def test_results_are_reproducible_and_depend_on_the_seed():
    values = poisson_map(5, seed=5)
    first = getis_ord(values, lattice(), seed=7)
    pd.testing.assert_frame_equal(first, getis_ord(values, lattice(), seed=7))
    assert not first["p_sim"].equals(getis_ord(values, lattice(), seed=8)["p_sim"])


def test_numpys_global_random_state_is_left_alone():
    """esda reseeds NumPy's global generator; the functions restore it."""
    np.random.seed(99)
    expected = np.random.random(3)
    np.random.seed(99)
    getis_ord(poisson_map(5, seed=6), lattice())
    local_moran(poisson_map(5, seed=6), lattice())
    np.testing.assert_array_equal(np.random.random(3), expected)


def test_inputs_are_not_modified():
    """esda.Moran_Local row-standardises the W it gets; the caller's W must stay binary."""
    values = poisson_map(5, seed=7)
    weights = lattice()
    values_before = values.copy()
    neighbours_before = {key: list(found) for key, found in weights.neighbors.items()}
    getis_ord(values, weights)
    local_moran(values, weights)
    pd.testing.assert_series_equal(values, values_before)
    assert weights.transform == "O"
    assert weights.neighbors == neighbours_before
    assert set(weights.weights[0]) == {1.0}


def test_regions_missing_from_values_count_as_zero():
    weights = lattice(3)
    result = getis_ord(pd.Series({0: 4.0, 4: 9.0}), weights)
    assert result["region_code"].tolist() == list(range(9))
    assert result["value"].tolist() == [4.0, 0, 0, 0, 9.0, 0, 0, 0, 0]


def test_equal_values_have_no_clusters():
    for statistic in (getis_ord, local_moran):
        result = statistic(pd.Series(3.0, index=range(9)), lattice(3))
        assert (result.iloc[:, -1] == "none").all()
        assert (result["p_fdr"] == 1.0).all()


def one_count_among_zeros() -> pd.Series:
    values = pd.Series(0.0, index=range(SIDE * SIDE))
    values[cell(5, 5)] = 7.0
    return values


def nearly_uniform_counts() -> pd.Series:
    """Counts of 3 with a scattering of 4s: most neighbourhood sums tie."""
    return pd.Series(np.random.default_rng(0).choice([3.0, 4.0], SIDE * SIDE, p=[0.9, 0.1]))


def esda_gi_star(values: pd.Series, permutations: int = 999, seed: int = 12345):
    return esda.G_Local(
        values.to_numpy(),
        lattice(),
        transform="B",
        star=True,
        permutations=permutations,
        keep_simulations=True,
        n_jobs=1,
        seed=seed,
    )


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("make_values", [one_count_among_zeros, nearly_uniform_counts])
def test_tail_p_values_count_ties_as_esdas_greater_and_lesser_tests_do(make_values):
    """On esda's own permutations, each tail counts the draws at least as extreme,
    ties included: esda's "greater" and "lesser" p-values.

    esda's p_sim leaves ties out of the lower tail: a region at the bottom of its
    draws, tied with a third or more of them, gets esda's smallest p-value, 0.001,
    where the share of draws as low as it is the p-value.
    """
    gi = esda_gi_star(make_values())
    p_upper, p_lower = permutation_p_values(gi.Gs, gi.sim)
    np.testing.assert_array_equal(p_upper, calculate_significance(gi.Gs, gi.sim.T, "greater"))
    np.testing.assert_array_equal(p_lower, calculate_significance(gi.Gs, gi.sim.T, "lesser"))
    ties = (gi.sim == gi.Gs).sum(axis=0)
    at_the_bottom = (gi.sim >= gi.Gs).all(axis=0) & (ties >= 333)
    assert at_the_bottom.sum() >= 20
    assert (gi.p_sim[at_the_bottom] == np.float32(1 / 1000)).all()
    assert (p_lower[at_the_bottom] == (1 + ties[at_the_bottom]) / 1000).all()


def test_tail_p_values_by_hand():
    """Five draws 0, 0, 1, 0, 2 against an observed 0: four at or above, three at or
    below; the ties count in both tails."""
    p_upper, p_lower = permutation_p_values([0.0, 2.0], [[0, 0], [0, 0], [1, 1], [0, 0], [2, 2]])
    assert p_upper.tolist() == [1.0, 2 / 6]
    assert p_lower.tolist() == [4 / 6, 1.0]


def test_draws_equal_but_for_rounding_count_as_ties():
    """esda sums the observation and its draws in different orders; on rates they can
    differ in the last bits and must still tie."""
    observed = 0.1 + 0.2  # 0.30000000000000004
    p_upper, p_lower = permutation_p_values([observed], [[0.3], [0.3], [0.5]])
    assert (p_upper.tolist(), p_lower.tolist()) == ([1.0], [0.75])


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_local_moran_tail_p_values_count_ties_on_esdas_permutations():
    values = one_count_among_zeros()
    lisa = esda.Moran_Local(
        values.to_numpy(), lattice(), permutations=999, keep_simulations=True, seed=12345
    )
    # Snap draws that equal the observation but for rounding, then count exactly.
    sims = np.where(np.isclose(lisa.sim, lisa.Is, rtol=1e-9, atol=0), lisa.Is, lisa.sim)
    p_upper, p_lower = permutation_p_values(lisa.Is, lisa.sim)
    np.testing.assert_array_equal(p_upper, calculate_significance(lisa.Is, sims.T, "greater"))
    np.testing.assert_array_equal(p_lower, calculate_significance(lisa.Is, sims.T, "lesser"))


@pytest.mark.parametrize("statistic", [getis_ord, local_moran])
@pytest.mark.parametrize("make_values", [one_count_among_zeros, nearly_uniform_counts])
def test_tied_data_have_no_significant_region(statistic, make_values):
    """All zeros but one region, or counts of 3 and a few 4s: nothing to find. Before
    ties were counted, Gi* called 135 and 47 of the 144 regions cold spots."""
    result = statistic(make_values(), lattice(), permutations=9_999)
    assert (result.iloc[:, -1] == "none").all()
    assert result["p_fdr"].min() == 1.0


def test_a_cluster_among_zeros_is_hot_and_the_zeros_are_not_cold():
    """A 4×4 block of 20s on a map of zeros: 12 block and border cells hot (the same
    as before ties were counted), none of the zeros cold (108 were)."""
    values = pd.Series(0.0, index=range(SIDE * SIDE))
    values[square(4, 4, 4)] = 20.0
    gi = getis_ord(values, lattice(), permutations=9_999)
    hot = set(gi.loc[gi["hot_cold"] == "hot", "region_code"])
    assert set(square(5, 5, 2)) <= hot <= set(square(3, 3, 6))
    assert len(hot) == 12
    assert not (gi["hot_cold"] == "cold").any()
    moran = local_moran(values, lattice(), permutations=9_999)
    assert set(moran.loc[moran["cluster"] != "none", "cluster"]) == {"HH"}


def test_local_moran_labels_each_kind_of_cluster_and_outlier():
    """High among high (HH), low among low (LL), high among low (HL), low among high (LH)."""
    values = pd.Series(np.random.default_rng(8).normal(50, 5, SIDE * SIDE))
    values[ring(2, 2) + [cell(2, 2)]] = 100.0
    values[ring(2, 9) + [cell(2, 9)]] = 0.0
    values[ring(9, 2)] = 0.0
    values[cell(9, 2)] = 100.0
    values[ring(9, 9)] = 100.0
    values[cell(9, 9)] = 0.0
    result = local_moran(values, lattice()).set_index("region_code")
    assert list(local_moran(values, lattice()).columns) == MORAN_COLUMNS
    clusters = result["cluster"]
    assert clusters[cell(2, 2)] == "HH"
    assert clusters[cell(2, 9)] == "LL"
    assert clusters[cell(9, 2)] == "HL"
    assert clusters[cell(9, 9)] == "LH"
    assert (result.loc[clusters != "none", "p_fdr"] <= 0.05).all()
    assert (result.loc[clusters.isin(["HH", "LL"]), "moran_i"] > 0).all()
    assert (result.loc[clusters.isin(["HL", "LH"]), "moran_i"] < 0).all()


def test_benjamini_hochberg_matches_the_step_up_rule():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205])
    adjusted = benjamini_hochberg(p)
    m = len(p)
    # Reject the k smallest where k is the largest rank with p_(k) <= k/m * alpha.
    k = max(rank for rank in range(1, m + 1) if np.sort(p)[rank - 1] <= rank / m * 0.05)
    assert (adjusted <= 0.05).sum() == k == 2
    assert benjamini_hochberg(p.reshape(2, 4)).shape == (2, 4)


def test_a_p_value_exactly_at_alpha_after_fdr_counts_as_significant():
    """0.034 × 100 / 68 is 0.05 exactly, though floating point gives 0.05000000000000001."""
    adjusted = benjamini_hochberg([0.034] * 68 + [0.5] * 32)
    assert adjusted[0] > 0.05  # the rounding this guards against
    assert is_significant(adjusted, 0.05).tolist() == [True] * 68 + [False] * 32


def test_esdas_float32_p_values_do_not_hide_regions_at_exactly_alpha():
    """Three regions at p_sim 0.002, ranks 6-8 of 100: 2 × 0.002 × 100 / 8 is exactly alpha.

    esda's float32 0.002 would make that 0.0500000024 and drop them.
    """
    values = pd.Series(np.random.default_rng(4).poisson(20, 100).astype(float))
    values[square(3, 3, 3, side=10)] = 0.0
    result = getis_ord(values, lattice(10))
    at_alpha = result[result["p_fdr"] == 0.05]
    assert len(at_alpha) == 3
    assert (at_alpha["hot_cold"] != "none").all()


def test_a_region_whose_neighbourhood_is_the_whole_map_is_not_significant():
    """The centre of a 3×3 queen grid neighbours every cell: its permutations cannot vary."""
    values = pd.Series(np.arange(9.0))
    for statistic in (getis_ord, local_moran):
        centre = statistic(values, lattice(3)).loc[4]
        assert centre["p_sim"] == 1.0 and centre.iloc[-1] == "none"
        assert np.isfinite(centre.iloc[3])


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        (pd.Series(dtype=float), {}, "`values` is empty; pass at least one region's value."),
        (
            pd.Series([1.0, 2.0], index=[0, 0]),
            {},
            "`values` has duplicate region codes: ['0'].",
        ),
        (pd.Series({0: 1.0, "X9": 2.0}), {}, "Region codes not in the weights: ['X9']."),
        (pd.Series({0: 1.0, 1: np.nan}), {}, "`values` is missing or not numeric for: ['1']."),
        (
            pd.Series({0: 1.0, 2: -3.0}),
            {},
            "Gi* needs non-negative values; negative for: ['2'].",
        ),
        (
            pd.Series({0: 1.0}),
            {"permutations": 0},
            "`permutations` must be a positive integer. Got 0.",
        ),
        (
            pd.Series({0: 1.0}),
            {"alpha": 1.5},
            "`alpha` must be between 0 and 1 (exclusive). Got 1.5.",
        ),
        (
            pd.DataFrame({"value": [1.0]}),
            {},
            "`values` must be a pandas Series indexed by region code. Got DataFrame.",
        ),
    ],
)
def test_getis_ord_rejects_bad_input_with_a_clear_message(values, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        getis_ord(values, lattice(3), **kwargs)


def test_weights_must_be_a_libpysal_w():
    message = "`weights` must be a libpysal.weights.W. Got dict."
    with pytest.raises(ValueError, match=re.escape(message)):
        local_moran(pd.Series({0: 1.0}), {0: [1], 1: [0]})


def test_local_moran_accepts_negative_values():
    values = pd.Series(np.linspace(-5, 5, 9))
    assert len(local_moran(values, lattice(3))) == 9
