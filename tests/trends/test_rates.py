"""Rates per 100,000 inhabitants from the region registry's populations."""

import re

import numpy as np
import pandas as pd
import pytest

from tests.factories import small_registry
from trends.rates import empirical_bayes_rates, rates_per_100k


@pytest.fixture
def registry():
    return small_registry()


def test_rates_per_100k(registry):
    frame = pd.DataFrame({"country": ["MD", "EE", "PL"], "count": [70, 5, 1]})
    out = rates_per_100k(frame, registry)
    assert out["rate"][0] == pytest.approx(10.0)
    assert np.isnan(out["rate"][1]) and np.isnan(out["rate"][2])
    assert "rate" not in frame.columns
    only_balti = rates_per_100k(frame, registry, regions=["MD-BA"])
    assert only_balti["rate"][0] == pytest.approx(70.0)


def test_rates_per_100k_rejects_other_keys(registry):
    with pytest.raises(ValueError, match="`by` must be 'country' or 'region_code'. Got 'x'."):
        rates_per_100k(pd.DataFrame({"x": [1], "count": [1]}), registry, "x")


def test_empirical_bayes_shrinks_a_small_region_and_barely_moves_a_big_one():
    """Five regions (populations in units of 100,000), worked by hand:

    ========  ==========  =========  ========
    region    population  incidents  raw rate
    ========  ==========  =========  ========
    raion     0.4         4          10
    oblast    24          30         1.25
    C         20          44         2.2
    D         3.6         18         5
    E         2           4          2
    ========  ==========  =========  ========

    m = 100 / 50 = 2; s2 = (0.4·8² + 24·0.75² + 20·0.2² + 3.6·3² + 0) / 50 = 72.3 / 50
    = 1.446; a = 1.446 − 2 / 10 = 1.246. Raion: w = 1.246 / (1.246 + 2 / 0.4) = 0.19949,
    10 → 2 + 0.19949·8 = 3.5959. Oblast: w = 1.246 / (1.246 + 2 / 24) = 0.93731,
    1.25 → 2 − 0.93731·0.75 = 1.2970.
    """
    populations = np.array([0.4, 24, 20, 3.6, 2]) * 100_000
    counts = [4, 30, 44, 18, 4]
    smoothed = empirical_bayes_rates(counts, populations)
    w_raion, w_oblast = 1.246 / (1.246 + 5), 1.246 / (1.246 + 2 / 24)
    assert smoothed[0] == pytest.approx(2 + w_raion * 8) == pytest.approx(3.5959, abs=1e-4)
    assert smoothed[1] == pytest.approx(2 - w_oblast * 0.75) == pytest.approx(1.2970, abs=1e-4)
    assert smoothed[4] == pytest.approx(2.0)  # at the overall rate already


def test_empirical_bayes_is_esdas_where_the_between_region_variance_is_positive():
    from esda.smoothing import Empirical_Bayes

    rng = np.random.default_rng(3)
    populations = rng.integers(3_000, 2_000_000, 40).astype(float)
    counts = rng.poisson(populations * rng.gamma(2.0, 1e-5, 40))
    expected = Empirical_Bayes(counts, populations).r.ravel() * 100_000
    np.testing.assert_allclose(empirical_bayes_rates(counts, populations), expected, rtol=1e-12)


def test_rates_within_poisson_noise_all_get_the_overall_rate():
    """Raw rates 2.5, 0, 2 and 1.25 per 100,000 vary less than Poisson noise on these
    populations would make them (a < 0): every region gets the overall 4 / 270,000.
    esda's weights turn negative here and give 22.4 for the region with a raw 2."""
    from esda.smoothing import Empirical_Bayes

    populations, counts = [40_000, 50_000, 100_000, 80_000], [1, 0, 2, 1]
    expected = 4 / 270_000 * 100_000
    assert empirical_bayes_rates(counts, populations).tolist() == pytest.approx([expected] * 4)
    assert Empirical_Bayes(counts, populations).r[2, 0] * 100_000 == pytest.approx(22.36, abs=0.01)


def test_empirical_bayes_leaves_unknown_populations_out():
    """A region without a population has no rate and does not move the others' prior."""
    populations = np.array([0.4, 24, 20, 3.6, 2, np.nan, 0]) * 100_000
    smoothed = empirical_bayes_rates([4, 30, 44, 18, 4, 9, 9], populations)
    assert np.isnan(smoothed[5:]).all()
    np.testing.assert_allclose(
        smoothed[:5], empirical_bayes_rates([4, 30, 44, 18, 4], populations[:5])
    )
    assert np.isnan(empirical_bayes_rates([1, 2], [np.nan, 0])).all()


def test_empirical_bayes_rejects_bad_input():
    message = "`counts` and `populations` must be 1-D and of the same length."
    with pytest.raises(ValueError, match=re.escape(message)):
        empirical_bayes_rates([1, 2], [10])
    with pytest.raises(ValueError, match=re.escape("`counts` must be non-negative numbers.")):
        empirical_bayes_rates([1, -2], [10, 10])
