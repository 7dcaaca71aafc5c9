"""Batch event handlers against real RabbitMQ and PostgreSQL: many events per worker and
transaction, each event's effect once, a poison event dead-lettered alone."""
import uuid

import pytest
from kombu import Connection
from nameko.events import get_event_exchange
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, select
from timebank_testing import PG_BASE, wait_for

from timebank_common.batch_events import batch_event_handler, batch_once
from timebank_common.db import drop_database, ensure_database
from timebank_common.messaging_tables import metadata as messaging_metadata
from timebank_common.service import Database, ServiceBase

tables = MetaData()
effects = Table("batch_effects", tables, Column("id", Integer, primary_key=True),
                Column("event_id", String(64), nullable=False), Column("value", Integer),
                Column("batch_size", Integer, nullable=False))


class BatchReceiver(ServiceBase):
    name = "batchreceiver"
    db = Database()

    @batch_event_handler("batchsource", "thing_happened", batch_size=50, max_wait=0.05)
    @batch_once("batchreceiver.on_things")
    def on_things(self, uow, events):
        if any(e["payload"]["value"] < 0 for e in events):
            raise RuntimeError("a negative value cannot be handled")
        uow.execute(effects.insert(), [
            {"event_id": e["event_id"], "value": e["payload"]["value"], "batch_size": len(events)}
            for e in events])


@pytest.fixture(scope="module")
def receiver_db(run_id):
    url = f"{PG_BASE}/tbtest_{run_id}_batchreceiver"
    ensure_database(url)
    engine = create_engine(url)
    messaging_metadata.create_all(engine)
    tables.create_all(engine)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def receiving(receiver_db, service_config, start_module_service):
    return start_module_service(BatchReceiver, service_config(
        None, DATABASE_URL=receiver_db, EVENT_DELIVERY_LIMIT=2))


def publish(amqp_uri, events):
    exchange = get_event_exchange("batchsource", {})
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        for event in events:
            producer.publish(event, exchange=exchange, routing_key=event["event_type"],
                             serializer="json", delivery_mode=2, declare=[exchange])


def event(value, event_id=None):
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": "thing_happened",
            "payload": {"value": value}, "region_code": "130100000000"}


def rows(url, where=None):
    engine = create_engine(url)
    with engine.connect() as conn:
        query = select(effects.c.event_id, effects.c.value, effects.c.batch_size)
        found = [dict(r._mapping) for r in conn.execute(query if where is None else query.where(where))]
    engine.dispose()
    return found


def count(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(effects)).scalar()
    engine.dispose()
    return n


def test_many_events_are_handled_in_batches_each_once(receiving, receiver_db, amqp_uri):
    sent = [event(n) for n in range(300)]
    publish(amqp_uri, sent + sent[:20])  # the first 20 a second time, as after a relay crash
    ids = {e["event_id"] for e in sent}
    # generous: CI runs three suites side by side on two cores
    wait_for(lambda: len([r for r in rows(receiver_db) if r["event_id"] in ids]) >= 300,
             timeout=90)
    mine = [r for r in rows(receiver_db) if r["event_id"] in ids]
    assert sorted(r["value"] for r in mine) == list(range(300))  # each once, none lost
    assert max(r["batch_size"] for r in mine) > 1  # batched: fewer workers than events


def test_a_poison_event_is_dead_lettered_alone(receiving, receiver_db, amqp_uri, rabbit):
    good = [event(1000 + n) for n in range(10)]
    poison = event(-1)
    publish(amqp_uri, good[:5] + [poison] + good[5:])
    ids = {e["event_id"] for e in good}
    # generous bounds: in CI two other pytest processes share the two cores
    wait_for(lambda: len([r for r in rows(receiver_db) if r["event_id"] in ids]) == 10,
             timeout=60, what="the ten good events handled")
    wait_for(lambda: rabbit.queue_depth("batchreceiver.dead-letters") == 1, timeout=60,
             what=lambda: f"one dead letter, {rabbit.queue_depth('batchreceiver.dead-letters')} "
                          "in the queue")
    assert not [r for r in rows(receiver_db) if r["event_id"] == poison["event_id"]]
    from timebank_common.deadletters import list_dead_letters

    [letter] = list_dead_letters(amqp_uri, "batchreceiver")
    assert letter["event_id"] == poison["event_id"]
    assert "RuntimeError: a negative value cannot be handled" in letter["reason"]
    assert letter["from_queue"].startswith("evt-batchsource-thing_happened--batchreceiver.")


def test_a_message_that_is_not_json_is_dead_lettered_and_the_rest_handled(
        receiving, receiver_db, amqp_uri, rabbit):
    dead_before = rabbit.queue_depth("batchreceiver.dead-letters")
    good = [event(2000 + n) for n in range(5)]
    publish(amqp_uri, good[:2])
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(b"\xff not json", exchange=get_event_exchange("batchsource", {}),
                                routing_key="thing_happened", content_type="application/json",
                                content_encoding="binary", delivery_mode=2)
    publish(amqp_uri, good[2:])
    ids = {e["event_id"] for e in good}
    wait_for(lambda: len([r for r in rows(receiver_db) if r["event_id"] in ids]) == 5,
             timeout=30)
    wait_for(lambda: rabbit.queue_depth("batchreceiver.dead-letters") == dead_before + 1,
             timeout=30)


def test_the_consumer_comes_back_when_its_connection_is_lost(receiving, receiver_db, amqp_uri,
                                                             rabbit):
    """A broker node dies under the batch consumer: it consumes again on a new connection
    (the container lives on), and every event published afterwards is handled once."""
    wait_for(lambda: rabbit.close_connections("batchreceiver.on_things") > 0, timeout=30,
             interval=1)
    events = [event(2000 + i) for i in range(60)]
    publish(amqp_uri, events)
    wanted = {e["event_id"] for e in events}
    wait_for(lambda: wanted <= {r["event_id"] for r in rows(receiver_db)}, timeout=30)
    assert not receiving._died.ready()
    found = [r["event_id"] for r in rows(receiver_db) if r["event_id"] in wanted]
    assert sorted(found) == sorted(wanted)
