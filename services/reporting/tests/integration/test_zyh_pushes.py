"""志愿汇 pushes against a local HTTP receiver the test starts (it checks every signature):
credited service records are queued from ``service_records`` and POSTed in signed batches; a
500 is retried on the back-off schedule and the record sent once; a correction is pushed again
as version 2; an endpoint that keeps failing makes them dead, and ``replay`` sends them.
On committed units of work of a database of this module's own (several connections: the
claim is ``SKIP LOCKED``)."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import eventlet
import eventlet.wsgi
import pytest
import sqlalchemy as sa
import yaml
from nameko.testing.services import worker_factory

from reporting.adapters import zyh_repository
from reporting.adapters.metrics import ZYH_DEAD, ZYH_LAST_SUCCESS, ZYH_PENDING
from reporting.adapters.tables import service_records, zyh_pushes
from reporting.app import zyh
from reporting.commands.zyh import main as zyh_command
from reporting.domain import zyh as rules
from reporting.service import ReportingService
from timebank_common import signed_http
from timebank_common.db import UnitOfWork, make_engine

SECRET = "zyh-test-secret"
COMMUNITY = "130102001001"
T0 = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


class Receiver:
    """志愿汇 as a WSGI app on a local port: answers ``statuses`` in turn (then 200), keeps
    every request whose signature verified, and counts those that did not."""

    def __init__(self):
        self.statuses: list[int] = []
        self.always: int | None = None
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.now = int(T0.timestamp())
        self.socket = eventlet.listen(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/push"
        self.thread = eventlet.spawn(eventlet.wsgi.server, self.socket, self.app,
                                     log_output=False, log=None)

    def app(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        ok = signed_http.verify(
            SECRET, environ.get("HTTP_X_ZYH_SIGNATURE", ""),
            int(environ.get("HTTP_X_ZYH_TIMESTAMP", "0")), body, self.now,
            environ.get("HTTP_X_ZYH_NONCE", ""))
        if not ok or environ.get("HTTP_X_ZYH_APP_ID") != "tb-app":
            self.bad_signatures += 1
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b"{}"]
        status = self.always or (self.statuses.pop(0) if self.statuses else 200)
        self.received.append({"status": status, "body": json.loads(body),
                              "nonce": environ["HTTP_X_ZYH_NONCE"]})
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [b'{"code":0}']

    def accepted(self) -> list[dict]:
        return [r for b in self.received if b["status"] == 200 for r in b["body"]["records"]]

    def close(self):
        self.thread.kill()
        self.socket.close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def database(own_database_url):
    url = own_database_url("reporting")
    engine = make_engine(url, pool_size=2)
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE service_records, zyh_pushes, zyh_scan"))
    yield url, engine, (lambda: UnitOfWork(engine))
    engine.dispose()


def settings(receiver, **overrides):
    return rules.settings_of({"ZYH": {
        "enabled": True, "endpoint": receiver.url, "app_id": "tb-app", "secret": SECRET,
        "timeout_seconds": 5, "max_attempts": 3, "backoff_base_seconds": 60,
        "backoff_cap_seconds": 600, "batch_size": 10, **overrides}})


def record(engine, record_id=None, minutes=60, version=1, at=T0, **values):
    row = {"record_id": record_id or str(uuid.uuid4()), "volunteer_id": "v1",
           "region_code": COMMUNITY, "carrier_id": "st-1", "category": "companionship",
           "recorded_minutes": minutes, "credited_minutes": minutes, "started_at": at,
           "ended_at": at + dt.timedelta(minutes=minutes), "day": dt.date(2026, 6, 15),
           "version": version, "updated_at": at, **values}
    with engine.begin() as conn:
        conn.execute(sa.dialects.postgresql.insert(service_records).values(row)
                     .on_conflict_do_update(index_elements=["record_id"], set_=row))
    return row["record_id"]


def pushes(engine):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(zyh_pushes).order_by(
            zyh_pushes.c.record_id, zyh_pushes.c.version)).mappings()]


def tick(db, cfg, clock):
    """What the timer does, at the clock's time."""
    zyh.enqueue_changes(db, cfg, clock.now())
    return zyh.push_due(db, cfg, clock)


