"""Benchmark: what tracing (``timebank_common.tracing``) costs per entrypoint and per RPC, off
(the default) and on (spans to the SDK's in-memory exporter, so no network is measured).

    .venv/bin/python tests/perf/bench_tracing.py [--calls 2000] [--rounds 3] [--hooks 100000]

Two figures:

* the provider's own hooks (``worker_setup`` + ``worker_result`` of one RPC worker), called
  ``--hooks`` times in a loop: the cost per entrypoint, in microseconds;
* RPC round trips through real RabbitMQ (a throw-away vhost): a standalone proxy calls
  ``bench_front.relay``, which calls ``bench_back.echo`` — two entrypoints and two spans per
  call — ``--calls`` sequential calls per round, off and on alternately for ``--rounds`` rounds;
  the median round's mean and p50/p99 per call, in milliseconds.

Figures, not assertions: the machine may be shared (the load average is printed).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402
from nameko.rpc import Rpc  # noqa: E402
from nameko.standalone.rpc import ServiceRpcProxy  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)
from timebank_testing import Rabbit, free_port  # noqa: E402

from timebank_common.rpc import RpcProxy  # noqa: E402
from timebank_common.service import ServiceBase, rpc  # noqa: E402
from timebank_common.tracing import TracingProvider  # noqa: E402


class Front(ServiceBase):
    name = "bench_front"
    back = RpcProxy("bench_back")

    @rpc
    def relay(self, value):
        return self.back.echo(value)


class Back(ServiceBase):
    name = "bench_back"

    @rpc
    def echo(self, value):
        return value


class _Worker:
    def __init__(self, entrypoint):
        self.entrypoint, self.data, self.args = entrypoint, {"correlation_id": "c"}, ()


def hooks_cost(tracing: dict | None, n: int) -> float:
    """Microseconds per ``worker_setup`` + ``worker_result`` of the provider."""
    class _Container:
        config = {"TRACING": tracing} if tracing else {}
        service_name = "bench"

    provider = TracingProvider()
    provider.container = _Container()
    provider.setup()
    entrypoint = Rpc()
    entrypoint.method_name = "echo"
    exporter = (tracing or {}).get("exporter")
    took = 0.0
    for _ in range(0, n, 1000):  # the exporter emptied every 1,000 spans, as a batch export
        workers = [_Worker(entrypoint) for _ in range(1000)]
        started = time.perf_counter()
        for worker in workers:
            provider.worker_setup(worker)
            provider.worker_result(worker, "ok")
        took += time.perf_counter() - started
        if exporter is not None:
            exporter.clear()
    provider.stop()
    return took / n * 1e6


def rpc_round(amqp_uri: str, tracing: dict | None, calls: int) -> list[float]:
    """Milliseconds of each of ``calls`` sequential RPCs through front to back."""
    containers = []
    for cls in (Back, Front):
        config = {"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
                  "max_workers": 10, "CONSUMER_POLL_SECONDS": 0.05}
        if tracing:
            config["TRACING"] = tracing
        container = ServiceContainer(cls, config)
        container.start()
        containers.append(container)
    took = []
    try:
        with ServiceRpcProxy("bench_front", {"AMQP_URI": amqp_uri}, timeout=30) as front:
            for i in range(50):  # warm up: connections, reply queues
                front.relay(i)
            for i in range(calls):
                started = time.perf_counter()
                front.relay(i)
                took.append((time.perf_counter() - started) * 1000)
    finally:
        for container in reversed(containers):
            container.stop()
    return took


def summary(took: list[float]) -> dict:
    ordered = sorted(took)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"mean": statistics.fmean(took), "p50": pick(0.5), "p99": pick(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hooks", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)

    print(f"load average {os.getloadavg()}")
    print("\nprovider hooks per entrypoint (worker_setup + worker_result), µs")
    exporter = InMemorySpanExporter()
    off = hooks_cost(None, args.hooks)
    on = hooks_cost({"exporter": exporter}, args.hooks)
    print(f"  off {off:8.2f}\n  on  {on:8.2f}")

    rabbit = Rabbit(f"tbbench-{uuid.uuid4().hex[:8]}")
    rabbit.create()
    try:
        results: dict[str, list[dict]] = {"off": [], "on": []}
        for _ in range(args.rounds):
            for mode in ("off", "on"):
                exporter = InMemorySpanExporter()
                tracing = {"exporter": exporter} if mode == "on" else None
                results[mode].append(summary(rpc_round(rabbit.uri, tracing, args.calls)))
                exporter.clear()
    finally:
        rabbit.delete()
    print(f"\nRPC front → back ({args.calls} sequential calls, two entrypoints each; "
          f"the median of {args.rounds} rounds), ms per call")
    print(f"  {'':4} {'mean':>8} {'p50':>8} {'p99':>8}")
    for mode, rounds in results.items():
        median = sorted(rounds, key=lambda r: r["mean"])[len(rounds) // 2]
        print(f"  {mode:4} {median['mean']:8.3f} {median['p50']:8.3f} {median['p99']:8.3f}")


if __name__ == "__main__":
    main()
