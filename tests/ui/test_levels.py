import pandas as pd

from ui.levels import coarser_sentences, not_allocated_sentences


def test_regions_adding_up_to_more_than_the_national_figure_are_named():
    frame = pd.DataFrame({"country": ["UA"], "total": [90], "regions": [95], "not_allocated": [-5]})
    assert not_allocated_sentences(frame) == [
        "Ukraine: its regions add up to 95 incidents, 5 more than its national figure of 90; "
        "the map shows the regional figures."
    ]


def test_quarterly_figures_in_a_weekly_view():
    figures = pd.DataFrame(
        {
            "country": ["PL"],
            "granularity": ["quarter"],
            "crime_types": [("cybercrime", "human_trafficking")],
            "rows": [4],
            "count": [1234],
        }
    )
    assert coarser_sentences(figures, "W") == [
        "Poland reports Cybercrime, Human trafficking as quarterly figures (1,234 incidents). "
        "A weekly view cannot show them without spreading them, so they are left out of it "
        "and listed below in full."
    ]
