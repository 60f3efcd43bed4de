"""The briefing's key figures: a comparison without comparable data says so."""

import numpy as np
import pandas as pd

from reports.key_figures import delta_text, key_figures


def test_delta_text():
    assert delta_text(25, 12.5) == "+12.5 % (+25)"
    assert delta_text(4, np.nan) == "+4 (from 0)"
    assert delta_text(0, np.nan) == "no change"
    assert delta_text(np.nan, np.nan) == "no comparable data"


def test_key_figures_never_print_a_gap_as_zero():
    row = {
        "current": np.nan,
        "change_previous": np.nan,
        "pct_previous": np.nan,
        "change_year": 3.0,
        "pct_year": 50.0,
    }
    summary = {"total": pd.DataFrame([row]), "movers": pd.DataFrame(columns=["crime"])}
    assert key_figures(summary, "2024", "Jan–Jun 2024", same=False) == [
        (
            "Total incidents",
            "no data",
            "no comparable data vs 2024; +50.0 % (+3) vs Jan–Jun 2024",
        )
    ]
