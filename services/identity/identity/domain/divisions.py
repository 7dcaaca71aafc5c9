"""Hebei's statistical division codes (统计用区划代码): levels, parents, and which rows of an
official division list may be imported.

A code has 12 digits in five segments: province 2, city 2, county 2, township 3,
village/community 3. Once a segment is all zeros, every later one is too.
辛集 (130181) and 定州 (130682) are county codes managed as city-level units
(DESIGN.md §4), so their parent is the province.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from timebank_common.regions import (
    CITY,
    CITY_LEVEL_COUNTIES,
    COMMUNITY,
    COUNTY,
    TOWNSHIP,
    is_code,
    level_of,
    parent_of,
)

HEBEI_PREFIX = "13"
HEBEI_CODE = "130000000000"
NAME_MAX = 100
IMPORTED_LEVELS = (TOWNSHIP, COMMUNITY)  # the shipped tree already holds the upper levels
_SEGMENTS = ((0, 2), (2, 4), (4, 6), (6, 9), (9, 12))

CODE_HEADERS = {"code", "统计用区划代码", "区划代码"}
NAME_HEADERS = {"name", "名称"}

_REASONS = {
    "bad_code": ("区划代码应为12位数字且各级代码完整", "A division code has 12 digits, level by level"),
    "not_hebei": ("不是河北省的区划代码（应以13开头）", "Not a Hebei code (Hebei codes start with 13)"),
    "missing_name": ("缺少名称", "The name is missing"),
    "name_too_long": (f"名称超过{NAME_MAX}个字符", f"The name is longer than {NAME_MAX} characters"),
    "duplicate_code": ("文件中重复出现的区划代码", "This code appears earlier in the file"),
    "unknown_parent": ("上级区划不存在", "The parent region is unknown"),
}


class InvalidDivision(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


class InvalidLayout(ValueError):
    """The header names no code or no name column."""


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None

    def as_row(self) -> dict[str, str | None]:
        return {"code": self.code, "name": self.name, "level": self.level,
                "parent_code": self.parent_code}


@dataclass(frozen=True)
class Refusal:
    line: int
    code: str
    reason: str

    @property
    def zh(self) -> str:
        return _REASONS[self.reason][0]

    @property
    def en(self) -> str:
        return _REASONS[self.reason][1]


@dataclass
class ImportPlan:
    accepted: list[Division] = field(default_factory=list)  # parents before children
    skipped: list[Division] = field(default_factory=list)  # province, city, county rows
    refused: list[Refusal] = field(default_factory=list)


def is_well_formed(code: str) -> bool:
    if not is_code(code) or code[:2] == "00":
        return False
    zero_seen = False
    for start, end in _SEGMENTS:
        zero = set(code[start:end]) == {"0"}
        if zero_seen and not zero:
            return False
        zero_seen = zero_seen or zero
    return True


def level_and_parent(code: str) -> tuple[str, str | None]:
    """The management level of a well-formed code and the code of its parent."""
    level = level_of(code)
    if level == COUNTY and code[:6] in CITY_LEVEL_COUNTIES:
        return CITY, code[:2] + "0" * 10
    return level, parent_of(code)


def division_of(code: str, name: str) -> Division:
    """A Hebei division from one row; ``InvalidDivision`` says why not."""
    code, name = (code or "").strip(), (name or "").strip()
    if not is_well_formed(code):
        raise InvalidDivision("bad_code")
    if not code.startswith(HEBEI_PREFIX):
        raise InvalidDivision("not_hebei")
    if not name:
        raise InvalidDivision("missing_name")
    if len(name) > NAME_MAX:
        raise InvalidDivision("name_too_long")
    level, parent = level_and_parent(code)
    return Division(code, name, level, parent)


def _clean(cell: str) -> str:
    return (cell or "").strip().lstrip("\ufeff").strip().lower()


def _layout(first: Sequence[str]) -> tuple[bool, int, int]:
    """(has header, code column, name column) from a file's first row."""
    cells = [_clean(c) for c in first]
    if cells and cells[0] in CODE_HEADERS:
        names = [i for i, c in enumerate(cells) if c in NAME_HEADERS]
        if not names:
            raise InvalidLayout("the header names no name column (name / 名称)")
        return True, 0, names[0]
    # no header: code,name or code,urban-rural classification,name (the official order)
    if len(cells) >= 3 and cells[1].isdigit() and len(cells[1]) == 3:
        return False, 0, 2
    return False, 0, 1


def rows_of(table: Iterable[Sequence[str]]) -> Iterator[tuple[int, str, str]]:
    """(line number, code, name) for every non-blank row of a CSV table, header skipped."""
    layout = None
    for line, cells in enumerate(table, start=1):
        if not any(_clean(c) for c in cells):
            continue
        if layout is None:
            has_header, code_at, name_at = layout = _layout(cells)
            if has_header:
                continue
        code = cells[code_at] if len(cells) > code_at else ""
        name = cells[name_at] if len(cells) > name_at else ""
        yield line, code.strip().lstrip("\ufeff"), name


def plan_import(rows: Iterable[tuple[int, str, str]], known_codes: Collection[str]) -> ImportPlan:
    """Which township and village/community rows to import, and why others are refused.

    A row is accepted when its parent is already known or accepted from the same
    file; a township refused for any reason takes its villages with it.
    """
    plan = ImportPlan()
    candidates: dict[str, tuple[int, Division]] = {}
    for line, code, name in rows:
        try:
            division = division_of(code, name)
        except InvalidDivision as exc:
            plan.refused.append(Refusal(line, (code or "").strip(), exc.reason))
            continue
        if division.code in candidates:
            plan.refused.append(Refusal(line, division.code, "duplicate_code"))
        elif division.level not in IMPORTED_LEVELS:
            plan.skipped.append(division)
        else:
            candidates[division.code] = (line, division)
    present = set(known_codes)
    for code in sorted(candidates):  # a parent's code sorts before its children's
        line, division = candidates[code]
        if division.parent_code in present:
            plan.accepted.append(division)
            present.add(code)
        else:
            plan.refused.append(Refusal(line, code, "unknown_parent"))
    plan.refused.sort(key=lambda r: r.line)
    return plan
