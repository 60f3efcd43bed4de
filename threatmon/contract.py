"""The long data contract for incidents and migration flows, checked once at the store's door.

Every later function trusts frames that passed :func:`validate_incidents` or
:func:`validate_flows`. Checks are vectorised so that a 10M-row demo load
validates in seconds, and every violation is reported in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from threatmon.errors import Problem, ValidationError
from threatmon.granularity import GRANULARITIES, LEVELS, period_label
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions

INCIDENT_REQUIRED: tuple[str, ...] = ("date", "country", "crime_type", "count")
#: The other columns a file may map. No ``region_code``: a national figure (the region is
#: the country). No ``period_end``: a day.
INCIDENT_OPTIONAL: tuple[str, ...] = (
    "region_code",
    "period_end",
    "crossing_point",
    "latitude",
    "longitude",
    "victims",
    "suspects",
    "source",
    "incident_id",
)
#: Columns the contract derives when they are absent: ``granularity`` from ``date`` and
#: ``period_end``, ``level`` ('national' iff there is no ``region_code``).
INCIDENT_DERIVED: tuple[str, ...] = ("granularity", "level")
#: The stored columns, in the table's order. ``date`` is the period's first day.
INCIDENT_COLUMNS: tuple[str, ...] = (
    "date",
    "period_end",
    "granularity",
    "level",
    "country",
    "region_code",
    "crime_type",
    "count",
    "crossing_point",
    "latitude",
    "longitude",
    "victims",
    "suspects",
    "source",
    "incident_id",
)
#: What makes two aggregated figures the same figure (with overlapping periods): a load
#: holding two of them, or re-sending one already stored, would count it twice.
AGGREGATE_KEY: tuple[str, ...] = ("country", "level", "region_code", "crime_type")

FLOW_REQUIRED: tuple[str, ...] = ("date", "country", "arrivals")
FLOW_OPTIONAL: tuple[str, ...] = ("crossing_point", "departures")
FLOW_COLUMNS: tuple[str, ...] = FLOW_REQUIRED + FLOW_OPTIONAL

# Dates outside this window are almost always typos (2102 for 2021) or Excel epoch slips.
EARLIEST_DATE = pd.Timestamp("2000-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")

_STRING_COLUMNS = (
    "granularity",
    "level",
    "country",
    "region_code",
    "crime_type",
    "crossing_point",
    "source",
    "incident_id",
)


def validate_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Check incidents against the contract and return them in canonical dtypes.

    A row is a figure for one period (``date`` its first day, ``period_end`` its last: a
    day, an ISO week, a month, a quarter or a year) and one place (a region, or with no
    ``region_code`` the whole country). Absent ``period_end``, ``granularity`` and
    ``level`` are derived: no ``period_end`` is a day (or, with a ``granularity``, that
    period from ``date``), ``level`` is 'national' iff there is no ``region_code``.

    Parameters
    ----------
    frame : DataFrame
        At least the required columns; optional and derived columns may be absent.
        Extra columns are an error, so nothing is dropped silently.

    Returns
    -------
    DataFrame
        A new frame with every contract column, in contract order, typed:
        ``date``/``period_end`` datetime64 (day), strings, ``count`` int64, coordinates
        float64, ``victims``/``suspects`` nullable Int64.

    Raises
    ------
    ValidationError
        With one :class:`Problem` per bad value; ``row`` is the 0-based position.
    """
    problems = _check_columns(frame, INCIDENT_REQUIRED, INCIDENT_COLUMNS)
    if problems:
        raise ValidationError(_summary("incidents", problems), problems)
    out = _with_all_columns(frame, INCIDENT_COLUMNS)
    problems += _coerce_dates(out)
    problems += _derive_periods(out)
    problems += _check_codes(
        out, "country", PROJECT_COUNTRIES, "is not one of the project's countries"
    )
    problems += _check_codes(out, "crime_type", CRIME_TYPE_KEYS, "is not a crime-type key")
    problems += _derive_levels(out)
    # A day row is one or more incidents; a figure for a longer period may be a reported 0.
    day = (out["granularity"] == "day").to_numpy(dtype=bool, na_value=False)
    problems += _coerce_int(out, "count", minimum=np.where(day, 1, 0), nullable=False)
    problems += _coerce_int(out, "victims", minimum=0, nullable=True)
    problems += _coerce_int(out, "suspects", minimum=0, nullable=True)
    problems += _coerce_coordinate(out, "latitude", -90, 90)
    problems += _coerce_coordinate(out, "longitude", -180, 180)
    problems += _check_duplicate_ids(out)
    problems += _check_overlapping_figures(out)
    if problems:
        problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.column or ""))
        raise ValidationError(_summary("incidents", problems), problems)
    return out


