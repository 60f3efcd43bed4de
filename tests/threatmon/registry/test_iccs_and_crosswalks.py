"""ICCS codes of the registry, the shape of ICCS codes, and the shipped crosswalks."""

import itertools

import pytest

from threatmon.registry.crime_types import CRIME_TYPE_KEYS, CRIME_TYPES, get_crime_type
from threatmon.registry.crosswalks import (
    CROSSWALKS,
    article_code,
    crosswalk_names,
    get_crosswalk,
)
from threatmon.registry.iccs import ICCS_LABELS, descends, iccs_name, parse_iccs

# Pairs of keys whose codes may lie one below the other; none today.
NESTED_ON_PURPOSE: set[tuple[str, str]] = set()


def test_no_two_keys_claim_the_same_iccs_code():
    codes = [ct.iccs for ct in CRIME_TYPES]
    assert len(set(codes)) == len(codes)


def test_no_key_lies_below_another_unless_intended():
    for upper, lower in itertools.permutations(CRIME_TYPES, 2):
        if descends(lower.iccs, upper.iccs):
            assert (upper.key, lower.key) in NESTED_ON_PURPOSE, (upper.key, lower.key)


def test_the_corrected_codes():
    assert get_crime_type("firearms_trafficking").iccs == "09012"
    assert get_crime_type("cbrne").iccs == "09019"
    assert get_crime_type("organised_crime").iccs == "0905"
    # Eurostat's ICCS09051 (participation in an organized criminal group) lies below it.
    assert descends("09051", get_crime_type("organised_crime").iccs)


def test_every_key_code_is_a_listed_iccs_category_with_its_label():
    for crime_type in CRIME_TYPES:
        assert ICCS_LABELS[crime_type.iccs] == crime_type.iccs_label, crime_type.key


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ICCS0601", "0601"),
        ("0601", "0601"),
        ("iccs 06012", "06012"),
        ("ICCS030221", "030221"),
        ("09", "09"),
        ("332", None),  # a criminal-code article, three digits
        ("ICCS9901", None),  # no section 99
        ("1234567", None),
        ("drugs", None),
    ],
)
def test_parse_iccs(text, code):
    assert parse_iccs(text) == code


def test_iccs_name():
    assert iccs_name("0101") == "ICCS0101 Intentional homicide"
    assert iccs_name("010199") == "ICCS010199"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("301-1", "301-1"),
        ("362^1", "362-1"),
        ("362¹", "362-1"),
        ("Art. 362/1", "362-1"),
        ("ст. 149", "149"),
        ("Стаття 258-5", "258-5"),
        ("articolul 165", "165"),
        ("Homicide", None),
    ],
)
def test_article_code(text, code):
    assert article_code(text) == code


def test_crosswalk_names_and_unknown_name():
    assert crosswalk_names() == ("ua-cc", "md-cc")
    with pytest.raises(KeyError, match="Unknown crosswalk 'ro-cc'. Known: ua-cc, md-cc"):
        get_crosswalk("ro-cc")


@pytest.mark.parametrize("name", list(CROSSWALKS))
def test_every_crosswalk_line_has_a_key_a_title_and_its_legal_source(name):
    crosswalk = get_crosswalk(name)
    lines = crosswalk.lines
    assert lines
    for code, line in lines.items():
        assert line.key in CRIME_TYPE_KEYS
        assert line.title
        assert line.source == f"{crosswalk.law}, art. {line.code}"
        assert article_code(line.code) == code


def test_ukrainian_articles_of_the_issue():
    lines = get_crosswalk("ua-cc").lines
    assert lines["149"].key == "human_trafficking"
    assert lines["332"].key == "migrant_smuggling"
    assert lines["301-1"].key == "child_sexual_exploitation"
    assert lines["258-5"].key == "terrorism"
    assert "115" not in lines  # intentional homicide: outside the 12 crime types


def test_moldovan_articles_of_the_issue():
    lines = get_crosswalk("md-cc").lines
    assert lines["362-1"].key == "migrant_smuggling"
    assert lines["165"].key == "human_trafficking"
    assert lines["208-1"].key == "child_sexual_exploitation"
    assert "362" not in lines  # crossing the border oneself is not smuggling


def test_the_keys_covered_by_the_crosswalks():
    assert {line.key for line in get_crosswalk("ua-cc").lines.values()} == set(CRIME_TYPE_KEYS)
