"""The monthly reports (月度报告): made on demand for a complete month of a region in the
caller's scope, and by the timer for the previous month of the province, the city-level units
and the counties; read (metadata, PDF) in scope; verified by anyone by number.

A report is made once per (region, month): the unique key keeps the first, an advisory lock
keeps two processes from rendering the same one at once. Names of the region, its children
and the commended come from identity before the transaction opens; the figures, children and
lists are read in one transaction (one snapshot), rendered, hashed, signed and stored there."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import CHINA, china_date
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Conflict, NotFound, Unavailable
from timebank_common.regions import COUNTY, level_of, prefix_of
from timebank_common.signing import fingerprint

from ..adapters import fact_repository
from ..adapters import monthly_repository as repo
from ..adapters.identity import IdentityNames
from ..adapters.monthly_pdf import render
from ..adapters.report_keys import ReportKeys
from ..contracts import REPORT_READERS
from ..domain import monthly as rules
from ..domain.rollup import child_length
from . import commendation, series

log = logging.getLogger(__name__)
PROVINCE_CODE = "130000000000"
COMMENDED = 10  # rows per commendation list in a report
RUN_AFTER_HOUR = 1  # China time on the 1st: late events of the last evening are in by then


def _not_found(**details: Any) -> NotFound:
    return NotFound("report_not_found", "未找到该月度报告", "No such monthly report", details)


def _meta(row: Mapping[str, Any], region_name: str | None, keys: ReportKeys) -> dict[str, Any]:
    return {"number": row["number"], "region_code": row["region_code"],
            "region_name": region_name if region_name is not None
            else (row.get("content") or {}).get("region_name"),
            "month": row["month"], "sha256": row["sha256"], "key_id": row["key_id"],
            "signature_fingerprint": fingerprint(row["signature"]),
            "generated_at": row["generated_at"], "as_of": row["as_of"],
            "pdf_path": f"/api/v1/reports/monthly/{row['number']}/pdf",
            "verify_url": rules.verify_url(keys.public_base_url, row["number"])}


def make(db: UnitOfWorkFactory, region_code: str, first: dt.date, now: dt.datetime,
         names: IdentityNames, keys: ReportKeys, by: str | None = None) -> dict[str, Any] | None:
    """Make (region, month)'s report unless it exists or another process is making it;
    the stored row's metadata, or None when someone else holds it."""
    month, last = rules.month_text(first), rules.last_day(first)
    prefix, has_children = prefix_of(region_code), child_length(region_code) is not None
    with db() as uow:  # who is commended, and the children: ids before names
        lists = commendation.ranked(uow, region_code, first, last, COMMENDED)
        children = series.child_rows(uow, prefix, first, last) if has_children else []
    divisions = names.children(region_code) if has_children else []  # every child, even idle
    region_names, _ = names.place_names(
        [region_code, *divisions, *(c["region_code"] for c in children)])
    lists = commendation.with_names(lists, names)
    signing = keys.keys
    with db() as uow:
        if not repo.try_lock(uow, region_code, month):
            return None
        existing = repo.of_month(uow, region_code, month)
        if existing is not None:
            return existing
        months = rules.history_months(first)
        rows = series.series_rows(uow, prefix, "month", months[0], last,
                                  [*rules.MEASURES_READ])
        history = [(month_first, row["values"]) for month_first, row in zip(months, rows,
                                                                              strict=True)]
        children = series.child_rows(uow, prefix, first, last) if has_children else []
        shown = {c["region_code"] for c in children}
        children = sorted(children + [{"region_code": code, "values": {}}
                                      for code in divisions if code not in shown],
                          key=lambda c: c["region_code"])
        as_of = fact_repository.newest_applied(uow)
        number = rules.make_number(region_code, first, secrets.randbits(30))
        content = rules.build_content(
            number=number, region_code=region_code,
            region_name=region_names.get(region_code, region_code), first=first,
            history=history,
            children=[(c["region_code"], region_names.get(c["region_code"], c["region_code"]),
                       c["values"]) for c in children],
            commendation=lists, as_of=as_of, generated_at=now)
        signature = signing.sign(rules.signed_bytes(
            number=number, region_code=region_code, month=month, content=content,
            generated_at=now, as_of=as_of))
        pdf = render(content, signature_fingerprint=fingerprint(signature),
                     key_id=signing.key_id,
                     verify_url=rules.verify_url(keys.public_base_url, number))
        pdf_hash = hashlib.sha256(pdf).hexdigest()
        row = {"number": number, "region_code": region_code, "month": month, "pdf": pdf,
               "sha256": pdf_hash, "signature": signature, "key_id": signing.key_id,
               "content": content, "generated_at": now,
               "as_of": as_of, "generated_by": by}
        repo.add(uow, row)
        uow.commit()
        return repo.of_month(uow, region_code, month)


