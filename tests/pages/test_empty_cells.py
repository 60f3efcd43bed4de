"""Empty is shown empty: no text column of a table on any page has a missing cell, which
Streamlit would spell "None" in grey (issue 19: "empty cells show empty"). A number
that does not exist (a region without data) stays missing, with its row saying why."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import dashboard

APP = Path(__file__).resolve().parents[2] / "dashboard.py"


@pytest.fixture
def app(store_copy, monkeypatch):
    monkeypatch.setenv("THREATMON_BACKGROUND_FORECASTS", "0")
    return AppTest.from_file(str(APP), default_timeout=240).run()


@pytest.mark.parametrize("spec", dashboard.PAGES, ids=lambda spec: spec.url_path)
def test_no_text_cell_of_a_table_is_missing(app, spec):
    app.switch_page(spec.path).run()
    assert not app.exception
    for table in app.dataframe:
        frame = table.value
        text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        missing = frame[text].isna()
        assert not missing.any().any(), (
            f"{spec.url_path}: missing cells in {list(missing.columns[missing.any()])}"
        )


def test_the_hot_spot_table_says_why_a_region_has_no_statistic(app):
    app.switch_page("pages/map.py").run()
    (table,) = [d.value for d in app.dataframe if "gi_z" in d.value.columns]
    untested = table[table["gi_z"].isna()]
    assert len(untested) > 0
    assert set(untested["hot_cold"]) <= {"No data", "no neighbour with data"}
    assert (untested["note"] != "").all()
    tested = table[table["gi_z"].notna()]
    assert set(tested["hot_cold"]) <= {"hot spot", "cold spot", "not significant"}
