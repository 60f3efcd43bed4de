"""The printable briefing: one A4 PDF from ready-made content, drawn offline with fpdf2.

The renderer is pure: a frozen :class:`BriefingContent` in, PDF bytes out. It
fetches nothing, queries nothing and formats no numbers of its own, so the same
content always gives the same bytes and a test can check every page.

Text comes from the data (region names, alert sentences), so it is always written
as plain text: fpdf2's markdown is never turned on and the ``{nb}`` page-count
alias is switched off (the total is known from a first layout pass instead), so a
``**``, ``<script>``, ``=HYPERLINK(…)`` or ``{nb}`` prints as typed. DejaVu Sans,
bundled with matplotlib, covers Romanian (ș ț ă) and Cyrillic.

Every heading and fixed phrase is a label passed in by the caller (English by
default, see :data:`DEFAULT_LABELS`) so the briefing can be translated without
touching this module.
"""

from __future__ import annotations

import functools
import io
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import matplotlib
import pandas as pd
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

__all__ = ["DEFAULT_LABELS", "BriefingContent", "briefing_pdf"]

DEFAULT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "key_figures": "Key figures",
        "trends": "Trends",
        "changes": "Largest changes, region × crime type",
        "hotspot_map": "Hotspot map",
        "top_alerts": "Top alerts",
        "forecasts": "Forecasts",
        "data_sources": "Data sources",
        "notes": "Notes",
        "none": "None in this period.",
        "truncated": "First {shown} of {total} rows.",
        "page": "Page {page} of {pages}",
        "generated": "Generated {when}",
    }
)
"""English labels; ``BriefingContent.labels`` overrides any of them."""

