"""The dead-letter gauge against a real broker and an unreachable one: one connection kept
across scrapes, opened again after a failure, and no made-up 0 while the broker is away."""
from __future__ import annotations

import socket
import time

from kombu import Connection
from prometheus_client import generate_latest

from timebank_common import metrics
from timebank_common.events import dead_letter_queue
from timebank_common.metrics import DeadLetterProbe


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def _dead_letters(amqp_uri: str, service: str, count: int) -> None:
    """``count`` messages in the service's dead-letter queue, each confirmed by the broker
    (a quorum queue counts a message once it is committed: unconfirmed, a probe asking at
    once may see fewer)."""
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        dead_letter_queue(service)(channel).declare()
        producer = conn.Producer(channel=channel)
        for n in range(count):
            producer.publish({"event_id": f"e-{n}"}, exchange="",
                             routing_key=metrics.dead_letter_queue_name(service))
        channel.close()


def test_an_unreachable_broker_gives_no_depth_and_the_flag_at_0():
    probe = DeadLetterProbe(f"amqp://guest:guest@127.0.0.1:{_closed_port()}//", "ledger",
                            timeout=1)
    try:
        started = time.monotonic()
        assert probe.depth() is None
        assert time.monotonic() - started < 1.5  # refused at once: no second try, no wait
        metrics.refresh_gauges(None, probe)
    finally:
        probe.close()
    text = generate_latest().decode()
    assert "timebank_dead_letters_check_ok 0.0" in text
    assert "\ntimebank_dead_letters " not in text  # absent, not 0


def test_the_depth_is_read_over_one_connection_and_again_after_it_broke(amqp_uri):
    probe = DeadLetterProbe(amqp_uri, "gaugeprobe")
    try:
        assert probe.depth() == 0  # no dead-letter queue yet: nothing dead-lettered
        _dead_letters(amqp_uri, "gaugeprobe", 2)
        assert probe.depth() == 2
        connection = probe.broker._conn
        assert probe.depth() == 2 and probe.broker._conn is connection  # the same connection
        metrics.refresh_gauges(None, probe)
        assert (metrics.DEAD_LETTERS.value(), metrics.DEAD_LETTERS_CHECK_OK.value()) == (2, 1)
        connection.connection.sock.close()  # the broker or the network dropped it
        assert probe.depth() == 2  # a fresh connection, within the same scrape
        assert probe.broker._conn is not connection
    finally:
        probe.close()
        with Connection(amqp_uri) as conn:
            conn.channel().queue_delete(metrics.dead_letter_queue_name("gaugeprobe"))


def test_the_process_reads_every_broker_metric_over_one_connection(amqp_uri):
    probe = metrics.broker_probe(amqp_uri)
    assert metrics.broker_probe(amqp_uri) is probe
    dead = DeadLetterProbe(amqp_uri, "sharedprobe", broker=probe)
    assert dead.depth() == 0
    connection = probe._conn
    assert probe.depths(["no-such-queue", metrics.dead_letter_queue_name("sharedprobe")]) == {
        "no-such-queue": 0, "sharedprobe.dead-letters": 0}
    assert probe._conn is connection
