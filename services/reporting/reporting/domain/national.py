"""The national volunteer system's row (全国志愿服务信息系统): one service record in its columns
(``contracts.NATIONAL_COLUMNS``). Pure: the record, the person and the names are given.

* hours = credited minutes / 60, two decimals, half up (90 → 1.50, 50 → 0.83, 1 → 0.02);
* times in China time, ``YYYY-MM-DD HH:MM:SS`` (empty when unknown: never made up);
* the ID type's name as the national system spells it (居民身份证 ...);
* the row type: 新增 for a record never delivered, 更正 for one delivered at an earlier version
  (with that delivery's reference), a voided record being a correction to 0 hours.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from timebank_common.clock import CHINA

from ..contracts.national import CORRECTION, NATIONAL_COLUMNS, NEW

ID_TYPE_NAMES = {
    "resident_id_card": "居民身份证",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "passport": "护照",
    "foreign_permanent_residence": "外国人永久居留身份证",
}
"""Our ID type codes -> the national system's names (identity keeps resident ID cards only)."""

API_CLIENT_RECORDER = "市级业务系统"
"""The recorder of a record a municipal system wrote (no operator)."""

CONTENT_PREFIX = "时间银行互助养老服务"
KEYS = tuple(key for key, _, _ in NATIONAL_COLUMNS)
CENT = Decimal("0.01")


def hours(minutes: int) -> Decimal:
    """Credited minutes as hours with two decimals, rounded half up."""
    return (Decimal(minutes) / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)


def china_time(at: dt.datetime | None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in China time; empty for an unknown time."""
    if at is None:
        return ""
    if at.tzinfo is None:
        raise ValueError("a time without its offset")
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def id_type_name(code: str | None) -> str:
    """The national system's name of an ID type (an unknown code as it is)."""
    if not code:
        return ""
    return ID_TYPE_NAMES.get(code, code)


def reference(record_id: str, version: int) -> str:
    """A delivered row's reference: the record and its version (``<record id>:<version>``)."""
    return f"{record_id}:{version}"


def row_type(delivered_version: int | None) -> str:
    """新增 when the record was never delivered, 更正 when an earlier version was."""
    return NEW if delivered_version is None else CORRECTION


@dataclass(frozen=True)
class Names:
    """What the row names besides the volunteer: the project (category) name, the station's
    name and the recorder's."""

    project: str
    organisation: str
    recorder: str


def national_row(record: Mapping[str, Any], person: Mapping[str, Any] | None,
                 names: Names) -> dict[str, Any]:
    """One record (a staged ``service_records`` row with the last delivery's ``prev_version``
    and ``prev_export``) in the national system's columns. ``person``: identity's answer
    (volunteer_number, name, id_type, id_number), None when identity does not know the id."""
    person = person or {}
    minutes = int(record["credited_minutes"] or 0)
    previous = record.get("prev_version")
    row = {
        "row_type": row_type(previous),
        "reference": reference(record["record_id"], record["version"]),
        "corrects": reference(record["record_id"], previous) if previous is not None else "",
        "corrects_export": (record.get("prev_export") or "") if previous is not None else "",
        "volunteer_number": person.get("volunteer_number") or "",
        "name": person.get("name") or "",
        "id_type": id_type_name(person.get("id_type")),
        "id_number": person.get("id_number") or "",
        "organisation": names.organisation,
        "project": names.project,
        "content": f"{CONTENT_PREFIX}：{names.project}" if names.project else CONTENT_PREFIX,
        "start": china_time(record.get("started_at")),
        "end": china_time(record.get("ended_at")),
        "hours": hours(minutes),
        "minutes": minutes,
        "recorder": names.recorder,
        "region_code": record.get("region_code") or "",
    }
    assert tuple(row) == KEYS
    return row
