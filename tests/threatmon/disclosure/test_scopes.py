"""Tables of different country scopes are cut from one pattern: together they give nothing away."""

import pandas as pd

from threatmon.disclosure.scopes import joint_audit
from threatmon.disclosure.sensitive import complete_quarters, quarterly_tables
from threatmon.disclosure.suppression import NarrowedCell

EVERY = {"MD": "Moldova", "UA": "Ukraine", "RO": "Romania", "PL": "Poland"}
LABELS = {"human_trafficking": "Human trafficking", "child_sexual_exploitation": "CSE"}
# Moldova's 3 is hidden with Romania's 8 as its complement for all countries, so Ukraine's
# 200 is shown there; Moldova and Ukraine alone hide Ukraine instead and show their total.
COUNTS = pd.DataFrame(
    {
        "period": ["2026-07-01"] * 7,
        "country": ["MD", "UA", "RO", "MD", "UA", "RO", "PL"],
        "crime_type": ["human_trafficking"] * 3 + ["child_sexual_exploitation"] * 4,
        "count": [3, 200, 8, 10, 50, 12, 7],
    }
)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns="quarter").set_index("country")


def test_the_tables_of_two_scopes_together_do_not_pin_a_small_count():
    """Issue 20: suppressed scope by scope, all countries showed Ukraine's 200 and Moldova
    and Ukraine their total of 203 beside Moldova's "<5": 3. Cut from one pattern, Moldova
    and Ukraine show Ukraine's 200 too, and their total, which would tell Moldova's 3 from
    Romania's complement, is hidden."""
    quarter = complete_quarters("2026-09-30", 1)
    every = _shown(quarterly_tables(COUNTS, quarter, EVERY, LABELS))
    two = _shown(quarterly_tables(COUNTS, quarter, EVERY, LABELS, scope=("MD", "UA")))
    assert every.loc["Ukraine", "Human trafficking"] == 200
    assert two.loc["Moldova", "Human trafficking"] == "<5"
    assert two.index.tolist() == ["Moldova", "Ukraine", "Total"]
    assert two.loc["Ukraine"].tolist() == every.loc["Ukraine"].tolist()  # one pattern
    assert two.loc["Total"].tolist() == ["c", "c", 263]  # 13 + 250: both rows shown
    assert joint_audit([every, two]) == []


def test_the_joint_audit_sees_what_two_separately_suppressed_tables_give_away():
    from threatmon.disclosure.suppression import suppress_table

    table = pd.DataFrame(
        {"HT": [3, 200, 8, 0], "CSE": [10, 50, 12, 7]}, index=["MD", "UA", "RO", "PL"]
    )
    every = suppress_table(table, sensitive=["HT"]).display()
    two = suppress_table(table.loc[["MD", "UA"]], sensitive=["HT"]).display()
    assert two.loc["Total", "HT"] == 203 and every.loc["UA", "HT"] == 200
    assert joint_audit([every]) == [] and joint_audit([two]) == []
    assert joint_audit([every, two]) == [NarrowedCell("MD", "HT", 3.0, 3.0)]
