"""The shared mechanisms against real PostgreSQL and RabbitMQ.

Two tiny services: ``emitter`` writes outbox rows, ``receiver`` consumes them
through the reliable handler and records effects in its own table.
"""
import time
import uuid

import eventlet
import pytest
import requests
from kombu import Connection
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from timebank_testing import wait_for

from timebank_common.db import drop_database, ensure_database
from timebank_common.events import event_handler, once
from timebank_common.messaging_tables import metadata as messaging_metadata
from timebank_common.messaging_tables import outbox_table
from timebank_common.outbox import OutboxRelay
from timebank_common.queues import declare, event_queue
from timebank_common.service import Database, ServiceBase, rpc

effects_md = MetaData()
effects = Table("effects", effects_md, Column("id", Integer, primary_key=True),
                Column("event_id", String(64)), Column("value", Integer))


class Emitter(ServiceBase):
    name = "emitter"
    db = Database()
    relay = OutboxRelay()

    @rpc
    def emit(self, value, event_type="thing_happened"):
        with self.db() as uow:
            event = uow.emit(event_type, {"value": value}, "130100000000")
            uow.commit()
        return event["event_id"]

    @rpc
    def sleep(self, seconds):
        with self.db() as uow:
            uow.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return seconds


class Receiver(ServiceBase):
    name = "receiver"
    db = Database()

    @event_handler("emitter", "thing_happened")
    @once("receiver.on_thing")
    def on_thing(self, uow, event):
        uow.execute(effects.insert().values(event_id=event["event_id"], value=event["payload"]["value"]))

    @event_handler("emitter", "poison")
    def on_poison(self, event):
        raise RuntimeError("cannot handle this one")

    @event_handler("emitter", "returned")
    @once("receiver.on_returned")
    def on_returned(self, uow, event):
        uow.execute(effects.insert().values(event_id=event["event_id"], value=event["payload"]["value"]))

    @event_handler("emitter", "flaky")
    @once("receiver.on_flaky")
    def on_flaky(self, uow, event):
        FLAKY_TRIES.append(event["event_id"])
        if len(FLAKY_TRIES) <= 5:  # the database away for five tries: more than the limit (3)
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        uow.execute(effects.insert().values(event_id=event["event_id"], value=event["payload"]["value"]))


FLAKY_TRIES: list[str] = []


@pytest.fixture(scope="module")
def scratch_dbs(run_id):
    from timebank_testing import PG_BASE

    urls = {}
    for name in ("emitter", "receiver"):
        url = f"{PG_BASE}/tbtest_{run_id}_{name}"
        ensure_database(url)
        engine = create_engine(url)
        messaging_metadata.create_all(engine)
        effects_md.create_all(engine)
        engine.dispose()
        urls[name] = url
    yield urls
    for url in urls.values():
        drop_database(url)





def count_effects(url):
    engine = create_engine(url)
    with engine.connect() as c:
        n = c.execute(select(func.count()).select_from(effects)).scalar()
    engine.dispose()
    return n


def unsent(url):
    engine = create_engine(url)
    with engine.connect() as c:
        n = c.execute(select(func.count()).select_from(outbox_table).where(outbox_table.c.sent_at.is_(None))).scalar()
    engine.dispose()
    return n


def test_concurrent_database_calls_do_not_serialize(service_config, scratch_dbs, start_service, rpc):
    start_service(Emitter, service_config(None, DATABASE_URL=scratch_dbs["emitter"], max_workers=20))
    with rpc("emitter") as emitter:
        started = time.monotonic()
        results = [emitter.sleep.call_async(0.5) for _ in range(10)]
        assert [r.result() for r in results] == [0.5] * 10
        elapsed = time.monotonic() - started
    # ten 0.5 s queries: serialized they take >= 5 s; cooperative, about 0.5 s
    assert elapsed < 2.5, f"database calls serialized: {elapsed:.2f}s"


def test_outbox_event_reaches_handler_once_even_if_redelivered(
    service_config, scratch_dbs, start_service, rpc, amqp_uri
):
    start_service(Emitter, service_config(None, DATABASE_URL=scratch_dbs["emitter"]))
    start_service(Receiver, service_config(None, DATABASE_URL=scratch_dbs["receiver"]))
    before = count_effects(scratch_dbs["receiver"])
    with rpc("emitter") as emitter:
        emitter.emit(7)
    wait_for(lambda: count_effects(scratch_dbs["receiver"]) == before + 1)
    assert unsent(scratch_dbs["emitter"]) == 0

    # the relay publishes the same row again (as after a crash between confirm and mark)
    engine = create_engine(scratch_dbs["emitter"])
    with engine.begin() as c:
        c.execute(outbox_table.update().values(sent_at=None))
    engine.dispose()
    wait_for(lambda: unsent(scratch_dbs["emitter"]) == 0)
    eventlet.sleep(0.5)
    assert count_effects(scratch_dbs["receiver"]) == before + 1


