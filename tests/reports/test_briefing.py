"""The briefing PDF, read back with pdfium: pages, text, images, and data printed literally."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime

import pandas as pd
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from matplotlib.figure import Figure

from reports.briefing import DEFAULT_LABELS, BriefingContent, briefing_pdf

MARKING = "RESTRICTED — law-enforcement use only"
DEMO_NOTE = "DEMO DATA — synthetic figures, no real incidents."
HEADINGS = ["Key figures", "Trends", "Hotspot map", "Top alerts", "Forecasts", "Data sources"]
# Typed into alerts by someone; each must come out exactly as typed.
HOSTILE = [
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example/x","click")',
    "**not bold** _not italic_",
    "{nb} pages",
]
A4_POINTS = (595.28, 841.89)
RENDER_SCALE = 0.5


def _png(width_in: float, height_in: float, colour: str) -> bytes:
    """A tiny matplotlib PNG (50 dpi) with a coloured bar, standing in for a chart."""
    fig = Figure(figsize=(width_in, height_in), dpi=50)
    ax = fig.subplots()
    ax.bar(["a", "b"], [1, 2], color=colour)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _alerts() -> pd.DataFrame:
    """Alerts with Ukrainian and Romanian names, hostile strings, a long sentence; 27 rows."""
    regions = ["Одеська область", "Chișinău", "Iași"]
    rows = [
        {
            "region": regions[i % 3],
            "crime type": "trafficking",
            "alert": (
                HOSTILE[i]
                if i < len(HOSTILE)
                else "Weekly count above the 90 % forecast interval for three weeks running, "
                "after a quiet summer; check the Palanca crossing reports."
            ),
            "score": 1.23456 + i,
        }
        for i in range(27)
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def content() -> BriefingContent:
    """A full briefing: 2 charts, a map, KPIs, 27 alerts (25 shown), no forecasts."""
    return BriefingContent(
        title="Threat briefing — Moldova–Ukraine border",
        marking=MARKING,
        period="1 Sep 2026 – 30 Nov 2026",
        generated_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        demo_note=DEMO_NOTE,
        kpis=[
            ("Incidents", "1 234", "+12 % on the previous period"),
            ("Trafficking, Одеська область", "<5", "n/a"),
            ("Smuggling, Chișinău", "87", "−3 %"),
        ],
        trend_charts=[
            ("Weekly incidents", _png(8, 3, "tab:blue")),
            ("Trafficking by region", _png(8, 3, "tab:red")),
        ],
        hotspot_map=("Hotspots (Gi*), Chișinău and Одеська область", _png(5, 5, "tab:green")),
        alerts=_alerts(),
        forecasts=pd.DataFrame(columns=["series", "next week"]),
        sources=["Border police CSV, batch 2026-11-30 (4 512 rows)", "IGP Moldova XLSX, batch 17"],
        notes=["Counts 1–4 of sensitive crime types are shown as <5."],
        max_table_rows=25,
    )


@pytest.fixture(scope="module")
def pdf_bytes(content) -> bytes:
    return briefing_pdf(content)


@pytest.fixture(scope="module")
def pages(pdf_bytes) -> list[str]:
    """Extracted text of each page."""
    document = pdfium.PdfDocument(pdf_bytes)
    return [page.get_textpage().get_text_range() for page in document]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def _flat(text: str) -> str:
    """Whitespace collapsed, so text wrapped across lines still matches."""
    return " ".join(text.split())


def test_is_a_multi_page_pdf(pdf_bytes, pages):
    assert pdf_bytes.startswith(b"%PDF-")
    assert len(pages) >= 3


def test_pages_are_a4_and_drawn(pdf_bytes):
    document = pdfium.PdfDocument(pdf_bytes)
    for number, page in enumerate(document, start=1):
        assert page.get_size() == pytest.approx(A4_POINTS, abs=0.1)
        image = page.render(scale=RENDER_SCALE).to_pil().convert("L")
        width, height = (round(side * RENDER_SCALE) for side in A4_POINTS)
        assert image.size == (width, height)
        # Between the banners, something other than white paper is drawn.
        body = image.crop((0, 30, image.width, image.height - 60))
        darkest, lightest = body.getextrema()
        assert darkest < 128 and lightest == 255, f"page {number} looks blank"


def test_section_headings_come_in_order(pages):
    lines = [line for page in pages for line in _lines(page)]
    positions = [lines.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)


def test_marking_is_on_top_and_bottom_of_every_page(pages):
    for number, text in enumerate(pages, start=1):
        lines = _lines(text)
        assert lines[0] == MARKING, f"page {number}"
        assert lines[-1] == MARKING, f"page {number}"


def test_every_page_is_numbered(pages):
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text


def test_demo_note_on_the_first_page_and_in_every_footer(pages):
    assert pages[0].count(DEMO_NOTE) == 2  # the notice box and the footer
    for number, text in enumerate(pages, start=1):
        assert DEMO_NOTE in text, f"page {number}"
        assert "Generated 2026-12-01 09:30 UTC" in text


@pytest.mark.parametrize(
    "text", ["Одеська область", "Chișinău", "Iași", "−3 %", "1 Sep 2026 – 30 Nov 2026"]
)
def test_unicode_round_trips(pages, text):
    assert text in "".join(pages)


def test_empty_table_says_none(pages):
    lines = [line for page in pages for line in _lines(page)]
    assert lines[lines.index("Forecasts") + 1] == "None in this period."


def test_long_table_is_cut_and_says_so(pages):
    flat = _flat("\n".join(pages))
    assert "First 25 of 27 rows." in flat
    assert "26.23" not in flat and "25.23" in flat  # the 26th row (score 26.23…) is left out


def test_charts_and_map_are_embedded_as_images(pdf_bytes, content):
    document = pdfium.PdfDocument(pdf_bytes)
    images = sum(
        len(list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))) for page in document
    )
    assert images >= len(content.trend_charts) + 1


@pytest.mark.parametrize("text", HOSTILE)
def test_text_from_data_is_printed_literally(pages, text):
    assert _flat(text) in _flat("".join(pages))


def test_inputs_are_not_changed(content, pdf_bytes):
    assert content.alerts.equals(_alerts())
    assert content.kpis[0] == ("Incidents", "1 234", "+12 % on the previous period")


def test_same_content_gives_the_same_bytes(content, pdf_bytes):
    assert briefing_pdf(content) == pdf_bytes


def test_labels_translate_headings_and_footer():
    labels = {
        "key_figures": "Ключові показники",
        "none": "Немає за цей період.",
        "page": "Сторінка {page} з {pages}",
        "generated": "Створено {when}",
    }
    text = "".join(
        page.get_textpage().get_text_range()
        for page in pdfium.PdfDocument(
            briefing_pdf(
                BriefingContent(
                    title="Брифінг",
                    marking=MARKING,
                    period="вересень – листопад 2026",
                    generated_at=datetime(2026, 12, 1, 9, 30),
                    labels=labels,
                )
            )
        )
    )
    assert "Ключові показники" in text
    assert "Немає за цей період." in text
    assert "Сторінка 1 з 1" in text
    assert "Створено 2026-12-01 09:30" in text
    assert "Trends" in text  # not translated: the English default stays
    assert labels["page"] == "Сторінка {page} з {pages}"


def test_extra_tables_follow_the_forecasts_under_their_own_headings():
    extra = pd.DataFrame({"quarter": ["2026Q3", "2026Q3"], "country": ["Moldova", "Total"]})
    pdf = briefing_pdf(
        BriefingContent(
            title="t",
            marking=MARKING,
            period="p",
            generated_at=datetime(2026, 12, 1),
            extra_tables=[("Sensitive crime types", extra), ("Empty one", pd.DataFrame())],
        )
    )
    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))
    lines = _lines(text)
    order = ["Forecasts", "Sensitive crime types", "Empty one", "Data sources"]
    positions = [lines.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "2026Q3" in " ".join(lines[positions[1] : positions[2]])
    assert lines[positions[2] + 1] == "None in this period."


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"labels": {"headline": "x"}},
            ValueError,
            f"Unknown label keys: ['headline']. Known: {sorted(DEFAULT_LABELS)}.",
        ),
        (
            {"labels": {"page": "Page {n}"}},
            ValueError,
            "Label 'page' may use only the fields ['page', 'pages']. Got 'Page {n}'.",
        ),
        (
            {"trend_charts": [("Weekly", b"GIF89a....")]},
            ValueError,
            "Image 'Weekly' is not a PNG. Got b'GIF89a..'.",
        ),
        (
            {"kpis": [("Incidents", "12")]},
            ValueError,
            "kpis[0] must be a (label, value, change) tuple. Got ('Incidents', '12').",
        ),
        (
            {"max_table_rows": 0},
            ValueError,
            "`max_table_rows` must be a positive integer. Got 0.",
        ),
        (
            {"alerts": [{"region": "Iași"}]},
            TypeError,
            "`alerts` must be a pandas DataFrame. Got <class 'list'>.",
        ),
        (
            {"extra_tables": [("Quarters", [1, 2])]},
            ValueError,
            "extra_tables[0] must be a (heading, DataFrame) tuple. Got ('Quarters', [1, 2]).",
        ),
    ],
    ids=[
        "unknown-label",
        "bad-template",
        "not-png",
        "short-kpi",
        "no-rows",
        "not-a-frame",
        "extra-not-a-pair",
    ],
)
def test_bad_content_is_refused(changes, error, message):
    base = {
        "title": "t",
        "marking": MARKING,
        "period": "p",
        "generated_at": datetime(2026, 12, 1),
    }
    with pytest.raises(error) as caught:
        BriefingContent(**base, **changes)
    assert str(caught.value) == message


def test_content_is_frozen(content):
    with pytest.raises(dataclasses.FrozenInstanceError):
        content.title = "other"  # type: ignore[misc]


def _alert_table() -> pd.DataFrame:
    """The content's alert columns with short values: the headings are the widest text."""
    return pd.DataFrame(
        [
            {
                "rank": str(i),
                "kind": "surge",
                "region": "Chișinău (MD)",
                "crime type": "Migrant smuggling",
                "month": "Oct 2026",
                "count": "12",
                "expected": "3.4",
                "sentence": "Chișinău: 12 migrant smuggling incidents in October 2026, "
                "against 3.4 expected from the 12 months before.",
            }
            for i in range(1, 11)
        ]
    )


