"""Downloadable upload templates and the column reference they share with ``docs/ingest.md``.

A template holds the contract's columns in contract order and two example rows
that pass validation, so an analyst can start from a file the store accepts. Other forms
show the figures national and regional statistics publish for periods: a monthly table
by raion with reported zeros, a yearly national table by ICCS code, a quarterly national
table by criminal-code article (loaded with a crosswalk), a weekly table. The
XLSX template adds the registries a file refers to (crime types, regions,
crossing points) and a README sheet with one line per column. Every cell is
written formula-safe (:func:`threatmon.disclosure.export.neutralise_formulas`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd

from data_loaders.mapping import column_synonyms, contract_columns
from threatmon.disclosure.export import neutralise_formulas, to_csv_bytes
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.crossing_points import load_crossing_points
from threatmon.registry.regions import load_regions

REFERENCE_SHEETS: tuple[str, ...] = ("crime_types", "regions", "crossing_points", "README")
"""The sheets after the data sheet in every XLSX template, in order."""

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_DATE_FORMATS = (
    "ISO 2026-01-31 (a time of day is dropped), 31.01.2026, 31/01/2026 or 01/31/2026 "
    "(one order per file), or an Excel date"
)
_PERIOD_FORMATS = (
    f"a day: {_DATE_FORMATS}; or a period: ISO week 2026-W05, month 2026-01, 2026M01, "
    "01/2026 or January 2026, quarter 2026-Q1 or Q1 2026, year 2026 (never an Excel "
    "serial). One granularity per file"
)


def _whole(minimum: int) -> str:
    return f"whole number ≥ {minimum} (1 234 is fine; 1.5 and <5 are not)"


@dataclass(frozen=True)
class ColumnDoc:
    """What one contract column means and which values it accepts."""

    name: str
    required: str
    meaning: str
    formats: str


_INCIDENT_DOCS: tuple[ColumnDoc, ...] = (
    ColumnDoc(
        "date",
        "yes",
        "Day the incident happened (or was recorded), or the period a figure is for.",
        _PERIOD_FORMATS,
    ),
    ColumnDoc(
        "country",
        "yes, unless every region is an ISO 3166-2 code",
        "Country of the region, or of a national figure.",
        "ISO 3166-1 alpha-2 code (MD, UA, RO, …) or the name in EN/RO/UK/RU",
    ),
    ColumnDoc(
        "crime_type",
        "yes",
        "Category of the offence.",
        "key (migrant_smuggling), English label, a synonym or an ICCS code (ICCS0601); "
        "criminal-code articles with a crosswalk; see the sheet crime_types",
    ),
    ColumnDoc(
        "count",
        "yes",
        "Number of incidents this row stands for (1 for a single case), or the figure "
        "reported for the period.",
        "whole number ≥ 1 for a day, ≥ 0 for a week, month, quarter or year (a reported "
        "zero); 1 234 is fine; 1.5 and <5 are not",
    ),
    ColumnDoc(
        "region_code",
        "no: without it (or with it empty, or naming the country) a row is a national figure",
        "First-level region (raion, oblast, județ, voivodeship, …) where it happened.",
        "ISO 3166-2 code (MD-CU) or the region's name in EN/RO/UK/RU (Chișinău, Кишинів); "
        "the country's name or code, or Total, for a national row; see the sheet regions",
    ),
    ColumnDoc(
        "period_end",
        "no",
        "Last day of the period, when date gives its first day.",
        "a day in the formats of date (or a period: its last day); date to period_end must "
        "be a day, an ISO week, a month, a quarter or a year",
    ),
    ColumnDoc(
        "crossing_point",
        "no",
        "Border crossing point involved, if any.",
        "crossing-point id (MD-RO-LEUSENI) or its name (Leușeni – Albița, towns in either "
        "order), on the border of the row's country; see the sheet crossing_points",
    ),
    ColumnDoc(
        "latitude",
        "no",
        "Where it happened, WGS 84.",
        "decimal degrees −90…90; a decimal comma is accepted",
    ),
    ColumnDoc(
        "longitude",
        "no",
        "Where it happened, WGS 84.",
        "decimal degrees −180…180; a decimal comma is accepted",
    ),
    ColumnDoc("victims", "no", "Number of victims.", _whole(0)),
    ColumnDoc("suspects", "no", "Number of suspects.", _whole(0)),
    ColumnDoc("source", "no", "Reporting agency or system.", "free text"),
    ColumnDoc(
        "incident_id",
        "no",
        "The incident's id in the source system.",
        "free text; unique in the file and not held by an active batch",
    ),
)

_FLOW_DOCS: tuple[ColumnDoc, ...] = (
    ColumnDoc("date", "yes", "Day of the border crossings.", _DATE_FORMATS),
    ColumnDoc(
        "country",
        "yes",
        "Country people arrived in.",
        "ISO 3166-1 alpha-2 code (MD, RO, PL, …) or the name in EN/RO/UK/RU",
    ),
    ColumnDoc(
        "arrivals",
        "yes",
        "Border crossings from Ukraine into the country that day.",
        _whole(0),
    ),
    ColumnDoc(
        "crossing_point",
        "no",
        "Crossing point the figures are for; leave it empty for a national total.",
        "crossing-point id (MD-UA-PALANCA) or its name (Palanca – Maiaky-Udobne, towns in "
        "either order), on the border of the receiving country; see the sheet crossing_points",
    ),
    ColumnDoc("departures", "no", "Crossings back towards Ukraine that day.", _whole(0)),
)


def column_docs(kind: str) -> tuple[ColumnDoc, ...]:
    """The documentation of every contract column of ``kind``, in contract order."""
    required, optional = contract_columns(kind)
    docs = _INCIDENT_DOCS if kind == "incidents" else _FLOW_DOCS
    if tuple(d.name for d in docs) != required + optional:  # the contract grew
        raise RuntimeError(f"The column documentation of {kind} is out of date with the contract.")
    return docs


def readme_frame(kind: str) -> pd.DataFrame:
    """One row per contract column: name, required, meaning, accepted formats, synonyms."""
    return pd.DataFrame(
        {
            "column": [d.name for d in column_docs(kind)],
            "required": [d.required for d in column_docs(kind)],
            "meaning": [d.meaning for d in column_docs(kind)],
            "accepted formats": [d.formats for d in column_docs(kind)],
            "other accepted headers": [
                ", ".join(column_synonyms(d.name, kind)) for d in column_docs(kind)
            ],
        }
    )


def columns_markdown(kind: str) -> str:
    """The column table of ``docs/ingest.md`` for ``kind`` (the docs test compares them)."""
    lines = [
        "| column | required | meaning | accepted values | other accepted headers |",
        "|---|---|---|---|---|",
    ]
    for row in readme_frame(kind).itertuples(index=False):
        cells = [f"`{row.column}`", row.required, row.meaning, row[3], row[4]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def example_frame(kind: str) -> pd.DataFrame:
    """Two example rows of ``kind`` that pass validation, in contract columns."""
    required, optional = contract_columns(kind)
    if kind == "incidents":
        frame = pd.DataFrame(
            {
                "date": [dt.date(2026, 1, 15), dt.date(2026, 2, 3)],
                "period_end": [None, None],  # days
                "country": ["MD", "UA"],
                "region_code": ["MD-HI", "UA-51"],
                "crime_type": ["migrant_smuggling", "human_trafficking"],
                "count": [1, 2],
                "crossing_point": ["MD-RO-LEUSENI", None],
                "latitude": [46.788, None],
                "longitude": [28.162, None],
                "victims": pd.array([None, 3], dtype="Int64"),
                "suspects": pd.array([2, 1], dtype="Int64"),
                "source": ["Border Police", "National Police"],
                "incident_id": ["EXAMPLE-0001", "EXAMPLE-0002"],
            }
        )
    else:
        frame = pd.DataFrame(
            {
                "date": [dt.date(2026, 1, 15), dt.date(2026, 1, 15)],
                "country": ["MD", "MD"],
                "arrivals": [1520, 640],
                "crossing_point": ["MD-UA-PALANCA", "MD-UA-OTACI"],
                "departures": pd.array([1310, None], dtype="Int64"),
            }
        )
    return frame[list(required + optional)]


# -- the forms of figures for periods ---------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """One shape of file a template shows.

    Attributes
    ----------
    name : str
        The form's key, in file names (``threatmon-incidents-monthly-raion-template.csv``).
    title : str
        What its rows are, in English (the Upload page shows its own words).
    crosswalk : str or None
        The crosswalk to load it with (``--crosswalk``), when its categories are articles.
    """

    name: str
    title: str
    crosswalk: str | None = None


#: The event list: one row per incident (or per day), every contract column.
EVENTS = "events"
FORMS: dict[str, tuple[Form, ...]] = {
    "incidents": (
        Form(EVENTS, "Event list: one row per incident or day, every column"),
        Form("monthly-raion", "Monthly figures by raion, with reported zeros"),
        Form("yearly-national-iccs", "Yearly national figures by ICCS code"),
        Form(
            "quarterly-national-article",
            "Quarterly national figures by article of the Criminal Code of Ukraine",
            "ua-cc",
        ),
        Form("weekly-region", "Weekly figures by region (ISO weeks)"),
    ),
    "flows": (Form(EVENTS, "Daily flows: one row per country, crossing point and day"),),
}


def template_forms(kind: str) -> tuple[Form, ...]:
    """The forms of ``kind``'s templates, the event list first."""
    contract_columns(kind)
    return FORMS[kind]


