"""The shape of every durable queue the platform declares, and the upgrade of old shapes.

DESIGN.md §3 ("Poison messages"): work, RPC, event and dead-letter queues are durable
**quorum** queues, replicated on three nodes; a source queue dead-letters at least once;
reply queues stay transient. One function per kind builds the ``kombu.Queue``, so the
entrypoints that declare them (``events``, ``batch_events``, ``rpc``), the operator tools
(``deadletters``) and the upgrade below cannot disagree on an argument — RabbitMQ refuses a
redeclare with other arguments (``PRECONDITION_FAILED``) and the service would not start.

========================  ==========================================================
``rpc-<service>``         quorum, ``x-delivery-limit`` ``RPC_DELIVERY_LIMIT`` (30),
                          dead-letters to ``<service>.dead-letters``
``evt-<src>-<type>--<service>.<method>``
                          quorum, ``x-delivery-limit`` ``QUEUE_DELIVERY_LIMIT`` (30),
                          dead-letters to ``<service>.dead-letters``
``<service>.dead-letters``  quorum, the end of the line (an operator lists and replays it)
``rpc.reply-...``         nameko's and the proxies' reply queues: untouched, transient
========================  ==========================================================

Two limits, two jobs. A handler that *fails* is counted by the handler itself (``events``:
``EVENT_DELIVERY_LIMIT`` failures, 5, then the message moves to the dead letters with the
reason). The broker's ``x-delivery-limit`` is only the safety net for a message whose process
*dies* every time it takes it: RabbitMQ 3.10's quorum queues count every return as a
delivery, including the prefetched messages a consumer hands back when its channel closes
(its process killed, its node killed or cut off), so that limit must stay far above what a
bad hour of faults does to a message nobody failed on (the chaos suite: 20 process kills,
two node kills and a partition returned healthy events past a limit of 5).

Every quorum queue asks for ``x-quorum-initial-group-size: 3``: three replicas in the
province's three-node cluster; on a smaller cluster (the machine's single broker, the quick
path) RabbitMQ makes as many as there are nodes (verified on 3.10.8: one node, one member).
Source queues carry ``x-dead-letter-strategy: at-least-once``: a message leaves its queue
only once the dead-letter queue confirmed it (the default, at-most-once, loses it when a node
dies in between). RabbitMQ honours that strategy only with ``x-overflow: reject-publish``, so
the source queues say so; they set no length limit, so nothing is rejected unless an operator
adds one by policy — and then a publisher with confirms gets a nack (the outbox relay keeps the
rows and retries; an RPC caller's ``call`` raises ``MessageNacked``).

Upgrading a broker that holds the old shapes (classic ``rpc-<service>`` and dead-letter queues
from nameko's and the kit's earlier declarations, event queues without the arguments above)::

    python -m timebank_common.queues upgrade identity ledger demand ...   [--amqp-uri URI]

For each queue the named services declare (read from their classes and
``deploy/config/<service>.yaml``): absent or already in shape → nothing; another shape →
deleted and declared anew, but only while it is empty and nobody consumes from it; otherwise
the command refuses (exit 2) and names the queue: stop the old processes, let them drain it
(or move its messages), and run it again. ``LocalPlatform.prepare`` runs it before any service
starts. A message published to an old-shaped classic queue between the check and the delete is
refused by the broker (``if-empty``); quorum queues do not support ``if-empty``, so for an old
quorum event queue the check and the delete are two steps — run the upgrade with the old
processes stopped and before the new ones start, as ``prepare`` does.
"""
from __future__ import annotations

import argparse
import inspect
import sys
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from amqp.exceptions import AMQPNotImplementedError, NotFound, PreconditionFailed
from kombu import Connection, Exchange, Queue

from . import config as config_mod
from .contract_docs import service_class  # the one finder of a service's nameko class

