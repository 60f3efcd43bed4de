import pandas as pd

from trends.levels import coarser_figures, not_allocated


def test_coarser_figures_group_by_country_and_granularity():
    unshown = pd.DataFrame(
        {
            "country": ["PL", "PL", "PL", "MD"],
            "crime_type": ["migrant_smuggling", "human_trafficking", "cybercrime", "cybercrime"],
            "level": ["national", "national", "national", "admin1"],
            "granularity": ["year", "year", "quarter", "week"],
            "rows": [3, 3, 4, 10],
            "count": [120, 0, 55, 7],
        }
    )
    out = coarser_figures(unshown)
    assert out.to_dict("records") == [
        {
            "country": "MD",
            "granularity": "week",
            "crime_types": ("cybercrime",),
            "rows": 10,
            "count": 7,
        },
        {
            "country": "PL",
            "granularity": "quarter",
            "crime_types": ("cybercrime",),
            "rows": 4,
            "count": 55,
        },
        {
            "country": "PL",
            "granularity": "year",
            "crime_types": ("human_trafficking", "migrant_smuggling"),
            "rows": 6,
            "count": 120,
        },
    ]
    assert list(unshown["rows"]) == [3, 3, 4, 10]  # not modified


def test_no_coarser_figures_is_an_empty_frame_with_the_columns():
    out = coarser_figures(
        pd.DataFrame(columns=["country", "crime_type", "granularity", "rows", "count"])
    )
    assert out.empty
    assert list(out.columns) == ["country", "granularity", "crime_types", "rows", "count"]


def test_not_allocated_is_the_national_total_less_its_regions():
    countries = pd.DataFrame({"country": ["MD", "UA", "RO"], "count": [312, 90, 40]})
    regions = pd.DataFrame(
        {"region_code": ["MD-CA", "MD-BA", "UA-30", "RO-B"], "count": [200, 12, 95, 40]}
    )
    out = not_allocated(countries, regions)
    assert out.to_dict("records") == [
        {"country": "MD", "total": 312, "regions": 212, "not_allocated": 100},
        {"country": "UA", "total": 90, "regions": 95, "not_allocated": -5},
    ]


def test_a_national_figure_without_regions_is_wholly_not_allocated():
    out = not_allocated(
        pd.DataFrame({"country": ["PL"], "count": [7]}),
        pd.DataFrame({"region_code": pd.Series(dtype="string"), "count": pd.Series(dtype="int64")}),
    )
    assert out.to_dict("records") == [
        {"country": "PL", "total": 7, "regions": 0, "not_allocated": 7}
    ]
