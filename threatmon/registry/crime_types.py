"""The crime-type registry: stable keys, labels, ICCS codes, sensitivity and synonyms.

ICCS is UNODC's International Classification of Crime for Statistical Purposes
(version 1.0, March 2015); ``iccs`` names the most specific ICCS level that the category
maps to, ``iccs_section`` its top-level section. An ICCS code in an upload maps to the
key whose code it equals or lies below (:mod:`threatmon.registry.iccs`), so no two keys
claim the same code and none lies below another's. Where each code comes from is in
``threatmon/registry/data/README.md`` ("Crime types and ICCS codes"). Sensitive
categories describe victims who could be re-identified from small counts; later issues
suppress them for some audiences.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrimeType:
    """One category of the registry."""

    key: str
    label: str
    iccs: str
    iccs_label: str
    sensitive: bool
    synonyms: tuple[str, ...]

    @property
    def iccs_section(self) -> str:
        """The two-digit ICCS section, e.g. ``"02"``."""
        return self.iccs[:2]


CRIME_TYPES: tuple[CrimeType, ...] = (
    CrimeType(
        "human_trafficking",
        "Human trafficking",
        "0204",
        "Trafficking in persons",
        True,
        (
            "trafficking in human beings",
            "trafficking in persons",
            "THB",
            "TIP",
            "trafic de persoane",
            "traficul de fiinte umane",
            "торгівля людьми",
            "торговля людьми",
        ),
    ),
    CrimeType(
        "migrant_smuggling",
        "Migrant smuggling",
        "08051",
        "Smuggling of migrants",
        False,
        (
            "smuggling of migrants",
            "people smuggling",
            "facilitation of illegal immigration",
            "trafic de migranti",
            "organizarea migratiei ilegale",
            "контрабанда людей",
            "незаконне переправлення осіб через державний кордон",
            "организация незаконной миграции",
        ),
    ),
    CrimeType(
        "child_sexual_exploitation",
        "Child sexual exploitation",
        "03022",
        "Sexual exploitation of children",
        True,
        (
            "CSE",
            "CSEA",
            "child sexual abuse",
            "child sexual abuse material",
            "CSAM",
            "exploatarea sexuala a copiilor",
            "сексуальна експлуатація дітей",
            "сексуальная эксплуатация детей",
        ),
    ),
    CrimeType(
        "drug_trafficking",
        "Drug trafficking",
        "0601",
        "Unlawful acts involving controlled drugs or precursors",
        False,
        (
            "drugs",
            "narcotics",
            "trafic de droguri",
            "trafic de stupefiante",
            "незаконний обіг наркотиків",
            "наркоторговля",
            "наркотики",
        ),
    ),
    CrimeType(
        "firearms_trafficking",
        "Firearms trafficking",
        "09012",
        "Trafficking of weapons and explosives",
        False,
        (
            "weapons trafficking",
            "arms trafficking",
            "illicit firearms",
            "trafic de arme",
            "незаконне поводження зі зброєю",
            "незаконный оборот оружия",
        ),
    ),
    CrimeType(
        "vehicle_crime",
        "Vehicle crime",
        "05021",
        "Theft of a motorized vehicle or parts thereof",
        False,
        (
            "vehicle theft",
            "stolen vehicles",
            "car theft",
            "vehicle trafficking",
            "furt de autovehicule",
            "незаконне заволодіння транспортним засобом",
            "угон автомобилей",
        ),
    ),
    CrimeType(
        "terrorism",
        "Terrorism",
        "0906",
        "Acts related to terrorism",
        False,
        ("terrorist offences", "terrorism financing", "terorism", "тероризм", "терроризм"),
    ),
    CrimeType(
        "financial_crime",
        "Financial crime",
        "0704",
        "Acts involving proceeds of crime",
        False,
        (
            "money laundering",
            "fraud",
            "economic crime",
            "spalarea banilor",
            "infractiuni economice",
            "легалізація доходів",
            "відмивання коштів",
            "отмывание денег",
        ),
    ),
    CrimeType(
        "cybercrime",
        "Cybercrime",
        "0903",
        "Acts against computer systems",
        False,
        (
            "cyber crime",
            "computer crime",
            "criminalitate informatica",
            "кіберзлочинність",
            "киберпреступность",
        ),
    ),
    CrimeType(
        "document_fraud",
        "Document fraud",
        "07023",
        "Acts of forgery/counterfeiting documents",
        False,
        (
            "travel document fraud",
            "forged documents",
            "false documents",
            "identity fraud",
            "fals in acte",
            "falsificarea documentelor",
            "підроблення документів",
            "подделка документов",
        ),
    ),
    CrimeType(
        "cbrne",
        "CBRNE smuggling",
        "09019",
        "Other acts involving weapons, explosives and other destructive materials",
        False,
        (
            "CBRN",
            "chemical biological radiological nuclear explosive",
            "nuclear smuggling",
            "radioactive materials",
            "substante radioactive",
            "радіоактивні матеріали",
            "радиоактивные материалы",
        ),
    ),
    CrimeType(
        "organised_crime",
        "Organised crime",
        "0905",
        "Acts related to an organized criminal group",
        False,
        (
            "organized crime",
            "OCG",
            "criminal organisation",
            "crima organizata",
            "grup criminal organizat",
            "організована злочинність",
            "организованная преступность",
        ),
    ),
)

CRIME_TYPE_KEYS: tuple[str, ...] = tuple(ct.key for ct in CRIME_TYPES)
_BY_KEY = {ct.key: ct for ct in CRIME_TYPES}


def get_crime_type(key: str) -> CrimeType:
    """Return the registry entry for ``key``; raise ``KeyError`` naming the key if unknown."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"Unknown crime type {key!r}. Known: {', '.join(CRIME_TYPE_KEYS)}") from None


def crime_type_label(key: str) -> str:
    """The English label of a crime type key."""
    return get_crime_type(key).label


def sensitive_crime_types() -> tuple[str, ...]:
    """Keys whose small counts could identify a victim."""
    return tuple(ct.key for ct in CRIME_TYPES if ct.sensitive)
