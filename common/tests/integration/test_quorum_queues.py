"""Every durable queue a service declares is a quorum queue dead-lettering at least once
(``timebank_common.queues``), on the machine's real broker: read back through the management
API; reply queues stay transient; a failover ``AMQP_URI`` whose first node refuses reaches the
second; old-shaped queues are replaced by the upgrade only while empty."""
from __future__ import annotations

import time
import uuid

import amqp
import pytest
from kombu import Connection, Queue
from timebank_testing import rpc_proxy, wait_for

from timebank_common.deadletters import list_dead_letters
from timebank_common.events import event_handler
from timebank_common.metrics import DEAD_LETTERS, DeadLetterProbe, refresh_gauges
from timebank_common.queues import (
    QueueNotUpgradable,
    dead_letter_queue,
    rpc_queue,
    service_queues,
    upgrade,
    upgrade_queue,
)
from timebank_common.rpc import RpcProxy
from timebank_common.service import ServiceBase, rpc

SOURCE_ARGUMENTS = {
    "x-queue-type": "quorum",
    "x-quorum-initial-group-size": 3,
    "x-dead-letter-exchange": "timebank.dead-letter",
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}


class Quorate(ServiceBase):
    name = "quorate"
    itself = RpcProxy("quorate")

    @rpc
    def echo(self, value):
        return value

    @event_handler("elsewhere", "went_wrong")
    def on_went_wrong(self, event):
        raise RuntimeError("always fails / 总是失败")


def refusing_first(amqp_uri: str) -> str:
    """A failover URL whose first node refuses connections (nothing listens on port 1)."""
    return amqp_uri.replace("127.0.0.1:5672", "127.0.0.1:1") + ";" + amqp_uri


@pytest.fixture(scope="module")
def quorate(service_config, start_module_service, amqp_uri):
    config = service_config(None, AMQP_URI=refusing_first(amqp_uri))
    return start_module_service(Quorate, config)


def test_the_rpc_event_and_dead_letter_queues_are_quorum_queues(quorate, rabbit):
    rpc_q = rabbit.queue("rpc-quorate")
    assert rpc_q["type"] == "quorum" and rpc_q["durable"] and not rpc_q["auto_delete"]
    assert rpc_q["arguments"] == {**SOURCE_ARGUMENTS, "x-delivery-limit": 30,
                                  "x-dead-letter-routing-key": "quorate"}
    event_q = rabbit.queue("evt-elsewhere-went_wrong--quorate.on_went_wrong")
    assert event_q["type"] == "quorum"
    # the broker's safety net (QUEUE_DELIVERY_LIMIT), not the handler's 3 failures
    assert event_q["arguments"] == {**SOURCE_ARGUMENTS, "x-delivery-limit": 30,
                                    "x-dead-letter-routing-key": "quorate"}
    dead_q = rabbit.queue("quorate.dead-letters")
    assert dead_q["type"] == "quorum"
    assert dead_q["arguments"] == {"x-queue-type": "quorum", "x-quorum-initial-group-size": 3}
    # one node here: RabbitMQ makes as many replicas as there are nodes
    assert len(rpc_q["members"]) == 1
    # what the service declares is what the upgrade checks
    names = [q.name for q in service_queues(Quorate, quorate.config)]
    assert names == ["evt-elsewhere-went_wrong--quorate.on_went_wrong", "quorate.dead-letters",
                     "rpc-quorate"]


def test_rpc_over_a_failover_url_and_the_reply_queue_stays_transient(quorate, rabbit, amqp_uri):
    with rpc_proxy(refusing_first(amqp_uri), "quorate") as proxy:
        assert proxy.echo("你好") == "你好"
        replies = wait_for(lambda: [q for q in _queues(rabbit)
                                    if q["name"].startswith("rpc.reply-standalone")])
        # nameko's: one node's classic queue, gone 5 minutes after its proxy
        assert all(q["type"] == "classic" and q["arguments"] == {"x-expires": 300000}
                   for q in replies)


def test_a_service_proxy_s_reply_queue_is_not_durable(quorate, rabbit):
    """Not durable: deleted with its node and declared again on the next, where a durable one
    was refused while its node was down (``timebank_common.rpc``'s docstring)."""
    replies = wait_for(lambda: [q for q in _queues(rabbit)
                                if q["name"].startswith("rpc.reply-quorate-")])
    assert [(q["type"], q["durable"], q["arguments"]) for q in replies] == [
        ("classic", False, {"x-expires": 300000})]


def test_a_poison_event_reaches_the_dead_letters_with_its_reason(quorate, rabbit, amqp_uri,
                                                                 event_bus):
    event_id = str(uuid.uuid4())
    event_bus.publish("elsewhere", {"event_id": event_id, "event_type": "went_wrong",
                                    "occurred_at": "2026-12-07T09:00:00+00:00", "v": 1,
                                    "region": "130100000000", "payload": {}})
    wait_for(lambda: rabbit.queue_depth("quorate.dead-letters") >= 1, timeout=30)
    [letter] = list_dead_letters(refusing_first(amqp_uri), "quorate")
    assert letter["event_id"] == event_id
    assert letter["from_queue"] == "evt-elsewhere-went_wrong--quorate.on_went_wrong"
    assert "RuntimeError: always fails / 总是失败" in letter["reason"]
    assert "failed 3 times" in letter["reason"]
    probe = DeadLetterProbe(refusing_first(amqp_uri), "quorate")  # the /metrics scrape's gauge
    try:
        refresh_gauges(None, probe)
    finally:
        probe.close()
    assert DEAD_LETTERS.value() == 1


