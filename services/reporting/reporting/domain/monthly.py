"""The monthly report (月度报告) of a region, pure: which month, its number, what it states
(the content the PDF prints) and the exact bytes that are signed.

Number: ``YB-<region prefix>-<yyyymm>-<6 random symbols><check symbol>``, e.g.
``YB-1301-202611-7K3QXM5`` — ``YB`` 月报, the region's significant digits (``13`` the province,
``1301`` a city, ``130102`` a county), the month, then Crockford base32 with a Luhn mod 32
check over every symbol (the kit's ``timebank_common.documents``, as the certificates).

What is signed (Ed25519, reporting's own key): the number, region, month, the SHA-256 of the
content (everything printed), when it was generated and ``as_of`` (``signed_bytes``); the PDF
prints the signature's fingerprint, and the verification page says whether the number is
genuine and shows the PDF's SHA-256 a holder compares with their copy's.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from timebank_common.documents import (
    ALPHABET,
    canonical_json,
    check_symbol,
    random_symbols,
    read_as_typed,
)
from timebank_common.errors import BadInput
from timebank_common.regions import prefix_of

from .commendation import months_back

PLATFORM = "YB"
RANDOM_LENGTH = 6
HISTORY_MONTHS = 6  # the month and the 5 before it, in every chart
SIGNING_CONTEXT = b"timebank-monthly-report-v1\n"
NUMBER_PATTERN = re.compile(
    rf"^{PLATFORM}-(\d{{2}}|\d{{4}}|\d{{6}}|\d{{9}}|\d{{12}})-(\d{{6}})-"
    rf"([{ALPHABET}]{{{RANDOM_LENGTH + 1}}})$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

KEY_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("services_recorded", "服务次数", "次"),
    ("service_minutes", "服务时长", "分钟"),
    ("minutes_credited", "存入时间", "分钟"),
    ("minutes_spent", "使用时间", "分钟"),
    ("minutes_gifted", "赠与亲属", "分钟"),
    ("minutes_donated", "捐赠时间", "分钟"),
    ("active_volunteers", "活跃志愿者", "人"),
    ("demands_submitted", "提交需求", "件"),
    ("demands_served", "已服务需求", "件"),
    ("demands_expired", "过期未服务需求", "件"),
    ("evaluations", "评价数", "条"),
    ("mean_score", "平均评分", "分"),
    ("disputes_opened", "争议", "件"),
    ("records_held", "暂扣记录", "条"),
)
"""(measure, 中文 label, unit) of each key figure, in print order; ``mean_score`` is derived
(``evaluation_score_sum`` / ``evaluations``, two decimals)."""
MEASURES_READ = tuple(dict.fromkeys(
    [m for m, _, _ in KEY_FIGURES if m != "mean_score"] + ["evaluation_score_sum"]))
CHILD_COLUMNS = ("services_recorded", "service_minutes", "active_volunteers",
                 "demands_submitted", "evaluations", "mean_score")


def parse_month(text: str) -> dt.date:
    """``2026-11`` → 2026-11-01 (BadInput ``month_malformed`` otherwise)."""
    match = MONTH_PATTERN.match(str(text or ""))
    if not match:
        raise BadInput("month_malformed", "月份格式应为 YYYY-MM", "A month is written YYYY-MM",
                       {"month": text})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_text(first: dt.date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def month_zh(first: dt.date) -> str:
    return f"{first.year}年{first.month}月"


def last_day(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def previous_month(today: dt.date) -> dt.date:
    return months_back(today.replace(day=1), 2)[0]


def check_complete(first: dt.date, today: dt.date) -> None:
    """A report is of a month that is over (China time): BadInput ``month_not_complete``."""
    if last_day(first) >= today:
        raise BadInput("month_not_complete", f"{month_zh(first)}尚未结束，只能生成已结束月份的报告",
                       f"{month_text(first)} is not over yet: a report covers a complete month",
                       {"month": month_text(first)})


def history_months(first: dt.date) -> list[dt.date]:
    return months_back(first, HISTORY_MONTHS)


def figures(values: Mapping[str, int]) -> dict[str, float | int]:
    """A month's key figures from its measures (missing ones are 0; mean score derived)."""
    out: dict[str, float | int] = {}
    for measure, _, _ in KEY_FIGURES:
        if measure == "mean_score":
            count = int(values.get("evaluations", 0))
            out[measure] = round(values.get("evaluation_score_sum", 0) / count, 2) if count else 0
        else:
            out[measure] = int(values.get(measure, 0))
    return out


