"""How to read one file: the options of :func:`data_loaders.ingest.ingest_file`, which the
staging of its rows reads too."""

from __future__ import annotations

from dataclasses import dataclass, field

from data_loaders.covers import parse_covers, parse_crime_types
from data_loaders.mapping import contract_columns
from data_loaders.normalise import DATE_ORDERS, THOUSANDS_SEPARATORS
from data_loaders.readers import ReadLimits
from data_loaders.value_aliases import parse_aliases
from threatmon.access.roles import parse_scope
from threatmon.registry.crosswalks import get_crosswalk


@dataclass(frozen=True)
class IngestOptions:
    """How to read one file. ``mapping`` is file header → contract column (or ``"-"``)."""

    kind: str = "incidents"
    mapping: dict[str, str] | None = None
    sheet: str | None = None
    limits: ReadLimits = field(default_factory=ReadLimits)
    max_problems: int = 10_000
    preview_rows: int = 100
    #: The countries the uploader may load; empty: any (see :class:`Principal.scope`).
    scope: tuple[str, ...] = ()
    #: A national code crosswalk (:func:`threatmon.registry.crosswalks.crosswalk_names`).
    crosswalk: str | None = None
    #: Load the rows of the other categories and report those outside the 12 crime types.
    skip_out_of_scope: bool = False
    #: The order of slashed dates, ``"dmy"`` or ``"mdy"``; None: the dates decide.
    date_order: str | None = None
    #: The counts' thousands separator (``","``, ``"."``, ``"space"``, ``"'"``); None: none
    #: declared (spaces and apostrophes group, a lone ``1,234`` is refused as ambiguous).
    thousands: str | None = None
    #: Supersede the rows of older batches that this file revises (flows: the same
    #: country × crossing point × day; incidents: the same country × level × region ×
    #: crime type for an overlapping period, one of the two longer than a day) instead
    #: of refusing the file.
    replace: bool = False
    #: ``FROM..TO``: the file reports every crime type (or those of
    #: ``covers_crime_types``) for each of its countries at its level(s) and granularity
    #: over these periods, zeros omitted (:mod:`data_loaders.covers`).
    covers: str | None = None
    #: ``"k1,k2"``: the crime types ``covers`` declares; None: all 12.
    covers_crime_types: str | None = None
    #: The source's value aliases, ``{column: {value: target}}``, resolved before the
    #: values are checked (:mod:`data_loaders.value_aliases`); None: none.
    value_aliases: dict[str, dict[str, str]] | None = None

    def __post_init__(self) -> None:
        contract_columns(self.kind)
        if self.crosswalk is not None:
            get_crosswalk(self.crosswalk)
        object.__setattr__(self, "scope", parse_scope(",".join(self.scope)))
        if self.max_problems < 1:
            raise ValueError(f"`max_problems` must be at least 1. Got {self.max_problems}.")
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise ValueError(
                f"`date_order` is one of {', '.join(DATE_ORDERS)}. Got {self.date_order!r}."
            )
        if self.thousands is not None and self.thousands not in THOUSANDS_SEPARATORS:
            raise ValueError(
                f"`thousands` is one of {', '.join(map(repr, THOUSANDS_SEPARATORS))}. "
                f"Got {self.thousands!r}."
            )
        if self.covers is not None:
            if self.kind != "incidents":
                raise ValueError("`covers` applies to incident files, not flows.")
            parse_covers(self.covers)
        parse_crime_types(self.covers_crime_types)
        if self.value_aliases is not None:
            object.__setattr__(self, "value_aliases", parse_aliases(self.value_aliases) or None)

    def aliases(self, column: str) -> dict[str, str]:
        """The value aliases of ``column`` ({} for none)."""
        return dict((self.value_aliases or {}).get(column) or {})

    @property
    def covered_crime_types(self) -> tuple[str, ...]:
        """The crime types ``covers`` declares (empty: all 12)."""
        return parse_crime_types(self.covers_crime_types)
