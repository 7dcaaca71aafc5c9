"""Reconciliation of interchange through reporting's RPC: what 志愿汇 accepted (``zyh_pushes``)
for a region's service days against the ledger's credits (its ``service_credits`` RPC, here a
fake that pages as the ledger does; the RPC itself is tested in the ledger's tests)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory

from reporting.adapters.tables import service_records, zyh_pushes
from reporting.service import ReportingService
from timebank_common.errors import Forbidden

from .conftest import COMMUNITY, OTHER_CITY, PROVINCE_ADMIN, TOWNSHIP_ADMIN

DAY = dt.date(2026, 6, 15)
AT = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


class FakeLedger:
    """``service_credits`` as the ledger answers it: ``posted`` are the credits of the region's
    issuance in the period, ``credits`` every credit by record."""

    def __init__(self, credits, posted):
        self.credits, self.posted, self.calls = credits, posted, []

    def service_credits(self, query):  # called positionally, as remote.ask does
        self.calls.append(query)
        view = lambda rid: {"record_id": rid, "transfer_id": f"t-{rid}", "volunteer_id": "v1",  # noqa: E731
                            "minutes": self.credits[rid], "reversed_minutes": 0,
                            "credited_minutes": self.credits[rid]}
        if query.get("record_ids"):
            return {"items": [view(r) for r in sorted(query["record_ids"]) if r in self.credits],
                    "next_after": None}
        if not query["period_from"] <= DAY.isoformat() <= query["period_to"]:
            return {"items": [], "next_after": None}  # every credit was posted on DAY
        ids = sorted(r for r in self.posted if r > (query.get("after") or ""))
        page = ids[:query["limit"]]
        return {"items": [view(r) for r in page],
                "next_after": page[-1] if len(page) == query["limit"] else None}


@pytest.fixture
def rows(uow_factory):
    def add(table, values):
        with uow_factory("reporting")() as uow:
            uow.execute(sa.insert(table).values(values))
            uow.commit()
    return add


def served(rows, record_id, minutes, region=COMMUNITY, day=DAY):
    rows(service_records, {"record_id": record_id, "region_code": region, "day": day,
                           "credited_minutes": minutes, "volunteer_id": "v1",
                           "updated_at": AT})


def pushed(rows, record_id, minutes, version=1, status="sent"):
    rows(zyh_pushes, {"record_id": record_id, "version": version, "minutes": minutes,
                      "payload": {}, "status": status, "attempts": 1, "next_attempt_at": AT,
                      "created_at": AT, "sent_at": AT if status == "sent" else None})


def test_the_differences_between_zyh_and_the_ledger(uow_factory, rows, clock, monkeypatch):
    monkeypatch.setattr("reporting.adapters.ledger.PAGE", 2)  # pages of the ledger's answer
    for rid, minutes in (("r-ok", 60), ("r-short", 30), ("r-missing", 45), ("r-void", 0),
                         ("r-reversed", 20), ("r-pending", 15)):
        served(rows, rid, minutes)
    served(rows, "r-elsewhere", 50, day=DAY + dt.timedelta(days=3))
    served(rows, "r-other-city", 50, region=OTHER_CITY)
    pushed(rows, "r-ok", 60)
    pushed(rows, "r-short", 60, version=1)
    pushed(rows, "r-short", 25, version=2)  # the last sent version counts
    pushed(rows, "r-short", 30, version=3, status="pending")  # not delivered yet
    pushed(rows, "r-void", 0)
    pushed(rows, "r-reversed", 20)
    pushed(rows, "r-pending", 15, status="pending")
    pushed(rows, "r-elsewhere", 50)  # served on another day: another reconciliation
    ledger = FakeLedger(
        credits={"r-ok": 60, "r-short": 30, "r-missing": 45, "r-void": 0, "r-reversed": 0,
                 "r-pending": 15, "r-elsewhere": 50, "r-stray": 10, "r-other-city": 50},
        posted={"r-ok", "r-short", "r-missing", "r-stray", "r-elsewhere"})
    service = worker_factory(ReportingService, db=uow_factory("reporting"), clock=clock,
                             ledger=ledger)
    query = {"region_code": "130102000000", "from": DAY.isoformat(), "to": DAY.isoformat()}
    answer = service.interchange_reconciliation(PROVINCE_ADMIN, query)
    national, zyh = answer["channels"]  # nothing exported to the national system yet
    assert national["channel"] == "national" and national["delivered"]["records"] == 0
    assert zyh["channel"] == "zyh" and not zyh["ok"]
    assert [(d["record_id"], d["ledger_minutes"], d["delivered_minutes"], d["kind"])
            for d in zyh["differences"]] == [
        ("r-missing", 45, None, "missing_from_channel"),
        ("r-pending", 15, None, "missing_from_channel"),
        ("r-reversed", 0, 20, "delivered_not_credited"),
        ("r-short", 30, 25, "minutes_differ"),
        ("r-stray", 10, None, "missing_from_channel"),  # the ledger's, unknown to the model
    ]
    assert zyh["difference_count"] == 5
    assert zyh["delivered"] == {"records": 3, "minutes": 105}  # ok, short (25), reversed
    assert answer["ledger"] == zyh["ledger"] == {"records": 5, "minutes": 160}
    assert len([c for c in ledger.calls if "region_code" in c]) == 3  # 5 posted, pages of 2

    fine = service.interchange_reconciliation(TOWNSHIP_ADMIN, {
        "region_code": "130102001000", "from": (DAY + dt.timedelta(days=1)).isoformat(),
        "to": (DAY + dt.timedelta(days=1)).isoformat()})
    assert fine["channels"][0]["ok"] and fine["channels"][0]["difference_count"] == 0


def test_reconciliation_checks_role_and_scope(uow_factory, clock):
    service = worker_factory(ReportingService, db=uow_factory("reporting"), clock=clock,
                             ledger=FakeLedger({}, set()))
    query = {"region_code": "130200000000", "from": DAY.isoformat(), "to": DAY.isoformat()}
    with pytest.raises(Forbidden):
        service.interchange_reconciliation(TOWNSHIP_ADMIN, query)
    with pytest.raises(Forbidden):
        service.interchange_reconciliation({"person_id": "v", "roles": ["volunteer"]}, query)


def test_status_dead_page_and_replay_by_role(uow_factory, rows, clock):
    for rid, status in (("a", "dead"), ("b", "dead"), ("c", "sent"), ("d", "pending")):
        pushed(rows, rid, 10, status=status)
    service = worker_factory(ReportingService, db=uow_factory("reporting"), clock=clock,
                             config={})
    status = service.zyh_status(PROVINCE_ADMIN)
    assert (status["enabled"], status["pending"], status["sent"], status["dead"]) == (
        False, 1, 1, 2)
    page = service.zyh_dead(PROVINCE_ADMIN, {"limit": 1})
    assert page["total"] == 2 and len(page["items"]) == 1
    with pytest.raises(Forbidden):
        service.zyh_replay(TOWNSHIP_ADMIN, {"all": True})
    city_auditor = {"person_id": "a", "roles": ["auditor"], "scope": "130100000000"}
    with pytest.raises(Forbidden, match="province"):
        service.zyh_dead(city_auditor, {})
    province_auditor = {**city_auditor, "scope": "130000000000"}
    assert service.zyh_dead(province_auditor, {})["total"] == 2
    with pytest.raises(Forbidden):
        service.zyh_replay(province_auditor, {"all": True})
    assert service.zyh_replay(PROVINCE_ADMIN, {"record_ids": ["a", "zz"]}) == {
        "replayed": 1, "record_ids": ["a"]}
    assert service.zyh_replay(PROVINCE_ADMIN, {"all": True})["record_ids"] == ["b"]
    assert service.zyh_status(PROVINCE_ADMIN)["dead"] == 0
