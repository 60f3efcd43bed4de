"""The upload templates load as they are; the column reference matches ``docs/ingest.md``."""

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_loaders import templates
from data_loaders.ingest import IngestOptions, ingest_file
from data_loaders.mapping import KINDS, SYNONYMS, contract_columns
from threatmon.registry.crime_types import CRIME_TYPES
from threatmon.registry.crossing_points import crossing_point_ids
from threatmon.registry.regions import region_codes
from threatmon.store.reader import Store

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ingest.md"


def _workbook(kind: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(kind)))


def _sheet_frame(book: openpyxl.Workbook, name: str) -> pd.DataFrame:
    rows = list(book[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


# -- the templates validate ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_is_valid_as_it_is(kind, fmt, tmp_path):
    """Both example rows pass a dry run, every column recognised."""
    # An empty store, as for the load below: a dry run refuses what the load would, and
    # the demo's flows already hold the example's days.
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(
        templates.template_csv(kind) if fmt == "csv" else templates.template_xlsx(kind)
    )
    result = ingest_file(
        path,
        user="tester",
        db=tmp_path / "store.duckdb",
        options=IngestOptions(kind=kind),
        dry_run=True,
    )
    assert result.status == "valid", [str(p) for p in result.problems]
    assert result.rows_in_file == 2
    required, optional = contract_columns(kind)
    assert result.columns == {name: name for name in required + optional}
    assert result.ignored_columns == ()
    if fmt == "xlsx":
        assert result.sheet == kind


@pytest.mark.parametrize("kind", KINDS)
def test_template_loads_the_example_rows(kind, tmp_path):
    """A real load of the CSV template stores exactly the example rows."""
    # An empty store: the demo's flows already hold the example's days, and a load that
    # revises them is refused (docs/ingest.md, "Revisions").
    store_copy = tmp_path / "store.duckdb"
    path = tmp_path / "template.csv"
    path.write_bytes(templates.template_csv(kind))
    before = 0
    result = ingest_file(path, user="tester", db=store_copy, options=IngestOptions(kind=kind))
    assert result.status == "loaded", result.message
    assert result.rows_loaded == 2
    store = Store(store_copy)
    assert len(store.batches()) == before + 1
    table = "incidents" if kind == "incidents" else "flows"
    stored = store.query(f"SELECT * FROM {table} WHERE batch_id = ?", [result.batch_id])
    expected = templates.example_frame(kind)
    assert sorted(pd.to_datetime(stored["date"]).dt.date) == sorted(expected["date"])
    assert sorted(stored["country"]) == sorted(expected["country"])
    if kind == "incidents":
        assert sorted(stored["incident_id"]) == ["EXAMPLE-0001", "EXAMPLE-0002"]
        assert int(stored["count"].sum()) == int(expected["count"].sum())
    else:
        assert int(stored["arrivals"].sum()) == int(expected["arrivals"].sum())


# -- the forms of figures for periods -----------------------------------------------------------

FIGURE_FORMS = [form.name for form in templates.template_forms("incidents")][1:]


def test_the_incident_templates_show_the_forms_of_statistics_tables():
    assert [form.name for form in templates.template_forms("incidents")] == [
        "events",
        "monthly-raion",
        "yearly-national-iccs",
        "quarterly-national-article",
        "weekly-region",
    ]
    assert [form.name for form in templates.template_forms("flows")] == ["events"]
    assert templates.template_crosswalk("incidents", "quarterly-national-article") == "ua-cc"


@pytest.mark.parametrize("form", FIGURE_FORMS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_form_loads_cleanly(form, fmt, tmp_path):
    """Every row of a form's template is stored (the parts of one figure added up)."""
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(
        templates.template_csv("incidents", form)
        if fmt == "csv"
        else templates.template_xlsx("incidents", form)
    )
    options = IngestOptions(crosswalk=templates.template_crosswalk("incidents", form))
    result = ingest_file(path, user="tester", db=tmp_path / "store.duckdb", options=options)
    assert result.status == "loaded", [str(p) for p in result.problems]
    frame = templates.form_frame("incidents", form)
    assert result.rows_to_load == len(frame)
    assert result.ignored_columns == ()
    expected = {
        "monthly-raion": ("month", {"admin1": 6, "national": 0}),
        "yearly-national-iccs": ("year", {"admin1": 0, "national": 6}),
        "quarterly-national-article": ("quarter", {"admin1": 0, "national": 8}),
        "weekly-region": ("week", {"admin1": 4, "national": 0}),
    }[form]
    assert (result.granularity, result.level) == expected
    assert (frame["count"] == 0).any(), "a form of figures shows a reported zero"
    stored = Store(tmp_path / "store.duckdb").query("SELECT sum(count) AS n FROM incidents")
    assert int(stored["n"].iloc[0]) == int(frame["count"].sum())


def test_the_yearly_form_writes_years_as_numbers_in_xlsx():
    book = openpyxl.load_workbook(
        io.BytesIO(templates.template_xlsx("incidents", "yearly-national-iccs"))
    )
    assert [book["incidents"].cell(row=r, column=1).value for r in (2, 5)] == [2023, 2024]


def test_an_unknown_form_is_refused():
    with pytest.raises(ValueError) as info:
        templates.template_csv("flows", "monthly-raion")
    assert str(info.value) == "`form` must be one of 'events' for flows. Got 'monthly-raion'."


# -- the files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_csv_template_has_a_bom_and_the_contract_header(kind):
    data = templates.template_csv(kind)
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    required, optional = contract_columns(kind)
    assert header == list(required + optional)
    assert len(data.decode("utf-8-sig").splitlines()) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_template_sheets(kind):
    """Data sheet first (so it loads without --sheet), then the registries and the README."""
    book = _workbook(kind)
    assert book.sheetnames == [kind, *templates.REFERENCE_SHEETS]
    assert book.sheetnames[1:] == ["crime_types", "regions", "crossing_points", "README"]
    data = _sheet_frame(book, kind)
    required, optional = contract_columns(kind)
    assert list(data.columns) == list(required + optional)
    assert len(data) == 2
    # Dates are real Excel date cells, not text.
    assert all(book[kind].cell(row=r, column=1).is_date for r in (2, 3))


def test_xlsx_registries_list_every_crime_type_region_and_crossing_point():
    book = _workbook("incidents")
    crimes = _sheet_frame(book, "crime_types")
    assert list(crimes.columns)[:5] == ["key", "label", "ICCS code", "ICCS category", "sensitive"]
    assert "synonyms" in crimes.columns
    assert crimes["key"].tolist() == [ct.key for ct in CRIME_TYPES]
    assert crimes["ICCS code"].astype(str).tolist() == [ct.iccs for ct in CRIME_TYPES]
    regions = _sheet_frame(book, "regions")
    assert list(regions.columns) == ["region_code", "country", "name_en", "name_local", "type"]
    assert regions["region_code"].tolist() == list(region_codes())
    points = _sheet_frame(book, "crossing_points")
    assert points["crossing_point_id"].tolist() == list(crossing_point_ids())
    assert {"name_en", "name_local", "country_a", "country_b"} <= set(points.columns)


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_readme_has_one_line_per_column(kind):
    readme = _sheet_frame(_workbook(kind), "README")
    required, optional = contract_columns(kind)
    assert readme["column"].tolist() == list(required + optional)
    assert list(readme.columns[:4]) == ["column", "required", "meaning", "accepted formats"]
    assert readme["meaning"].notna().all() and readme["accepted formats"].notna().all()
    assert readme.loc[readme["column"] == "date", "accepted formats"].iloc[0].count("2026") >= 3


@pytest.mark.parametrize("kind", KINDS)
def test_no_template_cell_can_run_as_a_formula(kind):
    """Text cells starting with = + - @ are quoted (OWASP CSV injection), in every sheet."""
    for sheet in _workbook(kind).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.coordinate


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError) as info:
        templates.template_csv("arrests")
    assert str(info.value) == "`kind` must be one of 'incidents', 'flows'. Got 'arrests'."


# -- the analysts' guide ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_docs_embed_the_generated_column_table(kind):
    """docs/ingest.md holds columns_markdown(kind) verbatim (regenerate it when this fails)."""
    text = DOC.read_text(encoding="utf-8")
    table = templates.columns_markdown(kind)
    assert table in text, (
        f"The {kind} column table in docs/ingest.md is out of date; replace it with the "
        f"output of data_loaders.templates.columns_markdown({kind!r})."
    )


def test_docs_mention_every_contract_column_and_synonym():
    text = DOC.read_text(encoding="utf-8")
    for kind in KINDS:
        required, optional = contract_columns(kind)
        for column in required + optional:
            assert f"`{column}`" in text, f"{column} is not in docs/ingest.md"
    for column, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            assert synonym in text, f"synonym {synonym!r} of {column} is not in docs/ingest.md"
