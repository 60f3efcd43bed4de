"""The briefing never states a 0 for what a country did not report."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime

import pandas as pd
import pytest

from reports import content, hotspot_map
from reports.content import briefing_content
from threatmon.disclosure.sensitive import SENSITIVE_TYPES
from threatmon.filters import Filters
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

GENERATED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SILENT = ("Estonia", "Latvia", "Lithuania", "Georgia")


def _png() -> bytes:
    """A valid 1 x 1 PNG: the briefing checks its images' size, not their looks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    """A viewer's briefing of a store in which only Moldova reports: national monthly
    figures of both sensitive types and drug trafficking, 2024-01 to 2026-09."""
    months = pd.date_range("2024-01-01", "2026-09-01", freq="MS")
    types = [*SENSITIVE_TYPES, "drug_trafficking"]
    frame = pd.DataFrame(
        [("MD", crime, month, 6 + i % 5) for crime in types for i, month in enumerate(months)],
        columns=["country", "crime_type", "date", "count"],
    )
    frame["period_end"] = frame["date"] + pd.offsets.MonthEnd(0)
    path = tmp_path_factory.mktemp("silent") / "silent.duckdb"
    with write_session(path, user="tester") as writer:
        writer.add_incidents(frame, file_name="md.csv", sha256="f" * 64)
    drawn = []

    def record(figure, **options):
        drawn.append(figure)
        return _png()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(content, "figure_png", record)
        patch.setattr(hotspot_map, "hotspot_png", lambda *args, **options: _png())
        made = briefing_content(
            Store(path, withheld=SENSITIVE_TYPES),
            Filters(),
            sensitive_source=Store(path),
            generated_at=GENERATED,
            forecast_crime_types=("drug_trafficking",),
        )
    return made, drawn


def test_the_sensitive_table_says_no_data_for_countries_that_sent_nothing(briefing):
    ((_, table),) = briefing[0].extra_tables
    for quarter in ("2026Q3", "2026Q2", "2026Q1", "2025Q4"):
        rows = table[table["quarter"] == quarter].set_index("country")
        for country in SILENT:
            assert rows.loc[country].tolist()[1:] == ["no data", "no data", "no data"]
        assert 0 not in rows.drop(columns="quarter").to_numpy().ravel().tolist()
    q3 = table[table["quarter"] == "2026Q3"].set_index("country")
    assert q3.loc["Moldova"].tolist()[1:] == q3.loc["Total"].tolist()[1:]


def test_the_key_figures_compare_what_was_reported_and_say_what_was_left_out(briefing):
    label, value, _ = briefing[0].kpis[0]
    months = pd.date_range("2024-01-01", "2026-09-01", freq="MS")
    drugs = [6 + i % 5 for i, m in enumerate(months) if m >= pd.Timestamp("2025-10-01")]
    assert (label, value) == ("Total incidents", f"{sum(drugs):,}")
    (note,) = [n for n in briefing[0].notes if n.startswith("Key figures compare only")]
    assert note.endswith(
        "left out rather than counted as 0: Moldova (Migrant smuggling, Firearms "
        "trafficking, Vehicle crime, Terrorism, Financial crime, Cybercrime, Document "
        "fraud, CBRNE smuggling, Organised crime); Ukraine, Romania, Poland, Hungary, "
        "Slovakia, Estonia, Latvia, Lithuania and Georgia (every crime type)."
    )


def test_the_note_on_the_sensitive_table_explains_no_data(briefing):
    (note,) = [n for n in briefing[0].notes if "left out of every figure" in n]
    assert note.endswith(
        "“no data” marks a country that did not report the type for the whole quarter "
        "(unknown, not 0), and the totals add up the countries that did."
    )


def test_the_charts_draw_no_line_for_countries_that_sent_nothing(briefing):
    trends, panels = briefing[1]
    assert [t.name for t in panels.data] == ["Moldova"]  # no flat zeros for the others
    assert [t.name for t in trends.data] == ["Drug trafficking"]
    assert 0 not in list(trends.data[0].y)
