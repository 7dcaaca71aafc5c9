"""Files imported from the national volunteer system (全国志愿服务信息系统): what kind of file it
is, how its text is encoded, which column is which, and each row checked into a record or a
refusal with its line number. Pure: bytes and cells in, records out (reading an XLSX is the
adapters' ``import_files``)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import id_numbers
from .phones import is_mobile

VOLUNTEER_REGISTRATIONS = "volunteer_registrations"
REGISTRY_STATUS = "registry_status"
KINDS = (VOLUNTEER_REGISTRATIONS, REGISTRY_STATUS)
CSV, XLSX = "csv", "xlsx"
CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REFUSED)


class FileRefused(Exception):
    """The whole file cannot be imported (its format, encoding, header or size)."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(code, zh, en)
        self.code, self.zh, self.en = code, zh, en


@dataclass(frozen=True)
class Column:
    field: str
    names: tuple[str, ...]  # Chinese and English headers, compared normalised
    required: bool = True


# The national system's export of registered volunteers (志愿者名册导出). Columns the platform
# does not use but the export carries are recognised and ignored (``IGNORED``).
VOLUNTEER_COLUMNS = (
    Column("volunteer_number", ("志愿者编号", "志愿者编码", "volunteer_number", "volunteer number",
                                "volunteer_no")),
    Column("name", ("姓名", "name")),
    Column("id_type", ("证件类型", "id_type", "id type"), required=False),
    Column("id_number", ("证件号码", "身份证号码", "身份证号", "id_number", "id number")),
    Column("phone", ("手机号码", "手机号", "联系电话", "phone", "mobile")),
    Column("registered_on", ("注册时间", "注册日期", "registered_at", "registered on",
                             "registration date"), required=False),
    Column("region_code", ("所属区划代码", "区划代码", "所属区划", "region_code", "region code",
                           "division code")),
    Column("status", ("状态", "认证状态", "实名认证状态", "status", "registry status")),
    Column("address", ("地址", "住址", "居住地址", "address"), required=False),
)
REGISTRY_COLUMNS = (
    Column("volunteer_number", ("志愿者编号", "志愿者编码", "volunteer_number", "volunteer number",
                                "volunteer_no")),
    Column("status", ("状态", "认证状态", "核验结果", "status")),
)
COLUMNS = {VOLUNTEER_REGISTRATIONS: VOLUNTEER_COLUMNS, REGISTRY_STATUS: REGISTRY_COLUMNS}
IGNORED = ("序号", "所属组织", "组织名称", "性别", "出生日期", "民族", "政治面貌", "学历", "文化程度",
           "服务时长", "志愿服务时长", "电子邮箱", "邮箱", "备注", "organisation", "organization",
           "sex", "gender", "birth date", "email", "service hours", "notes", "no")

# The national system's words for a volunteer's real-name verification, and the platform's.
STATUS_WORDS = {
    "verified": ("verified", "已认证", "已实名认证", "实名认证", "认证通过", "已核验", "核验通过",
                 "通过", "正常"),
    "rejected": ("rejected", "未通过", "认证未通过", "核验未通过", "不通过", "已驳回", "驳回"),
    "unverified": ("unverified", "未认证", "待认证", "未实名认证", "待核验", "未核验"),
}
RESIDENT_ID_TYPES = ("", "居民身份证", "身份证", "中华人民共和国居民身份证", "resident_id",
                     "resident id card", "id card")
REGION = re.compile(r"^[0-9]{12}$")
VOLUNTEER_NUMBER_MAX = 40
NAME_MAX = 50
ADDRESS_MAX = 200


def normalise(header: str) -> str:
    """A header as compared: no BOM, spaces, underscores, required-field star or colon; lower."""
    cleaned = header.replace("\ufeff", "").strip().strip("*＊:：").strip().lower()
    return re.sub(r"[\s_]+", " ", cleaned).strip()


_STATUS = {normalise(word): status for status, words in STATUS_WORDS.items() for word in words}
_ID_TYPES = {normalise(word) for word in RESIDENT_ID_TYPES}


def file_format(raw: bytes, file_name: str) -> str:
    """``xlsx`` (a zip package) or ``csv``; anything else is refused."""
    if raw.startswith(b"PK\x03\x04"):
        return XLSX
    if raw.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary .xls
        raise FileRefused("xls_not_supported", "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV 后再导入",
                          "Old .xls files are not supported; save the sheet as .xlsx or CSV")
    if not raw.strip():
        raise FileRefused("empty_file", "文件为空", "The file is empty")
    if b"\x00" in raw[:4096]:
        raise FileRefused("not_a_table", "文件不是 XLSX 或 CSV 表格",
                          "The file is neither an XLSX workbook nor a CSV table")
    return CSV


def decode_text(raw: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without BOM), else GB18030 (which covers GBK and
    GB2312, what Excel on a Chinese Windows saves)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRefused("unknown_encoding", "无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV",
                          "The file's encoding is not recognised; save the CSV as UTF-8 or "
                          "GB18030") from None


@dataclass(frozen=True)
class Layout:
    """Which cell holds which field; ``header_line`` None: a file without a header row (only
    the old registry file, ``volunteer_number,status``)."""
    kind: str
    columns: dict[str, int]
    header_line: int | None


