"""What the kit's consuming entrypoints (``rpc.QuorumRpc``, ``events.ReliableEventHandler``)
change in how nameko settles a message when its container or its connection dies.

* ``HeldWhileKilled``: a message that arrives while the container is being killed is left
  unacknowledged — its connection closes with the dying process and the broker hands it to
  another consumer once — instead of nameko's requeue. A requeued message came straight back
  to the same dying consumer, which requeued it again: the chaos run saw events and RPC
  requests go round hundreds of times in the moment a container took to die, until the quorum
  queue's delivery limit sent healthy messages to the dead letters.
* ``survives_lost_connection``: an entrypoint's ``handle_result`` (the answer, then the ack)
  may meet a connection its broker node took down. nameko's ``QueueConsumer.ack_message``
  swallows only AMQP's own ``ConnectionError``; the socket's (``ConnectionResetError``,
  ``BrokenPipeError``) went up and killed the container — a chaos run saw notify end that way.
  The broker hands the unacknowledged message back with the connection: a handler's inbox
  drops what it already did; an RPC's caller, whose answer may be lost with the connection,
  times out and retries with its idempotency key. An RPC whose answer alone could not be sent
  (the answer's connection, not the request's) is acknowledged all the same.
"""
from __future__ import annotations

import functools
import logging
from typing import Any

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

CONNECTION_LOST = (OSError, AmqpConnectionError, OperationalError)
"""What settling a message raises when its connection (or the broker node) is gone: the
socket's errors, AMQP's connection errors (a closed channel included), kombu's after its
retries."""


class HeldWhileKilled:
    """Mixed into an entrypoint before nameko's class (see the module's docstring)."""

    container: Any

    def handle_message(self, body: Any, message: Any) -> None:
        if self.container._being_killed:  # nameko's own flag; spawn_worker would refuse
            return
        super().handle_message(body, message)  # type: ignore[misc]


def survives_lost_connection(handle_result):
    """Decorates an entrypoint's ``handle_result(message, worker_ctx, result, exc_info)``: a
    lost connection while settling is logged and the worker's outcome returned, so the
    container lives on (see the module's docstring)."""

    @functools.wraps(handle_result)
    def settle(self, message, worker_ctx, result=None, exc_info=None):
        try:
            return handle_result(self, message, worker_ctx, result, exc_info)
        except CONNECTION_LOST as exc:
            log.warning("%s: could not settle a message, a connection is gone (%r)",
                        getattr(self, "method_name", "?"), exc)
            _ack_if_still_possible(self, message)
            return result, exc_info

    return settle


def _ack_if_still_possible(entrypoint: Any, message: Any) -> None:
    """An RPC's answer goes out on another connection than its request came in on: when only
    the answer failed, the request is still held by a live consumer and must be settled, or it
    would hold one of the consumer's prefetch slots until that connection closes. It is acked:
    it was handled, and its caller's retry carries its idempotency key. When the consumer's own
    connection is the one gone, this ack fails as well and the broker hands the message back."""
    owner = getattr(entrypoint, "rpc_consumer", entrypoint)  # an RPC's consumer, or itself
    try:
        owner.queue_consumer.ack_message(message)
    except CONNECTION_LOST:
        pass
