"""Reading an imported file's rows: a CSV table (its text decoded by ``domain.imports``) or the
first sheet of an XLSX workbook, streamed with openpyxl's read-only mode (a large sheet is
never held in memory as cells). Each row comes with its line number as a spreadsheet shows
it, every cell as text."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from ..domain.imports import CSV, FileRefused, decode_text


def rows(raw: bytes, file_format: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of every row, blank ones included (they keep their line numbers)."""
    if file_format == CSV:
        return _csv_rows(raw)
    return _xlsx_rows(raw)


def _csv_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(raw)
    try:
        sample = text[:4096]
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        if "\t" in sample.split("\n", 1)[0] and "," not in sample.split("\n", 1)[0]:
            dialect = csv.excel_tab
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1)
    except csv.Error as exc:
        raise FileRefused("malformed_csv", "CSV 文件格式有误，无法读取",
                          f"The CSV file is malformed: {exc}") from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # only an XLSX import needs it

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # not a workbook (a .docx, a damaged zip): openpyxl's own errors
        raise _unreadable(exc) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise FileRefused("empty_file", "文件为空", "The file is empty")
        try:
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, [_text(v) for v in values]
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError) as exc:
            raise _unreadable(exc) from None  # a sheet's XML that openpyxl cannot read
    finally:
        book.close()


def _unreadable(exc: Exception) -> FileRefused:
    return FileRefused("unreadable_xlsx", "无法读取该 XLSX 文件，请确认文件未损坏",
                       f"The XLSX file cannot be read ({exc.__class__.__name__})")
