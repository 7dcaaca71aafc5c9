"""Writing an export's rows to a file as they come (never all in memory): XLSX with
xlsxwriter in ``constant_memory`` mode (each row goes to disk once the next starts) and CSV in
UTF-8 with a byte-order mark (``utf-8-sig``: Excel then reads the Chinese correctly).

Both write one header row, ``中文 / English`` per column, bold in XLSX, with each column as wide
as its header or a set width. Values are written as given (text, numbers; None: an empty cell).
An XLSX sheet holds at most ``SHEET_ROWS`` data rows; more go on the next sheet, with the
header again."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import xlsxwriter

Column = tuple[str, str, str]  # (key, 中文, English)
SHEET_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header


def header(column: Column) -> str:
    return f"{column[1]} / {column[2]}"


def width(column: Column) -> int:
    """About as wide as the header (a Chinese character is two columns wide)."""
    wide = sum(2 if ord(char) > 0x2E7F else 1 for char in header(column))
    return max(10, min(wide + 2, 60))


def write_csv(path: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> int:
    """How many rows were written."""
    count = 0
    keys = [key for key, _, _ in columns]
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([header(c) for c in columns])
        for row in rows:
            writer.writerow(["" if row.get(key) is None else row[key] for key in keys])
            count += 1
    return count


def write_xlsx(path: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]],
               sheet_name: str = "export") -> int:
    """How many rows were written."""
    count = 0
    keys = [key for key, _, _ in columns]
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    try:
        bold = book.add_format({"bold": True})
        sheet, line, sheets = None, 0, 0
        for row in rows:
            if sheet is None or line > SHEET_ROWS:
                sheets += 1
                sheet = book.add_worksheet(sheet_name if sheets == 1
                                           else f"{sheet_name}{sheets}")
                for index, column in enumerate(columns):
                    sheet.set_column(index, index, width(column))
                    sheet.write_string(0, index, header(column), bold)
                sheet.freeze_panes(1, 0)
                line = 1
            for index, key in enumerate(keys):
                value = row.get(key)
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(line, index, value)
                elif isinstance(value, int | float):
                    sheet.write_number(line, index, value)
                else:
                    sheet.write_string(line, index, str(value))
            line += 1
            count += 1
        if sheet is None:  # no rows: the header alone
            sheet = book.add_worksheet(sheet_name)
            for index, column in enumerate(columns):
                sheet.set_column(index, index, width(column))
                sheet.write_string(0, index, header(column), bold)
    finally:
        book.close()
    return count


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}
