"""Benchmark: ``/livez`` and ``/readyz`` of a service whose workers are all busy, against a
plain ``@http`` endpoint and ``/health`` (both answered by a worker).

    .venv/bin/python tests/perf/bench_probes.py [--workers 10] [--holders 40]
        [--hold-seconds 0.5] [--samples 200] [--slow-samples 10]

A service process (``ServiceBase`` as every service's, named ``ledger`` so its migrations
are checked, on a throw-away RabbitMQ vhost and a migrated throw-away database) runs with
``max_workers`` = ``--workers`` and a database pool of as many connections. Measured first
idle, then saturated: ``--holders`` clients (more than the workers) each keep asking
``/hold``, which takes a worker and a pooled connection for ``--hold-seconds``
(``SELECT pg_sleep``), so every worker and every connection of the pool is always busy and
requests queue for a worker. Sequential requests then time each endpoint; p50/p99/max in ms,
with non-200 answers counted. Figures, not assertions: the machine may be shared (the load
average is printed).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import requests  # noqa: E402

WAIT_SECONDS = 60


def serve(args) -> None:
    """The service process (``serve``): ``ServiceBase`` with a worker-holding endpoint."""
    from nameko.cli.run import run
    from nameko.web.handlers import http
    from sqlalchemy import text

    from timebank_common.service import Database, ServiceBase

    class Probed(ServiceBase):
        name = "ledger"
        db = Database()

        @http("GET", "/hold")
        def hold(self, request):
            with self.db() as uow:
                uow.execute(text("SELECT pg_sleep(:s)"), {"s": args.hold_seconds})
            return "held"

        @http("GET", "/plain")
        def plain(self, request):
            return "plain"

    run([Probed], {"AMQP_URI": args.amqp, "DATABASE_URL": args.database,
                   "WEB_SERVER_ADDRESS": f"127.0.0.1:{args.port}", "max_workers": args.workers,
                   "DB_POOL_SIZE": args.workers, "DB_POOL_OVERFLOW": 0})


def timed(url: str, samples: int, timeout: float = 120) -> dict:
    """``samples`` sequential GETs on one connection: p50/p99/max in ms and non-200 answers."""
    session = requests.Session()
    took, refused = [], 0
    for _ in range(samples):
        started = time.perf_counter()
        answer = session.get(url, timeout=timeout)
        took.append((time.perf_counter() - started) * 1000)
        refused += answer.status_code != 200
    took.sort()
    pick = lambda q: took[min(len(took) - 1, int(q * len(took)))]  # noqa: E731
    return {"n": samples, "p50": pick(0.5), "p99": pick(0.99), "max": took[-1],
            "non_200": refused}


def report(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(f"  {'endpoint':10} {'n':>5} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'non-200':>8}")
    for name, r in rows.items():
        print(f"  {name:10} {r['n']:>5} {r['p50']:>9.1f} {r['p99']:>9.1f} {r['max']:>9.1f} "
              f"{r['non_200']:>8}")


def wait_ready(base: str, service: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if service.poll() is not None:
            raise SystemExit(f"the service exited with {service.returncode}")
        try:
            if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        eventlet.sleep(0.2)
    raise SystemExit("the service was not ready within a minute")


def bench(args) -> None:
    from timebank_testing import PG_BASE, Rabbit, free_port

    from timebank_common.db import drop_database, ensure_database
    from timebank_common.migrations import upgrade

    run = uuid.uuid4().hex[:8]
    rabbit = Rabbit(f"bench-probes-{run}")
    rabbit.create()
    database = f"{PG_BASE}/tbbench_probes_{run}"
    ensure_database(database)
    upgrade("ledger", database)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    service = subprocess.Popen(
        [sys.executable, __file__, "serve", "--amqp", rabbit.uri, "--database", database,
         "--port", str(port), "--workers", str(args.workers),
         "--hold-seconds", str(args.hold_seconds)],
        env={**os.environ, "LOG_LEVEL": "WARNING"})
    holders: list = []
    try:
        wait_ready(base, service)
        print(f"service: max_workers={args.workers}, DB pool {args.workers}; "
              f"load average {os.getloadavg()[0]:.2f}")
        report("idle", {name: timed(f"{base}/{name}", args.samples)
                        for name in ("livez", "readyz", "plain")})

        busy = {"on": True, "held": 0}

        def keep_holding():
            session = requests.Session()
            while busy["on"]:
                session.get(f"{base}/hold", timeout=300)
                busy["held"] += 1

        holders = [eventlet.spawn(keep_holding) for _ in range(args.holders)]
        # saturated once the workers have been through a full round of holds
        deadline = time.monotonic() + WAIT_SECONDS
        while busy["held"] < args.workers and time.monotonic() < deadline:
            eventlet.sleep(0.05)
        saturated = {name: timed(f"{base}/{name}", args.samples) for name in ("livez", "readyz")}
        for name in ("plain", "health"):
            saturated[name] = timed(f"{base}/{name}", args.slow_samples)
        report(f"saturated: {args.holders} clients holding {args.workers} workers and "
               f"{args.workers} connections ({args.hold_seconds} s each); "
               f"load average {os.getloadavg()[0]:.2f}", saturated)
        busy["on"] = False
    finally:
        for holder in holders:
            holder.kill()
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(30)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait(5)
        drop_database(database)
        rabbit.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", default="bench", choices=("bench", "serve"))
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--holders", type=int, default=40)
    parser.add_argument("--hold-seconds", type=float, default=0.5)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--slow-samples", type=int, default=10)
    parser.add_argument("--amqp")
    parser.add_argument("--database")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    serve(args) if args.mode == "serve" else bench(args)


if __name__ == "__main__":
    main()