# The fields each templated label must use (and may only use).
_LABEL_FIELDS = {
    "truncated": ("shown", "total"),
    "page": ("page", "pages"),
    "generated": ("when",),
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_FONT = "DejaVu"
_FONT_FILES = (("DejaVuSans.ttf", ""), ("DejaVuSans-Bold.ttf", "B"))

# Layout, in millimetres on A4 portrait (210 x 297).
_MARGIN = 15.0
_BANNER_H = 8.0
_TOP = _BANNER_H + 7.0
_CAPTION_GAP = 2.0
_MAX_CHART_H = 105.0
_MAX_MAP_H = 170.0
# A heading is not left alone at the foot of a page: it needs this much below it.
_KEEP_WITH_HEADING = 30.0
# Left and right padding of a table cell.
_CELL_PAD = 1.5

# Colours (RGB).
_BANNER_FILL = (122, 16, 28)
_BANNER_TEXT = (255, 255, 255)
_DEMO_FILL = (255, 236, 179)
_DEMO_BORDER = (191, 110, 0)
_DEMO_TEXT = (102, 60, 0)
_MUTED = (90, 90, 90)
_HEADING = (20, 40, 80)
_TABLE_HEAD_FILL = (226, 230, 238)
# C0 controls and DEL (but newline) would print as boxes or upset line breaking.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass(frozen=True, eq=False)
class BriefingContent:
    """Everything a briefing shows, already chosen, computed and worded by the caller.

    Parameters
    ----------
    title
        The briefing's title, on the first page.
    marking
        Handling marking (e.g. ``"RESTRICTED — law-enforcement use only"``), printed
        as a coloured banner at the top and bottom of every page.
    period
        The period covered, as it should read (``"1 Sep 2026 – 30 Nov 2026"``).
    generated_at
        When the content was produced; printed in every footer and used as the PDF's
        creation date (so equal content gives equal bytes).
    demo_note
        If given, the data are synthetic: the note is shown prominently on the first
        page and repeated in every footer.
    kpis
        ``(label, value, change)`` texts for "Key figures".
    trend_charts
        ``(caption, PNG bytes)`` for "Trends".
    changes
        The ranked change table, printed after "Trends" (same rules as ``alerts``).
    hotspot_map
        ``(caption, PNG bytes)`` for "Hotspot map", or None.
    alerts, forecasts
        Tables shown with the caller's columns and values, at most ``max_table_rows``
        rows each. Strings print as they are; format numbers and dates beforehand
        (floats get two decimals, timestamps ISO form).
    extra_tables
        ``(heading, table)`` sections printed after "Forecasts", each under its own
        heading (e.g. the suppressed table of sensitive crime types); same rules as
        ``alerts``.
    sources
        One line per data source or ingest batch.
    notes
        Caveats printed under the sources (e.g. small-count suppression).
    labels
        Overrides of :data:`DEFAULT_LABELS` (translations); missing keys keep English.
    max_table_rows
        Rows shown per table; the rest are counted in a "truncated" line.
    """

    title: str
    marking: str
    period: str
    generated_at: datetime
    demo_note: str | None = None
    kpis: Sequence[tuple[str, str, str]] = ()
    trend_charts: Sequence[tuple[str, bytes]] = ()
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    hotspot_map: tuple[str, bytes] | None = None
    alerts: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra_tables: Sequence[tuple[str, pd.DataFrame]] = ()
    sources: Sequence[str] = ()
    notes: Sequence[str] = ()
    labels: Mapping[str, str] = field(default_factory=lambda: DEFAULT_LABELS)
    max_table_rows: int = 20

    def __post_init__(self) -> None:
        unknown = sorted(set(self.labels) - set(DEFAULT_LABELS))
        if unknown:
            raise ValueError(f"Unknown label keys: {unknown}. Known: {sorted(DEFAULT_LABELS)}.")
        labels = {**DEFAULT_LABELS, **self.labels}
        for key, names in _LABEL_FIELDS.items():
            try:
                labels[key].format(**dict.fromkeys(names, "0"))
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"Label {key!r} may use only the fields {list(names)}. Got {labels[key]!r}."
                ) from exc
        # A read-only merged copy: the caller's mapping is never kept or changed.
        object.__setattr__(self, "labels", MappingProxyType(labels))

        if not isinstance(self.generated_at, datetime):
            raise TypeError(f"`generated_at` must be a datetime. Got {self.generated_at!r}.")
        for i, kpi in enumerate(self.kpis):
            if not (isinstance(kpi, tuple) and len(kpi) == 3):
                raise ValueError(f"kpis[{i}] must be a (label, value, change) tuple. Got {kpi!r}.")
        images = [*self.trend_charts, *([self.hotspot_map] if self.hotspot_map else [])]
        for image in images:
            if not (isinstance(image, tuple) and len(image) == 2):
                raise ValueError(f"Images must be (caption, PNG bytes) tuples. Got {image!r:.80}.")
            _png_size(image[1], image[0])
        for name in ("changes", "alerts", "forecasts"):
            if not isinstance(getattr(self, name), pd.DataFrame):
                raise TypeError(
                    f"`{name}` must be a pandas DataFrame. Got {type(getattr(self, name))!r}."
                )
        for i, extra in enumerate(self.extra_tables):
            if not (
                isinstance(extra, tuple)
                and len(extra) == 2
                and isinstance(extra[0], str)
                and isinstance(extra[1], pd.DataFrame)
            ):
                raise ValueError(
                    f"extra_tables[{i}] must be a (heading, DataFrame) tuple. Got {extra!r:.80}."
                )
        if isinstance(self.max_table_rows, bool) or not (
            isinstance(self.max_table_rows, int) and self.max_table_rows > 0
        ):
            raise ValueError(
                f"`max_table_rows` must be a positive integer. Got {self.max_table_rows!r}."
            )


