"""The service records merge: the row does not depend on the order its events arrive in."""
from __future__ import annotations

import datetime as dt
import itertools

from reporting.domain.records import FIELDS, fact_of, merge

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 March in China


def env(event_type, payload, at, region="130102001001"):
    return {"event_id": f"{event_type}-{at.isoformat()}", "event_type": event_type,
            "occurred_at": at.isoformat(), "v": 1, "region_code": region, "payload": payload}


RECORDED = env("service_recorded", {
    "record_id": "r1", "demand_id": "d1", "volunteer_id": "v1", "elder_id": "e1",
    "minutes": 90, "category": "companionship", "carrier_id": "c1", "recorded_by": "op1",
    "recorded_at": T0.isoformat(), "started_at": (T0 - dt.timedelta(hours=2)).isoformat(),
    "ended_at": (T0 - dt.timedelta(minutes=30)).isoformat()}, T0)
CREDITED = env("hours_credited", {"transfer_id": "t1", "person_id": "v1", "minutes": 90,
                                  "balance_minutes": 90, "record_id": "r1"},
               T0 + dt.timedelta(seconds=5))
HALVED = env("credit_corrected", {"transfer_id": "t2", "record_id": "r1", "person_id": "v1",
                                  "minutes": -45, "credited_minutes": 45,
                                  "outcome": "minutes_adjusted"}, T0 + dt.timedelta(days=3))
VOIDED = env("credit_corrected", {"transfer_id": "t3", "record_id": "r1", "person_id": "v1",
                                  "minutes": -45, "credited_minutes": 0, "outcome": "voided"},
             T0 + dt.timedelta(days=5))


def merged(envelopes):
    row = None
    for envelope in envelopes:
        fact = fact_of(envelope)
        assert fact is not None
        row = merge(row, fact)
    return row


def test_the_record_fields_come_from_service_recorded():
    row = merged([RECORDED])
    assert row["day"] == dt.date(2026, 3, 2)  # the China day
    assert row["region_code"] == "130102001001" and row["recorded_minutes"] == 90
    assert row["funding_source"] == "issuance"  # absent: issuance, as the facts
    assert row["started_at"] == T0 - dt.timedelta(hours=2)
    assert row["credited_minutes"] is None and row["version"] == 1
    assert set(row) == set(FIELDS)


def test_an_old_event_without_check_in_times_loads():
    old = env("service_recorded", {k: v for k, v in RECORDED["payload"].items()
                                   if k not in ("started_at", "ended_at")}, T0)
    row = merged([old])
    assert row["started_at"] is None and row["ended_at"] is None


def test_every_order_gives_the_same_row():
    events = [RECORDED, CREDITED, HALVED, VOIDED]
    rows = [merged(order) for order in itertools.permutations(events)]
    assert all(row == rows[0] for row in rows)
    assert rows[0]["credited_minutes"] == 0  # the last correction wins
    assert rows[0]["corrected_at"] == T0 + dt.timedelta(days=5)
    assert rows[0]["transfer_id"] == "t1" and rows[0]["version"] == 4


def test_a_credit_then_a_correction_bumps_the_version_each_time():
    row = merged([RECORDED])
    row = merge(row, fact_of(CREDITED))
    assert (row["credited_minutes"], row["version"]) == (90, 2)
    row = merge(row, fact_of(HALVED))
    assert (row["credited_minutes"], row["version"]) == (45, 3)


def test_a_credit_after_its_correction_keeps_the_corrected_minutes():
    row = merged([HALVED, CREDITED])
    assert row["credited_minutes"] == 45 and row["transfer_id"] == "t1"
    assert row["demand_id"] is None  # until service_recorded comes


def test_events_without_a_record_are_not_records():
    assert fact_of(env("hours_credited", {"transfer_id": "t", "person_id": "v", "minutes": 5,
                                          "balance_minutes": 5}, T0)) is None
    assert fact_of(env("demand_started", {"demand_id": "d"}, T0)) is None
