"""Region names as real sources write them: older spellings, romanisations, type words."""

import pytest

from data_loaders.normalise import resolve_regions
from data_loaders.normalise.text import Resolution


def _region(value, country=None):
    return resolve_regions([(value, country)])[(value, country)]


@pytest.mark.parametrize(
    ("value", "country", "code"),
    [
        # MD
        ("Kishinev", "MD", "MD-CU"),
        ("Kishinyov", "MD", "MD-CU"),
        ("Beltsy", "MD", "MD-BA"),
        ("Bel'tsy", "MD", "MD-BA"),
        ("mun. Bălţi", "MD", "MD-BA"),
        ("Orgeyev", "MD", "MD-OR"),
        ("Novyye Aneny", None, "MD-AN"),
        ("Yedintsy", "MD", "MD-ED"),
        ("Căuşeni", "MD", "MD-CS"),
        ("raionul Causeni", "MD", "MD-CS"),
        ("Kotovsk", "MD", "MD-HI"),
        ("Lazovsk", "MD", "MD-SI"),
        ("Кагульский район", "MD", "MD-CA"),
        ("АТО Гагаузия", "MD", "MD-GA"),
        ("Kagul raion", "MD", "MD-CA"),
        ("Kagul district", None, "MD-CA"),
        # UA
        ("Zaporizhzhya oblast", "UA", "UA-23"),
        ("Mykolayiv oblast", "UA", "UA-48"),
        ("Kiev Special Republican city", "UA", "UA-30"),
        ("Zaporozhye", "UA", "UA-23"),
        ("Zaporozhskaya oblast'", "UA", "UA-23"),
        ("Kharkov", None, "UA-63"),
        ("Kharkivshchyna", "UA", "UA-63"),
        ("Харківщина", "UA", "UA-63"),
        ("Nikolaev", "UA", "UA-48"),
        ("Lugansk", "UA", "UA-09"),
        ("Dnepropetrovsk", "UA", "UA-12"),
        ("Voroshilovgrad", "UA", "UA-09"),
        ("Dnipro oblast", "UA", "UA-12"),
        ("Kyyivs'ka oblast'", "UA", "UA-32"),
        ("obwód lwowski", "UA", "UA-46"),
        ("Kijevi terület", "UA", "UA-32"),
        ("Kiev oblast", "UA", "UA-32"),
        ("Kiyev", "UA", "UA-30"),
        ("Kievskaya oblast", "UA", "UA-32"),
        ("Khmel'nyts'kyy oblast", "UA", "UA-68"),
        ("Khmelnitsky", "UA", "UA-68"),
        ("Ivano-Frankovsk oblast", "UA", "UA-26"),
        ("Chernovtsy", "UA", "UA-77"),
        ("Rovno", "UA", "UA-56"),
        ("Kirovograd", "UA", "UA-35"),
        ("Kropyvnytskyi", "UA", "UA-35"),
        ("Odes'ka oblast'", "UA", "UA-51"),
        ("Krym", "UA", "UA-43"),
        ("Sevastopol city", "UA", "UA-40"),
        ("Dnipropetrovsk Oblast", "UA", "UA-12"),
        # RO
        ("Calarasi", "RO", "RO-CL"),
        ("Judetul Calarasi", "RO", "RO-CL"),
        ("Județul Constanţa", "RO", "RO-CT"),
        ("Constanta", None, "RO-CT"),
        ("Kolozs megye", "RO", "RO-CJ"),
        ("Iasi", "RO", "RO-IS"),
        ("Jassy", "RO", "RO-IS"),
        ("Municipiul Bucuresti", "RO", "RO-B"),
        ("Maramureş", "RO", "RO-MM"),
        ("Timiş County", "RO", "RO-TM"),
        # PL
        ("Lublin Province", "PL", "PL-06"),
        ("Lubelskie Voivodeship", "PL", "PL-06"),
        ("Warmia-Masuria", "PL", "PL-28"),
        ("Dolnośląskie", "PL", "PL-02"),
        ("Lower Silesia", None, "PL-02"),
        ("województwo łódzkie", "PL", "PL-10"),
        ("Lodzkie", None, "PL-10"),
        # HU
        ("Hajdu-Bihar", "HU", "HU-HB"),
        ("Pest megye", "HU", "HU-PE"),
        ("Győr-Moson-Sopron vármegye", "HU", "HU-GS"),
        ("Csongrad megye", "HU", "HU-CS"),
        ("Budapest főváros", "HU", "HU-BU"),
        # SK
        ("Košický samosprávny kraj", "SK", "SK-KI"),
        ("Presov self-governing region", "SK", "SK-PV"),
        ("Bratislava Region", "SK", "SK-BL"),
        ("Zilinsky kraj", None, "SK-ZI"),
        # EE
        ("Harju County", "EE", "EE-37"),
        ("Harjumaa", None, "EE-37"),
        ("Tartu maakond", "EE", "EE-79"),
        ("Ida-Virumaa", "EE", "EE-45"),
        ("Võru County", "EE", "EE-87"),
        # LV
        ("Rīgas valstspilsēta", "LV", "LV-RIX"),
        ("Riga city", "LV", "LV-RIX"),
        ("Ogres novads", "LV", "LV-067"),
        ("Ogre Municipality", "LV", "LV-067"),
        ("Daugavpils republikas pilsēta", "LV", "LV-DGV"),
        ("Dvinsk", "LV", "LV-DGV"),
        # LT
        ("Vilniaus apskr.", "LT", "LT-VL"),
        ("Kaunas County", "LT", "LT-KU"),
        ("Klaipedos apskritis", "LT", "LT-KL"),
        ("Šiaulių apskritis", "LT", "LT-SA"),
        # GE
        ("Adzhariya", "GE", "GE-AJ"),
        ("Ach'ara", "GE", "GE-AJ"),
        ("Ajara", None, "GE-AJ"),
        ("Kvemo Kartli mkhare", "GE", "GE-KK"),
        ("Lower Kartli", "GE", "GE-KK"),
        ("Imeretiya", "GE", "GE-IM"),
        ("Tbilisi City", "GE", "GE-TB"),
        ("K'akheti", "GE", "GE-KA"),
        ("Kakhetiya", "GE", "GE-KA"),
        ("Samegrelo-Zemo Svaneti mkhare", "GE", "GE-SZ"),
        ("Abkhazia Autonomous Republic", "GE", "GE-AB"),
    ],
)
def test_spelling_families(value, country, code):
    """Official, English, romanised (KMU 2010, BGN/PCGN), Russian-era and local forms,
    with and without type words, for a few regions of every country."""
    assert _region(value, country) == Resolution(code)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # UCDP GED's adm_1 of Ukraine, as written (GADM's types)
        ("Donetsk oblast", "UA-14"),
        ("Kharkiv Oblast", "UA-63"),
        ("Zaporizhzhya oblast", "UA-23"),
        ("Mykolayiv oblast", "UA-48"),
        ("Kiev Special Republican city", "UA-30"),
        ("Odessa oblast", "UA-51"),
        ("Khmelnytskyi oblast", "UA-68"),
    ],
)
def test_ucdp_spellings_of_ukraine(value, code):
    assert _region(value, "UA") == Resolution(code)