def _form(kind: str, name: str) -> Form:
    for form in template_forms(kind):
        if form.name == name:
            return form
    names = ", ".join(repr(form.name) for form in template_forms(kind))
    raise ValueError(f"`form` must be one of {names} for {kind}. Got {name!r}.")


def _figures(dates, places, crimes, counts, country=None) -> pd.DataFrame:
    columns = {"date": dates}
    if country is not None:
        columns["country"] = [country] * len(dates)
    if places is not None:
        columns["region_code"] = places
    columns["crime_type"] = crimes
    columns["count"] = counts
    return pd.DataFrame(columns)


def form_frame(kind: str, form: str = EVENTS) -> pd.DataFrame:
    """The example rows of a template form, with the columns its file has.

    The event list has every contract column (dates as dates); the figures for periods
    have the columns such tables have, with periods written as text (``2026-01``,
    ``2025-Q1``, ``2026-W02``) and years as numbers, as spreadsheets hold them.
    """
    _form(kind, form)
    if form == EVENTS:
        return example_frame(kind)
    if form == "monthly-raion":
        # A raion table of a national police: every raion and month has its row, 0 too.
        return _figures(
            ["2026-01"] * 3 + ["2026-02"] * 3,
            ["Cahul", "Ungheni", "Cahul"] * 2,
            ["migrant_smuggling", "migrant_smuggling", "human_trafficking"] * 2,
            [2, 0, 0, 1, 0, 1],
            country="MD",
        )
    if form == "yearly-national-iccs":
        # Eurostat's crim_off_cat in long form: country, ICCS code, year, offences.
        return _figures(
            [2023] * 3 + [2024] * 3,
            None,
            ["ICCS0601", "ICCS0903", "ICCS08051"] * 2,
            [5120, 1874, 0, 5317, 2203, 12],
            country="RO",
        )
    if form == "quarterly-national-article":
        # Prosecutors' figures by article; 305 and 307 are both drug trafficking, and are
        # added up into one figure per quarter.
        return _figures(
            ["2025-Q1"] * 4 + ["2025-Q2"] * 4,
            None,
            ["332", "149", "305", "307"] * 2,
            [412, 61, 38, 1250, 398, 0, 41, 1302],
            country="UA",
        )
    return _figures(
        ["2026-W01"] * 2 + ["2026-W02"] * 2,
        ["MD-CA", "MD-UN"] * 2,
        ["migrant_smuggling"] * 4,
        [1, 0, 0, 2],
        country="MD",
    )


