"""The writers read back: XLSX (openpyxl) with a bold ``中文 / English`` header, numbers as
numbers, empty cells for None; CSV in UTF-8 with a BOM; rows consumed as they come."""
from __future__ import annotations

import csv

import openpyxl

from reporting.adapters import export_writers
from reporting.adapters.export_writers import write_csv, write_xlsx

COLUMNS = [("name", "姓名", "Name"), ("minutes", "分钟数", "Minutes"),
           ("note", "备注", "Note")]
ROWS = [{"name": "张三", "minutes": 90, "note": None},
        {"name": "李四, \"小李\"", "minutes": 30.5, "note": "=1+1"}]


def test_xlsx_has_a_bold_bilingual_header_and_typed_cells(tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_xlsx(str(path), COLUMNS, iter(ROWS)) == 2
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == ["姓名 / Name", "分钟数 / Minutes", "备注 / Note"]
    assert all(c.font.bold for c in sheet[1])
    assert [c.value for c in sheet[2]] == ["张三", 90, None]
    assert [c.value for c in sheet[3]] == ['李四, "小李"', 30.5, "=1+1"]  # text, not a formula
    assert sheet.column_dimensions["A"].width >= 10


def test_xlsx_with_no_rows_has_its_header(tmp_path):
    path = tmp_path / "empty.xlsx"
    assert write_xlsx(str(path), COLUMNS, iter([])) == 0
    sheet = openpyxl.load_workbook(path).active
    assert sheet.max_row == 1 and sheet["A1"].value == "姓名 / Name"


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(export_writers, "SHEET_ROWS", 2)
    path = tmp_path / "many.xlsx"
    rows = [{"name": f"n{i}", "minutes": i} for i in range(5)]
    assert write_xlsx(str(path), COLUMNS, iter(rows)) == 5
    book = openpyxl.load_workbook(path)
    assert [s.max_row for s in book.worksheets] == [3, 3, 2]
    assert book.worksheets[2]["A2"].value == "n4"


def test_csv_is_utf8_with_a_bom_and_quotes_what_it_must(tmp_path):
    path = tmp_path / "out.csv"
    assert write_csv(str(path), COLUMNS, iter(ROWS)) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines == [["姓名 / Name", "分钟数 / Minutes", "备注 / Note"], ["张三", "90", ""],
                     ['李四, "小李"', "30.5", "=1+1"]]


def test_rows_are_consumed_lazily(tmp_path):
    seen = []

    def rows():
        for n in range(3):
            seen.append(n)
            yield {"name": str(n), "minutes": n}

    stream = rows()
    assert seen == []
    write_csv(str(tmp_path / "lazy.csv"), COLUMNS, stream)
    assert seen == [0, 1, 2]
