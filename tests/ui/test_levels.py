import pandas as pd
import pytest

from ui.i18n import country_name, crime_label, number, translate
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


def test_runs_of_months_in_words():
    from ui.levels import month_runs_text

    months = pd.to_datetime(
        ["2024-11-01", "2024-12-01", "2025-01-01", "2025-03-01", "2025-04-01", "2025-08-01"]
    )
    assert month_runs_text(months) == "November 2024–January 2025, March–April 2025, August 2025"


def test_the_left_out_sentence_names_six_and_counts_the_rest():
    from ui.levels import left_out_lines, left_out_sentence

    march = (pd.Timestamp("2025-03-01"),)
    frame = pd.DataFrame(
        {
            "country": ["EE", "LV", "LV", *["MD"] * 6],
            "crime_type": [
                "cybercrime",
                "cybercrime",
                "drug_trafficking",
                "cybercrime",
                "drug_trafficking",
                "document_fraud",
                "terrorism",
                "vehicle_crime",
                "financial_crime",
            ],
            "missing": [(), march, march, (), (), (), (), (), march],
            "never": [True, False, False, True, True, True, True, True, False],
        }
    )
    crimes = ["cybercrime", "drug_trafficking", "document_fraud", "terrorism"]
    assert left_out_sentence(frame[:3], crimes[:2]) == (
        "Left out of the comparison: Estonia's Cybercrime (never reported), "
        "Latvia (no data March 2025)."
    )
    assert left_out_sentence(frame, crimes) == (
        "Left out of the comparison: Estonia's Cybercrime (never reported), "
        "Latvia's Cybercrime, Drug trafficking (no data March 2025), "
        "Moldova's Cybercrime, Drug trafficking, Document fraud, Terrorism, Vehicle crime "
        "(never reported), Moldova's Financial crime (no data March 2025)."
    )
    assert left_out_sentence(frame[:0], crimes) == ""
    assert left_out_lines(frame[:2]) == [
        "Estonia, Cybercrime: never reported",
        "Latvia, Cybercrime: no data March 2025",
    ]


def test_more_than_six_items_are_counted_not_named():
    from ui.levels import left_out_sentence

    countries = ["EE", "GE", "LT", "LV", "MD", "PL", "RO", "UA"]
    frame = pd.DataFrame(
        {"country": countries, "crime_type": "terrorism", "missing": [()] * 8, "never": True}
    )
    sentence = left_out_sentence(frame, ["terrorism", "cybercrime"])
    assert sentence.startswith("Left out of the comparison: Estonia's Terrorism (never reported), ")
    assert sentence.endswith("Poland's Terrorism (never reported) and 2 more.")


@pytest.mark.parametrize(
    ("language", "count", "counted"),
    [
        ("en", 1, "(1 incident)"),
        ("en", 3, "(3 incidents)"),
        ("ro", 1, "(1 incident)"),
        ("ro", 3, "(3 incidente)"),
        ("ro", 25, "(25 de incidente)"),
        ("uk", 1, "(1 інцидент)"),
        ("uk", 3, "(3 інциденти)"),
        ("uk", 25, "(25 інцидентів)"),
    ],
)
def test_coarser_figures_count_their_incidents_in_each_language(language, count, counted):
    # As coarser_sentences fills it, in the language chosen.
    text = translate(
        "levels.coarser",
        language,
        country=country_name("PL", language),
        crimes=crime_label("cybercrime", language),
        adjective=translate("granularity.quarter", language),
        count=number(count, language=language),
        view=translate("view.W", language),
    )
    opening = {
        "en": "Poland reports Cybercrime as quarterly figures ",
        "ro": "Polonia raportează Criminalitate informatică sub formă de cifre trimestriale ",
        "uk": "Польща подає Кіберзлочинність як щоквартальні показники ",
    }
    assert text.startswith(opening[language] + counted + ". ")


def test_coarser_figures_in_full_in_romanian_and_ukrainian():
    values = {"crimes": "X", "adjective": "Y", "view": "Z"}
    assert translate("levels.coarser", "ro", country="Polonia", count="25", **values) == (
        "Polonia raportează X sub formă de cifre Y (25 de incidente). Z nu le poate arăta fără "
        "a le împărți, așa că sunt lăsate deoparte și enumerate integral mai jos."
    )
    assert translate("levels.coarser", "uk", country="Польща", count="3", **values) == (
        "Польща подає X як Y показники (3 інциденти). Z не може показати їх, не розподіляючи, "
        "тому їх не включено, а повністю перелічено нижче."
    )
