"""What every worker of every service passes through, kept cheap yet answering as before: the
entrypoint metrics (each series looked up once, still counted per entrypoint and outcome), the
RPC consumer's lookup of a method (a dict instead of a scan, same answers and same refusal),
the gauges' refresher (its database found at a scrape, not per worker) and the RPC signature
check (nameko's skipped only where the declared wrapper checks)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from nameko.exceptions import IncorrectSignature, MethodNotFound
from prometheus_client import REGISTRY

from timebank_common import metrics
from timebank_common.errors import DomainError
from timebank_common.rpc import QuorumRpc, QuorumRpcConsumer
from timebank_common.service import Database, GaugeRefresher
from timebank_common.service import rpc as service_rpc


def _calls(entrypoint: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("timebank_entrypoint_calls_total",
                                     {"entrypoint": entrypoint, "outcome": outcome}) or 0.0


def _observed(entrypoint: str) -> float:
    return REGISTRY.get_sample_value("timebank_entrypoint_duration_seconds_count",
                                     {"entrypoint": entrypoint}) or 0.0


class _Named:
    """A worker context or an entrypoint as far as these need one (hashable, as nameko's)."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


def _worker(method_name: str):
    return _Named(entrypoint=_Named(method_name=method_name))


def test_entrypoint_metrics_count_every_call_by_entrypoint_and_outcome():
    provider = metrics.EntrypointMetrics()
    provider.container = SimpleNamespace(service_name="hot_path_test")
    before = {(name, outcome): _calls(name, outcome)
              for name in ("hot_read", "hot_write") for outcome in ("ok", "refused", "error")}
    timed = _observed("hot_read")
    for exc_info in (None, None, (DomainError, DomainError("x", "x", "x"), None),
                     (ValueError, ValueError(), None)):
        worker = _worker("hot_read")
        provider.worker_setup(worker)
        provider.worker_result(worker, exc_info=exc_info)
    worker = _worker("hot_write")
    provider.worker_setup(worker)
    provider.worker_result(worker)
    assert {key: _calls(*key) - count for key, count in before.items()} == {
        ("hot_read", "ok"): 2, ("hot_read", "refused"): 1, ("hot_read", "error"): 1,
        ("hot_write", "ok"): 1, ("hot_write", "refused"): 0, ("hot_write", "error"): 0}
    assert _observed("hot_read") - timed == 4


def _consumer(*methods: str) -> QuorumRpcConsumer:
    consumer = QuorumRpcConsumer()
    consumer.container = SimpleNamespace(service_name="ledger")
    for method in methods:
        consumer.register_provider(_Named(method_name=method))
    return consumer


def test_the_rpc_consumer_finds_each_method_and_refuses_an_unknown_one():
    consumer = _consumer("balance", "statement")
    assert consumer.get_provider_for_method("ledger.balance").method_name == "balance"
    assert consumer.get_provider_for_method("ledger.statement").method_name == "statement"
    with pytest.raises(MethodNotFound):
        consumer.get_provider_for_method("ledger.nope")
    with pytest.raises(MethodNotFound):  # another service's routing key
        consumer.get_provider_for_method("identity.balance")


def test_the_rpc_consumer_sees_a_method_registered_after_its_first_lookup():
    consumer = _consumer("balance")
    assert consumer.get_provider_for_method("ledger.balance").method_name == "balance"
    consumer.register_provider(_Named(method_name="transfer"))
    assert consumer.get_provider_for_method("ledger.transfer").method_name == "transfer"


def test_the_gauges_refresher_reads_the_database_it_finds_at_the_scrape(monkeypatch):
    refreshed = []
    monkeypatch.setattr(metrics, "refresh_gauges",
                        lambda engine, probe: refreshed.append((engine, probe)))
    database = Database()
    database.engine = "the engine"
    refresher = GaugeRefresher()
    refresher.probe = "the probe"
    refresher.container = SimpleNamespace(dependencies=[refresher])
    refresh = refresher.get_dependency(worker_ctx=None)
    refresher.container.dependencies.append(database)  # found when called, not when injected
    refresh()
    refresher.container.dependencies.remove(database)
    refresh()
    assert refreshed == [("the engine", "the probe"), (None, "the probe")]


class _Service:
    name = "sig_test"

    @service_rpc(returns=None)
    def declared(self, caller, amount):
        return amount

    @service_rpc
    def bare(self, amount):
        return amount


def _entrypoint(method_name: str) -> QuorumRpc:
    entrypoint = QuorumRpc()
    entrypoint.container = SimpleNamespace(service_cls=_Service)
    entrypoint.method_name = method_name
    return entrypoint


def test_wrong_rpc_arguments_are_refused_whether_the_rpc_is_declared_or_bare():
    with pytest.raises(IncorrectSignature):  # bare: nameko's check, before any worker
        _entrypoint("bare").check_signature((), {"nope": 1})
    _entrypoint("bare").check_signature((5,), {})
    # declared: its wrapper binds the method's signature itself, so nameko's check (which the
    # wrapper's (*args, **kwargs) always passed) is skipped, and the wrapper refuses
    _entrypoint("declared").check_signature((), {"nope": 1})
    with pytest.raises(IncorrectSignature):
        _Service.declared(_Service(), nope=1)
