"""The alerts' sentences: a message per kind of alert, and its English text.

An alert is a :class:`threatmon.messages.Message` (``alert.*``, with its chance in words,
``odds.*``): the dashboard writes it in the reader's language from its catalogues
(``msg.alert.*`` in ``threatmon/locales``), the CLI and the briefing in English with
:func:`english`. The English here is the catalogue's; a test keeps the two equal. A
counted placeholder (``{count|incidents}``) takes its noun's form from the number.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from threatmon.i18n import format_text
from threatmon.messages import Message

#: The English text of each message key the alerts use.
ENGLISH: dict[str, str] = {
    "alert.surge": (
        "{region}, {crime}: {count|incidents} in {month}, {ratio} times the monthly average "
        "of {expected} over the {baseline|months} before (chance of this by coincidence: "
        "{odds})."
    ),
    "alert.surge_partial": (
        "{region}, {crime}: {count|incidents} in {month}, {ratio} times the monthly average "
        "of {expected} over the {months|reported_months} of the {baseline} before (chance "
        "of this by coincidence: {odds})."
    ),
    "alert.surge_first": (
        "{region}, {crime}: {count|incidents} in {month}, the first since {since} (chance "
        "of this by coincidence: {odds})."
    ),
    "alert.surge_first_partial": (
        "{region}, {crime}: {count|incidents} in {month}, the first since {since} ({months} "
        "of the {baseline|months} before reported; chance of this by coincidence: {odds})."
    ),
    "alert.above": (
        "{region}, {crime}: {count|incidents} in {month}, above the range of {lower}–{upper} "
        "expected from the months up to {previous} (chance of this by coincidence: {odds})."
    ),
    "alert.below": (
        "{region}, {crime}: {count|incidents} in {month}, below the range of {lower}–{upper} "
        "expected from the months up to {previous} (chance of this by coincidence: {odds}); "
        "a drop this sharp can also be a reporting gap."
    ),
    "odds.about": "about 1 in {n}",
    "odds.below_million": "less than 1 in a million",
}
#: The message keys of the alerts (the catalogues' ``msg.`` family checks against it).
MESSAGE_KEYS: tuple[str, ...] = tuple(ENGLISH)


def english(message: Message, places: Mapping[str, str], crimes: Mapping[str, str]) -> str:
    """``message`` in English: ``places`` names a region code ("Cahul (Moldova)"),
    ``crimes`` a crime-type key; a code or key they lack is written as it is."""
    values = {}
    for name, value in message.params.items():
        if isinstance(value, Message):
            values[name] = english(value, places, crimes)
        elif name == "region":
            values[name] = places.get(value, value)
        elif name == "crime":
            values[name] = crimes.get(value, value)
        elif isinstance(value, pd.Timestamp):
            values[name] = f"{value:%B %Y}"
        elif isinstance(value, int):
            values[name] = f"{value:,}"
        elif isinstance(value, float):
            values[name] = f"{value:,.1f}"
        else:
            values[name] = str(value)
    return format_text(ENGLISH[message.key], "en", values)