def generate(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any], now: dt.datetime,
             names: IdentityNames, keys: ReportKeys) -> dict[str, Any]:
    """A report of a complete month for a region in the caller's scope: the stored one when
    (region, month) has one, else made now."""
    region = data["region_code"]
    caller.require(*REPORT_READERS)
    caller.require_scope(region)
    first = rules.parse_month(data["month"])
    rules.check_complete(first, china_date(now))
    with db() as uow:
        row = repo.of_month(uow, region, rules.month_text(first))
    if row is None:
        row = make(db, region, first, now, names, keys, by=caller.person_id)
    if row is None:  # being made by another process right now: read it after its commit
        with db() as uow:
            row = repo.of_month(uow, region, rules.month_text(first))
    if row is None:
        raise Conflict("report_in_progress", "该月度报告正在生成，请稍后再试",
                       "This monthly report is being made right now; please retry shortly",
                       {"region_code": region, "month": data["month"]})
    return _meta(row, None, keys)


def get(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any],
        keys: ReportKeys) -> dict[str, Any]:
    region = query["region_code"]
    caller.require(*REPORT_READERS)
    caller.require_scope(region)
    month = rules.month_text(rules.parse_month(query["month"]))
    with db() as uow:
        row = repo.of_month(uow, region, month)
    if row is None:
        raise _not_found(region_code=region, month=month)
    return _meta(row, None, keys)


def pdf(db: UnitOfWorkFactory, caller: Caller, number_text: str) -> dict[str, Any]:
    """The PDF of a report in the caller's scope (outside it: not found, as if absent)."""
    caller.require(*REPORT_READERS)
    number = rules.normalize_number(number_text)
    with db() as uow:
        row = repo.by_number(uow, number, with_pdf=True)
    if row is None or not caller.covers(row["region_code"]):
        raise _not_found(number=number)
    return {"filename": f"{number}.pdf", "pdf": bytes(row["pdf"])}


def verify(db: UnitOfWorkFactory, number_text: str, keys: ReportKeys) -> dict[str, Any]:
    """Public: is this the number of a genuine, unaltered report? Its region, month and the
    PDF's SHA-256 when it is."""
    number = rules.normalize_number(number_text)
    with db() as uow:
        row = repo.by_number(uow, number, with_pdf=True)
    if row is None:
        return {"number": number, "genuine": False, "reason": "not_found"}
    reason = keys.keys.verify(
        rules.signed_bytes(number=row["number"], region_code=row["region_code"],
                           month=row["month"], content=row["content"],
                           generated_at=row["generated_at"], as_of=row["as_of"]),
        row["signature"], row["key_id"])
    if reason is None and hashlib.sha256(bytes(row["pdf"])).hexdigest() != row["sha256"]:
        reason = "pdf_altered"
    meta = _meta(row, None, keys)
    return {"number": number, "genuine": reason is None, "reason": reason,
            "region_code": row["region_code"], "region_name": meta["region_name"],
            "month": row["month"], "sha256": row["sha256"], "key_id": row["key_id"],
            "signature_fingerprint": meta["signature_fingerprint"],
            "generated_at": row["generated_at"], "as_of": row["as_of"]}


def regions_due(names: IdentityNames) -> list[str]:
    """The province, its city-level units and their counties (identity's division tree)."""
    cities = names.children(PROVINCE_CODE)
    counties = [c for city in cities if level_of(city) != COUNTY for c in names.children(city)]
    return [PROVINCE_CODE, *cities, *counties]


def make_due(db: UnitOfWorkFactory, now: dt.datetime, names: IdentityNames,
             keys: ReportKeys) -> int:
    """The timer: from the 1st of a month (after ``RUN_AFTER_HOUR`` China time) on, the
    previous month's report of every region due that has none yet (a missed 1st is caught
    up). Safe with several processes; how many this run made."""
    local = now.astimezone(CHINA)
    if local.day == 1 and local.hour < RUN_AFTER_HOUR:
        return 0
    first = rules.previous_month(local.date())
    month = rules.month_text(first)
    with db() as uow:
        made = repo.months_made(uow, month)
    due = [r for r in regions_due(names) if r not in made]
    if due:
        keys.keys  # noqa: B018 - no key: one refusal for the run, not one per region
    count = 0
    for region in due:
        try:
            row = make(db, region, first, now, names, keys)
        except Unavailable:  # identity away: the next run retries them all
            raise
        except Exception:  # one region's failure must not stop the others; next run retries
            log.exception("monthly report %s %s could not be made", region, month)
            continue
        if row is not None and row["generated_at"] == now:
            count += 1
    return count
