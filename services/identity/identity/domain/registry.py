"""Rows of the national volunteer system's registry export: ``volunteer_number,status``."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IMPORTABLE = ("verified", "rejected")
_HEADERS = {("volunteer_number", "status"), ("志愿者编号", "状态")}


@dataclass(frozen=True)
class RegistryRow:
    line: int
    volunteer_number: str
    status: str


@dataclass(frozen=True)
class RegistryRefusal:
    line: int
    text: str
    zh: str
    en: str


def parse_rows(table: Iterable[Sequence[str]]
               ) -> tuple[list[RegistryRow], list[RegistryRefusal]]:
    """``table``: CSV rows (lists of strings). A header row is optional; blank rows skipped;
    a number listed twice keeps its last status."""
    rows: dict[str, RegistryRow] = {}
    refused: list[RegistryRefusal] = []
    for line, raw in enumerate(table, start=1):
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        if line == 1 and tuple(c.lower() for c in cells[:2]) in _HEADERS:
            continue
        number = cells[0] if cells else ""
        status = (cells[1] if len(cells) > 1 else "").lower()
        if not number:
            refused.append(RegistryRefusal(line, ",".join(cells), "缺少志愿者编号",
                                           "No volunteer number"))
        elif status not in IMPORTABLE:
            refused.append(RegistryRefusal(line, ",".join(cells),
                                           "状态应为 verified 或 rejected",
                                           "The status is verified or rejected"))
        else:
            rows[number] = RegistryRow(line, number, status)
    return list(rows.values()), refused
