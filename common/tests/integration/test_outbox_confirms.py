"""The relay marks rows sent only once the broker confirmed them (``outbox.publish_confirmed``),
on the real broker: a queue that refuses (``x-overflow: reject-publish`` over a length limit, as
an operator's policy could make any source queue) nacks, the rows stay unsent and go out on a
later round. Under the AMQP transactions the relay used before, the same refusal was silent:
``tx.commit`` succeeded and the message was gone."""
from __future__ import annotations

import uuid

import amqp
import pytest
from kombu import Connection
from sqlalchemy import create_engine, func, select
from timebank_testing import wait_for

from timebank_common.db import drop_database, ensure_database
from timebank_common.messaging_tables import metadata as messaging_metadata
from timebank_common.messaging_tables import outbox_table
from timebank_common.outbox import PublishRefused, declare_exchange, relay_batch, relay_connection

SERVICE = "confirmer"
FULL = {"x-queue-type": "quorum", "x-max-length": 1, "x-overflow": "reject-publish"}


@pytest.fixture
def engine(run_id):
    from timebank_testing import PG_BASE

    url = f"{PG_BASE}/tbtest_{run_id}_confirms"
    ensure_database(url)
    engine = create_engine(url)
    messaging_metadata.create_all(engine)
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def full_queue(amqp_uri):
    """A quorum queue bound to the service's events, over its one-message limit (a quorum
    queue's limit is soft: it takes the message that crosses it, and refuses from then on)."""
    name = f"full-{uuid.uuid4().hex[:8]}"
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        declare_exchange(conn, SERVICE)
        channel.queue_declare(name, durable=True, auto_delete=False, arguments=FULL)
        channel.queue_bind(name, f"{SERVICE}.events", "thing_happened")
        for _ in range(2):
            channel.basic_publish(amqp.Message(b"{}", delivery_mode=2), exchange="",
                                  routing_key=name)
        wait_for(lambda: channel.queue_declare(name, passive=True)[1] == 2)
        yield name, channel
        channel.queue_delete(name)


def write_rows(engine, count: int) -> None:
    with engine.begin() as db:
        for value in range(count):
            db.execute(outbox_table.insert().values(
                id=uuid.uuid4(), event_type="thing_happened",
                body={"event_id": str(uuid.uuid4()), "event_type": "thing_happened",
                      "payload": {"value": value}}, headers={}))


def unsent(engine) -> int:
    with engine.connect() as db:
        return db.execute(select(func.count()).select_from(outbox_table)
                          .where(outbox_table.c.sent_at.is_(None))).scalar_one()


def test_a_nacked_batch_stays_unsent_and_goes_out_once_the_queue_takes_it(
        engine, full_queue, amqp_uri):
    name, channel = full_queue
    write_rows(engine, 3)
    connection = relay_connection(amqp_uri)
    try:
        with pytest.raises(PublishRefused):
            relay_batch(engine, connection, SERVICE)
    finally:
        connection.release()
    assert unsent(engine) == 3

    channel.queue_purge(name)  # room again: the next round (a new connection, as the relay's)
    channel.queue_delete(name)  # and the queue gone: nothing left to refuse the whole batch
    # (over a failover URL whose first node refuses, as a relay of a three-node cluster sees it)
    connection = relay_connection(amqp_uri.replace(":5672", ":1") + ";" + amqp_uri)
    try:
        assert relay_batch(engine, connection, SERVICE) == 3
    finally:
        connection.release()
    assert unsent(engine) == 0


def test_a_transaction_loses_what_the_queue_refuses(full_queue, amqp_uri):
    """Why the relay no longer publishes in AMQP transactions (RabbitMQ 3.10.8)."""
    name, channel = full_queue
    with Connection(amqp_uri) as conn:
        tx = conn.channel()
        tx.tx_select()
        tx.basic_publish(amqp.Message(b"{}", delivery_mode=2), exchange="", routing_key=name)
        tx.tx_commit()  # no error...
    _, depth, _ = channel.queue_declare(name, passive=True)
    assert depth == 2  # ...and the message is not there