DEAD_LETTER_EXCHANGE = "timebank.dead-letter"
DEFAULT_EVENT_DELIVERY_LIMIT = 5  # a handler's failures before its message is dead-lettered
DEFAULT_QUEUE_DELIVERY_LIMIT = 30  # the broker's count for event queues: returns included
DEFAULT_RPC_DELIVERY_LIMIT = 30  # the same for RPC requests (a reply is never a requeue)
REPLICAS = 3

QUORUM = {"x-queue-type": "quorum", "x-quorum-initial-group-size": REPLICAS}


def dead_letter_exchange() -> Exchange:
    return Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)


def source_arguments(service: str, delivery_limit: int) -> dict[str, Any]:
    """The arguments of a queue whose failures go to ``service``'s dead letters, at least once."""
    return {
        **QUORUM,
        "x-delivery-limit": int(delivery_limit),
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": service,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def dead_letter_queue(service: str) -> Queue:
    from .metrics import dead_letter_queue_name  # noqa: PLC0415 (metrics imports nameko)

    return Queue(dead_letter_queue_name(service), exchange=dead_letter_exchange(),
                 routing_key=service, durable=True, auto_delete=False,
                 queue_arguments=dict(QUORUM))


def event_queue(service: str, source_service: str, event_type: str, method_name: str,
                config: Mapping[str, Any]) -> Queue:
    """The queue of ``service``'s handler ``method_name`` of ``source_service``'s
    ``event_type`` (the broker's limit ``QUEUE_DELIVERY_LIMIT`` from the service's
    configuration; the handler's own, ``EVENT_DELIVERY_LIMIT``, is not part of the queue)."""
    from nameko.events import get_event_exchange  # noqa: PLC0415

    limit = int(config.get("QUEUE_DELIVERY_LIMIT", DEFAULT_QUEUE_DELIVERY_LIMIT))
    return Queue(
        f"evt-{source_service}-{event_type}--{service}.{method_name}",
        exchange=get_event_exchange(source_service, config),
        routing_key=event_type, durable=True, auto_delete=False, exclusive=False,
        queue_arguments=source_arguments(service, limit))


def rpc_queue(service: str, config: Mapping[str, Any]) -> Queue:
    """``rpc-<service>`` as nameko binds it (exchange ``nameko-rpc``, key ``<service>.*``), a
    quorum queue. A request delivered ``RPC_DELIVERY_LIMIT`` times (each time its process died
    or stopped holding it) goes to the dead letters instead of crashing the next process: its
    caller has stopped waiting long before."""
    from nameko.rpc import RPC_QUEUE_TEMPLATE, get_rpc_exchange  # noqa: PLC0415

    limit = int(config.get("RPC_DELIVERY_LIMIT", DEFAULT_RPC_DELIVERY_LIMIT))
    return Queue(RPC_QUEUE_TEMPLATE.format(service), exchange=get_rpc_exchange(config),
                 routing_key=f"{service}.*", durable=True, auto_delete=False,
                 queue_arguments=source_arguments(service, limit))


def declare(connection: Connection, *queues: Queue) -> None:
    """Declare ``queues`` (with their exchanges and bindings) on ``connection``."""
    channel = connection.channel()
    try:
        for queue in queues:
            queue(channel).declare()
    finally:
        channel.close()


# -- which queues a service declares ------------------------------------------------------
def service_queues(service_cls: Any, config: Mapping[str, Any]) -> list[Queue]:
    """Every durable queue ``service_cls`` declares when it runs: its RPC queue (when it has an
    RPC), one per event handler, and its dead letters (when it has either)."""
    from nameko.rpc import Rpc  # noqa: PLC0415

    service = service_cls.name
    queues: dict[str, Queue] = {}
    for attribute, member in inspect.getmembers(service_cls):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, Rpc):
                queue = rpc_queue(service, config)
            elif getattr(entrypoint, "source_service", None) and getattr(
                    entrypoint, "event_type", None):
                queue = event_queue(service, entrypoint.source_service, entrypoint.event_type,
                                    attribute, config)
            else:
                continue
            queues[queue.name] = queue
    if queues:
        dead = dead_letter_queue(service)
        queues[dead.name] = dead
    return [queues[name] for name in sorted(queues)]