def briefing_pdf(content: BriefingContent) -> bytes:
    """Render ``content`` as a multi-page A4 PDF.

    Sections, in order: key figures, trends, the largest changes, hotspot map, top
    alerts, forecasts, the
    extra tables, data sources (with notes). Each page carries the marking banner at
    top and bottom, the demo note if any, the generation time and "page i of n".

    Parameters
    ----------
    content
        What to show; read only.

    Returns
    -------
    bytes
        The PDF file.
    """
    # The total page count is known only once the pages exist, and fpdf2's "{nb}"
    # alias would also rewrite "{nb}" typed in the data; so lay out once to count the
    # pages, then again with the total in every footer (a pass takes ~0.2 s).
    first = _layout(content, total_pages=None)
    pages = first.pages_count
    final = _layout(content, total_pages=pages)
    if final.pages_count != pages:  # pragma: no cover - layout is deterministic
        raise RuntimeError(
            f"Briefing layout changed between passes: {pages} then {final.pages_count} pages."
        )
    return bytes(final.output())


@functools.cache
def _printable() -> frozenset[int]:
    """Code points both DejaVu fonts can draw."""
    maps = [TTFont(_FONT_DIR / name, lazy=True).getBestCmap() for name, _ in _FONT_FILES]
    return frozenset(set(maps[0]) & set(maps[1]))


