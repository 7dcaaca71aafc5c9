"""How every process of the platform connects to RabbitMQ when the broker is a cluster.

``AMQP_URI`` may name every node of the province's cluster as a kombu failover URL
(``amqp://a;amqp://b;amqp://c``). Two defaults of kombu and nameko make that failover slow or
fail outright when a node goes *silent* (a network partition) rather than down (a crash resets
the connection at once, and kombu moves to the next node in well under a second):

* **the failover round**: kombu tries the nodes of the URL one after another, but gives the
  whole round only its ``connect_timeout`` unless ``connect_retries_timeout`` is set; a silent
  first node uses it all, kombu raises without trying the next, and nameko's reply publisher
  fails the worker. ``apply(cfg)`` gives the round ``AMQP_FAILOVER_ROUND_SECONDS`` (30 s) in
  nameko's default transport options — which its consumers, event dispatchers and the
  standalone proxies copy when they connect — and in its ``Publisher`` class (whose copy was
  taken at import);
* **the heartbeat**: a client on a cut-off node hears nothing and notices only when the AMQP
  heartbeat fails; nameko's default of 60 s leaves a service deaf for minutes. The services'
  configurations set ``HEARTBEAT`` (10 s).

The runner calls ``apply`` before it starts a service (deploy/README.md, "Faults").
"""
from __future__ import annotations

from collections.abc import Mapping

DEFAULT_FAILOVER_ROUND_SECONDS = 30.0


def failover_round_seconds(cfg: Mapping) -> float:
    return float(cfg.get("AMQP_FAILOVER_ROUND_SECONDS") or DEFAULT_FAILOVER_ROUND_SECONDS)


def apply(cfg: Mapping) -> None:
    """Give kombu's failover round ``failover_round_seconds(cfg)`` wherever nameko connects."""
    from nameko import constants
    from nameko.amqp.publish import Publisher

    seconds = failover_round_seconds(cfg)
    for options in (constants.DEFAULT_TRANSPORT_OPTIONS, Publisher.transport_options):
        options["connect_retries_timeout"] = seconds