def validate_flows(frame: pd.DataFrame) -> pd.DataFrame:
    """Check migration flows against the contract and return them in canonical dtypes.

    ``arrivals`` are border crossings from Ukraine into ``country`` (integer ≥ 0);
    ``departures`` the crossings back, when the source reports them.
    """
    problems = _check_columns(frame, FLOW_REQUIRED, FLOW_COLUMNS)
    if problems:
        raise ValidationError(_summary("flows", problems), problems)
    out = _with_all_columns(frame, FLOW_COLUMNS)
    problems += _coerce_dates(out)
    problems += _check_codes(
        out, "country", PROJECT_COUNTRIES, "is not one of the project's countries"
    )
    problems += _coerce_int(out, "arrivals", minimum=0, nullable=False)
    problems += _coerce_int(out, "departures", minimum=0, nullable=True)
    if problems:
        problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.column or ""))
        raise ValidationError(_summary("flows", problems), problems)
    return out


def _summary(kind: str, problems: list[Problem]) -> str:
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{len(problems)} {noun} in {kind}; nothing was written. First: {problems[0]}"


def _check_columns(
    frame: pd.DataFrame, required: Iterable[str], allowed: Iterable[str]
) -> list[Problem]:
    allowed = tuple(allowed)
    problems = [
        Problem(None, name, None, f"Required column {name!r} is missing.")
        for name in required
        if name not in frame.columns
    ]
    problems += [
        Problem(
            None,
            str(name),
            None,
            f"Column {name!r} is not part of the contract. Allowed: {', '.join(allowed)}.",
        )
        for name in frame.columns
        if name not in allowed
    ]
    return problems


def _with_all_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    # Series are taken as they are (copy-on-write keeps the caller's frame safe);
    # converting 10M strings through Python objects would cost seconds per column.
    length = len(frame)
    data = {}
    for name in columns:
        if name in frame.columns:
            series = frame[name].reset_index(drop=True)
        elif name in _STRING_COLUMNS:
            series = pd.Series(pa.nulls(length, pa.string()), dtype="string")
        else:
            series = pd.Series(pd.NA, index=pd.RangeIndex(length), dtype="object")
        if name in _STRING_COLUMNS and not isinstance(series.dtype, pd.StringDtype):
            series = series.astype("string")
        data[name] = series
    return pd.DataFrame(data, index=pd.RangeIndex(length))


def _bad_rows(mask: np.ndarray, column: str, values: pd.Series, reason: str) -> list[Problem]:
    positions = np.flatnonzero(mask)
    return [Problem(int(i), column, _plain(values.iat[i]), reason) for i in positions]


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _coerce_dates(out: pd.DataFrame) -> list[Problem]:
    raw = out["date"]
    parsed = pd.to_datetime(raw, errors="coerce")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    bad = parsed.isna().to_numpy()
    problems = _bad_rows(bad, "date", raw, "Date is missing or not a date.")
    out_of_range = (~bad) & ((parsed < EARLIEST_DATE) | (parsed > LATEST_DATE)).to_numpy()
    problems += _bad_rows(out_of_range, "date", raw, "Date is outside 2000-01-01 to 2100-12-31.")
    out["date"] = parsed.dt.normalize().astype("datetime64[us]")
    return problems


def _check_codes(
    out: pd.DataFrame, column: str, valid: Iterable[str], reason: str
) -> list[Problem]:
    values = out[column]
    bad = (~values.isin(list(valid)) | values.isna()).to_numpy()
    return _bad_rows(bad, column, values, f"Value {reason}.")


def _check_regions(out: pd.DataFrame) -> list[Problem]:
    regions = load_regions()
    codes = out["region_code"]
    present = codes.notna().to_numpy()
    # One hash lookup gives both membership and the region's country.
    positions = pd.Index(regions["region_code"]).get_indexer(codes)
    known = positions >= 0
    problems = _bad_rows(
        present & ~known,
        "region_code",
        codes,
        "Value is not an ISO 3166-2 code of the region registry.",
    )
    expected = regions["country"].to_numpy(dtype=object)[np.where(known, positions, 0)]
    mismatch = known & (expected != out["country"].to_numpy(dtype=object, na_value=None))
    problems += [
        Problem(
            int(i),
            "region_code",
            codes.iat[i],
            f"Region belongs to {expected[i]}, not to country {out['country'].iat[i]}.",
        )
        for i in np.flatnonzero(mismatch)
    ]
    return problems


