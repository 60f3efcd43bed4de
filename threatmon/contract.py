"""The long data contract for incidents and migration flows, checked once at the store's door.

Every later function trusts frames that passed :func:`validate_incidents` or
:func:`validate_flows`. Checks are vectorised so that a 10M-row demo load
validates in seconds, and every violation is reported in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from threatmon.errors import Problem, ValidationError
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.registry.regions import PROJECT_COUNTRIES, load_regions

INCIDENT_REQUIRED: tuple[str, ...] = ("date", "country", "region_code", "crime_type", "count")
INCIDENT_OPTIONAL: tuple[str, ...] = (
    "crossing_point",
    "latitude",
    "longitude",
    "victims",
    "suspects",
    "source",
    "incident_id",
)
INCIDENT_COLUMNS: tuple[str, ...] = INCIDENT_REQUIRED + INCIDENT_OPTIONAL

FLOW_REQUIRED: tuple[str, ...] = ("date", "country", "arrivals")
FLOW_OPTIONAL: tuple[str, ...] = ("crossing_point", "departures")
FLOW_COLUMNS: tuple[str, ...] = FLOW_REQUIRED + FLOW_OPTIONAL

# Dates outside this window are almost always typos (2102 for 2021) or Excel epoch slips.
EARLIEST_DATE = pd.Timestamp("2000-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")

_STRING_COLUMNS = (
    "country",
    "region_code",
    "crime_type",
    "crossing_point",
    "source",
    "incident_id",
)


def validate_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Check incidents against the contract and return them in canonical dtypes.

    Parameters
    ----------
    frame : DataFrame
        At least the required columns; optional columns may be absent. Extra
        columns are an error, so nothing is dropped silently.

    Returns
    -------
    DataFrame
        A new frame with every contract column, in contract order, typed:
        ``date`` datetime64 (day), strings, ``count`` int64, coordinates float64,
        ``victims``/``suspects`` nullable Int64.

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
    problems += _check_codes(
        out, "country", PROJECT_COUNTRIES, "is not one of the project's countries"
    )
    problems += _check_codes(out, "crime_type", CRIME_TYPE_KEYS, "is not a crime-type key")
    problems += _check_regions(out)
    problems += _coerce_int(out, "count", minimum=1, nullable=False)
    problems += _coerce_int(out, "victims", minimum=0, nullable=True)
    problems += _coerce_int(out, "suspects", minimum=0, nullable=True)
    problems += _coerce_coordinate(out, "latitude", -90, 90)
    problems += _coerce_coordinate(out, "longitude", -180, 180)
    problems += _check_duplicate_ids(out)
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
    # One hash lookup gives both membership and the region's country.
    positions = pd.Index(regions["region_code"]).get_indexer(codes)
    known = positions >= 0
    problems = _bad_rows(
        ~known, "region_code", codes, "Value is not an ISO 3166-2 code of the region registry."
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


def _coerce_int(out: pd.DataFrame, column: str, *, minimum: int, nullable: bool) -> list[Problem]:
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
    problems += _bad_rows(too_small, column, raw, f"Value is below {minimum}.")
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