def test_table_columns_are_no_narrower_than_their_longest_word():
    from reports import briefing

    table = _alert_table()
    made = BriefingContent(
        title="t", marking=MARKING, period="p", generated_at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    pdf = briefing._BriefingPDF(made, None)
    pdf.add_page()
    pdf.set_font(briefing._FONT, "", 8)
    headings = list(table.columns)
    rows = table.to_numpy().tolist()
    widths = briefing._column_widths(pdf, headings, rows, briefing._CELL_PAD)
    assert sum(widths) == pytest.approx(pdf.epw)
    pdf.set_font(briefing._FONT, "B", 8)
    for heading, width in zip(headings, widths, strict=True):
        longest = max(pdf.get_string_width(word) for word in heading.split())
        assert width - 2 * briefing._CELL_PAD >= longest, heading
    assert briefing._alignment(headings, rows) == (
        "RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT"
    )  # fmt: skip


def test_the_alerts_header_prints_whole_words():
    made = BriefingContent(
        title="t",
        marking=MARKING,
        period="p",
        generated_at=datetime(2026, 12, 1, tzinfo=UTC),
        alerts=_alert_table(),
        changes=pd.DataFrame(
            [["rise", "Lublin (PL)", "Migrant smuggling", "1,649", "3,630", "+1,981 (+120 %)"]],
            columns=["", "region", "crime type", "before", "now", "change"],
        ),
    )
    text = "".join(
        page.get_textpage().get_text_range() for page in pdfium.PdfDocument(briefing_pdf(made))
    )
    lines = _lines(text)
    assert "expected" in " ".join(lines).split()
    assert not any(line.endswith("expecte") for line in lines)
    assert "+1,981 (+120 %)" in lines or any("+1,981 (+120 %)" in line for line in lines)
    assert "Largest changes, region × crime type" in lines