def test_poison_message_is_retried_then_dead_lettered_and_replayable(
    service_config, scratch_dbs, start_service, rpc, rabbit
):
    from timebank_common.deadletters import list_dead_letters, replay

    start_service(Emitter, service_config(None, DATABASE_URL=scratch_dbs["emitter"]))
    receiver = start_service(Receiver, service_config(None, DATABASE_URL=scratch_dbs["receiver"]))
    with rpc("emitter") as emitter:
        event_id = emitter.emit(1, event_type="poison")
    wait_for(lambda: rabbit.queue_depth("receiver.dead-letters") >= 1, timeout=30)
    letters = list_dead_letters(rabbit.uri, "receiver")
    assert [d["event_id"] for d in letters] == [event_id]
    assert letters[0]["from_queue"] == "evt-emitter-poison--receiver.on_poison"
    # why, readable: the handler's error and how often it was tried (EVENT_DELIVERY_LIMIT 3)
    assert "RuntimeError: cannot handle this one" in letters[0]["reason"]
    assert "failed 3 times" in letters[0]["reason"]
    assert rabbit.queue_depth("receiver.dead-letters") == 1  # listing leaves them there
    scrape = requests.get(f"http://{receiver.config['WEB_SERVER_ADDRESS']}/metrics", timeout=10).text
    assert 'timebank_dead_letters 1.0' in scrape
    assert 'timebank_dead_letters_check_ok 1.0' in scrape

    assert replay(rabbit.uri, "receiver", event_id) == 1
    # it fails again (still poison), and comes back to the dead-letter queue, bounded
    wait_for(lambda: rabbit.queue_depth("receiver.dead-letters") == 1, timeout=30)


def test_a_message_handed_back_by_closed_channels_is_not_counted_as_a_failure(
    service_config, scratch_dbs, start_service, rpc, rabbit
):
    """A consumer whose process or node dies hands its prefetched messages back, and RabbitMQ
    counts each return as a delivery: five returns (the handler's limit is 3) leave the event
    as healthy as it was — handled once, nothing dead-lettered."""
    receiver_cfg = service_config(None, DATABASE_URL=scratch_dbs["receiver"])
    queue = event_queue("receiver", "emitter", "returned", "on_returned", receiver_cfg)
    with Connection(rabbit.uri) as conn:
        declare(conn, queue)
    start_service(Emitter, service_config(None, DATABASE_URL=scratch_dbs["emitter"]))
    with rpc("emitter") as emitter:
        event_id = emitter.emit(5, event_type="returned")
    wait_for(lambda: rabbit.queue_depth(queue.name) == 1, timeout=30)
    for _ in range(5):  # taken, not acknowledged, and the connection closes under it
        with Connection(rabbit.uri) as conn:
            channel = conn.channel()
            assert channel.basic_get(queue.name, no_ack=False) is not None
    before = count_effects(scratch_dbs["receiver"])
    start_service(Receiver, receiver_cfg)
    wait_for(lambda: count_effects(scratch_dbs["receiver"]) == before + 1, timeout=30)
    assert event_id not in dead_event_ids(rabbit)


def test_a_dependency_s_failures_do_not_use_up_the_handler_s_attempts(
    service_config, scratch_dbs, start_service, rpc, rabbit
):
    """The database away for five tries (the limit is three failures): the event waits and is
    handled once it is back, instead of going to the dead letters."""
    FLAKY_TRIES.clear()
    start_service(Emitter, service_config(None, DATABASE_URL=scratch_dbs["emitter"]))
    start_service(Receiver, service_config(None, DATABASE_URL=scratch_dbs["receiver"],
                                           EVENT_TRANSIENT_PAUSE_SECONDS=0.05))
    before = count_effects(scratch_dbs["receiver"])
    with rpc("emitter") as emitter:
        event_id = emitter.emit(6, event_type="flaky")
    wait_for(lambda: count_effects(scratch_dbs["receiver"]) == before + 1, timeout=30)
    assert FLAKY_TRIES == [event_id] * 6
    assert event_id not in dead_event_ids(rabbit)


def dead_event_ids(rabbit) -> list[str]:
    from timebank_common.deadletters import list_dead_letters

    return [letter["event_id"] for letter in list_dead_letters(rabbit.uri, "receiver")]


def test_outbox_backlog_is_reported_when_the_relay_is_off(service_config, scratch_dbs, start_service, rpc):
    emitter = start_service(Emitter, service_config(None, DATABASE_URL=scratch_dbs["emitter"],
                                                    OUTBOX_RELAY={"enabled": False}))
    with rpc("emitter") as proxy:
        proxy.emit(3)
    scrape = requests.get(f"http://{emitter.config['WEB_SERVER_ADDRESS']}/metrics", timeout=10).text
    backlog = [line for line in scrape.splitlines() if line.startswith('timebank_outbox_backlog ')]
    assert backlog and float(backlog[0].split()[-1]) >= 1
    assert 'timebank_outbox_oldest_age_seconds ' in scrape
    assert 'timebank_outbox_check_ok 1.0' in scrape
    assert 'timebank_entrypoint_calls_total{entrypoint="emit",outcome="ok"}' in scrape
    assert 'timebank_entrypoint_duration_seconds_bucket{entrypoint="emit",le="10.0"}' in scrape
    assert '_created' not in scrape


def test_two_relays_publish_each_event_once(service_config, scratch_dbs, start_service, rpc, event_bus):
    """Two processes of one service each run a relay over the same outbox (SKIP LOCKED)."""
    listener = event_bus.listen("emitter", "thing_happened")
    batch = uuid.uuid4().hex
    engine = create_engine(scratch_dbs["emitter"])
    with engine.begin() as c:  # 200 events committed while no relay runs
        for value in range(200):
            c.execute(outbox_table.insert().values(
                id=uuid.uuid4(), event_type="thing_happened",
                body={"event_id": str(uuid.uuid4()), "event_type": "thing_happened", "payload": {"value": value, "batch": batch}},
                headers={}))
    engine.dispose()
    for _ in range(2):
        start_service(Emitter, service_config(None, DATABASE_URL=scratch_dbs["emitter"],
                                              OUTBOX_RELAY={"enabled": True, "poll_seconds": 0.01}))
    wait_for(lambda: unsent(scratch_dbs["emitter"]) == 0, timeout=30)
    received = [m for m in listener.drain(expected=201, timeout=2) if m["payload"].get("batch") == batch]
    values = sorted(m["payload"]["value"] for m in received)
    assert values == list(range(200))  # every event, none twice
