"""Class breaks for choropleth maps, from mapclassify.

A map reader compares colours, not numbers, so how values are cut into classes
decides what the map says. The method is the user's choice (quantiles by default:
every class holds about as many regions); a change map always uses fixed breaks
centred on zero that match the overview's change levels (±10 %, ±25 %), so that
"red" means an increase on every map and every page.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd

#: Method key → label shown in the page's selector.
METHODS: dict[str, str] = {
    "quantiles": "Quantiles (equal counts)",
    "natural_breaks": "Natural breaks (Fisher-Jenks)",
    "equal_interval": "Equal intervals",
    "head_tail": "Head/tail breaks (heavy tails)",
    "std_mean": "Standard deviations from the mean",
}

#: Upper bounds of the change classes in percent (the last class is open-ended).
CHANGE_BREAKS: tuple[float, ...] = (-50.0, -25.0, -10.0, 10.0, 25.0, 50.0)


@dataclass(frozen=True)
class Classes:
    """Class ``i`` holds values in (``edges[i]``, ``edges[i + 1]``]; class 0 also its minimum."""

    method: str
    edges: tuple[float, ...]
    labels: tuple[str, ...]

    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.labels)


def english_number(value: float, decimals: int = 0, sign: bool = False) -> str:
    """``value`` as English writes it: "12,345.6"; ``sign`` writes "+" for positive values."""
    return f"{value:{'+' if sign else ''},.{decimals}f}"


@dataclass(frozen=True)
class ClassWords:
    """How class labels write numbers; English unless a page passes its language's.

    ``number(value, decimals, sign)`` writes a number with the language's separators;
    ``percent``, ``below`` and ``above`` have a ``{value}`` placeholder.
    """

    number: Callable[..., str] = english_number
    percent: str = "{value} %"
    below: str = "below {value}"
    above: str = "above {value}"

    def value(self, value: float, percent: bool = False) -> str:
        """A class edge: a signed whole percent, or a number (one decimal below 100)."""
        if percent:
            return self.percent.format(value=self.number(value, 0, True))
        if abs(value) >= 100 or float(value).is_integer():
            return self.number(value, 0)
        return self.number(value, 1)


ENGLISH_CLASSES = ClassWords()


def _labels(edges: list[float], percent: bool, words: ClassWords) -> tuple[str, ...]:
    return tuple(
        f"{words.value(low, percent)} – {words.value(high, percent)}"
        for low, high in zip(edges[:-1], edges[1:], strict=True)
    )


def classify(
    values: pd.Series, method: str = "quantiles", k: int = 5, words: ClassWords = ENGLISH_CLASSES
) -> tuple[pd.Series, Classes]:
    """Assign each value to a class.

    Parameters
    ----------
    values : Series
        One value per region; NaN (no data, or too few incidents) gets class -1.
    method : str
        A key of :data:`METHODS`.
    k : int
        Wanted number of classes (2–9); fewer when there are fewer distinct values.
    words : ClassWords
        How the labels write numbers.

    Returns
    -------
    (Series, Classes)
        The class index per value (same index as ``values``) and the classes.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown classification method {method!r}; use one of {list(METHODS)}.")
    if not 2 <= k <= 9:
        raise ValueError(f"`k` must be between 2 and 9. Got {k}.")
    known = values.dropna().astype("float64")
    index = pd.Series(-1, index=values.index, dtype="int64")
    if known.empty:
        return index, Classes(method, (), ())
    distinct = int(known.nunique())
    if distinct == 1:
        only = float(known.iloc[0])
        index[known.index] = 0
        return index, Classes(method, (only, only), (words.value(only),))
    k = min(k, distinct)
    y = known.to_numpy()
    with warnings.catch_warnings():
        # mapclassify warns when quantiles collapse on ties; the collapsed classes are
        # dropped below, which is the honest answer.
        warnings.simplefilter("ignore")
        if method == "quantiles":
            scheme = mapclassify.Quantiles(y, k=k)
        elif method == "natural_breaks":
            scheme = mapclassify.FisherJenks(y, k=k)
        elif method == "equal_interval":
            scheme = mapclassify.EqualInterval(y, k=k)
        elif method == "head_tail":
            scheme = mapclassify.HeadTailBreaks(y)
        else:
            scheme = mapclassify.StdMean(y)
    uppers = sorted(set(float(b) for b in scheme.bins))
    uppers = [b for b in uppers if b >= y.min()] or [float(y.max())]
    uppers[-1] = max(uppers[-1], float(y.max()))
    edges = [float(y.min()), *uppers]
    # Searching the upper bounds keeps "class i holds values ≤ its upper bound" exact.
    index[known.index] = np.searchsorted(np.array(uppers), y, side="left")
    return index, Classes(method, tuple(edges), _labels(edges, False, words))


def classify_change(
    percent: pd.Series, words: ClassWords = ENGLISH_CLASSES
) -> tuple[pd.Series, Classes]:
    """Classes of percent change on the fixed, zero-centred :data:`CHANGE_BREAKS`."""
    known = percent.dropna().astype("float64")
    index = pd.Series(-1, index=percent.index, dtype="int64")
    index[known.index] = np.searchsorted(np.array(CHANGE_BREAKS), known.to_numpy(), side="left")
    labels = (
        words.below.format(value=words.value(CHANGE_BREAKS[0], True)),
        *_labels(list(CHANGE_BREAKS), True, words),
        words.above.format(value=words.value(CHANGE_BREAKS[-1], True)),
    )
    edges = (-np.inf, *CHANGE_BREAKS, np.inf)
    return index, Classes("change", tuple(float(e) for e in edges), labels)
