"""Files of the national volunteer system: format and encoding told apart, headers mapped in
Chinese or English and any order, each row checked with its line number."""
import datetime as dt
import io
import zipfile

import pytest

from identity.adapters.import_files import rows
from identity.domain import imports as rules
from identity.domain.id_numbers import with_check_character

TODAY = dt.date(2026, 12, 7)
ID = with_check_character("13010219900101081")
HEADER = ["志愿者编号", "姓名", "证件类型", "证件号码", "手机号码", "注册时间", "所属区划代码", "状态"]
GOOD = ["V-001", "赵志愿", "居民身份证", ID, "13600001111", "2024-03-05", "130102001001", "已认证"]


def volunteer_layout(header=HEADER):
    return rules.layout(rules.VOLUNTEER_REGISTRATIONS, 1, header)


def test_csv_text_is_utf8_with_or_without_bom_else_gb18030():
    text = "志愿者编号,状态\nV1,已认证\n"
    assert rules.decode_text(text.encode("utf-8")) == text
    assert rules.decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert rules.decode_text(text.encode("gb18030")) == text
    assert rules.decode_text("䶮,𠀀\n".encode("gb18030")) == "䶮,𠀀\n"  # beyond GBK


def test_the_format_is_told_by_the_bytes_not_the_name():
    assert rules.file_format(b"PK\x03\x04rest", "names.csv") == rules.XLSX
    assert rules.file_format(b"a,b\n", "names.xlsx") == rules.CSV
    for raw, code in ((b"\xd0\xcf\x11\xe0\xa1\xb1", "xls_not_supported"), (b"  \n", "empty_file"),
                      (b"%PDF-1.7\x00\x00\x01", "not_a_table")):
        with pytest.raises(rules.FileRefused) as info:
            rules.file_format(raw, "x.csv")
        assert info.value.code == code and info.value.zh and info.value.en


def test_headers_in_chinese_or_english_in_any_order():
    english = ["Status", "region_code", "name", "ID Number", "phone", "volunteer_number"]
    lay = volunteer_layout(english)
    assert lay.columns == {"status": 0, "region_code": 1, "name": 2, "id_number": 3, "phone": 4,
                           "volunteer_number": 5}
    lay = volunteer_layout(["\ufeff*志愿者编号", " 姓名 ", "证件号码", "手机号", "区划代码", "状态",
                            "性别", "所属组织"])  # BOM, star, spaces; known columns ignored
    assert lay.columns["volunteer_number"] == 0 and lay.header_line == 1


def test_an_unknown_repeated_or_missing_header_refuses_the_file():
    for header, code in ((HEADER + ["爱好"], "unknown_header"),
                         (HEADER + ["姓名"], "duplicate_header"),
                         (HEADER[:3], "missing_header")):
        with pytest.raises(rules.FileRefused) as info:
            volunteer_layout(header)
        assert info.value.code == code and info.value.zh and info.value.en
    with pytest.raises(rules.FileRefused) as info:
        volunteer_layout(HEADER + ["爱好"])
    assert "爱好" in info.value.zh and "爱好" in info.value.en


def test_the_registry_file_may_have_no_header_row():
    lay = rules.layout(rules.REGISTRY_STATUS, 1, ["V9", "verified"])
    assert lay.header_line is None
    assert rules.parse_row(lay, 1, ["V9", "verified"], TODAY) == rules.StatusRecord(1, "V9",
                                                                                    "verified")
    lay = rules.layout(rules.REGISTRY_STATUS, 1, ["状态", "志愿者编号"])
    assert rules.parse_row(lay, 2, ["未通过", "V2"], TODAY) == rules.StatusRecord(2, "V2",
                                                                                "rejected")
    refused = rules.parse_row(lay, 3, ["pending", "V3"], TODAY)
    assert isinstance(refused, rules.RowRefusal) and refused.line == 3
    assert refused.code == "invalid_status"


def test_a_good_volunteer_row():
    record = rules.parse_row(volunteer_layout(), 2, GOOD, TODAY)
    assert record == rules.VolunteerRecord(2, "V-001", "赵志愿", ID, "13600001111",
                                           "130102001001", "verified", dt.date(2024, 3, 5), None)


@pytest.mark.parametrize(("column", "value", "code"), [
    (0, "", "missing_volunteer_number"),
    (1, "", "missing_name"),
    (2, "护照", "unsupported_id_type"),
    (3, "", "missing_id_number"),
    (3, ID[:-1] + ("0" if ID[-1] != "0" else "1"), "invalid_id_number"),
    (4, "12345", "invalid_phone"),
    (5, "2024-13-40", "invalid_registered_on"),
    (5, "2027-01-01", "invalid_registered_on"),
    (6, "1301", "invalid_region_code"),
    (7, "注销中", "invalid_status"),
])
def test_a_bad_volunteer_row_is_refused_with_its_line_and_both_languages(column, value, code):
    cells = list(GOOD)
    cells[column] = value
    refused = rules.parse_row(volunteer_layout(), 7, cells, TODAY)
    assert isinstance(refused, rules.RowRefusal)
    assert (refused.line, refused.code) == (7, code) and refused.zh and refused.en


def test_dates_and_statuses_in_the_national_systems_words():
    assert rules.parse_date("2024/3/5") == rules.parse_date("2024年3月5日") == dt.date(2024, 3, 5)
    assert rules.parse_date("2024-03-05 10:20:30") == dt.date(2024, 3, 5)
    assert rules.parse_date("20240305") == dt.date(2024, 3, 5)
    assert rules.registry_status("已实名认证") == "verified"
    assert rules.registry_status(" REJECTED ") == "rejected"
    assert rules.registry_status("待认证") == "unverified"


def test_csv_rows_keep_their_line_numbers_and_xlsx_cells_become_text():
    raw = "志愿者编号,状态\n\nV1,已认证\n".encode("gb18030")
    assert list(rows(raw, rules.CSV)) == [(1, ["志愿者编号", "状态"]), (2, []), (3, ["V1", "已认证"])]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["志愿者编号", "手机号码", "注册时间"])
    sheet.append(["V1", 13600001111, dt.datetime(2024, 3, 5)])
    buffer = io.BytesIO()
    book.save(buffer)
    raw = buffer.getvalue()
    assert rules.file_format(raw, "x.xlsx") == rules.XLSX
    assert list(rows(raw, rules.XLSX)) == [(1, ["志愿者编号", "手机号码", "注册时间"]),
                                           (2, ["V1", "13600001111", "2024-03-05"])]
    with pytest.raises(rules.FileRefused) as info:
        list(rows(b"PK\x03\x04 not really a zip", rules.XLSX))
    assert info.value.code == "unreadable_xlsx"
    document = io.BytesIO()  # a zip that is no workbook (a .docx, say)
    with zipfile.ZipFile(document, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(rules.FileRefused) as info:
        list(rows(document.getvalue(), rules.XLSX))
    assert info.value.code == "unreadable_xlsx"
    with pytest.raises(rules.FileRefused) as info:
        list(rows(b"\xff\xfe\x00\xd8 \x81\x30", rules.CSV))
    assert info.value.code == "unknown_encoding"
