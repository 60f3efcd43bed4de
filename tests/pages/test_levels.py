"""What the pages say about figures they cannot show: yearly figures in a monthly view,
national figures on a map of regions."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from threatmon.settings import DB_ENV_VAR
from threatmon.store.writer import write_session

APP = Path(__file__).resolve().parents[2] / "dashboard.py"
TIMEOUT = 60

MONTHS = [f"2025-{m:02d}-01" for m in range(1, 13)]


@pytest.fixture
def mixed_store(tmp_path, monkeypatch):
    """Moldova: monthly drug trafficking in Cahul (2 a month) and a yearly national figure
    of 100; Poland: national monthly migrant smuggling (5 a month); Romania: a yearly
    national cybercrime figure of 40."""
    rows = [
        *(
            {
                "date": m,
                "granularity": "month",
                "country": "MD",
                "region_code": "MD-CA",
                "crime_type": "drug_trafficking",
                "count": 2,
            }
            for m in MONTHS
        ),
        {
            "date": "2025-01-01",
            "granularity": "year",
            "country": "MD",
            "region_code": None,
            "crime_type": "drug_trafficking",
            "count": 100,
        },
        *(
            {
                "date": m,
                "granularity": "month",
                "country": "PL",
                "region_code": None,
                "crime_type": "migrant_smuggling",
                "count": 5,
            }
            for m in MONTHS
        ),
        {
            "date": "2025-01-01",
            "granularity": "year",
            "country": "RO",
            "region_code": None,
            "crime_type": "cybercrime",
            "count": 40,
        },
    ]
    frame = pd.DataFrame(rows)
    frame["period_end"] = [
        pd.Timestamp(d) + (pd.offsets.YearEnd(0) if g == "year" else pd.offsets.MonthEnd(0))
        for d, g in zip(frame["date"], frame["granularity"], strict=True)
    ]
    path = tmp_path / "figures.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="figures.csv", sha256="f" * 64)
    monkeypatch.setenv(DB_ENV_VAR, str(path))
    return path


def _page(sign_in, page: str | None = None) -> AppTest:
    at = sign_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "ana", "analyst").run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_overview_names_yearly_figures_and_lists_them_whole(mixed_store, sign_in):
    at = _page(sign_in)
    total = [m for m in at.metric if m.label == "Total incidents"][0]
    # Months only: Cahul's 24 and Poland's 60; the yearly figures are not spread over months.
    assert total.value == "84"
    notes = [i.value for i in at.info if "yearly figures" in i.value]
    assert notes == [
        "Moldova reports Drug trafficking as yearly figures (100 incidents). A monthly view "
        "cannot show them without spreading them, so they are left out of it and listed "
        "below in full.\n\n"
        "Romania reports Cybercrime as yearly figures (40 incidents). A monthly view cannot "
        "show them without spreading them, so they are left out of it and listed below in "
        "full."
    ]
    assert [e.label for e in at.expander if "Left out" in e.label] == [
        "Left out of this view: yearly figures"
    ]
    table = [d.value for d in at.dataframe if "Period" in d.value.columns][0]
    assert table.to_dict("records") == [
        {
            "Period": "2025",
            "Country": "Moldova",
            "Crime type": "Drug trafficking",
            "Incidents": 100,
        },
        {"Period": "2025", "Country": "Romania", "Crime type": "Cybercrime", "Incidents": 40},
    ]


def test_the_overview_of_regional_monthly_figures_has_no_such_note(tmp_path, monkeypatch, sign_in):
    path = tmp_path / "months.duckdb"
    frame = pd.DataFrame(
        {
            "date": MONTHS,
            "period_end": [pd.Timestamp(m) + pd.offsets.MonthEnd(0) for m in MONTHS],
            "country": "MD",
            "region_code": "MD-CA",
            "crime_type": "drug_trafficking",
            "count": 0,
        }
    )
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="zeros.csv", sha256="z" * 64)
    monkeypatch.setenv(DB_ENV_VAR, str(path))
    at = _page(sign_in)
    assert not [i for i in at.info if "figures" in i.value]


def test_the_map_says_how_much_of_each_total_no_region_holds(mixed_store, sign_in):
    at = _page(sign_in, "pages/map.py")
    notes = [i.value for i in at.info if "allocated" in i.value]
    assert notes == [
        "Moldova: 76 of 100 incidents are national figures not allocated to a region; the map "
        "shows the 24 reported by region.\n\n"
        "Poland: its 60 incidents are national figures, not allocated to any region; the map "
        "cannot show them.\n\n"
        "Romania: its 40 incidents are national figures, not allocated to any region; the map "
        "cannot show them."
    ]