def test_credited_records_arrive_signed_a_500_is_retried_and_sent_once(database, receiver,
                                                                        clock):
    _, engine, db = database
    clock.set(T0 + dt.timedelta(minutes=5))
    receiver.now = int(clock.now().timestamp())
    cfg = settings(receiver)
    first = record(engine, minutes=90)
    record(engine, credited_minutes=None)  # not credited yet: not pushed
    receiver.statuses = [500]
    assert tick(db, cfg, clock) == 1
    [row] = pushes(engine)
    assert (row["status"], row["attempts"], row["last_status"]) == ("pending", 1, 500)
    assert row["next_attempt_at"] == clock.now() + dt.timedelta(seconds=60)
    assert tick(db, cfg, clock) == 0  # not due before the back-off
    clock.advance(seconds=60)
    receiver.now = int(clock.now().timestamp())
    assert tick(db, cfg, clock) == 1
    [row] = pushes(engine)
    assert (row["status"], row["attempts"], row["sent_at"]) == ("sent", 2, clock.now())
    assert ZYH_LAST_SUCCESS.value() == clock.now().timestamp()
    assert receiver.bad_signatures == 0
    assert [b["status"] for b in receiver.received] == [500, 200]
    assert len({b["nonce"] for b in receiver.received}) == 2  # a fresh nonce per POST
    [sent] = receiver.accepted()
    assert sent == {"serviceRecordId": first, "recordVersion": 1, "volunteerNo": "v1",
                    "serviceStartTime": "2026-06-15T10:00:00+08:00",
                    "serviceEndTime": "2026-06-15T11:30:00+08:00", "serviceHours": 1.5,
                    "serviceType": "companionship", "stationId": "st-1",
                    "areaCode": COMMUNITY, "recordStatus": "credited"}
    clock.advance(minutes=10)
    assert tick(db, cfg, clock) == 0  # sent once: never again
    assert len(receiver.accepted()) == 1


def test_a_correction_is_pushed_again_as_version_2_and_a_void_as_zero(database, receiver,
                                                                      clock):
    _, engine, db = database
    clock.set(T0 + dt.timedelta(minutes=5))
    receiver.now = int(clock.now().timestamp())
    cfg = settings(receiver, field_map={"record_id": "id", "version": "v", "hours": "h",
                                        "status": "s"})
    rid = record(engine, minutes=60)
    tick(db, cfg, clock)
    record(engine, rid, minutes=30, version=2, at=T0 + dt.timedelta(minutes=6))
    clock.advance(minutes=10)
    receiver.now = int(clock.now().timestamp())
    tick(db, cfg, clock)
    record(engine, rid, minutes=0, version=3, at=T0 + dt.timedelta(minutes=16))
    clock.advance(minutes=10)
    receiver.now = int(clock.now().timestamp())
    tick(db, cfg, clock)
    assert receiver.accepted() == [{"id": rid, "v": 1, "h": 1.0, "s": "credited"},
                                   {"id": rid, "v": 2, "h": 0.5, "s": "credited"},
                                   {"id": rid, "v": 3, "h": 0, "s": "voided"}]
    assert [(p["version"], p["status"], p["minutes"]) for p in pushes(engine)] == [
        (1, "sent", 60), (2, "sent", 30), (3, "sent", 0)]
    # the scan starts over from the beginning: nothing sent is queued again
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE zyh_scan"))
    assert tick(db, cfg, clock) == 0


def test_a_newer_version_replaces_an_unsent_older_one(database, receiver, clock):
    _, engine, db = database
    clock.set(T0 + dt.timedelta(minutes=5))
    cfg = settings(receiver)
    rid = record(engine, minutes=60)
    zyh.enqueue_changes(db, cfg, clock.now())
    record(engine, rid, minutes=45, version=2, at=T0 + dt.timedelta(minutes=1))
    zyh.enqueue_changes(db, cfg, clock.now())
    assert [(p["version"], p["status"]) for p in pushes(engine)] == [(2, "pending")]


