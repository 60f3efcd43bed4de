"""What a file declares it reports in full (``--covers``): parsed, checked against the
file's periods, and stored with the batch."""

import datetime as dt

import pytest

from data_loaders.covers import declarations, parse_covers, parse_crime_types
from data_loaders.ingest import ingest_file
from data_loaders.options import IngestOptions
from threatmon.coverage import coverage_records
from threatmon.registry.crime_types import CRIME_TYPE_KEYS
from threatmon.store.reader import Store

D = dt.date
USAGE = (
    "Give the covered period as FROM..TO: periods such as 2025-01..2025-06, "
    "2025-Q1..2025-Q2, 2025-W01..2025-W26, 2024..2025, or dates such as "
    "2025-01-01..2025-06-30."
)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2025-01..2025-06", (D(2025, 1, 1), D(2025, 6, 30))),
        ("2025-Q1..2025-Q2", (D(2025, 1, 1), D(2025, 6, 30))),
        ("2024..2025", (D(2024, 1, 1), D(2025, 12, 31))),
        ("2025-W01..2025-W02", (D(2024, 12, 30), D(2025, 1, 12))),
        (" 2025-01-01..2025-03-31 ", (D(2025, 1, 1), D(2025, 3, 31))),
        ("2025-02..2025-02", (D(2025, 2, 1), D(2025, 2, 28))),
    ],
)
def test_periods_and_dates(text, span):
    assert parse_covers(text) == span


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-01", f"'2025-01' is not FROM..TO. {USAGE}"),
        ("..2025-06", f"'..2025-06' is not FROM..TO. {USAGE}"),
        ("2025-13..2025-14", f"'2025-13' is not a period or a date. {USAGE}"),
        ("2025-01..June", f"'June' is not a period or a date. {USAGE}"),
        ("2025-06..2025-01", "The covered period ends (2025-01) before it starts (2025-06)."),
    ],
)
def test_bad_periods(text, message):
    with pytest.raises(ValueError) as caught:
        parse_covers(text)
    assert str(caught.value) == message


def test_crime_types():
    assert parse_crime_types(None) == ()
    assert parse_crime_types(" cbrne, cybercrime,cbrne") == ("cbrne", "cybercrime")
    with pytest.raises(ValueError) as caught:
        parse_crime_types("cbrne,theft")
    assert str(caught.value) == (
        f"'theft' is not a crime type key. Known: {', '.join(CRIME_TYPE_KEYS)}."
    )


def test_declarations_per_country_level_and_crime_type():
    got = declarations(
        [("MD", "admin1"), ("UA", "national"), ("MD", "admin1")],
        "month",
        (D(2025, 1, 1), D(2025, 6, 30)),
        ("cbrne", "cybercrime"),
    )
    assert [(d.country, d.crime_type, d.level, d.first, d.last) for d in got] == [
        ("MD", "cbrne", "admin1", D(2025, 1, 1), D(2025, 6, 1)),
        ("MD", "cybercrime", "admin1", D(2025, 1, 1), D(2025, 6, 1)),
        ("UA", "cbrne", "national", D(2025, 1, 1), D(2025, 6, 1)),
        ("UA", "cybercrime", "national", D(2025, 1, 1), D(2025, 6, 1)),
    ]
    assert len(declarations([("MD", "admin1")], "month", (D(2025, 1, 1), D(2025, 1, 31)))) == 12


def test_options_check_covers():
    with pytest.raises(ValueError, match=r"^`covers` applies to incident files, not flows\.$"):
        IngestOptions(kind="flows", covers="2025-01..2025-02")
    with pytest.raises(ValueError, match="before it starts"):
        IngestOptions(covers="2025-06..2025-01")
    assert IngestOptions(covers_crime_types="cbrne").covered_crime_types == ("cbrne",)


# Moldova's monthly regional figures, zeros omitted: only two combinations had incidents.
MONTHLY = "date,region_code,crime_type,count\n2025-01,MD-CU,cbrne,2\n2025-03,MD-BA,cybercrime,1\n"


def test_a_loaded_file_declares_what_it_covers(tmp_path, store_location):
    path = tmp_path / "md.csv"
    path.write_text(MONTHLY)
    db = store_location
    options = IngestOptions(covers="2025-01..2025-03", covers_crime_types="cbrne,terrorism")
    dry = ingest_file(path, user="ana", db=db, options=options, dry_run=True)
    assert dry.declared_coverage == 2
    assert dry.message.endswith(
        " Would declare 2 crime type(s) reported in full for MD from 2025-01 to 2025-03 "
        "(a combination not listed there is a zero)."
    )
    result = ingest_file(path, user="ana", db=db, options=options)
    assert result.status == "loaded" and result.declared_coverage == 2
    assert result.to_json()["declared_coverage"] == 2
    assert result.message.endswith(
        " Declared 2 crime type(s) reported in full for MD from 2025-01 to 2025-03 "
        "(a combination not listed there is a zero)."
    )
    store = Store(db)
    got = [
        (r["crime_type"], r["first"], r["last"], r["gaps"], r["declared"])
        for r in coverage_records(store.coverage_cells())
    ]
    assert got == [
        ("cbrne", "2025-01", "2025-03", [], True),
        # Not declared: only the month with a row.
        ("cybercrime", "2025-03", "2025-03", [], False),
        ("terrorism", "2025-01", "2025-03", [], True),
    ]
    assert store.covered("MD", "terrorism", "admin1", "2025-02-01", "month")
    assert not store.covered("MD", "cybercrime", "admin1", "2025-02-01", "month")


def test_a_span_that_cuts_the_files_periods_is_refused(tmp_path):
    path = tmp_path / "md.csv"
    path.write_text(MONTHLY)
    db = tmp_path / "store.duckdb"
    options = IngestOptions(covers="2025-01-01..2025-03-15")
    for dry_run in (True, False):
        result = ingest_file(path, user="ana", db=db, options=options, dry_run=dry_run)
        assert result.status == "rejected"
        (problem,) = result.problems
        assert (problem.column, problem.value, problem.reason) == (
            "covers",
            "2025-01-01..2025-03-15",
            "The file's figures are monthly: the covered period must start and end with "
            "whole months.",
        )
    assert not Store(db).exists() or Store(db).coverage_cells().empty