def _coerce_int(
    out: pd.DataFrame, column: str, *, minimum: int | np.ndarray, nullable: bool
) -> list[Problem]:
    raw = out[column]
    numeric = pd.to_numeric(raw, errors="coerce")
    missing = raw.isna().to_numpy()
    not_number = numeric.isna().to_numpy() & ~missing
    problems = _bad_rows(not_number, column, raw, "Value is not a number.")
    if not nullable:
        problems += _bad_rows(missing, column, raw, "Value is missing.")
    values = numeric.to_numpy(dtype="float64", na_value=np.nan)
    present = ~np.isnan(values)
    fractional = present & (values != np.round(values))
    problems += _bad_rows(fractional, column, raw, "Value is not a whole number.")
    too_small = present & ~fractional & (values < minimum)
    minimums = np.broadcast_to(np.asarray(minimum), values.shape)
    for least in np.unique(minimums[too_small]):
        problems += _bad_rows(
            too_small & (minimums == least), column, raw, f"Value is below {int(least)}."
        )
    if nullable:
        out[column] = pd.array(np.where(present, values, 0).astype("int64"), dtype="Int64")
        out.loc[~present, column] = pd.NA
    else:
        out[column] = np.where(present, values, 0).astype("int64")
    return problems


def _coerce_coordinate(out: pd.DataFrame, column: str, low: float, high: float) -> list[Problem]:
    raw = out[column]
    numeric = pd.to_numeric(raw, errors="coerce").astype("float64")
    missing = raw.isna().to_numpy()
    not_number = numeric.isna().to_numpy() & ~missing
    problems = _bad_rows(not_number, column, raw, "Value is not a number.")
    outside = ((numeric < low) | (numeric > high)).to_numpy()
    problems += _bad_rows(outside, column, raw, f"Value is outside {low} to {high}.")
    out[column] = numeric
    return problems


def _check_duplicate_ids(out: pd.DataFrame) -> list[Problem]:
    ids = out["incident_id"].dropna()
    # Counting distinct values is several times cheaper than marking duplicates,
    # and the usual load has none.
    if ids.nunique() == len(ids):
        return []
    duplicated = np.zeros(len(out), dtype=bool)
    duplicated[ids.index[ids.duplicated(keep="first")]] = True
    return _bad_rows(
        duplicated,
        "incident_id",
        out["incident_id"],
        "incident_id appears more than once in the same load.",
    )


# -- periods and levels ------------------------------------------------------------------------

#: How a message names the period of a granularity ("the first day of its month").
_NOUN = {
    "day": "day",
    "week": "ISO week (a Monday)",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
}
NOT_A_PERIOD = (
    "Date to period end is not a calendar period: a day, an ISO week (Monday to Sunday), "
    "a month, a quarter or a year."
)


def _period_starts(days: np.ndarray, granularity: str) -> np.ndarray:
    """The first day of the ``granularity`` period holding each of ``days`` (datetime64[D])."""
    if granularity == "day":
        return days
    if granularity == "week":
        # 1970-01-05, day 4 of the epoch, was a Monday.
        return days - ((days.astype("int64") - 4) % 7).astype("timedelta64[D]")
    if granularity == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    if granularity == "quarter":
        months = days.astype("datetime64[M]").astype("int64")
        return (months - months % 3).astype("datetime64[M]").astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype("datetime64[D]")


def _period_ends(starts: np.ndarray, granularity: str) -> np.ndarray:
    """The last day of the ``granularity`` period starting on each of ``starts``."""
    if granularity == "day":
        return starts
    if granularity == "week":
        return starts + np.timedelta64(6, "D")
    if granularity == "year":
        following = starts.astype("datetime64[Y]") + np.timedelta64(1, "Y")
    else:
        months = {"month": 1, "quarter": 3}[granularity]
        following = starts.astype("datetime64[M]") + np.timedelta64(months, "M")
    return following.astype("datetime64[D]") - np.timedelta64(1, "D")


