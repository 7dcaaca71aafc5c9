"""nameko's RPC entrypoint on a durable quorum queue (DESIGN.md §3).

nameko 2.14's ``RpcConsumer`` declares ``rpc-<service>`` itself, as a classic queue on one
node: the node that dies takes the service's pending requests with it, and no argument can be
added. ``QuorumRpcConsumer`` builds the queue from ``queues.rpc_queue`` instead (quorum, three
replicas, bounded redeliveries dead-lettered at least once) and declares the service's
dead-letter queue before it consumes; everything else — routing, replies, acks after the
answer, requeue when the container is being killed — is nameko's. ``service.rpc`` decorates
with ``QuorumRpc``, so every service's RPCs use it; a service must not mix in nameko's own
``@rpc`` (the two would declare ``rpc-<service>`` with different arguments).

Reply queues are not touched: nameko's ``ReplyListener`` and the standalone proxies keep
their transient, auto-deleted ``rpc.reply-...`` queues.
"""
from __future__ import annotations

from nameko.amqp import get_connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.rpc import Rpc, RpcConsumer

from .queues import dead_letter_queue, declare, rpc_queue


class QuorumRpcConsumer(RpcConsumer):
    def setup(self) -> None:
        if getattr(self, "queue", None) is None:
            self.queue = rpc_queue(self.container.service_name, self.container.config)
            self.queue_consumer.register_provider(self)
            self._registered = True

    def start(self) -> None:
        # a request that reaches its delivery limit needs somewhere to go
        with get_connection(self.container.config[AMQP_URI_CONFIG_KEY]) as conn:
            declare(conn, dead_letter_queue(self.container.service_name))
        super().start()


class QuorumRpc(Rpc):
    rpc_consumer = QuorumRpcConsumer()


rpc = QuorumRpc.decorator
