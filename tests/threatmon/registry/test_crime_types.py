"""The crime-type registry is the one list of categories every module uses."""

import pytest

from threatmon.registry.crime_types import (
    CRIME_TYPE_KEYS,
    CRIME_TYPES,
    crime_type_label,
    get_crime_type,
    sensitive_crime_types,
)


def test_keys_are_the_stable_contract():
    assert CRIME_TYPE_KEYS == (
        "human_trafficking",
        "migrant_smuggling",
        "child_sexual_exploitation",
        "drug_trafficking",
        "firearms_trafficking",
        "vehicle_crime",
        "terrorism",
        "financial_crime",
        "cybercrime",
        "document_fraud",
        "cbrne",
        "organised_crime",
    )


def test_victim_categories_are_sensitive():
    assert {"child_sexual_exploitation", "human_trafficking"} <= set(sensitive_crime_types())


def test_every_type_has_label_iccs_and_synonyms():
    for crime_type in CRIME_TYPES:
        assert crime_type.label and crime_type.synonyms
        assert crime_type.iccs.isdigit() and 4 <= len(crime_type.iccs) <= 5
        assert crime_type.iccs_section == crime_type.iccs[:2]


def test_synonyms_do_not_point_to_two_types():
    seen: dict[str, str] = {}
    for crime_type in CRIME_TYPES:
        for word in (crime_type.key, crime_type.label, *crime_type.synonyms):
            folded = word.casefold()
            assert seen.setdefault(folded, crime_type.key) == crime_type.key, word


def test_unknown_key_names_itself():
    with pytest.raises(KeyError, match="Unknown crime type 'arson'"):
        get_crime_type("arson")
    assert crime_type_label("cbrne") == "CBRNE smuggling"