def make_number(region_code: str, first: dt.date, random_value: int) -> str:
    """The number of ``region_code``'s report of ``first``'s month; ``random_value``: 30
    random bits the caller drew (this module does no I/O)."""
    prefix, month = prefix_of(region_code), first.strftime("%Y%m")
    random_part = random_symbols(random_value, RANDOM_LENGTH)
    return f"{PLATFORM}-{prefix}-{month}-{random_part}{check_symbol(prefix + month + random_part)}"


def normalize_number(text: str) -> str:
    """A number as typed or read out, in its printed form; BadInput when it cannot be one."""
    parts = re.sub(r"\s+", "", str(text or "")).upper().split("-")
    if len(parts) == 4:
        parts[3] = read_as_typed(parts[3])
    number = "-".join(parts)
    match = NUMBER_PATTERN.match(number)
    if not match or check_symbol(match.group(1) + match.group(2) + match.group(3)[:-1]) \
            != match.group(3)[-1]:
        raise BadInput("report_number_malformed", "报告编号格式不正确或校验位不符，请核对",
                       "This is not a monthly report number (expected YB-1301-202611-7K3QXM5); "
                       "please check for a typo", {"number": str(text)[:60]})
    return number


def content_sha256(content: Mapping[str, Any]) -> str:
    """The hash of what a report states (its canonical JSON)."""
    return hashlib.sha256(canonical_json(SIGNING_CONTEXT, content)).hexdigest()


def signed_bytes(*, number: str, region_code: str, month: str, content: Mapping[str, Any],
                 generated_at: dt.datetime, as_of: dt.datetime | None) -> bytes:
    """What the signature covers: the number, region, month, the hash of the content, when
    it was made and as of when. The PDF prints the signature's fingerprint; the PDF's own
    SHA-256 is kept beside it (and shown by the verification) for a holder to compare."""
    return canonical_json(SIGNING_CONTEXT, {
        "number": number, "region_code": region_code, "month": month,
        "content_sha256": content_sha256(content),
        "generated_at": generated_at.isoformat(),
        "as_of": as_of.isoformat() if as_of else None, "version": 1})


def verify_url(public_base_url: str, number: str) -> str:
    return f"{public_base_url.rstrip('/')}/api/v1/reports/monthly/verify/{number}"


def build_content(*, number: str, region_code: str, region_name: str, first: dt.date,
                  history: Sequence[tuple[dt.date, Mapping[str, int]]],
                  children: Sequence[tuple[str, str, Mapping[str, int]]],
                  commendation: Mapping[str, list[dict[str, Any]]],
                  as_of: dt.datetime | None, generated_at: dt.datetime) -> dict[str, Any]:
    """Everything the report prints, JSON-able (kept with the PDF): ``history`` (month, its
    measures) oldest first ending with the report's month; ``children`` (code, name,
    measures) of the regions one level down."""
    months = [(month, figures(values)) for month, values in history]
    current = months[-1][1] if months else figures({})
    previous = months[-2][1] if len(months) > 1 else None
    return {
        "number": number, "region_code": region_code, "region_name": region_name,
        "month": month_text(first), "month_zh": month_zh(first),
        "period": [first.isoformat(), last_day(first).isoformat()],
        "figures": [{"measure": m, "label": label, "unit": unit, "value": current[m],
                     "previous": previous[m] if previous else None,
                     "history": [{"month": month_text(mo), "value": f[m]} for mo, f in months]}
                    for m, label, unit in KEY_FIGURES],
        "children": [{"region_code": code, "name": name,
                      **{c: figures(values)[c] for c in CHILD_COLUMNS}}
                     for code, name, values in children],
        "commendation": {key: [{k: (v.isoformat() if isinstance(v, dt.date) else v)
                                for k, v in row.items()} for row in rows]
                         for key, rows in commendation.items()},
        "as_of": as_of.isoformat() if as_of else None,
        "generated_at": generated_at.isoformat(),
    }
