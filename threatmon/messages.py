"""Sentences for the reader's language: what the logic packages say, as a key and values.

The packages below the dashboard never write a sentence the dashboard shows: they return
a :class:`Message` (a catalogue key under ``msg.`` and its values, unformatted), and
``ui.messages.say`` writes it in the session's language with its separators and names.
A value's name says how it is written (see :class:`Message`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

#: Below this a chance is "less than 1 in a million": the models say nothing finer, and a
#: smaller figure reads as certainty.
ONE_IN_A_MILLION = 1e-6


@dataclass(frozen=True)
class Message:
    """A sentence to be written in the reader's language.

    Attributes
    ----------
    key : str
        The catalogue key below ``msg.`` (``"alert.surge"`` is ``msg.alert.surge``).
    params : dict
        The values of its placeholders, by name, unformatted. ``region`` is a region
        code (written with its country: "Călărași (Moldova)"), ``crime`` a crime-type
        key, a date a month ("October 2026"), an int a count, a float a figure with one
        decimal, a :class:`Message` a phrase written the same way.
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def odds(p: float) -> Message:
    """A probability in words: "less than 1 in a million" or "about 1 in 3,000".

    ``N`` in "1 in N" is ``1 / p`` to two significant figures, so 3.3e-4 is "about 1 in
    3,000" and 0.15 "about 1 in 7".

    >>> odds(3.3e-4)
    Message(key='odds.about', params={'n': 3000})
    >>> odds(3e-7).key
    'odds.below_million'
    """
    if not p > 0 or p < ONE_IN_A_MILLION:
        return Message("odds.below_million")
    n = 1.0 / p
    if n >= 100:
        step = 10 ** (math.floor(math.log10(n)) - 1)
        n = round(n / step) * step
    return Message("odds.about", {"n": max(1, int(round(n)))})
