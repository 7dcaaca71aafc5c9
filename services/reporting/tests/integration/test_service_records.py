"""The service records read model from events on real PostgreSQL: demand's and the ledger's
halves joined in either order, corrected by ``credit_corrected``, and rebuilt to the same rows."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from reporting.adapters.tables import service_records
from reporting.app.rebuilding import rebuild

from .conftest import COMMUNITY, envelope, feed, recorded

UTC = dt.UTC
AT = dt.datetime(2026, 5, 4, 2, tzinfo=UTC)
EXPORTED = [c for c in service_records.c if c.name != "updated_at"]


def credit_for(record, minutes=60, at=AT + dt.timedelta(seconds=3)):
    payload = record["payload"]
    return envelope("hours_credited", {
        "transfer_id": str(uuid.uuid4()), "person_id": payload["volunteer_id"],
        "minutes": minutes, "balance_minutes": minutes, "kind": "service_credit",
        "record_id": payload["record_id"], "demand_id": payload["demand_id"],
        "funding_source": "issuance"}, at)


def correction_for(record, credited_minutes, at):
    payload = record["payload"]
    return envelope("credit_corrected", {
        "transfer_id": str(uuid.uuid4()), "record_id": payload["record_id"],
        "person_id": payload["volunteer_id"], "minutes": credited_minutes - 60,
        "credited_minutes": credited_minutes,
        "outcome": "voided" if credited_minutes == 0 else "minutes_adjusted"}, at)


def rows(uow_factory):
    with uow_factory("reporting")() as uow:
        return {row.record_id: dict(row._mapping) for row in uow.execute(
            sa.select(*EXPORTED).order_by(service_records.c.record_id))}


def with_times(event):
    event["payload"]["started_at"] = (AT - dt.timedelta(hours=2)).isoformat()
    event["payload"]["ended_at"] = (AT - dt.timedelta(hours=1)).isoformat()
    return event


def test_either_half_may_come_first(reporting, uow_factory):
    first, second = with_times(recorded(AT)), with_times(recorded(AT, volunteer_id="v2"))
    feed(reporting, [first, credit_for(first)])
    feed(reporting, [credit_for(second), second])
    got = rows(uow_factory)
    one, two = got[first["payload"]["record_id"]], got[second["payload"]["record_id"]]
    for row in (one, two):
        assert row["credited_minutes"] == 60 and row["recorded_minutes"] == 60
        assert row["region_code"] == COMMUNITY and row["day"] == dt.date(2026, 5, 4)
        assert row["started_at"] == AT - dt.timedelta(hours=2)
        assert row["version"] == 2 and row["transfer_id"] is not None
    assert {k: v for k, v in one.items() if k not in ("record_id", "volunteer_id", "demand_id",
                                                       "transfer_id")} == \
        {k: v for k, v in two.items() if k not in ("record_id", "volunteer_id", "demand_id",
                                                    "transfer_id")}


def test_a_correction_sets_the_credited_minutes_once(reporting, uow_factory):
    record = recorded(AT)
    correction = correction_for(record, 30, AT + dt.timedelta(days=2))
    feed(reporting, [record, credit_for(record), correction, correction])  # redelivered
    row = rows(uow_factory)[record["payload"]["record_id"]]
    assert (row["credited_minutes"], row["version"]) == (30, 3)
    assert row["corrected_at"] == AT + dt.timedelta(days=2)
    late = correction_for(record, 0, AT + dt.timedelta(days=1))  # older: arrives late
    feed(reporting, [late])
    row = rows(uow_factory)[record["payload"]["record_id"]]
    assert (row["credited_minutes"], row["version"]) == (30, 4)


def test_a_rebuild_gives_the_same_records(reporting, uow_factory):
    events = []
    for n in range(5):
        record = with_times(recorded(AT + dt.timedelta(hours=n), volunteer_id=f"v{n}"))
        events += [credit_for(record), record]
        if n % 2:
            events.append(correction_for(record, 15 * n, AT + dt.timedelta(days=n)))
    feed(reporting, events)
    live = rows(uow_factory)
    assert len(live) == 5
    rebuild(uow_factory("reporting"), AT + dt.timedelta(days=9), batch=4)
    assert rows(uow_factory) == live
