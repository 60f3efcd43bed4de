"""Rates per 100,000 inhabitants from the region registry's populations."""

import numpy as np
import pandas as pd
import pytest

from tests.factories import small_registry
from trends.rates import rates_per_100k


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
