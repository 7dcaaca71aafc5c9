"""How a reliable event handler counts its failures (no broker): its own header, not the
broker's delivery count; a dependency's failure is not the message's."""
from types import SimpleNamespace

from nameko.exceptions import RpcTimeout
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from timebank_common.errors import NotFound
from timebank_common.events import FAILURES_HEADER, attempt_of, transient
from timebank_common.remote import unavailable


def message(**headers):
    return SimpleNamespace(headers=headers)


def test_the_attempt_counts_the_handler_s_failures_not_the_broker_s_deliveries():
    assert attempt_of(message()) == 1
    # five returns by closed channels: still the first attempt
    assert attempt_of(message(**{"x-delivery-count": 5})) == 1
    assert attempt_of(message(**{FAILURES_HEADER: 2, "x-delivery-count": 7})) == 3


def test_a_dependency_away_is_transient_and_a_bad_message_is_not():
    for dependency in (OperationalError("SELECT 1", {}, Exception("server closed")),
                       InterfaceError("SELECT 1", {}, Exception("connection closed")),
                       PoolTimeout("QueuePool limit reached"), unavailable("identity"),
                       RpcTimeout(), ConnectionResetError()):
        assert transient(dependency), dependency
    for bad in (RuntimeError("cannot handle this one"), KeyError("payload"),
                NotFound("elder_not_found", "找不到", "not found")):
        assert not transient(bad), bad


def test_a_message_arriving_while_the_container_dies_is_left_to_the_broker():
    """nameko requeues it, and it came straight back to the same dying consumer, round and
    round until the delivery limit; held, it goes back once, with the connection."""
    from timebank_common.entrypoints import HeldWhileKilled

    handled = []

    class Entrypoint:
        def handle_message(self, body, message):
            handled.append(body)

    class Held(HeldWhileKilled, Entrypoint):
        pass

    entrypoint = Held()
    entrypoint.container = SimpleNamespace(_being_killed=False)
    entrypoint.handle_message("first", message())
    entrypoint.container._being_killed = True
    entrypoint.handle_message("while dying", message())
    assert handled == ["first"]


def test_an_ack_on_a_dead_connection_does_not_kill_the_container():
    """The broker node died between the handler's commit and its ack: the socket's error is
    logged, not raised (nameko's would kill the container), and the broker redelivers."""
    from timebank_common.events import ReliableEventHandler

    class DeadConsumer:
        def ack_message(self, message):
            raise ConnectionResetError(104, "Connection reset by peer")

    handler = ReliableEventHandler("demand", "service_recorded")
    handler.queue_consumer = DeadConsumer()
    handler.method_name = "on_service_recorded"
    handler.container = SimpleNamespace(config={}, service_name="ledger", _being_killed=False)
    assert handler.handle_result(message(), None, "done", None) == ("done", None)


def rpc_entrypoint(consumer):
    """The kit's RPC entrypoint, acknowledging through ``consumer``."""
    from timebank_common.rpc import QuorumRpc

    entrypoint = QuorumRpc()
    entrypoint.method_name = "balance"
    entrypoint.rpc_consumer = SimpleNamespace(queue_consumer=consumer)
    return entrypoint


class Acks:
    def __init__(self, fails=None):
        self.acked, self.fails = [], fails

    def ack_message(self, message):
        if self.fails:
            raise self.fails
        self.acked.append(message)


def test_an_rpc_whose_ack_meets_a_dead_connection_does_not_kill_the_container(monkeypatch):
    """The same for an RPC: the ack meets the dead socket; the broker hands the request back,
    the caller's retry carries its idempotency key."""
    from nameko.rpc import Rpc

    def ack_on_dead_socket(self, message, worker_ctx, result, exc_info):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(Rpc, "handle_result", ack_on_dead_socket)
    consumer = Acks(fails=ConnectionResetError(104, "Connection reset by peer"))
    entrypoint = rpc_entrypoint(consumer)
    assert entrypoint.handle_result(message(), None, {"minutes": 5}, None) == (
        {"minutes": 5}, None)


def test_an_rpc_whose_answer_could_not_be_sent_is_still_acknowledged(monkeypatch):
    """The answer's connection failed, the request's is alive: the request is acked (else it
    holds a prefetch slot until the connection closes)."""
    from kombu.exceptions import OperationalError as BrokerError
    from nameko.rpc import Rpc

    def answer_refused(self, message, worker_ctx, result, exc_info):
        raise BrokerError("the reply could not be published")

    monkeypatch.setattr(Rpc, "handle_result", answer_refused)
    consumer = Acks()
    request = message()
    entrypoint = rpc_entrypoint(consumer)
    assert entrypoint.handle_result(request, None, "done", None) == ("done", None)
    assert consumer.acked == [request]


def test_a_worker_s_own_error_still_reaches_nameko():
    """Only a lost connection is absorbed: anything else settling raises as before."""
    import pytest

    from timebank_common.entrypoints import survives_lost_connection

    @survives_lost_connection
    def handle_result(self, message, worker_ctx, result, exc_info):
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        handle_result(SimpleNamespace(method_name="x"), message(), None, None, None)
