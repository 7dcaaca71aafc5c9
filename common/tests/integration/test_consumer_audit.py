"""A consumer the broker dropped while the process still believes it consumes, and a consuming
thread stuck (both pointed at by the chaos suite after a broker node's kill), on the machine's
real RabbitMQ. The consumer is cancelled behind kombu's back (a ``basic.cancel`` sent on its
channel, ``nowait``: the client's bookkeeping still shows it consuming, the broker has none);
the consuming thread is held where it waits (an event never sent, as a broker that never
answers). With the audit and the watchdog (``timebank_common.consumer_audit``) the container
consumes again and answers; without them, requests wait in the queue for ever."""
from __future__ import annotations

import logging

import pytest
from amqp import spec
from eventlet.event import Event
from nameko.exceptions import RpcTimeout
from nameko.messaging import QueueConsumer
from timebank_testing import rpc_proxy

from timebank_common.service import ServiceBase, rpc


class Audited(ServiceBase):
    name = "audited"

    @rpc
    def echo(self, value):
        return value


def drop_consumers_behind_the_clients_back(container) -> int:
    queue_consumer = next(e for e in container.extensions if isinstance(e, QueueConsumer))
    dropped = 0
    for consumer in queue_consumer._consumers.values():
        for tag in list(consumer._active_tags.values()):
            consumer.channel.send_method(spec.Basic.Cancel, "sb", (tag, True))  # nowait
            dropped += 1
    return dropped


@pytest.mark.parametrize("audit_seconds", [0.3])
def test_a_consumer_the_broker_dropped_consumes_again(start_service, service_config, amqp_uri,
                                                       audit_seconds, caplog):
    container = start_service(Audited, service_config(
        None, CONSUMER_AUDIT_SECONDS=audit_seconds))
    with rpc_proxy(amqp_uri, "audited", timeout=20) as proxy:
        assert proxy.echo("一") == "一"
        assert drop_consumers_behind_the_clients_back(container) >= 1
        with caplog.at_level(logging.WARNING, logger="timebank_common.consumer_audit"):
            assert proxy.echo("二") == "二"  # answered once the audit has seen no consumer
    assert "the broker shows no consumer of rpc-audited" in caplog.text


def test_without_the_audit_a_dropped_consumer_leaves_requests_waiting(
        start_service, service_config, amqp_uri):
    container = start_service(Audited, service_config(None, CONSUMER_AUDIT_SECONDS=0))
    with rpc_proxy(amqp_uri, "audited", timeout=3) as proxy:
        assert proxy.echo("一") == "一"
        drop_consumers_behind_the_clients_back(container)
        with pytest.raises(RpcTimeout):
            proxy.echo("二")


def hold_the_consuming_thread_once(container) -> Event:
    """Its next turn waits on an event nobody sends, as on a broker that never answers; returns
    that event once the thread is held there (send it to let the container stop)."""
    queue_consumer = next(e for e in container.extensions if isinstance(e, QueueConsumer))
    turn = queue_consumer.on_iteration
    held, release = Event(), Event()

    def stuck_once():
        if not held.ready():
            held.send()
            release.wait()
        turn()

    queue_consumer.on_iteration = stuck_once
    held.wait()
    return release


def test_a_stuck_consuming_thread_is_nudged_and_consumes_again(start_service, service_config,
                                                               amqp_uri, caplog):
    container = start_service(Audited, service_config(None, CONSUMER_STALL_SECONDS=1))
    with rpc_proxy(amqp_uri, "audited", timeout=20) as proxy:
        assert proxy.echo("一") == "一"
        hold_the_consuming_thread_once(container)
        with caplog.at_level(logging.ERROR, logger="timebank_common.service"):
            assert proxy.echo("二") == "二"
    assert "the broker consumer made no progress for 1 s" in caplog.text
    assert "stuck_once" in caplog.text  # where it waited, in the log (nudged out of its wait)


def test_without_the_watchdog_a_stuck_consuming_thread_serves_nothing(
        start_service, service_config, amqp_uri):
    container = start_service(Audited, service_config(None, CONSUMER_STALL_SECONDS=0))
    with rpc_proxy(amqp_uri, "audited", timeout=3) as proxy:
        assert proxy.echo("一") == "一"
        release = hold_the_consuming_thread_once(container)
        try:
            with pytest.raises(RpcTimeout):
                proxy.echo("二")
        finally:
            release.send()  # or the container's stop would wait on it for ever