def test_the_upgrade_replaces_an_empty_classic_rpc_queue(rabbit, amqp_uri):
    config = {"AMQP_URI": amqp_uri}
    with Connection(amqp_uri) as conn:  # as nameko declared it before
        Queue("rpc-oldshape", durable=True, auto_delete=False)(conn.channel()).declare()
    assert rabbit.queue("rpc-oldshape")["type"] == "classic"

    assert upgrade(refusing_first(amqp_uri), [rpc_queue("oldshape", config)]) == \
        {"rpc-oldshape": "replaced"}
    assert rabbit.queue("rpc-oldshape")["type"] == "quorum"
    assert rabbit.queue("rpc-oldshape")["arguments"]["x-dead-letter-strategy"] == "at-least-once"
    # in shape now: a second run keeps it; a queue nobody declared yet is left to its service
    assert upgrade(amqp_uri, [rpc_queue("oldshape", config), rpc_queue("absent", config)]) == \
        {"rpc-oldshape": "kept", "rpc-absent": "absent"}


def test_the_upgrade_replaces_an_empty_quorum_queue_with_other_arguments(rabbit, amqp_uri):
    old = Queue("oldshape.dead-letters", durable=True, auto_delete=False,
                queue_arguments={"x-queue-type": "quorum"})
    with Connection(amqp_uri) as conn:
        old(conn.channel()).declare()
    assert upgrade_queue(amqp_uri, dead_letter_queue("oldshape")) == "replaced"
    assert rabbit.queue("oldshape.dead-letters")["arguments"]["x-quorum-initial-group-size"] == 3


def test_the_upgrade_refuses_an_old_queue_that_holds_messages(rabbit, amqp_uri):
    with Connection(amqp_uri) as conn:
        Queue("rpc-busy", durable=True, auto_delete=False)(conn.channel()).declare()
        conn.Producer().publish({"args": [], "kwargs": {}}, exchange="", routing_key="rpc-busy")
    with pytest.raises(QueueNotUpgradable, match="rpc-busy.*1 条消息"):
        upgrade_queue(amqp_uri, rpc_queue("busy", {}))
    assert rabbit.queue_depth("rpc-busy") == 1  # nothing lost
    assert rabbit.queue("rpc-busy")["type"] == "classic"


def _queues(rabbit) -> list[dict]:
    import requests
    from timebank_testing.infra import RABBIT_API

    r = requests.get(f"{RABBIT_API}/queues/{rabbit.vhost}", auth=rabbit.auth, timeout=10)
    r.raise_for_status()
    return r.json()


def test_an_rpc_caller_is_told_when_the_rpc_queue_refuses(rabbit, amqp_uri):
    """``x-overflow: reject-publish`` refuses only past a length limit, which the platform does
    not set (an operator's policy could): the caller's publish, confirmed, then fails at once
    with kombu's ``OperationalError`` caused by the broker's ``MessageNacked``, rather than
    waiting out its timeout for an answer that cannot come."""
    from amqp.exceptions import MessageNacked
    from kombu.exceptions import OperationalError

    shape = rpc_queue("capped", {})
    capped = Queue(shape.name, exchange=shape.exchange, routing_key=shape.routing_key,
                   durable=True, auto_delete=False,
                   queue_arguments={**shape.queue_arguments, "x-max-length": 1})
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        capped(channel).declare()
        for _ in range(2):  # a quorum queue's limit is soft: it refuses once over it
            channel.basic_publish(amqp.Message(b"{}"), exchange="", routing_key="rpc-capped")
        wait_for(lambda: rabbit.queue_depth("rpc-capped") == 2)
    with rpc_proxy(amqp_uri, "capped", timeout=60) as proxy:
        started = time.monotonic()
        with pytest.raises(OperationalError) as refused:
            proxy.anything()
        assert isinstance(refused.value.__cause__, MessageNacked)
        assert time.monotonic() - started < 10


def test_an_rpc_request_in_the_dead_letters_is_listed_but_not_replayed(rabbit, amqp_uri):
    """Past ``rpc-<service>``'s delivery limit the broker dead-letters a request; its caller
    stopped waiting long before, so a replay would run a command nobody awaits."""
    from timebank_common.deadletters import replay

    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        dead_letter_queue("rpconly")(channel).declare()
        channel.basic_publish(
            amqp.Message(b'{"args": [], "kwargs": {}}', content_type="application/json",
                         application_headers={"x-first-death-queue": "rpc-rpconly",
                                              "x-first-death-reason": "delivery_limit"}),
            exchange="timebank.dead-letter", routing_key="rpconly")
        wait_for(lambda: rabbit.queue_depth("rpconly.dead-letters") == 1)
    [letter] = list_dead_letters(amqp_uri, "rpconly")
    assert letter["from_queue"] == "rpc-rpconly"
    assert letter["reason"].startswith("重试次数用尽")
    assert replay(amqp_uri, "rpconly") == 0
    assert rabbit.queue_depth("rpconly.dead-letters") == 1