def layout(kind: str, line: int, cells: Sequence[str]) -> Layout:
    """The layout told by the first non-blank row: headers in Chinese or English, any order.
    An unknown or repeated header, or a required one missing, refuses the file."""
    columns = COLUMNS[kind]
    by_name = {normalise(name): column.field for column in columns for name in column.names}
    ignored = {normalise(name) for name in IGNORED}
    found: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        name = normalise(cell)
        if not name or name in ignored:
            continue
        field = by_name.get(name)
        if field is None:
            unknown.append(cell.strip())
        elif field in found:
            raise FileRefused("duplicate_header", f"表头“{cell.strip()}”重复",
                              f"The header {cell.strip()!r} appears twice")
        else:
            found[field] = index
    if kind == REGISTRY_STATUS and not found and len([c for c in cells if c.strip()]) >= 2:
        return Layout(kind, {"volunteer_number": 0, "status": 1}, None)  # no header row
    if unknown:
        raise FileRefused("unknown_header", "无法识别的表头：" + "、".join(unknown),
                          "Unknown headers: " + ", ".join(unknown) + "; expected: "
                          + ", ".join(f"{c.names[0]}/{c.field}" for c in columns))
    missing = [c for c in columns if c.required and c.field not in found]
    if missing:
        raise FileRefused("missing_header", "缺少必需的列：" + "、".join(c.names[0] for c in missing),
                          "Required columns missing: "
                          + ", ".join(c.field for c in missing))
    return Layout(kind, found, line)


@dataclass(frozen=True)
class RowRefusal:
    line: int
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class StatusRecord:
    """A row of the registry-status file."""
    line: int
    volunteer_number: str
    status: str


@dataclass(frozen=True)
class VolunteerRecord:
    """A registered volunteer of the national export, checked."""
    line: int
    volunteer_number: str
    name: str
    id_number: str
    phone: str | None
    region_code: str
    status: str
    registered_on: dt.date | None
    address: str | None


def is_blank(cells: Sequence[str]) -> bool:
    return not any(c.strip() for c in cells)


def _cell(cells: Sequence[str], lay: Layout, field: str) -> str:
    index = lay.columns.get(field)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def registry_status(word: str) -> str | None:
    return _STATUS.get(normalise(word))


def parse_date(text: str) -> dt.date | None:
    """2024-03-05, 2024/3/5, 2024年3月5日, 20240305, with or without a time after it."""
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$", text) \
        or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_row(lay: Layout, line: int, cells: Sequence[str], today: dt.date
              ) -> StatusRecord | VolunteerRecord | RowRefusal:
    """One data row checked (every reason in Chinese and English)."""
    def refuse(code: str, zh: str, en: str) -> RowRefusal:
        return RowRefusal(line, code, zh, en)

    number = _cell(cells, lay, "volunteer_number")
    status_word = _cell(cells, lay, "status")
    if not number:
        return refuse("missing_volunteer_number", "缺少志愿者编号", "No volunteer number")
    if len(number) > VOLUNTEER_NUMBER_MAX or not number.isprintable():
        return refuse("invalid_volunteer_number", "志愿者编号格式不正确",
                      "The volunteer number is malformed")
    status = registry_status(status_word)
    if lay.kind == REGISTRY_STATUS:
        if status not in ("verified", "rejected"):
            return refuse("invalid_status", "状态应为 verified（已认证）或 rejected（未通过）",
                          "The status is verified or rejected")
        return StatusRecord(line, number, status)
    if status is None:
        return refuse("invalid_status", f"无法识别的状态“{status_word}”（应为已认证、未通过或未认证）",
                      f"Unknown status {status_word!r} (verified, rejected or unverified)")
    name = _cell(cells, lay, "name")
    if not name:
        return refuse("missing_name", "缺少姓名", "No name")
    if len(name) > NAME_MAX or not name.isprintable():
        return refuse("invalid_name", "姓名格式不正确", "The name is malformed")
    if normalise(_cell(cells, lay, "id_type")) not in _ID_TYPES:
        return refuse("unsupported_id_type", "仅支持居民身份证登记",
                      "Only resident identity cards can be registered")
    raw_id = _cell(cells, lay, "id_number")
    if not raw_id:
        return refuse("missing_id_number", "缺少证件号码", "No ID number")
    try:
        resident = id_numbers.parse(raw_id, today)
    except id_numbers.InvalidIdNumber as exc:
        return refuse("invalid_id_number", exc.zh, exc.en)
    phone = _cell(cells, lay, "phone") or None
    if phone is not None and not is_mobile(phone):
        return refuse("invalid_phone", "手机号码应为11位大陆手机号",
                      "The mobile number is 11 digits starting 1[3-9]")
    region = _cell(cells, lay, "region_code")
    if not REGION.match(region):
        return refuse("invalid_region_code", "所属区划代码应为12位数字",
                      "The region code is 12 digits")
    registered_text = _cell(cells, lay, "registered_on")
    registered_on = parse_date(registered_text) if registered_text else None
    if registered_text and (registered_on is None or registered_on > today):
        return refuse("invalid_registered_on", "注册时间格式不正确（如 2024-03-05）",
                      "The registration date is malformed (e.g. 2024-03-05)")
    address = _cell(cells, lay, "address") or None
    if address is not None and (len(address) > ADDRESS_MAX or not address.isprintable()):
        return refuse("invalid_address", "地址过长或含有无效字符",
                      "The address is too long or has invalid characters")
    return VolunteerRecord(line, number, name, resident.number, phone, region, status,
                           registered_on, address)
