import numpy as np
import pandas as pd

from threatmon.messages import Message
from trends.changes import change_levels
from trends.summary import (
    CLEAR_FALL,
    CLEAR_RISE,
    COULD_BE_CHANCE,
    LITTLE_CHANGE,
    NOT_COMPARABLE,
    TOO_FEW,
    change_readings,
    headlines,
    readings,
)

KEYS = ["region_code", "crime_type"]


def _levels(rows) -> pd.DataFrame:
    """change_levels of (region, crime, current, previous) rows; None is not reported."""
    frame = pd.DataFrame(rows, columns=[*KEYS, "current", "previous"])
    return change_levels(
        frame[[*KEYS, "current"]].rename(columns={"current": "count"}),
        frame[[*KEYS, "previous"]].rename(columns={"previous": "count"}),
        KEYS,
    )


def _row(levels, region) -> pd.Series:
    return levels[levels["region_code"] == region].iloc[0]


def test_each_row_is_read_in_one_word():
    levels = _levels(
        [
            ("MD-CA", "cybercrime", 60, 20),  # +200 %, p < 0.001
            ("MD-CU", "cybercrime", 20, 60),  # −67 %
            ("MD-BA", "cybercrime", 1000, 950),  # +5 %, enough: little change
            ("MD-SO", "cybercrime", 30, 22),  # +36 %, p = 0.36
            ("MD-ED", "cybercrime", 3, 1),  # +200 % of 4 incidents
            ("LV-011", "cybercrime", None, 20),  # not reported now
        ]
    )
    got = dict(zip(levels["region_code"], readings(levels), strict=True))
    assert got == {
        "MD-CA": CLEAR_RISE,
        "MD-CU": CLEAR_FALL,
        "MD-BA": LITTLE_CHANGE,
        "MD-SO": COULD_BE_CHANCE,
        "MD-ED": TOO_FEW,
        "LV-011": NOT_COMPARABLE,
    }


def test_change_readings_of_key_figures_keep_their_order_and_unknowns():
    got = change_readings([60, 20, 30, np.nan, 3], [20, 60, 22, 40, 1])
    assert got == [CLEAR_RISE, CLEAR_FALL, COULD_BE_CHANCE, NOT_COMPARABLE, TOO_FEW]
    assert change_readings([], []) == []


def test_headlines_are_the_clearest_rises_then_falls():
    levels = _levels(
        [
            ("MD-CA", "cybercrime", 60, 20),
            ("MD-CU", "cybercrime", 20, 60),
            ("MD-BA", "drug_trafficking", 130, 100),  # +30 %, p = 0.07: could be chance
            ("RO-CL", "migrant_smuggling", 45, 30),  # +50 %, p = 0.12
            ("MD-CL", "migrant_smuggling", 12, 0),  # from none
            ("MD-ED", "cybercrime", 3, 1),
        ]
    )
    assert headlines(levels) == [
        Message(
            "summary.rise",
            {"region": "MD-CA", "crime": "cybercrime", "current": 60, "previous": 20, "pct": 200},
        ),
        Message(
            "summary.new",
            {"region": "MD-CL", "crime": "migrant_smuggling", "current": 12, "previous": 0},
        ),
        Message(
            "summary.fall",
            {"region": "MD-CU", "crime": "cybercrime", "current": 20, "previous": 60, "pct": 67},
        ),
    ]
    assert len(headlines(levels, rises=1, falls=0)) == 1


def test_a_direction_without_a_clear_change_gets_its_largest_could_be_chance():
    levels = _levels(
        [
            ("MD-BA", "drug_trafficking", 100, 130),  # −23 %, p = 0.07
            ("RO-CL", "migrant_smuggling", 30, 45),  # −33 %, p = 0.12
            ("MD-SO", "cybercrime", 3, 1),  # too few: never a headline
            ("LV-011", "cybercrime", None, 50),  # no data: never a headline
        ]
    )
    assert headlines(levels) == [
        Message(
            "summary.fall_chance",
            {
                "region": "MD-BA",
                "crime": "drug_trafficking",
                "current": 100,
                "previous": 130,
                "pct": 23,
            },
        )
    ]


def test_no_headline_without_a_comparable_change():
    assert headlines(_levels([("LV-011", "cybercrime", None, 50)])) == []
