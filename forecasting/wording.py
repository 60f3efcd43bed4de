"""What the forecasts say, as keys and values: the dashboard puts them into words.

The models' verdicts, the track record and the link with migration flows are
:class:`Note` objects: a key of :data:`NOTE_KEYS` and typed values. ``ui.i18n`` turns
them into sentences in the reader's language (a :class:`Count` with its plural, a
:class:`Model` by its name, a :class:`Share` as a percentage, numbers with the
language's separators), so this package holds no sentence meant for the dashboard. The
command line keeps its documented English ``message``; :class:`Worded` carries a note
alongside an English text that the command line already prints.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Count:
    """``n`` periods (or other things) of ``unit``: "1 month", "5 місяців"."""

    n: int
    unit: str


@dataclass(frozen=True)
class PValue:
    """A test's p-value: "= 0.012", or "< 0.001" below that (never "= 0.000")."""

    value: float


@dataclass(frozen=True)
class Per:
    """ "A month", "a week": one period of ``unit`` as the unit of a rate."""

    unit: str


@dataclass(frozen=True)
class Country:
    """A country by its ISO code, written by its name in the reader's language."""

    code: str


@dataclass(frozen=True)
class Earlier:
    """When, ``n`` periods of ``unit`` before: "in the same month", "2 months earlier"."""

    n: int
    unit: str


@dataclass(frozen=True)
class Model:
    """A forecasting model by its key, with the lag of the flows it uses (None without)."""

    name: str
    lag: int | None = None


@dataclass(frozen=True)
class Share:
    """A proportion between 0 and 1, written as a whole percentage."""

    value: float


@dataclass(frozen=True)
class Amount:
    """A number written with ``decimals`` decimals and the language's separators."""

    value: float
    decimals: int = 0
    sign: bool = False


#: What a :class:`Count` counts, and the periods of :class:`Per` and :class:`Earlier`
#: (``threatmon/locales`` writes each, with its plural forms).
COUNTED: tuple[str, ...] = ("years", "quarters", "months", "weeks", "crossing_points")
PERIODS: tuple[str, ...] = ("years", "quarters", "months", "weeks")

#: Every note the forecasts give, by key; ``threatmon/locales`` holds a text for each under
#: ``note.`` (``tests/ui/test_catalogues.py`` checks both ways).
NOTE_KEYS: tuple[str, ...] = (
    # gaps in the series (forecasting.series.latest_stretch)
    "gap_one",
    "gap_span",
    "gap_after",
    # what the series allowed (forecasting.series.classify)
    "too_short_level",
    "too_short_mean",
    "all_zero",
    "too_sparse",
    "intermittent",
    "dormant",
    "dormant_short",
    # the choice (forecasting.forecast)
    "skill",
    "skill_total",
    "default_kept",
    "no_skill",
    "no_skill_best",
    "no_skill_best_total",
    "held_out",
    "held_out_total",
    "low_volume",
    "low_volume_range",
    "fit_warnings",
    "reconciled_shift",
    "not_reconciled",
    # the flows compared (forecasting.selection.flow_series)
    "flows_points",
    "flows_country",
    "flows_all",
    "flows_none",
    # the link with the flows (forecasting.linkage)
    "link_too_few",
    "link_best",
    "link_best_chance",
    "granger_yes",
    "granger_no",
    "granger_too_few",
    "granger_no_but_used",
    # the size of the effect (forecasting.effect)
    "effect_more",
    "effect_fewer",
    "effect_zero_inside",
    "effect_shown",
    "effect_unsized",
    "effect_too_few",
    "effect_gap",
    "effect_no_variation",
    "effect_used_unsized",
    "effect_used_zero_inside",
)


@dataclass(frozen=True)
class Note:
    """One statement: a key of :data:`NOTE_KEYS` and the values its text needs."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in NOTE_KEYS:
            raise ValueError(f"Unknown note {self.key!r}; add it to NOTE_KEYS.")
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def __reduce__(self):
        # MappingProxyType does not pickle; the dashboard's cache pickles results.
        return (Note, (self.key, dict(self.values)))


def note(key: str, **values: object) -> Note:
    """``Note(key, values)``; ``note("gap_after", last="2026-07")``."""
    return Note(key, values)


class Worded(str):
    """An English text that also carries the :class:`Note` it says, for the dashboard.

    A plain ``str`` for everything that printed the text before (the command line and its
    JSON); ``.note`` for the pages.
    """

    note: Note

    def __new__(cls, text: str, said: Note) -> Worded:
        made = super().__new__(cls, text)
        made.note = said
        return made

    def __reduce__(self):
        return (Worded, (str(self), self.note))


# -- to and from JSON (the forecast cache keeps the notes of every series) ---------------------

_TYPES = {
    "count": Count,
    "model": Model,
    "share": Share,
    "amount": Amount,
    "per": Per,
    "earlier": Earlier,
    "country": Country,
    "p_value": PValue,
}
_NAMES = {kind: name for name, kind in _TYPES.items()}


def _plain(value: object) -> object:
    kind = _NAMES.get(type(value))
    if kind is None:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    return {"type": kind, **{k: getattr(value, k) for k in value.__dataclass_fields__}}


def _typed(value: object) -> object:
    if isinstance(value, dict) and value.get("type") in _TYPES:
        fields = {k: v for k, v in value.items() if k != "type"}
        return _TYPES[value["type"]](**fields)
    return value


def to_json(notes: Iterable[Note]) -> str:
    """The notes as a JSON array of ``{"key", "values"}`` (strict JSON: NaN becomes null)."""
    records = [{"key": n.key, "values": {k: _plain(v) for k, v in n.values.items()}} for n in notes]
    return json.dumps(records, allow_nan=False)


def from_json(text: str | None) -> tuple[Note, ...]:
    """The notes written by :func:`to_json` ("" or None: none)."""
    if not isinstance(text, str) or not text:
        return ()
    return tuple(
        Note(r["key"], {k: _typed(v) for k, v in r["values"].items()}) for r in json.loads(text)
    )
