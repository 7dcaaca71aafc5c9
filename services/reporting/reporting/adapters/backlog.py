"""How many consumed events wait in the broker, not yet applied: the ready messages of
reporting's event queues (read passively: nothing is taken off a queue, so no delivery is
counted against a message's delivery limit)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from timebank_common.metrics import broker_probe


def event_queue_names(service_cls: Any) -> list[str]:
    """The durable queue of each event handler of ``service_cls`` (as ``reliable_queue``
    names it)."""
    names = []
    for attribute in dir(service_cls):
        for entrypoint in getattr(getattr(service_cls, attribute), "nameko_entrypoints", ()):
            source, event = (getattr(entrypoint, "source_service", None),
                             getattr(entrypoint, "event_type", None))
            if source and event:
                names.append(f"evt-{source}-{event}--{service_cls.name}.{attribute}")
    return sorted(names)


def waiting(amqp_uri: str, queues: Iterable[str]) -> int:
    """Ready messages in ``queues`` (a queue not declared yet holds none), read over the
    process's one broker connection for metrics (``timebank_common.metrics.broker_probe``);
    ``ConnectionError`` when the broker cannot be reached."""
    depths = broker_probe(amqp_uri).depths(list(queues))
    if depths is None:
        raise ConnectionError("the broker cannot be reached")
    return sum(depths.values())