@pytest.mark.parametrize(
    ("value", "country"),
    [
        ("Călărași", "MD"),
        ("Calarasi", "MD"),
        ("Călăraşi", "MD"),  # cedilla ş
        ("CALARASI", "RO"),
        ("Judeţul Călăraşi", "RO"),  # cedilla ţ and ş
        ("Judetul Calarasi", None),
        ("raionul Calarasi", None),
    ],
)
def test_romanian_without_diacritics_or_with_cedillas(value, country):
    code = "MD-CL" if country == "MD" or "raion" in value else "RO-CL"
    assert _region(value, country) == Resolution(code)


def test_a_name_of_two_countries_without_a_country_names_both():
    assert _region("Calarasi") == Resolution(
        None,
        "Ambiguous without a country: MD-CL Călărași (Moldova) and RO-CL Călărași "
        "(Romania) both match.",
        "Add the country to the row.",
    )


@pytest.mark.parametrize(
    ("value", "country", "suggestion"),
    [
        ("Zaporozhie", "UA", "Did you mean UA-23 Zaporizhzhia?"),
        ("Mykolayv oblast", "UA", "Did you mean UA-48 Mykolaiv?"),
        ("Voroshilovgrd", "UA", "Did you mean UA-09 Luhansk?"),
        ("Kishiniov", "MD", "Did you mean MD-CU Chișinău?"),
        ("Beltzy", "MD", "Did you mean MD-BA Bălți?"),
        ("Kharkovskaya oblst", "UA", "Did you mean UA-63 Kharkiv?"),
    ],
)
def test_near_misses_of_every_spelling_are_suggested(value, country, suggestion):
    reason = f"Not a known region of {'Ukraine' if country == 'UA' else 'Moldova'}."
    assert _region(value, country) == Resolution(None, reason, suggestion)


def test_every_spelling_of_region_names_resolves_with_its_country():
    from threatmon.registry.regions import country_of, load_region_names

    names = load_region_names()
    pairs = [(row.name, country_of(row.region_code)) for row in names.itertuples()]
    resolved = resolve_regions(pairs)
    wrong = [
        (row.region_code, row.name, resolved[pair])
        for row, pair in zip(names.itertuples(), pairs, strict=True)
        if resolved[pair].value != row.region_code
    ]
    assert wrong == []