# -- upgrade -------------------------------------------------------------------------------
class QueueNotUpgradable(Exception):
    """An old-shaped queue that cannot be replaced now (it holds messages or has consumers)."""


def upgrade_queue(amqp_uri: str, queue: Queue) -> str:
    """Bring one queue to its shape: ``absent``, ``kept`` (already right) or ``replaced``
    (an empty, unused old-shaped queue deleted and declared anew). Raises
    ``QueueNotUpgradable`` when it holds messages or is consumed from."""
    return upgrade(amqp_uri, [queue])[queue.name]


def upgrade(amqp_uri: str, queues: Iterable[Queue]) -> dict[str, str]:
    """``upgrade_queue`` for each queue, on one connection; {queue name: outcome}. Stops at
    the first refusal."""
    outcomes = {}
    conn = Connection(amqp_uri)
    try:
        for queue in queues:
            try:
                outcomes[queue.name] = _upgrade_on(conn, queue)
            except AMQPNotImplementedError:  # a quorum queue: no if-empty; the broker closed us
                _release(conn)
                conn = Connection(amqp_uri)
                _delete(conn, queue.name, if_empty=False)  # checked empty and unused just before
                declare(conn, queue)
                outcomes[queue.name] = "replaced"
    finally:
        _release(conn)
    return outcomes


def _upgrade_on(conn: Connection, queue: Queue) -> str:
    if _passive(conn, queue.name) is None:
        return "absent"
    try:
        declare(conn, queue)
        return "kept"
    except PreconditionFailed:
        pass
    messages, consumers = _passive(conn, queue.name) or (0, 0)
    if messages or consumers:
        raise QueueNotUpgradable(
            f"队列 {queue.name} 形态过旧，但仍有 {messages} 条消息、{consumers} 个消费者，"
            f"未升级：请停止旧进程、处理完消息后重试 / queue {queue.name} has the old shape "
            f"but holds {messages} message(s) and {consumers} consumer(s); not upgraded: stop "
            f"the old processes, let them drain it (or move its messages), and run again")
    try:
        _delete(conn, queue.name, if_empty=True)
    except PreconditionFailed as exc:  # a message or consumer arrived meanwhile
        raise QueueNotUpgradable(
            f"队列 {queue.name} 在升级时收到消息或消费者 / queue {queue.name} received a "
            f"message or consumer while being upgraded: {exc}") from None
    declare(conn, queue)
    return "replaced"


def _release(conn: Connection) -> None:
    try:
        conn.release()
    except Exception:  # already closed by the broker
        pass


def _passive(conn: Connection, name: str) -> tuple[int, int] | None:
    channel = conn.channel()
    try:
        _, messages, consumers = channel.queue_declare(name, passive=True)
    except NotFound:
        return None
    try:
        channel.close()
    except Exception:
        pass
    return messages, consumers


def _delete(conn: Connection, name: str, if_empty: bool) -> None:
    channel = conn.channel()
    channel.queue_delete(name, if_unused=if_empty, if_empty=if_empty)
    channel.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["upgrade", "show"])
    parser.add_argument("services", nargs="+")
    parser.add_argument("--amqp-uri", help="defaults to AMQP_URI of deploy/config/<service>.yaml")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    for service in args.services:
        cfg = config_mod.load(f"deploy/config/{service}.yaml")
        queues = service_queues(service_class(service), cfg)
        if args.action == "show":
            for queue in queues:
                print(queue.name, getattr(queue, "queue_arguments", None))
            continue
        try:
            outcomes = upgrade(args.amqp_uri or cfg["AMQP_URI"], queues)
        except QueueNotUpgradable as exc:
            print(str(exc), file=sys.stderr)
            return 2
        replaced = [name for name, outcome in outcomes.items() if outcome == "replaced"]
        print(f"{service}: {len(outcomes)} queue(s) checked / 已检查, "
              f"{len(replaced)} replaced / 已替换 {' '.join(replaced)}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
