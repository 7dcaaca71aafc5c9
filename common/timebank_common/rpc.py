"""nameko's RPC entrypoint on a durable quorum queue (DESIGN.md §3).

nameko 2.14's ``RpcConsumer`` declares ``rpc-<service>`` itself, as a classic queue on one
node: the node that dies takes the service's pending requests with it, and no argument can be
added. ``QuorumRpcConsumer`` builds the queue from ``queues.rpc_queue`` instead (quorum, three
replicas, bounded redeliveries dead-lettered at least once) and declares the service's
dead-letter queue before it consumes; everything else — routing, replies, acks after the
answer — is nameko's, except what happens to a request that arrives while the container is
being killed, or whose connection is gone when it is acknowledged (``entrypoints``). ``service.rpc`` decorates
with ``QuorumRpc``, so every service's RPCs use it; a service must not mix in nameko's own
``@rpc`` (the two would declare ``rpc-<service>`` with different arguments).

Reply queues: a service's ``RpcProxy`` (this module's) listens on a *non-durable* classic
``rpc.reply-<service>-<uuid>`` queue (``TransientReplyListener``). nameko's ``ReplyListener``
declares it durable, on the node the process first connected to; when that node died, every
redeclare was refused (``404 home node ... is down``) and took down the container's one
consumer connection, over and over until the node was back — each time the event messages
the connection held went back to their quorum queues, counted as a delivery, and after five
the broker dead-lettered them (the chaos run on the 3-node cluster: 89 in one node kill). A
non-durable queue is deleted with its node, and redeclared on the node the process reconnects
to; only the replies in flight at that moment are lost (their callers time out, as with any
broker fault). The standalone proxies already use exclusive, auto-deleted reply queues.
"""
from __future__ import annotations

from kombu import Queue
from nameko.amqp import get_connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.rpc import ReplyListener, Rpc, RpcConsumer
from nameko.rpc import RpcProxy as NamekoRpcProxy

from .entrypoints import HeldWhileKilled, survives_lost_connection
from .queues import dead_letter_queue, declare, rpc_queue


class QuorumRpcConsumer(RpcConsumer):
    _by_routing_key: dict | None = None  # "<service>.<method>" → its entrypoint; None: to build

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

    def register_provider(self, provider) -> None:
        super().register_provider(provider)
        self._by_routing_key = None

    def unregister_provider(self, provider) -> None:
        super().unregister_provider(provider)
        self._by_routing_key = None

    def get_provider_for_method(self, routing_key):
        """As nameko's, from a dict: nameko formats ``<service>.<method>`` for each of the
        service's RPCs until one matches, on every request (a few per cent of a service's CPU
        on a quick read). A miss asks nameko, which raises ``MethodNotFound``."""
        by_key = self._by_routing_key
        if by_key is None:
            service = self.container.service_name
            by_key = self._by_routing_key = {f"{service}.{provider.method_name}": provider
                                             for provider in self._providers}
        provider = by_key.get(routing_key)
        return provider if provider is not None else super().get_provider_for_method(routing_key)


class QuorumRpc(HeldWhileKilled, Rpc):
    rpc_consumer = QuorumRpcConsumer()

    def check_signature(self, args, kwargs):
        """nameko's check (``inspect.getcallargs``, a few per cent of a quick read's CPU) on
        bare ``@rpc`` methods only. A declared one (``service.rpc(args=...)``) is a wrapper
        taking ``(self, *args, **kwargs)``, which that check always passed: the wrapper binds
        the method's own signature and raises the same ``IncorrectSignature``."""
        method = getattr(self.container.service_cls, self.method_name)
        if getattr(method, "rpc_declaration", None) is None:
            super().check_signature(args, kwargs)

    @survives_lost_connection
    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        return super().handle_result(message, worker_ctx, result, exc_info)


rpc = QuorumRpc.decorator


class TransientReplyListener(ReplyListener):
    """nameko's reply listener on a non-durable queue (see the module's docstring)."""

    def setup(self) -> None:
        super().setup()  # registers with the queue consumer, which reads ``queue`` at start
        queue: Queue = self.queue  # type: ignore[has-type]  # nameko's, set in setup()
        self.queue = Queue(queue.name, exchange=queue.exchange, routing_key=queue.routing_key,
                           durable=False, queue_arguments=getattr(queue, "queue_arguments", None))


class RpcProxy(NamekoRpcProxy):
    """``RpcProxy("ledger")`` as nameko's, its replies on a ``TransientReplyListener``."""

    rpc_reply_listener = TransientReplyListener()
