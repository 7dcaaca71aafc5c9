"""The pure parts of ``/readyz`` (``timebank_common.probes``): which checks decide readiness,
how a failure is told, when the database is at head, and what counts as a broker connection
with its consumers attached — on stand-ins of nameko's ``QueueConsumer`` and py-amqp's
channels, no broker."""
from __future__ import annotations

from types import SimpleNamespace

import eventlet
from eventlet.event import Event

from timebank_common.probes import (
    OK,
    channel_open,
    consumer_checks,
    failure,
    migration_state,
    run_checks,
    verdict,
)


def test_ready_only_when_every_deciding_check_is_ok():
    assert verdict({"database": OK, "broker": OK}) == (200, "ok")
    assert verdict({"database": "error: OperationalError", "broker": OK}) == (503, "not_ready")
    assert verdict({}) == (200, "ok")


def test_an_advisory_check_is_reported_but_does_not_decide():
    checks = {"broker": OK, "rate_limit_store": "error: unreachable"}
    assert verdict(checks, advisory=("rate_limit_store",)) == (200, "ok")
    assert verdict({"broker": "error: lost", "rate_limit_store": OK},
                   advisory=("rate_limit_store",)) == (503, "not_ready")


def test_a_failure_names_its_exception_and_first_line():
    assert failure(ConnectionRefusedError("connection refused\nmore")) == \
        "error: ConnectionRefusedError: connection refused"
    assert failure(RuntimeError()) == "error: RuntimeError"
    assert failure(eventlet.Timeout(None)) == "error: timed out"


def test_migrations_are_ok_at_head_and_say_what_differs_otherwise():
    assert migration_state(["0007"], {"0007"}) == OK
    assert migration_state(["0005"], ["0007"]) == "error: database at 0005, code at 0007"
    assert migration_state([], ["0001"]) == \
        "error: database at no migration applied, code at 0001"


def _channel(is_open=True, connected=True):
    connection = SimpleNamespace(connected=connected)
    return SimpleNamespace(is_open=is_open, connection=connection)


def test_a_channel_counts_only_open_on_a_connected_connection():
    assert channel_open(_channel())
    assert not channel_open(_channel(is_open=False))
    assert not channel_open(_channel(connected=False))
    assert not channel_open(SimpleNamespace(is_open=False, connection=None))  # py-amqp's collect


def _queue_consumer(providers, consumers, *, ready=True, dead=False):
    started = Event()
    if ready:
        started.send(None)
    return SimpleNamespace(_gt=SimpleNamespace(dead=dead), _consumers_ready=started,
                           _providers=set(providers), _consumers=consumers)


class _Provider:
    """A consuming entrypoint (hashable, as nameko's extensions are)."""

    def __init__(self, queue_name):
        self.queue = SimpleNamespace(name=queue_name)


_provider = _Provider


def test_broker_and_consumers_ok_when_every_provider_consumes_on_an_open_channel():
    rpc, handler = _provider("rpc-ledger"), _provider("evt-demand-ledger")
    channel = _channel()
    consumers = {rpc: SimpleNamespace(channel=channel), handler: SimpleNamespace(channel=channel)}
    assert consumer_checks(_queue_consumer([rpc, handler], consumers)) == \
        {"broker": OK, "consumers": OK}


def test_a_provider_without_a_consumer_is_named():
    rpc, handler = _provider("rpc-ledger"), _provider("evt-demand-ledger")
    consumers = {rpc: SimpleNamespace(channel=_channel())}
    assert consumer_checks(_queue_consumer([rpc, handler], consumers)) == \
        {"broker": OK, "consumers": "error: not consuming evt-demand-ledger"}


def test_a_lost_connection_a_dead_thread_or_a_first_connection_pending_is_not_ready():
    rpc = _provider("rpc-ledger")
    lost = {rpc: SimpleNamespace(channel=_channel(is_open=False))}
    fine = {rpc: SimpleNamespace(channel=_channel())}
    for qc in (_queue_consumer([rpc], lost), _queue_consumer([rpc], fine, dead=True),
               _queue_consumer([rpc], {}, ready=False)):
        checks = consumer_checks(qc)
        assert checks["broker"].startswith("error") and checks["consumers"] == checks["broker"]
    assert consumer_checks(None)["broker"].startswith("error")


def test_checks_run_together_each_bounded_and_a_raise_is_a_failure():
    never = Event()
    both_started = []

    def waits_for_the_other():
        both_started.append("a")
        with eventlet.Timeout(5):
            while len(both_started) < 2:
                eventlet.sleep(0)
        return OK

    def starts():
        both_started.append("b")
        return OK

    def raises():
        raise ConnectionError("broker gone")

    results = run_checks({"together": waits_for_the_other, "second": starts,
                          "stuck": never.wait, "raises": raises}, timeout=0.05)
    assert list(results) == ["together", "second", "stuck", "raises"]
    assert results == {"together": OK, "second": OK, "stuck": "error: timed out",
                       "raises": "error: ConnectionError: broker gone"}


class _BatchHandler(_Provider):
    """A batch event handler: its own consuming thread."""

    def __init__(self, queue_name, thread=None, stopping=False):
        super().__init__(queue_name)
        self._thread, self._stopping = thread, stopping


def test_a_batch_handler_not_consuming_is_named():
    rpc = _provider("rpc-ledger")
    qc = _queue_consumer([rpc], {rpc: SimpleNamespace(channel=_channel())})
    running = _BatchHandler("evt-demand-service_recorded--ledger.credit",
                            SimpleNamespace(dead=False))
    assert consumer_checks(qc, [running]) == {"broker": OK, "consumers": OK}
    for idle in (_BatchHandler("q-batch"), _BatchHandler("q-batch", SimpleNamespace(dead=True)),
                 _BatchHandler("q-batch", SimpleNamespace(dead=False), stopping=True)):
        assert consumer_checks(qc, [running, idle])["consumers"] == \
            "error: not consuming q-batch"