def _plain(text: object) -> str:
    """Any value as printable plain text.

    Controls (except newlines) become spaces; characters DejaVu lacks (CJK, emoji)
    become U+FFFD, so the reader sees that something is missing instead of nothing.
    """
    text = _CONTROL.sub(" ", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    printable = _printable()
    if all(ord(ch) in printable or ch == "\n" for ch in text):
        return text
    return "".join(ch if ord(ch) in printable or ch == "\n" else "\ufffd" for ch in text)


def _png_size(png: bytes, caption: str) -> tuple[int, int]:
    """Pixel width and height from the PNG header, refusing anything that is not a PNG."""
    if not isinstance(png, (bytes, bytearray)) or not png.startswith(_PNG_SIGNATURE):
        start = png[:8] if isinstance(png, (bytes, bytearray)) else type(png)
        raise ValueError(f"Image {caption!r} is not a PNG. Got {start!r}.")
    if len(png) < 24 or png[12:16] != b"IHDR":
        raise ValueError(f"Image {caption!r} is a truncated PNG ({len(png)} bytes).")
    width, height = struct.unpack(">II", png[16:24])
    if not (width and height):
        raise ValueError(f"Image {caption!r} has no pixels ({width} x {height}).")
    return width, height


def _cell_text(value: Any) -> str:
    """One table value as text; strings untouched, a few common types tidied."""
    if isinstance(value, str):
        return _plain(value)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d" if stamp == stamp.normalize() else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return _plain(value)


class _BriefingPDF(FPDF):
    """FPDF with the briefing's banners and footer drawn on every page."""

    def __init__(self, content: BriefingContent, total_pages: int | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        self.labels = content.labels
        self.total_pages = total_pages
        for name, style in _FONT_FILES:
            path = _FONT_DIR / name
            if not path.is_file():
                raise FileNotFoundError(f"Font {name} is missing from matplotlib's data: {path}")
            self.add_font(_FONT, style, str(path))
        # Text from data must print as typed, so no "{nb}" substitution.
        self.alias_nb_pages(None)
        self.set_margins(_MARGIN, _TOP, _MARGIN)
        # Measured on the first page (fpdf2 measures text only on a page).
        self._demo_lines: list[str] | None = None
        self.set_title(_plain(content.title))
        self.set_creator("Threat Monitor")
        self.set_creation_date(content.generated_at)

    def _demo_footer_lines(self) -> list[str]:
        if self._demo_lines is None:
            self._demo_lines = []
            if self.content.demo_note:
                self.set_font(_FONT, "B", 7)
                self._demo_lines = self.multi_cell(
                    self.epw, 3.2, _plain(self.content.demo_note), dry_run=True, output="LINES"
                )
        return self._demo_lines

    def _footer_height(self) -> float:
        return _BANNER_H + 10.0 + 3.2 * len(self._demo_footer_lines())

    def _banner(self, y: float) -> None:
        marking = _plain(self.content.marking).replace("\n", " ")
        # local_context restores colours and font after, so nothing leaks into the page.
        with self.local_context(fill_color=_BANNER_FILL, text_color=_BANNER_TEXT):
            self.rect(0, y, self.w, _BANNER_H, style="F")
            size = 9.0
            self.set_font(_FONT, "B", size)
            # Shrink a long marking to fit one line rather than let it run off the page.
            while size > 5 and self.get_string_width(marking) > self.w - 2 * _MARGIN:
                size -= 0.5
                self.set_font_size(size)
            self.set_xy(0, y)
            self.cell(self.w, _BANNER_H, marking, align="C")

    def header(self) -> None:
        self.set_auto_page_break(True, margin=self._footer_height())
        self._banner(0)
        self.set_xy(_MARGIN, _TOP)

    def footer(self) -> None:
        # Footer drawing must never trigger a page break of its own.
        self.set_auto_page_break(False)
        bottom = self.h - _BANNER_H
        lines = self._demo_footer_lines()
        y = bottom - 7.0 - 3.2 * len(lines)
        with self.local_context(text_color=_DEMO_TEXT):
            self.set_font(_FONT, "B", 7)
            for line in lines:
                self.set_xy(_MARGIN, y)
                self.cell(self.epw, 3.2, line, align="C")
                y += 3.2
        when = self.labels["generated"].format(when=_when(self.content.generated_at))
        total = "" if self.total_pages is None else str(self.total_pages)
        page = self.labels["page"].format(page=self.page_no(), pages=total)
        with self.local_context(text_color=_MUTED):
            self.set_font(_FONT, "", 7.5)
            self.set_xy(_MARGIN, bottom - 6.0)
            self.cell(self.epw / 2, 4, _plain(when), align="L")
            self.cell(self.epw / 2, 4, _plain(page), align="R")
        self._banner(bottom)
        self.set_auto_page_break(True, margin=self._footer_height())


def _when(moment: datetime) -> str:
    """Locale-independent time stamp; the zone name is added when known."""
    text = moment.strftime("%Y-%m-%d %H:%M")
    zone = moment.strftime("%Z")
    return f"{text} {zone}" if zone else text


def _layout(content: BriefingContent, *, total_pages: int | None) -> _BriefingPDF:
    pdf = _BriefingPDF(content, total_pages)
    labels = content.labels
    pdf.add_page()
    _title_block(pdf, content)
    _kpis(pdf, labels["key_figures"], content.kpis, labels["none"])
    _images(pdf, labels["trends"], content.trend_charts, _MAX_CHART_H, labels["none"])
    _table(pdf, labels["changes"], content.changes, content, labels)
    maps = [content.hotspot_map] if content.hotspot_map else []
    _images(pdf, labels["hotspot_map"], maps, _MAX_MAP_H, labels["none"])
    _table(pdf, labels["top_alerts"], content.alerts, content, labels)
    _table(pdf, labels["forecasts"], content.forecasts, content, labels)
    for heading, frame in content.extra_tables:
        _table(pdf, heading, frame, content, labels)
    _sources(pdf, content, labels)
    return pdf


def _title_block(pdf: _BriefingPDF, content: BriefingContent) -> None:
    with pdf.local_context(text_color=_HEADING):
        pdf.set_font(_FONT, "B", 18)
        pdf.multi_cell(0, 8, _plain(content.title), align="L", new_x="LMARGIN")
    pdf.set_font(_FONT, "", 11)
    pdf.multi_cell(0, 6, _plain(content.period), align="L", new_x="LMARGIN")
    when = content.labels["generated"].format(when=_when(content.generated_at))
    with pdf.local_context(text_color=_MUTED):
        pdf.set_font(_FONT, "", 9)
        pdf.multi_cell(0, 5, _plain(when), align="L", new_x="LMARGIN")
    if content.demo_note:
        pdf.ln(3)
        with pdf.local_context(
            fill_color=_DEMO_FILL, draw_color=_DEMO_BORDER, text_color=_DEMO_TEXT, line_width=0.6
        ):
            pdf.set_font(_FONT, "B", 12)
            pdf.multi_cell(
                0,
                7,
                _plain(content.demo_note),
                border=1,
                fill=True,
                align="C",
                padding=3,
                new_x="LMARGIN",
            )
    pdf.ln(2)


def _heading(pdf: _BriefingPDF, text: str, keep_with: float = _KEEP_WITH_HEADING) -> None:
    """A section heading, moved to a new page if what follows it would not fit."""
    if pdf.will_page_break(12 + keep_with):
        pdf.add_page()
    pdf.ln(4)
    with pdf.local_context(text_color=_HEADING, draw_color=_HEADING):
        pdf.set_font(_FONT, "B", 14)
        pdf.multi_cell(0, 7, _plain(text), align="L", new_x="LMARGIN")
        pdf.line(_MARGIN, pdf.get_y() + 0.5, pdf.w - _MARGIN, pdf.get_y() + 0.5)
    pdf.ln(3)


def _none_line(pdf: _BriefingPDF, text: str) -> None:
    with pdf.local_context(text_color=_MUTED):
        pdf.set_font(_FONT, "", 10)
        pdf.multi_cell(0, 6, _plain(text), align="L", new_x="LMARGIN")


def _kpis(pdf: _BriefingPDF, heading: str, kpis: Sequence[tuple[str, str, str]], none: str) -> None:
    _heading(pdf, heading)
    if not kpis:
        _none_line(pdf, none)
        return
    pdf.set_font(_FONT, "", 10)
    with pdf.table(
        col_widths=(3, 1.4, 2.4),
        first_row_as_headings=False,
        text_align=("LEFT", "RIGHT", "LEFT"),
        line_height=6,
        padding=(1.5, 2),
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        for label, value, change in kpis:
            row = table.row()
            row.cell(_plain(label))
            row.cell(_plain(value), style=FontFace(emphasis="BOLD", size_pt=12))
            row.cell(_plain(change), style=FontFace(color=_MUTED))


def _images(
    pdf: _BriefingPDF,
    heading: str,
    images: Sequence[tuple[str, bytes]],
    max_height: float,
    none: str,
) -> None:
    sized = []
    for caption, png in images:
        width_px, height_px = _png_size(png, caption)
        width = pdf.epw
        height = width * height_px / width_px
        if height > max_height:
            width, height = width * max_height / height, max_height
        sized.append((caption, png, width, height))
    first_height = sized[0][3] + 10 if sized else _KEEP_WITH_HEADING
    _heading(pdf, heading, keep_with=first_height)
    if not sized:
        _none_line(pdf, none)
        return
    for caption, png, width, height in sized:
        pdf.set_font(_FONT, "", 9)
        caption_lines = pdf.multi_cell(pdf.epw, 4.5, _plain(caption), dry_run=True, output="LINES")
        if pdf.will_page_break(height + _CAPTION_GAP + 4.5 * len(caption_lines)):
            pdf.add_page()
        x = _MARGIN + (pdf.epw - width) / 2
        pdf.image(io.BytesIO(png), x=x, y=pdf.get_y(), w=width, h=height)
        pdf.set_y(pdf.get_y() + height + _CAPTION_GAP)
        with pdf.local_context(text_color=_MUTED):
            pdf.multi_cell(0, 4.5, _plain(caption), align="C", new_x="LMARGIN")
        pdf.ln(4)


def _column_widths(
    pdf: _BriefingPDF,
    headings: list[str],
    rows: list[list[str]],
    padding: float,
    numbers: Sequence[bool] = (),
) -> list[float]:
    """Widths in mm, summing to the page's width: no column narrower than its longest word
    (heading in bold), so no word, "expected" least of all, is broken mid-word, and no
    number (``numbers``: the columns of numbers) wrapped; the room left goes to the
    columns whose text would otherwise wrap, in proportion."""
    least, want = [], []
    for j, heading in enumerate(headings):
        cells = [row[j] for row in rows]
        with pdf.local_context():
            pdf.set_font(_FONT, "B", pdf.font_size_pt)
            head_words = [pdf.get_string_width(w) for w in heading.split()] or [0.0]
            head_line = pdf.get_string_width(heading)
        words = [pdf.get_string_width(w) for cell in cells for w in cell.split()]
        lines = [pdf.get_string_width(line) for cell in cells for line in cell.split("\n")]
        # fpdf2 needs a little room beyond the text's own width.
        extra = 2 * padding + 1.0
        least.append(max([*head_words, *(lines if j < len(numbers) and numbers[j] else words)]))
        least[-1] += extra
        want.append(max([head_line, *lines]) + extra)
    total = pdf.epw
    if sum(want) <= total:
        spare = total - sum(want)
        return [w + spare * w / sum(want) for w in want]
    if sum(least) >= total:  # pragma: no cover - only for absurdly long words
        return [w * total / sum(least) for w in least]
    spare, short = total - sum(least), [w - m for w, m in zip(want, least, strict=True)]
    return [m + spare * s / sum(short) for m, s in zip(least, short, strict=True)]


_NUMBER = re.compile(r"^[−+\-]?[\d,.]+( %)?( \([^)]*\))?$|^[\d,.]+ – [\d,.]+$")


def _alignment(headings: list[str], rows: list[list[str]]) -> tuple[str, ...]:
    """Right for columns of numbers (as the caller formatted them), left otherwise."""
    return tuple(
        "RIGHT" if rows and all(_NUMBER.match(row[j]) for row in rows if row[j]) else "LEFT"
        for j in range(len(headings))
    )


def _table(
    pdf: _BriefingPDF,
    heading: str,
    frame: pd.DataFrame,
    content: BriefingContent,
    labels: Mapping[str, str],
) -> None:
    _heading(pdf, heading)
    if frame.empty or len(frame.columns) == 0:
        _none_line(pdf, labels["none"])
        return
    shown = frame.head(content.max_table_rows)
    headings = [_cell_text(c) for c in shown.columns]
    rows = [[_cell_text(v) for v in record] for record in shown.itertuples(index=False)]
    pdf.set_font(_FONT, "", 8)
    align = _alignment(headings, rows)
    with pdf.table(
        col_widths=_column_widths(pdf, headings, rows, _CELL_PAD, [a == "RIGHT" for a in align]),
        text_align=align,
        line_height=4,
        padding=(1, _CELL_PAD),
        headings_style=FontFace(emphasis="BOLD", fill_color=_TABLE_HEAD_FILL),
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        head = table.row()
        for text in headings:
            head.cell(text)
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(text)
    if len(frame) > len(shown):
        pdf.ln(1)
        note = labels["truncated"].format(shown=len(shown), total=len(frame))
        with pdf.local_context(text_color=_MUTED):
            pdf.set_font(_FONT, "", 8)
            pdf.multi_cell(0, 4.5, _plain(note), align="L", new_x="LMARGIN")


def _bullets(pdf: _BriefingPDF, lines: Sequence[str]) -> None:
    pdf.set_font(_FONT, "", 9)
    for line in lines:
        pdf.set_x(_MARGIN)
        pdf.cell(5, 5, "•")
        pdf.multi_cell(pdf.epw - 5, 5, _plain(line), align="L", new_x="LMARGIN")


def _sources(pdf: _BriefingPDF, content: BriefingContent, labels: Mapping[str, str]) -> None:
    _heading(pdf, labels["data_sources"])
    if content.sources:
        _bullets(pdf, content.sources)
    else:
        _none_line(pdf, labels["none"])
    if content.notes:
        pdf.ln(3)
        pdf.set_font(_FONT, "B", 10)
        pdf.multi_cell(0, 6, _plain(labels["notes"]), align="L", new_x="LMARGIN")
        _bullets(pdf, content.notes)
