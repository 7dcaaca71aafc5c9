"""The queue shapes of ``timebank_common.queues`` (no broker): what each kind asks RabbitMQ
for, which queues a real service declares, and how kombu reads a failover ``AMQP_URI``."""
from kombu import Connection

from timebank_common.queues import (
    dead_letter_queue,
    event_queue,
    rpc_queue,
    service_class,
    service_queues,
)

AT_LEAST_ONCE = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


def test_source_queues_are_quorum_queues_dead_lettering_at_least_once():
    rpc = rpc_queue("ledger", {"RPC_DELIVERY_LIMIT": 7})
    assert (rpc.name, rpc.routing_key, rpc.exchange.name) == ("rpc-ledger", "ledger.*", "nameko-rpc")
    assert rpc.durable and not rpc.auto_delete
    assert rpc.queue_arguments == {
        "x-queue-type": "quorum", "x-quorum-initial-group-size": 3, "x-delivery-limit": 7,
        "x-dead-letter-exchange": "timebank.dead-letter", "x-dead-letter-routing-key": "ledger",
        **AT_LEAST_ONCE}
    event = event_queue("ledger", "demand", "service_recorded", "on_service_recorded", {})
    assert event.name == "evt-demand-service_recorded--ledger.on_service_recorded"
    # the broker's limit is a safety net far above the handler's own (EVENT_DELIVERY_LIMIT)
    assert event.queue_arguments["x-delivery-limit"] == 30
    assert event_queue("ledger", "demand", "service_recorded", "on_service_recorded",
                       {"EVENT_DELIVERY_LIMIT": 2, "QUEUE_DELIVERY_LIMIT": 40}
                       ).queue_arguments["x-delivery-limit"] == 40
    assert AT_LEAST_ONCE.items() <= event.queue_arguments.items()


def test_the_dead_letter_queue_is_a_quorum_queue_at_the_end_of_the_line():
    dead = dead_letter_queue("ledger")
    assert dead.name == "ledger.dead-letters" and dead.routing_key == "ledger"
    assert dead.queue_arguments == {"x-queue-type": "quorum", "x-quorum-initial-group-size": 3}


def test_a_service_declares_its_rpc_queue_its_handlers_queues_and_its_dead_letters():
    from reporting.adapters.backlog import event_queue_names

    reporting = service_class("reporting")
    names = [q.name for q in service_queues(reporting, {})]
    assert "rpc-reporting" in names and "reporting.dead-letters" in names
    # the same names reporting's backlog gauge reads
    assert [n for n in names if n.startswith("evt-")] == event_queue_names(reporting)


def test_a_failover_url_names_every_node_and_starts_with_the_first():
    uri = "amqp://u:p@10.0.0.1:5672/tb;amqp://u:p@10.0.0.2:5672/tb;amqp://u:p@10.0.0.3:5672/tb"
    connection = Connection(uri)  # nothing is connected until it is used
    assert connection.hostname == "10.0.0.1" and connection.virtual_host == "tb"
    assert connection.alt == uri.split(";")


def test_the_failover_round_reaches_every_nameko_connection(monkeypatch):
    """A silent node (a partition) must not use up kombu's whole failover round: the runner
    gives the round its own time in nameko's defaults and in its publishers' copy of them."""
    from nameko import constants
    from nameko.amqp.publish import Publisher

    from timebank_common import broker

    monkeypatch.setattr(constants, "DEFAULT_TRANSPORT_OPTIONS", dict(constants.DEFAULT_TRANSPORT_OPTIONS))
    monkeypatch.setattr(Publisher, "transport_options", dict(Publisher.transport_options))
    broker.apply({"AMQP_FAILOVER_ROUND_SECONDS": "12"})
    assert constants.DEFAULT_TRANSPORT_OPTIONS["connect_retries_timeout"] == 12.0
    assert Publisher.transport_options["connect_retries_timeout"] == 12.0
    broker.apply({})
    assert Publisher.transport_options["connect_retries_timeout"] == broker.DEFAULT_FAILOVER_ROUND_SECONDS


def test_every_service_listens_for_heartbeats_often_enough_to_notice_a_partition():
    from pathlib import Path

    from timebank_common import config

    root = Path(__file__).resolve().parents[3]
    for path in sorted((root / "deploy" / "config").glob("*.yaml")):
        assert int(config.load(str(path))["HEARTBEAT"]) <= 15, path.name
