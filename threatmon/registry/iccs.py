"""ICCS codes: their shape, their labels, and which codes lie below which.

The International Classification of Crime for Statistical Purposes (ICCS, version 1.0,
UNODC, March 2015) numbers its categories by level: a two-digit section (``"06"``),
four digits at level 2 (``"0601"``), five at level 3 (``"06012"``) and six at level 4
(``"030221"``); each code starts with its parent's. Releases write them with or without
an ``ICCS`` prefix (Eurostat: ``ICCS0601``). :data:`ICCS_LABELS` holds the English labels
of the sections and of the categories that national releases and the registry's keys
use; a well-formed code missing from it is still an ICCS code, named by its code alone.
"""

from __future__ import annotations

import re

#: Sections 01 to 11; digit counts of levels 1 to 4.
ICCS_SECTIONS = tuple(f"{n:02d}" for n in range(1, 12))
_LEVEL_LENGTHS = (2, 4, 5, 6)
_CODE = re.compile(r"(?:iccs)?\s*[-:.]?\s*(\d{2,6})", re.IGNORECASE)

ICCS_LABELS: dict[str, str] = {
    "01": "Acts leading to death or intending to cause death",
    "0101": "Intentional homicide",
    "0102": "Attempted intentional homicide",
    "0103": "Non-intentional homicide",
    "0104": "Assisting or instigating suicide",
    "0105": "Euthanasia",
    "0106": "Illegal feticide",
    "0107": "Unlawful killing associated with armed conflict",
    "02": "Acts causing harm or intending to cause harm to the person",
    "0201": "Assaults and threats",
    "020111": "Serious assault",
    "020112": "Minor assault",
    "0202": "Acts against liberty",
    "020221": "Kidnapping",
    "0203": "Slavery and exploitation",
    "0204": "Trafficking in persons",
    "03": "Injurious acts of a sexual nature",
    "0301": "Sexual violence",
    "03011": "Rape",
    "03012": "Sexual assault",
    "0302": "Sexual exploitation",
    "03021": "Sexual exploitation of adults",
    "03022": "Sexual exploitation of children",
    "030221": "Child pornography",
    "030222": "Child prostitution",
    "030223": "Sexual grooming of children",
    "04": "Acts against property involving violence or threat against a person",
    "0401": "Robbery",
    "05": "Acts against property only",
    "0501": "Burglary",
    "05012": "Burglary of private residential premises",
    "0502": "Theft",
    "05021": "Theft of a motorized vehicle or parts thereof",
    "0503": "Intellectual property offences",
    "0504": "Property damage",
    "06": "Acts involving controlled psychoactive substances or other drugs",
    "0601": "Unlawful acts involving controlled drugs or precursors",
    "06011": "Unlawful possession, purchase, use, cultivation or production of controlled "
    "drugs for personal consumption",
    "06012": "Unlawful trafficking, cultivation or production of controlled drugs or "
    "precursors not for personal consumption",
    "07": "Acts involving fraud, deception or corruption",
    "0701": "Fraud",
    "0702": "Forgery/counterfeiting",
    "07023": "Acts of forgery/counterfeiting documents",
    "0703": "Corruption",
    "07031": "Bribery",
    "0704": "Acts involving proceeds of crime",
    "07041": "Money laundering",
    "08": "Acts against public order, authority and provisions of the State",
    "0805": "Acts related to migration",
    "08051": "Smuggling of migrants",
    "09": "Acts against public safety and state security",
    "0901": "Acts involving weapons, explosives and other destructive materials",
    "09011": "Possession or use of weapons and explosives",
    "09012": "Trafficking of weapons and explosives",
    "09019": "Other acts involving weapons, explosives and other destructive materials",
    "0903": "Acts against computer systems",
    "0904": "Acts against state security",
    "0905": "Acts related to an organized criminal group",
    "09051": "Participation in an organized criminal group",
    "0906": "Acts related to terrorism",
    "09061": "Participation in a terrorist group",
    "09062": "Financing of terrorism",
    "10": "Acts against the natural environment",
    "11": "Other criminal acts not elsewhere classified",
}


def parse_iccs(text: str) -> str | None:
    """The bare ICCS code in ``text`` (``"ICCS0601"``, ``"0601"``, ``"iccs 06012"``), or None.

    A code has 2, 4, 5 or 6 digits and starts with a section 01 to 11; anything else
    (``"332"``, a criminal-code article, or ``"ICCS9901"``) is not an ICCS code.

    >>> parse_iccs("ICCS030221"), parse_iccs("0601"), parse_iccs("332")
    ('030221', '0601', None)
    """
    found = _CODE.fullmatch(text.strip())
    if found is None:
        return None
    code = found.group(1)
    if len(code) not in _LEVEL_LENGTHS or code[:2] not in ICCS_SECTIONS:
        return None
    return code


def iccs_name(code: str) -> str:
    """``"ICCS0101 Intentional homicide"``; the code alone when its label is not listed."""
    label = ICCS_LABELS.get(code)
    return f"ICCS{code} {label}" if label else f"ICCS{code}"


def descends(code: str, ancestor: str) -> bool:
    """Whether ``code`` is ``ancestor`` or lies below it (``"06012"`` below ``"0601"``)."""
    return code.startswith(ancestor)