def test_a_failing_endpoint_makes_pushes_dead_and_the_command_replays_them(
        database, receiver, clock, tmp_path, capsys):
    url, engine, db = database
    clock.set(T0 + dt.timedelta(minutes=5))
    cfg = settings(receiver)
    receiver.always = 503
    ids = sorted(record(engine) for _ in range(2))
    for _ in range(3):  # max_attempts
        receiver.now = int(clock.now().timestamp())
        assert tick(db, cfg, clock) == 2
        clock.advance(hours=1)
    assert [p["status"] for p in pushes(engine)] == ["dead", "dead"]
    assert tick(db, cfg, clock) == 0  # dead: never retried by itself
    with db() as uow:
        assert zyh.refresh_gauges(db)["dead"] == 2
        assert ZYH_DEAD.value() == 2 and ZYH_PENDING.value() == 0
        assert zyh_repository.counts(uow)["dead"] == 2

    config = tmp_path / "reporting.yaml"
    # the command's clock: the test's time (a replayed push is due from the command's now)
    config.write_text(yaml.safe_dump({"DATABASE_URL": url,
                                      "CLOCK_START": clock.now().isoformat()}))
    assert zyh_command(["--config", str(config), "dead"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["record_id"] for r in listed) == ids
    assert all(r["attempts"] == 3 and r["last_status"] == 503 for r in listed)

    assert zyh_command(["--config", str(config), "replay", "--record", ids[0]]) == 0
    assert json.loads(capsys.readouterr().out) == {"replayed": 1, "record_ids": [ids[0]]}
    receiver.always = None
    clock.advance(seconds=5)  # the shifted clock of the command has moved on a little
    receiver.now = int(clock.now().timestamp())
    assert zyh.push_due(db, cfg, clock) == 1
    assert [(p["record_id"], p["status"]) for p in pushes(engine)] == [
        (ids[0], "sent"), (ids[1], "dead")]
    assert zyh_command(["--config", str(config), "replay", "--all"]) == 0
    assert json.loads(capsys.readouterr().out)["record_ids"] == [ids[1]]
    clock.advance(seconds=5)
    assert zyh.push_due(db, cfg, clock) == 1
    assert sorted(r["serviceRecordId"] for r in receiver.accepted()) == ids
    assert receiver.bad_signatures == 0


def test_two_claimers_never_take_the_same_push(database, receiver, clock):
    _, engine, db = database
    clock.set(T0 + dt.timedelta(minutes=5))
    cfg = settings(receiver)
    for _ in range(3):
        record(engine)
    zyh.enqueue_changes(db, cfg, clock.now())
    lease = clock.now() + dt.timedelta(minutes=2)
    with db() as one, db() as two:
        mine = zyh_repository.claim_due(one, clock.now(), lease, 2)
        theirs = zyh_repository.claim_due(two, clock.now(), lease, 2)
        one.commit()
        two.commit()
    assert len(mine) == 2 and len(theirs) == 1
    assert not {r["record_id"] for r in mine} & {r["record_id"] for r in theirs}


def test_the_timer_does_nothing_when_disabled_and_pushes_when_enabled(database, receiver,
                                                                      clock):
    _, engine, db = database
    clock.set(T0 + dt.timedelta(minutes=5))
    receiver.now = int(clock.now().timestamp())
    record(engine)
    off = worker_factory(ReportingService, db=db, clock=clock, config={})
    off.push_zyh()
    assert pushes(engine) == []
    on = worker_factory(ReportingService, db=db, clock=clock, config={"ZYH": {
        "enabled": "true", "endpoint": receiver.url, "app_id": "tb-app", "secret": SECRET}})
    on.push_zyh()
    assert [p["status"] for p in pushes(engine)] == ["sent"]