def granularity_codes(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Vectorised :func:`threatmon.granularity.granularity_of`: the position in
    ``GRANULARITIES`` of the period running from each start to its end, -1 where none does."""
    codes = np.full(len(starts), -1, dtype="int8")
    for code, granularity in reversed(list(enumerate(GRANULARITIES))):
        first = _period_starts(starts, granularity)
        exact = (first == starts) & (_period_ends(first, granularity) == ends)
        codes[exact] = code
    return codes


def period_ends(starts: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The last day of the period of granularity ``codes`` (positions in ``GRANULARITIES``)
    starting on each of ``starts``; NaT where a code is -1."""
    ends = np.full(len(starts), np.datetime64("NaT"), dtype="datetime64[D]")
    for code, granularity in enumerate(GRANULARITIES):
        rows = codes == code
        if rows.any():
            ends[rows] = _period_ends(starts[rows], granularity)
    return ends


def _labels(codes: np.ndarray, labels: tuple[str, ...]) -> pd.Series:
    # Through an Arrow dictionary: 10M repeated labels in well under a second.
    codes = codes.astype("int8")
    missing = codes < 0
    indices = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
    array = pa.DictionaryArray.from_arrays(indices, pa.array(list(labels)))
    return pd.Series(array.cast(pa.string()), dtype="string")


def _positions(values: pd.Series, allowed: tuple[str, ...]) -> np.ndarray:
    """The position of each value in ``allowed``; -1 for a missing or unknown value."""
    if not values.notna().any():
        return np.full(len(values), -1, dtype="int8")
    return (
        pd.Index(allowed).get_indexer(values.to_numpy(dtype=object, na_value=None)).astype("int8")
    )


def _day_text(day: np.datetime64) -> str:
    return str(day.astype("datetime64[D]"))


def _derive_periods(out: pd.DataFrame) -> list[Problem]:
    starts = out["date"].to_numpy(dtype="datetime64[D]")
    raw_end = out["period_end"]
    end_given = raw_end.notna().to_numpy()
    ends = np.full(len(out), np.datetime64("NaT"), dtype="datetime64[D]")
    # Most loads are days without a period end: nothing to parse then.
    if end_given.any():
        parsed = pd.to_datetime(raw_end, errors="coerce")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
        ends = parsed.to_numpy(dtype="datetime64[D]")
    bad_end = end_given & np.isnat(ends)
    problems = _bad_rows(bad_end, "period_end", raw_end, "Period end is not a date.")
    raw_granularity = out["granularity"]
    wanted = _positions(raw_granularity, GRANULARITIES)
    bad_granularity = raw_granularity.notna().to_numpy() & (wanted < 0)
    problems += _bad_rows(
        bad_granularity,
        "granularity",
        raw_granularity,
        f"Value is not one of {', '.join(GRANULARITIES)}.",
    )
    codes = np.where(~end_given & (wanted < 0), 0, -1).astype("int8")
    codes[bad_granularity | np.isnat(starts)] = -1
    result_ends = starts.copy()
    # The usual load (days, no period_end or granularity) skips the calendar arithmetic.
    work = np.flatnonzero(~np.isnat(starts) & ~bad_end & ~bad_granularity & (codes < 0))
    if len(work):
        problems += _periods_of(work, starts, ends, end_given, wanted, codes, result_ends)
    result_ends[codes < 0] = np.datetime64("NaT")
    out["period_end"] = pd.Series(result_ends, dtype="datetime64[us]")
    out["granularity"] = _labels(codes, GRANULARITIES)
    return problems


def _periods_of(
    work: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    end_given: np.ndarray,
    wanted: np.ndarray,
    codes: np.ndarray,
    result_ends: np.ndarray,
) -> list[Problem]:
    """Granularity and period end of the rows at ``work`` (a period end or a granularity
    given), set in ``codes`` and ``result_ends``; the problems of those that are no period."""
    start, end, asked = starts[work], ends[work], wanted[work]
    has_end = end_given[work]
    found = np.full(len(work), -1, dtype="int8")
    found[has_end] = granularity_codes(start[has_end], end[has_end])
    aligned = np.ones(len(work), dtype=bool)
    asked_ends = np.full(len(work), np.datetime64("NaT"), dtype="datetime64[D]")
    for code, granularity in enumerate(GRANULARITIES):
        rows = asked == code
        if rows.any():
            first = _period_starts(start[rows], granularity)
            aligned[rows] = first == start[rows]
            asked_ends[rows] = _period_ends(start[rows], granularity)
    problems = []
    for i, row in enumerate(work):
        row = int(row)
        noun = _NOUN[GRANULARITIES[asked[i]]] if asked[i] >= 0 else None
        if not has_end[i]:
            if aligned[i]:
                codes[row], result_ends[row] = asked[i], asked_ends[i]
            else:
                problems.append(
                    Problem(
                        row,
                        "date",
                        _day_text(start[i]),
                        f"Date is not the first day of its {noun}.",
                    )
                )
        elif end[i] < start[i]:
            problems.append(
                Problem(row, "period_end", _day_text(end[i]), "Period end is before the date.")
            )
        elif asked[i] < 0 or found[i] == asked[i]:
            if found[i] < 0:
                problems.append(Problem(row, "period_end", _day_text(end[i]), NOT_A_PERIOD))
            else:
                codes[row], result_ends[row] = found[i], end[i]
        elif not aligned[i]:
            problems.append(
                Problem(
                    row, "date", _day_text(start[i]), f"Date is not the first day of its {noun}."
                )
            )
        else:
            problems.append(
                Problem(
                    row,
                    "period_end",
                    _day_text(end[i]),
                    f"Period end is not the last day of the {noun} that starts on the date.",
                )
            )
    return problems


def _derive_levels(out: pd.DataFrame) -> list[Problem]:
    raw = out["level"]
    asked = _positions(raw, LEVELS)
    bad = raw.notna().to_numpy() & (asked < 0)
    problems = _bad_rows(bad, "level", raw, f"Value is not one of {', '.join(LEVELS)}.")
    has_region = out["region_code"].notna().to_numpy()
    national = LEVELS.index("national")
    problems += _bad_rows(
        (asked == national) & has_region,
        "region_code",
        out["region_code"],
        "A national figure has no region: leave region_code empty, or set level to admin1.",
    )
    problems += _bad_rows(
        (asked == LEVELS.index("admin1")) & ~has_region,
        "region_code",
        out["region_code"],
        "Value is missing: an admin1 figure needs a region.",
    )
    codes = np.where(asked >= 0, asked, np.where(has_region, LEVELS.index("admin1"), national))
    codes[bad] = -1
    out["level"] = _labels(codes, LEVELS)
    return problems + _check_regions(out)


def _check_overlapping_figures(out: pd.DataFrame) -> list[Problem]:
    """Rows of the same figure (:data:`AGGREGATE_KEY`) whose periods overlap, one of them
    longer than a day: the load would count them twice. Day rows never overlap each other
    (each is its own incident)."""
    granularity = out["granularity"]
    aggregated = (granularity.notna() & (granularity != "day")).to_numpy(dtype=bool)
    if not aggregated.any():
        return []
    keys = pd.DataFrame(
        {
            "country": out["country"],
            "level": out["level"],
            "region": out["region_code"].fillna(""),
            "crime_type": out["crime_type"],
        }
    )
    key_index = pd.MultiIndex.from_frame(keys)
    candidate = key_index.isin(key_index[aggregated]) & granularity.notna().to_numpy()
    rows = keys[candidate].assign(
        start=out["date"][candidate],
        end=out["period_end"][candidate],
        granularity=granularity[candidate],
        row=np.flatnonzero(candidate),
    )
    # Days of one figure may repeat (several incidents on a day); only the first is compared.
    rows = rows.drop_duplicates(["country", "level", "region", "crime_type", "start", "end"])
    rows = rows.sort_values(["country", "level", "region", "crime_type", "start", "row"])
    group = rows.groupby(["country", "level", "region", "crime_type"], sort=False).ngroup()
    group = group.to_numpy()
    reach = rows.groupby(group)["end"].cummax()
    earlier = reach.groupby(group).shift()
    if not (rows["start"] <= earlier).any():
        return []
    problems = []
    last_group, furthest = None, None
    for number, start, end, kind, row in zip(
        group, rows["start"], rows["end"], rows["granularity"], rows["row"], strict=True
    ):
        if number != last_group:
            last_group, furthest = number, None
        if furthest is not None and start <= furthest[0]:
            other = furthest[1]
            problems.append(
                Problem(
                    int(row),
                    "date",
                    period_label(start.date(), kind),
                    f"Overlaps row {other[0]} ({other[1]}) of the same country, level, region "
                    "and crime type: the figure would be counted twice.",
                )
            )
        if furthest is None or end > furthest[0]:
            furthest = (end, (int(row), period_label(start.date(), kind)))
    return problems