def template_crosswalk(kind: str, form: str = EVENTS) -> str | None:
    """The crosswalk a form loads with (``--crosswalk``), or None."""
    return _form(kind, form).crosswalk


def _csv_frame(kind: str, form: str = EVENTS) -> pd.DataFrame:
    frame = form_frame(kind, form)
    if form == EVENTS:
        frame["date"] = [d.isoformat() for d in frame["date"]]
    return frame


def template_csv(kind: str, form: str = EVENTS) -> bytes:
    """The CSV template of ``kind`` in ``form``: UTF-8 with BOM, a header and example rows."""
    return to_csv_bytes(_csv_frame(kind, form))


def crime_types_frame() -> pd.DataFrame:
    """The crime-type registry as a sheet: key, label, ICCS code, sensitive, synonyms."""
    return pd.DataFrame(
        {
            "key": [ct.key for ct in CRIME_TYPES],
            "label": [ct.label for ct in CRIME_TYPES],
            "ICCS code": [ct.iccs for ct in CRIME_TYPES],
            "ICCS category": [ct.iccs_label for ct in CRIME_TYPES],
            "sensitive": ["yes" if ct.sensitive else "no" for ct in CRIME_TYPES],
            "synonyms": ["; ".join(ct.synonyms) for ct in CRIME_TYPES],
        }
    )


def regions_frame() -> pd.DataFrame:
    """The region registry as a sheet: region_code, country, name_en, name_local, type."""
    return load_regions()[["region_code", "country", "name_en", "name_local", "type"]]


def crossing_points_frame() -> pd.DataFrame:
    """The crossing-point registry as a sheet: id, names, the two countries, type, status."""
    frame = load_crossing_points()
    columns = ["crossing_point_id", "name_en", "name_local", "country_a", "country_b", "type"]
    return frame[[*columns, "status"]]


def template_xlsx(kind: str, form: str = EVENTS) -> bytes:
    """The XLSX template of ``kind`` in ``form``.

    Sheets: ``incidents`` or ``flows`` (header and example rows; the event list's dates as
    Excel date cells, years as numbers), then ``crime_types``, ``regions``,
    ``crossing_points`` and ``README``. The data sheet comes first, so a filled-in
    template loads without ``--sheet``.
    """
    sheets = {
        kind: form_frame(kind, form),
        "crime_types": crime_types_frame(),
        "regions": regions_frame(),
        "crossing_points": crossing_points_frame(),
        "README": readme_frame(kind),
    }
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format="YYYY-MM-DD") as writer:
        for name, frame in sheets.items():
            neutralise_formulas(frame).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for column, header in zip(sheet.iter_cols(max_row=1), frame.columns, strict=True):
                width = max([len(str(header)), *(len(str(v)) for v in frame[header].head(50))])
                sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
    return buffer.getvalue()


__all__ = [
    "EVENTS",
    "FORMS",
    "REFERENCE_SHEETS",
    "XLSX_MIME",
    "ColumnDoc",
    "Form",
    "column_docs",
    "columns_markdown",
    "crime_types_frame",
    "crossing_points_frame",
    "example_frame",
    "form_frame",
    "readme_frame",
    "regions_frame",
    "template_crosswalk",
    "template_csv",
    "template_forms",
    "template_xlsx",
]
