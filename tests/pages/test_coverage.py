"""The Coverage page: what the figures rest on, for every role, on a small store with gaps
(a country silent for months, one reporting quarterly national figures only, the others
sending nothing)."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from threatmon.settings import DB_ENV_VAR
from threatmon.store.writer import write_session

APP = Path(__file__).resolve().parents[2] / "dashboard.py"
TIMEOUT = 60
D, H, C = "drug_trafficking", "human_trafficking", "cbrne"


def _month(country, region, crime, month, count=1):
    start = pd.Timestamp(f"2025-{month:02d}-01")
    return (start, start + pd.offsets.MonthEnd(0), country, region, crime, count)


@pytest.fixture
def gappy_store(tmp_path, monkeypatch):
    """Moldova: drug and human trafficking by region every month of 2025. Latvia: national
    drug trafficking, silent March–August. Ukraine: national quarterly CBRNE figures."""
    rows = [_month("MD", "MD-CU", crime, m) for crime in (D, H) for m in range(1, 13)]
    rows += [_month("LV", None, D, m, 0) for m in (1, 2, 9, 10, 11, 12)]
    quarters = [pd.Timestamp(f"2025-{m:02d}-01") for m in (1, 4, 7, 10)]
    rows += [(q, q + pd.offsets.QuarterEnd(0), "UA", None, C, 3) for q in quarters]
    frame = pd.DataFrame(
        rows, columns=["date", "period_end", "country", "region_code", "crime_type", "count"]
    )
    path = tmp_path / "gaps.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="sources.csv", sha256="e" * 64)
    monkeypatch.setenv(DB_ENV_VAR, str(path))
    return path


def _page(sign_in, role: str = "analyst", **query) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"from": "2025-01", "to": "2025-12", **query})
    at = sign_in(at, "ana", role).run()
    at.switch_page("pages/coverage.py").run()
    assert not at.exception, at.exception
    return at


def _heat(at) -> pd.DataFrame:
    return [d.value for d in at.dataframe if "2025-01" in list(d.value.columns)][0]


def _records(at) -> pd.DataFrame:
    return [d.value for d in at.dataframe if "gaps" in list(d.value.columns)][0]


def test_the_sentence_the_heat_table_and_the_records(gappy_store, sign_in):
    at = _page(sign_in)
    assert at.title[0].value == "Coverage"
    sentences = [m.value for m in at.markdown if m.value.startswith("Figures rest on")]
    assert sentences == [
        "Figures rest on 3 of 10 countries; Romania, Poland, Hungary, Slovakia, Estonia, "
        "Lithuania, Georgia sent nothing for this period; Latvia sent nothing for "
        "Mar 2025 – Aug 2025."
    ]
    heat = _heat(at)
    assert heat.loc["Moldova · Drug trafficking"].tolist() == ["R"] * 12
    assert heat.loc["Latvia · Drug trafficking"].tolist() == ["N", "N"] + ["–"] * 6 + ["N"] * 4
    # Quarterly figures: the month's share is unknown, the quarter's total is not.
    assert heat.loc["Ukraine · CBRNE smuggling"].tolist() == ["n"] * 12
    assert heat.loc["Estonia · Cybercrime"].tolist() == ["–"] * 12
    assert len(heat) == 10 * 12
    records = _records(at)
    shown = ["country", "crime_type", "level", "granularity", "first", "last", "gaps"]
    assert records[shown].values.tolist() == [
        ["Latvia", "Drug trafficking", "national", "monthly", "2025-01", "2025-12",
         "2025-03–2025-08"],
        ["Moldova", "Drug trafficking", "by region", "monthly", "2025-01", "2025-12", ""],
        ["Moldova", "Human trafficking", "by region", "monthly", "2025-01", "2025-12", ""],
        ["Ukraine", "CBRNE smuggling", "national", "quarterly", "2025-Q1", "2025-Q4", ""],
    ]  # fmt: skip
    latvia = records[records["country"] == "Latvia"]
    assert latvia[["level", "gaps", "sources"]].values.tolist() == [
        ["national", "2025-03–2025-08", "sources.csv"]
    ]


def test_the_filters_narrow_it(gappy_store, sign_in):
    at = _page(sign_in, country="LV", crime=D)
    sentences = [m.value for m in at.markdown if m.value.startswith("Figures rest on")]
    assert sentences == [
        "Figures rest on 1 of 1 country; Latvia sent nothing for Mar 2025 – Aug 2025."
    ]
    assert list(_heat(at).index) == ["Latvia · Drug trafficking"]


def test_a_viewer_sees_it_without_the_withheld_crime_types(gappy_store, sign_in):
    at = _page(sign_in, role="viewer")
    heat = _heat(at)
    assert not [row for row in heat.index if "Human trafficking" in row]
    assert "Moldova · Drug trafficking" in heat.index
    assert "Human trafficking" not in set(_records(at)["crime_type"])


def test_it_speaks_romanian(gappy_store, sign_in):
    at = _page(sign_in, lang="ro")
    assert at.title[0].value == "Acoperire"
    assert [m.value for m in at.markdown if m.value.startswith("Cifrele se sprijină pe 3 din 10")]
