"""Excel workbooks (XLSX), read with openpyxl (which parses their XML with defusedxml)
after the zip-bomb check; cells become the text an analyst sees.
"""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa

from data_loaders.readers.header import check_header, clean_name
from data_loaders.readers.messages import MAX_REPORTED
from data_loaders.readers.relation import ARROW_BATCH, RawTable, create_view
from data_loaders.readers.scan import file_sha256
from data_loaders.readers.sql import ident
from data_loaders.readers.zip_bomb import check_zip
from threatmon.errors import Problem, UnreadableFileError


def read_xlsx(con, path, name, head, sheet, limits, table, on_header=None) -> RawTable:
    del head
    check_zip(path, name, limits)
    sha256 = file_sha256(path)
    import openpyxl  # imported here: only XLSX uploads pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any parser failure on untrusted bytes means "unreadable"
        raise UnreadableFileError(
            f"{name} could not be opened as an Excel workbook: {exc or type(exc).__name__}."
        ) from exc
    try:
        worksheet = _pick_sheet(workbook, name, sheet)
        try:
            rows, columns = _load_sheet(con, worksheet, name, table, on_header)
        except UnreadableFileError:
            raise
        except Exception as exc:
            raise UnreadableFileError(
                f"{name} could not be read as an Excel workbook: {exc or type(exc).__name__}."
            ) from exc
    finally:
        workbook.close()
    return RawTable(table, "xlsx", rows, columns, None, None, worksheet.title, sha256)


def _pick_sheet(workbook, name: str, sheet: str | None):
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "reset_dimensions")]
    if sheet is None:
        if not worksheets:
            raise UnreadableFileError(f"{name} has no worksheet.")
        return worksheets[0]
    for worksheet in worksheets:
        if worksheet.title == sheet:
            return worksheet
    listed = ", ".join(repr(ws.title) for ws in worksheets)
    raise UnreadableFileError(f"{name} has no sheet {sheet!r}; its sheets are {listed}.")


def _load_sheet(
    con, worksheet, name: str, table: str, on_header=None
) -> tuple[int, tuple[str, ...]]:
    # Dimensions stored in the file are often wrong (some writers store "A1"), and
    # read-only mode would then cut the sheet short: read what is really there.
    worksheet.reset_dimensions()
    rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
    header_row = 0
    for header_row, values in rows:  # noqa: B007 - the row found is used below
        texts = [_cell_text(v) for v in values]
        if any(t is not None for t in texts):
            break
    else:
        raise UnreadableFileError(f"{name} has no header row: sheet {worksheet.title!r} is empty.")
    width = max(i for i, t in enumerate(texts) if t is not None) + 1
    columns = check_header(name, [clean_name(t or "") for t in texts[:width]])
    if on_header is not None:
        on_header(tuple(columns))
    cells = ident(table + "__cells")
    con.execute(f"CREATE TEMP TABLE {cells} ({', '.join(f'c{i} VARCHAR' for i in range(width))})")
    batch: list[list[str | None]] = [[] for _ in range(width)]
    count = pending_empty = 0
    problems: list[Problem] = []
    for row_number, values in rows:
        texts = [_cell_text(v) for v in values]
        for column, text in enumerate(texts[width:], start=width):
            if text is not None and len(problems) < MAX_REPORTED:
                problems.append(
                    Problem(
                        row_number,
                        _column_letter(column),
                        text,
                        f"A value right of the last header column ({_column_letter(width - 1)}).",
                    )
                )
        texts = (texts + [None] * width)[:width]
        if all(t is None for t in texts):
            # Only trailing empty rows are dropped; empty rows inside the data are kept
            # so that row numbers stay right.
            pending_empty += 1
            continue
        for values_of_column, text in zip(batch, texts, strict=True):
            values_of_column.extend([None] * pending_empty)
            values_of_column.append(text)
        count += pending_empty + 1
        pending_empty = 0
        if len(batch[0]) >= ARROW_BATCH:
            _insert_batch(con, cells, batch)
    _insert_batch(con, cells, batch)
    if problems:
        raise UnreadableFileError(
            f"{name} has values outside its header's columns (A–{_column_letter(width - 1)}) "
            f"in sheet {worksheet.title!r}; the first is in cell "
            f"{problems[0].column}{problems[0].row}. Give them a header or remove them.",
            problems,
        )
    create_view(con, table, width, [(0, header_row + 1)])
    return count, columns


def _insert_batch(con, cells: str, batch: list[list[str | None]]) -> None:
    if not batch[0]:
        return
    arrow = pa.table({f"c{i}": pa.array(values, pa.string()) for i, values in enumerate(batch)})
    con.register("threatmon_xlsx_batch", arrow)
    try:
        con.execute(f"INSERT INTO {cells} SELECT * FROM threatmon_xlsx_batch")
    finally:
        con.unregister("threatmon_xlsx_batch")
    for values in batch:
        values.clear()


def _cell_text(value: object) -> str | None:
    """One cell as the text an analyst sees, normalised (dates ISO, 12.0 as "12")."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        # Excel stores times as fractions of a day; round the float noise to seconds.
        value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0, tzinfo=None)
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    return str(value).strip() or None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
