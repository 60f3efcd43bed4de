"""Corrupted uploads through the Upload page: each is refused with the exact reason (and
its line where there is one), nothing is loaded, the store is unchanged, and a good
file loads next.

The readers' own tests (tests/data_loaders/readers/) and the property tests
(arbitrary bytes never crash) cover the parsing; these follow what a person sees.
Before, a workbook cut short was called "a ZIP archive", and a file mixing UTF-8 with
another encoding did not say where.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from data_loaders import templates
from tests.faults.helpers import drop, fingerprint, good_csv, load, texts
from ui import upload as up

GOOD = (
    "date,region,crime,count\n2026-01-05,Cahul,cbrne,1\n2026-01-06,Bălți,cybercrime,2\n"
    "2026-01-07,Orhei,terrorism,3\n"
).encode()
JUNK = random.Random(3).randbytes(4096)
REJECTED = "Rejected: 1 problem; nothing was written."


def _bomb() -> bytes:
    """The XLSX template with a 50 MB member of zeros (50 KB compressed) added."""
    buffer = io.BytesIO(templates.template_xlsx("incidents"))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(50 << 20))
    return buffer.getvalue()


def _half_a_workbook() -> bytes:
    workbook = templates.template_xlsx("incidents")
    return workbook[: len(workbook) // 2]


# name, bytes, the page's error line, the report's one (row, value, reason).
CASES = {
    "truncated XLSX": (
        "extract.xlsx",
        _half_a_workbook,
        REJECTED,
        (
            None,
            None,
            "extract.xlsx is not a complete Excel workbook (XLSX): it starts like one, but its "
            "end is missing or damaged. The upload may have been cut off; save it again in "
            "Excel, or upload it again.",
        ),
    ),
    "garbage named .xlsx": (
        "extract.xlsx",
        lambda: JUNK,
        REJECTED,
        (
            None,
            None,
            "extract.xlsx is not an Excel workbook (XLSX): it looks like a binary file. Upload "
            "a CSV, XLSX or Parquet file.",
        ),
    ),
    "garbage named .csv": (
        "extract.csv",
        lambda: JUNK,
        REJECTED,
        (
            None,
            None,
            "extract.csv is not a CSV file: it looks like a binary file. Upload a CSV, XLSX or "
            "Parquet file.",
        ),
    ),
    "zip bomb": (
        "extract.xlsx",
        _bomb,
        REJECTED,
        (
            None,
            None,
            "extract.xlsx contains xl/media/zeros.bin compressed 1,029:1 (49.8 KB unpacking to "
            "50 MB); the limit is 100:1. It was refused as a possible zip bomb.",
        ),
    ),
    "CSV cut mid-row": (
        "extract.csv",
        lambda: GOOD[: GOOD.index(b"Orhei") + 9],
        f"{REJECTED} extract.csv has 1 row that does not fit its header of 4 fields "
        "separated by commas: line 4 has 3 fields. Check the delimiter, and that values "
        "containing it are quoted.",
        (4, "2026-01-07,Orhei,ter", "3 fields where the header has 4."),
    ),
    "CSV cut in a quoted value": (
        "extract.csv",
        lambda: GOOD.replace(b"Orhei", b'"Orhei')[: GOOD.index(b"Orhei") + 6],
        f"{REJECTED} extract.csv has 1 row that does not fit its header of 4 fields "
        "separated by commas: line 4 has a quote that is not closed. Check the delimiter, "
        "and that values containing it are quoted.",
        (
            4,
            '2026-01-07,"Orhei',
            "A quoted value is not closed, or text follows its closing quote.",
        ),
    ),
    "invalid UTF-8": (
        "extract.csv",
        # One damaged byte: "ă" (C4 83) of Bălți became C4 28; line 4 is still UTF-8.
        lambda: GOOD.replace(b"Orhei", "Ștefan Vodă".encode()).replace(b"\xc4\x83", b"\xc4(", 1),
        REJECTED,
        (
            None,
            None,
            "extract.csv mixes UTF-8 text (line 4) with text in another encoding (line 3), so "
            "its characters cannot be decoded reliably. Save it again as 'CSV UTF-8' and "
            "upload that.",
        ),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_corrupted_upload_is_refused_and_loads_nothing(store_copy, upload_page, case):
    name, data, message, (row, value, reason) = CASES[case]
    at = upload_page()
    before = fingerprint(store_copy)
    mime = templates.XLSX_MIME if name.endswith(".xlsx") else "text/csv"
    drop(at, name, data(), mime)
    assert texts(at.error) == [up.escape_markdown(message)]
    report = next(frame.value for frame in at.dataframe if "reason" in frame.value.columns)
    assert report.to_dict("records") == [
        {
            "row": row,
            "column": "",
            "value": "" if value is None else value,
            "reason": reason,
            "suggestion": "",
        }
    ]
    assert at.button(key="upload_commit").disabled
    assert fingerprint(store_copy) == before


def test_after_a_corrupted_upload_a_good_file_loads(store_copy, upload_page):
    at = drop(upload_page(), "extract.xlsx", _half_a_workbook(), templates.XLSX_MIME)
    assert texts(at.error) == [up.escape_markdown(REJECTED)]
    load(drop(at, "extract.csv", good_csv()))
    assert any(text.startswith("Loaded 2 rows as batch") for text in texts(at.success))


def test_a_control_character_deep_in_a_file_is_refused_by_line_and_column(store_copy, upload_page):
    # Past the head's share of control characters, so the format check lets it through.
    rows = "2026-01-08,Orhei,terrorism,1\n" * 150 + "2026-01-09,Or\x00hei,terrorism,1\n"
    at = upload_page()
    before = fingerprint(store_copy)
    drop(at, "extract.csv", GOOD + rows.encode(), "text/csv")
    reason = "The value holds a control character (U+0000), which no export can hold; remove it."
    assert texts(at.error) == [
        up.escape_markdown(
            f"{REJECTED} extract.csv has 1 value that cannot be stored safely; nothing was "
            f"loaded. First: line 155, column 'region': {reason}"
        )
    ]
    report = next(frame.value for frame in at.dataframe if "reason" in frame.value.columns)
    assert report.to_dict("records") == [
        {
            "row": 155,
            "column": "region",
            "value": "Or<U+0000>hei",
            "reason": reason,
            "suggestion": "",
        }
    ]
    assert fingerprint(store_copy) == before
